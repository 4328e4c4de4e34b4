"""grant_type=refresh_token (docs/REFERENCE.md §3.3): rotation, reuse
detection, scope narrowing, concurrency, --refresh-retry-window and
--refresh-idle-ttl."""

import time

import pytest

import oauthkit
from oauthkit import (User, alive, approve, family_alive, family_dead,
                      get_tokens, implicit_token, introspection, make_app,
                      oauth_server, race, refresh,
                      token_error, tokens_ok)

server = oauthkit.module_server()

ALL = " ".join(oauthkit.SCOPES)


@pytest.fixture(scope="module")
def app(server):
    return make_app(server, implicit=True)


@pytest.fixture(scope="module")
def other_app(server):
    return make_app(server)


@pytest.fixture(scope="module")
def user(server, app, other_app):
    u = User(server, "refresh")
    approve(u, app, scope=ALL)
    approve(u, other_app, scope=ALL)
    return u


def test_rotation(server, app, user):
    t1 = get_tokens(user, app, scope="account_read contact_data")
    t2 = tokens_ok(refresh(app, t1["refresh_token"]))
    assert t2["refresh_token"] != t1["refresh_token"]
    assert t2["access_token"] != t1["access_token"]
    assert t2["expires_in"] == 3600
    assert set(t2["scope"].split()) == {"account_read", "contact_data"}
    assert alive(server, t2["access_token"])
    t3 = tokens_ok(refresh(app, t2["refresh_token"], auth="post"))
    assert t3["refresh_token"] not in (t1["refresh_token"], t2["refresh_token"])
    assert alive(server, t3["access_token"])


def test_reuse_revokes_the_family_only(server, app, user):
    t1 = get_tokens(user, app)
    t2 = tokens_ok(refresh(app, t1["refresh_token"]))
    t3 = tokens_ok(refresh(app, t2["refresh_token"]))
    other = get_tokens(user, app)                     # same account and app
    token_error(refresh(app, t1["refresh_token"]), "invalid_grant")
    family_dead(app, [t1, t2, t3])
    family_alive(app, other)


def test_reuse_of_the_just_used_token(server, app, user):
    t1 = get_tokens(user, app)
    t2 = tokens_ok(refresh(app, t1["refresh_token"]))
    token_error(refresh(app, t1["refresh_token"]), "invalid_grant")
    family_dead(app, [t2])


def test_refresh_of_another_app_is_invalid_grant(server, app, other_app, user):
    t = get_tokens(user, app)
    token_error(refresh(other_app, t["refresh_token"]), "invalid_grant")


def test_access_token_is_not_a_refresh_token(server, app, user):
    t = get_tokens(user, app)
    token_error(refresh(app, t["access_token"]), "invalid_grant")
    token_error(refresh(app, "kg_rt_" + "A" * 43), "invalid_grant")
    token_error(refresh(app, "kg_rt_" + "A" * 54), "invalid_grant")
    family_alive(app, t)


def test_a_refresh_token_with_another_time_is_invalid_grant(server, app,
                                                            user):
    """The minting time in a refresh token is part of its key: changed,
    it names nothing, and the real token is not spent by the attempt."""
    t = get_tokens(user, app)
    rt = t["refresh_token"]
    at_time = len("kg_rt_") + 3
    forged = rt[:at_time] + ("B" if rt[at_time] != "B" else "C") + \
        rt[at_time + 1:]
    token_error(refresh(app, forged), "invalid_grant")
    family_alive(app, t)        # the real one refreshes


def test_missing_refresh_token_is_invalid_request(server, app):
    r = oauthkit.token_request(app, [("grant_type", "refresh_token")])
    token_error(r, "invalid_request")


@pytest.mark.parametrize("narrow", ["contact_data", "account_read",
                                    "contact_data account_read"])
def test_scope_narrowing(server, app, user, narrow):
    t = get_tokens(user, app, scope="account_read contact_data")
    n = tokens_ok(refresh(app, t["refresh_token"], scope=narrow))
    assert set(n["scope"].split()) == set(narrow.split())
    r = oauthkit.check(server, n["access_token"])
    assert set(r.headers["X-Keygate-Scope"].split()) == set(narrow.split())
    status = oauthkit.summary(server, n["access_token"]).status_code
    assert status == (200 if "account_read" in narrow else 403)


@pytest.mark.parametrize("wider", ["account_read campaign_data",
                                   "campaign_data", "account_read root",
                                   "ACCOUNT_READ"])
def test_wider_or_unknown_scope_is_invalid_scope(server, app, user, wider):
    t = get_tokens(user, app, scope="account_read contact_data")
    token_error(refresh(app, t["refresh_token"], scope=wider), "invalid_scope")


def test_narrowed_family_keeps_its_original_scopes(server, app, user):
    """The family's scopes are those of its authorization (RFC 6749 §6):
    after narrowing, asking for them again is a subset, asking beyond them
    is invalid_scope."""
    t = get_tokens(user, app, scope="account_read contact_data")
    n = tokens_ok(refresh(app, t["refresh_token"], scope="contact_data"))
    token_error(refresh(app, n["refresh_token"], scope=ALL), "invalid_scope")
    t = get_tokens(user, app, scope="account_read contact_data")
    n = tokens_ok(refresh(app, t["refresh_token"], scope="contact_data"))
    n2 = tokens_ok(refresh(app, n["refresh_token"],
                           scope="account_read contact_data"))
    assert set(n2["scope"].split()) == {"account_read", "contact_data"}


def test_omitted_scope_means_the_original_grant(server, app, user):
    """RFC 6749 §6: a refresh without `scope` gets the scopes originally
    granted, not those of the narrowed token it presents."""
    t = get_tokens(user, app, scope="account_read contact_data")
    n = tokens_ok(refresh(app, t["refresh_token"], scope="contact_data"))
    assert n["scope"] == "contact_data"
    again = tokens_ok(refresh(app, n["refresh_token"]))
    assert set(again["scope"].split()) == {"account_read", "contact_data"}


def test_two_concurrent_refreshes_one_wins(server, app, user):
    for i in range(20):
        t = get_tokens(user, app)
        results = race(2, lambda _: refresh(app, t["refresh_token"]))
        statuses = sorted(getattr(r, "status_code", repr(r)) for r in results)
        assert statuses == [200, 400], (i, statuses,
                                        [getattr(r, "text", r) for r in results])
        loser = [r for r in results if r.status_code == 400][0]
        assert loser.json()["error"] == "invalid_grant", loser.text


def test_a_refresh_waiting_for_its_commit_holds_no_thread(make_server,
                                                         tmp_path):
    """On SQLite a refresh waits for its group commit with its connection
    suspended, not its thread: while another process holds the write lock,
    a server with one thread still answers others, 40 refreshes wait
    together, and all of them complete once the lock goes. (The test's own
    SQLite file even on the PostgreSQL run: the property is SQLite's.)"""
    import sqlite3
    import threading
    import requests
    db = str(tmp_path / "keygate.db")
    srv = oauth_server(make_server, "--threads", "1", db=db)
    a = make_app(srv)
    u = User(srv, "onethread")
    tokens = [get_tokens(u, a) for _ in range(40)]
    lock = sqlite3.connect(db, timeout=10, isolation_level=None)
    lock.execute("BEGIN IMMEDIATE")
    results = [None] * 40
    try:
        waiting = [threading.Thread(target=lambda i=i: results.__setitem__(
            i, refresh(a, tokens[i]["refresh_token"]))) for i in range(40)]
        for t in waiting:
            t.start()
        time.sleep(0.5)
        assert all(r is None for r in results), "the lock did not hold"
        r = requests.get(srv.url("/ping"), timeout=2)
        assert r.status_code == 200
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    for t in waiting:
        t.join(10)
    fresh = [tokens_ok(r) for r in results]
    assert len({f["refresh_token"] for f in fresh}) == 40
    assert all(alive(srv, f["access_token"]) for f in fresh)


def test_refresh_tokens_live_for_days(make_server):
    srv = oauth_server(make_server)
    a = make_app(srv)
    u = User(srv, "days")
    t = get_tokens(u, a)
    srv.advance(10 * 86400)
    assert not alive(srv, t["access_token"])
    n = tokens_ok(refresh(a, t["refresh_token"]))
    assert alive(srv, n["access_token"])
    srv.advance(400 * 86400)
    tokens_ok(refresh(a, n["refresh_token"]))


def test_client_flow_token_cannot_be_refreshed(server, app, user):
    res = implicit_token(user, app)
    token_error(refresh(app, res["access_token"]), "invalid_grant")


# --- --refresh-retry-window ----------------------------------------------------

@pytest.fixture
def retry_world(make_server):
    srv = oauth_server(make_server, "--refresh-retry-window", "30")
    a = make_app(srv)
    u = User(srv, "retry")
    approve(u, a)
    return srv, a, u


def test_default_is_strict(make_server):
    srv = oauth_server(make_server)
    a = make_app(srv)
    t1 = get_tokens(User(srv, "strict"), a)
    t2 = tokens_ok(refresh(a, t1["refresh_token"]))
    token_error(refresh(a, t1["refresh_token"]), "invalid_grant")
    family_dead(a, t2)


def test_retry_within_the_window_while_unused(retry_world):
    srv, a, u = retry_world
    other = get_tokens(u, a)
    t1 = get_tokens(u, a)
    t2 = tokens_ok(refresh(a, t1["refresh_token"]))     # response "lost"
    srv.advance(10)
    t3 = tokens_ok(refresh(a, t1["refresh_token"]))     # retried
    assert t3["refresh_token"] not in (t1["refresh_token"], t2["refresh_token"])
    assert t3["access_token"] != t2["access_token"]
    assert introspection(a, t2["refresh_token"]) == {"active": False}
    assert introspection(a, t2["access_token"]) == {"active": False}
    assert not alive(srv, t2["access_token"])
    assert alive(srv, t3["access_token"])
    t4 = tokens_ok(refresh(a, t3["refresh_token"]))
    assert alive(srv, t4["access_token"])
    family_alive(a, other)


def test_retry_twice_within_the_window(retry_world):
    srv, a, u = retry_world
    t1 = get_tokens(u, a)
    tokens_ok(refresh(a, t1["refresh_token"]))
    srv.advance(5)
    t3 = tokens_ok(refresh(a, t1["refresh_token"]))
    srv.advance(5)
    t4 = tokens_ok(refresh(a, t1["refresh_token"]))
    assert introspection(a, t3["refresh_token"]) == {"active": False}
    assert alive(srv, t4["access_token"])


def test_retry_after_the_access_token_was_used(retry_world):
    srv, a, u = retry_world
    other = get_tokens(u, a)
    t1 = get_tokens(u, a)
    t2 = tokens_ok(refresh(a, t1["refresh_token"]))
    assert alive(srv, t2["access_token"])                 # a use
    srv.advance(5)
    token_error(refresh(a, t1["refresh_token"]), "invalid_grant")
    family_dead(a, [t1, t2])
    family_alive(a, other)


def test_retry_after_the_refresh_token_was_used(retry_world):
    srv, a, u = retry_world
    t1 = get_tokens(u, a)
    t2 = tokens_ok(refresh(a, t1["refresh_token"]))
    t3 = tokens_ok(refresh(a, t2["refresh_token"]))
    srv.advance(5)
    token_error(refresh(a, t1["refresh_token"]), "invalid_grant")
    family_dead(a, [t2, t3])


def test_retry_after_the_access_token_was_used_on_the_api(retry_world):
    srv, a, u = retry_world
    t1 = get_tokens(u, a)
    t2 = tokens_ok(refresh(a, t1["refresh_token"]))
    assert oauthkit.summary(srv, t2["access_token"]).status_code == 200
    token_error(refresh(a, t1["refresh_token"]), "invalid_grant")
    family_dead(a, t2)


def test_introspection_is_not_a_use_for_the_retry(retry_world):
    srv, a, u = retry_world
    t1 = get_tokens(u, a)
    t2 = tokens_ok(refresh(a, t1["refresh_token"]))
    assert introspection(a, t2["access_token"])["active"] is True
    assert introspection(a, t2["refresh_token"])["active"] is True
    t3 = tokens_ok(refresh(a, t1["refresh_token"]))
    assert alive(srv, t3["access_token"])


def test_retry_after_the_window_is_reuse(retry_world):
    srv, a, u = retry_world
    other = get_tokens(u, a)
    t1 = get_tokens(u, a)
    t2 = tokens_ok(refresh(a, t1["refresh_token"]))
    srv.advance(31)
    token_error(refresh(a, t1["refresh_token"]), "invalid_grant")
    family_dead(a, t2)
    family_alive(a, other)


# --- --refresh-idle-ttl -------------------------------------------------------

def test_refresh_idle_ttl(make_server):
    srv = oauth_server(make_server, "--refresh-idle-ttl", "100")
    a = make_app(srv)
    u = User(srv, "idle")
    t1 = get_tokens(u, a)
    t_dead = get_tokens(u, a)
    srv.advance(90)
    t2 = tokens_ok(refresh(a, t1["refresh_token"]))     # 90 s idle: fine
    srv.advance(90)                                     # t2's rt 90 s idle
    t3 = tokens_ok(refresh(a, t2["refresh_token"]))
    srv.advance(101)                                    # t3's rt 101 s idle
    token_error(refresh(a, t3["refresh_token"]), "invalid_grant")
    token_error(refresh(a, t_dead["refresh_token"]), "invalid_grant")


def test_refresh_idle_ttl_default_is_forever(make_server):
    srv = oauth_server(make_server, "--refresh-idle-ttl", "0")
    a = make_app(srv)
    t = get_tokens(User(srv, "idle0"), a)
    srv.advance(1000 * 86400)
    tokens_ok(refresh(a, t["refresh_token"]))
