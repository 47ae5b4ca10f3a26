// One practice, opened from its tile: where it stands, its last 90 days as a
// strip coloured by level (GET /v1/practices/{code}/history), the themes and
// notes of those days, and its open alerts. A <dialog>, so focus stays in it
// and Escape closes it.

import {
  api, bySeverity, el, formatDate, formatWhen, levelBadge, levelText, localDay, themeLabel,
} from './common.js';
import { lastDays, timeline } from './charts.js';

const $ = (id) => document.getElementById(id);
const DAYS = 90;

/// Opens the panel for practice `p` (a /v1/status row); `alerts` the open ones.
export async function openPractice(p, alerts) {
  const dialog = $('practice-view');
  $('pv-title').textContent = `${p.name} (${p.code})`;
  $('pv-meta').textContent = `${p.pcn} · ${p.place}` +
    (p.level ? ` · now ${levelText(p.level)}${p.stale ? ' (stale)' : ''}, reported ${formatWhen(p.reported_at)}`
      : ' · never reported');
  const mine = alerts.filter((a) => a.scope === 'practice' && a.subject === p.code && a.state !== 'resolved')
    .sort(bySeverity);
  $('pv-alerts').replaceChildren(...mine.map((a) => el('li', {},
    levelBadge(a.level, { short: true }), ` ${a.title}`,
    el('span', { class: 'meta', text: ` · ${a.state === 'acknowledged' ? 'acknowledged' : 'firing'} since ${formatWhen(a.created_at)}` }))));
  $('pv-alerts-empty').hidden = mine.length > 0;
  $('pv-timeline').replaceChildren(el('p', { class: 'meta', text: 'Loading…' }));
  $('pv-days').replaceChildren();
  if (!dialog.open) dialog.showModal();
  try {
    const { body } = await api(`/v1/practices/${encodeURIComponent(p.code)}/history?days=${DAYS}`);
    renderHistory(body.days ?? []);
  } catch (e) {
    $('pv-timeline').replaceChildren(el('p', { class: 'inline-error', text: `History could not be loaded: ${e.message}` }));
  }
}

function renderHistory(days) {
  const byDate = new Map(days.map((d) => [d.date, d]));
  const dates = lastDays(localDay(new Date()), DAYS);
  const counts = [1, 2, 3, 4].map((l) => days.filter((d) => d.level === l).length);
  $('pv-timeline').replaceChildren(
    timeline(dates, byDate, { label: `Levels reported over the last ${DAYS} days` }),
    el('p', { class: 'meta' },
      `${days.length} ${days.length === 1 ? 'day' : 'days'} reported in the last ${DAYS}: ` +
      counts.map((n, i) => `${n} at ${i + 1}`).join(', ') + '. Grey: no report that day.'));
  const told = [...days].reverse().filter((d) => d.note || d.themes?.length);
  $('pv-days').replaceChildren(...told.map((d) => el('li', {},
    el('span', { class: 'pv-day' }, levelBadge(d.level, { short: true }), ` ${formatDate(d.date)}`),
    d.themes?.length ? el('span', { class: 'pv-themes', text: d.themes.map(themeLabel).join(', ') }) : null,
    d.note ? el('span', { class: 'pv-note', text: d.note }) : null)));
  $('pv-days-empty').hidden = told.length > 0;
}

/// Wires the close button once.
export function initPracticeView() {
  $('pv-close').addEventListener('click', () => $('practice-view').close());
}
