"""Security headers on every HTML page."""

import pytest
import requests

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
