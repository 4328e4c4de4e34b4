"""The use log (0005_use_log.sql), the warm-up of the token cache, the memo
of client apps and introspection from the cache: a use reaches the store
through the log even across a crash, a clean stop leaves the log folded,
a restart fills the cache, a new secret or a deleted app counts at once,
and introspection's exp counts this node's uses.

The tests that read the SQLite file give their servers a file of their
own, so they stay on SQLite under KEYGATE_TEST_PG."""

import hashlib
import os
import re
import signal
import sqlite3
import time

import pytest

import oauthkit
from kgtest import delete_app, run_cli, start_server
from oauthkit import (User, advance_to, alive, get_tokens, introspect,
                      introspection, make_app, oauth_server, revoke,
                      token_error)

H = 3600


# --- the SQLite file ---------------------------------------------------------

def query(db, sql, *args):
    """Rows of `sql` on the SQLite file `db`, opened read-only."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


def logged_uses(db):
    """Every use in the log: a list of (token hash, time)."""
    out = []
    for (blob,) in query(db, "SELECT uses FROM use_log ORDER BY id"):
        assert len(blob) % 40 == 0, len(blob)
        for k in range(0, len(blob), 40):
            out.append((blob[k:k + 32],
                        int.from_bytes(blob[k + 32:k + 40], "big")))
    return out


def token_hash(token):
    return oauthkit.token_key(token)


def last_used(db, token):
    rows = query(db, "SELECT last_used FROM access_tokens WHERE hash = ?",
                 token_hash(token))
    assert len(rows) == 1, rows
    return rows[0][0]


def wait_for(what, fn, timeout=5.0):
    """fn()'s first true value within `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        got = fn()
        if got:
            return got
        assert time.monotonic() < deadline, f"{what} within {timeout} s"
        time.sleep(0.02)


def wait_logged(db, token):
    """The time of the token's use, once the keeper has logged it."""
    h = token_hash(token)
    return wait_for("the use in use_log",
                    lambda: [t for k, t in logged_uses(db) if k == h])[0]


def wait_folded(db):
    wait_for("use_log emptied by a fold", lambda: logged_uses(db) == [])


# --- servers -----------------------------------------------------------------

@pytest.fixture
def crashable(tmp_path_factory):
    """start(db): an OAuth server on `db` that the test may kill -9
    (conftest's servers must exit 0 on SIGTERM)."""
    started = []

    def start(db):
        srv = start_server(tmp_path_factory.mktemp("keygate"), db=db,
                           issuer=True)
        started.append(srv)
        return srv

    yield start
    for srv in started:
        srv.stop()


def kill9(srv):
    srv.proc.kill()
    srv.proc.wait(timeout=10)
    assert srv.stop() == -signal.SIGKILL, srv.returncode


def issued(app, user):
    """(access token, its iat) of a fresh family; not a use."""
    at = get_tokens(user, app)["access_token"]
    return at, introspection(app, at)["iat"]


def crash_after(crashable, tmp_path, use):
    """Issues a token on a server of its own, uses it (if `use`), waits
    until the use is logged, kills the server with SIGKILL. Returns
    (db, token, iat, time of the use or None)."""
    db = str(tmp_path / "keygate.db")
    srv = crashable(db)
    a = make_app(srv)
    at, iat = issued(a, User(srv, "crash"))
    when = None
    if use:
        t0 = int(time.time())
        assert alive(srv, at)
        t1 = int(time.time())
        when = wait_logged(db, at)
        assert t0 <= when <= t1, (t0, when, t1)
        # only the log holds it: no fold yet (every 50 s by default)
        assert last_used(db, at) == 0
    else:
        time.sleep(0.3)                   # as long as a keeper period or so
        assert logged_uses(db) == []
    kill9(srv)
    return db, at, iat, when


# --- the log across a crash and a clean stop ---------------------------------

def test_a_logged_use_survives_a_crash(crashable, make_server, tmp_path):
    db, at, iat, when = crash_after(crashable, tmp_path, use=True)
    again = oauth_server(make_server, db=db)
    # the start's fold, before anything moves the clock (which folds too)
    wait_folded(db)
    assert last_used(db, at) == when
    advance_to(again, iat + H + 600)      # unused it died at iat + 1 h
    assert alive(again, at)


def test_an_unused_token_is_dead_after_a_crash_and_an_hour(crashable,
                                                           make_server,
                                                           tmp_path):
    """The control of the test above: the same steps without the use."""
    db, at, iat, _ = crash_after(crashable, tmp_path, use=False)
    again = oauth_server(make_server, db=db)
    advance_to(again, iat + H + 600)
    assert not alive(again, at)
    assert last_used(db, at) == 0


def test_a_token_minted_before_the_sorted_form_still_works(make_server,
                                                           tmp_path):
    """Access tokens minted before the sorted form (43 characters after
    the prefix) are stored under their plain SHA-256 (base/secure.h): one
    written into the store as the old form was passes the check, counts
    its use, and dies when revoked."""
    db = str(tmp_path / "keygate.db")
    srv = oauth_server(make_server, db=db)
    a = make_app(srv)
    t = get_tokens(User(srv, "legacy"), a)
    old = "kg_at_" + oauthkit.b64url(os.urandom(32))
    assert len(old) == len("kg_at_") + 43
    conn = sqlite3.connect(db, timeout=5)
    try:
        with conn:
            conn.execute("INSERT INTO access_tokens(hash, family_id, scope, "
                         "iat) SELECT ?, family_id, scope, iat FROM "
                         "access_tokens WHERE hash = ?",
                         (oauthkit.token_key(old),
                          token_hash(t["access_token"])))
    finally:
        conn.close()
    assert oauthkit.token_key(old) == hashlib.sha256(old.encode()).digest()
    assert alive(srv, old)
    assert introspection(a, old)["active"] is True
    assert revoke(a, old).status_code == 200
    assert not alive(srv, old)
    assert alive(srv, t["access_token"])


def test_a_clean_stop_folds_the_log(make_server, tmp_path):
    db = str(tmp_path / "keygate.db")
    srv = oauth_server(make_server, db=db)
    a = make_app(srv)
    u = User(srv, "stop")
    logged, pending = (get_tokens(u, a)["access_token"] for _ in range(2))
    t0 = int(time.time())
    assert alive(srv, logged)
    when = wait_logged(db, logged)
    assert last_used(db, logged) == 0     # in the log, not folded
    assert alive(srv, pending)            # most likely still in memory
    t1 = int(time.time())
    assert srv.stop() == 0
    assert logged_uses(db) == []
    assert last_used(db, logged) == when
    assert t0 <= last_used(db, pending) <= t1, (t0, t1)


# --- the warm-up -------------------------------------------------------------

WARM_RE = re.compile(r"token cache: (\d+) live tokens loaded in [0-9.]+ s")


def test_a_restart_fills_the_cache_with_the_live_tokens(make_server,
                                                        tmp_path):
    db = str(tmp_path / "keygate.db")
    srv = oauth_server(make_server, db=db)
    a = make_app(srv)
    u = User(srv, "warm")
    tokens = [get_tokens(u, a)["access_token"] for _ in range(5)]
    assert revoke(a, tokens[0]).status_code == 200
    assert srv.stop() == 0
    again = oauth_server(make_server, db=db)
    found = wait_for("the warm-up's log line",
                     lambda: WARM_RE.findall(again.log()))
    assert found == ["4"], again.log()[-2000:]
    assert [alive(again, t) for t in tokens] == [False] + [True] * 4


# --- the memo of client apps -------------------------------------------------

def refused(app, token, secret):
    """An introspection with `secret` gets 401 invalid_client."""
    r = oauthkit.post(app.server, "/oauth2/introspect", [("token", token)],
                      {"Authorization": oauthkit.basic_client(app.key,
                                                              secret)})
    token_error(r, "invalid_client", 401)


def memoized(app, token):
    """Two introspections with the current secret: the second from the
    memo."""
    for _ in range(2):
        assert introspection(app, token)["active"] is True


def test_a_new_secret_counts_at_once(make_server):
    """No sleep anywhere: the keeper would drop the memo within 100 ms
    anyway, so only a change the server tells itself at once passes every
    round."""
    srv = oauth_server(make_server)
    a = make_app(srv)
    at = get_tokens(User(srv, "memo"), a)["access_token"]
    for _ in range(5):
        memoized(a, at)
        old = a.secret
        a.new_secret()
        refused(a, at, old)
        assert introspection(a, at)["active"] is True


def test_a_deleted_app_counts_at_once(make_server):
    srv = oauth_server(make_server)
    u = User(srv, "memo")
    for _ in range(3):
        a = make_app(srv)
        at = get_tokens(u, a)["access_token"]
        memoized(a, at)
        assert delete_app(srv, a.dev.pat, a.key).status_code == 204
        refused(a, at, a.secret)
        token_error(introspect(a, at, auth="post"), "invalid_client", 401)


@pytest.mark.alone("a change seen within 1 s")
def test_a_secret_replaced_by_another_process_counts_within_a_second(
        make_server, tmp_path):
    db = str(tmp_path / "keygate.db")
    srv = oauth_server(make_server, db=db)
    a = make_app(srv)
    at = get_tokens(User(srv, "memo"), a)["access_token"]
    memoized(a, at)
    p = run_cli("app", "secret", a.key, "--db", db)
    assert p.returncode == 0, p.stderr
    old, a.secret = a.secret, p.stdout.strip()
    deadline = time.monotonic() + 1.0
    while introspect(a, at).status_code != 200:
        assert time.monotonic() < deadline, "the new secret refused after 1 s"
        time.sleep(0.05)
    refused(a, at, old)


# --- introspection from the cache --------------------------------------------

def test_introspection_counts_this_nodes_uses(make_server, tmp_path):
    """With --use-coalesce 600 the log is folded every 500 s and a use
    within 100 s of a logged one is not logged at all: only the node's
    memory has those uses, and exp must count them."""
    db = str(tmp_path / "keygate.db")
    srv = oauth_server(make_server, "--use-coalesce", "600", db=db)
    a = make_app(srv)
    at, iat = issued(a, User(srv, "intro"))
    assert introspection(a, at)["exp"] == iat + H
    advance_to(srv, iat + 1800)
    assert alive(srv, at)
    wait_logged(db, at)
    assert last_used(db, at) == 0         # else this proves nothing
    assert introspection(a, at)["exp"] == iat + 1800 + 2 * H
    advance_to(srv, iat + 1850)           # folds the use at iat + 1800
    assert last_used(db, at) == iat + 1800
    assert alive(srv, at)                 # not logged: within 100 s
    assert introspection(a, at)["exp"] == iat + 1850 + 2 * H
    advance_to(srv, iat + 1850 + H)       # later, no use: exp stays
    i = introspection(a, at)
    assert i["active"] is True and i["exp"] == iat + 1850 + 2 * H, i
    for k in range(1, 16):                # a use every 90 min, to 23 h
        advance_to(srv, iat + 1850 + k * 5400)
        assert alive(srv, at), k
    assert introspection(a, at)["exp"] == iat + 24 * H     # the cap


@pytest.mark.parametrize("flags", [(), ("--token-cache", "0")],
                         ids=["cache", "no-cache"])
def test_a_use_counts_at_once_on_its_node(make_server, flags):
    """A use just before the unused hour ends keeps the token alive on the
    node that saw it, before any fold: from the cache, or, without one,
    because every use is then written at once. The real clock has to pass
    the hour here: moving the test clock would fold the log first."""
    srv = oauth_server(make_server, *flags)
    app = make_app(srv)
    at, iat = issued(app, User(srv, "p"))
    advance_to(srv, iat + H - 2)
    assert alive(srv, at)
    time.sleep(3)
    assert alive(srv, at), "the use at iat + 1 h - 2 s counts"
    assert introspection(app, at)["exp"] >= iat + H - 2 + 2 * H
