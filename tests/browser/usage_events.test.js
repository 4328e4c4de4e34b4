// The app page's usage chart and /account/events in a real browser
// (docs/REFERENCE.md §8): a developer signs up, makes an app, grants it
// access and sends real checks with its token; the chart's table of
// numbers then shows them, and Security events shows the sign-up, the
// app's creation and the grant, filtered by kind and by app through the
// GET form. Every page is screenshot and checked with axe-core, and at
// 390 px for sideways scrolling; usage-chart.png and events.png are the
// README's pictures.
'use strict';

const { test } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const L = require('./lib.js');

const TEST_TIMEOUT = 45000;
const NAME = 'Photo Printer';
// Successful checks in each batch of the test's traffic.
const CHECKS = [4, 7, 2, 9, 5, 12, 3, 8, 6, 10, 4, 7, 11];
const ALL = CHECKS.reduce((a, b) => a + b, 0);

const audit = new L.Audit();
const H = L.fileHarness();
const { withPage, url } = H;
// Filled by the first test, used by the second.
const shared = {};

function authorizeUrl(clientId, redirectUri, challenge) {
  const q = new URLSearchParams({
    response_type: 'code', client_id: clientId, redirect_uri: redirectUri,
    scope: 'account_read', state: 's', code_challenge: challenge,
    code_challenge_method: 'S256',
  });
  return url(`/oauth2/authorize?${q}`);
}

async function fetchJson(p, { method = 'POST', basic, token, form } = {}) {
  const headers = {};
  if (basic) {
    headers.authorization =
      `Basic ${Buffer.from(basic).toString('base64')}`;
  }
  if (token) headers.authorization = `Bearer ${token}`;
  const r = await fetch(url(p), { method, headers,
    body: form ? new URLSearchParams(form) : undefined });
  const text = await r.text();
  assert.ok(r.status < 300, `${p}: ${r.status} ${text}`);
  return JSON.parse(text);
}

async function check(token) {
  const r = await fetch(url('/oauth2/check'),
    { headers: { authorization: `Bearer ${token}` } });
  return r.status;
}

// The usage table's rows as text: [hour, successful, refused, issued,
// refreshed, users], the totals last.
async function usageRows(page) {
  return page.locator('#usage-table tr:has(th[scope=row])').evaluateAll(
    (trs) => trs.map((tr) => Array.from(tr.children,
      (c) => c.textContent.trim())));
}

async function eventRows(page) {
  return page.locator('#events tbody tr').evaluateAll((trs) =>
    trs.map((tr) => Array.from(tr.children, (c) => c.textContent.trim())));
}

test('a developer\'s real traffic shows in the app page\'s chart',
  { timeout: TEST_TIMEOUT }, async () => {
    await withPage({}, async (page) => {
      const email = L.uniqueEmail('usage-dev');
      await L.signUp(page, H.server.base, email);
      const key = await L.createApp(page, H.server.base, NAME);
      const callback = url('/cb');
      await L.saveSettings(page, { redirectUris: callback,
        publicName: NAME });
      const usage = page.locator('section.usage');
      assert.match(await usage.innerText(),
        /Usage, last 7 days\s+No requests in the last 7 days\./);

      const { token: pat } = await fetchJson('/api/v1/access-tokens',
        { basic: `${email}:${L.PASSWORD}` });
      const { secret } = await fetchJson(`/api/v1/apps/${key}/secret`,
        { token: pat });
      const client = `${key}:${secret}`;

      // The developer grants their own app access, as a person would,
      // 5 s into an hour: each batch of traffic below stays in one hour.
      const now = await L.advanceClock(H.server, 1);
      await L.advanceClock(H.server, 3600 - (now % 3600) + 5);
      const p = L.pkce();
      await page.goto(authorizeUrl(key, callback, p.challenge));
      await L.clickThenLoad(page,
        page.getByRole('button', { name: 'Allow' }));
      const code = new URL(page.url()).searchParams.get('code');
      assert.ok(code, page.url());
      let toks = await fetchJson('/oauth2/token', { basic: client, form: {
        grant_type: 'authorization_code', code, redirect_uri: callback,
        code_verifier: p.verifier } });
      // Four and a half days of traffic under the test clock, 9 hours
      // apart: checks, a refresh before each batch but the first; the
      // page visited each time keeps the session from going idle.
      for (let i = 0; i < CHECKS.length; i++) {
        if (i > 0) {
          await L.advanceClock(H.server, 9 * 3600);
          await page.goto(url(`/apps/${key}`));
          toks = await fetchJson('/oauth2/token', { basic: client, form: {
            grant_type: 'refresh_token',
            refresh_token: toks.refresh_token } });
        }
        for (let j = 0; j < CHECKS[i]; j++) {
          assert.equal(await check(toks.access_token), 200);
        }
      }
      await fetchJson('/oauth2/revoke', { basic: client,
        form: { token: toks.access_token } });
      for (let i = 0; i < 2; i++) assert.equal(await check(toks.access_token), 401);
      // the counts are written with the uses; the test clock's advance
      // writes them at once
      await L.advanceClock(H.server, 1);

      await page.goto(url(`/apps/${key}`));
      const chart = usage.getByRole('img', { name: `Usage of ${NAME}, ` +
        'last 7 days' });
      assert.ok(await chart.isVisible(), 'the chart is not shown');
      assert.match(await chart.locator('desc').textContent(),
        new RegExp(`Successful checks and API calls: ${ALL}; refused ` +
          `\\(401\\): 2; tokens issued: 1; refreshed: ${CHECKS.length - 1};`));
      const table = page.locator('#usage-table');
      assert.equal(await table.isVisible(), false,
        'the numbers show before "Show the numbers"');
      await page.getByText('Show the numbers').click();
      assert.ok(await table.isVisible());
      const rows = await usageRows(page);
      assert.deepEqual(rows.at(-1), ['All 7 days', String(ALL), '2', '1',
        String(CHECKS.length - 1), '1']);
      // one row per batch, 9 hours apart, each with its own counts
      assert.equal(rows.length, CHECKS.length + 1, JSON.stringify(rows));
      CHECKS.forEach((n, i) => {
        const last = i === CHECKS.length - 1;
        assert.deepEqual(rows[i].slice(1, 5), [String(n), last ? '2' : '0',
          i === 0 ? '1' : '0', i === 0 ? '0' : '1'], JSON.stringify(rows[i]));
        if (i > 0) {
          const gap = (Date.parse(`${rows[i][0].replace(' ', 'T')}:00Z`) -
            Date.parse(`${rows[i - 1][0].replace(' ', 'T')}:00Z`)) / 3600000;
          assert.equal(gap, 9, `${rows[i - 1][0]} to ${rows[i][0]}`);
        }
      });
      await audit.check(page, 'app-usage');
      await usage.screenshot({ path: path.join(L.SHOTS, 'usage-chart.png') });
      await audit.phoneShot(page, 'app-usage-phone');
      Object.assign(shared, { key, email });
    });
  });

test('Security events: the sign-up, the app and the grant, filtered by ' +
    'kind and by app', { timeout: TEST_TIMEOUT }, async () => {
  assert.ok(shared.key, 'needs the developer of the test above');
  await withPage({}, async (page) => {
    await page.goto(url('/login'));
    await L.logIn(page, shared.email);
    await L.clickThenLoad(page,
      page.getByRole('link', { name: 'Security events' }));
    assert.equal(new URL(page.url()).pathname, '/account/events');
    assert.equal(await L.h1(page), 'Security events');
    let rows = await eventRows(page);
    const kinds = rows.map((r) => r[1]);
    assert.equal(kinds.at(-1), 'Signed up', kinds.join(', '));
    for (const k of ['Logged in', 'Application created',
      'Access granted to an application']) {
      assert.ok(kinds.includes(k), `${k} missing: ${kinds.join(', ')}`);
    }
    for (const r of rows) assert.match(r[0], /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    const created = rows.find((r) => r[1] === 'Application created');
    assert.equal(created[2], NAME);
    await audit.check(page, 'events');
    await audit.phoneShot(page, 'events-phone');

    await page.getByLabel('Kind').selectOption('app_created');
    await L.clickThenLoad(page, page.getByRole('button', { name: 'Show' }));
    assert.equal(new URL(page.url()).searchParams.get('kind'), 'app_created');
    rows = await eventRows(page);
    assert.deepEqual(rows.map((r) => r[1]), ['Application created']);
    assert.equal(await page.getByLabel('Kind').inputValue(), 'app_created');

    await page.getByLabel('Kind').selectOption('');
    await page.getByLabel('Application').selectOption(shared.key);
    await L.clickThenLoad(page, page.getByRole('button', { name: 'Show' }));
    rows = await eventRows(page);
    assert.ok(rows.length >= 2, JSON.stringify(rows));
    for (const r of rows) assert.equal(r[2], NAME, JSON.stringify(r));
    assert.ok(!rows.some((r) => r[1] === 'Signed up'));
    await audit.check(page, 'events-filtered');
  });
});

test('every page above: axe finds nothing serious or critical, and the ' +
    'phone-sized ones fit 390 px without sideways scrolling', async () => {
  const expected = ['app-usage', 'events', 'events-filtered'];
  const phones = ['app-usage-phone', 'events-phone'];
  L.writeAxeReport(audit, 'axe-usage-events.json');
  const problems = L.auditProblems(audit, expected, phones);
  assert.equal(problems.length, 0, problems.join('\n'));
});
