// npm's oauth4webapi (package.json), unmodified, as a client holding a
// DPoP key (RFC 9449) and pushing its authorization request (RFC 9126).
// Driven by tests/http/test_dpop_par_oauth4webapi.py:
//
//   node dpop_oauth4webapi.mjs '<JSON>'
//
// with issuer, client_id, client_secret (null: a public client), redirect_uri,
// email, password (the person who logs in) and alg (the DPoP key's: ES256,
// EdDSA or RS256).
//
// The journey, every step oauth4webapi's own: discovery; the pushed
// authorization request (PKCE S256, state) with a DPoP proof; the person
// logs in and allows (o4w_person.mjs); the code exchanged with a proof;
// GET /v3/account/summary with the DPoP-bound token and a proof; the refresh
// with a proof, and a call with the new token. Between them the refusals a
// stolen token or proof must meet, each from a proof oauth4webapi made (its
// customFetch sends the request elsewhere, or captures it to send again):
// the same proof sent twice, a proof sent to another URL, a proof sent with
// another method, the token presented as Bearer, and, for a public client
// (whose refresh token is bound too, RFC 9449 §5), the refresh by another
// key (before the real refresh: refusing it must not spend the refresh
// token). Last, a second request pushed with a proof, whose code (bound to
// the key by that proof, RFC 9449 §10.1) is exchanged with another key's.
//
// It prints one JSON line: {"ok": true, ...what it saw} or {"ok": false,
// "name", "code", "error", "message"} (the error oauth4webapi threw).
import * as oauth from 'oauth4webapi';
import { Person } from './o4w_person.mjs';

const cfg = JSON.parse(process.argv[2]);
const issuer = new URL(cfg.issuer);
const person = new Person(cfg.email, cfg.password, cfg.redirect_uri);
const opts = { [oauth.allowInsecureRequests]: true };

// oauth4webapi keeps the server's DPoP-Nonce; a request refused with
// use_dpop_nonce is sent once more, as RFC 9449 §8 has clients do.
async function once(fn) {
  try {
    return await fn();
  } catch (e) {
    if (!oauth.isDPoPNonceError(e)) throw e;
    return fn();
  }
}

// A protected call whose request goes through `send` (url, init) instead
// of fetch; its status, or the challenge's error when oauth4webapi throws
// on a 401 with WWW-Authenticate.
async function call(token, method, path, DPoP, send = fetch) {
  const url = new URL(path, issuer);
  try {
    const res = await oauth.protectedResourceRequest(token, method, url,
      undefined, undefined, { ...opts, DPoP, [oauth.customFetch]: send });
    return { status: res.status, body: await res.text() };
  } catch (e) {
    if (oauth.isDPoPNonceError(e)) {
      return call(token, method, path, DPoP, send);
    }
    if (e instanceof oauth.WWWAuthenticateChallengeError) {
      return { status: e.response.status,
        error: e.cause.map((c) => `${c.scheme} ${c.parameters.error}`)
          .join(', ') };
    }
    throw e;
  }
}

// An authorization request pushed with DPoP's proof, the person's log-in
// and Allow: what oauth4webapi pushed and the callback's parameters.
async function pushAndAllow(as, client, clientAuth, DPoP) {
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const pushed = await once(async () =>
    oauth.processPushedAuthorizationResponse(as, client,
      await oauth.pushedAuthorizationRequest(as, client, clientAuth, {
        redirect_uri: cfg.redirect_uri, response_type: 'code',
        scope: 'account_read', state,
        code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256' }, { ...opts, DPoP })));
  const auth = new URL(as.authorization_endpoint);
  auth.search = new URLSearchParams({ client_id: cfg.client_id,
    request_uri: pushed.request_uri }).toString();
  const callback = new URL(await person.browse(auth.href));
  const params = oauth.validateAuthResponse(as, client, callback, state);
  return { pushed, params, verifier };
}

// A second request pushed with DPoP's proof; its code, which that proof
// bound to DPoP's key, exchanged with a proof by `other`: what the server
// said.
async function codeByAnotherKey(as, client, clientAuth, DPoP, other) {
  const { params, verifier } = await pushAndAllow(as, client, clientAuth,
    DPoP);
  try {
    await once(async () => oauth.processAuthorizationCodeResponse(as,
      client, await oauth.authorizationCodeGrantRequest(as, client,
        clientAuth, params, cfg.redirect_uri, verifier,
        { ...opts, DPoP: other })));
    return { refused: false };
  } catch (e) {
    return { refused: true, error: e.error, status: e.status,
      description: e.error_description };
  }
}

async function main() {
  const as = await oauth.processDiscoveryResponse(issuer,
    await oauth.discoveryRequest(issuer, { ...opts, algorithm: 'oauth2' }));
  const client = { client_id: cfg.client_id };
  const clientAuth = cfg.client_secret
    ? oauth.ClientSecretBasic(cfg.client_secret) : oauth.None();
  const DPoP = oauth.DPoP(client, await oauth.generateKeyPair(cfg.alg));
  const other = oauth.DPoP(client, await oauth.generateKeyPair(cfg.alg));
  const seen = { metadata_algs: as.dpop_signing_alg_values_supported,
    par_endpoint: as.pushed_authorization_request_endpoint };

  const { pushed, params, verifier } = await pushAndAllow(as, client,
    clientAuth, DPoP);
  seen.request_uri = pushed.request_uri;
  seen.expires_in = pushed.expires_in;
  const tokens = await once(async () =>
    oauth.processAuthorizationCodeResponse(as, client,
      await oauth.authorizationCodeGrantRequest(as, client, clientAuth,
        params, cfg.redirect_uri, verifier, { ...opts, DPoP })));
  seen.token_type = tokens.token_type;
  const at = tokens.access_token;

  let captured;
  const capture = (url, init) => {
    captured = { url, init };
    return fetch(url, init);
  };
  seen.summary = await call(at, 'GET', '/v3/account/summary', DPoP, capture);
  const again = await fetch(captured.url, captured.init);
  seen.replayed = { status: again.status,
    challenge: again.headers.get('www-authenticate') };
  seen.other_url = await call(at, 'GET', '/v3/account/summary', DPoP,
    (url, init) => fetch(new URL('/oauth2/userinfo', issuer), init));
  seen.other_method = await call(at, 'GET', '/oauth2/userinfo', DPoP,
    (url, init) => fetch(url, { ...init, method: 'POST' }));
  const bearer = await fetch(new URL('/v3/account/summary', issuer),
    { headers: { authorization: `Bearer ${at}` } });
  seen.as_bearer = { status: bearer.status,
    challenge: bearer.headers.get('www-authenticate') };

  if (!cfg.client_secret) {
    try {
      await once(async () => oauth.processRefreshTokenResponse(as, client,
        await oauth.refreshTokenGrantRequest(as, client, clientAuth,
          tokens.refresh_token, { ...opts, DPoP: other })));
      seen.other_key_refresh = { refused: false };
    } catch (e) {
      seen.other_key_refresh = { refused: true, error: e.error,
        status: e.status };
    }
  }
  const refreshed = await once(async () =>
    oauth.processRefreshTokenResponse(as, client,
      await oauth.refreshTokenGrantRequest(as, client, clientAuth,
        tokens.refresh_token, { ...opts, DPoP })));
  seen.refreshed_token_type = refreshed.token_type;
  seen.refreshed_summary = await call(refreshed.access_token, 'GET',
    '/v3/account/summary', DPoP);
  seen.code_other_key = await codeByAnotherKey(as, client, clientAuth, DPoP,
    other);
  return { ok: true, ...seen };
}

main().then((out) => {
  console.log(JSON.stringify(out));
}, (e) => {
  console.log(JSON.stringify({ ok: false, name: e.name, code: e.code,
    error: e.error, description: e.error_description, message: e.message }));
});
