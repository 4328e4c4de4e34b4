"""Uses of access tokens recorded cheaply (--use-coalesce, the token cache)
without changing what docs/REFERENCE.md §4 promises on one node: a queued use
counts at once, survives a clean stop, survives the cache being dropped, and a
revocation made by another process reaches the server within a second."""

import time

import pytest

import oauthkit
from kgtest import run_cli, start_server
from oauthkit import (User, advance_to, alive, approve, clock, get_tokens,
                      make_app, oauth_server, revoke)

H = 3600


def world(make_server, *flags):
    srv = oauth_server(make_server, *flags)
    a = make_app(srv)
    u = User(srv, "uses")
    approve(u, a)
    return srv, a, u


def test_a_queued_use_is_written_on_a_clean_stop(make_server, tmp_path):
    srv, a, u = world(make_server)
    at = get_tokens(u, a)["access_token"]
    assert alive(srv, at)                 # a use, queued
    assert srv.stop() == 0
    again = start_server(tmp_path, db=srv.db, issuer=True)
    try:
        # unused it would die at one hour; used, two hours after the use
        advance_to(again, clock(again) + H + 600)
        assert alive(again, at)
    finally:
        assert again.stop() == 0


def test_uses_not_written_still_count_on_this_node(make_server):
    srv, a, u = world(make_server, "--use-coalesce", "600")
    at = get_tokens(u, a)["access_token"]
    t0 = clock(srv)
    assert alive(srv, at)                 # written (the first use)
    advance_to(srv, t0 + 300)
    assert alive(srv, at)                 # within 600 s: not written
    # dropping the cache (any revocation does) keeps that use
    other = get_tokens(u, a)["access_token"]
    r = revoke(a, other)
    assert r.status_code == 200, r.text
    advance_to(srv, t0 + 300 + 2 * H - 5)
    assert alive(srv, at), "dies two hours after the unwritten use"
    advance_to(srv, t0 + 300 + 2 * H - 5 + 2 * H)
    assert not alive(srv, at)


def test_exact_mode_and_no_cache_keep_the_rule(make_server):
    srv, a, u = world(make_server, "--use-coalesce", "0",
                      "--token-cache", "0")
    at = get_tokens(u, a)["access_token"]
    t0 = clock(srv)
    assert alive(srv, at)
    advance_to(srv, t0 + 2 * H - 10)
    assert alive(srv, at)
    advance_to(srv, t0 + 4 * H)
    assert not alive(srv, at)


@pytest.mark.alone("a change seen within 1 s")
def test_a_revocation_by_another_process_reaches_the_cache(make_server):
    srv, a, u = world(make_server)
    at = get_tokens(u, a)["access_token"]
    assert alive(srv, at)                 # now in the cache
    p = run_cli("app", "delete", a.key, "--db", srv.db)
    assert p.returncode == 0, p.stderr
    deadline = time.monotonic() + 1.0
    while alive(srv, at):
        assert time.monotonic() < deadline, \
            "a token of a deleted app still passed after 1 s"
        time.sleep(0.05)


def test_this_node_never_serves_what_it_revoked(make_server):
    srv, a, u = world(make_server)
    for _ in range(20):
        at = get_tokens(u, a)["access_token"]
        assert alive(srv, at)
        r = revoke(a, at)
        assert r.status_code == 200, r.text
        assert not alive(srv, at)


def test_a_retry_drops_the_pair_it_replaces_from_the_cache(make_server):
    srv, a, u = world(make_server, "--refresh-retry-window", "30")
    t = get_tokens(u, a)
    r1 = oauthkit.refresh(a, t["refresh_token"])
    assert r1.status_code == 200, r1.text
    child = r1.json()["access_token"]
    # an introspection caches the child without using it
    assert oauthkit.introspection(a, child)["active"] is True
    r2 = oauthkit.refresh(a, t["refresh_token"])    # the answer was "lost"
    assert r2.status_code == 200, r2.text
    assert not alive(srv, child), "the replaced pair is gone at once"
    assert alive(srv, r2.json()["access_token"])
