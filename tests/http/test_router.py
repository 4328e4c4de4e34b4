"""Routing: 404 and 405 answers, in JSON for programs and HTML for people."""

import pytest
import requests


@pytest.mark.parametrize("path", [
    "/api/v1/nothing",
    "/api/v1/access-tokens/1/more",
    "/api/v1/accounts/",
    "/api/",
])
def test_unknown_api_path_is_json_404(server, path):
    r = requests.get(server.url(path), timeout=5)
    assert r.status_code == 404
    assert r.headers["Content-Type"].startswith("application/json")
    assert isinstance(r.json().get("error"), str)


@pytest.mark.parametrize("path", ["/nothing", "/signup/", "/static/",
                                  "/static/nope.css", "/login/x"])
def test_unknown_page_is_html_404(server, path):
    r = requests.get(server.url(path), timeout=5)
    assert r.status_code == 404
    assert r.headers["Content-Type"].startswith("text/html")
    assert "<html" in r.text.lower() or "<!doctype" in r.text.lower()


def allow_set(r):
    return {m.strip() for m in r.headers.get("Allow", "").split(",")}


@pytest.mark.parametrize("method,path,allowed", [
    ("PUT", "/healthz", {"GET"}),
    ("POST", "/healthz", {"GET"}),
    ("DELETE", "/signup", {"GET", "POST"}),
    ("PATCH", "/login", {"GET", "POST"}),
    ("GET", "/logout", {"POST"}),
    ("PUT", "/api/v1/access-tokens", {"GET", "POST"}),
    ("GET", "/api/v1/accounts", {"POST"}),
    ("POST", "/api/v1/access-tokens/1", {"DELETE"}),
    ("GET", "/_test/clock", {"POST"}),
])
def test_wrong_method_is_405_with_allow(server, method, path, allowed):
    r = requests.request(method, server.url(path), timeout=5)
    assert r.status_code == 405
    assert allowed <= allow_set(r), r.headers.get("Allow")
    assert method not in allow_set(r)


def test_405_is_json_under_api_and_html_elsewhere(server):
    r = requests.put(server.url("/api/v1/accounts"), timeout=5)
    assert r.status_code == 405
    assert r.headers["Content-Type"].startswith("application/json")
    r = requests.put(server.url("/signup"), timeout=5)
    assert r.status_code == 405
    assert r.headers["Content-Type"].startswith("text/html")


def test_head_healthz(server):
    r = requests.head(server.url("/healthz"), timeout=5)
    assert r.status_code == 200
    assert r.content == b""


def test_healthz(server):
    r = requests.get(server.url("/healthz"), timeout=5)
    assert r.status_code == 200


def test_ping_answers_without_the_store(server):
    r = requests.get(server.url("/ping"), timeout=5)
    assert r.status_code == 200
    assert r.json() == {"status": "ok"}
    r = requests.post(server.url("/ping"), timeout=5)
    assert r.status_code == 405
    assert r.headers["Allow"] == "GET, HEAD"


def test_stylesheet_is_served(server):
    r = requests.get(server.url("/static/style.css"), timeout=5)
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("text/css")
