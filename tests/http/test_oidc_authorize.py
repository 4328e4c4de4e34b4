"""OpenID Connect's authorization parameters at /oauth2/authorize
(docs/REFERENCE.md §3.2, §9): prompt (none, login, consent), max_age,
login_hint and nonce, in the server flow and the client flow; every refusal
goes back through the redirect with iss and state (RFC 9207)."""

import html
from urllib.parse import parse_qs, urlsplit

import pytest

import oauthkit
from kgtest import Browser, input_value
from oauthkit import (User, approve, auth_params, authorize, decision_values,
                      exchange, grant_form, has_input, hidden_fields,
                      make_app, redirect_result, submit_grant, tokens_ok)

server = oauthkit.module_server()


@pytest.fixture(scope="module")
def app(server):
    return make_app(server)


@pytest.fixture(scope="module")
def implicit_app(server):
    return make_app(server, implicit=True)


def refused(server, r, error, where="query", state="st-1"):
    res = redirect_result(r, oauthkit.REDIRECT, where)
    assert res["error"] == error, res
    assert res["iss"] == server.base, res
    assert res["state"] == state, res
    assert "code" not in res and "access_token" not in res, res
    return res


def code_of(app, r):
    res = redirect_result(r, oauthkit.REDIRECT)
    assert res["iss"] == app.server.base and "code" in res, res
    return res["code"]


def consented_user(server, app, scope="openid"):
    u = User(server, "oidc")
    approve(u, app, scope=scope)
    return u


def is_password_form(r):
    assert r.status_code == 200, (r.status_code, r.headers.get("Location"))
    form = grant_form(r.text)
    return has_input(form, "password") and "login" in decision_values(form)


# --- prompt=none ---------------------------------------------------------------

def test_none_without_a_session_is_login_required(server, app):
    r = authorize(Browser(server), auth_params(app, scope="openid",
                                               prompt="none"))
    refused(server, r, "login_required")


def test_none_without_consent_is_consent_required(server, app):
    u = User(server, "oidc")
    r = authorize(u, auth_params(app, scope="openid email", prompt="none"))
    refused(server, r, "consent_required")
    # consent for less is not consent for more
    approve(u, app, scope="openid")
    r = authorize(u, auth_params(app, scope="openid email", prompt="none"))
    refused(server, r, "consent_required")


def test_none_with_consent_gives_the_code_at_once(server, app):
    u = consented_user(server, app)
    r = authorize(u, auth_params(app, scope="openid", prompt="none",
                                 nonce="n-1"))
    tokens_ok(exchange(app, code_of(app, r)))


def test_none_in_the_client_flow_is_always_login_required(server,
                                                          implicit_app):
    u = User(server, "oidc")
    approve(u, implicit_app, response_type="token", where="fragment",
            password=u.password)
    r = authorize(u, auth_params(implicit_app, response_type="token",
                                 state="st-t", prompt="none"))
    refused(server, r, "login_required", "fragment", "st-t")


# --- prompt=login and max_age ----------------------------------------------------

def test_login_asks_the_password_although_logged_in(server, app):
    u = consented_user(server, app)
    r = authorize(u, auth_params(app, scope="openid", prompt="login"))
    assert is_password_form(r)
    assert not has_input(grant_form(r.text), "email"), "the session's own"
    wrong = submit_grant(u, r.text, "login", password="not the password")
    assert wrong.status_code == 401
    r = submit_grant(u, r.text, "login", password=u.password)
    assert r.status_code == 303
    tokens_ok(exchange(app, code_of(app, r)))


def test_login_moves_the_sessions_auth_time(server, app):
    u = consented_user(server, app)
    server.advance(600)
    # the log-in is 600 s old: max_age=300 is not met without a page
    r = authorize(u, auth_params(app, scope="openid", prompt="none",
                                 max_age="300"))
    refused(server, r, "login_required")
    r = authorize(u, auth_params(app, scope="openid", prompt="login"))
    code_of(app, submit_grant(u, r.text, "login", password=u.password))
    # now it is fresh
    r = authorize(u, auth_params(app, scope="openid", prompt="none",
                                 max_age="300"))
    code_of(app, r)


def test_max_age(server, app):
    u = consented_user(server, app)
    server.advance(100)
    code_of(app, authorize(u, auth_params(app, scope="openid",
                                          max_age="1000")))
    # (not to the second: the wall clock moves on under the test clock)
    code_of(app, authorize(u, auth_params(app, scope="openid",
                                          max_age="130")))
    r = authorize(u, auth_params(app, scope="openid", max_age="70"))
    assert is_password_form(r)
    r = submit_grant(u, r.text, "login", password=u.password)
    code_of(app, r)
    # max_age=0: every request asks once the second has passed
    server.advance(1)
    assert is_password_form(authorize(u, auth_params(app, scope="openid",
                                                     max_age="0")))


def test_login_without_a_session_detours_once(server, app):
    u = User(server, "oidc", login=False)
    r = authorize(u, auth_params(app, scope="openid", prompt="login consent",
                                 max_age="0"))
    assert r.status_code == 302
    loc = urlsplit(r.headers["Location"])
    assert loc.path == "/login"
    nxt = parse_qs(loc.query)["next"][0]
    back = parse_qs(urlsplit(nxt).query)
    # the log-in there is the fresh one: the way back does not ask again
    assert back["prompt"] == ["consent"] and "max_age" not in back, back
    assert u.login(u.email, u.password, next=nxt).status_code == 303
    r = u.get(nxt)
    assert r.status_code == 200 and "allow" in decision_values(
        grant_form(r.text))


# --- prompt=consent ------------------------------------------------------------

def test_consent_shows_the_page_although_given(server, app):
    u = consented_user(server, app)
    r = authorize(u, auth_params(app, scope="openid", prompt="consent",
                                 nonce="n-2"))
    assert r.status_code == 200
    form = grant_form(r.text)
    assert "allow" in decision_values(form)
    # the request's OpenID parameters ride along to the answer
    fields = dict(hidden_fields(form))
    assert fields["nonce"] == "n-2" and fields["prompt"] == "consent"
    tokens_ok(exchange(app, code_of(app, submit_grant(u, r.text))))


# --- login_hint ------------------------------------------------------------------

HINT = 'ann@example.com"><script>alert(1)</script>'


def test_login_hint_fills_the_portal_log_in(server, app):
    b = Browser(server)
    r = authorize(b, auth_params(app, scope="openid", login_hint=HINT))
    assert r.status_code == 302
    page = b.get(r.headers["Location"]).text
    assert input_value(page, "email") == HINT
    assert "<script>alert(1)" not in page, "shown inert"


def test_login_hint_fills_the_client_flow_form(server, implicit_app):
    b = Browser(server)
    r = authorize(b, auth_params(implicit_app, response_type="token",
                                 login_hint=HINT))
    assert r.status_code == 200
    assert input_value(grant_form(r.text), "email") == HINT
    assert "<script>alert(1)" not in r.text


# --- refusals ----------------------------------------------------------------------

BAD = {
    "nonce too long": dict(nonce="n" * 256),
    "nonce NUL-free but with a control": dict(nonce="a\x01b"),
    "nonce with DEL": dict(nonce="a\x7fb"),
    "nonce with a C1 control": dict(nonce="a\u0085b"),
    "nonce with a newline": dict(nonce="a\nb"),
    "none with login": dict(prompt="none login"),
    "none with consent": dict(prompt="consent none"),
    "unknown prompt": dict(prompt="bogus"),
    "select_account": dict(prompt="select_account"),
    "repeated prompt": dict(prompt="login login"),
    "prompt spacing": dict(prompt="login  consent"),
    "negative max_age": dict(max_age="-1"),
    "max_age not a number": dict(max_age="ten"),
    "max_age fraction": dict(max_age="1.5"),
    "max_age sign": dict(max_age="+5"),
    "max_age empty": dict(max_age=""),
}


@pytest.mark.parametrize("extra", BAD.values(), ids=BAD.keys())
def test_bad_parameters_are_refused_with_iss_and_state(server, app, extra):
    u = consented_user(server, app)
    r = authorize(u, auth_params(app, scope="openid", **extra))
    refused(server, r, "invalid_request")


@pytest.mark.parametrize("extra", [BAD["nonce too long"],
                                   BAD["none with login"],
                                   BAD["negative max_age"]])
def test_client_flow_refusals_go_in_the_fragment(server, implicit_app, extra):
    r = authorize(Browser(server), auth_params(
        implicit_app, response_type="token", state="st-f", **extra))
    refused(server, r, "invalid_request", "fragment", "st-f")


def test_good_nonces_pass(server, app):
    u = consented_user(server, app)
    for nonce in ("n" * 255, "ünï-cödé ☃", "a b~!"):
        code_of(app, authorize(u, auth_params(app, scope="openid",
                                              nonce=nonce)))
