// The team's support work on the dashboard: the open support items by state
// and age with a filter by place, an "Offer support" form for an alert's
// practice, and the escalation to the system, pre-filled from today's picture
// (the system level, the top themes, the practices at 4). Kept apart from
// dashboard.js, which calls in at four points: start, an alert's row, a
// support.* event and the status it holds.

import { LEVELS, api, el, formatWhen } from './common.js';
import { actionName, moveSupport, stateText, supportActions } from './support.js';

const $ = (id) => document.getElementById(id);

let items = []; // the open support items
let statusOf = () => null; // the dashboard's last /v1/status answer
let actions = []; // [{id, name}]

const NEXT = { offered: ['agreed', 'declined'], agreed: ['in_place', 'ended'], in_place: ['ended'] };
const ORDER = ['offered', 'agreed', 'in_place'];

function placeOf(code) {
  return statusOf()?.practices?.find((p) => p.code === code)?.place ?? '';
}

function nameOf(code) {
  return statusOf()?.practices?.find((p) => p.code === code)?.name ?? code;
}

function age(iso) {
  const days = Math.floor((Date.now() - Date.parse(iso)) / 86400000);
  return days < 1 ? 'today' : days === 1 ? '1 day' : `${days} days`;
}

function row(item) {
  const error = el('span', { class: 'inline-error', hidden: true });
  const buttons = (NEXT[item.state] ?? []).map((to) => el('button', {
    class: 'button button-quiet', type: 'button', 'data-state': to,
    onclick: async () => {
      try {
        await moveSupport(item.id, to);
        loadSupport();
      } catch (e) {
        error.textContent = e.message;
        error.hidden = false;
      }
    },
  }, stateText(to)));
  return el('tr', { 'data-id': item.id },
    el('td', { text: `${nameOf(item.practice)} (${item.practice})` }),
    el('td', { text: actionName(item.action) }),
    el('td', { text: stateText(item.state) }),
    el('td', { text: `${age(item.updated_at)} (since ${formatWhen(item.updated_at)})` }),
    el('td', { class: 'note', text: item.note ?? '' }),
    el('td', {}, ...buttons, error));
}

function renderSupport() {
  const place = $('support-place').value;
  const shown = items.filter((i) => !place || placeOf(i.practice) === place)
    .sort((a, b) => ORDER.indexOf(a.state) - ORDER.indexOf(b.state) ||
      String(a.updated_at).localeCompare(String(b.updated_at)));
  $('support-rows').replaceChildren(...shown.map(row));
  $('support-table').hidden = shown.length === 0;
  $('support-none').hidden = shown.length > 0;
  const places = [...new Set((statusOf()?.practices ?? []).map((p) => p.place))].sort();
  if ($('support-place').options.length !== places.length + 1)
    $('support-place').replaceChildren(el('option', { value: '', text: 'Every place' }),
      ...places.map((p) => el('option', { value: p, text: p })));
  $('support-place').value = place;
}

/** Loads the actions the offer forms list (once; errors show in loadSupport). */
export async function loadActions() {
  try {
    actions = await supportActions();
  } catch {
    // loadSupport says what failed.
  }
}

/** Loads the open support items and redraws the view. */
export async function loadSupport() {
  try {
    actions = await supportActions();
    items = (await api('/v1/support?state=open')).body.support ?? [];
    $('support-error').hidden = true;
    renderSupport();
  } catch (e) {
    $('support-error').textContent = `Support could not be loaded: ${e.message}`;
    $('support-error').hidden = false;
  }
}

/** An "Offer support" button for `practice`, for its alert's row: it opens
 * the one offer form of the Support section, so the rows stay compact. */
export function offerButton(practice) {
  return el('button', {
    class: 'button button-small button-quiet offer-open', type: 'button',
    'aria-label': `Offer support to ${practice}`,
    onclick: () => openOffer(practice),
  }, 'Offer support');
}

let offerPractice = '';

function openOffer(practice) {
  offerPractice = practice;
  $('offer-for').textContent = `Offer support to ${nameOf(practice)} (${practice})`;
  $('offer-action').replaceChildren(...actions.map((a) => el('option', { value: a.id, text: a.name })));
  $('offer-error').hidden = true;
  $('offer-form').hidden = false;
  $('offer-form').scrollIntoView({ block: 'nearest' });
  $('offer-action').focus();
}

async function offer(ev) {
  ev.preventDefault();
  const body = { action: $('offer-action').value };
  const note = $('offer-note').value.trim();
  if (note) body.note = note;
  try {
    await api(`/v1/practices/${encodeURIComponent(offerPractice)}/support`, { method: 'POST', body });
    $('offer-note').value = '';
    $('offer-form').hidden = true;
    loadSupport();
  } catch (e) {
    $('offer-error').textContent = `Not offered: ${e.message}`;
    $('offer-error').hidden = false;
  }
}

/** Fills the escalation form from today's picture. */
function prefill() {
  const s = statusOf();
  if (!s) return;
  const level = s.system?.level ?? 1;
  const themes = new Map();
  for (const p of s.practices ?? [])
    if (!p.stale) for (const t of p.themes ?? []) themes.set(t, (themes.get(t) ?? 0) + 1);
  const top = [...themes].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([t]) => t);
  const at4 = (s.practices ?? []).filter((p) => p.level === 4 && !p.stale).map((p) => p.code);
  $('esc-level').value = String(level);
  $('esc-themes').value = top.join(', ');
  $('esc-practices').value = at4.join(', ');
  $('esc-title').value = `General practice at OPEL ${level}: ${LEVELS[level]?.name ?? ''}`;
  if (!$('esc-message').value)
    $('esc-message').value = `${at4.length} practice(s) at OPEL 4. Main themes: ${top.join(', ') || 'none'}.`;
}

const list = (text) => text.split(',').map((s) => s.trim()).filter(Boolean);

async function escalate(ev) {
  ev.preventDefault();
  const body = {
    title: $('esc-title').value.trim(),
    message: $('esc-message').value.trim(),
    level: Number($('esc-level').value),
    themes: list($('esc-themes').value),
    practices: list($('esc-practices').value),
  };
  try {
    const { body: e } = await api('/v1/escalations', { method: 'POST', body });
    $('esc-result').textContent = `Escalated to the system at ${formatWhen(e.created_at)}.`;
    $('esc-result').className = 'meta';
  } catch (e) {
    $('esc-result').textContent = `Not escalated: ${e.message}`;
    $('esc-result').className = 'inline-error';
  }
  $('esc-result').hidden = false;
}

/** Wires the view; `status` returns the dashboard's last /v1/status answer. */
export function initSupport(status) {
  statusOf = status;
  $('support-place').addEventListener('change', renderSupport);
  $('esc-prefill').addEventListener('click', prefill);
  $('esc-form').addEventListener('submit', escalate);
  $('offer-form').addEventListener('submit', offer);
  $('offer-cancel').addEventListener('click', () => { $('offer-form').hidden = true; });
}
