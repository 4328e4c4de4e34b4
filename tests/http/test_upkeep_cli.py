"""Operator commands on a serving store (docs/OPERATIONS.md): keygate
stats, keygate token revoke, keygate gc. Which rows gc removes, by the
lifetime rule, is the store contract's (tests/unit/store/...upkeep.c);
here: the commands, their output, and that a live store keeps working."""

import json
import sqlite3
import time

import oauthkit
from kgtest import run_cli
from oauthkit import User, approve, check, get_tokens, make_app, refresh


def stats(srv):
    r = run_cli("stats", "--json", "--db", srv.db)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def test_stats_counts_what_the_server_holds(make_server):
    srv = oauthkit.oauth_server(make_server)
    before = stats(srv)
    app = make_app(srv)
    user = User(srv, "stats")
    approve(user, app)
    t = get_tokens(user, app)
    after = stats(srv)
    assert after["accounts"] - before["accounts"] == 2   # dev and user
    assert after["apps"] - before["apps"] == 1
    assert after["grants"] - before["grants"] == 1
    assert after["live_access_tokens"] == 1
    assert after["live_refresh_tokens"] == 1
    assert after["live_sessions"] >= 1
    oauthkit.tokens_ok(refresh(app, t["refresh_token"]))
    assert stats(srv)["live_refresh_tokens"] == 1, "the used one is not live"
    r = run_cli("stats", "--db", srv.db)
    assert "live access tokens   2" in r.stdout, r.stdout


def test_token_revoke_reads_the_token_from_stdin(make_server):
    srv, app, user = oauthkit.granted_world(make_server, "revoke")
    a, b = get_tokens(user, app), get_tokens(user, app)
    r = run_cli("token", "revoke", "--db", srv.db,
                input=a["access_token"] + "\n")
    assert r.returncode == 0, r.stderr
    assert r.stdout == "revoked the access token\n"
    assert a["access_token"] not in r.stdout + r.stderr
    assert check(srv, a["access_token"]).status_code == 401
    r = run_cli("token", "revoke", "--db", srv.db, input=b["refresh_token"])
    assert r.returncode == 0, r.stderr
    assert "refresh token and every token of its family" in r.stdout
    assert check(srv, b["access_token"]).status_code == 401
    assert refresh(app, b["refresh_token"]).status_code == 400


def test_token_revoke_refuses_what_it_cannot_find(tmp_path):
    db = str(tmp_path / "k.db")
    r = run_cli("token", "revoke", "--db", db, input="kg_at_" + "x" * 43)
    assert r.returncode == 1
    assert "no such access token" in r.stderr
    assert "x" * 43 not in r.stderr
    r = run_cli("token", "revoke", "--db", db, input="")
    assert r.returncode == 2
    assert "standard input" in r.stderr
    assert run_cli("token", "revoke", "--db", db,
                   input="y" * 5000).returncode == 2
    assert run_cli("token").returncode == 2


def test_gc_keeps_the_living(make_server):
    srv, app, user = oauthkit.granted_world(make_server, "gc")
    t = get_tokens(user, app)
    r = run_cli("gc", "--db", srv.db)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert [l.split()[0] for l in lines] == ["usage", "access", "authorization",
                                             "sessions", "unshown",
                                             "device", "DPoP", "pushed",
                                             "security", "in"], lines
    assert lines[-1].split() == ["in", "all", "0", "removed"], lines
    assert check(srv, t["access_token"]).status_code == 200
    oauthkit.tokens_ok(refresh(app, t["refresh_token"]))
    assert user.get("/apps").status_code == 200, "the session lives"


def test_gc_takes_the_lifetime_settings_from_the_config(tmp_path):
    conf = tmp_path / "keygate.conf"
    conf.write_text(f"db = {tmp_path / 'k.db'}\ntoken-max-ttl = 100\n")
    r = run_cli("gc", "--config", str(conf))
    assert r.returncode == 2, r.stdout
    assert "must not exceed --token-max-ttl" in r.stderr
    conf.write_text(f"db = {tmp_path / 'k.db'}\nlisten = 127.0.0.1:1\n")
    assert run_cli("gc", "--config", str(conf)).returncode == 0


def usage_sql(db, sql, args=()):
    """Runs sql on the store of either backend; the rows it reads."""
    if str(db).startswith("postgres"):
        import psycopg2
        conn = psycopg2.connect(db)
        try:
            with conn, conn.cursor() as cur:
                cur.execute(sql.replace("?", "%s"), args)
                return cur.fetchall() if cur.description else []
        finally:
            conn.close()
    with sqlite3.connect(db, timeout=10) as conn:
        return conn.execute(sql, args).fetchall()


def test_gc_removes_usage_hours_past_the_retention(make_server):
    """docs/REFERENCE.md §21: hours older than --usage-retention-days
    (default 90) go; the server counts on meanwhile."""
    srv, app, user = oauthkit.granted_world(make_server, "gcusage")
    (app_id,), = usage_sql(srv.db, "SELECT id FROM apps WHERE api_key = ?",
                           (app.key,))
    now = int(time.time())
    hour = now - now % 3600
    for days in (400, 91, 89, 1):
        usage_sql(srv.db, "INSERT INTO usage(app_id, hour, checks_ok) "
                  "VALUES (?, ?, 1)", (app_id, hour - days * 86400))

    def ages():
        return sorted((hour - h) // 86400 for h, in usage_sql(
            srv.db, "SELECT hour FROM usage WHERE app_id = ?", (app_id,)))

    r = run_cli("gc", "--db", srv.db)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[0].split() == ["usage", "hours", "2",
                                                "removed"], r.stdout
    assert ages() == [1, 89], ages()
    r = run_cli("gc", "--db", srv.db, "--usage-retention-days", "30")
    assert r.returncode == 0, r.stderr
    assert ages() == [1], ages()
    assert run_cli("gc", "--db", srv.db, "--usage-retention-days",
                   "0").returncode == 2
    t = get_tokens(user, app)
    assert check(srv, t["access_token"]).status_code == 200
