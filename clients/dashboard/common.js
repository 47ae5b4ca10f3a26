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

/// The default theme ids of rules/llr.yaml with the words a person reads.
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

/// A theme's label; a deployment's own theme ids are shown as they are.
export function themeLabel(id) {
  return themeLabels.get(id) ?? id.replaceAll('_', ' ');
}

/// "OPEL 3 Severe pressure", or the words for no level.
export function levelText(level) {
  return LEVELS[level] ? `OPEL ${level} ${LEVELS[level].name}` : 'No level';
}

// sessionStorage: the token lives as long as the tab, as the contract asks,
// and is shared by the two pages of one origin.
const TOKEN_KEY = 'opeld.token';
const PRACTICE_KEY = 'opeld.practice';

export const session = {
  token: () => sessionStorage.getItem(TOKEN_KEY) ?? '',
  setToken: (t) => sessionStorage.setItem(TOKEN_KEY, t),
  practice: () => sessionStorage.getItem(PRACTICE_KEY) ?? '',
  setPractice: (p) => sessionStorage.setItem(PRACTICE_KEY, p),
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

const timeFmt = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit' });
const dayTimeFmt = new Intl.DateTimeFormat('en-GB', {
  weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit',
});

/// "14:05" for an RFC 3339 time (the browser's own zone).
export function formatTime(iso) {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : timeFmt.format(d);
}

/// "Wed 25 Nov, 14:05"; just the time when it is today.
export function formatWhen(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return d.toDateString() === new Date().toDateString() ? timeFmt.format(d) : dayTimeFmt.format(d);
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
