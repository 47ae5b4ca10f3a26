// The practice page: signs a practice manager in (ODS code and token, kept
// for the tab), sends a report to POST /v1/submissions and says what happens
// next, and lists the practice's recent reports. Each report carries an
// Idempotency-Key that stays the same while its content does, so a double
// click or a retry after a lost answer stores it once.

import {
  LEVELS, THEMES, api, el, formatWhen, levelBadge, session, takeTokenFromFragment,
  themeLabel, uuid,
} from './common.js';

const $ = (id) => document.getElementById(id);

const MAX_THEMES = 10;
const CODE = /^[A-Z][0-9]{5}$/;

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

function buildForm() {
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
  $('themes').replaceChildren(...THEMES.map(([id, label]) =>
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
  const body = { practice: session.practice(), level: level ? Number(level.value) : null, themes };
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
    session.clear();
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

// ---- Recent reports ----------------------------------------------------------------

async function loadHistory() {
  const code = encodeURIComponent(session.practice());
  try {
    const { body } = await api(`/v1/submissions?practice=${code}&limit=10`);
    fieldError('history-error', '');
    const rows = body.submissions ?? [];
    $('history').querySelector('tbody').replaceChildren(...rows.map((s) => el('tr', {},
      el('td', { text: formatWhen(s.reported_at ?? s.received_at) }),
      el('td', {}, levelBadge(s.level)),
      el('td', { 'data-label': 'Themes', text: (s.themes ?? []).map(themeLabel).join(', ') || '—' }),
      el('td', { class: 'note', 'data-label': 'Note' }, s.note || '—',
        s.support_requested ? el('div', { class: 'meta', text: `Support: ${s.support_requested}` }) : null))));
    $('history').hidden = rows.length === 0;
    $('history-empty').hidden = rows.length > 0;
    return true;
  } catch (e) {
    if (e.status === 401 || e.status === 403) {
      // A wrong code keeps the token; a refused token goes.
      if (e.status === 401) session.clear();
      else session.setPractice('');
      showSignIn(e.status === 401 ? `Your token was not accepted: ${e.message}`
        : `This token is not for practice ${decodeURIComponent(code)}: ${e.message}`);
      return false;
    }
    fieldError('history-error', `Your recent reports could not be loaded: ${e.message}`);
    return true;
  }
}

// ---- Signing in -------------------------------------------------------------------

function showSignIn(message) {
  $('reporting').hidden = true;
  $('sign-out').hidden = true;
  $('signed-in').hidden = true;
  $('sign-in').hidden = false;
  notice(message);
  $('practice-input').value = session.practice();
  $(session.practice() ? 'token-input' : 'practice-input').focus();
}

function showReporting() {
  $('sign-in').hidden = true;
  $('reporting').hidden = false;
  $('sign-out').hidden = false;
  $('signed-in').textContent = `Practice ${session.practice()}`;
  $('signed-in').hidden = false;
  notice('');
  loadHistory();
}

function signIn(ev) {
  ev.preventDefault();
  const code = $('practice-input').value.trim().toUpperCase();
  const token = $('token-input').value.trim();
  if (!CODE.test(code)) {
    fieldError('sign-in-error', 'Enter the practice ODS code: a letter and five digits, for example C82001.');
    return $('practice-input').focus();
  }
  if (!token) {
    fieldError('sign-in-error', 'Enter your access token.');
    return $('token-input').focus();
  }
  fieldError('sign-in-error', '');
  session.setPractice(code);
  session.setToken(token);
  $('token-input').value = '';
  showReporting();
}

function init() {
  takeTokenFromFragment();
  buildForm();
  $('sign-in-form').addEventListener('submit', signIn);
  $('report-form').addEventListener('submit', send);
  $('sign-out').addEventListener('click', () => {
    session.clear();
    $('result').hidden = true;
    showSignIn('');
  });
  if (session.token() && CODE.test(session.practice())) showReporting();
  else showSignIn('');
}

init();
