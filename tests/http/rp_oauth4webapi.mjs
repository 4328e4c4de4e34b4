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
// The log-in is o4w_person.mjs's: plain fetch with a cookie jar, posting
// keygate's forms as a browser would. Discovery, the authorization URL
// (PKCE S256, state, nonce), processAuthorizationCodeResponse (iss, aud, exp, iat, nonce,
// auth_time) and validateApplicationLevelSignature (the signature against
// the JWKS of jwks_uri) are oauth4webapi's.
import fs from 'node:fs';
import readline from 'node:readline';
import * as oauth from 'oauth4webapi';
import { Person } from './o4w_person.mjs';

const cfg = JSON.parse(process.argv[2]);
const issuer = new URL(cfg.issuer);
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

const person = new Person(cfg.email, cfg.password, cfg.redirect_uri);

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

  const callback = new URL(await person.browse(auth.href));
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
