"""POST /_test/clock (docs/REFERENCE.md §7.6): only with --test-clock, form
field advance=<positive integer>, answers {"now": <unix time>}."""

import time

import pytest
import requests


def advance(server, body, content_type="application/x-www-form-urlencoded"):
    return requests.post(server.url("/_test/clock"), data=body,
                         headers={"Content-Type": content_type}, timeout=5)


def test_advance_moves_the_clock(server):
    r = advance(server, "advance=1")
    assert r.status_code == 200, r.text
    first = r.json()["now"]
    assert type(first) is int
    assert abs(first - 1 - time.time()) < 5
    r = advance(server, "advance=10")
    assert r.status_code == 200
    second = r.json()["now"]
    assert type(second) is int
    assert 10 <= second - first <= 12, (first, second)
    assert r.headers["Content-Type"].startswith("application/json")


@pytest.mark.parametrize("body", [
    "advance=0",
    "advance=-5",
    "advance=abc",
    "advance=",
    "",
    "advance=5&advance=5",
    "advance=1.5",
    "advance=+5",
    "advance=%205",
    "advance=0x10",
    "advance=99999999999999999999999",
    "advance=999999999999",              # far beyond any lifetime rule
    "advance=5&extra=1",
    "other=5",
])
def test_bad_advance_is_400_and_does_not_move_the_clock(server, body):
    before = advance(server, "advance=1").json()["now"]
    r = advance(server, body)
    assert r.status_code == 400, (body, r.status_code, r.text)
    after = advance(server, "advance=1").json()["now"]
    assert 1 <= after - before <= 3, (before, after)


def test_advance_as_json_is_refused(server):
    r = advance(server, '{"advance": 5}', content_type="application/json")
    assert 400 <= r.status_code < 500


def test_without_test_clock_the_route_is_404(make_server):
    srv = make_server(test_clock=False)
    r = advance(srv, "advance=10")
    assert r.status_code == 404
