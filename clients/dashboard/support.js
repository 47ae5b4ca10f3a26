// Support items on the pages: the action names from the rules file, how an
// item's history reads ("offered by the primary care team at 10:12: Locum
// cover"), and a move sent to PATCH /v1/support/{id}. Used by the practice
// page (/report) and the dashboard.

import { api, formatWhen } from './common.js';

let names = null; // id -> display name, from GET /v1/support-actions

/** The actions the team can offer, [{id, name}], fetched once. */
export async function supportActions() {
  if (!names) {
    const { body } = await api('/v1/support-actions');
    names = new Map((body.actions ?? []).map((a) => [a.id, a.name]));
  }
  return [...names].map(([id, name]) => ({ id, name }));
}

/** The display name of an action id (the id itself when unknown). */
export function actionName(id) {
  return names?.get(id) ?? String(id).replaceAll('_', ' ');
}

const STATE_TEXT = {
  offered: 'offered', agreed: 'agreed', declined: 'declined', in_place: 'in place', ended: 'ended',
};

/** "in place" for "in_place". */
export function stateText(state) {
  return STATE_TEXT[state] ?? state;
}

function whoText(step) {
  return step.role === 'practice' ? 'the practice' : 'the primary care team';
}

/** One line per change: "Offered by the primary care team at 10:12: Locum cover". */
export function historyLines(item) {
  return (item.history ?? []).map((step, i) => {
    const what = i === 0 ? actionName(item.action) : '';
    const note = step.note ? ` (${step.note})` : '';
    const text = `${stateText(step.state)} by ${whoText(step)} at ${formatWhen(step.at)}`;
    return `${text[0].toUpperCase()}${text.slice(1)}${what ? `: ${what}` : ''}${note}`;
  });
}

/** Moves item `id` to `state` with an optional note; resolves to the item. */
export async function moveSupport(id, state, note) {
  const body = { state };
  if (note) body.note = note;
  const { body: item } = await api(`/v1/support/${encodeURIComponent(id)}`, { method: 'PATCH', body });
  return item;
}
