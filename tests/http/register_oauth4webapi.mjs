// A client that registers itself: npm's oauth4webapi (package.json),
// unmodified, reads keygate's metadata, registers through its
// registration_endpoint (RFC 7591, dynamicClientRegistrationRequest and
// processDynamicClientRegistrationResponse) and logs a person in with the
// client it got (docs/REFERENCE.md §22.3). Driven by
// tests/http/test_registration_oauth4webapi.py:
//
//   node register_oauth4webapi.mjs '<JSON>'
//
// with issuer, token (the initial access token, a personal access token;
// absent under open registration), metadata (what the client registers),
// email and password (the person; o4w_person.mjs's plain fetch with a
// cookie jar posts keygate's forms as a browser would).
//
// It prints one JSON line: {"ok": true, "client", "claims"} or
// {"ok": false, "name", "code", "error", "message"}.
import * as oauth from 'oauth4webapi';
import { Person } from './o4w_person.mjs';

const cfg = JSON.parse(process.argv[2]);
const issuer = new URL(cfg.issuer);
const opts = { [oauth.allowInsecureRequests]: true };

async function main() {
  const as = await oauth.processDiscoveryResponse(issuer,
    await oauth.discoveryRequest(issuer, { ...opts, algorithm: 'oidc' }));
  const reg = { ...opts };
  if (cfg.token) reg.initialAccessToken = cfg.token;
  const client = await oauth.processDynamicClientRegistrationResponse(
    await oauth.dynamicClientRegistrationRequest(as, cfg.metadata, reg));
  const clientAuth = client.client_secret
    ? oauth.ClientSecretBasic(client.client_secret) : oauth.None();
  const redirectUri = client.redirect_uris[0];
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const nonce = oauth.generateRandomNonce();
  const auth = new URL(as.authorization_endpoint);
  auth.search = new URLSearchParams({ client_id: client.client_id,
    redirect_uri: redirectUri, response_type: 'code',
    scope: 'openid email', state, nonce,
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256' }).toString();
  const person = new Person(cfg.email, cfg.password, redirectUri);
  const callback = new URL(await person.browse(auth.href));
  const params = oauth.validateAuthResponse(as, client, callback, state);
  const response = await oauth.authorizationCodeGrantRequest(as, client,
    clientAuth, params, redirectUri, verifier, opts);
  const result = await oauth.processAuthorizationCodeResponse(as, client,
    response, { expectedNonce: nonce, requireIdToken: true });
  await oauth.validateApplicationLevelSignature(as, response, opts);
  const { client_secret: _, ...shown } = client;
  return { ok: true, client: shown, has_secret: Boolean(_),
    claims: oauth.getValidatedIdTokenClaims(result) };
}

main().then((out) => console.log(JSON.stringify(out)), (e) => {
  console.log(JSON.stringify({ ok: false, name: e.name, code: e.code,
    error: e.error, message: e.message }));
});
