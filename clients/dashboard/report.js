// The practice page: signs a practice manager in (a token only: the practice
// is the token's, from /v1/me; the token is kept on the device until "forget
// this device"), sends a report to POST /v1/submissions and says what happens
// next, shows the practice's last 30 days and, once the team has seen its
// escalation, who and their note. Each report carries an
// Idempotency-Key that stays the same while its content does, so a double
// click or a retry after a lost answer stores it once.

import {
  LEVELS, THEMES, api, el, formatDate, formatTime, formatWhen, levelBadge, loadMe, localDay,
  session, themeLabel, uuid,
} from './common.js';
import { lastDays, timeline } from './charts.js';
import {
  actionName, historyLines, moveSupport, stateText, supportActions,
} from './support.js';

const $ = (id) => document.getElementById(id);

const MAX_THEMES = 10;
const DAYS = 30;

let practice = null; // {code, name, pcn, place} of the token, from /v1/me

let pending = null; // {signature, key} of the last report sent, until it is answered
let busy = false;

function notice(text) {
  $('notice').textContent = text ?? '';
  $('notice').hidden = !text;
}

function fieldError(id, text) {
  $(id).textContent = text ?? '';
  $(id).hidden = !text;
}

// ---- The form -------------------------------------------------------------------

let built = false;

/// Builds the form once; `themes` are the rules file's ({id, name}), else the defaults.
function buildForm(themes) {
  if (built) return;
  built = true;
  $('levels').replaceChildren(...[1, 2, 3, 4].map((l) => {
    const id = `level-${l}-choice`;
    return el('label', { class: 'level-choice', for: id },
      el('input', { type: 'radio', name: 'level', value: String(l), id }),
      el('span', { class: `swatch level-${l}`, 'aria-hidden': 'true', text: String(l) }),
      el('span', { class: 'level-text' },
        el('strong', { text: `OPEL ${l}: ${LEVELS[l].name}` }),
        el('span', { text: LEVELS[l].meaning }),
        el('span', { text: `Support: ${LEVELS[l].support}` })));
  }));
  const choices = themes?.length ? themes.map((t) => [t.id, themeLabel(t.id)]) : THEMES;
  $('themes').replaceChildren(...choices.map(([id, label]) =>
    el('label', { class: 'check' },
      el('input', { type: 'checkbox', name: 'themes', value: id }),
      el('span', { text: label }))));
  const counter = (field, count, max) => {
    const update = () => { $(count).textContent = `${$(field).value.length} of ${max} characters`; };
    $(field).addEventListener('input', update);
    update();
  };
  counter('note', 'note-count', 2000);
  counter('support', 'support-count', 500);
  $('themes').addEventListener('change', () => {
    const n = document.querySelectorAll('input[name="themes"]:checked').length;
    fieldError('themes-error', n > MAX_THEMES ? `Choose ${MAX_THEMES} themes at most (${n} ticked).` : '');
  });
}

function readForm() {
  const level = document.querySelector('input[name="level"]:checked');
  const themes = [...document.querySelectorAll('input[name="themes"]:checked')].map((i) => i.value);
  const body = { practice: practice?.code, level: level ? Number(level.value) : null, themes };
  const note = $('note').value.trim();
  const support = $('support').value.trim();
  if (note) body.note = note;
  if (support) body.support_requested = support;
  return body;
}

function validate(body) {
  fieldError('level-error', body.level ? '' : 'Choose a level.');
  fieldError('themes-error', body.themes.length > MAX_THEMES ? `Choose ${MAX_THEMES} themes at most.` : '');
  if (!body.level) {
    document.querySelector('input[name="level"]').focus();
    return false;
  }
  return body.themes.length <= MAX_THEMES;
}

function showResult(kind, title, ...lines) {
  const box = $('result');
  box.className = `result ${kind ? `result-${kind}` : ''}`;
  box.replaceChildren(el('h2', { text: title }), ...lines.map((t) => el('p', {}, t)));
  box.hidden = false;
  box.focus();
  box.scrollIntoView({ block: 'nearest' });
}

function answered(res, body) {
  const a = res.body;
  const replayed = res.headers.get('Idempotent-Replayed') === 'true';
  const when = formatWhen(a.received_at);
  const what = `OPEL ${a.level} ${LEVELS[a.level]?.name ?? ''}`.trim();
  const lead = replayed
    ? `This report had already been recorded at ${when}; it was not stored twice.`
    : `Your report of ${what} was recorded at ${when}.`;
  const alerts = (a.alerts ?? []).length;
  // `alerts` also names alerts a report updated: a level 1 or 2 closes the
  // practice's earlier escalation, and that is not an escalation.
  if (alerts > 0 && body.level >= 3) {
    showResult('escalated', 'Report sent: the primary care team has been alerted', lead,
      `They will be in touch about support: ${LEVELS[body.level].support}`);
  } else if (alerts > 0) {
    showResult('', 'Report sent: recorded, no escalation', lead,
      `It updated ${alerts === 1 ? 'an alert' : `${alerts} alerts`} the primary care team sees ` +
      '(an earlier escalation closing, for example).');
  } else {
    showResult('', 'Report sent: recorded, no escalation', lead,
      'No alert was raised. If you need help today, report level 3 or 4 or call the primary care team.');
  }
}

async function send(ev) {
  ev.preventDefault();
  if (busy) return; // a second click while the first is on its way
  fieldError('form-error', '');
  const body = readForm();
  if (!validate(body)) return;
  const signature = JSON.stringify(body);
  if (!pending || pending.signature !== signature) pending = { signature, key: uuid() };
  busy = true;
  $('submit').disabled = true;
  $('submit').textContent = 'Sending…';
  try {
    const res = await api('/v1/submissions', {
      method: 'POST', body, headers: { 'Idempotency-Key': pending.key },
    });
    answered(res, body);
    pending = null;
    $('report-form').reset();
    $('note').dispatchEvent(new Event('input'));
    $('support').dispatchEvent(new Event('input'));
    loadHistory();
    loadSeen();
  } catch (e) {
    failed(e);
  } finally {
    busy = false;
    $('submit').disabled = false;
    $('submit').textContent = 'Send report';
  }
}

function failed(e) {
  if (e.status === 401) {
    forget();
    return showSignIn(`Your token was not accepted: ${e.message}`);
  }
  // A refusal is final for this content: the next attempt gets a new key.
  // A lost answer (status 0) keeps the key, so the retry cannot store twice.
  if (e.status !== 0) pending = null;
  const target = { level: 'level-error', themes: 'themes-error' }[e.field];
  if (target) fieldError(target, e.message);
  showResult('error', 'Your report was not sent', e.message,
    e.status === 0 ? 'Nothing was lost: press Send report again when the connection is back.' : '');
}

// ---- The last 30 days ----------------------------------------------------------------

async function loadHistory() {
  try {
    const { body } = await api(`/v1/practices/${encodeURIComponent(practice.code)}/history?days=${DAYS}`);
    fieldError('history-error', '');
    const days = body.days ?? [];
    const byDate = new Map(days.map((d) => [d.date, d]));
    $('history-chart').replaceChildren(
      timeline(lastDays(localDay(new Date()), DAYS), byDate, { label: `Your levels over the last ${DAYS} days` }));
    $('history').querySelector('tbody').replaceChildren(...[...days].reverse().map((d) => el('tr', {},
      el('td', { text: `${formatDate(d.date)}, ${formatTime(d.reported_at)}` }),
      el('td', {}, levelBadge(d.level)),
      el('td', { 'data-label': 'Themes', text: (d.themes ?? []).map(themeLabel).join(', ') || '—' }),
      el('td', { class: 'note', 'data-label': 'Note', text: d.note || '—' }))));
    $('history').hidden = days.length === 0;
    $('history-empty').hidden = days.length > 0;
  } catch (e) {
    if (e.status === 401) {
      forget();
      return showSignIn(`Your token was not accepted: ${e.message}`);
    }
    fieldError('history-error', `Your reports could not be loaded: ${e.message}`);
  }
}

/// The practice's open escalation and, once the team has acknowledged it,
/// who and their note: "Seen by the primary care team at 09:14: we will call you".
function renderSeen(alerts) {
  const rows = (alerts ?? []).map((a) => {
    const seen = a.state === 'acknowledged';
    return el('li', { class: seen ? 'seen-yes' : 'seen-not-yet' },
      levelBadge(a.level, { short: true }), ` ${a.title}`,
      el('p', { class: 'seen-what' }, seen
        ? `Seen by ${a.acknowledged_by || 'the primary care team'} at ${formatWhen(a.updated_at)}` +
          `${a.note ? `: ${a.note}` : '.'}`
        : `Raised at ${formatWhen(a.created_at)}; not yet seen by the primary care team.`));
  });
  $('seen-list').replaceChildren(...rows);
  $('seen').hidden = rows.length === 0;
}

async function loadSeen() {
  try {
    renderSeen((await loadMe())?.alerts);
  } catch {
    // A refused token is handled by the history that loads beside it.
  }
}

// ---- Support offered ----------------------------------------------------------------

function supportItem(item) {
  const open = ['offered', 'agreed', 'in_place'].includes(item.state);
  const answer = (state, label) => el('button', {
    class: state === 'agreed' ? 'button' : 'button button-quiet',
    type: 'button',
    'data-state': state,
    onclick: async (ev) => {
      ev.target.disabled = true;
      try {
        await moveSupport(item.id, state);
        fieldError('support-error', '');
      } catch (e) {
        fieldError('support-error', `Your answer was not sent: ${e.message}`);
      }
      loadSupport();
    },
  }, label);
  return el('li', { class: `support-item ${open ? 'open' : 'closed'}`, 'data-id': item.id },
    el('strong', { text: `${actionName(item.action)}: ${stateText(item.state)}` }),
    el('ul', { class: 'support-history' }, ...historyLines(item).map((t) => el('li', { text: t }))),
    item.state === 'offered'
      ? el('p', { class: 'support-answer' }, answer('agreed', 'Agree'), ' ', answer('declined', 'Decline'))
      : null);
}

async function loadSupport() {
  try {
    await supportActions();
    const { body } = await api('/v1/support?state=all');
    // Open items first, each group newest first.
    const items = (body.support ?? []).slice().reverse();
    const isOpen = (i) => ['offered', 'agreed', 'in_place'].includes(i.state);
    items.sort((a, b) => Number(isOpen(b)) - Number(isOpen(a)));
    $('support-list').replaceChildren(...items.map(supportItem));
    $('support-empty').hidden = items.length > 0;
  } catch (e) {
    if (e.status !== 401 && e.status !== 403)
      fieldError('support-error', `Your support could not be loaded: ${e.message}`);
  }
}

// ---- Signing in -------------------------------------------------------------------

/// Forgets the token on this device (and in this tab).
function forget() {
  session.forgetDevice();
  session.clear();
  practice = null;
}

/// Takes `#token=TOKEN` into the device's storage and out of the address bar.
function takeTokenFromFragment() {
  const params = new URLSearchParams(location.hash.slice(1));
  const token = params.get('token');
  if (!token) return;
  session.setDeviceToken(token);
  params.delete('token');
  const rest = params.toString();
  history.replaceState(null, '', location.pathname + location.search + (rest ? `#${rest}` : ''));
}

function showSignIn(message) {
  $('reporting').hidden = true;
  $('sign-out').hidden = true;
  $('signed-in').hidden = true;
  $('sign-in').hidden = false;
  notice(message);
  $('token-input').focus();
}

/// Asks the daemon whose token this is; reports for that practice.
async function enter() {
  session.setToken(session.deviceToken());
  let me;
  try {
    me = await loadMe();
  } catch (e) {
    forget();
    return showSignIn(`Your token was not accepted: ${e.message}`);
  }
  if (!me) return showSignIn('The server could not be reached. Reload the page to try again.');
  if (!me.practice) {
    forget();
    return showSignIn('That token is not a practice\'s: this page is for practice managers. ' +
      'The primary care team and the control room use the dashboard at /.');
  }
  practice = me.practice;
  buildForm(me.themes);
  $('sign-in').hidden = true;
  $('reporting').hidden = false;
  $('sign-out').hidden = false;
  $('signed-in').textContent = `${practice.name} (${practice.code})`;
  $('signed-in').hidden = false;
  notice('');
  renderSeen(me.alerts);
  loadHistory();
  loadSupport();
}

function signIn(ev) {
  ev.preventDefault();
  const token = $('token-input').value.trim();
  if (!token) {
    fieldError('sign-in-error', 'Enter your access token.');
    return $('token-input').focus();
  }
  fieldError('sign-in-error', '');
  session.setDeviceToken(token);
  $('token-input').value = '';
  enter();
}

function init() {
  takeTokenFromFragment();
  $('sign-in-form').addEventListener('submit', signIn);
  $('report-form').addEventListener('submit', send);
  $('sign-out').addEventListener('click', () => {
    forget();
    $('result').hidden = true;
    showSignIn('This device has forgotten the token.');
  });
  window.addEventListener('hashchange', () => {
    if (!new URLSearchParams(location.hash.slice(1)).has('token')) return;
    takeTokenFromFragment();
    enter();
  });
  if (session.deviceToken()) enter();
  else showSignIn('');
}

init();
