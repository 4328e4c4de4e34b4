// Helpers for the browser suite: a real keygate server on loopback,
// Debian's Chromium through playwright-core, axe-core, screenshots.
'use strict';

const assert = require('node:assert/strict');
const { spawn, spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { before, after } = require('node:test');
const { chromium } = require('playwright-core');

const ROOT = path.resolve(__dirname, '..', '..');
const KEYGATE_BIN = process.env.KEYGATE_BIN ||
  path.join(ROOT, 'build', 'src', 'keygate');
const CHROMIUM = process.env.CHROMIUM_BIN || '/usr/bin/chromium';
const SHOTS = path.join(ROOT, 'tests', 'out', 'screenshots');
const AXE_SOURCE = fs.readFileSync(
  require.resolve('axe-core/axe.min.js'), 'utf8');

const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
const PASSWORD = 'correct horse battery';

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Starts `keygate serve` on a free loopback port with a fresh SQLite file;
// its mail goes into a Maildir beside it (waitMail). `extra`: more flags.
async function startServer(extra = []) {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keygate-browser-'));
  const base = `http://127.0.0.1:${port}`;
  const mailDir = path.join(dir, 'mail');
  const proc = spawn(KEYGATE_BIN, [
    'serve', '--listen', `127.0.0.1:${port}`,
    '--db', path.join(dir, 'keygate.db'),
    '--signup-rate', '0', '--test-clock', '--issuer', base,
    '--mail-dir', mailDir,
    // no /metrics listener: its default port may be another server's
    '--metrics-listen', 'off', ...extra,
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const keep = (chunk) => { log = (log + chunk).slice(-16000); };
  proc.stdout.on('data', keep);
  proc.stderr.on('data', keep);
  const exited = new Promise((resolve) => {
    proc.on('exit', (code, signal) => resolve({ code, signal }));
    proc.on('error', (e) => resolve({ code: null, signal: null,
      error: `${KEYGATE_BIN}: ${e.message}` }));
  });
  let gone = null;
  exited.then((e) => { gone = e; });

  const deadline = Date.now() + 10000;
  for (;;) {
    if (gone) {
      fs.rmSync(dir, { recursive: true, force: true });
      throw new Error(
        `keygate exited early (${JSON.stringify(gone)}):\n${log}`);
    }
    try {
      const r = await fetch(`${base}/healthz`);
      if (r.ok) break;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      await exited;
      fs.rmSync(dir, { recursive: true, force: true });
      throw new Error(`keygate did not answer /healthz within 10 s:\n${log}`);
    }
    await sleep(50);
  }

  return {
    base, port, dir, proc, mailDir,
    log: () => log,
    // SIGTERM, then the exit status (SIGKILL after 10 s).
    async stop() {
      if (!gone) proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 10000);
      const result = await exited;
      clearTimeout(timer);
      fs.rmSync(dir, { recursive: true, force: true });
      return result;
    },
  };
}

function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update',
      '--disable-sync'],
  });
}

// A fresh context (own cookies) at desktop size and a page in it.
async function newPage(browser, options = {}) {
  const context = await browser.newContext({ viewport: DESKTOP, ...options });
  context.setDefaultTimeout(10000);
  context.setDefaultNavigationTimeout(10000);
  const page = await context.newPage();
  return { context, page };
}

// One keygate and one browser for a test file: started before its first
// test, stopped after its last, where keygate must exit 0 on SIGTERM.
// withPage gives a test a fresh context, closed even when the test fails;
// url makes a path absolute on the server.
function fileHarness() {
  const h = { server: null, browser: null };
  before(async () => {
    h.server = await startServer();
    h.browser = await launchBrowser();
  });
  after(async () => {
    if (h.browser) await h.browser.close();
    if (h.server) {
      const { code, signal } = await h.server.stop();
      assert.deepEqual({ code, signal }, { code: 0, signal: null },
        `keygate did not exit 0 on SIGTERM; its log:\n${h.server.log()}`);
    }
  });
  h.withPage = async (options, fn) => {
    const { context, page } = await newPage(h.browser, options);
    try {
      return await fn(page, context);
    } finally {
      await context.close();
    }
  };
  h.url = (p) => `${h.server.base}${p}`;
  return h;
}

async function h1(page) {
  return (await page.locator('h1').innerText()).trim();
}

// The error of an input: non-empty, named by the input's
// aria-describedby, in the same .field block and just below the input or
// the hints it also names (a password's rules sit between). Returns its
// text.
async function errorBeside(page, input, error = `${input}-error`) {
  const err = page.locator(`#${error}`);
  const text = (await err.innerText()).trim();
  assert.ok(text.length > 0, `no error shown for ${input}`);
  const described = (await page.locator(`#${input}`)
    .getAttribute('aria-describedby') || '').split(/\s+/);
  assert.ok(described.includes(error),
    `${input}'s aria-describedby (${described}) does not name ${error}`);
  const sameBlock = await page.evaluate(([i, e]) =>
    document.getElementById(i).closest('.field') ===
    document.getElementById(e).closest('.field'), [input, error]);
  assert.ok(sameBlock, `${input}'s error is not in the input's block`);
  const eb = await err.boundingBox();
  let above = await page.locator(`#${input}`).boundingBox();
  assert.ok(above && eb, `${input} or its error is not displayed`);
  for (const id of described.filter((d) => d && d !== error)) {
    const hb = await page.locator(`#${id}`).boundingBox();
    if (hb && hb.y + hb.height > above.y + above.height) above = hb;
  }
  const gap = eb.y - (above.y + above.height);
  assert.ok(gap >= -1 && gap < 48,
    `${input}'s error is ${gap}px from the input, not beside it`);
  return text;
}

// Collects, per page name, what axe found and how the page fared on a phone.
class Audit {
  constructor() {
    this.pages = new Map();     // name -> { url, violations }
    this.phone = new Map();     // name -> { url, scrollWidth }
  }

  // Screenshot at the current (desktop) size, then axe-core. With a modal
  // <dialog> open the shot is of the viewport: its backdrop covers only that.
  async check(page, name, { fullPage = true } = {}) {
    await screenshot(page, name, { fullPage });
    const violations = await runAxe(page);
    this.pages.set(name, { url: page.url(), violations });
    return violations;
  }

  // Screenshot at phone size, measuring horizontal overflow; back to desktop.
  async phoneShot(page, name) {
    const before = page.viewportSize();
    await page.setViewportSize(PHONE);
    const { scrollWidth, overflow } = await page.evaluate((width) => {
      // The innermost elements sticking out past the right edge.
      const out = [];
      for (const el of document.querySelectorAll('body *')) {
        const r = el.getBoundingClientRect();
        if (r.right > width + 0.5 && el.children.length === 0) {
          out.push(`${el.tagName.toLowerCase()} "${
            (el.textContent || '').trim().slice(0, 30)}" ends at ${
            Math.round(r.right)}px`);
        }
      }
      return { scrollWidth: document.documentElement.scrollWidth,
        overflow: out };
    }, PHONE.width);
    await screenshot(page, name);
    this.phone.set(name, { url: page.url(), scrollWidth, overflow });
    await page.setViewportSize(before);
  }

  serious() {
    const out = [];
    for (const [name, { url, violations }] of this.pages) {
      for (const v of violations) {
        if (v.impact !== 'serious' && v.impact !== 'critical') continue;
        out.push({
          page: name, url, rule: v.id, impact: v.impact, help: v.help,
          targets: v.nodes.map((n) => n.target.join(' ')),
          summary: v.nodes.map((n) => n.failureSummary).slice(0, 3),
        });
      }
    }
    return out;
  }
}

// Every violation axe found, of any impact, per page: tests/out/FILE (each
// test file its own, as node runs the files side by side).
function writeAxeReport(audit, file = 'axe.json') {
  const out = {};
  for (const [name, { url, violations }] of audit.pages) {
    out[name] = { url, violations };
  }
  fs.mkdirSync(path.dirname(SHOTS), { recursive: true });
  fs.writeFileSync(path.join(path.dirname(SHOTS), file),
    JSON.stringify(out, null, 2));
}

async function runAxe(page) {
  const has = await page.evaluate(() => typeof window.axe === 'object');
  // Evaluated through the DevTools protocol: the pages' Content Security
  // Policy (script-src 'self') rightly refuses an injected inline script.
  if (!has) await page.evaluate(AXE_SOURCE);
  return page.evaluate(async () => {
    const r = await window.axe.run(document);
    return r.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.map((n) => ({
        target: n.target, html: n.html, failureSummary: n.failureSummary,
      })),
    }));
  });
}

async function screenshot(page, name, { fullPage = true } = {}) {
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage });
}

function pkce() {
  const verifier = crypto.randomBytes(32).toString('base64url');
  const challenge = crypto.createHash('sha256').update(verifier)
    .digest('base64url');
  return { verifier, challenge };
}

let counter = 0;
function uniqueEmail(who) {
  counter += 1;
  return `${who}-${process.pid}-${counter}@example.com`;
}

// Signs up through the form, as a person would; ends logged in on "/".
async function signUp(page, base, email, password = PASSWORD) {
  await page.goto(`${base}/signup`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign up' }).click();
  await page.waitForURL(`${base}/`);
}

// Fills the log-in form and submits it; resolves when the next page loaded.
async function logIn(page, email, password = PASSWORD) {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await clickThenLoad(page, page.getByRole('button', { name: 'Log in' }));
}

// Clicks a control that submits a form or follows a link, and resolves once
// the page it leads to has loaded (not the one still showing).
async function clickThenLoad(page, locator) {
  await Promise.all([page.waitForEvent('load'), locator.click()]);
}

async function logOut(page, base) {
  await page.getByRole('button', { name: 'Log out' }).click();
  await page.waitForURL(`${base}/`);
}

// An application's own page (/apps/KEY), not /apps/new.
function isAppPage(u) {
  return /^\/apps\/[A-Za-z0-9_-]+$/.test(u.pathname) &&
    u.pathname !== '/apps/new';
}

// From a logged-in page: My Applications → New Application → create.
// Returns the API key read from the app page's URL.
async function createApp(page, base, name) {
  await page.getByRole('link', { name: 'My Applications' }).click();
  await page.waitForURL(`${base}/apps`);
  await page.getByRole('link', { name: 'New Application' }).click();
  await page.waitForURL(`${base}/apps/new`);
  await page.getByLabel('Name').fill(name);
  await page.getByRole('button', { name: 'Create application' }).click();
  await page.waitForURL(isAppPage);
  return decodeURIComponent(new URL(page.url()).pathname.split('/')[2]);
}

// Fills the settings form from an app's page and presses Save.
async function saveSettings(page, { redirectUris, publicName,
  description = '', logoUrl = '', postLogoutUris = '', idTokenAlg = null }) {
  await page.getByLabel(/^Redirect URIs/).fill(redirectUris);
  await page.getByLabel(/^Public name/).fill(publicName);
  await page.getByLabel(/^Logo URL/).fill(logoUrl);
  await page.getByLabel(/^Description/).fill(description);
  await page.getByLabel(/^Post-logout redirect URIs/).fill(postLogoutUris);
  if (idTokenAlg !== null) {
    await page.getByLabel(/^ID token signature/).selectOption(idTokenAlg);
  }
  await clickThenLoad(page, page.getByRole('button', { name: 'Save' }));
}

// A mail file's headers (unfolded, names in lower case) and its body,
// quoted-printable undone when the mail says it is. A Maildir file's lines
// end in LF; CRLF (as on the wire) is taken too.
function parseMail(raw) {
  const text = raw.replace(/\r\n/g, '\n');
  const split = text.indexOf('\n\n');
  const head = text.slice(0, split).replace(/\n[ \t]+/g, ' ');
  let body = text.slice(split + 2);
  const headers = {};
  for (const line of head.split('\n')) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  if (/quoted-printable/i.test(headers['content-transfer-encoding'] || '')) {
    body = Buffer.from(body.replace(/=\n/g, '').replace(/=([0-9A-F]{2})/g,
      (_, h) => String.fromCharCode(parseInt(h, 16))), 'latin1')
      .toString('utf8');
  }
  return { headers, body };
}

// The first mail to `to` whose subject holds `subject` that no earlier call
// returned, waiting up to 15 s for keygate's sender to write it into the
// server's Maildir (new/).
async function waitMail(server, to, subject) {
  server.mailSeen = server.mailSeen || new Set();
  const dir = path.join(server.mailDir, 'new');
  const deadline = Date.now() + 15000;
  for (;;) {
    const names = fs.existsSync(dir) ? fs.readdirSync(dir) : [];
    for (const name of names.sort()) {
      if (server.mailSeen.has(name)) continue;
      const mail = parseMail(fs.readFileSync(path.join(dir, name), 'utf8'));
      if ((mail.headers.to || '').includes(to) &&
          (mail.headers.subject || '').includes(subject)) {
        server.mailSeen.add(name);
        return mail;
      }
    }
    if (Date.now() > deadline) {
      throw new Error(`no mail to ${to} ("${subject}") within 15 s; ` +
        `${names.length} mails in ${dir}`);
    }
    await sleep(50);
  }
}

// The link to `linkPath` (with its ?token=) in a mail's body, as a path.
function mailLink(mail, linkPath) {
  const m = mail.body.match(new RegExp(
    `https?://[^/\\s]+(${linkPath.replace(/\//g, '\\/')}\\?token=` +
    '[A-Za-z0-9_-]+)'));
  if (!m) throw new Error(`no ${linkPath} link in the mail:\n${mail.body}`);
  return m[1];
}

// Moves the server's test clock on (POST /_test/clock); its new time.
async function advanceClock(server, seconds) {
  const r = await fetch(`${server.base}/_test/clock`, {
    method: 'POST', body: new URLSearchParams({ advance: String(seconds) }),
  });
  const text = await r.text();
  if (r.status !== 200) throw new Error(`/_test/clock: ${r.status} ${text}`);
  return JSON.parse(text).now;
}

const TOTP_STEP = 30;

// Moves the server's clock to a second or two into a fresh 30-second step
// and returns that time: for the next ~27 s of wall time the server's
// current step is known, and totpCode(secret, it) is its code.
async function freshStep(server) {
  let now = 0;
  for (let i = 0; i < 3; i++) {
    now = await advanceClock(server, 1);
    now = await advanceClock(server, TOTP_STEP - (now % TOTP_STEP) + 1);
    if (now % TOTP_STEP === 1 || now % TOTP_STEP === 2) return now;
  }
  throw new Error(`the server's clock would not stop early in a step: ${now}`);
}

// The 6-digit code of base32 `secret` at Unix time `at`, by Debian's
// oathtool: not the implementation keygate uses.
function totpCode(secret, at) {
  const r = spawnSync('oathtool', ['--totp', '-b', '--now', `@${at}`, secret],
    { encoding: 'utf8', timeout: 10000 });
  if (r.status !== 0 || !/^\d{6}\n$/.test(r.stdout)) {
    throw new Error(`oathtool: ${r.status} ${r.stdout} ${r.stderr}`);
  }
  return r.stdout.trim();
}

// What Debian's zbarimg reads from the QR code in a PNG file.
function readQr(png) {
  const r = spawnSync('zbarimg', ['--quiet', '--raw', png],
    { encoding: 'utf8', timeout: 10000 });
  if (r.status !== 0) {
    throw new Error(`zbarimg read nothing in ${png}: ${r.status} ${r.stderr}`);
  }
  return r.stdout.trim();
}

// Presses Tab until `want` (an element id, or link/button text) has focus;
// returns how many presses it took.
async function tabTo(page, want, max = 25) {
  for (let i = 1; i <= max; i++) {
    await page.keyboard.press('Tab');
    const here = await page.evaluate(() => {
      const a = document.activeElement;
      return a ? { id: a.id, text: (a.innerText || '').trim() } : {};
    });
    if (here.id === want || here.text === want) return i;
  }
  throw new Error(`${max} Tab presses never reached ${want}`);
}

// The outline of the focused element.
async function focusOutline(page) {
  return page.evaluate(() => {
    const s = getComputedStyle(document.activeElement);
    return { style: s.outlineStyle, width: parseFloat(s.outlineWidth) };
  });
}

// What the closing checks of a test file report: pages never audited,
// serious or critical axe violations, phone shots wider than the phone.
function auditProblems(audit, expected, phones) {
  const problems = [];
  const missing = expected.filter((n) => !audit.pages.has(n));
  if (missing.length > 0) {
    problems.push('pages never audited (an earlier test failed before ' +
      `reaching them): ${missing.join(', ')}`);
  }
  const found = audit.serious();
  if (found.length > 0) {
    problems.push('axe found serious or critical violations:\n' +
      found.map((v) =>
        `- ${v.page} (${v.url}): ${v.rule} [${v.impact}] ${v.help}\n` +
        v.targets.map((t) => `    at ${t}`).join('\n') + '\n' +
        v.summary.map((s) => `    ${s.replace(/\n/g, '\n    ')}`).join('\n'))
        .join('\n'));
  }
  for (const name of phones) {
    const shot = audit.phone.get(name);
    if (!shot) {
      problems.push(`${name} was not taken (an earlier test failed)`);
    } else if (shot.scrollWidth > PHONE.width) {
      problems.push(`${name}: ${shot.url} is ${shot.scrollWidth}px wide on ` +
        `a ${PHONE.width}px phone (${shot.overflow.join('; ')})`);
    }
  }
  return problems;
}

module.exports = {
  ROOT, KEYGATE_BIN, SHOTS, DESKTOP, PHONE, PASSWORD,
  startServer, launchBrowser, newPage, fileHarness, h1, errorBeside,
  Audit, runAxe, writeAxeReport,
  screenshot, pkce, uniqueEmail, isAppPage, signUp, logIn, logOut,
  clickThenLoad, createApp, saveSettings, sleep, waitMail, mailLink,
  advanceClock, freshStep, totpCode, readQr, tabTo, focusOutline,
  auditProblems,
};
