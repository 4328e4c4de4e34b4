"""Cookies with an https issuer (docs/SECURITY.md "HTTPS deployments and the
metrics listener"): every cookie is named `__Host-kg_...`, is Secure, has
Path=/ and no Domain, and is read only under that name; with an http
issuer the names stay plain and nothing is Secure.

The server under test is reached over http on loopback, where its TLS
proxy would be; kgtest.Browser sends the Secure cookies back by hand."""

import pytest
import requests

import kgtest
import oauthkit
from kgtest import (Browser, PASSWORD, element_text, logged_in_as, new_app,
                    new_pat, set_cookie_lines, unique_email)

HTTPS_ISSUER = "https://auth.example.test"
COOKIES = ("kg_session", "kg_csrf", "kg_reveal")


@pytest.fixture(scope="module")
def https_server(tmp_path_factory):
    srv = kgtest.start_server(tmp_path_factory.mktemp("keygate"),
                              "--issuer", HTTPS_ISSUER)
    assert srv.https
    yield srv
    assert srv.stop() == 0


def parsed(resp):
    """{name: (value, {attribute: value})} of every Set-Cookie line, the
    attribute names lower-cased."""
    out = {}
    for line in set_cookie_lines(resp):
        parts = [p.strip() for p in line.split(";")]
        name, _, value = parts[0].partition("=")
        attrs = {}
        for p in parts[1:]:
            k, _, v = p.partition("=")
            attrs[k.strip().lower()] = v.strip()
        out[name.strip()] = (value, attrs)
    return out


def assert_host_cookies(resp):
    """Every cookie the answer sets is a valid __Host- cookie
    (rfc6265bis §4.1.3.2: Secure, Path=/, no Domain)."""
    cookies = parsed(resp)
    for name, (_, attrs) in cookies.items():
        assert name.startswith("__Host-kg_"), name
        assert "secure" in attrs, (name, attrs)
        assert attrs.get("path") == "/", (name, attrs)
        assert "domain" not in attrs, (name, attrs)
        assert "httponly" in attrs and attrs.get("samesite") == "Lax"
    return cookies


def signed_up(server, prefix):
    """A Browser signed up through the portal (so it holds the session),
    and a personal access token of the same account."""
    b = Browser(server)
    email = unique_email(prefix)
    r = b.signup(email)
    assert r.status_code == 303, (r.status_code, r.text[:300])
    assert_host_cookies(r)
    return b, email, new_pat(server, email, PASSWORD)["token"]


def test_csrf_cookie_is_a_host_cookie(https_server):
    r = requests.get(https_server.url("/login"), timeout=5)
    cookies = assert_host_cookies(r)
    assert list(cookies) == ["__Host-kg_csrf"], cookies


def test_log_in_csrf_and_log_out_with_host_cookies(https_server):
    email, _ = kgtest.new_account(https_server, "host")
    with Browser(https_server) as b:
        token = b.csrf("/login")                 # sets __Host-kg_csrf
        assert set(b.cookies.keys()) == {"__Host-kg_csrf"}
        r = b.post("/login", data={"csrf_token": token, "email": email,
                                   "password": PASSWORD})
        assert r.status_code == 303, (r.status_code, r.text[:300])
        cookies = assert_host_cookies(r)
        assert "__Host-kg_session" in cookies
        assert cookies["__Host-kg_session"][1]["max-age"] != "0"
        assert b.session_cookie()
        assert logged_in_as(b.home(), email)
        # a form of the session (CSRF bound to it) goes through
        r = b.logout()
        assert r.status_code == 303, (r.status_code, r.text[:300])
        cookies = assert_host_cookies(r)
        assert cookies["__Host-kg_session"][1]["max-age"] == "0"
        assert not logged_in_as(b.home(), email)


def test_csrf_token_needs_the_host_cookie(https_server):
    """The log-in form's token is bound to __Host-kg_csrf: presented under
    the plain name, the same value binds nothing."""
    email, _ = kgtest.new_account(https_server, "plain")
    r = requests.get(https_server.url("/login"), timeout=5)
    value = parsed(r)["__Host-kg_csrf"][0]
    token = kgtest.find_csrf(r.text)
    data = {"csrf_token": token, "email": email, "password": PASSWORD}
    as_plain = requests.post(https_server.url("/login"), data=data,
                             headers={"Cookie": f"kg_csrf={value}"},
                             allow_redirects=False, timeout=5)
    assert as_plain.status_code == 403
    as_host = requests.post(https_server.url("/login"), data=data,
                            headers={"Cookie": f"__Host-kg_csrf={value}"},
                            allow_redirects=False, timeout=5)
    assert as_host.status_code == 303, as_host.status_code


def test_session_is_read_only_under_its_host_name(https_server):
    """A plain kg_session cookie (one a sibling subdomain or an http page
    could plant) is not a session, even carrying a live session's value."""
    b, email, _ = signed_up(https_server, "shadow")
    with b:
        value = b.session_cookie()
        assert value
        r = requests.get(https_server.url("/"),
                         headers={"Cookie": f"kg_session={value}"},
                         timeout=5)
        assert not logged_in_as(r.text, email)
        r = requests.get(https_server.url("/"),
                         headers={"Cookie": f"__Host-kg_session={value}"},
                         timeout=5)
        assert logged_in_as(r.text, email)


def test_secret_reveal_cookie_is_a_host_cookie(https_server):
    b, _, pat = signed_up(https_server, "reveal")
    with b:
        key = new_app(https_server, pat)["api_key"]
        r = b.submit(f"/apps/{key}/secret", f"/apps/{key}/secret", {})
        assert r.status_code == 303, (r.status_code, r.text[:300])
        cookies = assert_host_cookies(r)
        assert cookies["__Host-kg_reveal"][1]["max-age"] != "0"
        r = b.get(f"/apps/{key}/secret/new")
        assert r.status_code == 200, r.status_code
        assert element_text(r.text, "secret")
        # shown once: the answer deletes the cookie, under the same name
        cookies = assert_host_cookies(r)
        assert cookies["__Host-kg_reveal"][1]["max-age"] == "0"
        assert b.get(f"/apps/{key}/secret/new").status_code == 410


def test_http_issuer_keeps_plain_names_without_secure(server):
    """An http issuer changes nothing: plain names, no Secure, the reveal
    cookie scoped to its app's secret pages."""
    b = Browser(server)
    email = unique_email("plain")
    with b:
        r = b.signup(email)
        assert r.status_code == 303
        cookies = parsed(r)
        assert "kg_session" in cookies, cookies
        for name, (_, attrs) in cookies.items():
            assert not name.startswith("__Host-") and "secure" not in attrs
        pat = new_pat(server, email, PASSWORD)["token"]
        key = new_app(server, pat)["api_key"]
        r = b.submit(f"/apps/{key}/secret", f"/apps/{key}/secret", {})
        _, attrs = parsed(r)["kg_reveal"]
        assert attrs["path"] == f"/apps/{key}/secret"
        assert "secure" not in attrs
        assert b.get(f"/apps/{key}/secret/new").status_code == 200


def test_oauth_code_flow_with_host_cookies(https_server):
    """Log-in detour, Grant Access (its CSRF token bound to the
    __Host- session) and the code exchange, all under the https issuer."""
    app = oauthkit.make_app(https_server)
    user = oauthkit.User(https_server, "grant")
    with user:
        verifier, challenge = oauthkit.pkce_pair()
        pairs = oauthkit.auth_params(app, challenge=challenge)
        page = oauthkit.authorize(user, pairs)
        assert page.status_code == 200, page.status_code
        assert page.headers["Strict-Transport-Security"] == "max-age=31536000"
        r = oauthkit.submit_grant(user, page.text, "allow")
        assert r.status_code == 303, (r.status_code, r.text[:300])
        res = oauthkit.redirect_result(r, app.redirect_uri)
        assert res["iss"] == HTTPS_ISSUER
        t = oauthkit.tokens_ok(oauthkit.exchange(app, res["code"],
                                                 app.redirect_uri, verifier))
        assert oauthkit.check(https_server, t["access_token"]).status_code \
            == 200
