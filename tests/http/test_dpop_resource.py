"""DPoP at the resource side (RFC 9449 §7; docs/REFERENCE.md §17.1):
/oauth2/check, /oauth2/userinfo and /v3 take `Authorization: DPoP
<token>` with one DPoP header carrying a fresh proof for that request
(htm, htu, ath); a replayed proof, one for another URL or method, a
missing or wrong ath, a second DPoP header, a bound token sent as Bearer
or with another key's proof are each refused with their RFC 9449
challenge; behind a proxy /oauth2/check takes the proxied request's
method and URI (X-Original-Method, X-Original-URI); with --dpop-nonce a
proof without the server's nonce gets use_dpop_nonce and DPoP-Nonce."""

import http.client
import re
from urllib.parse import urlsplit

import pytest
import requests

import dpopkit
import kgtest
import oauthkit
from oauthkit import User, approve, clock, make_app, tokens_ok

server = oauthkit.module_server()

SCOPE = "openid account_read"


@pytest.fixture(scope="module")
def app(server):
    return make_app(server)


@pytest.fixture(scope="module")
def user(server):
    return User(server, "dr")


def plain_tokens(app, user):
    res, _ = approve(user, app, scope=SCOPE)
    return tokens_ok(oauthkit.exchange(app, res["code"]))


@pytest.fixture(scope="module")
def token(app, user):
    """An access token with no binding: RFC 9449 §7.2 lets it be sent
    under the DPoP scheme, whose proof is then checked all the same."""
    return plain_tokens(app, user)["access_token"]


@pytest.fixture(scope="module")
def key():
    return dpopkit.Key("ES256")


def dpop_get(server, path, token, proof, headers=None, method="GET"):
    h = {"Authorization": f"DPoP {token}"}
    if proof is not None:
        h["DPoP"] = proof
    h.update(headers or {})
    return requests.request(method, server.url(path), headers=h, timeout=10)


def proof_for(server, key, path, token, method="GET", **kw):
    return key.proof(method, server.url(path), access_token=token,
                     iat=kw.pop("iat", clock(server)), **kw)


def refused(r, error, status=401):
    assert r.status_code == status, (r.status_code, r.text)
    www = r.headers.get("WWW-Authenticate", "")
    assert www.startswith("DPoP "), www
    assert f'error="{error}"' in www, www
    assert 'algs="ES256 EdDSA RS256"' in www, www
    # RFC 9728 §5.1, as on the Bearer challenges (§3.6)
    origin = "/".join(r.url.split("/")[:3])
    assert (f'resource_metadata="{origin}/.well-known/'
            f'oauth-protected-resource"') in www, www
    assert r.json()["error"] == error, r.text
    return r


PATHS = ("/oauth2/check", "/oauth2/userinfo", "/v3/account/summary")


@pytest.mark.parametrize("alg", dpopkit.ALGS)
def test_each_resource_takes_a_fresh_proof(server, token, alg):
    k = dpopkit.Key(alg)
    for path in PATHS:
        r = dpop_get(server, path, token, proof_for(server, k, path, token))
        assert r.status_code == 200, (path, r.status_code, r.text)
    r = dpop_get(server, "/oauth2/userinfo", token,
                 proof_for(server, k, "/oauth2/userinfo", token,
                           method="POST"), method="POST")
    assert r.status_code == 200, r.text


def test_no_token_offers_both_schemes(server):
    r = requests.get(server.url("/oauth2/check"), timeout=10)
    assert r.status_code == 401
    assert r.headers["WWW-Authenticate"] == kgtest.challenge(server), \
        r.headers
    assert r.headers["WWW-Authenticate"].endswith(
        ', DPoP algs="ES256 EdDSA RS256"'), r.headers


def test_replayed_proof_refused(server, token, key):
    p = proof_for(server, key, "/oauth2/check", token)
    assert dpop_get(server, "/oauth2/check", token, p).status_code == 200
    r = refused(dpop_get(server, "/oauth2/check", token, p),
                "invalid_dpop_proof")
    assert "used before" in r.json()["error_description"]


def test_proof_for_another_url_or_method_refused(server, token, key):
    p = proof_for(server, key, "/oauth2/userinfo", token)
    refused(dpop_get(server, "/v3/account/summary", token, p),
            "invalid_dpop_proof")
    p = proof_for(server, key, "/oauth2/userinfo", token, method="POST")
    r = refused(dpop_get(server, "/oauth2/userinfo", token, p),
                "invalid_dpop_proof")
    assert "htm" in r.json()["error_description"]
    # a query is no part of htu: the same proof with one passes
    p = proof_for(server, key, "/oauth2/userinfo", token)
    r = requests.get(server.url("/oauth2/userinfo?x=1"), timeout=10,
                     headers={"Authorization": f"DPoP {token}", "DPoP": p})
    assert r.status_code == 200, r.text


def test_ath_missing_or_wrong_refused(server, token, key):
    p = key.proof("GET", server.url("/oauth2/check"), iat=clock(server))
    r = refused(dpop_get(server, "/oauth2/check", token, p),
                "invalid_dpop_proof")
    assert "ath" in r.json()["error_description"]
    p = key.proof("GET", server.url("/oauth2/check"), iat=clock(server),
                  access_token=token + "x")
    refused(dpop_get(server, "/oauth2/check", token, p), "invalid_dpop_proof")


def test_proof_missing_doubled_or_stale_refused(server, token, key):
    refused(dpop_get(server, "/oauth2/check", token, None),
            "invalid_dpop_proof")
    p = proof_for(server, key, "/oauth2/check", token)
    u = urlsplit(server.url("/oauth2/check"))
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
    conn.putrequest("GET", u.path)
    conn.putheader("Authorization", f"DPoP {token}")
    conn.putheader("DPoP", p)
    conn.putheader("DPoP", p)
    conn.endheaders()
    resp = conn.getresponse()
    assert resp.status == 401, resp.status
    assert 'error="invalid_dpop_proof"' in resp.getheader("WWW-Authenticate")
    conn.close()
    old = proof_for(server, key, "/oauth2/check", token,
                    iat=clock(server) - 120)
    r = refused(dpop_get(server, "/oauth2/check", token, old),
                "invalid_dpop_proof")
    assert "iat" in r.json()["error_description"]
    # the proof of a private key member, whatever else it says
    bad = proof_for(server, key, "/oauth2/check", token,
                    header={"jwk": dict(key.jwk, d="AAAA")})
    refused(dpop_get(server, "/oauth2/check", token, bad),
            "invalid_dpop_proof")


def test_check_behind_a_proxy_takes_the_original_request(server, token, key):
    api = "https://api.example.com/orders/7"
    p = key.proof("DELETE", api + "?force=1", access_token=token,
                  iat=clock(server))
    orig = {"X-Original-Method": "DELETE", "X-Original-URI": api + "?force=1"}
    r = dpop_get(server, "/oauth2/check", token, p, orig)
    assert r.status_code == 200, r.text
    # a path alone is under the issuer
    p = proof_for(server, key, "/orders", token, method="POST")
    r = dpop_get(server, "/oauth2/check", token, p,
                 {"X-Original-Method": "POST", "X-Original-URI": "/orders"})
    assert r.status_code == 200, r.text
    # the proof must name what the proxy says, not the check
    p = proof_for(server, key, "/oauth2/check", token)
    refused(dpop_get(server, "/oauth2/check", token, p, orig),
            "invalid_dpop_proof")


def test_bad_token_under_dpop_is_invalid_token(server, key):
    p = proof_for(server, key, "/oauth2/check", "kga_nope")
    refused(dpop_get(server, "/oauth2/check", "kga_nope", p), "invalid_token")


def test_a_proof_with_a_token_that_is_no_good_is_not_remembered(server,
                                                                 key):
    """Anyone can sign proofs: the server remembers one only once its
    token is found good, so sending it again is answered about the token
    again, not as a replay (before, it was: a flood of such proofs filled
    the replay memory and made every client send nonces)."""
    for token in ("kga_nope", "kg_at_" + "A" * 43):
        p = proof_for(server, key, "/oauth2/check", token)
        for _ in range(2):
            r = refused(dpop_get(server, "/oauth2/check", token, p),
                        "invalid_token")
            assert "used before" not in r.text, r.text


def test_nonce_demanded_then_accepted(make_server):
    srv = oauthkit.oauth_server(make_server, "--dpop-nonce")
    app = make_app(srv)
    token = plain_tokens(app, User(srv, "dn"))["access_token"]
    k = dpopkit.Key("EdDSA")
    r = refused(dpop_get(srv, "/oauth2/userinfo", token,
                         proof_for(srv, k, "/oauth2/userinfo", token)),
                "use_dpop_nonce")
    nonce = r.headers["DPoP-Nonce"]
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", nonce), nonce
    r = dpop_get(srv, "/oauth2/userinfo", token,
                 proof_for(srv, k, "/oauth2/userinfo", token, nonce=nonce))
    assert r.status_code == 200, r.text
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", r.headers.get("DPoP-Nonce",
                                                             "")), r.headers
    # a nonce two minutes old is no longer taken
    srv.advance(121)
    refused(dpop_get(srv, "/oauth2/userinfo", token,
                     proof_for(srv, k, "/oauth2/userinfo", token,
                               nonce=nonce)), "use_dpop_nonce")


@pytest.fixture(scope="module")
def bound(server, app, user, key):
    """An access token bound to `key` at the token endpoint."""
    res, _ = approve(user, app, scope=SCOPE)
    data, headers = oauthkit.client_auth(
        app, [("grant_type", "authorization_code"), ("code", res["code"]),
              ("redirect_uri", app.redirect_uri)])
    headers["DPoP"] = key.proof("POST", server.url("/oauth2/token"),
                                iat=clock(server))
    r = oauthkit.post(server, "/oauth2/token", data, headers)
    assert r.status_code == 200, (r.status_code, r.text)
    t = r.json()
    assert t["token_type"] == "DPoP", t
    return t["access_token"]


def test_bound_token_with_its_key(server, bound, key):
    for path in PATHS:
        r = dpop_get(server, path, bound, proof_for(server, key, path, bound))
        assert r.status_code == 200, (path, r.status_code, r.text)


def test_bound_token_as_bearer_refused(server, bound, key):
    for path in PATHS:
        r = requests.get(server.url(path), timeout=10,
                         headers={"Authorization": f"Bearer {bound}"})
        r = refused(r, "invalid_token")
        assert "bound to a DPoP key" in r.json()["error_description"]
    # a proof beside the Bearer scheme changes nothing
    r = requests.get(server.url("/oauth2/check"), timeout=10, headers={
        "Authorization": f"Bearer {bound}",
        "DPoP": proof_for(server, key, "/oauth2/check", bound)})
    refused(r, "invalid_token")


@pytest.mark.parametrize("alg", dpopkit.ALGS)
def test_bound_token_with_another_key_refused(server, bound, alg):
    thief = dpopkit.Key(alg)
    for path in PATHS:
        p = proof_for(server, thief, path, bound)
        for _ in range(2):      # and not remembered: refused the same way
            r = refused(dpop_get(server, path, bound, p), "invalid_token")
            assert "another DPoP key" in r.json()["error_description"]
