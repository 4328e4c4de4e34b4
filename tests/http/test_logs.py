"""The access log: one logfmt line per request on stderr, and no secret in
it (docs/REFERENCE.md §7.7)."""

import base64
import re
import time

import requests

from kgtest import (PASSWORD, Browser, access_lines, basic, bearer,
                    raw_exchange, unique_email)


def wait_for_lines(srv, offset, n, timeout=3):
    deadline = time.monotonic() + timeout
    while True:
        # the start-up probes of /healthz may be logged a little late
        lines = [l for l in access_lines(srv.log()[offset:])
                 if l.get("route") != "/healthz"]
        if len(lines) >= n or time.monotonic() > deadline:
            return lines
        time.sleep(0.05)


def test_one_line_per_request_and_no_secrets(fresh_server):
    srv = fresh_server
    offset = len(srv.log())
    started = time.monotonic()
    email = unique_email("logs")
    done = []           # (method, status) of every request, in order

    r = requests.post(srv.url("/api/v1/accounts"),
                      json={"email": email, "password": PASSWORD}, timeout=10)
    assert r.status_code == 201
    done.append(("POST", 201))

    b = Browser(srv)
    r = b.get("/login")
    done.append(("GET", 200))
    csrf_cookie = b.cookies.get("kg_csrf")
    r = b.login(email, PASSWORD)
    done += [("GET", 200), ("POST", 303)]
    assert r.status_code == 303
    session = b.session_cookie()
    assert session
    home = b.get("/")
    done.append(("GET", 200))
    b.close()
    with Browser(srv) as other:
        r = other.login(email, "wrong password here")
        assert r.status_code == 401
        done += [("GET", 200), ("POST", 401)]

    r = requests.post(srv.url("/api/v1/access-tokens"),
                      headers={"Authorization": basic(email, PASSWORD)},
                      timeout=10)
    assert r.status_code == 201
    done.append(("POST", 201))
    token = r.json()["token"]
    r = requests.get(srv.url("/api/v1/access-tokens"), headers=bearer(token),
                     timeout=10)
    assert r.status_code == 200
    done.append(("GET", 200))
    pat_id = r.json()[0]["id"]
    r = requests.get(srv.url("/nope"), params={"token": token,
                                               "password": PASSWORD},
                     timeout=10)
    done.append(("GET", 404))
    r = requests.delete(srv.url(f"/api/v1/access-tokens/{pat_id}"),
                        headers=bearer(token), timeout=10)
    assert r.status_code == 204
    done.append(("DELETE", 204))

    lines = wait_for_lines(srv, offset, len(done))
    wall_ms = (time.monotonic() - started) * 1000
    got = [(l.get("method"), int(l.get("status", 0))) for l in lines]
    assert len(lines) == len(done), (got, done)
    assert sorted(got) == sorted(done), (got, done)
    for l in lines:
        for key in ("method", "route", "status", "dur_ms"):
            assert key in l, l
        # milliseconds to the microsecond, each within the test's own time
        assert re.fullmatch(r"\d+\.\d{3}", l["dur_ms"]), l
        assert 0 < float(l["dur_ms"]) < wall_ms, (l, wall_ms)
    routes = {l["route"] for l in lines}
    assert "/api/v1/access-tokens/{id}" in routes
    assert "/api/v1/accounts" in routes

    text = srv.log()
    secrets = {
        "password": PASSWORD,
        "wrong password": "wrong password here",
        "personal access token": token,
        "token body": token[len("kg_pat_"):],
        "session cookie": session,
        "csrf cookie": csrf_cookie,
        "basic credentials": base64.b64encode(
            f"{email}:{PASSWORD}".encode()).decode(),
    }
    for what, value in secrets.items():
        assert value and value not in text, f"the log shows the {what}"
    assert home.status_code == 200


def test_client_strings_are_cut_and_cleaned(fresh_server):
    srv = fresh_server
    offset = len(srv.log())
    long_path = "/" + "x" * 500
    requests.get(srv.url(long_path), timeout=5)
    raw_exchange(srv, b"GET /a%0a\x7f\x1b\xc3\xa9\"b= HTTP/1.1\r\nHost: x\r\n"
                 b"Connection: close\r\n\r\n")
    lines = wait_for_lines(srv, offset, 2)
    raw = srv.log()[offset:]
    assert "x" * 200 not in raw, "a client-sent path was logged whole"
    for line in raw.splitlines():
        assert all(0x20 <= ord(c) < 0x7f for c in line), repr(line)
    assert len(lines) == 2
