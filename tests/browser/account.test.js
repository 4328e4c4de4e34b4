// The account's own pages in a real browser against a real keygate (the
// same harness as portal.test.js): the account page (sessions, a new
// password, a new address confirmed from its mail), the links mailed for a
// forgotten password and an address to confirm, two-step log-in (enrolment
// from the QR code as Debian's zbarimg reads it, the recovery codes, the
// log-in's code step, the client flow's), keyboard use. Mail is read from
// the server's Maildir; TOTP codes come from Debian's oathtool at the
// server's test time. Every page is screenshot and checked with axe-core,
// the phone-sized shots for sideways scrolling, by the last test.
'use strict';

const { test } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const L = require('./lib.js');

const TEST_TIMEOUT = 60000;
const OTHER_BROWSER = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) ' +
  'Gecko/20100101 Firefox/128.0';
const RECOVERY_RE = /^[a-z2-7]{4}(-[a-z2-7]{4}){3}$/;
const QR_NAME = 'QR code of the two-step log-in key';

const audit = new L.Audit();
// Filled by the two-step journey, used by the client flow's.
const shared = {};

const H = L.fileHarness();
const { withPage, url } = H;

function path0(page) {
  return new URL(page.url()).pathname;
}

// The text of the elements an input's aria-describedby names.
async function description(page, id) {
  return page.evaluate((i) => (document.getElementById(i)
    .getAttribute('aria-describedby') || '').split(/\s+/)
    .map((d) => document.getElementById(d)?.textContent || '').join(' '), id);
}

// A field that takes a recovery code (letters) must not ask a phone for
// its digits-only keyboard.
async function lettersTyped(page, id) {
  const mode = await page.locator(`#${id}`).getAttribute('inputmode');
  assert.ok(mode === null || mode === 'text',
    `#${id} takes recovery codes but asks for inputmode=${mode}`);
}

// The groups of #totp-secret that a line break splits, at phone size: a
// key typed by hand must break between its groups, not inside one.
async function splitGroups(page) {
  const before = page.viewportSize();
  await page.setViewportSize(L.PHONE);
  const split = await page.evaluate(() => {
    const text = document.getElementById('totp-secret').firstChild;
    const top = (i) => {
      const r = document.createRange();
      r.setStart(text, i);
      r.setEnd(text, i + 1);
      return Math.round(r.getBoundingClientRect().top);
    };
    const out = [];
    let start = 0;
    for (const group of text.data.split(' ')) {
      if (top(start) !== top(start + group.length - 1)) out.push(group);
      start += group.length + 1;
    }
    return out;
  });
  await page.setViewportSize(before);
  return split;
}

// A 6-digit code that is none of those of the steps around `at` (±2).
function wrongCode(secret, at) {
  const near = new Set([-2, -1, 0, 1, 2].map((k) =>
    L.totpCode(secret, at + k * 30)));
  for (let n = 0; ; n++) {
    const code = String(123456 + n * 7919).padStart(6, '0');
    if (!near.has(code)) return code;
  }
}

test('account page: the address confirmed from its mail, two sessions ' +
    'listed, one ended, then all others; a new password; a new address ' +
    'confirmed from the mail sent to it', { timeout: TEST_TIMEOUT },
async () => {
  await withPage({}, async (page) => {
    const email = L.uniqueEmail('acct');
    await L.signUp(page, H.server.base, email);
    await page.getByRole('link', { name: 'Account', exact: true }).click();
    await page.waitForURL(url('/account'));
    assert.equal(await L.h1(page), 'Your account');
    assert.equal((await page.locator('#account-email').innerText()).trim(),
      email);
    assert.equal((await page.locator('#email-verified').innerText()).trim(),
      'Not yet');
    assert.ok(await page.getByRole('button', { name: 'Send the link again' })
      .isVisible());
    await audit.check(page, 'account-unverified');

    // The sign-up's mail: its link shows a button; the button confirms.
    const link = L.mailLink(
      await L.waitMail(H.server, email, 'Confirm your email address'),
      '/verify-email');
    await page.goto(url(link));
    assert.equal(await L.h1(page), 'Confirm your email address');
    await audit.check(page, 'verify-email');
    await audit.phoneShot(page, 'verify-email-phone');
    await L.clickThenLoad(page, page.getByRole('button', { name: 'Confirm' }));
    assert.equal(await L.h1(page), 'Email address confirmed');
    assert.ok((await page.getByRole('status').innerText()).includes(email));
    await audit.check(page, 'verify-email-done');
    const used = await page.goto(url(link));
    assert.equal(used.status(), 400);
    assert.equal(await L.h1(page), 'This link does not work');
    await audit.check(page, 'link-bad');

    // A second browser logs in: two rows, this one marked.
    const second = await L.newPage(H.browser, { userAgent: OTHER_BROWSER });
    try {
      await second.page.goto(url('/login'));
      await L.logIn(second.page, email);
      assert.equal(path0(second.page), '/');
      await page.goto(url('/account'));
      assert.equal((await page.locator('#email-verified').innerText()).trim(),
        'Yes');
      const rows = page.locator('#sessions tbody tr');
      const mine = page.locator('#sessions tbody tr[aria-current="true"]');
      assert.equal(await rows.count(), 2);
      assert.equal(await mine.count(), 1);
      assert.match(await mine.innerText(), /this session/);
      assert.match(await page.locator('#sessions tbody tr:not([aria-current])')
        .innerText(), /Firefox/);
      await audit.check(page, 'account');
      await audit.phoneShot(page, 'account-phone');

      // End this one (the other browser's): it is logged out.
      await L.clickThenLoad(page, page.locator(
        '#sessions tbody tr:not([aria-current])').getByRole('button'));
      assert.equal(path0(page), '/account');
      assert.equal(await rows.count(), 1);
      await second.page.goto(url('/account'));
      assert.equal(path0(second.page), '/login');

      // It logs in again; End all other sessions.
      await L.logIn(second.page, email);
      assert.equal(path0(second.page), '/account');
      await page.reload();
      assert.equal(await rows.count(), 2);
      await L.clickThenLoad(page,
        page.getByRole('button', { name: 'End all other sessions' }));
      assert.equal(await rows.count(), 1);
      assert.equal(await mine.count(), 1);
      await second.page.goto(url('/account'));
      assert.equal(path0(second.page), '/login');
    } finally {
      await second.context.close();
    }

    // A new password: a wrong current one first, the error beside it.
    const newPassword = 'a brand new passphrase';
    await page.locator('#current_password').fill('not my password');
    await page.locator('#new_password').fill(newPassword);
    await L.clickThenLoad(page,
      page.getByRole('button', { name: 'Change password' }));
    assert.match(await L.errorBeside(page, 'current_password',
      'current-password-error'), /not your current password/);
    await audit.check(page, 'account-errors');
    await page.locator('#current_password').fill(L.PASSWORD);
    await page.locator('#new_password').fill(newPassword);
    await L.clickThenLoad(page,
      page.getByRole('button', { name: 'Change password' }));
    assert.match(await page.getByRole('status').innerText(),
      /password was changed/);
    await audit.check(page, 'account-password-changed');
    await L.waitMail(H.server, email, 'Your password was changed');

    // A new address: a link to it; the account's changes when followed.
    const newEmail = L.uniqueEmail('moved');
    await page.locator('#new_email').fill(newEmail);
    await page.locator('#email_password').fill(newPassword);
    await L.clickThenLoad(page,
      page.getByRole('button', { name: 'Change email' }));
    assert.ok((await page.getByRole('status').innerText()).includes(newEmail));
    assert.equal((await page.locator('#account-email').innerText()).trim(),
      email, 'the address changed before its link was followed');
    await audit.check(page, 'account-email-sent');
    await page.goto(url(L.mailLink(await L.waitMail(H.server, newEmail,
      'Confirm your new email address'), '/verify-email')));
    assert.equal(await L.h1(page), 'Confirm your new email address');
    await audit.check(page, 'verify-new-email');
    await L.clickThenLoad(page, page.getByRole('button', { name: 'Confirm' }));
    assert.equal(await L.h1(page), 'Email address confirmed');
    await page.getByRole('link', { name: 'Your account' }).click();
    await page.waitForURL(url('/account'));
    assert.equal((await page.locator('#account-email').innerText()).trim(),
      newEmail);
    assert.match(await page.locator('.who').innerText(), new RegExp(
      newEmail.replace(/[.]/g, '\\.')));
    await L.waitMail(H.server, email, 'Your email address was changed');
  });
});

test('forgotten password: the link from its mail, a new password, every ' +
    'old session ended, the link good once', { timeout: TEST_TIMEOUT },
async () => {
  await withPage({}, async (old) => {
    const email = L.uniqueEmail('forgot');
    await L.signUp(old, H.server.base, email);
    await withPage({}, async (page) => {
      await page.goto(url('/login'));
      await L.clickThenLoad(page,
        page.getByRole('link', { name: 'Forgot your password?' }));
      assert.equal(path0(page), '/password/forgot');
      assert.equal(await L.h1(page), 'Forgot your password?');
      await audit.check(page, 'forgot');
      await audit.phoneShot(page, 'forgot-phone');
      await page.getByLabel('Email').fill(email);
      await L.clickThenLoad(page,
        page.getByRole('button', { name: 'Send me a link' }));
      assert.equal(await L.h1(page), 'Check your mail');
      assert.ok((await page.getByRole('status').innerText()).includes(email));
      await audit.check(page, 'forgot-sent');

      const link = L.mailLink(
        await L.waitMail(H.server, email, 'Reset your password'),
        '/password/reset');
      await page.goto(url(link));
      assert.equal(await L.h1(page), 'Choose a new password');
      await audit.check(page, 'reset');
      await audit.phoneShot(page, 'reset-phone');
      await page.locator('#password').fill('short');
      const answer = page.waitForResponse((r) =>
        r.request().method() === 'POST');
      await L.clickThenLoad(page,
        page.getByRole('button', { name: 'Set password' }));
      assert.equal((await answer).status(), 422);
      assert.equal(await L.h1(page), 'Choose a new password');
      assert.match(await L.errorBeside(page, 'password', 'password-error'),
        /10/);
      await audit.check(page, 'reset-errors');
      const newPassword = 'forgotten and found again';
      await page.locator('#password').fill(newPassword);
      await L.clickThenLoad(page,
        page.getByRole('button', { name: 'Set password' }));
      assert.equal(await L.h1(page), 'Password changed');
      await audit.check(page, 'reset-done');

      // The session from before the reset is gone; the new password works.
      await old.goto(url('/account'));
      assert.equal(path0(old), '/login');
      await L.clickThenLoad(page, page.getByRole('main')
        .getByRole('link', { name: 'Log in' }));
      await L.logIn(page, email, newPassword);
      assert.equal(path0(page), '/');
      const again = await page.goto(url(link));
      assert.equal(again.status(), 400);
    });
  });
});

test('two-step log-in: enrolment from the QR code (read by zbarimg), the ' +
    'recovery codes shown once, the log-in asks a code, a recovery code ' +
    'works once', { timeout: TEST_TIMEOUT }, async () => {
  await withPage({}, async (page) => {
    const email = L.uniqueEmail('twostep');
    await L.signUp(page, H.server.base, email);
    await page.goto(url('/account'));
    await page.getByRole('link', { name: 'Set up two-step log-in' }).click();
    await page.waitForURL(url('/account/two-step'));
    assert.equal(await L.h1(page), 'Two-step log-in');

    // The key as text and in the QR code: the same.
    const secret = (await page.locator('#totp-secret').innerText())
      .replace(/\s+/g, '');
    assert.match(secret, /^[A-Z2-7]{32}$/);
    const qr = page.getByRole('img', { name: QR_NAME });
    const png = path.join(L.SHOTS, 'two-step-qr.png');
    await L.screenshot(page, 'two-step-qr-page');
    await qr.screenshot({ path: png });
    const uri = new URL(L.readQr(png));
    assert.equal(uri.protocol, 'otpauth:');
    assert.equal(uri.searchParams.get('secret'), secret);
    assert.ok(decodeURIComponent(uri.pathname).includes(email), uri.href);
    await audit.check(page, 'two-step-enrol');
    await audit.phoneShot(page, 'two-step-enrol-phone');
    assert.deepEqual(await splitGroups(page), [],
      'the key breaks inside a group on a phone');

    // A wrong first code keeps it off; the right one turns it on.
    let at = await L.freshStep(H.server);
    await page.locator('#code').fill(wrongCode(secret, at));
    await L.clickThenLoad(page, page.getByRole('button',
      { name: 'Turn on two-step log-in' }));
    assert.ok(await page.getByRole('alert').isVisible());
    assert.ok(await page.locator('#totp-secret').isVisible());
    await audit.check(page, 'two-step-enrol-error');
    const kept = (await page.locator('#totp-secret').innerText())
      .replace(/\s+/g, '');
    await page.locator('#code').fill(L.totpCode(kept, at));
    await L.clickThenLoad(page, page.getByRole('button',
      { name: 'Turn on two-step log-in' }));
    assert.equal(await L.h1(page), 'Two-step log-in is on');
    const codes = (await page.locator('#recovery-codes li').allInnerTexts())
      .map((c) => c.trim());
    assert.equal(codes.length, 10);
    for (const c of codes) assert.match(c, RECOVERY_RE);
    await audit.check(page, 'recovery-codes');
    await audit.phoneShot(page, 'recovery-codes-phone');
    await page.getByRole('link', { name: 'Done' }).click();
    await page.waitForURL(url('/account/two-step'));
    assert.match(await page.locator('#recovery-left').innerText(), /: 10\./);
    assert.doesNotMatch(await page.content(), new RegExp(codes[0]),
      'a recovery code shown twice');
    await audit.check(page, 'two-step-on');
    await audit.phoneShot(page, 'two-step-on-phone');

    // The log-in asks a code before any session; a wrong one is refused.
    await L.logOut(page, H.server.base);
    at = await L.freshStep(H.server);
    await page.goto(url('/login'));
    await L.logIn(page, email);
    assert.equal(await L.h1(page), 'Two-step log-in');
    assert.ok(await page.getByRole('navigation', { name: 'Account' })
      .getByRole('link', { name: 'Log in' }).isVisible(),
    'logged in before the code');
    assert.match(await description(page, 'code'), /recovery code/,
      'the code field does not tell of the recovery codes');
    await lettersTyped(page, 'code');
    await audit.check(page, 'login-code');
    await audit.phoneShot(page, 'login-code-phone');
    await page.getByLabel('Code from your authenticator app')
      .fill(wrongCode(kept, at));
    await L.clickThenLoad(page, page.getByRole('button', { name: 'Log in' }));
    assert.match(await page.getByRole('alert').innerText(), /Wrong code/);
    await audit.check(page, 'login-code-error');
    await page.getByLabel('Code from your authenticator app')
      .fill(L.totpCode(kept, at));
    await L.clickThenLoad(page, page.getByRole('button', { name: 'Log in' }));
    assert.equal(path0(page), '/');
    assert.equal(await L.h1(page), 'My Applications');

    // A recovery code in place of one: once.
    for (const expect of ['/', '/login']) {
      await L.logOut(page, H.server.base);
      await page.goto(url('/login'));
      await L.logIn(page, email);
      await page.getByLabel('Code from your authenticator app')
        .fill(codes[0]);
      await L.clickThenLoad(page, page.getByRole('button', { name: 'Log in' }));
      if (expect === '/') {
        assert.equal(path0(page), '/');
      } else {
        assert.match(await page.getByRole('alert').innerText(), /Wrong code/);
      }
    }
    Object.assign(shared, { email, secret: kept, codes });
  });
});

test('keyboard only: the log-in code step and the new password form, focus ' +
    'visible', { timeout: TEST_TIMEOUT }, async () => {
  assert.ok(shared.secret, 'needs the account of the two-step journey');
  await withPage({}, async (page) => {
    const at = await L.freshStep(H.server);
    await page.goto(url('/login'));
    await L.tabTo(page, 'email');
    await page.keyboard.type(shared.email);
    await page.keyboard.press('Tab');
    await page.keyboard.type(L.PASSWORD);
    await Promise.all([page.waitForEvent('load'),
      page.keyboard.press('Enter')]);
    await L.tabTo(page, 'code');
    const outline = await L.focusOutline(page);
    assert.ok(outline.style !== 'none' && outline.width >= 2,
      `the focused code field shows no outline: ${JSON.stringify(outline)}`);
    await page.keyboard.type(L.totpCode(shared.secret, at));
    await page.keyboard.press('Enter');
    await page.waitForURL(url('/'));

    await page.goto(url('/account'));
    await L.tabTo(page, 'current_password');
    await page.keyboard.type('not my password');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.id),
      'new_password');
    await page.keyboard.type('typed, never saved');
    await L.tabTo(page, 'Change password');
    const button = await L.focusOutline(page);
    assert.ok(button.style !== 'none' && button.width >= 2,
      `the focused button shows no outline: ${JSON.stringify(button)}`);
    await Promise.all([page.waitForEvent('load'),
      page.keyboard.press('Enter')]);
    assert.match(await page.locator('#current-password-error').innerText(),
      /not your current password/);
  });
});

test('the client flow asks the code after the password, on its own page',
  { timeout: TEST_TIMEOUT }, async () => {
    assert.ok(shared.secret, 'needs the account of the two-step journey');
    await withPage({}, async (page) => {
      // A developer (no two-step) registers an app allowing the flow.
      await L.signUp(page, H.server.base, L.uniqueEmail('clientdev'));
      const key = await L.createApp(page, H.server.base, 'Pocket Notes');
      await page.getByLabel('Allow the client flow').check();
      await L.saveSettings(page, { redirectUris: url('/cb'),
        publicName: 'Pocket Notes' });
      await page.waitForURL(url(`/apps/${key}?saved=1`));
      await L.logOut(page, H.server.base);

      const q = new URLSearchParams({ response_type: 'token', client_id: key,
        redirect_uri: url('/cb'), scope: 'account_read', state: 'c1' });
      await page.goto(url(`/oauth2/authorize?${q}`));
      assert.equal(await L.h1(page), 'Log in to continue to Pocket Notes');
      await audit.check(page, 'grant-login');
      const at = await L.freshStep(H.server);
      await page.getByLabel('Email').fill(shared.email);
      await page.getByLabel('Password').fill(L.PASSWORD);
      await L.clickThenLoad(page, page.getByRole('button', { name: 'Log in' }));
      assert.equal(await L.h1(page), 'Log in to continue to Pocket Notes');
      const code = page.getByLabel('Code from your authenticator app');
      assert.ok(await code.isVisible(), 'no code asked');
      assert.match(await description(page, 'code'), /recovery code/);
      await lettersTyped(page, 'code');
      await audit.check(page, 'grant-code');
      await audit.phoneShot(page, 'grant-code-phone');
      await code.fill(L.totpCode(shared.secret, at));
      await L.clickThenLoad(page, page.getByRole('button',
        { name: 'Continue' }));
      assert.equal(await L.h1(page), 'Grant access to Pocket Notes?');
      await page.getByRole('button', { name: 'Allow' }).click();
      await page.waitForURL((u) => u.pathname === '/cb');
      const back = new URLSearchParams(new URL(page.url()).hash.slice(1));
      assert.ok(back.get('access_token'), page.url());
      assert.equal(back.get('state'), 'c1');
    });
  });

test('two-step log-in turned off from its page: the password and a code',
  { timeout: TEST_TIMEOUT }, async () => {
    assert.ok(shared.secret, 'needs the account of the two-step journey');
    await withPage({}, async (page) => {
      let at = await L.freshStep(H.server);
      await page.goto(url('/login'));
      await L.logIn(page, shared.email);
      await page.getByLabel('Code from your authenticator app')
        .fill(L.totpCode(shared.secret, at));
      await L.clickThenLoad(page, page.getByRole('button', { name: 'Log in' }));
      await page.goto(url('/account/two-step'));

      at = await L.freshStep(H.server);
      await page.getByLabel('Password').fill('not my password');
      await page.getByLabel('Code from the app, or a recovery code')
        .fill(L.totpCode(shared.secret, at));
      await L.clickThenLoad(page, page.getByRole('button',
        { name: 'Turn off two-step log-in' }));
      assert.match(await page.getByRole('alert').innerText(),
        /Wrong password/);
      await audit.check(page, 'two-step-off-error');
      await page.getByLabel('Password').fill(L.PASSWORD);
      await page.getByLabel('Code from the app, or a recovery code')
        .fill(L.totpCode(shared.secret, at));
      await L.clickThenLoad(page, page.getByRole('button',
        { name: 'Turn off two-step log-in' }));
      assert.match(await page.getByRole('status').innerText(),
        /Two-step log-in is off/);
      assert.equal(await page.getByRole('alert').count(), 0,
        'good news shown as a problem');
      assert.ok(await page.getByRole('img', { name: QR_NAME }).isVisible(),
        'no new enrolment offered');
      await audit.check(page, 'two-step-off');

      // The password alone logs in again.
      await L.logOut(page, H.server.base);
      await page.goto(url('/login'));
      await L.logIn(page, shared.email);
      assert.equal(path0(page), '/');
    });
  });

test('a server that asks a verified address: the page saying so',
  { timeout: TEST_TIMEOUT }, async () => {
    const strict = await L.startServer(['--require-verified-email']);
    try {
      const { context, page } = await L.newPage(H.browser);
      try {
        const email = L.uniqueEmail('strict');
        await L.signUp(page, strict.base, email);
        await page.goto(`${strict.base}/apps/new`);
        await page.getByLabel('Name').fill('Too Early');
        await L.clickThenLoad(page, page.getByRole('button',
          { name: 'Create application' }));
        assert.equal(await L.h1(page), 'Verify your email address first');
        assert.ok((await page.locator('main').innerText()).includes(email));
        await audit.check(page, 'unverified');
        await audit.phoneShot(page, 'unverified-phone');
        await L.clickThenLoad(page, page.getByRole('button',
          { name: 'Send the link again' }));
        await L.waitMail(strict, email, 'Confirm your email address');
      } finally {
        await context.close();
      }
    } finally {
      const { code } = await strict.stop();
      assert.equal(code, 0, strict.log());
    }
  });

test('every page above: axe finds nothing serious or critical, and the ' +
    'phone-sized ones fit 390 px without sideways scrolling', async () => {
  const expected = ['account-unverified', 'verify-email', 'verify-email-done',
    'link-bad', 'account', 'account-errors', 'account-password-changed',
    'account-email-sent', 'verify-new-email', 'forgot', 'forgot-sent',
    'reset', 'reset-errors', 'reset-done', 'two-step-enrol',
    'two-step-enrol-error', 'recovery-codes', 'two-step-on', 'login-code',
    'login-code-error', 'grant-login', 'grant-code', 'two-step-off-error',
    'two-step-off', 'unverified'];
  const phones = ['verify-email-phone', 'account-phone', 'forgot-phone',
    'reset-phone', 'two-step-enrol-phone', 'recovery-codes-phone',
    'two-step-on-phone', 'login-code-phone', 'grant-code-phone',
    'unverified-phone'];
  L.writeAxeReport(audit, 'axe-account.json');
  const problems = L.auditProblems(audit, expected, phones);
  assert.equal(problems.length, 0, problems.join('\n'));
});
