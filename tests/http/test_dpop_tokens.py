"""DPoP-bound tokens at the token endpoint (RFC 9449 §5, §6, §8;
docs/REFERENCE.md §17.2): token_type DPoP and the access token bound to
the proof's key on every grant, a public client's refresh token bound too
and rotated only with a proof by that key, a confidential client's never,
introspection's cnf.jkt, an app that requires DPoP, the proofs refused
(replayed, for another URL or method, two headers, no nonce when one is
demanded), and the metadata. Proofs are made by dpopkit.py."""

import http.client
from urllib.parse import urlencode, urlsplit

import pytest
import requests

import devicekit
import dpopkit
import oauthkit
from oauthkit import (User, approve, client_auth, get_code, introspection,
                      make_app, oauth_server, post, token_error)

server = oauthkit.module_server()

TOKEN = "/oauth2/token"


@pytest.fixture(scope="module")
def public_app(server):
    return make_app(server, secret=False)


@pytest.fixture(scope="module")
def conf_app(server):
    return make_app(server)


@pytest.fixture(scope="module")
def user(server, public_app, conf_app):
    u = User(server, "dpop")
    approve(u, public_app)
    approve(u, conf_app)
    return u


def proof_for(server, key, method="POST", path=TOKEN, **kw):
    return key.proof(method, server.base + path, **kw)


def token_post(app, data, proof=None, auth=None):
    """A token request with `proof` (a str, or a dpopkit.Key to make one
    for this request) in its DPoP header."""
    if isinstance(proof, dpopkit.Key):
        proof = proof_for(app.server, proof)
    headers = {} if proof is None else {"DPoP": proof}
    data, headers = client_auth(app, data, auth, headers)
    return post(app.server, TOKEN, data, headers)


def code_data(user, app):
    code, verifier, ru = get_code(user, app)
    data = [("grant_type", "authorization_code"), ("code", code),
            ("redirect_uri", ru)]
    return data + ([("code_verifier", verifier)] if verifier else [])


def refresh_data(rt):
    return [("grant_type", "refresh_token"), ("refresh_token", rt)]


def dpop_ok(r, token_type="DPoP"):
    assert r.status_code == 200, (r.status_code, r.text)
    assert "no-store" in r.headers.get("Cache-Control", ""), r.headers
    j = r.json()
    assert j["token_type"] == token_type, j
    return j


def bound_to(app, token, key):
    """Asserts introspection says `token` is bound to `key` (None:
    unbound); its answer."""
    j = introspection(app, token)
    assert j["active"] is True, j
    if key is None:
        assert "cnf" not in j, j
    else:
        assert j["cnf"] == {"jkt": key.jkt}, j
    return j


@pytest.mark.parametrize("alg", dpopkit.ALGS)
def test_code_flow_binds_both_tokens_of_a_public_client(server, public_app,
                                                        user, alg):
    key = dpopkit.Key(alg)
    t = dpop_ok(token_post(public_app, code_data(user, public_app), key))
    j = bound_to(public_app, t["access_token"], key)
    assert j["token_type"] == "DPoP", j
    j = bound_to(public_app, t["refresh_token"], key)
    assert j["token_type"] == "refresh_token", j


def test_confidential_client_refresh_token_stays_unbound(server, conf_app,
                                                         user):
    key, other = dpopkit.Key(), dpopkit.Key("EdDSA")
    t = dpop_ok(token_post(conf_app, code_data(user, conf_app), key))
    bound_to(conf_app, t["access_token"], key)
    bound_to(conf_app, t["refresh_token"], None)
    # without a proof: a Bearer access token
    t2 = dpop_ok(token_post(conf_app, refresh_data(t["refresh_token"])),
                 "Bearer")
    j = bound_to(conf_app, t2["access_token"], None)
    assert j["token_type"] == "Bearer", j
    # with another key's proof: bound to that key
    t3 = dpop_ok(token_post(conf_app, refresh_data(t2["refresh_token"]),
                            other))
    bound_to(conf_app, t3["access_token"], other)
    bound_to(conf_app, t3["refresh_token"], None)


def test_public_refresh_needs_the_same_key(server, public_app, user):
    key = dpopkit.Key()
    t = dpop_ok(token_post(public_app, code_data(user, public_app), key))
    rt = t["refresh_token"]
    j = token_error(token_post(public_app, refresh_data(rt),
                               dpopkit.Key()), "invalid_grant")
    assert "does not match" in j["error_description"], j
    j = token_error(token_post(public_app, refresh_data(rt)),
                    "invalid_grant")
    assert "DPoP" in j["error_description"], j
    # neither used the token up nor ended its family
    bound_to(public_app, t["access_token"], key)
    t2 = dpop_ok(token_post(public_app, refresh_data(rt), key))
    bound_to(public_app, t2["access_token"], key)
    bound_to(public_app, t2["refresh_token"], key)


def test_public_refresh_token_bound_from_its_first_proof(server, public_app,
                                                         user):
    t = dpop_ok(token_post(public_app, code_data(user, public_app)),
                "Bearer")
    bound_to(public_app, t["refresh_token"], None)
    key = dpopkit.Key("RS256")
    t2 = dpop_ok(token_post(public_app, refresh_data(t["refresh_token"]),
                            key))
    bound_to(public_app, t2["refresh_token"], key)
    token_error(token_post(public_app, refresh_data(t2["refresh_token"])),
                "invalid_grant")


def test_replayed_proof_refused_and_nothing_used(server, public_app, user):
    key = dpopkit.Key()
    proof = proof_for(server, key)
    dpop_ok(token_post(public_app, code_data(user, public_app), proof))
    data = code_data(user, public_app)
    j = token_error(token_post(public_app, data, proof),
                    "invalid_dpop_proof")
    assert "jti" in j["error_description"], j
    # the refusal came before the exchange: the code is still good
    dpop_ok(token_post(public_app, data, key))


@pytest.mark.parametrize("change", [
    {"method": "GET"},
    {"path": "/oauth2/par"},
    {"claims": {"htu": "https://elsewhere.example/oauth2/token"}},
    {"claims": {"iat": 1}},
    {"header": {"typ": "JWT"}},
])
def test_proof_for_another_request_refused(server, conf_app, user, change):
    data = code_data(user, conf_app)
    proof = proof_for(server, dpopkit.Key(), **change)
    token_error(token_post(conf_app, data, proof), "invalid_dpop_proof")
    dpop_ok(token_post(conf_app, data, dpopkit.Key()))


def test_two_dpop_headers_refused(server, conf_app, user):
    key = dpopkit.Key()
    data, headers = client_auth(conf_app, code_data(user, conf_app))
    body = urlencode(data)
    conn = http.client.HTTPConnection(urlsplit(server.base).netloc,
                                      timeout=10)
    conn.putrequest("POST", TOKEN)
    conn.putheader("Content-Type", "application/x-www-form-urlencoded")
    conn.putheader("Content-Length", str(len(body)))
    conn.putheader("Authorization", headers["Authorization"])
    conn.putheader("DPoP", proof_for(server, key))
    conn.putheader("DPoP", proof_for(server, key))
    conn.endheaders(body.encode())
    r = conn.getresponse()
    assert r.status == 400, (r.status, r.read())
    assert b"invalid_dpop_proof" in r.read()
    conn.close()


def test_app_requiring_dpop_refuses_requests_without_proof(server, user):
    app = make_app(server, secret=False, dpop_bound_access_tokens=True)
    approve(user, app)
    data = code_data(user, app)
    j = token_error(token_post(app, data), "invalid_dpop_proof")
    assert "requires DPoP" in j["error_description"], j
    key = dpopkit.Key("EdDSA")
    t = dpop_ok(token_post(app, data, key))
    token_error(token_post(app, refresh_data(t["refresh_token"])),
                "invalid_dpop_proof")
    dpop_ok(token_post(app, refresh_data(t["refresh_token"]), key))


def test_app_requiring_dpop_refuses_the_client_flow(server, user):
    """The client flow's token comes from the authorization endpoint,
    where no proof is sent: an app requiring DPoP gets none that way."""
    app = make_app(server, implicit=True, dpop_bound_access_tokens=True)
    r = oauthkit.authorize(user, oauthkit.auth_params(
        app, response_type="token"))
    got = oauthkit.redirect_result(r, app.redirect_uri, where="fragment")
    assert got["error"] == "unauthorized_client", got
    assert "access_token" not in got, got


def test_device_grant_binds(server, user):
    app = devicekit.device_app(server, secret=False)
    start = devicekit.start(app)
    devicekit.approve(user, start["user_code"])
    server.advance(6)
    key = dpopkit.Key()
    t = dpop_ok(token_post(app, [("grant_type", devicekit.GRANT_TYPE),
                                 ("device_code", start["device_code"])],
                           key))
    bound_to(app, t["access_token"], key)
    bound_to(app, t["refresh_token"], key)


@pytest.mark.parametrize("path", ["/.well-known/oauth-authorization-server",
                                  "/.well-known/openid-configuration"])
def test_metadata_lists_the_proof_algorithms(server, path):
    j = requests.get(server.url(path), timeout=10).json()
    assert j["dpop_signing_alg_values_supported"] == ["ES256", "EdDSA",
                                                      "RS256"], j


def test_nonce_demanded(make_server):
    srv = oauth_server(make_server, "--dpop-nonce")
    app = make_app(srv)
    u = User(srv, "nonce")
    approve(u, app)
    data = code_data(u, app)
    key = dpopkit.Key()
    r = token_post(app, data, key)
    token_error(r, "use_dpop_nonce")
    nonce = r.headers["DPoP-Nonce"]
    assert nonce, r.headers
    dpop_ok(token_post(app, data, proof_for(srv, key, nonce=nonce)))
