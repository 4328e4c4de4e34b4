"""GET|POST /oauth2/userinfo (OpenID Connect Core §5.3; docs/REFERENCE.md
§14.3): the bearer token in the Authorization header only, the openid scope
required (403 insufficient_scope), RFC 6750 challenges as /oauth2/check,
{"sub"} plus email and email_verified with the email scope, and a call that
answers counts as a use of the token (§4) while a refused one does not."""

import base64
import json
import re

import pytest
import requests

import kgtest
import oauthkit
from oauthkit import (User, advance_to, alive, approve, bearer, clock,
                      exchange, make_app, oauth_server, revoke, tokens_ok)

server = oauthkit.module_server()

H = 3600


@pytest.fixture(scope="module")
def app(server):
    return make_app(server)


def tokens_for(user, app, scope):
    res, _ = approve(user, app, scope=scope)
    return tokens_ok(exchange(app, res["code"]))


def userinfo(server, token, method="GET", **kw):
    headers = bearer(token) if token is not None else {}
    return requests.request(method, server.url("/oauth2/userinfo"),
                            headers=headers, timeout=10, **kw)


def account_id(server, user):
    r = requests.get(server.url("/api/v1/account"), headers=bearer(user.pat),
                     timeout=10)
    assert r.status_code == 200, r.text
    return r.json()["account_id"]


def ok(r):
    assert r.status_code == 200, (r.status_code, r.text)
    assert r.headers["Content-Type"].startswith("application/json")
    assert "no-store" in r.headers.get("Cache-Control", ""), r.headers
    return r.json()


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_sub_alone_with_openid(server, app, method):
    u = User(server, "ui")
    t = tokens_for(u, app, "openid")
    j = ok(userinfo(server, t["access_token"], method))
    assert j == {"sub": str(account_id(server, u))}, j


def test_email_and_email_verified_with_the_email_scope(server, app):
    u = User(server, "uimail")
    t = tokens_for(u, app, "openid email")
    j = ok(userinfo(server, t["access_token"]))
    assert j == {"sub": str(account_id(server, u)), "email": u.email,
                 "email_verified": False}, j


def test_the_sub_is_the_id_tokens(server, app):
    u = User(server, "uisub")
    t = tokens_for(u, app, "openid")
    body = t["id_token"].split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    assert ok(userinfo(server, t["access_token"]))["sub"] == claims["sub"]


def test_without_openid_is_insufficient_scope(server, app):
    u = User(server, "uinoscope")
    t = tokens_for(u, app, "account_read email")
    r = userinfo(server, t["access_token"])
    assert r.status_code == 403, (r.status_code, r.text)
    www = r.headers.get("WWW-Authenticate", "")
    assert www == kgtest.challenge(server, "insufficient_scope"), www
    assert r.json()["error"] == "insufficient_scope"


def test_without_a_token_is_a_bare_challenge(server):
    for method in ("GET", "POST"):
        r = userinfo(server, None, method)
        assert r.status_code == 401, (r.status_code, r.text)
        www = r.headers.get("WWW-Authenticate", "")
        assert re.match(r"Bearer\b", www) and "error" not in www, www


def test_a_bad_or_revoked_token_is_invalid_token(server, app):
    u = User(server, "uibad")
    t = tokens_for(u, app, "openid")
    for token in ("kg_at_" + "A" * 54, "garbage"):
        r = userinfo(server, token)
        assert r.status_code == 401, r.status_code
        assert 'error="invalid_token"' in r.headers["WWW-Authenticate"]
    assert revoke(app, t["access_token"]).status_code == 200
    r = userinfo(server, t["access_token"])
    assert r.status_code == 401, r.status_code
    assert 'error="invalid_token"' in r.headers["WWW-Authenticate"]


def test_the_token_in_a_form_body_only_is_not_read(server, app):
    """keygate takes bearer tokens in the Authorization header only
    (docs/REFERENCE.md §14.3), here as everywhere."""
    u = User(server, "uiform")
    t = tokens_for(u, app, "openid")
    r = userinfo(server, None, "POST", data={"access_token": t["access_token"]})
    assert r.status_code == 401, (r.status_code, r.text)
    # in the header and the body: RFC 6750 §2's invalid_request
    r = userinfo(server, t["access_token"], "POST",
                 data={"access_token": t["access_token"]})
    assert r.status_code == 400, (r.status_code, r.text)
    assert r.json()["error"] == "invalid_request"


def test_userinfo_counts_as_a_use(make_server):
    """docs/REFERENCE.md §4: an unused access token dies an hour after it
    was issued; a use keeps it two hours past the use."""
    srv = oauth_server(make_server)
    a = make_app(srv)
    u = User(srv, "uiuse")
    used = tokens_for(u, a, "openid")["access_token"]
    refused = tokens_for(u, a, "account_read")["access_token"]
    t0 = clock(srv)
    advance_to(srv, t0 + H - 600)
    ok(userinfo(srv, used))
    assert userinfo(srv, refused).status_code == 403   # not a use
    advance_to(srv, t0 + H + 600)
    assert not alive(srv, refused), "a 403 must not count as a use"
    assert alive(srv, used), "the userinfo call was a use"
