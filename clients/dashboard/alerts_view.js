// The dashboard's open alerts: compact rows, one or two lines each, with
// filters (level, audience, place, rule, state) and bulk acknowledgement. An
// alert another speaks for (its `inhibited_by`) is folded under that alert
// rather than listed beside it: one thing happening is told once.

import {
  api, bySeverity, el, formatWhen, isInhibited, levelBadge, placeLabel,
} from './common.js';

const SCOPES = { practice: 'Practice', pcn: 'PCN', place: 'Place', system: 'System' };
const $ = (id) => document.getElementById(id);

/// The alerts section. `alerts` is the page's Map of open alerts by id;
/// `placesOf(alert)` the place ids an alert concerns; `announce(text)` speaks;
/// `extra(alert)`, if given, a node appended to its row (or null).
export class AlertsView {
  constructor({ alerts, placesOf, announce, extra }) {
    Object.assign(this, { alerts, placesOf, announce, extra });
    this.unfolded = new Set(); // ids whose covered alerts are shown
    this.selected = new Set();
    for (const id of ['af-level', 'af-audience', 'af-place', 'af-rule', 'af-state'])
      $(id).addEventListener('change', () => this.render());
    $('alert-filters').addEventListener('submit', (ev) => ev.preventDefault());
    $('ack-all-shown').addEventListener('click', () => this.selectShown());
    $('bulk-ack').addEventListener('submit', (ev) => {
      ev.preventDefault();
      this.acknowledgeSelected();
    });
  }

  open() {
    return [...this.alerts.values()].filter((a) => a.state !== 'resolved');
  }

  /// Keeps each filter's choices to what the open alerts have.
  refreshChoices(open) {
    const fill = (id, values, label) => {
      const select = $(id);
      const keep = select.value;
      const options = [el('option', { value: '' }, 'All')];
      for (const v of [...values].sort()) options.push(el('option', { value: v }, label(v)));
      select.replaceChildren(...options);
      select.value = [...values].includes(keep) ? keep : '';
    };
    fill('af-audience', new Set(open.flatMap((a) => a.audiences ?? [])),
      (v) => v.replaceAll('_', ' '));
    fill('af-place', new Set(open.flatMap((a) => this.placesOf(a))), placeLabel);
    fill('af-rule', new Set(open.map((a) => a.rule)), (v) => v);
  }

  matches(a) {
    const level = $('af-level').value;
    const audience = $('af-audience').value;
    const place = $('af-place').value;
    const rule = $('af-rule').value;
    const st = $('af-state').value;
    if (level && a.level < Number(level)) return false;
    if (audience && !(a.audiences ?? []).includes(audience)) return false;
    if (place && !this.placesOf(a).includes(place)) return false;
    if (rule && a.rule !== rule) return false;
    if (st && a.state !== st) return false;
    return true;
  }

  render() {
    const open = this.open();
    this.refreshChoices(open);
    const shown = open.filter((a) => this.matches(a));
    const ids = new Set(shown.map((a) => a.id));
    // Folded: an inhibited alert whose speaker is shown goes under it.
    const under = new Map();
    const top = [];
    for (const a of shown) {
      if (isInhibited(a) && ids.has(a.inhibited_by)) {
        if (!under.has(a.inhibited_by)) under.set(a.inhibited_by, []);
        under.get(a.inhibited_by).push(a);
      } else top.push(a);
    }
    top.sort(bySeverity);
    for (const id of [...this.selected]) if (!ids.has(id)) this.selected.delete(id);
    const hadFocus = $('alerts').contains(document.activeElement);
    $('alerts').replaceChildren(...top.map((a) => this.row(a, under.get(a.id) ?? [])));
    if (hadFocus) $('alerts-title').focus();
    $('alerts-count').textContent = String(open.filter((a) => !isInhibited(a)).length);
    $('alerts-shown').textContent = shown.length === open.length ? ''
      : `${shown.length} of ${open.length} shown`;
    $('alerts-empty').hidden = top.length > 0;
    $('alerts-empty').textContent = open.length ? 'No open alert matches the filters.' : 'No open alerts.';
    this.renderBulk();
  }

  // A folded row (one covered by the alert it sits under) has no checkbox:
  // selecting and acknowledging go to the alert that speaks for it.
  row(a, folded, covered = false) {
    const firing = a.state === 'firing';
    const box = covered ? null : el('input', {
      type: 'checkbox', class: 'alert-select', disabled: !firing,
      'aria-label': `Select: ${a.title}`, checked: this.selected.has(a.id),
    });
    box?.addEventListener('change', () => {
      if (box.checked) this.selected.add(a.id);
      else this.selected.delete(a.id);
      this.renderBulk();
    });
    const seen = a.state === 'acknowledged'
      ? `Seen by ${a.acknowledged_by || 'someone'}, ${formatWhen(a.updated_at)}${a.note ? `: “${a.note}”` : ''}`
      : '';
    const row = el('li', {
      class: `alert-row alert-level-${a.level}${isInhibited(a) ? ' inhibited' : ''}${covered ? ' covered' : ''}`,
      dataset: { id: a.id, rule: a.rule, level: a.level },
    },
    covered ? null : box,
    levelBadge(a.level, { short: true }),
    el('div', { class: 'alert-main' },
      el('p', { class: 'alert-title', text: a.title, title: a.message }),
      el('p', { class: 'alert-meta' },
        el('span', { class: `state state-${a.state}`, text: firing ? 'Firing' : 'Acknowledged' }),
        ` ${SCOPES[a.scope] ?? a.scope}: ${a.subject} · ${a.rule} · since ${formatWhen(a.created_at)}`,
        isInhibited(a) ? ` · covered by alert ${a.inhibited_by}` : '',
        seen ? el('span', { class: 'alert-seen', text: ` · ${seen}` }) : null)));
    if (firing && !covered) {
      row.append(el('button', {
        class: 'button button-small', type: 'button', 'aria-label': `Acknowledge: ${a.title}`,
        onclick: () => this.acknowledge([a.id]),
      }, 'Acknowledge'));
    }
    const more = covered ? null : this.extra?.(a);
    if (more) row.append(more);
    if (folded.length) {
      // The covered alerts open below the row; closed, the row stays one line.
      const list = el('ol', { class: 'alert-folded', id: `covered-${a.id}`, hidden: !this.unfolded.has(a.id) },
        folded.sort(bySeverity).map((f) => this.row(f, [], true)));
      const toggle = el('button', {
        class: 'fold-toggle', type: 'button', 'aria-controls': list.id,
        'aria-expanded': String(!list.hidden),
        title: `${folded.length} more covered by this alert`,
      }, `+${folded.length} covered`);
      toggle.addEventListener('click', () => {
        list.hidden = !list.hidden;
        toggle.setAttribute('aria-expanded', String(!list.hidden));
        if (list.hidden) this.unfolded.delete(a.id); else this.unfolded.add(a.id);
      });
      row.querySelector('.alert-meta').prepend(toggle, ' ');
      row.append(list);
    }
    return row;
  }

  selectShown() {
    for (const node of $('alerts').querySelectorAll('.alert-row')) {
      const a = this.alerts.get(Number(node.dataset.id));
      if (a?.state === 'firing') this.selected.add(a.id);
    }
    this.render();
  }

  renderBulk() {
    const n = this.selected.size;
    $('bulk-count').textContent = n ? `${n} selected` : 'None selected';
    $('bulk-submit').disabled = n === 0;
  }

  async acknowledgeSelected() {
    await this.acknowledge([...this.selected], $('bulk-note').value.trim());
    $('bulk-note').value = '';
  }

  /// Acknowledges each of `ids` in turn; says how many were and why any were not.
  async acknowledge(ids, note = '') {
    $('bulk-submit').disabled = true;
    $('alerts-error').hidden = true;
    const failed = [];
    let done = 0;
    for (const id of ids) {
      try {
        const { body } = await api(`/v1/alerts/${encodeURIComponent(id)}/ack`, {
          method: 'POST', body: note ? { note } : {},
        });
        this.alerts.set(body.id, body);
        this.selected.delete(id);
        done += 1;
      } catch (e) {
        failed.push(`alert ${id}: ${e.message}`);
      }
    }
    this.render();
    if (done) this.announce(`Acknowledged ${done} ${done === 1 ? 'alert' : 'alerts'}.`);
    if (failed.length) {
      $('alerts-error').textContent = `Not acknowledged: ${failed.join('; ')}`;
      $('alerts-error').hidden = false;
    }
  }
}
