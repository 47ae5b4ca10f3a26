// What the dashboard and the practice page share: the OPEL levels and themes
// as people read them (DOMAIN.md), the token kept for the browser session,
// calls to the API with the contract's error body, and a DOM builder that
// only ever sets text, so nothing the server or a practice wrote can become
// markup.

export const LEVELS = {
  1: {
    name: 'Low pressure',
    colour: 'green',
    meaning: 'Business as usual.',
    support: 'None.',
  },
  2: {
    name: 'Moderate pressure',
    colour: 'yellow',
    meaning: 'Busier than usual but coping: managing within resources; some deterioration, mitigated by the practice.',
    support: 'None.',
  },
  3: {
    name: 'Severe pressure',
    colour: 'amber',
    meaning: 'Struggling to cope: significant deterioration in performance and quality; most practice-level mitigations used.',
    support: 'PCN-level support and/or federation or ICB support.',
  },
  4: {
    name: 'Extreme pressure',
    colour: 'red',
    meaning: 'Unable to cope, only urgent demand met: risk of service failure; mitigations potentially exhausted.',
    support: 'Whole-system support, co-ordinated by the ICB.',
  },
};

/// The default theme ids of rules/llr.yaml with the words a person reads,
/// until the server's own names (the rules file's `themes`, from /v1/me) are
/// known; a deployment's own theme ids are shown as they are.
export const THEMES = [
  ['workforce', 'Workforce (sickness, vacancies)'],
  ['recruitment_retention', 'Recruitment and retention'],
  ['high_demand', 'High demand'],
  ['it_systems', 'IT systems'],
  ['telephony', 'Telephony (the 8am rush)'],
  ['ari', 'Acute respiratory infection (ARI)'],
  ['strep_a', 'Strep A'],
  ['nhs111', 'NHS 111 barriers'],
  ['covid', 'Covid-19'],
  ['infection_control', 'Infection control'],
  ['estates', 'Estates and premises'],
  ['backlog', 'Backlog'],
  ['winter_pressures', 'Winter pressures'],
  ['cqc', 'CQC inspection'],
  ['other', 'Other'],
];

const themeLabels = new Map(THEMES);

/// A theme's name.
export function themeLabel(id) {
  return themeLabels.get(id) ?? id.replaceAll('_', ' ');
}

/// "OPEL 3 Severe pressure", or the words for no level.
export function levelText(level) {
  return LEVELS[level] ? `OPEL ${level} ${LEVELS[level].name}` : 'No level';
}

/// A place or PCN (`{level, reporting, practices, ...}` of /v1/status): its
/// level, or null when too few of its practices report for one (the group
/// rule's min_reporting), which is shown in grey and words, never a colour.
export function groupLevel(g) {
  return LEVELS[g?.level] ? g.level : null;
}

/// "Too few reporting (2 of 5)" for a group with no level.
export function tooFewText(g) {
  return `Too few reporting (${g?.reporting ?? 0} of ${g?.practices ?? 0})`;
}

/// A place id as a person reads it ("county" -> "County").
export const placeLabel = (id) => id.charAt(0).toUpperCase() + id.slice(1);

/// Whether an alert is spoken for by another (the contract's inhibited_by).
export const isInhibited = (a) => a.inhibited_by !== null && a.inhibited_by !== undefined;

/// Alerts most severe first: level, then firing before acknowledged, then newest.
export function bySeverity(a, b) {
  const firing = (x) => (x.state === 'firing' ? 0 : 1);
  return b.level - a.level || firing(a) - firing(b) ||
    String(b.updated_at).localeCompare(String(a.updated_at));
}

// sessionStorage: the token lives as long as the tab, as the contract asks,
// and is shared by the two pages of one origin.
const TOKEN_KEY = 'opeld.token';
const PRACTICE_KEY = 'opeld.practice';
const DEVICE_KEY = 'opeld.report.token';

export const session = {
  token: () => sessionStorage.getItem(TOKEN_KEY) ?? '',
  setToken: (t) => sessionStorage.setItem(TOKEN_KEY, t),
  practice: () => sessionStorage.getItem(PRACTICE_KEY) ?? '',
  setPractice: (p) => sessionStorage.setItem(PRACTICE_KEY, p),
  /// The practice page's token, kept on the device until "forget this device".
  deviceToken: () => localStorage.getItem(DEVICE_KEY) ?? '',
  setDeviceToken: (t) => localStorage.setItem(DEVICE_KEY, t),
  forgetDevice: () => localStorage.removeItem(DEVICE_KEY),
  clear() {
    sessionStorage.removeItem(TOKEN_KEY);
    sessionStorage.removeItem(PRACTICE_KEY);
  },
};

/// Takes `#token=TOKEN` (for control-room screens) into the session and out
/// of the address bar, so it is neither bookmarked nor shown on the wall.
export function takeTokenFromFragment() {
  const params = new URLSearchParams(location.hash.slice(1));
  const token = params.get('token');
  if (!token) return;
  session.setToken(token);
  params.delete('token');
  const rest = params.toString();
  history.replaceState(null, '', location.pathname + location.search + (rest ? `#${rest}` : ''));
}

/// A refused call, carrying the contract's error body.
export class ApiError extends Error {
  constructor(status, message, code = '', field = '') {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field;
  }

  static async from(res) {
    let message = `The server answered ${res.status} ${res.statusText}.`;
    let code = '';
    let field = '';
    try {
      const body = await res.json();
      if (body?.error?.message) message = body.error.message;
      code = body?.error?.code ?? '';
      field = body?.error?.field ?? '';
    } catch {
      // Not the contract's JSON (a proxy's page, say): keep the status line.
    }
    return new ApiError(res.status, message, code, field);
  }
}

/// Calls the API with the session's token; resolves to {status, headers,
/// body}, or rejects with an ApiError (also for a network failure, status 0).
export async function api(path, { method = 'GET', body, headers = {}, signal } = {}) {
  const h = { Accept: 'application/json', ...headers };
  const token = session.token();
  if (token) h.Authorization = `Bearer ${token}`;
  if (body !== undefined) h['Content-Type'] = 'application/json';
  let res;
  try {
    res = await fetch(path, {
      method,
      headers: h,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
      cache: 'no-store',
    });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, 'The server could not be reached. Check the connection and try again.');
  }
  if (!res.ok) throw await ApiError.from(res);
  return { status: res.status, headers: res.headers, body: await res.json() };
}

/// Builds an element: attributes (`class`, `text`, `on*` handlers, booleans,
/// the rest as attributes) and children (nodes or strings, as text).
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'text') node.textContent = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(node.dataset, v);
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

/// A level badge: the number and the name, coloured, never colour alone.
export function levelBadge(level, { short = false } = {}) {
  const known = LEVELS[level];
  return el(
    'span',
    { class: `badge ${known ? `level-${level}` : 'level-none'}` },
    known ? `OPEL ${level}` : 'No level',
    known && !short ? el('span', { class: 'badge-name', text: known.name }) : null,
  );
}

// Every time a person reads is in the daemon's `timezone` (from /v1/me), with
// its zone name, so a screen in another zone, or a browser set wrong, reads
// the same clock as the summary and opelctl. Until it is known: the browser's.
let zone;
let fmt = {};

/// Sets the zone times are shown in (an IANA name); an unknown one is ignored.
export function setTimeZone(tz) {
  try {
    const opts = (o) => new Intl.DateTimeFormat('en-GB', { timeZone: tz, ...o });
    fmt = {
      time: opts({ hour: '2-digit', minute: '2-digit', timeZoneName: 'short' }),
      full: opts({ weekday: 'short', day: 'numeric', month: 'short', year: 'numeric',
        hour: '2-digit', minute: '2-digit', timeZoneName: 'short' }),
      day: opts({ year: 'numeric', month: '2-digit', day: '2-digit' }),
      date: opts({ weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' }),
    };
    zone = tz;
  } catch {
    // An unknown zone: keep what there was.
  }
}
setTimeZone(undefined);

/// The zone times are shown in.
export const timeZone = () => zone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;

const asDate = (iso) => {
  const d = iso instanceof Date ? iso : new Date(iso);
  return Number.isNaN(d.getTime()) ? null : d;
};

/// "14:05 GMT" for an RFC 3339 time.
export function formatTime(iso) {
  const d = asDate(iso);
  return d ? fmt.time.format(d) : '';
}

/// "Wed 25 Nov 2026, 14:05 GMT"; just the time when it is today.
export function formatWhen(iso) {
  const d = asDate(iso);
  if (!d) return '';
  return localDay(d) === localDay(new Date()) ? fmt.time.format(d) : fmt.full.format(d);
}

/// "2026-11-25": the local date of a time, in the daemon's zone.
export function localDay(iso) {
  const d = asDate(iso);
  if (!d) return '';
  const parts = Object.fromEntries(fmt.day.formatToParts(d).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day}`;
}

/// "Wed 25 Nov 2026" for a YYYY-MM-DD date.
export function formatDate(ymd) {
  const d = new Date(`${ymd}T12:00:00Z`);
  return Number.isNaN(d.getTime()) ? ymd : new Intl.DateTimeFormat('en-GB', {
    timeZone: 'UTC', weekday: 'short', day: 'numeric', month: 'short', year: 'numeric',
  }).format(d);
}

/// Reads /v1/me (who the token is, the daemon's zone and theme names) and
/// applies the zone and names; resolves to the answer, or null when the
/// daemon is older than /v1/me. Rejects with an ApiError for 401.
export async function loadMe() {
  try {
    const { body } = await api('/v1/me');
    if (body.timezone) setTimeZone(body.timezone);
    for (const t of body.themes ?? []) if (t?.id && t?.name) themeLabels.set(t.id, t.name);
    return body;
  } catch (e) {
    if (e.status === 401) throw e;
    return null;
  }
}

/// A random UUID. crypto.randomUUID() exists only in secure contexts, and a
/// daemon on a LAN address is served over plain http, hence the fallback.
export function uuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
