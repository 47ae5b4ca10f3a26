// Pictures for docs/channels.md and docs/summary.md of what people receive:
// a digest mail's HTML part, the same digest as a Teams Adaptive Card, and
// the monthly report's page. Not a test: it starts the built daemon on a
// temporary config with an email and a Teams subscriber, a local mail sink
// and a local Teams receiver, makes a plausible morning (made-up practices,
// reports with notes, an acknowledgement, an escalation to the system), and
// renders what arrived in Debian's headless Chromium. The card is drawn by
// Microsoft's own Adaptive Cards renderer (the adaptivecards package).
//
//   cd tests/browser && npm ci && OPELD=../../build/opeld node pictures.mjs
//
//   OPELD=/path/to/opeld  (default: <repo>/build/opeld)
//   CHROMIUM=/usr/bin/chromium
//   PICTURES=<repo>/docs/screenshots

import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createServer as createHttp } from 'node:http';
import { createServer as createTcp } from 'node:net';
import { createWriteStream, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../..');
const OPELD = process.env.OPELD || join(repo, 'build/opeld');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const OUT = process.env.PICTURES || join(repo, 'docs/screenshots');
const ADMIN = 'pictures-admin';
const TEAM = 'pictures-team';

const sha256 = (s) => createHash('sha256').update(s).digest('hex');

/// Resolves with the first value `test` gives that is not null, checking
/// each time `changed` is called; rejects after `ms`.
function waiter(ms, what) {
  let check = () => {};
  const promise = new Promise((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`no ${what} within ${ms / 1000} s`)), ms);
    check = (value) => { if (value != null) { clearTimeout(timer); res(value); } };
  });
  return { promise, check: (v) => check(v) };
}

// ---- A mail sink and a Teams receiver ----------------------------------------------

/// A plain SMTP sink for one local relay (no TLS, no AUTH): it answers every
/// command with success and keeps each message's text.
function mailSink(onMail) {
  const server = createTcp((socket) => {
    let buffer = '';
    let data = false;
    socket.write('220 sink ESMTP\r\n');
    socket.on('data', (chunk) => {
      buffer += chunk.toString('latin1');
      for (;;) {
        if (data) {
          const end = buffer.indexOf('\r\n.\r\n');
          if (end < 0) return;
          onMail(buffer.slice(0, end).replace(/\r\n\.\./g, '\r\n.'));
          buffer = buffer.slice(end + 5);
          data = false;
          socket.write('250 kept\r\n');
          continue;
        }
        const eol = buffer.indexOf('\r\n');
        if (eol < 0) return;
        const verb = buffer.slice(0, eol).split(' ')[0].toUpperCase();
        buffer = buffer.slice(eol + 2);
        if (verb === 'DATA') { data = true; socket.write('354 go on\r\n'); }
        else if (verb === 'QUIT') { socket.end('221 bye\r\n'); return; }
        else socket.write('250 ok\r\n');
      }
    });
    socket.on('error', () => {});
  });
  return new Promise((res) => server.listen(0, '127.0.0.1', () => res(server)));
}

function teamsReceiver(onCard) {
  const server = createHttp((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => { onCard(JSON.parse(body)); res.writeHead(200).end('1'); });
  });
  return new Promise((res) => server.listen(0, '127.0.0.1', () => res(server)));
}

/// The decoded text of a mail's first part of `type` (its parts are base64).
function mailPart(mail, type) {
  const at = mail.indexOf(`Content-Type: ${type}`);
  if (at < 0) return null;
  const start = mail.indexOf('\r\n\r\n', at) + 4;
  const b64 = mail.slice(start, mail.indexOf('--', start)).replace(/\s+/g, '');
  return Buffer.from(b64, 'base64').toString('utf8');
}

// ---- The daemon ----------------------------------------------------------------------

function writeConfig(dir, smtpPort, teamsPort) {
  const token = (name, t, role) => `  - name: ${name}\n    sha256: ${sha256(t)}\n    role: ${role}\n`;
  const file = join(dir, 'opeld.yaml');
  writeFileSync(file, [
    'timezone: Europe/London',
    'database: opeld.db',
    `practices: ${join(repo, 'config/practices.yaml')}`,
    `rules: ${join(repo, 'rules/llr.yaml')}`,
    'http:\n  listen: 127.0.0.1:0',
    'zmq:\n  ingest: tcp://127.0.0.1:*\n  publish: tcp://127.0.0.1:*',
    'limits:\n  rate: 0',
    'public_url: https://opel.example.nhs.uk/',
    'tokens:\n' + token('admin', ADMIN, 'admin') + token('primary care team', TEAM, 'team'),
    'subscribers:',
    '  - name: primary care team inbox',
    '    kind: email',
    '    to: [llr.primarycare@example.nhs.uk]',
    '    audiences: [primary_care_team, control_room]',
    '    group: {wait: 5s, interval: 5m}',
    '  - name: control room channel',
    '    kind: teams',
    `    url: http://127.0.0.1:${teamsPort}/workflows/control-room`,
    '    audiences: [primary_care_team, control_room]',
    '    group: {wait: 5s, interval: 5m}',
    `smtp:\n  host: 127.0.0.1\n  port: ${smtpPort}\n  from: opel@example.nhs.uk\n  starttls: off`,
  ].join('\n') + '\n');
  return file;
}

function startDaemon(dir, config) {
  const log = createWriteStream(join(dir, 'opeld.log'));
  const child = spawn(OPELD, ['--config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((res, rej) => {
    let seen = '';
    let base = null;
    const timer = setTimeout(() => rej(new Error('opeld was not ready within 20 s')), 20000);
    const onData = (chunk) => {
      log.write(chunk);
      seen += chunk.toString();
      base ??= seen.match(/listening on (http:\/\/[0-9.]+:\d+)/)?.[1] ?? null;
      if (base && /\bready\b/.test(seen)) {
        clearTimeout(timer);
        res({ child, base });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => { clearTimeout(timer); rej(new Error(`opeld exited with ${code}`)); });
  });
}

async function call(base, method, path, body, type = 'application/json') {
  const res = await fetch(base + path, {
    method,
    headers: { Authorization: `Bearer ${method === 'GET' ? TEAM : ADMIN}`, 'Content-Type': type },
    body,
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${path} answered ${res.status}: ${text}`);
  return text;
}

const post = (base, path, obj, token = ADMIN) =>
  fetch(base + path, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(obj),
  }).then(async (r) => {
    const text = await r.text();
    if (r.status >= 300) throw new Error(`POST ${path} answered ${r.status}: ${text}`);
    return JSON.parse(text);
  });

/// A morning in the primary care team's inbox: two practices of one PCN at
/// 3 and 4, another at 4 that the team has acknowledged, one back to 1, and
/// the team's escalation to the system.
async function morning(base) {
  const status = JSON.parse(await call(base, 'GET', '/v1/status'));
  const codes = status.practices.map((p) => p.code);
  const [first, second] = codes;
  const county = status.practices.find((p) => p.place === 'county').code;
  const rutland = status.practices.find((p) => p.place === 'rutland').code;
  await post(base, '/v1/submissions', { practice: rutland, level: 3, themes: ['telephony'],
    note: 'Telephone lines down since 07:45; supplier engineer due at noon.' });
  await post(base, '/v1/submissions', { practice: first, level: 4, themes: ['workforce', 'ari'],
    note: 'Two GPs off sick and no locum for this afternoon; duty list full by 09:30.',
    support_requested: 'A locum or PCN hub cover for the afternoon surgery.' });
  await post(base, '/v1/submissions', { practice: second, level: 3, themes: ['high_demand', 'ari'],
    note: 'Children with coughs and fevers filling every same-day slot.' });
  const county4 = await post(base, '/v1/submissions', { practice: county, level: 4,
    themes: ['estates'], note: 'Flooded waiting room; seeing patients in two rooms upstairs.' });
  await post(base, `/v1/alerts/${county4.alerts[0]}/ack`,
    { note: 'Estates team on the way; we will call at 11.' }, TEAM);
  await post(base, '/v1/submissions', { practice: rutland, level: 1,
    note: 'Lines back at 11:10.' });
  await post(base, '/v1/escalations', {
    title: 'General practice at OPEL 3 in the city',
    message: 'Rising ARI and Strep A demand on a short workforce; two practices of Larkspur ' +
      'Central PCN at 3 and 4 since this morning. We ask 111 to hold same-day referrals ' +
      'to the PCN hub this afternoon.',
    level: 3, themes: ['ari', 'strep_a', 'workforce'], practices: [first, second],
  }, TEAM);
}

/// The reports of November and December 2022 (tests/data/history), for the
/// monthly page, in parts under the body limit.
async function history(base) {
  const lines = readFileSync(join(repo, 'tests/data/history/llr-2022-11-12.ndjson'), 'utf8')
    .trim().split('\n');
  for (let i = 0; i < lines.length; i += 200)
    await call(base, 'POST', '/v1/import', lines.slice(i, i + 200).join('\n') + '\n',
      'application/x-ndjson');
}

// ---- The pictures --------------------------------------------------------------------

async function picture(page, name, fullPage = true) {
  mkdirSync(OUT, { recursive: true });
  await page.screenshot({ path: join(OUT, name), fullPage });
  console.log(`wrote ${join(OUT, name)}`);
}

/// The card as Teams draws it: Microsoft's renderer in a light theme.
async function cardPicture(browser, card) {
  const page = await browser.newPage({ viewport: { width: 640, height: 400 } });
  await page.setContent('<!doctype html><html><body style="margin:0;background:#f5f5f5;' +
    'font-family:\'Segoe UI\',system-ui,sans-serif"><div style="padding:16px">' +
    '<div id="card" style="width:600px;background:#fff;border-radius:4px;' +
    'box-shadow:0 1px 3px rgba(0,0,0,.2)"></div></div></body></html>');
  await page.addScriptTag({ path: join(here, 'node_modules/adaptivecards/dist/adaptivecards.min.js') });
  await page.evaluate((content) => {
    const ac = new window.AdaptiveCards.AdaptiveCard();
    ac.hostConfig = new window.AdaptiveCards.HostConfig({
      fontFamily: "'Segoe UI', system-ui, sans-serif",
      spacing: { small: 4, default: 8, medium: 16, large: 20, extraLarge: 24, padding: 12 },
      containerStyles: {
        default: { backgroundColor: '#ffffff', foregroundColors: { default: { default: '#242424' } } },
        emphasis: { backgroundColor: '#f5f5f5' },
        good: { backgroundColor: '#dff6dd' },
        accent: { backgroundColor: '#fff4ce' },
        warning: { backgroundColor: '#fde7d0' },
        attention: { backgroundColor: '#fde7e9' },
      },
    });
    ac.parse(content);
    document.getElementById('card').appendChild(ac.render());
  }, card.attachments[0].content);
  await picture(page, 'teams-digest.png');
  await page.close();
}

async function main() {
  const mails = [];
  const cards = [];
  const mail = waiter(30000, 'digest mail');
  const teams = waiter(30000, 'Teams card');
  const sink = await mailSink((m) => { mails.push(m); mail.check(mails.find((x) => /escalation/.test(x))); });
  const receiver = await teamsReceiver((c) => {
    cards.push(c);
    teams.check(cards.find((x) => JSON.stringify(x).includes('Escalation to the system')));
  });
  const dir = mkdtempSync(join(tmpdir(), 'opeld-pictures-'));
  const config = writeConfig(dir, sink.address().port, receiver.address().port);
  const { child, base } = await startDaemon(dir, config);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  try {
    await morning(base);
    const html = mailPart(await mail.promise, 'text/html');
    const page = await browser.newPage({ viewport: { width: 1100, height: 400 } });
    await page.setContent(html);
    await picture(page, 'mail-digest.png');
    await cardPicture(browser, await teams.promise);
    await history(base);
    await page.setViewportSize({ width: 960, height: 1300 });
    await page.setContent(await call(base, 'GET', '/v1/reports/monthly?month=2022-12&format=html'));
    await picture(page, 'monthly-report.png');
  } finally {
    await browser.close();
    child.kill('SIGTERM');
    sink.close();
    receiver.close();
    await new Promise((res) => child.once('exit', res));
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
