// The portal as people use it, in a real browser (Debian's Chromium through
// playwright-core) against a real keygate on loopback: a developer's
// journey, an end user's authorization, the overlays, the no-JavaScript
// path, keyboard use and the copy button. Every page visited is screenshot
// into tests/out/screenshots/ and checked with axe-core; the last tests
// assert on what axe and the phone-sized screenshots found.
'use strict';

const { test } = require('node:test');
const assert = require('node:assert/strict');
const L = require('./lib.js');

const TEST_TIMEOUT = 45000;     // the journeys take 8-13 s here
const SECRET_RE = /^kg_sk_[A-Za-z0-9_-]{43}$/;
const SCOPE_TEXT = "See your account's identifier and email address.";

const audit = new L.Audit();
// Filled by the developer journey, used by the end user's authorization.
const shared = {};

const H = L.fileHarness();
const { withPage, url } = H;

function authorizeUrl(clientId, redirectUri, state, challenge) {
  const q = new URLSearchParams({
    response_type: 'code', client_id: clientId, redirect_uri: redirectUri,
    scope: 'account_read', state, code_challenge: challenge,
    code_challenge_method: 'S256',
  });
  return url(`/oauth2/authorize?${q}`);
}

test('developer: sign up, New Application, invalid then valid Save, ' +
    'Generate Secret through the overlay, shown once',
{ timeout: TEST_TIMEOUT }, async () => {
  await withPage({}, async (page) => {
    const email = L.uniqueEmail('dev');
    const callback = url('/cb');

    // Sign-up, with one mistake first: the error sits beside its field.
    await page.goto(url('/signup'));
    assert.equal(await L.h1(page), 'Create an account');
    await audit.check(page, 'signup');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill('short');
    await L.clickThenLoad(page, page.getByRole('button', { name: 'Sign up' }));
    assert.equal(new URL(page.url()).pathname, '/signup');
    await L.errorBeside(page, 'password');
    assert.equal(await page.getByLabel('Email').inputValue(), email,
      'the email typed was not kept');
    await audit.check(page, 'signup-errors');
    await page.getByLabel('Password').fill(L.PASSWORD);
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.waitForURL(url('/'));

    // My Applications, empty.
    await page.getByRole('link', { name: 'My Applications' }).click();
    await page.waitForURL(url('/apps'));
    assert.equal(await L.h1(page), 'My Applications');
    assert.match(await page.locator('main').innerText(),
      /no applications yet/i);
    await audit.check(page, 'apps-empty');

    // New Application: says the name is fixed for ever.
    await page.getByRole('link', { name: 'New Application' }).click();
    await page.waitForURL(url('/apps/new'));
    assert.equal(await L.h1(page), 'New Application');
    assert.match(await page.locator('main').innerText(),
      /can never be changed/);
    await audit.check(page, 'app-new');
    await page.getByLabel('Name').fill('Photo Printer');
    await page.getByRole('button', { name: 'Create application' }).click();
    await page.waitForURL(L.isAppPage);
    const key = new URL(page.url()).pathname.split('/')[2];
    assert.match(key, /^[A-Za-z0-9_-]{22,}$/);
    assert.equal(await L.h1(page), 'Photo Printer');
    assert.equal((await page.locator('#api-key').innerText()).trim(), key);
    assert.match(await page.locator('.facts').innerText(), /None yet/);
    await audit.check(page, 'app');
    await audit.phoneShot(page, 'app-phone');

    // An invalid Save: every invalid field marked, what was typed kept,
    // nothing stored (not even the valid description).
    const stored = {
      uris: await page.getByLabel(/^Redirect URIs/).inputValue(),
      publicName: await page.getByLabel(/^Public name/).inputValue(),
      description: await page.getByLabel(/^Description/).inputValue(),
    };
    assert.equal(stored.description, '');
    const bad = {
      redirectUris: 'http://example.com/cb', publicName: 'Key-Gate',
      description: 'Prints your photos on paper.',
      postLogoutUris: 'https://printer.example.com/bye#top',
      idTokenAlg: 'EdDSA',
    };
    await L.saveSettings(page, bad);
    assert.match(await page.locator('.notice').innerText(),
      /Nothing was saved/);
    const uriError = await L.errorBeside(page, 'redirect_uris');
    const nameError = await L.errorBeside(page, 'public_name');
    const byeError = await L.errorBeside(page, 'post_logout_redirect_uris');
    assert.notEqual(uriError, nameError);
    assert.notEqual(byeError, '');
    assert.equal(await page.getByLabel(/^Post-logout redirect URIs/)
      .inputValue(), bad.postLogoutUris);
    assert.equal(await page.getByLabel(/^ID token signature/).inputValue(),
      'EdDSA', 'the chosen algorithm is kept');
    for (const f of ['logo_url', 'description',
      'id_token_signed_response_alg']) {
      assert.equal((await page.locator(`#${f}-error`).innerText()).trim(), '',
        `${f} is marked invalid`);
    }
    assert.equal(await page.getByLabel(/^Redirect URIs/).inputValue(),
      bad.redirectUris);
    assert.equal(await page.getByLabel(/^Public name/).inputValue(),
      bad.publicName);
    assert.equal(await page.getByLabel(/^Description/).inputValue(),
      bad.description);
    await audit.check(page, 'app-errors');
    await page.goto(url(`/apps/${key}`));
    assert.deepEqual({
      uris: await page.getByLabel(/^Redirect URIs/).inputValue(),
      publicName: await page.getByLabel(/^Public name/).inputValue(),
      description: await page.getByLabel(/^Description/).inputValue(),
    }, stored, 'an invalid Save stored something');

    // A valid Save.
    assert.equal(await page.getByLabel(/^ID token signature/).inputValue(),
      'RS256', 'RS256 by default');
    await L.saveSettings(page, {
      redirectUris: callback, publicName: 'Photo Printer',
      description: 'Prints your photos on paper.',
      postLogoutUris: 'https://printer.example.com/bye', idTokenAlg: 'ES256',
    });
    await page.waitForURL(url(`/apps/${key}?saved=1`));
    assert.equal(await page.getByLabel(/^Post-logout redirect URIs/)
      .inputValue(), 'https://printer.example.com/bye');
    assert.equal(await page.getByLabel(/^ID token signature/).inputValue(),
      'ES256');
    assert.equal((await page.getByRole('status').innerText()).trim(), 'Saved.');
    assert.equal(await page.getByLabel(/^Redirect URIs/).inputValue(),
      callback);
    assert.equal(await page.getByLabel(/^Public name/).inputValue(),
      'Photo Printer');
    for (const f of ['redirect_uris', 'public_name']) {
      assert.equal((await page.locator(`#${f}-error`).innerText()).trim(), '');
    }
    await audit.check(page, 'app-saved');

    // Generate Secret: the overlay opens on the same page; confirm.
    const before = page.url();
    await page.getByRole('link', { name: 'Generate Secret' }).click();
    const dialog = page.getByRole('dialog', { name: 'Generate a new secret?' });
    await dialog.waitFor({ state: 'visible' });
    assert.equal(await page.locator('#secret-dialog').evaluate((d) => d.open),
      true);
    assert.equal(page.url(), before, 'the link navigated instead of opening ' +
      'the overlay');
    await audit.check(page, 'secret-dialog', { fullPage: false });
    await dialog.getByRole('button', { name: 'Generate new secret' }).click();
    await page.waitForURL(url(`/apps/${key}/secret/new`));
    const secret = (await page.locator('#secret').innerText()).trim();
    assert.match(secret, SECRET_RE);
    assert.match(await L.h1(page), /Photo Printer/);
    await audit.check(page, 'secret-shown');

    // Shown once: a reload finds nothing.
    const again = await page.reload();
    assert.equal(again.status(), 410);
    assert.equal(await page.locator('#secret').count(), 0);
    assert.doesNotMatch(await page.content(), /kg_sk_/);
    await audit.check(page, 'secret-gone');

    // The app page says a secret is set and does not show it.
    await page.goto(url(`/apps/${key}`));
    assert.match(await page.locator('.facts').innerText(), /Set \(hidden\)/);
    assert.doesNotMatch(await page.content(), /kg_sk_/);

    // The confirmation pages the overlays stand for (without JavaScript).
    let r = await page.goto(url(`/apps/${key}/secret`));
    assert.equal(r.status(), 200);
    assert.match(await L.h1(page), /Generate a new secret for Photo Printer/);
    await audit.check(page, 'secret-confirm');
    r = await page.goto(url(`/apps/${key}/delete`));
    assert.equal(r.status(), 200);
    assert.equal(await L.h1(page), 'Delete Photo Printer?');
    await audit.check(page, 'delete-confirm');
    await page.getByRole('link', { name: 'Cancel' }).click();
    await page.waitForURL(url(`/apps/${key}`));

    // My Applications lists it.
    await page.getByRole('link', { name: 'My Applications' }).click();
    await page.waitForURL(url('/apps'));
    const row = page.getByRole('row', { name: /Photo Printer/ });
    assert.match(await row.innerText(), new RegExp(key));
    await audit.check(page, 'apps');

    // OpenID Connect's logout without an id_token_hint asks first;
    // staying logged in ends nothing.
    r = await page.goto(url('/oauth2/logout'));
    assert.equal(r.status(), 200);
    assert.equal(await L.h1(page), 'Log out of keygate?');
    await audit.check(page, 'oidc-logout-confirm');
    await page.getByRole('link', { name: 'Stay logged in' }).click();
    await page.waitForURL(url('/'));

    await L.logOut(page, H.server.base);
    assert.ok(await page.getByRole('navigation', { name: 'Account' })
      .getByRole('link', { name: 'Log in' }).isVisible());
    await audit.check(page, 'welcome');

    Object.assign(shared, { key, secret, callback, name: 'Photo Printer' });
  });
});

test('end user: log in from authorize, Grant Access, code back, Connected ' +
    'apps, revoke, consent asked again, Deny, log out',
{ timeout: TEST_TIMEOUT }, async () => {
  assert.ok(shared.key && shared.secret,
    'needs the app and secret made by the developer journey above');
  const { key, secret, callback, name } = shared;
  await withPage({}, async (page) => {
    const email = L.uniqueEmail('user');
    await L.signUp(page, H.server.base, email);
    await L.logOut(page, H.server.base);

    // Not logged in: the log-in page, then back to the request.
    const first = L.pkce();
    await page.goto(authorizeUrl(key, callback, 's1', first.challenge));
    await page.waitForURL((u) => u.pathname === '/login');
    assert.equal(await L.h1(page), 'Log in');
    await audit.check(page, 'login');
    await L.logIn(page, email, 'not the password');
    assert.equal(new URL(page.url()).pathname, '/login');
    assert.ok(await page.getByRole('alert').isVisible(),
      'a wrong password shows no message');
    await audit.check(page, 'login-error');
    await L.logIn(page, email);
    await page.waitForURL((u) => u.pathname === '/oauth2/authorize');

    // Grant Access: who asks, for what, how to refuse.
    assert.equal(await L.h1(page), `Grant access to ${name}?`);
    const main = await page.locator('main').innerText();
    assert.match(main, /Prints your photos on paper\./);
    assert.ok(main.includes(SCOPE_TEXT), `scope description missing:\n${main}`);
    assert.ok(await page.getByRole('button', { name: 'Allow' }).isVisible());
    assert.ok(await page.getByRole('button', { name: 'Deny' }).isVisible());
    await audit.check(page, 'grant');
    await audit.phoneShot(page, 'grant-phone');

    await page.getByRole('button', { name: 'Allow' }).click();
    await page.waitForURL((u) => u.pathname === '/cb');
    let back = new URL(page.url());
    assert.equal(back.origin, H.server.base);
    const code = back.searchParams.get('code');
    assert.ok(code, `no code in ${back}`);
    assert.equal(back.searchParams.get('state'), 's1');
    assert.equal(back.searchParams.get('iss'), H.server.base);
    assert.equal(back.searchParams.get('error'), null);
    await audit.check(page, 'callback-not-found');

    // The code and the secret shown once are real: exchange them.
    const tok = await fetch(url('/oauth2/token'), {
      method: 'POST',
      headers: {
        Authorization: 'Basic ' +
          Buffer.from(`${key}:${secret}`).toString('base64'),
        'Content-Type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({
        grant_type: 'authorization_code', code, redirect_uri: callback,
        code_verifier: first.verifier,
      }),
    });
    const tokBody = await tok.text();
    assert.equal(tok.status, 200, tokBody);
    const accessToken = JSON.parse(tokBody).access_token;
    assert.ok(accessToken);

    // Connected apps lists the app; Revoke ends its access.
    await page.goto(url('/'));
    await page.getByRole('link', { name: 'Connected apps' }).click();
    await page.waitForURL(url('/connections'));
    assert.equal(await L.h1(page), 'Connected apps');
    const row = page.getByRole('row', { name: new RegExp(name) });
    assert.match(await row.innerText(), /account_read/);
    await audit.check(page, 'connections');
    await L.clickThenLoad(page,
      row.getByRole('button', { name: `Revoke access for ${name}` }));
    assert.equal(page.url(), url('/connections'));
    assert.equal(
      await page.getByRole('row', { name: new RegExp(name) }).count(), 0);
    assert.match(await page.locator('main').innerText(),
      /No application has access/);
    await audit.check(page, 'connections-empty');
    const check = await fetch(url('/oauth2/check'),
      { headers: { Authorization: `Bearer ${accessToken}` } });
    assert.equal(check.status, 401, 'the revoked access token still works');

    // A second authorization asks again; Deny refuses.
    const second = L.pkce();
    await page.goto(authorizeUrl(key, callback, 's2', second.challenge));
    assert.equal(new URL(page.url()).pathname, '/oauth2/authorize');
    assert.equal(await L.h1(page), `Grant access to ${name}?`);
    await page.getByRole('button', { name: 'Deny' }).click();
    await page.waitForURL((u) => u.pathname === '/cb');
    back = new URL(page.url());
    assert.equal(back.searchParams.get('error'), 'access_denied');
    assert.equal(back.searchParams.get('state'), 's2');
    assert.equal(back.searchParams.get('iss'), H.server.base);
    assert.equal(back.searchParams.get('code'), null);

    // Log out: the portal no longer knows the user.
    await page.goto(url('/connections'));
    await L.logOut(page, H.server.base);
    await page.goto(url('/connections'));
    assert.equal(new URL(page.url()).pathname, '/login');
  });
});

test('Delete through the overlay: Cancel keeps the app, confirming deletes it',
  { timeout: TEST_TIMEOUT }, async () => {
    await withPage({}, async (page) => {
      await L.signUp(page, H.server.base, L.uniqueEmail('deleter'));
      const key = await L.createApp(page, H.server.base, 'Doomed App');
      const appUrl = page.url();

      await page.getByRole('link', { name: 'Delete this application' }).click();
      const dialog = page.getByRole('dialog', { name: 'Delete Doomed App?' });
      await dialog.waitFor({ state: 'visible' });
      assert.equal(page.url(), appUrl);
      await audit.check(page, 'delete-dialog', { fullPage: false });
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await dialog.waitFor({ state: 'hidden' });
      assert.equal(page.url(), appUrl);

      await page.getByRole('link', { name: 'Delete this application' }).click();
      await dialog.waitFor({ state: 'visible' });
      await dialog.getByRole('button', { name: 'Delete application' }).click();
      await page.waitForURL(url('/apps'));
      assert.equal(await L.h1(page), 'My Applications');
      assert.doesNotMatch(await page.locator('main').innerText(), /Doomed App/);
      const gone = await page.goto(url(`/apps/${key}`));
      assert.equal(gone.status(), 404);
      await audit.check(page, 'app-not-found');
    });
  });

test('without JavaScript, Generate Secret and Delete go through ' +
    'confirmation pages', { timeout: TEST_TIMEOUT }, async () => {
  await withPage({ javaScriptEnabled: false }, async (page) => {
    await L.signUp(page, H.server.base, L.uniqueEmail('nojs'));
    const key = await L.createApp(page, H.server.base, 'Plain App');

    await page.getByRole('link', { name: 'Generate Secret' }).click();
    await page.waitForURL(url(`/apps/${key}/secret`));
    assert.equal(await L.h1(page), 'Generate a new secret for Plain App?');
    await L.screenshot(page, 'secret-confirm-nojs');
    await page.getByRole('button', { name: 'Generate new secret' }).click();
    await page.waitForURL(url(`/apps/${key}/secret/new`));
    assert.match((await page.locator('#secret').innerText()).trim(), SECRET_RE);
    const again = await page.reload();
    assert.equal(again.status(), 410);
    assert.doesNotMatch(await page.content(), /kg_sk_/);

    await page.goto(url(`/apps/${key}`));
    await page.getByRole('link', { name: 'Delete this application' }).click();
    await page.waitForURL(url(`/apps/${key}/delete`));
    assert.equal(await L.h1(page), 'Delete Plain App?');
    await L.screenshot(page, 'delete-confirm-nojs');
    await page.getByRole('button', { name: 'Delete application' }).click();
    await page.waitForURL(url('/apps'));
    assert.doesNotMatch(await page.locator('main').innerText(), /Plain App/);
  });
});

test('keyboard only: sign up with Tab and Enter, focus visible, the overlay ' +
    'opens with Enter and closes with Escape', { timeout: TEST_TIMEOUT },
async () => {
  await withPage({}, async (page) => {
    const email = L.uniqueEmail('keys');
    await page.goto(url('/signup'));
    await L.tabTo(page, 'email');
    const outline = await L.focusOutline(page);
    assert.ok(outline.style !== 'none' && outline.width >= 2,
      `the focused field shows no outline: ${JSON.stringify(outline)}`);
    await page.keyboard.type(email);
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.id),
      'password');
    await page.keyboard.type(L.PASSWORD);
    await page.keyboard.press('Enter');
    await page.waitForURL(url('/'));
    assert.equal(await L.h1(page), 'My Applications');

    await L.tabTo(page, 'New Application');
    const linkOutline = await L.focusOutline(page);
    assert.ok(linkOutline.style !== 'none' && linkOutline.width >= 2,
      `the focused link shows no outline: ${JSON.stringify(linkOutline)}`);
    await page.keyboard.press('Enter');
    await page.waitForURL(url('/apps/new'));
    await L.tabTo(page, 'name');
    await page.keyboard.type('Keyboard App');
    await page.keyboard.press('Enter');
    await page.waitForURL(L.isAppPage);
    const appUrl = page.url();

    await L.tabTo(page, 'Generate Secret');
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Generate a new secret?' });
    await dialog.waitFor({ state: 'visible' });
    assert.equal(await page.evaluate(() =>
      Boolean(document.activeElement.closest('dialog[open]'))), true,
    'focus did not move into the overlay');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    assert.equal(page.url(), appUrl);
    assert.match(await page.locator('.facts').innerText(), /None yet/,
      'Escape generated a secret');
  });
});

test('secret rotation: Generate Secret keeping the current one for an ' +
    'hour, both listed, then Revoke the old secret now through its overlay',
{ timeout: TEST_TIMEOUT }, async () => {
  await withPage({}, async (page) => {
    await L.signUp(page, H.server.base, L.uniqueEmail('rotator'));
    const key = await L.createApp(page, H.server.base, 'Rotating App');
    const generate = async (keep) => {
      await page.getByRole('link', { name: 'Generate Secret' }).click();
      const dialog = page.getByRole('dialog',
        { name: 'Generate a new secret?' });
      await dialog.waitFor({ state: 'visible' });
      const select = dialog.getByLabel('Keep the current secret valid for');
      assert.equal(await select.inputValue(), '0', 'not at all by default');
      assert.deepEqual(await select.locator('option').allInnerTexts(),
        ['not at all', '1 hour', '24 hours', '7 days']);
      if (keep) await select.selectOption(keep);
      await dialog.getByRole('button', { name: 'Generate new secret' }).click();
      await page.waitForURL(url(`/apps/${key}/secret/new`));
      assert.match((await page.locator('#secret').innerText()).trim(),
        SECRET_RE);
      await page.goto(url(`/apps/${key}`));
    };
    await generate(null);
    assert.equal(await page.locator('tr.secret').count(), 1);
    await generate('3600');
    const rows = page.locator('tr.secret');
    assert.equal(await rows.count(), 2, 'the old secret kept beside the new');
    assert.match(await rows.nth(0).innerText(), /Current.*never.*until replaced/s);
    assert.match(await rows.nth(1).innerText(), /Old.*UTC$/s);
    await audit.check(page, 'secrets-two');
    await audit.phoneShot(page, 'secrets-phone');

    await page.getByRole('link', { name: 'Revoke the old secret now' })
      .click();
    const dialog = page.getByRole('dialog',
      { name: 'Revoke the old secret now?' });
    await dialog.waitFor({ state: 'visible' });
    assert.equal(page.url(), url(`/apps/${key}`), 'the link navigated ' +
      'instead of opening the overlay');
    await audit.check(page, 'revoke-dialog', { fullPage: false });
    await dialog.getByRole('button', { name: 'Revoke the old secret' })
      .click();
    await page.waitForURL(url(`/apps/${key}?revoked`));
    assert.match(await page.getByRole('status').innerText(),
      /The old secret was revoked/);
    assert.equal(await page.locator('tr.secret').count(), 1);
    assert.equal(await page.getByRole('link',
      { name: 'Revoke the old secret now' }).count(), 0);
    await audit.check(page, 'secret-revoked');
  });
});

test('the copy buttons copy the API key and the new secret',
  { timeout: TEST_TIMEOUT }, async () => {
    await withPage({}, async (page, context) => {
      await context.grantPermissions(['clipboard-read', 'clipboard-write'],
        { origin: H.server.base });
      await L.signUp(page, H.server.base, L.uniqueEmail('copier'));
      const key = await L.createApp(page, H.server.base, 'Copy App');

      const copyKey = page.locator('button[data-copy="api-key"]');
      assert.equal((await copyKey.innerText()).trim(), 'Copy');
      await copyKey.click();
      await page.waitForFunction(() => document.querySelector(
        'button[data-copy="api-key"]').textContent === 'Copied');
      assert.equal(await page.evaluate(() => navigator.clipboard.readText()),
        key);

      await page.getByRole('link', { name: 'Generate Secret' }).click();
      await page.getByRole('dialog').getByRole('button',
        { name: 'Generate new secret' }).click();
      await page.waitForURL(url(`/apps/${key}/secret/new`));
      const secret = (await page.locator('#secret').innerText()).trim();
      await page.getByRole('button', { name: 'Copy' }).click();
      await page.waitForFunction(() => document.querySelector(
        'button[data-copy="secret"]').textContent === 'Copied');
      assert.equal(await page.evaluate(() => navigator.clipboard.readText()),
        secret);
    });
  });

test('error pages: an unknown client_id is a 400 page and never a ' +
    'redirect; an unknown page is a 404 portal page', { timeout: TEST_TIMEOUT },
async () => {
  await withPage({}, async (page) => {
    const { challenge } = L.pkce();
    const bad = await page.goto(authorizeUrl('kg_ak_no_such_client',
      url('/cb'), 's1', challenge));
    assert.equal(bad.status(), 400);
    assert.equal(new URL(page.url()).pathname, '/oauth2/authorize');
    await audit.check(page, 'authorize-error');
    assert.ok((await L.h1(page)).length > 0);

    const r = await page.goto(url('/no-such-page'));
    assert.equal(r.status(), 404);
    await audit.check(page, 'not-found');
    assert.equal(await L.h1(page), 'Not found');
    assert.ok(await page.locator('link[rel=stylesheet]').count() > 0,
      'the 404 page is not a portal page (no stylesheet)');
  });
});

test('phone: the app page and the Grant Access page fit 390 px without ' +
    'sideways scrolling', async () => {
  const problems = [];
  for (const name of ['app-phone', 'grant-phone', 'secrets-phone']) {
    const shot = audit.phone.get(name);
    if (!shot) {
      problems.push(`${name} was not taken (an earlier test failed)`);
    } else if (shot.scrollWidth > L.PHONE.width) {
      problems.push(`${name}: ${shot.url} is ${shot.scrollWidth}px wide on ` +
        `a ${L.PHONE.width}px phone (${shot.overflow.join('; ')})`);
    }
  }
  assert.equal(problems.length, 0, problems.join('\n'));
});

test('axe: no serious or critical violation on any page visited', async () => {
  const expected = ['signup', 'signup-errors', 'apps-empty', 'app-new', 'app',
    'app-errors', 'app-saved', 'secret-dialog', 'secret-shown', 'secret-gone',
    'secret-confirm', 'delete-confirm', 'apps', 'welcome', 'login',
    'login-error', 'grant', 'callback-not-found', 'connections',
    'connections-empty', 'delete-dialog', 'app-not-found', 'not-found',
    'authorize-error', 'secrets-two', 'revoke-dialog', 'secret-revoked'];
  const missing = expected.filter((n) => !audit.pages.has(n));
  const found = audit.serious();
  const report = found.map((v) =>
    `- ${v.page} (${v.url}): ${v.rule} [${v.impact}] ${v.help}\n` +
    v.targets.map((t) => `    at ${t}`).join('\n') + '\n' +
    v.summary.map((s) => `    ${s.replace(/\n/g, '\n    ')}`).join('\n'))
    .join('\n');
  L.writeAxeReport(audit);
  const problems = [];
  if (missing.length > 0) {
    problems.push('pages never audited (an earlier test failed before ' +
      `reaching them): ${missing.join(', ')}`);
  }
  if (found.length > 0) {
    problems.push(`axe found serious or critical violations:\n${report}`);
  }
  assert.equal(problems.length, 0, problems.join('\n'));
});
