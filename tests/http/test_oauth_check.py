"""GET /oauth2/check (docs/REFERENCE.md §3.6) and the built-in API GET
/v3/account/summary (docs/REFERENCE.md §5)."""

import re

import pytest
import requests

import kgtest
import oauthkit
from kgtest import raw_exchange
from oauthkit import (User, alive, approve, check, get_tokens, implicit_token,
                      make_app, refresh, revoke, summary, tokens_ok)

server = oauthkit.module_server()


@pytest.fixture(scope="module")
def app(server):
    return make_app(server, implicit=True)


@pytest.fixture(scope="module")
def user(server, app):
    u = User(server, "check")
    approve(u, app, scope=" ".join(oauthkit.SCOPES))
    return u


@pytest.fixture(scope="module")
def tokens(server, app, user):
    return get_tokens(user, app, scope="account_read contact_data")


def invalid_token(r):
    assert r.status_code == 401, (r.status_code, r.text)
    www = r.headers.get("WWW-Authenticate", "")
    assert re.match(r"Bearer\b", www), www
    assert 'error="invalid_token"' in www, www


def bare_challenge(r):
    assert r.status_code == 401, (r.status_code, r.text)
    www = r.headers.get("WWW-Authenticate", "")
    assert re.match(r"Bearer\b", www), www
    assert "error" not in www, www


def test_check_valid_token(server, app, user, tokens):
    r = check(server, tokens["access_token"])
    assert r.status_code == 200
    assert r.headers["X-Keygate-Client"] == app.key
    assert set(r.headers["X-Keygate-Scope"].split()) == \
        {"account_read", "contact_data"}
    sub = r.headers["X-Keygate-Subject"]
    assert sub == summary(server, tokens["access_token"]).json()["account_id"]
    assert "no-store" in r.headers.get("Cache-Control", "")


def test_check_subject_is_per_account(server, app, user, tokens):
    other = User(server, "check2")
    t = get_tokens(other, app)
    assert check(server, t["access_token"]).headers["X-Keygate-Subject"] != \
        check(server, tokens["access_token"]).headers["X-Keygate-Subject"]


def test_check_without_a_token(server):
    bare_challenge(requests.get(server.url("/oauth2/check"), timeout=10))


def test_check_with_query_parameter_only(server, tokens):
    r = requests.get(server.url("/oauth2/check"),
                     params={"access_token": tokens["access_token"]}, timeout=10)
    assert r.status_code == 401 and "X-Keygate-Subject" not in r.headers
    assert r.headers.get("WWW-Authenticate", "").startswith("Bearer")


@pytest.mark.parametrize("path", ["/oauth2/check", "/v3/account/summary"])
@pytest.mark.parametrize("where", ["query", "form"])
def test_token_in_header_and_elsewhere_is_invalid_request(server, tokens,
                                                          path, where):
    # RFC 6750 §2: more than one way of sending the token is invalid_request
    at = tokens["access_token"]
    extra = {"params": {"access_token": at}} if where == "query" else \
        {"data": {"access_token": at}}
    r = requests.get(server.url(path), headers=oauthkit.bearer(at),
                     timeout=10, **extra)
    assert r.status_code == 400, (r.status_code, r.text)
    www = r.headers.get("WWW-Authenticate", "")
    assert www == kgtest.challenge(server, "invalid_request"), www
    assert r.json()["error"] == "invalid_request"
    assert "X-Keygate-Subject" not in r.headers
    # the header alone still works: the refusal was about the duplicate
    assert requests.get(server.url(path), headers=oauthkit.bearer(at),
                        params={"other": "1"}, timeout=10).status_code == 200


def test_check_with_form_body_is_refused(server, tokens):
    r = requests.post(server.url("/oauth2/check"),
                      data={"access_token": tokens["access_token"]}, timeout=10)
    # a GET-only route: the method is refused before any token is read
    assert r.status_code == 405, r.status_code
    assert "X-Keygate-Subject" not in r.headers


@pytest.mark.parametrize("value", [
    "Bearer kg_at_" + "A" * 43,
    "Bearer kg_at_" + "A" * 54,            # the sorted form's length
    "Bearer kg_at_" + "A" * 10 + "_" + "A" * 43,
    "Bearer garbage",
    "Bearer ",
    "Bearer",
    "Bearer a b",
])
def test_check_with_bad_tokens(server, value):
    r = requests.get(server.url("/oauth2/check"),
                     headers={"Authorization": value}, timeout=10)
    assert r.status_code == 401, r.status_code
    assert "X-Keygate-Subject" not in r.headers
    if value.strip() != "Bearer":
        invalid_token(r)


def flip(token, i):
    """The token with its i-th character replaced by another one of the
    base64url alphabet."""
    return token[:i] + ("B" if token[i] != "B" else "C") + token[i + 1:]


def test_a_token_altered_in_its_time_or_its_randomness_is_refused(server,
                                                                   tokens):
    """The storage key takes the token's minting time from the token
    itself (base/secure.h): another time, or other randomness, must name
    no token, and the real one still works."""
    at = tokens["access_token"]
    assert len(at) == len("kg_at_") + 11 + 43, at
    for i in (len("kg_at_"), len("kg_at_") + 9, len("kg_at_") + 11,
              len(at) - 1):
        r = requests.get(server.url("/oauth2/check"), timeout=10,
                         headers=oauthkit.bearer(flip(at, i)))
        assert r.status_code == 401, (i, r.status_code)
        invalid_token(r)
    r = requests.get(server.url("/oauth2/check"), timeout=10,
                     headers=oauthkit.bearer(at))
    assert r.status_code == 200, r.status_code


def test_bearer_scheme_is_case_insensitive(server, tokens):
    r = requests.get(server.url("/oauth2/check"), timeout=10,
                     headers={"Authorization": "bearer " + tokens["access_token"]})
    assert r.status_code == 200, r.status_code


def test_other_schemes_are_not_tokens(server, tokens, user):
    for h in ("Basic " + tokens["access_token"],
              oauthkit.kgtest.basic(user.email, user.password),
              "Token " + tokens["access_token"]):
        r = requests.get(server.url("/oauth2/check"),
                         headers={"Authorization": h}, timeout=10)
        assert r.status_code == 401 and "X-Keygate-Subject" not in r.headers


def test_refresh_token_and_pat_are_not_access_tokens(server, tokens, user):
    invalid_token(check(server, tokens["refresh_token"]))
    invalid_token(check(server, user.pat))
    at = tokens["access_token"]
    invalid_token(check(server, at[:-1] + ("Q" if at[-1] != "Q" else "R")))


def test_revoked_token_is_invalid(server, app, user):
    t = get_tokens(user, app)
    assert alive(server, t["access_token"])
    revoke(app, t["access_token"])
    invalid_token(check(server, t["access_token"]))
    invalid_token(summary(server, t["access_token"]))


def test_expired_token_is_invalid(make_server):
    srv = oauthkit.oauth_server(make_server)
    a = make_app(srv)
    t = get_tokens(User(srv, "exp"), a)
    srv.advance(3600)
    invalid_token(check(srv, t["access_token"]))
    invalid_token(summary(srv, t["access_token"]))


def test_two_authorization_headers(server, tokens):
    at = tokens["access_token"]
    req = (f"GET /oauth2/check HTTP/1.1\r\nHost: x\r\n"
           f"Authorization: Bearer garbage\r\nAuthorization: Bearer {at}\r\n"
           f"Connection: close\r\n\r\n").encode()
    r = raw_exchange(server, req)
    assert r is not None and r.status in (400, 401), r


def test_huge_authorization_header(server):
    r = requests.get(server.url("/oauth2/check"), timeout=10,
                     headers={"Authorization": "Bearer " + "A" * 7000})
    assert 400 <= r.status_code < 500
    assert server.alive()


def test_non_ascii_token(server):
    req = ("GET /oauth2/check HTTP/1.1\r\nHost: x\r\n"
           "Authorization: Bearer kg_at_\xe9\xff\x00x\r\nConnection: close"
           "\r\n\r\n").encode("latin-1")
    r = raw_exchange(server, req)
    assert r is not None and r.status in (400, 401), r


# --- /v3/account/summary -----------------------------------------------------------

def test_summary(server, app, user, tokens):
    r = summary(server, tokens["access_token"])
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("application/json")
    j = r.json()
    assert set(j) == {"account_id", "email"}, j
    assert j["email"] == user.email
    assert isinstance(j["account_id"], str) and j["account_id"]
    assert j["account_id"] == oauthkit.introspection(
        app, tokens["access_token"])["sub"]


def test_summary_of_a_client_flow_token(server, app, user):
    res = implicit_token(user, app)
    assert summary(server, res["access_token"]).json()["email"] == user.email


def test_summary_of_a_refreshed_token(server, app, user):
    t = get_tokens(user, app)
    n = tokens_ok(refresh(app, t["refresh_token"]))
    assert summary(server, n["access_token"]).json()["email"] == user.email


def test_summary_needs_account_read(server, app, user):
    t = get_tokens(user, app, scope="contact_data campaign_data")
    r = summary(server, t["access_token"])
    assert r.status_code == 403, r.status_code
    www = r.headers.get("WWW-Authenticate", "")
    assert www.startswith("Bearer") and 'error="insufficient_scope"' in www, www
    assert user.email not in r.text


def test_summary_without_or_with_a_bad_token(server, tokens, user):
    bare_challenge(requests.get(server.url("/v3/account/summary"), timeout=10))
    invalid_token(summary(server, "garbage"))
    invalid_token(summary(server, tokens["refresh_token"]))
    r = requests.get(server.url("/v3/account/summary"),
                     params={"access_token": tokens["access_token"]}, timeout=10)
    assert r.status_code == 401 and user.email not in r.text
    r = summary(server, user.pat)
    assert r.status_code == 401 and user.email not in r.text


def test_summary_of_an_email_with_unusual_characters(server, app):
    """docs/REFERENCE.md §5: the summary carries the account's email as it is.
    The body is printed, not built with jansson: what an email may hold
    (UTF-8, apostrophes, slashes, braces) must come out as JSON that
    decodes to the same text."""
    u = User(server, "zo\u00eb.o'neil/{x}|&%~")
    r = summary(server, get_tokens(u, app)["access_token"])
    assert r.status_code == 200, (r.status_code, r.text)
    assert r.json()["email"] == u.email, r.text


def test_summary_of_each_user(server, app):
    a, b = User(server, "sum-a"), User(server, "sum-b")
    ta, tb = get_tokens(a, app), get_tokens(b, app)
    ja, jb = summary(server, ta["access_token"]).json(), \
        summary(server, tb["access_token"]).json()
    assert ja["email"] == a.email and jb["email"] == b.email
    assert ja["account_id"] != jb["account_id"]


def test_oauth_credentials_never_reach_the_log(make_server):
    """docs/REFERENCE.md §7.7: no secret, code, access or refresh token in the
    log, through a whole life: both flows, refresh, check, introspect, revoke,
    failures that echo what was sent."""
    srv = oauthkit.oauth_server(make_server)
    app = oauthkit.make_app(srv, implicit=True)
    user = oauthkit.User(srv, "logged")
    code, verifier, ru = oauthkit.get_code(user, app)
    t = oauthkit.tokens_ok(oauthkit.exchange(app, code, ru, verifier))
    n = oauthkit.tokens_ok(oauthkit.refresh(app, t["refresh_token"]))
    assert oauthkit.check(srv, n["access_token"]).status_code == 200
    oauthkit.introspect(app, n["access_token"])
    oauthkit.refresh(app, t["refresh_token"])           # a reuse
    oauthkit.revoke(app, n["refresh_token"])
    oauthkit.exchange(app, code, ru, verifier)          # a replay
    implicit = oauthkit.implicit_token(user, app)
    oauthkit.check(srv, implicit["access_token"])
    oauthkit.check(srv, "kg_at_forged" + "x" * 40)
    log = srv.log()
    assert "route=/oauth2/token" in log, log[-2000:]
    for secret in (app.secret, code, verifier, t["access_token"],
                   t["refresh_token"], n["access_token"], n["refresh_token"],
                   implicit["access_token"], user.password):
        if secret is not None:
            assert secret not in log, "a credential was logged"
    for prefix in ("kg_sk_", "kg_ac_", "kg_at_", "kg_rt_", "kg_ss_"):
        assert prefix not in log, prefix
