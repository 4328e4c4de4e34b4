"""Operator commands on a serving store (docs/OPERATIONS.md): keygate
stats, keygate token revoke, keygate gc. Which rows gc removes, by the
lifetime rule, is the store contract's (tests/unit/store/...upkeep.c);
here: the commands, their output, and that a live store keeps working."""

import json

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
    assert [l.split()[0] for l in lines] == ["access", "authorization",
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
