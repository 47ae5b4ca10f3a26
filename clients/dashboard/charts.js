// Charts drawn as SVG by the page itself (no library, nothing fetched): a
// practice's days as a strip coloured by level, and the system's days as
// stacked bars of practices by level under its level. Every mark has a
// <title>, and each chart a text summary beside it, so colour is never the
// only way to read one.

import { LEVELS, formatDate } from './common.js';

const SVG = 'http://www.w3.org/2000/svg';
const COLOUR = { 1: '#2e7d32', 2: '#f9d71c', 3: '#f28c00', 4: '#c62828' };
const NONE = '#d8dde0';

function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  for (const c of children) node.append(c);
  return node;
}

const title = (text) => {
  const t = document.createElementNS(SVG, 'title');
  t.textContent = text;
  return t;
};

/// The YYYY-MM-DD dates of the `n` days up to `last`, oldest first.
export function lastDays(last, n) {
  const end = new Date(`${last}T12:00:00Z`);
  return Array.from({ length: n }, (_, i) => {
    const d = new Date(end.getTime() - (n - 1 - i) * 86400000);
    return d.toISOString().slice(0, 10);
  });
}

/// A strip of `dates` (oldest first), each day coloured by the level
/// `byDate` gives it (grey: no report that day), with its number on it.
export function timeline(dates, byDate, { label = 'Levels by day' } = {}) {
  const w = 12;
  const h = 34;
  const root = svg('svg', {
    class: 'chart timeline', viewBox: `0 0 ${dates.length * w} ${h + 14}`,
    role: 'img', 'aria-label': label,
  });
  dates.forEach((d, i) => {
    const day = byDate.get(d);
    const level = day?.level;
    const text = day
      ? `${formatDate(d)}: OPEL ${level} ${LEVELS[level]?.name ?? ''}${day.themes?.length ? '' : ''}`
      : `${formatDate(d)}: no report`;
    root.append(svg('rect', {
      x: i * w + 0.5, y: level ? 0 : h / 2 - 2, width: w - 1, height: level ? h : 4,
      fill: level ? COLOUR[level] : NONE, 'data-date': d, 'data-level': level ?? '',
    }, title(text)));
    // The first of each month is marked under the strip.
    if (d.endsWith('-01') || i === 0) {
      root.append(svg('text', { x: i * w + 1, y: h + 12, class: 'chart-axis' },
        document.createTextNode(formatDate(d).split(' ').slice(1, 3).join(' '))));
    }
  });
  return root;
}

/// The system's days (`/v1/status/history`): for each, a bar of the
/// practices reporting split by level, and the system level on top.
export function trend(days) {
  const w = 24;
  const top = 16;
  const h = 120;
  const max = Math.max(1, ...days.map((d) => d.system?.reporting ?? 0));
  const root = svg('svg', {
    class: 'chart trend', viewBox: `0 0 ${days.length * w} ${top + h + 16}`,
    role: 'img', 'aria-label': 'System level and practices by level, day by day',
  });
  days.forEach((d, i) => {
    const s = d.system ?? {};
    let y = top + h;
    const g = svg('g', { 'data-date': d.date });
    for (const l of [1, 2, 3, 4]) {
      const n = s.counts?.[l] ?? 0;
      if (!n) continue;
      const bh = (n / max) * h;
      y -= bh;
      g.append(svg('rect', { x: i * w + 2, y, width: w - 4, height: bh, fill: COLOUR[l] },
        title(`${formatDate(d.date)}: ${n} at OPEL ${l}`)));
    }
    const lvl = LEVELS[s.level] ? s.level : null;
    g.append(svg('rect', { x: i * w + 2, y: 0, width: w - 4, height: top - 3, rx: 2,
      fill: lvl ? COLOUR[lvl] : NONE },
    title(`${formatDate(d.date)}: system ${lvl ? `OPEL ${lvl} ${LEVELS[lvl].name}` : 'too few reporting'}, ` +
      `${s.reporting ?? 0} of ${s.practices ?? 0} reporting`)));
    g.append(svg('text', { x: i * w + w / 2, y: top - 5, class: 'chart-level', 'text-anchor': 'middle',
      fill: lvl === 2 || lvl === 3 ? '#1d1d1b' : '#fff' }, document.createTextNode(lvl ? String(lvl) : '–')));
    if (i % 7 === (days.length - 1) % 7) {
      g.append(svg('text', { x: i * w + w / 2, y: top + h + 13, class: 'chart-axis', 'text-anchor': 'middle' },
        document.createTextNode(d.date.slice(8, 10) + '/' + d.date.slice(5, 7))));
    }
    root.append(g);
  });
  return root;
}
