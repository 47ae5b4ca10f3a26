// The live dashboard: loads /v1/status and the open alerts, then follows
// /v1/stream. EventSource cannot send an Authorization header, so the stream
// is read with fetch() and its Server-Sent Events parsed here; a dropped
// stream resumes after the last seq seen (Last-Event-ID and ?since_seq=),
// with backoff, and the page polls while it has no stream so that a missing
// or broken endpoint degrades to a slower picture, never an empty one.

import {
  ApiError, LEVELS, api, el, formatTime, formatWhen, levelBadge, levelText,
  session, takeTokenFromFragment, themeLabel,
} from './common.js';

const $ = (id) => document.getElementById(id);

const state = {
  status: null, // the last /v1/status answer
  alerts: new Map(), // open alerts by id
  lastSeq: null, // the seq of the last event seen; null before the first
  stream: null, // the AbortController of the running stream
  retryMs: 0,
  pollTimer: 0,
  statusTimer: 0,
  flashUntil: new Map(), // practice code -> time its tile stops flashing
};

const POLL_MS = 30000;
const MAX_RETRY_MS = 30000;
const SILENCE_MS = 45000; // three of the server's 15 s keep-alives

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

const placeLabel = (id) => id.charAt(0).toUpperCase() + id.slice(1);

// ---- Rendering -------------------------------------------------------------

function renderSystem(s) {
  const sys = s.system;
  const box = $('system-level');
  const known = LEVELS[sys.level];
  box.className = `system-level ${known ? `level-${sys.level}` : 'level-none'}`;
  box.replaceChildren(
    el('span', { class: 'system-number' }, known ? `OPEL ${sys.level}` : 'No level'),
    el('span', { class: 'system-name' }, known ? known.name : 'No practice stands at a level'),
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
/// /v1/status): its level comes from the daemon, by the configured thresholds.
function groupTile(g, label) {
  const level = LEVELS[g?.level] ? g.level : null;
  const reporting = g?.reporting ?? 0;
  const high = (g?.counts?.[3] ?? 0) + (g?.counts?.[4] ?? 0);
  return el('li', { class: `group-tile ${level ? `level-${level}` : 'level-none'}` },
    el('span', { class: 'group-level', text: level ? String(level) : '–' }),
    el('span', { class: 'group-body' },
      el('span', { class: 'group-name', text: label }),
      el('span', { class: 'group-detail' },
        `${level ? LEVELS[level].name : 'No level'} · ${reporting} of ${g?.practices ?? 0} reporting` +
        `${high ? ` · ${high} at OPEL 3+` : ''}`)));
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
  return el('li', {
    class: `tile ${cls}${flash}`,
    title: `${p.name} (${p.code}), ${p.pcn}: ${status}${themes ? `. Themes: ${themes}` : ''}`,
    dataset: { code: p.code },
  },
  el('span', { class: 'tile-level', 'aria-hidden': 'true', text: level ? String(level) : '–' }),
  el('span', { class: 'tile-code', 'aria-hidden': 'true', text: p.code }),
  el('span', { class: 'tile-name', 'aria-hidden': 'true', text: p.name }),
  el('span', { class: 'visually-hidden', text: `${p.name} (${p.code}): ${status}.` }));
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

const SCOPES = { practice: 'Practice', pcn: 'PCN', place: 'Place', system: 'System' };

function alertItem(a) {
  const acknowledged = a.state === 'acknowledged';
  const item = el('li', { class: `alert-item alert-level-${a.level}`, dataset: { id: a.id } },
    el('div', { class: 'alert-head' },
      levelBadge(a.level, { short: true }),
      el('span', { class: `state state-${a.state}`, text: acknowledged ? 'Acknowledged' : 'Firing' }),
      el('span', { class: 'meta', text: `${SCOPES[a.scope] ?? a.scope}: ${a.subject}` }),
      el('span', { class: 'meta', text: `since ${formatWhen(a.created_at)}` })),
    el('p', { class: 'alert-title', text: a.title }),
    el('p', { class: 'alert-message', text: a.message }));
  if (acknowledged) {
    item.append(el('p', { class: 'meta', text: `Acknowledged at ${formatWhen(a.updated_at)}.` }));
    return item;
  }
  const noteId = `note-${a.id}`;
  const error = el('p', { class: 'inline-error', hidden: true });
  const form = el('form', { class: 'ack-form' },
    el('label', { for: noteId, class: 'visually-hidden', text: `Note for acknowledging: ${a.title}` }),
    el('input', { id: noteId, type: 'text', maxlength: '500', placeholder: 'Note (optional)' }),
    el('button', { class: 'button', type: 'submit', 'aria-label': `Acknowledge: ${a.title}` }, 'Acknowledge'));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    acknowledge(a, form, error);
  });
  item.append(form, error);
  return item;
}

function renderAlerts() {
  const open = [...state.alerts.values()]
    .filter((a) => a.state !== 'resolved')
    .sort((a, b) => b.level - a.level || (a.state === 'firing' ? -1 : 1) - (b.state === 'firing' ? -1 : 1) ||
      String(b.updated_at).localeCompare(String(a.updated_at)));
  // Keep the focus on the list when the button that had it is replaced.
  const hadFocus = $('alerts').contains(document.activeElement);
  $('alerts').replaceChildren(...open.map(alertItem));
  if (hadFocus) $('alerts-title').focus();
  $('alerts-count').textContent = String(open.length);
  $('alerts-empty').hidden = open.length > 0;
}

function announce(text) {
  // Cleared first so that the same words said twice are announced twice.
  $('announcer').textContent = '';
  setTimeout(() => { $('announcer').textContent = text; }, 50);
}

// ---- Loading ---------------------------------------------------------------

/// Stops everything and asks for a token again.
function refused(e) {
  stopStream();
  clearInterval(state.pollTimer);
  state.pollTimer = 0;
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
    state.alerts = fresh;
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
  return Promise.all([loadStatus(), loadAlerts()]);
}

/// Status events come in bursts (a busy morning): one re-fetch per burst.
function statusSoon() {
  clearTimeout(state.statusTimer);
  state.statusTimer = setTimeout(loadStatus, 300);
}

async function acknowledge(a, form, error) {
  const button = form.querySelector('button');
  button.disabled = true;
  error.hidden = true;
  try {
    const note = form.querySelector('input').value.trim();
    const { body } = await api(`/v1/alerts/${encodeURIComponent(a.id)}/ack`, {
      method: 'POST', body: note ? { note } : {},
    });
    state.alerts.set(body.id, body);
    renderAlerts();
    announce(`Acknowledged: ${body.title}`);
  } catch (e) {
    button.disabled = false;
    error.textContent = `Not acknowledged: ${e.message}`;
    error.hidden = false;
  }
}

// ---- Events ----------------------------------------------------------------

function onEvent(ev) {
  if (typeof ev.seq === 'number' && (state.lastSeq === null || ev.seq > state.lastSeq))
    state.lastSeq = ev.seq;
  $('last-event').textContent = formatTime(ev.time ?? new Date().toISOString());
  const topic = String(ev.topic ?? '');
  if (topic.startsWith('status.')) onStatusEvent(ev.data);
  else if (topic.startsWith('alert.')) onAlertEvent(ev.data);
  else if (topic === 'summary.daily') onSummaryEvent(ev);
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
  if (a.state === 'firing' && !before) announce(`New alert, ${levelText(a.level)}: ${a.title}`);
  else if (a.state === 'resolved' && before) announce(`Resolved: ${a.title}`);
}

function onSummaryEvent(ev) {
  const at = formatTime(ev.data?.generated_at ?? ev.time);
  $('summary-at').textContent = `Daily summary at ${at}`;
  $('summary-at').hidden = false;
}

/// Server-Sent Events, parsed as the HTML standard says: lines end in CR,
/// LF or CRLF; a blank line dispatches; `data:` lines join with LF; a line
/// opening with a colon is a comment (keep-alive).
class SseParser {
  constructor(dispatch) {
    this.dispatch = dispatch;
    this.buffer = '';
    this.reset();
  }

  reset() {
    this.data = [];
    this.event = '';
  }

  push(chunk) {
    this.buffer += chunk;
    for (;;) {
      const i = this.buffer.search(/[\r\n]/);
      if (i < 0) return;
      // A CR at the end of a chunk may be the first half of a CRLF.
      if (this.buffer[i] === '\r' && i === this.buffer.length - 1) return;
      const skip = this.buffer.startsWith('\r\n', i) ? 2 : 1;
      const line = this.buffer.slice(0, i);
      this.buffer = this.buffer.slice(i + skip);
      this.line(line);
    }
  }

  line(line) {
    if (line === '') {
      if (this.data.length) this.dispatch({ event: this.event || 'message', data: this.data.join('\n') });
      this.reset();
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.data.push(value);
    else if (field === 'event') this.event = value;
    // `id:` is the Event's seq, which the data carries too; `retry:` is ours to choose.
  }
}

function stopStream() {
  state.stream?.abort();
  state.stream = null;
}

/// Reads the stream until it ends; throws why it stopped otherwise. The
/// server writes a comment every 15 s, so silence for SILENCE_MS means a
/// connection that died without a reset (a NAT, a sleeping laptop).
async function streamOnce(signal) {
  const attempt = new AbortController();
  const abort = () => attempt.abort();
  signal.addEventListener('abort', abort);
  let silent = false;
  let watchdog = 0;
  const heard = () => {
    clearTimeout(watchdog);
    watchdog = setTimeout(() => { silent = true; attempt.abort(); }, SILENCE_MS);
  };
  try {
    heard();
    await readStream(attempt.signal, heard);
  } catch (e) {
    if (e.name === 'AbortError' && silent && !signal.aborted)
      throw new ApiError(0, `nothing heard for ${SILENCE_MS / 1000} s`);
    throw e;
  } finally {
    clearTimeout(watchdog);
    signal.removeEventListener('abort', abort);
  }
}

async function readStream(signal, heard) {
  const headers = { Accept: 'text/event-stream', Authorization: `Bearer ${session.token()}` };
  let target = '/v1/stream';
  if (state.lastSeq !== null) {
    headers['Last-Event-ID'] = String(state.lastSeq);
    target += `?since_seq=${state.lastSeq}`;
  }
  let res;
  try {
    res = await fetch(target, { headers, signal, cache: 'no-store' });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, 'the server could not be reached');
  }
  if (!res.ok) throw await ApiError.from(res);
  state.retryMs = 0;
  setConn('live', 'Live');
  stopPolling();
  // Before the first event there is no seq to resume from, so whatever
  // happened while the stream was down is read afresh instead.
  if (state.lastSeq === null) loadAll();
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  const parser = new SseParser((msg) => {
    try {
      onEvent(JSON.parse(msg.data));
    } catch (e) {
      console.warn('opeld: an event could not be read', e, msg);
    }
  });
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    heard();
    parser.push(value);
  }
}

async function follow() {
  stopStream();
  const controller = new AbortController();
  state.stream = controller;
  while (state.stream === controller) {
    setConn(state.retryMs ? 'retrying' : 'connecting', 'Connecting…');
    let why = 'the stream ended';
    try {
      await streamOnce(controller.signal);
    } catch (e) {
      if (e.name === 'AbortError') return;
      if (e.status === 401 || e.status === 403) return refused(e);
      why = e.status ? `the server answered ${e.status}: ${e.message}` : e.message;
    }
    if (state.stream !== controller) return;
    startPolling();
    // Doubling with jitter, so that a wall of screens does not reconnect in step.
    state.retryMs = Math.min(MAX_RETRY_MS, state.retryMs ? state.retryMs * 2 : 1000);
    const wait = Math.round(state.retryMs * (0.75 + Math.random() * 0.5));
    await countdown(wait, why);
  }
}

/// Waits `ms`, showing the seconds left on the indicator.
function countdown(ms, why) {
  const until = Date.now() + ms;
  return new Promise((resolve) => {
    const tick = () => {
      const left = until - Date.now();
      if (left <= 0) return resolve();
      setConn('retrying', `Reconnecting in ${Math.ceil(left / 1000)} s`, `Live updates paused: ${why}.`);
      setTimeout(tick, Math.min(1000, left));
    };
    tick();
  });
}

// While the stream is down the picture is refreshed by polling.
function startPolling() {
  if (state.pollTimer) return;
  state.pollTimer = setInterval(loadAll, POLL_MS);
}

function stopPolling() {
  clearInterval(state.pollTimer);
  state.pollTimer = 0;
}

// ---- Start -----------------------------------------------------------------

function showSignIn(message) {
  $('board').hidden = true;
  $('sign-out').hidden = true;
  $('sign-in').hidden = false;
  setConn('offline', 'Signed out');
  notice(message);
  $('token-input').focus();
}

function start() {
  $('sign-in').hidden = true;
  $('board').hidden = false;
  $('sign-out').hidden = false;
  notice('');
  // Events are counted from the page's opening: say so until one comes.
  $('last-event').textContent = `none since ${formatTime(new Date().toISOString())}`;
  loadAll();
  follow();
}

function init() {
  takeTokenFromFragment();
  $('token-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const token = $('token-input').value.trim();
    if (!token) return;
    session.setToken(token);
    $('token-input').value = '';
    start();
  });
  const forget = () => {
    stopStream();
    stopPolling();
    state.status = null;
    state.alerts.clear();
    state.lastSeq = null;
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
