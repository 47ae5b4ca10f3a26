// Browser test of the dashboard (GET /) and the practice page (GET /report)
// against a live opeld: starts the built daemon on a temporary config and a
// free port, drives Debian's headless Chromium with playwright-core, checks
// that a report made during the test reaches the dashboard without a reload,
// that Acknowledge changes the alert, and that the practice page stores a
// report once however often it is clicked; takes the screenshots of both
// pages at desktop and phone widths for docs/. Exits non-zero on a failure.
//
//   OPELD=/path/to/opeld  (default: <repo>/build/opeld)
//   CHROMIUM=/usr/bin/chromium
//   SCREENSHOTS=<repo>/docs/screenshots (empty: take none)

import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, createWriteStream, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const OPELD = process.env.OPELD || join(repo, 'build/opeld');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const SHOTS = process.env.SCREENSHOTS ?? join(repo, 'docs/screenshots');

const TOKENS = {
  admin: 'browser-admin',
  team: 'browser-team',
  practice: 'browser-practice-C82001',
};
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };

const failures = [];
let passed = 0;

/// One named check: a failure is recorded and the run goes on, so that one
/// broken part still leaves the others' results and the screenshots.
async function check(name, fn) {
  try {
    await fn();
    passed += 1;
    console.log(`ok   ${name}`);
  } catch (e) {
    failures.push(name);
    console.log(`FAIL ${name}\n     ${String(e?.message ?? e).split('\n').join('\n     ')}`);
  }
}

function assert(cond, message) {
  if (!cond) throw new Error(message);
}

// ---- The daemon ------------------------------------------------------------------

const sha256 = (s) => createHash('sha256').update(s).digest('hex');

function writeConfig(dir) {
  const token = (name, t, role, practice) =>
    `  - name: ${name}\n    sha256: ${sha256(t)}\n    role: ${role}\n` +
    (practice ? `    practice: ${practice}\n` : '');
  const file = join(dir, 'opeld.yaml');
  writeFileSync(file, [
    'timezone: Europe/London',
    'database: opeld.db',
    `practices: ${join(repo, 'config/practices.yaml')}`,
    `rules: ${join(repo, 'rules/llr.yaml')}`,
    'http:\n  listen: 127.0.0.1:0',
    'zmq:\n  ingest: tcp://127.0.0.1:*\n  publish: tcp://127.0.0.1:*',
    'calendar:\n  working_days: [mon, tue, wed, thu, fri]',
    'limits:\n  rate: 0',
    'tokens:\n' +
      token('admin', TOKENS.admin, 'admin') +
      token('team', TOKENS.team, 'team') +
      token('C82001 manager', TOKENS.practice, 'practice', 'C82001'),
  ].join('\n') + '\n');
  return file;
}

/// Starts opeld on port 0 and waits for its log to say "ready"; the port is
/// read back from its "listening on" line, so no port is guessed or polled.
function startDaemon(dir) {
  const config = writeConfig(dir);
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
        child.stdout.off('data', onData);
        child.stderr.off('data', onData);
        child.stdout.pipe(log);
        child.stderr.pipe(log);
        res({ child, base });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('error', (e) => { clearTimeout(timer); rej(e); });
    child.once('exit', (code) => { clearTimeout(timer); rej(new Error(`opeld exited with ${code}`)); });
  });
}

function stopDaemon(child) {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((res) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 8000);
    child.once('exit', () => { clearTimeout(timer); res(); });
    child.kill('SIGTERM');
  });
}

// ---- The API, for seeding and for checking what was stored ---------------------------

async function call(base, method, path, token, body) {
  const res = await fetch(base + path, {
    method,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  return { status: res.status, json, text };
}

/// A morning's picture: most practices coping, a PCN under strain, one at 4.
async function seed(base) {
  const status = await call(base, 'GET', '/v1/status', TOKENS.admin);
  assert(status.status === 200, `GET /v1/status answered ${status.status}`);
  const codes = status.json.practices.map((p) => p.code);
  const themes = [['workforce'], ['high_demand'], ['it_systems', 'telephony'], [], ['ari', 'high_demand']];
  let n = 0;
  for (const [i, code] of codes.entries()) {
    if (i % 7 === 5) continue; // some never report
    const level = [0, 8, 9, 40].includes(i) ? 3 : i === 61 ? 4 : i % 3 === 0 ? 2 : 1;
    const body = { practice: code, level, themes: themes[i % themes.length] };
    if (level >= 3) {
      body.note = 'Two GPs off sick; locum cover not found for this afternoon.';
      body.support_requested = 'Help from the PCN hub for the afternoon surgery.';
    }
    const r = await call(base, 'POST', '/v1/submissions', TOKENS.admin, body);
    assert(r.status === 201, `seeding ${code} answered ${r.status}: ${r.text}`);
    n += 1;
  }
  return { codes, seeded: n };
}

// ---- The browser -----------------------------------------------------------------

async function newPage(browser, viewport, problems) {
  const context = await browser.newContext({ viewport, deviceScaleFactor: 1 });
  const page = await context.newPage();
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/status of (40[134]|409|422)/.test(m.text()))
      problems.push(`console: ${m.text()}`);
  });
  return { context, page };
}

async function shot(page, name, { fullPage = true } = {}) {
  if (!SHOTS) return;
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, name), fullPage });
}

async function dashboardChecks(browser, base, practiceCount) {
  const problems = [];
  const { context, page } = await newPage(browser, DESKTOP, problems);
  let ackedId = null;

  await check('dashboard: #token= signs in and leaves the address bar', async () => {
    await page.goto(`${base}/#token=${TOKENS.team}`);
    await page.waitForSelector('#board:not([hidden])', { timeout: 10000 });
    assert(!page.url().includes('token'), `the token is still in the URL: ${page.url()}`);
    const kept = await page.evaluate(() => sessionStorage.getItem('opeld.token'));
    assert(kept === TOKENS.team, 'the token was not kept in sessionStorage');
  });

  await check('dashboard: shows the system level, counts and every practice', async () => {
    await page.waitForFunction((n) => document.querySelectorAll('#practices .tile').length === n,
      practiceCount, { timeout: 10000 });
    const level = await page.textContent('#system-level');
    assert(/OPEL [1-4]/.test(level), `system level reads "${level}"`);
    assert(/pressure/.test(level), `system level has no name: "${level}"`);
    assert((await page.locator('#counts li').count()) === 5, 'the counts are missing');
    // Place and PCN tiles carry the daemon's levels for them (/v1/status).
    const status = (await call(base, 'GET', '/v1/status', TOKENS.team)).json;
    const places = Object.keys(status.places ?? {});
    assert(places.length === 3, `/v1/status has ${places.length} places`);
    assert((await page.locator('#places li').count()) === places.length, 'place tiles missing');
    assert((await page.locator('#pcns li').count()) === Object.keys(status.pcns).length,
      'PCN tiles missing');
    const shown = await page.locator('#places .group-level').allTextContents();
    const expected = places.sort().map((id) => String(status.places[id].level ?? '–'));
    assert(shown.join() === expected.join(), `place levels ${shown} but the daemon says ${expected}`);
    assert((await page.locator('#themes li').count()) >= 1, 'no themes listed');
  });

  await check('dashboard: the stream connects (indicator says Live)', async () => {
    await page.waitForFunction(() => document.querySelector('#conn-text')?.textContent === 'Live',
      null, { timeout: 10000 });
  });

  await check('dashboard: a report made now appears without a reload', async () => {
    const code = 'C82003';
    const before = await page.textContent(`#practices .tile[data-code="${code}"] .tile-level`);
    const r = await call(base, 'POST', '/v1/submissions', TOKENS.admin,
      { practice: code, level: 4, themes: ['workforce'], note: 'Browser test: live update.' });
    assert(r.status === 201, `the submission answered ${r.status}: ${r.text}`);
    // Well inside the 30 s poll: only the stream can bring it this quickly.
    await page.waitForFunction((c) => {
      const tile = document.querySelector(`#practices .tile[data-code="${c}"]`);
      return tile?.classList.contains('level-4') && tile.querySelector('.tile-level').textContent === '4';
    }, code, { timeout: 8000 }).catch(() => {
      throw new Error(`tile ${code} did not turn to 4 (was ${before})`);
    });
    const last = await page.textContent('#last-event');
    assert(/\d\d:\d\d/.test(last), `last event time not shown: "${last}"`);
  });

  await check('dashboard: the new alert arrives live and Acknowledge changes it', async () => {
    const item = page.locator('#alerts .alert-item', { hasText: 'C82003' })
      .filter({ has: page.locator('.state-firing') }).first();
    await item.waitFor({ timeout: 8000 });
    ackedId = await item.getAttribute('data-id');
    await item.locator('input').fill('Called the practice; PCN hub cover arranged.');
    await item.getByRole('button', { name: /Acknowledge/ }).click();
    await page.locator(`#alerts .alert-item[data-id="${ackedId}"] .state-acknowledged`)
      .waitFor({ timeout: 5000 });
    const all = await call(base, 'GET', '/v1/alerts?state=all', TOKENS.team);
    assert(all.status === 200, `GET /v1/alerts answered ${all.status}`);
    const stored = all.json.alerts.find((a) => String(a.id) === ackedId);
    assert(stored?.state === 'acknowledged', `the daemon has the alert as ${stored?.state}`);
  });

  await check('dashboard: the page works from the keyboard (skip link, filter)', async () => {
    // From the top of a fresh load: the acknowledge above left the focus in the list.
    await page.reload();
    await page.waitForSelector('#practices .tile', { timeout: 10000 });
    await page.keyboard.press('Tab');
    const first = await page.evaluate(() => document.activeElement?.textContent?.trim());
    assert(first === 'Skip to content', `first tab stop is "${first}"`);
    await page.fill('#filter-text', 'C82003');
    const shown = await page.locator('#practices .tile').count();
    assert(shown === 1, `the filter left ${shown} tiles`);
    await page.fill('#filter-text', '');
  });

  await page.evaluate(() => { document.activeElement?.blur(); window.scrollTo(0, 0); });
  await shot(page, 'dashboard-desktop.png');

  const phone = await newPage(browser, PHONE, problems);
  await check('dashboard: phone width renders without sideways scrolling', async () => {
    await phone.page.goto(`${base}/#token=${TOKENS.team}`);
    await phone.page.waitForSelector('#practices .tile', { timeout: 10000 });
    const wide = await phone.page.evaluate(() => document.documentElement.scrollWidth);
    assert(wide <= PHONE.width, `the page is ${wide}px wide`);
    // The first screen: the whole board is six phone-screens long.
    await shot(phone.page, 'dashboard-phone.png', { fullPage: false });
  });
  await phone.context.close();

  const practice = await newPage(browser, DESKTOP, problems);
  await check('dashboard: a practice token gets a clear message, not a broken page', async () => {
    await practice.page.goto(`${base}/#token=${TOKENS.practice}`);
    await practice.page.waitForSelector('#notice:not([hidden])', { timeout: 10000 });
    const text = await practice.page.textContent('#notice');
    assert(/practice token/.test(text), `the notice reads "${text}"`);
  });
  await practice.context.close();

  await check('dashboard: a new #token= on the open page takes effect without a reload', async () => {
    await page.evaluate(() => { window.sameDocument = true; });
    await page.goto(`${base}/#token=${TOKENS.admin}`);
    await page.waitForFunction((t) => sessionStorage.getItem('opeld.token') === t &&
      !location.hash.includes('token'), TOKENS.admin, { timeout: 5000 });
    assert(await page.evaluate(() => window.sameDocument === true), 'the page was reloaded');
    await page.waitForFunction(() => document.querySelector('#conn-text')?.textContent === 'Live',
      null, { timeout: 10000 });
  });

  await check('dashboard: no script errors or CSP violations', async () => {
    assert(problems.length === 0, problems.join('\n'));
  });
  await context.close();
}

async function reportChecks(browser, base) {
  const problems = [];
  const { context, page } = await newPage(browser, DESKTOP, problems);
  const note = `Browser test report ${Date.now()}: half the clinical team off with flu.`;

  await check('report: signs in with the practice code and token', async () => {
    await page.goto(`${base}/report`);
    await page.fill('#practice-input', 'c82001');
    await page.fill('#token-input', TOKENS.practice);
    await page.click('#sign-in-form button[type="submit"]');
    await page.waitForSelector('#reporting:not([hidden])', { timeout: 5000 });
    await page.waitForSelector('#history tbody tr', { timeout: 5000 });
  });

  await check('report: a double-clicked level-3 report is stored once and alerts the team', async () => {
    await page.getByLabel(/OPEL 3: Severe pressure/).check();
    await page.getByLabel('Workforce (sickness, vacancies)').check();
    await page.getByLabel('Acute respiratory infection (ARI)').check();
    await page.fill('#note', note);
    await page.fill('#support', 'A locum for Thursday afternoon.');
    await page.click('#submit', { clickCount: 2 });
    await page.waitForSelector('#result:not([hidden])', { timeout: 5000 });
    const text = await page.textContent('#result');
    assert(/primary care team has been alerted/.test(text), `the answer reads "${text}"`);
    const list = await call(base, 'GET', '/v1/submissions?practice=C82001&limit=50', TOKENS.team);
    const stored = list.json.submissions.filter((s) => s.note === note);
    assert(stored.length === 1, `${stored.length} copies stored`);
    assert(stored[0].level === 3 && stored[0].themes.includes('ari'), 'stored with the wrong content');
    assert(stored[0].support_requested === 'A locum for Thursday afternoon.', 'support not stored');
  });

  await check('report: the new report is listed under recent reports', async () => {
    await page.waitForFunction((n) => document.querySelector('#history tbody')?.textContent.includes(n),
      note, { timeout: 5000 });
  });

  await check('report: a level 2 is no escalation; a refused report shows the server\'s message', async () => {
    // A level 2 after the level 3 closes that alert (it is in `alerts`), but
    // is no escalation, and the answer says so.
    await page.getByLabel(/OPEL 2: Moderate pressure/).check();
    await page.click('#submit');
    await page.waitForFunction(() => /no escalation/.test(document.querySelector('#result')?.textContent),
      null, { timeout: 5000 });
    // Now a token for another practice: the server's 403 message is shown.
    await page.evaluate(() => sessionStorage.setItem('opeld.practice', 'C82002'));
    await page.getByLabel(/OPEL 1: Low pressure/).check();
    await page.click('#submit');
    await page.waitForSelector('#result.result-error', { timeout: 5000 });
    const text = await page.textContent('#result');
    assert(/not sent/.test(text) && text.length > 30, `the answer reads "${text}"`);
    await page.evaluate(() => sessionStorage.setItem('opeld.practice', 'C82001'));
  });

  // A clean form for the pictures: level 3 chosen, the last answer shown.
  await page.goto(`${base}/report`);
  await page.waitForSelector('#history tbody tr', { timeout: 5000 }).catch(() => {});
  await shot(page, 'report-desktop.png');
  const phone = await newPage(browser, PHONE, problems);
  await check('report: phone width renders without sideways scrolling', async () => {
    await phone.page.goto(`${base}/report`);
    await phone.page.evaluate((t) => {
      sessionStorage.setItem('opeld.token', t);
      sessionStorage.setItem('opeld.practice', 'C82001');
    }, TOKENS.practice);
    await phone.page.reload();
    await phone.page.waitForSelector('#history tbody tr', { timeout: 5000 });
    const wide = await phone.page.evaluate(() => document.documentElement.scrollWidth);
    assert(wide <= PHONE.width, `the page is ${wide}px wide`);
    await shot(phone.page, 'report-phone.png');
  });
  await phone.context.close();

  await check('report: no script errors or CSP violations', async () => {
    assert(problems.length === 0, problems.join('\n'));
  });
  await context.close();
}

// ---- Main ------------------------------------------------------------------------

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'opeld-browser-'));
  let daemon = null;
  let browser = null;
  try {
    daemon = await startDaemon(dir);
    const { codes, seeded } = await seed(daemon.base);
    console.log(`opeld at ${daemon.base}; ${seeded} of ${codes.length} practices seeded`);
    // Playwright gives each launch a new empty profile directory of its own
    // (it refuses --user-data-dir in args), so no state leaks between runs.
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    await dashboardChecks(browser, daemon.base, codes.length);
    await reportChecks(browser, daemon.base);
  } catch (e) {
    failures.push(`setup: ${e.message}`);
    console.log(`FAIL setup: ${e.stack ?? e}`);
  } finally {
    await browser?.close().catch(() => {});
    if (daemon) await stopDaemon(daemon.child);
    if (failures.length) {
      try {
        console.log(`--- opeld log (${dir}) ---\n${readFileSync(join(dir, 'opeld.log'), 'utf8').slice(-4000)}`);
      } catch { /* no log */ }
    }
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`\n${passed} passed, ${failures.length} failed`);
  process.exit(failures.length ? 1 : 0);
}

main();
