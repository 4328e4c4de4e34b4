// A real relying party in JavaScript: npm's oauth4webapi (package.json),
// unmodified, logs a person in through keygate (docs/REFERENCE.md). Driven by
// tests/http/test_oidc_rp_oauth4webapi.py, which runs it once per log-in:
//
//   node rp_oauth4webapi.mjs '<JSON>'
//
// with issuer, client_id, client_secret, redirect_uri, alg, email,
// password, nonce (the RP's own, chosen by the test so that it can fetch
// an answer with the same nonce for another app), token_via (a base URL
// the token request goes to instead: the tampering proxy, interposed with
// oauth4webapi's customFetch) and jwks_cache (a file holding the JWKS
// cache between runs, as oauth4webapi's jwksCache documents).
//
// It prints one JSON line: {"ok": true, "claims", "header"} or
// {"ok": false, "name", "code", "error", "message"} (the error
// oauth4webapi threw).
//
// With "mode": "device" it is a device instead (RFC 8628): oauth4webapi's
// deviceAuthorizationRequest and processDeviceAuthorizationResponse, one
// JSON line with the codes for the test (which approves or denies on the
// /device page, as the person would), then deviceCodeGrantRequest and
// processDeviceCodeResponse until an answer. Before each poll it prints
// {"waiting": seconds} and reads a line: the test moves keygate's test
// clock by that interval and answers, so the wait costs no wall time.
// The log-in is plain fetch with a cookie jar, posting keygate's forms as
// a browser would. Discovery, the authorization URL (PKCE S256, state,
// nonce), processAuthorizationCodeResponse (iss, aud, exp, iat, nonce,
// auth_time) and validateApplicationLevelSignature (the signature against
// the JWKS of jwks_uri) are oauth4webapi's.
import fs from 'node:fs';
import readline from 'node:readline';
import * as oauth from 'oauth4webapi';

const cfg = JSON.parse(process.argv[2]);
const issuer = new URL(cfg.issuer);
const jar = new Map();            // cookie name -> value (keygate's host)

function keepCookies(res) {
  for (const line of res.headers.getSetCookie()) {
    const [pair, ...attrs] = line.split(';');
    const eq = pair.indexOf('=');
    const name = pair.slice(0, eq).trim();
    const gone = attrs.some((a) => /^\s*max-age=0\s*$/i.test(a));
    if (gone) jar.delete(name); else jar.set(name, pair.slice(eq + 1).trim());
  }
}

function cookieHeader() {
  return [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
}

// The token request goes to cfg.token_via when set: oauth4webapi's way of
// letting a test interpose (customFetch).
const customFetch = (url, options) => {
  let target = url;
  if (cfg.token_via && as && url === as.token_endpoint) {
    const u = new URL(url);
    target = cfg.token_via + u.pathname + u.search;
  }
  return fetch(target, options);
};
const opts = { [oauth.allowInsecureRequests]: true,
  [oauth.customFetch]: customFetch };

const attr = (tag, name) => {
  const m = tag.match(new RegExp(`\\s${name}="([^"]*)"`, 'i'));
  return m ? m[1].replace(/&amp;/g, '&').replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>')
    : null;
};

// The fields a person sends on keygate's log-in or Grant Access form, or
// null when the page has neither.
function formToPost(page) {
  for (const m of page.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)) {
    const open = `<form ${m[1]}`;
    if ((attr(open, 'method') || '').toLowerCase() !== 'post') continue;
    const body = m[2];
    const inputs = [...body.matchAll(/<input\b[^>]*>/gi)].map((x) => x[0]);
    const buttons = [...body.matchAll(/<button\b[^>]*>/gi)].map((x) => x[0]);
    const data = new URLSearchParams();
    let hasPassword = false;
    let hasEmail = false;
    for (const tag of inputs) {
      const type = (attr(tag, 'type') || 'text').toLowerCase();
      if (type === 'hidden') data.append(attr(tag, 'name'), attr(tag, 'value') || '');
      if (attr(tag, 'name') === 'password') hasPassword = true;
      if (attr(tag, 'name') === 'email') hasEmail = true;
    }
    const want = hasPassword ? ['login', null] : ['allow'];
    const button = [...buttons, ...inputs.filter((t) =>
      (attr(t, 'type') || '').toLowerCase() === 'submit')]
      .find((t) => want.includes(attr(t, 'value')) ||
        (want.includes(null) && !attr(t, 'name')));
    if (!button) continue;
    if (hasPassword) {
      if (hasEmail) data.append('email', cfg.email);
      data.append('password', cfg.password);
    }
    if (attr(button, 'name')) data.append(attr(button, 'name'), attr(button, 'value') || '');
    return { action: attr(open, 'action'), data };
  }
  return null;
}

// Follows keygate's pages until it redirects to the RP's redirect_uri;
// returns that URL.
async function browse(start) {
  let url = start;
  let init = { method: 'GET' };
  for (let step = 0; step < 25; step += 1) {
    const res = await fetch(url, { ...init, redirect: 'manual',
      headers: { ...(init.headers || {}), cookie: cookieHeader() } });
    keepCookies(res);
    const loc = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && loc) {
      const next = new URL(loc, url).href;
      if (next.startsWith(cfg.redirect_uri)) return next;
      url = next;
      init = { method: 'GET' };
      continue;
    }
    const form = res.status === 200 ? formToPost(await res.text()) : null;
    if (!form) throw new Error(`stuck at ${url}: ${res.status}`);
    url = new URL(form.action, url).href;
    init = { method: 'POST', body: form.data.toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' } };
  }
  throw new Error('too many steps');
}

let as;
async function main() {
  as = await oauth.processDiscoveryResponse(issuer,
    await oauth.discoveryRequest(issuer, { ...opts, algorithm: 'oidc' }));
  const client = { client_id: cfg.client_id };
  if (cfg.alg) client.id_token_signed_response_alg = cfg.alg;
  const clientAuth = oauth.ClientSecretBasic(cfg.client_secret);
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const nonce = cfg.nonce || oauth.generateRandomNonce();
  const auth = new URL(as.authorization_endpoint);
  const request = { client_id: cfg.client_id,
    redirect_uri: cfg.redirect_uri, response_type: 'code',
    scope: 'openid email', state, nonce,
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256' };
  if (cfg.par) {
    // RFC 9126 through oauth4webapi: the parameters pushed, the browser
    // given client_id and request_uri alone
    const pushed = await oauth.processPushedAuthorizationResponse(as,
      client, await oauth.pushedAuthorizationRequest(as, client,
        clientAuth, request, opts));
    auth.search = new URLSearchParams({ client_id: cfg.client_id,
      request_uri: pushed.request_uri }).toString();
  } else {
    auth.search = new URLSearchParams(request).toString();
  }

  const callback = new URL(await browse(auth.href));
  const params = oauth.validateAuthResponse(as, client, callback, state);
  const response = await oauth.authorizationCodeGrantRequest(as, client,
    clientAuth, params, cfg.redirect_uri, verifier, opts);
  const result = await oauth.processAuthorizationCodeResponse(as, client,
    response, { expectedNonce: nonce, requireIdToken: true });
  const cache = cfg.jwks_cache && fs.existsSync(cfg.jwks_cache)
    ? JSON.parse(fs.readFileSync(cfg.jwks_cache, 'utf8')) : {};
  await oauth.validateApplicationLevelSignature(as, response,
    { ...opts, [oauth.jwksCache]: cache });
  if (cfg.jwks_cache) fs.writeFileSync(cfg.jwks_cache, JSON.stringify(cache));
  const claims = oauth.getValidatedIdTokenClaims(result);
  const header = JSON.parse(Buffer.from(result.id_token.split('.')[0],
    'base64url').toString());
  return { ok: true, claims, header };
}

// The device's side: RFC 8628 §3.1-§3.5 through oauth4webapi's functions;
// waits are the test's (see above). slow_down adds 5 s to the interval, as
// §3.5 says.
async function deviceMain() {
  as = await oauth.processDiscoveryResponse(issuer,
    await oauth.discoveryRequest(issuer, { ...opts, algorithm: 'oidc' }));
  const client = { client_id: cfg.client_id };
  // deviceAuthorizationRequest puts client_id in the body whatever the
  // authentication: keygate takes it beside HTTP Basic when it names the
  // same client. The test runs both methods.
  const clientAuth = cfg.client_auth === 'basic'
    ? oauth.ClientSecretBasic(cfg.client_secret)
    : oauth.ClientSecretPost(cfg.client_secret);
  const started = await oauth.processDeviceAuthorizationResponse(as, client,
    await oauth.deviceAuthorizationRequest(as, client, clientAuth,
      { scope: cfg.scope || 'openid email' }, opts));
  console.log(JSON.stringify({ started }));
  const lines = readline.createInterface({ input: process.stdin })
    [Symbol.asyncIterator]();
  let interval = started.interval;
  for (let polls = 1; polls <= 10; polls += 1) {
    console.log(JSON.stringify({ waiting: interval }));
    if ((await lines.next()).done) throw new Error('the test went away');
    const response = await oauth.deviceCodeGrantRequest(as, client,
      clientAuth, started.device_code, opts);
    try {
      const result = await oauth.processDeviceCodeResponse(as, client,
        response);
      await oauth.validateApplicationLevelSignature(as, response, opts);
      const claims = oauth.getValidatedIdTokenClaims(result);
      return { ok: true, claims, polls,
        has_refresh_token: typeof result.refresh_token === 'string' };
    } catch (e) {
      if (e.error === 'authorization_pending') continue;
      if (e.error === 'slow_down') {
        interval += 5;
        continue;
      }
      throw e;
    }
  }
  throw new Error('no answer after 10 polls');
}

// Exits at once: the device's stdin may still be open.
(cfg.mode === 'device' ? deviceMain() : main()).then((out) => {
  console.log(JSON.stringify(out));
  process.exit(0);
}, (e) => {
  console.log(JSON.stringify({ ok: false, name: e.name, code: e.code,
    error: e.error, description: e.error_description, message: e.message }));
  process.exit(0);
});
