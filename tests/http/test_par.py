"""Pushed authorization requests (RFC 9126; docs/REFERENCE.md §18):
POST /oauth2/par, /oauth2/authorize with its request_uri (once, within
60 s, by the app that pushed it), apps that require PAR, the metadata."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

import kgtest
import oauthkit
from oauthkit import (REDIRECT, REDIRECT2, User, auth_params, authorize,
                      authorize_path, client_auth, exchange, make_app,
                      pkce_pair, post, redirect_result, submit_grant,
                      tokens_ok)

server = oauthkit.module_server()

PREFIX = "urn:ietf:params:oauth:request_uri:"


@pytest.fixture(scope="module")
def app(server):
    return make_app(server)


@pytest.fixture(scope="module")
def user(server):
    return User(server, "par")


def push(app, pairs, auth=None):
    data, headers = client_auth(app, pairs, auth)
    return post(app.server, "/oauth2/par", data, headers)


def pushed(app, auth=None, **kw):
    """Pushes an authorization request; returns (request_uri, pairs)."""
    pairs = [(k, v) for k, v in auth_params(app, **kw) if k != "client_id"]
    r = push(app, pairs, auth)
    assert r.status_code == 201, (r.status_code, r.text)
    assert r.headers.get("Cache-Control") == "no-store", r.headers
    j = r.json()
    assert set(j) == {"request_uri", "expires_in"}, j
    assert j["expires_in"] == 60
    assert j["request_uri"].startswith(PREFIX), j
    assert len(j["request_uri"]) > len(PREFIX) + 40, j
    return j["request_uri"], pairs


def by_reference(user, app, request_uri, *extra):
    return authorize(user, [("client_id", app.key),
                            ("request_uri", request_uri)] + list(extra))


def bad_page(r):
    assert r.status_code == 400, (r.status_code, r.text[:300])
    assert "Location" not in r.headers


def test_push_then_authorize_then_token(server, app, user):
    """The pushed parameters are the ones used: the query's others are
    ignored (RFC 9126 §4), the code goes to the pushed redirect URI with
    the pushed state, and the token endpoint takes it."""
    verifier, challenge = pkce_pair()
    ru, _ = pushed(app, scope="contact_data", state="pushed-state",
                   redirect_uri=REDIRECT2, challenge=challenge)
    r = by_reference(user, app, ru, ("redirect_uri", REDIRECT),
                     ("state", "query-state"), ("scope", "account_read"))
    assert r.status_code == 200, (r.status_code, r.text[:300])
    form = oauthkit.grant_form(r.text)
    assert dict(oauthkit.hidden_fields(form))["request_uri"] == ru
    # the page carries the reference, not the parameters
    assert "redirect_uri" not in dict(oauthkit.hidden_fields(form))
    r = submit_grant(user, r.text, "allow")
    res = redirect_result(r, REDIRECT2)
    assert res["state"] == "pushed-state", res
    t = tokens_ok(exchange(app, res["code"], REDIRECT2, verifier))
    assert t["scope"] == "contact_data", t
    # used once: the same request_uri again is refused
    bad_page(by_reference(user, app, ru))


def test_consented_request_is_used_at_once_and_only_once(server, app, user):
    oauthkit.approve(user, app, scope="contact_data")
    ru, _ = pushed(app, scope="contact_data")
    res = redirect_result(by_reference(user, app, ru), REDIRECT)
    assert "code" in res, res
    r = by_reference(user, app, ru)
    bad_page(r)
    assert "already used" in oauthkit.page_text(r.text)


def test_expired_after_60_seconds(server, app, user):
    oauthkit.approve(user, app, scope="contact_data")
    ru, _ = pushed(app, scope="contact_data")
    server.advance(61)
    bad_page(by_reference(user, app, ru))
    # one that lives: 59 s are fine
    ru, _ = pushed(app, scope="contact_data")
    server.advance(59)
    assert "code" in redirect_result(by_reference(user, app, ru), REDIRECT)


def test_another_clients_request_uri_is_refused(server, app, user):
    other = make_app(server)
    oauthkit.approve(user, app, scope="contact_data")
    ru, _ = pushed(app, scope="contact_data")
    r = by_reference(user, other, ru)
    bad_page(r)
    assert "another application" in oauthkit.page_text(r.text)
    # malformed and unknown references
    bad_page(by_reference(user, app, PREFIX + "x" * 43))
    bad_page(by_reference(user, app, "https://evil.example/x"))
    bad_page(authorize(user, [("request_uri", ru)]))
    # the refusals spent nothing: its own client still gets its code
    res = redirect_result(by_reference(user, app, ru), REDIRECT)
    assert "code" in res, res


def test_denial_spends_it(server, app, user):
    ru, _ = pushed(app, scope="campaign_data")
    r = by_reference(user, app, ru)
    assert r.status_code == 200, r.status_code
    res = redirect_result(submit_grant(user, r.text, "deny"), REDIRECT)
    assert res["error"] == "access_denied", res
    bad_page(by_reference(user, app, ru))


def test_an_error_sent_back_spends_it(server, app):
    """prompt=none without a session: login_required goes back to the
    client, an answer as a code is, so the reference is spent."""
    u = User(server, "par-none", login=False)
    ru, _ = pushed(app, scope="account_read", prompt="none")
    res = redirect_result(by_reference(u, app, ru), REDIRECT)
    assert res["error"] == "login_required", res
    bad_page(by_reference(u, app, ru))


def test_log_in_detour_keeps_it(server, app):
    """A browser without a session goes through /login and back by the
    reference alone, which is not spent on the way."""
    u = User(server, "par-detour", login=False)
    ru, _ = pushed(app, scope="account_read")
    r = by_reference(u, app, ru)
    assert r.status_code == 302, r.status_code
    nxt = parse_qs(urlsplit(r.headers["Location"]).query)["next"][0]
    q = parse_qs(urlsplit(nxt).query)
    assert q == {"client_id": [app.key], "request_uri": [ru]}, q
    r = u.login(u.email, u.password, next=nxt)
    assert r.status_code == 303, r.status_code
    r = u.get(r.headers["Location"])
    assert r.status_code == 200, (r.status_code, r.text[:300])
    res = redirect_result(submit_grant(u, r.text, "allow"), REDIRECT)
    assert "code" in res, res


@pytest.mark.parametrize("auth", ["basic", "post"])
def test_confidential_client_authenticates_either_way(server, app, auth):
    pushed(app, auth=auth, scope="account_read")


def test_unauthenticated_push_is_refused(server, app):
    pairs = [(k, v) for k, v in auth_params(app) if k != "client_id"]
    for data, headers in (
            (pairs + [("client_id", app.key)], {}),          # no secret
            (pairs + [("client_id", app.key),
                      ("client_secret", "wrong")], {}),
            (pairs, {"Authorization": oauthkit.basic_client(app.key, "x")}),
            (pairs + [("client_id", "nobody")], {})):
        r = post(app.server, "/oauth2/par", data, headers)
        assert r.status_code == 401, (r.status_code, r.text)
        assert r.json()["error"] == "invalid_client", r.text
    r = requests.get(server.url("/oauth2/par"), timeout=10)
    assert r.status_code == 405, r.status_code


def test_public_client_pushes_with_client_id(server):
    pub = make_app(server, secret=False)
    verifier, challenge = pkce_pair()
    pushed(pub, challenge=challenge, scope="account_read")
    # a public client without PKCE: refused as authorize refuses it
    r = push(pub, [(k, v) for k, v in auth_params(pub) if k != "client_id"])
    assert r.status_code == 400 and r.json()["error"] == "invalid_request"


BAD = [
    ({"redirect_uri": "https://evil.example/cb"}, "invalid_request"),
    ({"response_type": "id_token"}, "unsupported_response_type"),
    ({"scope": "everything"}, "invalid_scope"),
    ({"method": "plain", "challenge": "x" * 43}, "invalid_request"),
    ({"prompt": "sometimes"}, "invalid_request"),
]


@pytest.mark.parametrize("kw,error", BAD)
def test_bad_parameters_get_the_errors_authorize_gives(server, app, user, kw,
                                                       error):
    """The push is refused in JSON with the error the authorization
    endpoint gives the same request (through the redirect, or its page
    for an unregistered redirect URI), and nothing is stored."""
    pairs = auth_params(app, **kw)
    r = push(app, [(k, v) for k, v in pairs if k != "client_id"])
    assert r.status_code == 400, (r.status_code, r.text)
    assert r.json()["error"] == error, r.text
    assert r.headers.get("Cache-Control") == "no-store"
    r = authorize(user, pairs)
    if "redirect_uri" in kw:
        bad_page(r)
    else:
        assert redirect_result(r, REDIRECT)["error"] == error


def test_request_uri_and_request_objects_are_not_pushed(server, app):
    pairs = [(k, v) for k, v in auth_params(app) if k != "client_id"]
    r = push(app, pairs + [("request_uri", PREFIX + "abc")])
    assert r.status_code == 400 and r.json()["error"] == "invalid_request"
    r = push(app, pairs + [("request", "eyJ.e30.")])
    assert r.status_code == 400
    assert r.json()["error"] == "request_not_supported", r.text
    r = push(app, pairs + [("state", "twice")])
    assert r.status_code == 400 and r.json()["error"] == "invalid_request"


def test_app_requiring_par_refuses_a_plain_request(server, user):
    strict = make_app(server, require_pushed_authorization_requests=True)
    res = redirect_result(authorize(user, auth_params(strict)), REDIRECT)
    assert res["error"] == "invalid_request", res
    assert "/oauth2/par" in res["error_description"], res
    ru, _ = pushed(strict, scope="account_read")
    r = by_reference(user, strict, ru)
    assert r.status_code == 200, (r.status_code, r.text[:300])
    res = redirect_result(submit_grant(user, r.text, "allow"), REDIRECT)
    assert "code" in res, res
    tokens_ok(exchange(strict, res["code"]))
    # turned off again, the plain request works
    kgtest.patch_app(server, strict.dev.pat, strict.key,
                     {"require_pushed_authorization_requests": False})
    r = authorize(user, auth_params(strict, scope="account_read"))
    assert "code" in redirect_result(r, REDIRECT)


def test_metadata(server):
    for path in ("/.well-known/oauth-authorization-server",
                 "/.well-known/openid-configuration"):
        m = requests.get(server.url(path), timeout=10).json()
        assert m["pushed_authorization_request_endpoint"] == \
            server.issuer + "/oauth2/par", m
        assert m["require_pushed_authorization_requests"] is False, m


def test_public_pushes_are_bounded_per_address(make_server):
    """A public app's client_id is no secret and every push is a row: 60
    per address in 15 minutes, then 429 with Retry-After (nothing
    stored); a confidential app's pushes are not counted."""
    srv = oauthkit.oauth_server(make_server)
    pub, conf = make_app(srv, secret=False), make_app(srv)
    verifier, challenge = pkce_pair()
    pairs = [(k, v) for k, v in auth_params(pub, challenge=challenge)
             if k != "client_id"]
    for _ in range(60):
        r = push(pub, pairs)
        assert r.status_code == 201, (r.status_code, r.text)
    r = push(pub, pairs)
    assert r.status_code == 429, (r.status_code, r.text)
    assert r.json()["error"] == "too_many_requests", r.text
    assert 0 < int(r.headers["Retry-After"]) <= 900, r.headers
    for _ in range(3):
        pushed(conf, scope="account_read")
    srv.advance(901)
    assert push(pub, pairs).status_code == 201
