// The device flow's page in a real browser against a real keygate
// (docs/REFERENCE.md §15.3): a device (this script, with fetch) asks for a
// code and polls; Debian's Chromium opens /device, logs in on the way,
// types the code as a person would (lower case, without the dash) and
// grants access; the device's next poll gets the tokens. Every page is
// screenshot and checked with axe-core, and at 390 px for sideways
// scrolling.
'use strict';

const { test } = require('node:test');
const assert = require('node:assert/strict');
const L = require('./lib.js');

const TEST_TIMEOUT = 45000;
const GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:device_code';

const audit = new L.Audit();
const H = L.fileHarness();
const { withPage, url } = H;

async function call(p, { token, basic, json, form } = {}) {
  const headers = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (basic) headers.authorization = `Basic ${Buffer.from(basic).toString('base64')}`;
  let body;
  if (json) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(json);
  } else if (form) {
    body = new URLSearchParams(form);
  }
  const r = await fetch(url(p), { method: 'POST', headers, body });
  return { status: r.status, body: await r.json() };
}

async function ok(p, opts) {
  const r = await call(p, opts);
  assert.ok(r.status < 300, `${p}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

// A developer's app with the device flow on, and its secret.
async function deviceApp() {
  const email = L.uniqueEmail('device-dev');
  await ok('/api/v1/accounts', { json: { email, password: L.PASSWORD } });
  const { token } = await ok('/api/v1/access-tokens',
    { basic: `${email}:${L.PASSWORD}` });
  const app = await ok('/api/v1/apps', { token, json: {
    name: 'Kitchen Radio', public_name: 'Kitchen Radio',
    description: 'Plays your playlists in the kitchen.',
    redirect_uris: ['https://radio.example.org/cb'], device_flow: true } });
  const { secret } = await ok(`/api/v1/apps/${app.api_key}/secret`,
    { token });
  return `${app.api_key}:${secret}`;
}

// The device's poll, after waiting out the interval (the test clock).
async function poll(client, deviceCode) {
  await L.advanceClock(H.server, 6);
  return call('/oauth2/token', { basic: client,
    form: { grant_type: GRANT_TYPE, device_code: deviceCode } });
}

test('a device gets its tokens: /device, log in, the code typed, Allow',
  { timeout: TEST_TIMEOUT }, async () => {
    const client = await deviceApp();
    const person = L.uniqueEmail('device-person');
    await ok('/api/v1/accounts',
      { json: { email: person, password: L.PASSWORD } });
    const start = await ok('/oauth2/device_authorization',
      { basic: client, form: { scope: 'account_read' } });
    assert.match(start.user_code, /^[B-Z]{4}-[B-Z]{4}$/);
    assert.equal(start.verification_uri, url('/device'));
    let r = await poll(client, start.device_code);
    assert.equal(r.body.error, 'authorization_pending');

    await withPage({}, async (page) => {
      await page.goto(start.verification_uri);
      assert.equal(new URL(page.url()).pathname, '/login');
      await L.logIn(page, person);
      assert.equal(new URL(page.url()).pathname, '/device');
      assert.equal(await L.h1(page), 'Connect a device');
      await audit.check(page, 'device-code');
      await audit.phoneShot(page, 'device-code-phone');

      const field = page.getByLabel('Code from your device');
      await field.click();
      await field.pressSequentially(
        start.user_code.replace('-', '').toLowerCase());
      await Promise.all([page.waitForEvent('load'),
        field.press('Enter')]);
      assert.equal(await L.h1(page), 'Grant access to Kitchen Radio?');
      const text = await page.locator('main').innerText();
      assert.match(text, /Only continue if you started this on your own device/);
      assert.ok(text.includes(start.user_code), text);
      assert.ok(text.includes('account_read'), text);
      await audit.check(page, 'device-grant');
      await audit.phoneShot(page, 'device-grant-phone');
      r = await poll(client, start.device_code);
      assert.equal(r.body.error, 'authorization_pending');

      await L.clickThenLoad(page, page.getByRole('button', { name: 'Allow' }));
      assert.match(await page.locator('main').innerText(),
        /return to your device/);
      await audit.check(page, 'device-done');
      await audit.phoneShot(page, 'device-done-phone');

      // a code typed wrong says so, beside the field
      await page.goto(url('/device'));
      await page.getByLabel('Code from your device').fill('bbbb-bbbb');
      await L.clickThenLoad(page,
        page.getByRole('button', { name: 'Continue' }));
      assert.match(await page.locator('.notice').innerText(),
        /not valid/);
      await audit.check(page, 'device-code-wrong');
    });

    r = await poll(client, start.device_code);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.match(r.body.access_token, /^kg_at_/);
    assert.match(r.body.refresh_token, /^kg_rt_/);
  });

test('every page above: axe finds nothing serious or critical, and the ' +
    'phone-sized ones fit 390 px without sideways scrolling', async () => {
  const expected = ['device-code', 'device-grant', 'device-done',
    'device-code-wrong'];
  const phones = ['device-code-phone', 'device-grant-phone',
    'device-done-phone'];
  L.writeAxeReport(audit, 'axe-device.json');
  const problems = L.auditProblems(audit, expected, phones);
  assert.equal(problems.length, 0, problems.join('\n'));
});
