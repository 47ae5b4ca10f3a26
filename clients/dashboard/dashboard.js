// The live dashboard: loads /v1/status, the open alerts and the last 30 days,
// then follows /v1/stream (live.js). Each view is a section of index.html
// drawn by a function here or by its own module (alerts_view.js,
// practice_view.js); a new view adds a section and a module.

import {
  LEVELS, api, el, formatDate, formatTime, formatWhen, groupLevel, isInhibited, levelText,
  loadMe, placeLabel, session, takeTokenFromFragment, themeLabel, tooFewText,
} from './common.js';
import { AlertsView } from './alerts_view.js';
import { trend } from './charts.js';
import { allowChime, chimeAllowed, playChime } from './chime.js';
import { LiveFeed } from './live.js';
import { initPracticeView, openPractice } from './practice_view.js';
import { initSupport, loadActions, loadSupport, offerButton } from './support_view.js';

const $ = (id) => document.getElementById(id);

const state = {
  status: null, // the last /v1/status answer
  alerts: new Map(), // open alerts by id
  history: null, // the last /v1/status/history?days=30 answer
  statusTimer: 0,
  flashUntil: new Map(), // practice code -> time its tile stops flashing
};

const BASE_TITLE = document.title;

// ---- Connection indicator -------------------------------------------------

/// The indicator says in words what its dot says in colour and shape; `why`
/// (the last failure) is there on hover for whoever looks into it.
function setConn(kind, text, why = '') {
  $('conn').className = `conn conn-${kind}`;
  $('conn').title = why;
  $('conn-text').textContent = text;
}

function notice(text) {
  $('notice').textContent = text ?? '';
  $('notice').hidden = !text;
}

// ---- Groups ---------------------------------------------------------------

/// The level a practice stands at: none when stale or never reported.
const standing = (p) => (p.level && !p.stale ? p.level : null);

function groups(practices, key) {
  const out = new Map();
  for (const p of practices) {
    if (!out.has(p[key])) out.set(p[key], []);
    out.get(p[key]).push(p);
  }
  return out;
}

// ---- Rendering -------------------------------------------------------------

function renderSystem(s) {
  const sys = s.system;
  const box = $('system-level');
  const known = LEVELS[sys.level];
  box.className = `system-level ${known ? `level-${sys.level}` : 'level-none'}`;
  box.replaceChildren(
    el('span', { class: 'system-number' }, known ? `OPEL ${sys.level}` : 'No level'),
    el('span', { class: 'system-name' }, known ? known.name : tooFewText(sys)),
  );
  const counts = [1, 2, 3, 4].map((l) =>
    el('li', { class: `count level-${l}` },
      el('span', { class: 'count-n', text: String(sys.counts?.[l] ?? 0) }),
      el('span', { class: 'count-label' }, `OPEL ${l}`, el('br'), LEVELS[l].name)));
  const silent = sys.practices - sys.reporting;
  counts.push(el('li', { class: 'count level-none' },
    el('span', { class: 'count-n', text: String(silent) }),
    el('span', { class: 'count-label' }, 'Not reporting', el('br'), 'or stale')));
  $('counts').replaceChildren(...counts);
  $('system-meta').textContent =
    `${sys.reporting} of ${sys.practices} practices reporting in the last 7 days` +
    `${sys.stale ? `, ${sys.stale} stale` : ''}. As of ${formatWhen(s.as_of)}.`;
}

/// A place or PCN tile from the server's group (`places` or `pcns` of
/// /v1/status): its level comes from the daemon's group rule; a group with
/// too few practices reporting has none and is shown grey, in words.
function groupTile(g, label) {
  const level = groupLevel(g);
  const reporting = g?.reporting ?? 0;
  const high = (g?.counts?.[3] ?? 0) + (g?.counts?.[4] ?? 0);
  const detail = level
    ? `${LEVELS[level].name} · ${reporting} of ${g?.practices ?? 0} reporting${high ? ` · ${high} at OPEL 3+` : ''}`
    : tooFewText(g);
  return el('li', { class: `group-tile ${level ? `level-${level}` : 'level-none too-few'}` },
    el('span', { class: 'group-level', text: level ? String(level) : '–' }),
    el('span', { class: 'group-body' },
      el('span', { class: 'group-name', text: label }),
      el('span', { class: 'group-detail', text: detail })));
}

function renderGroups(s) {
  const sorted = (o) => Object.entries(o ?? {}).sort((a, b) => a[0].localeCompare(b[0]));
  $('places').replaceChildren(...sorted(s.places).map(([id, g]) => groupTile(g, placeLabel(id))));
  $('pcns').replaceChildren(...sorted(s.pcns).map(([name, g]) => groupTile(g, name)));
}

function practiceTile(p) {
  const level = LEVELS[p.level] ? p.level : null;
  const cls = !level ? 'level-none' : p.stale ? 'level-stale' : `level-${level}`;
  const when = p.reported_at ? formatWhen(p.reported_at) : '';
  const status = !level ? 'never reported'
    : `${levelText(level)}${p.stale ? ', stale' : ''}, reported ${when}`;
  const themes = (p.themes ?? []).map(themeLabel).join(', ');
  // The re-fetch that follows an event redraws the tile: it keeps flashing.
  const flash = (state.flashUntil.get(p.code) ?? 0) > Date.now() ? ' flash' : '';
  return el('li', { class: 'tile-item' }, el('button', {
    type: 'button',
    class: `tile ${cls}${flash}`,
    title: `${p.name} (${p.code}), ${p.pcn}: ${status}${themes ? `. Themes: ${themes}` : ''}`,
    dataset: { code: p.code },
    onclick: () => openPractice(p, [...state.alerts.values()]),
  },
  el('span', { class: 'tile-level', 'aria-hidden': 'true', text: level ? String(level) : '–' }),
  el('span', { class: 'tile-code', 'aria-hidden': 'true', text: p.code }),
  el('span', { class: 'tile-name', 'aria-hidden': 'true', text: p.name }),
  el('span', { class: 'visually-hidden', text: `${p.name} (${p.code}): ${status}. Open its last 90 days.` })));
}

function matchesFilter(p) {
  const text = $('filter-text').value.trim().toLowerCase();
  const show = $('filter-level').value;
  if (text && ![p.name, p.code, p.pcn, p.place].some((v) => v.toLowerCase().includes(text)))
    return false;
  const l = standing(p);
  if (show === 'none') return l === null;
  if (show !== 'all') return l !== null && l >= Number(show);
  return true;
}

function renderPractices(practices) {
  const sections = [];
  for (const [place, members] of groups(practices, 'place')) {
    const shown = members.filter(matchesFilter)
      .sort((a, b) => a.pcn.localeCompare(b.pcn) || a.code.localeCompare(b.code));
    if (shown.length === 0) continue;
    sections.push(el('div', { class: 'practice-group' },
      el('h3', {}, `${placeLabel(place)} `, el('span', { class: 'meta', text: `${shown.length} practices` })),
      el('ul', { class: 'tiles' }, shown.map(practiceTile))));
  }
  if (sections.length === 0) sections.push(el('p', { class: 'empty', text: 'No practice matches.' }));
  $('practices').replaceChildren(...sections);
}

function renderThemes(practices) {
  const counts = new Map();
  for (const p of practices) {
    if (!standing(p)) continue;
    for (const t of p.themes ?? []) counts.set(t, (counts.get(t) ?? 0) + 1);
  }
  const rows = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const max = rows.length ? rows[0][1] : 1;
  $('themes').replaceChildren(...rows.map(([id, n]) => {
    const bar = el('span', { class: 'theme-bar', 'aria-hidden': 'true' });
    bar.style.setProperty('--share', String(n / max));
    return el('li', {},
      el('span', { class: 'theme-name', text: themeLabel(id) }),
      bar,
      el('span', { class: 'theme-n', text: `${n} ${n === 1 ? 'practice' : 'practices'}` }));
  }));
  $('themes-empty').hidden = rows.length > 0;
}

function renderStatus() {
  const s = state.status;
  if (!s) return;
  renderSystem(s);
  renderGroups(s);
  renderPractices(s.practices);
  renderThemes(s.practices);
}

/// The place ids an alert concerns: its practice's, its PCN's, its place.
function placesOf(a) {
  const practices = state.status?.practices ?? [];
  if (a.scope === 'practice') return practices.filter((p) => p.code === a.subject).map((p) => p.place);
  if (a.scope === 'pcn') return [...new Set(practices.filter((p) => p.pcn === a.subject).map((p) => p.place))];
  if (a.scope === 'place') return [a.subject];
  return [];
}

// A practice's alert carries an "Offer support" button (support_view.js).
const offerFor = (a) => (a.scope === 'practice' && !isInhibited(a) ? offerButton(a.subject) : null);
const alertsView = new AlertsView({ alerts: state.alerts, placesOf, announce, extra: offerFor });

function renderAlerts() {
  alertsView.render();
  // The tab says how many level 4s are firing, so a background tab shows it.
  const fours = [...state.alerts.values()]
    .filter((a) => a.level === 4 && a.state === 'firing' && !isInhibited(a)).length;
  document.title = fours ? `(${fours}) OPEL 4 · ${BASE_TITLE}` : BASE_TITLE;
}

// ---- The last 30 days -------------------------------------------------------

function renderTrend() {
  const days = state.history?.days ?? [];
  if (!days.length) return;
  $('trend').replaceChildren(trend(days));
  const [before, today] = days.slice(-2);
  if (!before || !today) return;
  const word = (s) => (LEVELS[s.level] ? `OPEL ${s.level}` : 'too few reporting');
  const delta = (l) => {
    const d = (today.system.counts?.[l] ?? 0) - (before.system.counts?.[l] ?? 0);
    return `${d > 0 ? '+' : ''}${d} at ${l}`;
  };
  $('compare').textContent =
    `Today (${formatWhen(today.as_of ?? today.date)}): ${word(today.system)}, ` +
    `${today.system.reporting} reporting. Yesterday (${formatDate(before.date)}): ` +
    `${word(before.system)}, ${before.system.reporting} reporting. Change: ` +
    `${[1, 2, 3, 4].map(delta).join(', ')}.`;
}

async function loadHistory() {
  try {
    state.history = (await api('/v1/status/history?days=30')).body;
    renderTrend();
  } catch (e) {
    if (e.status === 401 || e.status === 403) return;
    $('trend').replaceChildren(el('p', { class: 'inline-error', text: `The last 30 days could not be loaded: ${e.message}` }));
  }
}

function announce(text) {
  // Cleared first so that the same words said twice are announced twice.
  $('announcer').textContent = '';
  setTimeout(() => { $('announcer').textContent = text; }, 50);
}

// ---- Loading ---------------------------------------------------------------

/// Stops everything and asks for a token again.
function refused(e) {
  feed.stop();
  if (e.status === 401) {
    session.clear();
    showSignIn(`That token was not accepted: ${e.message}`);
  } else {
    setConn('offline', 'Not allowed');
    notice('This token may not see the dashboard (it is a practice token, or its role is ' +
      'not team, control room or admin). Practice managers report on the practice page: /report.');
  }
}

async function loadStatus() {
  try {
    state.status = (await api('/v1/status')).body;
    notice('');
    renderStatus();
  } catch (e) {
    if (e.status === 401 || e.status === 403) return refused(e);
    notice(`The practice picture could not be loaded: ${e.message}`);
  }
}

async function loadAlerts() {
  try {
    const { body } = await api('/v1/alerts?state=open');
    const fresh = new Map();
    for (const a of body.alerts ?? []) {
      // An event newer than this answer may already be here: keep the newer.
      const seen = state.alerts.get(a.id);
      fresh.set(a.id, seen && String(seen.updated_at) > String(a.updated_at) ? seen : a);
    }
    state.alerts.clear();
    for (const [id, a] of fresh) state.alerts.set(id, a);
    $('alerts-error').hidden = true;
    renderAlerts();
  } catch (e) {
    if (e.status === 401 || e.status === 403) return refused(e);
    $('alerts-error').textContent = `Alerts could not be loaded: ${e.message}`;
    $('alerts-error').hidden = false;
    // "No open alerts" would be a claim the page cannot make.
    $('alerts-empty').hidden = true;
  }
}

function loadAll() {
  // The actions first: the alerts' offer forms list them; the support view
  // last, as it names practices and places from the status.
  return loadActions().then(() => Promise.all([loadStatus(), loadAlerts(), loadHistory()]))
    .then(loadSupport);
}

/// Status events come in bursts (a busy morning): one re-fetch per burst.
function statusSoon() {
  clearTimeout(state.statusTimer);
  state.statusTimer = setTimeout(loadStatus, 300);
}

// ---- Events ----------------------------------------------------------------

function onEvent(ev) {
  $('last-event').textContent = formatTime(ev.time ?? new Date().toISOString());
  const topic = String(ev.topic ?? '');
  if (topic.startsWith('status.')) onStatusEvent(ev.data);
  else if (topic.startsWith('alert.')) onAlertEvent(ev.data);
  else if (topic === 'summary.daily') onSummaryEvent(ev);
  else if (topic.startsWith('support.')) loadSupport();
}

function onStatusEvent(sub) {
  // The tile changes at once; the counts and groups follow the server's
  // picture, fetched once the burst is over.
  const p = state.status?.practices.find((x) => x.code === sub.practice);
  if (p) {
    Object.assign(p, { level: sub.level, themes: sub.themes ?? [], stale: false,
      reported_at: sub.reported_at ?? sub.received_at });
    state.flashUntil.set(p.code, Date.now() + 1600);
    renderPractices(state.status.practices);
  }
  statusSoon();
}

function onAlertEvent(a) {
  if (!a || !a.id) return;
  const before = state.alerts.get(a.id);
  if (a.state === 'resolved') state.alerts.delete(a.id);
  else state.alerts.set(a.id, a);
  renderAlerts();
  if (a.state === 'firing' && !before && !isInhibited(a)) {
    announce(`New alert, ${levelText(a.level)}: ${a.title}`);
    if (a.level === 4 && chimeAllowed()) playChime();
  }
  else if (a.state === 'resolved' && before) announce(`Resolved: ${a.title}`);
}

function onSummaryEvent(ev) {
  const at = formatTime(ev.data?.generated_at ?? ev.time);
  $('summary-at').textContent = `Daily summary at ${at}`;
  $('summary-at').hidden = false;
  loadHistory(); // a new day's picture
}

const feed = new LiveFeed({
  onEvent,
  onConn: setConn,
  reload: loadAll,
  onRefused: refused,
});

// ---- Start -----------------------------------------------------------------

function showSignIn(message) {
  $('board').hidden = true;
  $('sign-out').hidden = true;
  $('sign-in').hidden = false;
  setConn('offline', 'Signed out');
  notice(message);
  $('token-input').focus();
}

async function start() {
  $('sign-in').hidden = true;
  $('board').hidden = false;
  $('sign-out').hidden = false;
  notice('');
  try {
    await loadMe();
  } catch (e) {
    return refused(e);
  }
  // Events are counted from the page's opening: say so until one comes.
  $('last-event').textContent = `none since ${formatTime(new Date().toISOString())}`;
  loadAll();
  feed.start();
}

function renderChime() {
  const on = chimeAllowed();
  $('chime').textContent = on ? 'Chime on' : 'Chime off';
  $('chime').setAttribute('aria-pressed', String(on));
  $('chime').title = on
    ? 'A new level 4 chimes here and on the wall in this browser. Select to stop it.'
    : 'Select to chime for a new level 4, here and on the wall in this browser.';
}

function init() {
  takeTokenFromFragment();
  initPracticeView();
  initSupport(() => state.status);
  renderChime();
  $('chime').addEventListener('click', () => {
    allowChime(!chimeAllowed());
    renderChime();
    // The click is the gesture a browser asks for before it plays a sound.
    if (chimeAllowed()) playChime();
  });
  $('token-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const token = $('token-input').value.trim();
    if (!token) return;
    session.setToken(token);
    $('token-input').value = '';
    start();
  });
  const forget = () => {
    feed.reset();
    state.status = null;
    state.alerts.clear();
    state.history = null;
  };
  $('sign-out').addEventListener('click', () => {
    forget();
    session.clear();
    showSignIn('');
  });
  // A new #token= on an open page (the address edited on a wall screen) does
  // not reload it: take the token and start afresh with it.
  window.addEventListener('hashchange', () => {
    if (!new URLSearchParams(location.hash.slice(1)).has('token')) return;
    forget();
    takeTokenFromFragment();
    start();
  });
  const refilter = () => state.status && renderPractices(state.status.practices);
  $('filter-text').addEventListener('input', refilter);
  $('filter-level').addEventListener('change', refilter);
  $('filter').addEventListener('submit', (ev) => ev.preventDefault());
  if (session.token()) start();
  else showSignIn('');
}

init();
