// OpenID Connect in a real browser (docs/REFERENCE.md, OpenID Connect): Debian's Chromium logs in to
// Apache with mod_auth_openidc (tests/http/apachekit.py, started as a
// child) through keygate's log-in and Grant Access pages, sees the page
// with the claims the module passes on, logs out through the module (and
// keygate's end_session_endpoint), and is sent back to log in on the next
// visit.
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const net = require('node:net');
const path = require('node:path');
const readline = require('node:readline');
const L = require('./lib.js');

const TEST_TIMEOUT = 45000;
const APACHEKIT = path.join(L.ROOT, 'tests', 'http', 'apachekit.py');
const h = { server: null, browser: null, apache: null, rp: null };

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function api(method, p, { token, basic, json } = {}) {
  const headers = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (basic) headers.authorization = `Basic ${Buffer.from(basic).toString('base64')}`;
  if (json) headers['content-type'] = 'application/json';
  const r = await fetch(`${h.server.base}${p}`, { method, headers,
    body: json ? JSON.stringify(json) : undefined });
  const text = await r.text();
  assert.ok(r.status < 300, `${method} ${p}: ${r.status} ${text}`);
  return JSON.parse(text);
}

// An account, its PAT and an app registered for Apache on `port`.
async function appFor(port) {
  const email = L.uniqueEmail('rp-dev');
  await api('POST', '/api/v1/accounts', { json: { email, password: L.PASSWORD } });
  const { token } = await api('POST', '/api/v1/access-tokens',
    { basic: `${email}:${L.PASSWORD}` });
  const base = `http://127.0.0.1:${port}`;
  const app = await api('POST', '/api/v1/apps', { token, json: {
    name: 'Apache RP', public_name: 'Apache RP',
    description: 'An Apache relying party.',
    redirect_uris: [`${base}/protected/redirect_uri`],
    post_logout_redirect_uris: [`${base}/loggedout`] } });
  const { secret } = await api('POST', `/api/v1/apps/${app.api_key}/secret`,
    { token });
  return { key: app.api_key, secret };
}

// apachekit.py as a child: its JSON description on the first line; it
// stops when its standard input closes.
function startApache(app, port) {
  const child = spawn('/usr/bin/python3', [APACHEKIT,
    `${h.server.base}/.well-known/openid-configuration`, app.key, app.secret,
    String(port)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  const first = new Promise((resolve, reject) => {
    readline.createInterface({ input: child.stdout })
      .once('line', (line) => resolve(JSON.parse(line)));
    exited.then((code) => reject(new Error(`apachekit exited ${code}`)));
  });
  return { child, exited, first };
}

before(async () => {
  h.server = await L.startServer();
  h.browser = await L.launchBrowser();
  const port = await freePort();
  const app = await appFor(port);
  h.apache = startApache(app, port);
  h.rp = await h.apache.first;
});

after(async () => {
  if (h.apache) {
    h.apache.child.stdin.end();
    assert.equal(await h.apache.exited, 0, 'apachekit did not stop cleanly');
  }
  if (h.browser) await h.browser.close();
  if (h.server) {
    const { code, signal } = await h.server.stop();
    assert.deepEqual({ code, signal }, { code: 0, signal: null },
      `keygate did not exit 0 on SIGTERM; its log:\n${h.server.log()}`);
  }
});

test('Chromium logs in to Apache through keygate, sees the claims, logs ' +
    'out and is sent back to log in', { timeout: TEST_TIMEOUT }, async () => {
  const { context, page } = await L.newPage(h.browser);
  try {
    const email = L.uniqueEmail('rp-user');
    await api('POST', '/api/v1/accounts',
      { json: { email, password: L.PASSWORD } });
    const protectedUrl = `${h.rp.base}${h.rp.protected}`;

    await page.goto(protectedUrl);
    await page.waitForURL((u) => u.href.startsWith(`${h.server.base}/login`));
    await L.screenshot(page, 'oidc-rp-login');
    await L.logIn(page, email);
    assert.ok(await page.getByRole('button', { name: 'Allow' }).isVisible());
    await L.screenshot(page, 'oidc-rp-grant');
    await L.clickThenLoad(page, page.getByRole('button', { name: 'Allow' }));
    await page.waitForURL(protectedUrl);
    const text = await page.locator('body').innerText();
    assert.match(text, /the protected page/);
    assert.match(text, new RegExp(`^OIDC_CLAIM_email=${email.replace(/[.]/g, '\\.')}$`, 'm'));
    assert.match(text, /^OIDC_CLAIM_sub=\S+$/m);

    await page.goto(h.rp.logout_url);
    await page.waitForURL(h.rp.logged_out_uri);
    assert.match(await page.locator('body').innerText(),
      /logged out of the relying party/);

    await page.goto(protectedUrl);
    await page.waitForURL((u) => u.href.startsWith(`${h.server.base}/login`));
    assert.ok(await page.getByLabel('Password').isVisible());
  } finally {
    await context.close();
  }
});
