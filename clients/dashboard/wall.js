// The control-room wall: one screen, read from across a room, touched by
// nobody. Everything is sized to the window (no scrolling at any size): the
// PCN heat map picks its columns from the count of PCNs and the space left,
// and the alert list shows as many lines as fit and counts the rest. A new
// level 4 pulses its tile, flashes the page title and, when allowed on the
// dashboard, chimes. When the stream has been down for more than 30 s the
// screen says "Stale" across it, so an old picture is never taken for now.

import {
  LEVELS, api, bySeverity, el, formatTime, groupLevel, isInhibited, loadMe,
  placeLabel, session, takeTokenFromFragment, tooFewText,
} from './common.js';
import { LiveFeed } from './live.js';
import { chimeAllowed, playChime } from './chime.js';

const $ = (id) => document.getElementById(id);
const STALE_MS = 30000;
const PULSE_MS = 60000;
const FLASH_MS = 5 * 60000;
const BASE_TITLE = document.title;

const state = {
  status: null,
  alerts: new Map(), // open alerts by id, inhibited ones included
  pulseUntil: new Map(), // tile key ("pcn:NAME", "place:ID", "system") -> time
  flash: null, // {text, until} while the title flashes
};

const feed = new LiveFeed({
  onEvent,
  onConn: setConn,
  reload: loadAll,
  onRefused: (e) => message(e.status === 401
    ? `This screen's token was not accepted (${e.message}). Open /wall#token=TOKEN again.`
    : 'This token may not see the wall: it needs a team, control room or admin token.'),
});

function setConn(kind, text, why) {
  $('wall-conn').className = `wall-conn conn-${kind}`;
  $('wall-conn').title = why;
  $('wall-conn-text').textContent = text;
}

function message(text) {
  $('wall-message').textContent = text ?? '';
  $('wall-message').hidden = !text;
}

// ---- Rendering -------------------------------------------------------------

const pulsing = (key) => (state.pulseUntil.get(key) ?? 0) > Date.now();

function renderSystem(s) {
  const sys = s.system;
  const level = groupLevel(sys);
  $('wall-system').className =
    `wall-system ${level ? `level-${level}` : 'level-none'}${pulsing('system') ? ' pulse' : ''}`;
  $('wall-system-number').textContent = level ? `OPEL ${level}` : '–';
  $('wall-system-name').textContent = level ? LEVELS[level].name : tooFewText(sys);
  const counts = [1, 2, 3, 4].map((l) => el('li', { class: `wall-count level-${l}` },
    el('span', { class: 'wall-count-n', text: String(sys.counts?.[l] ?? 0) }),
    el('span', { class: 'wall-count-label', text: `at ${l}` })));
  counts.push(el('li', { class: 'wall-count level-none' },
    el('span', { class: 'wall-count-n', text: String(sys.practices - sys.reporting) }),
    el('span', { class: 'wall-count-label', text: 'silent' })));
  $('wall-counts').replaceChildren(...counts);
  $('wall-counts').title = `${sys.reporting} of ${sys.practices} practices reporting; ` +
    `silent: no report in 7 days (${sys.stale} stale)`;
}

/// A place or PCN tile: the level large, the name, and how many report.
function tile(g, label, key) {
  const level = groupLevel(g);
  const high = (g?.counts?.[3] ?? 0) + (g?.counts?.[4] ?? 0);
  const detail = level
    ? `${g.reporting} of ${g.practices} reporting${high ? ` · ${high} at 3+` : ''}`
    : tooFewText(g);
  return el('li', {
    class: `wall-tile ${level ? `level-${level}` : 'level-none too-few'}${pulsing(key) ? ' pulse' : ''}`,
    title: `${label}: ${level ? `OPEL ${level} ${LEVELS[level].name}` : 'too few reporting for a level'}, ${detail}`,
    dataset: { key },
  },
  el('span', { class: 'wall-tile-level', text: level ? String(level) : '–' }),
  el('span', { class: 'wall-tile-body' },
    el('span', { class: 'wall-tile-name', text: label }),
    el('span', { class: 'wall-tile-detail', text: detail })));
}

const sorted = (o) => Object.entries(o ?? {}).sort((a, b) => a[0].localeCompare(b[0]));
// On the wall the heading says "Primary care networks": the suffix is noise.
const pcnLabel = (name) => name.replace(/\s+PCN$/i, '');

function renderGroups(s) {
  $('wall-places').replaceChildren(
    ...sorted(s.places).map(([id, g]) => tile(g, placeLabel(id), `place:${id}`)));
  const pcns = sorted(s.pcns);
  $('wall-pcns').replaceChildren(...pcns.map(([name, g]) => tile(g, pcnLabel(name), `pcn:${name}`)));
  const tooFew = pcns.filter(([, g]) => !groupLevel(g)).length;
  $('wall-pcn-note').textContent = tooFew ? `· ${tooFew} with too few reporting for a level` : '';
  fitPcns(pcns.length);
}

/// Columns and rows for `n` PCN tiles in the space left, tiles about three
/// times as wide as tall; the type follows the tile size.
function fitPcns(n) {
  const box = $('wall-pcns');
  const W = box.clientWidth;
  const H = box.clientHeight;
  if (!n || !W || !H) return;
  const cols = Math.max(1, Math.min(n, Math.round(Math.sqrt((n * W) / (H * 3)))));
  const rows = Math.ceil(n / cols);
  box.style.gridTemplateColumns = `repeat(${cols}, minmax(0, 1fr))`;
  box.style.gridTemplateRows = `repeat(${rows}, minmax(0, 1fr))`;
  const base = parseFloat(getComputedStyle(document.body).fontSize);
  const font = Math.max(11, Math.min(base * 1.2, H / rows / 3.3, W / cols / 12));
  box.style.fontSize = `${font.toFixed(1)}px`;
}

function alertLine(a) {
  return el('li', { class: `wall-alert alert-level-${a.level}`, dataset: { id: a.id } },
    el('span', { class: `wall-alert-level level-${a.level}`, text: String(a.level) }),
    el('span', { class: 'wall-alert-title', text: a.title }),
    el('span', { class: 'wall-alert-when' },
      a.state === 'acknowledged' ? 'seen · ' : '', formatTime(a.created_at)));
}

function renderAlerts() {
  const open = [...state.alerts.values()].filter((a) => a.state !== 'resolved');
  const shown = open.filter((a) => !isInhibited(a)).sort(bySeverity);
  const folded = open.length - shown.length;
  const list = $('wall-alert-list');
  list.replaceChildren(...shown.map(alertLine));
  // As many whole lines as fit; the rest are counted.
  let hidden = 0;
  while (list.lastChild && list.scrollHeight > list.clientHeight + 1) {
    list.lastChild.remove();
    hidden += 1;
  }
  $('wall-alerts-count').textContent = String(shown.length);
  const more = [];
  if (hidden) more.push(`and ${hidden} more open ${hidden === 1 ? 'alert' : 'alerts'}`);
  if (folded) more.push(`${folded} more covered by the alerts shown`);
  $('wall-alerts-more').textContent = more.join(' · ');
  $('wall-alerts-more').hidden = more.length === 0;
  $('wall-alerts-empty').hidden = shown.length > 0;
}

function renderStatus() {
  if (!state.status) return;
  renderSystem(state.status);
  renderGroups(state.status);
}

function renderAll() {
  renderStatus();
  renderAlerts();
}

// ---- A new level 4 -----------------------------------------------------------

function pulse(keys) {
  const until = Date.now() + PULSE_MS;
  for (const k of keys) state.pulseUntil.set(k, until);
  renderStatus();
  setTimeout(renderStatus, PULSE_MS + 50);
}

/// The tiles an alert is about: its practice's PCN and place, or its group.
function tilesOf(a) {
  if (a.scope === 'practice') {
    const p = state.status?.practices.find((x) => x.code === a.subject);
    return p ? [`pcn:${p.pcn}`, `place:${p.place}`] : [];
  }
  if (a.scope === 'pcn') return [`pcn:${a.subject}`];
  if (a.scope === 'place') return [`place:${a.subject}`];
  return ['system'];
}

function newLevel4(a) {
  pulse(tilesOf(a));
  state.flash = { text: `OPEL 4: ${a.title}`, until: Date.now() + FLASH_MS, id: a.id };
  if (chimeAllowed()) playChime();
}

/// The title alternates while a new level 4 is firing (5 minutes at most),
/// so a wall seen from the corner of an eye, or a tab in the background, shows it.
function flashTick() {
  const f = state.flash;
  const still = f && Date.now() < f.until && state.alerts.get(f.id)?.state === 'firing';
  if (!still) {
    state.flash = null;
    if (document.title !== BASE_TITLE) document.title = BASE_TITLE;
    return;
  }
  document.title = document.title === BASE_TITLE ? `⚠ ${f.text}` : BASE_TITLE;
}

// ---- Loading and events --------------------------------------------------------

async function loadStatus() {
  try {
    state.status = (await api('/v1/status')).body;
    message('');
    renderStatus();
    renderAlerts();
  } catch (e) {
    if (e.status === 401 || e.status === 403) return feed.onRefused(e);
    message(`The picture could not be loaded: ${e.message}`);
  }
}

async function loadAlerts() {
  try {
    // All open alerts: the inhibited ones are counted, not listed.
    const { body } = await api('/v1/alerts?state=open');
    const fresh = new Map();
    for (const a of body.alerts ?? []) {
      const seen = state.alerts.get(a.id);
      fresh.set(a.id, seen && String(seen.updated_at) > String(a.updated_at) ? seen : a);
    }
    state.alerts = fresh;
    renderAlerts();
  } catch (e) {
    if (e.status === 401 || e.status === 403) return feed.onRefused(e);
    message(`The alerts could not be loaded: ${e.message}`);
  }
}

/// The latest escalation to the system, shown until the next one.
function renderEscalation(e) {
  const box = $('wall-escalation');
  box.hidden = !e;
  if (!e) return;
  box.replaceChildren(el('strong', { text: 'Escalated to the system' }),
    ` ${formatTime(e.created_at)} · OPEL ${e.level}: ${e.title}`);
  renderAlerts(); // the line takes room from the list
}

async function loadEscalation() {
  try {
    renderEscalation((await api('/v1/escalations?latest=true')).body.escalations?.[0]);
  } catch {
    // Not shown rather than a wall in error: the alerts matter more.
  }
}

function loadAll() {
  return Promise.all([loadStatus(), loadAlerts(), loadEscalation()]);
}

let statusTimer = 0;
function onEvent(ev) {
  const topic = String(ev.topic ?? '');
  if (topic.startsWith('status.')) {
    const sub = ev.data ?? {};
    const p = state.status?.practices.find((x) => x.code === sub.practice);
    if (p && sub.level === 4 && p.level !== 4) pulse([`pcn:${p.pcn}`, `place:${p.place}`]);
    clearTimeout(statusTimer);
    statusTimer = setTimeout(loadStatus, 300);
  } else if (topic === 'escalation.system') {
    renderEscalation(ev.data);
  } else if (topic.startsWith('alert.')) {
    const a = ev.data;
    if (!a?.id) return;
    const before = state.alerts.get(a.id);
    if (a.state === 'resolved') state.alerts.delete(a.id);
    else state.alerts.set(a.id, a);
    if (a.level === 4 && a.state === 'firing' && !isInhibited(a) &&
        (!before || before.level < 4 || isInhibited(before)))
      newLevel4(a);
    renderAlerts();
  }
}

// ---- Clock and staleness ---------------------------------------------------------

function tick() {
  $('wall-clock').textContent = formatTime(new Date());
  const stale = !feed.live && Date.now() - feed.downSince > STALE_MS;
  document.body.classList.toggle('is-stale', stale);
  $('wall-stale').hidden = !stale;
  if (stale) $('wall-stale-since').textContent = `since ${formatTime(new Date(feed.downSince))}`;
  flashTick();
}

// ---- Start ------------------------------------------------------------------------

async function start() {
  feed.reset();
  state.status = null;
  state.alerts.clear();
  message('');
  try {
    await loadMe();
  } catch (e) {
    return feed.onRefused(e);
  }
  tick();
  loadAll();
  feed.start();
}

function init() {
  takeTokenFromFragment();
  setInterval(tick, 1000);
  let resizeTimer = 0;
  window.addEventListener('resize', () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(renderAll, 100);
  });
  window.addEventListener('hashchange', () => {
    if (!new URLSearchParams(location.hash.slice(1)).has('token')) return;
    takeTokenFromFragment();
    start();
  });
  if (session.token()) start();
  else {
    setConn('offline', 'No token');
    message('This screen needs a token: open /wall#token=TOKEN (a team, control room or admin token).');
  }
}

init();
