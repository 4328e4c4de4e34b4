"""Security headers on every HTML page; Strict-Transport-Security on every
answer when the issuer is https."""

import pytest
import requests

import kgtest
from kgtest import Browser, new_account

HTML_REQUESTS = [
    ("GET", "/", None),
    ("GET", "/signup", None),
    ("GET", "/login", None),
    ("GET", "/no-such-page", None),
    ("PUT", "/signup", None),
    ("POST", "/signup", {"email": "x"}),            # 403: no csrf_token
    ("POST", "/login", {"email": "x"}),             # 403: no csrf_token
    ("POST", "/signup", "text/plain"),              # 415
    ("GET", "/" + "a" * 9000, None),                # 414
]


def check_headers(r):
    assert r.headers["Content-Type"].startswith("text/html"), r.headers
    csp = r.headers.get("Content-Security-Policy", "")
    assert "default-src" in csp and "frame-ancestors 'none'" in csp, csp
    assert r.headers.get("X-Frame-Options") == "DENY"
    assert r.headers.get("X-Content-Type-Options") == "nosniff"
    assert r.headers.get("Referrer-Policy"), "no Referrer-Policy"
    assert "unsafe-inline" not in csp


@pytest.mark.parametrize("method,path,data", HTML_REQUESTS,
                         ids=[f"{m} {p[:20]} {d!r}" for m, p, d in HTML_REQUESTS])
def test_html_answers_carry_security_headers(server, method, path, data):
    if data == "text/plain":
        r = requests.request(method, server.url(path), data="a=b",
                             headers={"Content-Type": "text/plain"}, timeout=5)
    else:
        r = requests.request(method, server.url(path), data=data, timeout=5,
                             allow_redirects=False)
    check_headers(r)


def test_pages_of_a_logged_in_visitor_carry_security_headers(server):
    email, password = new_account(server, "headers")
    with Browser(server) as b:
        r = b.signup(email, "short")                      # 422 page
        check_headers(r)
        r = b.login(email, "wrong password")              # 401 page
        check_headers(r)
        assert b.login(email).status_code == 303
        check_headers(b.get("/"))
        check_headers(b.get("/nope"))


def test_json_answers_are_nosniff_and_not_cached(server):
    r = requests.get(server.url("/api/v1/access-tokens"), timeout=5)
    assert r.headers.get("X-Content-Type-Options") == "nosniff"
    assert "no-store" in r.headers.get("Cache-Control", "")


# --- Strict-Transport-Security with an https issuer (docs/SECURITY.md) -------

HSTS = "max-age=31536000"

# Every kind of answer: pages, JSON, errors the server gives on its own
# (404, 405, 413, 414), redirects, OAuth endpoints, static files.
EVERY_KIND = [
    ("GET", "/login", {}),                                  # page 200
    ("GET", "/apps", {}),                                   # 303 to log-in
    ("GET", "/no-such-page", {}),                           # 404 page
    ("PUT", "/signup", {}),                                 # 405 page
    ("POST", "/login", {"data": {"email": "x"}}),           # 403 page
    ("GET", "/" + "a" * 9000, {}),                          # 414
    ("GET", "/static/style.css", {}),                       # static file
    ("GET", "/healthz", {}),                                # JSON 200
    ("GET", "/api/v1/apps", {}),                            # JSON 401
    ("GET", "/api/v1/no-such", {}),                         # JSON 404
    ("POST", "/api/v1/accounts", {"data": b"x" * 70000}),   # 413
    ("GET", "/.well-known/oauth-authorization-server", {}),
    ("GET", "/oauth2/authorize?client_id=nope&response_type=code", {}),
    ("POST", "/oauth2/token", {"data": {"grant_type": "password"}}),
    ("GET", "/oauth2/check", {}),                           # 401 Bearer
]
KIND_IDS = [f"{m} {p[:40]}" for m, p, _ in EVERY_KIND]


@pytest.fixture(scope="module")
def https_server(tmp_path_factory):
    srv = kgtest.start_server(tmp_path_factory.mktemp("keygate"),
                              "--issuer", "https://auth.example.test")
    yield srv
    assert srv.stop() == 0


@pytest.mark.parametrize("method,path,kw", EVERY_KIND, ids=KIND_IDS)
def test_https_issuer_sends_hsts_on_every_answer(https_server, method,
                                                 path, kw):
    r = requests.request(method, https_server.url(path), timeout=5,
                         allow_redirects=False, **kw)
    assert r.headers.get("Strict-Transport-Security") == HSTS, \
        (r.status_code, r.headers)


def test_https_issuer_sends_hsts_to_a_logged_in_browser(https_server):
    email, _ = new_account(https_server, "hsts")
    with Browser(https_server) as b:
        assert b.login(email).status_code == 303
        for r in (b.get("/"), b.get("/apps"), b.get("/connections")):
            assert r.status_code == 200
            assert r.headers.get("Strict-Transport-Security") == HSTS


@pytest.mark.parametrize("method,path,kw", EVERY_KIND, ids=KIND_IDS)
def test_http_issuer_sends_no_hsts(server, method, path, kw):
    r = requests.request(method, server.url(path), timeout=5,
                         allow_redirects=False, **kw)
    assert "Strict-Transport-Security" not in r.headers, r.headers
