"""Operators' account commands (docs/OPERATIONS.md, "Account commands"),
run against the store of a running server, whose answers are then read
over HTTP:
    account list [--json]          every account, a line (or an item) each
    account show EMAIL [--json]    one account, its apps and what it holds
    account disable EMAIL          sessions and personal tokens ended;
                                   log-ins, its apps' clients and every
                                   token to its apps or to it refused
    account enable EMAIL           undoes it (what was ended stays ended)
    account delete EMAIL [--yes]   the account and everything it owns
    account passwd EMAIL           new password on stdin; sessions ended
Unknown email: exit 1, "no account EMAIL"; bad usage: exit 2.

The server learns of a change made by another process through the store's
revision counter, which its keeper polls every 100 ms; within_delay()
gives it a second, the delay docs/REFERENCE.md promises for a revocation
made elsewhere. That is a wait on real time, not on the server's clock."""

import json
import re
import sqlite3
import time

import pytest
import requests

import oauthkit
from kgtest import (RFC3339_UTC, Browser, create_pat, list_pats,
                    logged_in_as, run_cli, signup)
from oauthkit import (User, alive, approve, auth_params, authorize,
                      get_tokens, introspect, introspection,
                      make_app, refresh, refresh_refused, submit_grant,
                      summary, token_error, tokens_ok)

server = oauthkit.module_server()

NEW_PASSWORD = "another long passphrase 7"
DISABLED = "This account is disabled"


def account_cli(srv, *args, **kw):
    """`keygate account ARGS... --db <the server's store>`."""
    return run_cli("account", *args, "--db", srv.db, **kw)


def ok(p):
    assert p.returncode == 0, (p.returncode, p.stdout, p.stderr)
    return p.stdout


def gone(srv, token):
    """Whether /oauth2/check refuses the access token. Each token is polled
    on its own: one that misses the cache is refused as soon as the change
    is committed, one still cached once the keeper has seen it."""
    return lambda: not alive(srv, token)


def client_refused(app, token):
    """Whether the app's client fails authentication (introspection, which
    changes nothing, as the probe)."""
    return lambda: introspect(app, token).status_code == 401


def within_delay(fn, seconds=1.0):
    """True once fn() is, polled until `seconds` have passed."""
    deadline = time.monotonic() + seconds
    while not fn():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


class World:
    """A developer (logged in, with a personal token) whose app a user
    connected to, and who is itself the user of another developer's
    app: t_app was issued to the developer's app, t_dev to the developer
    as an end user."""

    def __init__(self, srv, name):
        self.dev = User(srv, name + "dev")
        self.pat = self.dev.pat
        self.app = make_app(srv, self.dev)
        self.user = User(srv, name + "user")
        self.t_app = get_tokens(self.user, self.app)
        self.other = make_app(srv)
        self.t_dev = get_tokens(self.dev, self.other)
        # checked once: the server's cache holds them from here on
        assert alive(srv, self.t_app["access_token"])
        assert alive(srv, self.t_dev["access_token"])


def portal_login(srv, email, password):
    return Browser(srv).login(email, password)


@pytest.mark.alone("a change seen within 1 s")
def test_disable_refuses_everything_and_enable_gives_it_back(server):
    w = World(server, "dis")
    out = ok(account_cli(server, "disable", w.dev.email))
    assert w.dev.email in out and "disabled" in out

    # tokens issued to its app and to it, on the running server
    assert within_delay(gone(server, w.t_app["access_token"]))
    assert within_delay(gone(server, w.t_dev["access_token"]))
    assert summary(server, w.t_dev["access_token"]).status_code == 401
    assert introspection(w.other, w.t_dev["access_token"])["active"] is False
    refresh_refused(w.other, w.t_dev["refresh_token"])
    # its app's client no longer authenticates
    assert within_delay(client_refused(w.app, w.t_app["access_token"]))
    token_error(refresh(w.app, w.t_app["refresh_token"]), "invalid_client",
                401)
    token_error(introspect(w.app, w.t_app["access_token"]), "invalid_client",
                401)
    r = authorize(w.user, auth_params(w.app))
    assert r.status_code == 400 and "Location" not in r.headers, r.status_code
    assert "This application is disabled" in r.text
    # its session and personal token are ended, its log-ins refused
    assert not logged_in_as(w.dev.home(), w.dev.email)
    assert list_pats(server, w.pat).status_code == 401
    r = portal_login(server, w.dev.email, w.dev.password)
    assert r.status_code == 403 and DISABLED in r.text, r.status_code
    r = portal_login(server, w.dev.email, "not the password at all")
    assert r.status_code == 401, r.status_code
    assert "Wrong email or password" in r.text and DISABLED not in r.text
    r = create_pat(server, w.dev.email, w.dev.password)
    assert r.status_code == 403 and r.json()["error"] == "account_disabled"
    r = create_pat(server, w.dev.email, "not the password at all")
    assert r.status_code == 401 and DISABLED not in r.text
    # the user of its app is not touched
    assert logged_in_as(w.user.home(), w.user.email)

    ok(account_cli(server, "enable", w.dev.email))
    assert within_delay(lambda: introspect(
        w.app, w.t_app["access_token"]).status_code == 200)
    assert alive(server, w.t_app["access_token"])
    tokens_ok(refresh(w.app, w.t_app["refresh_token"]))
    # the tokens it was issued as an end user died with the disabling
    assert not alive(server, w.t_dev["access_token"])
    refresh_refused(w.other, w.t_dev["refresh_token"])
    assert portal_login(server, w.dev.email, w.dev.password).status_code == 303
    # what disabling ended stays ended
    assert list_pats(server, w.pat).status_code == 401
    assert not logged_in_as(w.dev.home(), w.dev.email)


@pytest.mark.alone("a change seen within 1 s")
def test_enable_gives_back_only_what_the_lifetime_rule_left(make_server):
    """Disabling stops no clock: a token that expired meanwhile (unused for
    --token-unused-ttl, 3600 s) stays dead after enable; one used before
    and still within --token-idle-ttl (7200 s) works again."""
    srv = oauthkit.oauth_server(make_server)
    dev = User(srv, "lifedev")
    app = make_app(srv, dev)
    user = User(srv, "lifeuser")
    used, unused = get_tokens(user, app), get_tokens(user, app)
    assert alive(srv, used["access_token"])           # a use, now
    ok(account_cli(srv, "disable", dev.email))
    assert within_delay(gone(srv, used["access_token"]))
    srv.advance(3601)
    ok(account_cli(srv, "enable", dev.email))
    assert within_delay(lambda: alive(srv, used["access_token"]))
    assert not alive(srv, unused["access_token"])


def cache_misses(srv):
    """keygate_token_cache_misses_total: each a read of the store."""
    text = requests.get(srv.metrics_url, timeout=10).text
    return float(re.search(r"^keygate_token_cache_misses_total (\S+)$",
                           text, re.M).group(1))


@pytest.mark.alone("a change seen within 1 s")
def test_checks_of_a_disabled_accounts_tokens_stay_in_the_cache(server):
    """Disabling may turn an app's every token away at once, and its
    clients go on checking them: each check is answered from the cache,
    as a revoked token's is, not read again from the store."""
    dev = User(server, "hotdev")
    app = make_app(server, dev)
    t = get_tokens(User(server, "hotuser"), app)
    assert alive(server, t["access_token"])
    ok(account_cli(server, "disable", dev.email))
    assert within_delay(gone(server, t["access_token"]))
    before = cache_misses(server)
    for _ in range(20):
        assert not alive(server, t["access_token"])
    assert cache_misses(server) - before <= 1


def test_disabled_end_user_is_refused_by_the_client_flow(server):
    app = make_app(server, implicit=True)
    user = User(server, "flow", login=False)
    ok(account_cli(server, "disable", user.email))
    page = authorize(user, auth_params(app, response_type="token"))
    assert page.status_code == 200, page.status_code
    r = submit_grant(user, page.text, "login", email=user.email,
                     password=user.password)
    assert r.status_code == 403 and DISABLED in r.text, r.status_code
    r = submit_grant(user, page.text, "login", email=user.email,
                     password="not the password at all")
    assert r.status_code == 401 and DISABLED not in r.text


def test_disable_and_enable_of_unknown_or_twice(server):
    for verb in ("show", "disable", "enable", "passwd"):
        r = account_cli(server, verb, "nobody@example.com", input="x" * 12)
        assert r.returncode == 1, (verb, r.stderr)
        assert "no account nobody@example.com" in r.stderr
    r = account_cli(server, "delete", "nobody@example.com", "--yes")
    assert r.returncode == 1 and "no account" in r.stderr
    user = User(server, "twice")
    ok(account_cli(server, "disable", user.email))
    first = json.loads(ok(account_cli(server, "show", user.email,
                                      "--json")))["disabled_at"]
    ok(account_cli(server, "disable", user.email))
    again = json.loads(ok(account_cli(server, "show", user.email, "--json")))
    assert again["disabled_at"] == first, "the first time stays"
    ok(account_cli(server, "enable", user.email))
    ok(account_cli(server, "enable", user.email))


@pytest.mark.alone("a change seen within 1 s")
def test_delete_takes_everything_it_owns(server):
    w = World(server, "del")
    r = account_cli(server, "delete", w.dev.email, input="")  # no terminal
    assert r.returncode == 2 and "--yes" in r.stderr, (r.returncode, r.stderr)
    assert alive(server, w.t_app["access_token"]), "nothing deleted"

    out = ok(account_cli(server, "delete", w.dev.email, "--yes"))
    assert "deleted" in out
    assert within_delay(gone(server, w.t_app["access_token"]))
    assert within_delay(gone(server, w.t_dev["access_token"]))
    assert within_delay(client_refused(w.app, w.t_app["access_token"]))
    token_error(refresh(w.app, w.t_app["refresh_token"]), "invalid_client",
                401)
    assert introspection(w.other, w.t_dev["access_token"])["active"] is False
    refresh_refused(w.other, w.t_dev["refresh_token"])
    assert list_pats(server, w.pat).status_code == 401
    assert not logged_in_as(w.dev.home(), w.dev.email)
    r = account_cli(server, "show", w.dev.email)
    assert r.returncode == 1 and f"no account {w.dev.email}" in r.stderr
    # the email is free again; the app's user is still there
    assert signup(server, w.dev.email).status_code == 201
    assert logged_in_as(w.user.home(), w.user.email)
    assert oauthkit.check(server, w.t_dev["access_token"]).status_code == 401


def test_passwd_replaces_the_password_and_ends_sessions(server):
    user = User(server, "pw")
    pat = user.pat
    other = make_app(server)
    t = get_tokens(user, other)
    r = account_cli(server, "passwd", user.email, input=NEW_PASSWORD + "\n")
    assert r.returncode == 0, r.stderr
    assert NEW_PASSWORD not in r.stdout + r.stderr
    assert portal_login(server, user.email, user.password).status_code == 401
    assert not logged_in_as(user.home(), user.email), "sessions ended"
    assert list_pats(server, pat).status_code == 200, "tokens stay"
    assert alive(server, t["access_token"]), "grants stay"
    assert portal_login(server, user.email, NEW_PASSWORD).status_code == 303

    r = account_cli(server, "passwd", user.email, input="short\n")
    assert r.returncode == 1 and "at least 10" in r.stderr, r.stderr
    r = account_cli(server, "passwd", user.email, input="")
    assert r.returncode == 2 and "standard input" in r.stderr
    assert portal_login(server, user.email, NEW_PASSWORD).status_code == 303


def test_list_and_show(server):
    dev = User(server, "lsdev")             # a session
    app = make_app(server, dev)             # a personal token, an app
    approve(dev, make_app(server))          # a grant

    lines = ok(account_cli(server, "list")).splitlines()
    assert lines[0].split() == ["ID", "CREATED", "DISABLED", "EMAIL"]
    mine = [l.split() for l in lines[1:] if l.endswith(" " + dev.email)]
    assert len(mine) == 1 and mine[0][2] == "-", lines
    assert RFC3339_UTC.match(mine[0][1]), mine

    items = json.loads(ok(account_cli(server, "list", "--json")))
    item = [a for a in items if a["email"] == dev.email]
    assert len(item) == 1, items
    item = item[0]
    assert set(item) == {"account_id", "email", "created_at", "disabled",
                         "disabled_at"}
    assert item["disabled"] is False and item["disabled_at"] is None
    assert isinstance(item["account_id"], str)
    assert len({a["account_id"] for a in items}) == len(items)

    shown = json.loads(ok(account_cli(server, "show", dev.email.upper(),
                                      "--json")))
    assert shown["email"] == dev.email
    assert shown["apps"] == [{"api_key": app.key, "name": app.json["name"]}]
    assert shown["personal_access_tokens"] == 1
    assert shown["sessions"] == 1
    assert shown["grants"] == 1
    text = ok(account_cli(server, "show", dev.email))
    assert app.key in text and app.json["name"] in text
    assert "disabled           no" in text

    ok(account_cli(server, "disable", dev.email))
    shown = json.loads(ok(account_cli(server, "show", dev.email, "--json")))
    assert shown["disabled"] is True
    assert RFC3339_UTC.match(shown["disabled_at"]), shown
    assert shown["sessions"] == 0 and shown["personal_access_tokens"] == 0
    assert shown["grants"] == 1, "grants stay"
    mine = [l.split() for l in ok(account_cli(server, "list")).splitlines()
            if l.endswith(" " + dev.email)]
    assert RFC3339_UTC.match(mine[0][2]), mine
    assert "disabled           since" in ok(account_cli(server, "show",
                                                        dev.email))
    ok(account_cli(server, "enable", dev.email))


def test_list_of_an_empty_store(tmp_path):
    db = str(tmp_path / "k.db")
    assert json.loads(ok(run_cli("account", "list", "--json", "--db",
                                 db))) == []
    out = ok(run_cli("account", "list", "--db", db))
    assert out.split() == ["ID", "CREATED", "DISABLED", "EMAIL"]


def test_list_reads_every_page(tmp_path):
    """list reads the store a page of 100 (LIST_MAX_LIMIT) at a time: 250
    accounts, written straight into a fresh store (a password hash each
    would take a minute), come out whole, once each, oldest first."""
    db = str(tmp_path / "k.db")
    ok(run_cli("migrate", "--db", db))
    emails = [f"page{i:03}@example.com" for i in range(250)]
    with sqlite3.connect(db) as conn:
        conn.executemany("INSERT INTO accounts(email, password_hash, "
                         "created_at) VALUES (?, 'x', 0)",
                         [(e,) for e in emails])
    conn.close()
    lines = ok(run_cli("account", "list", "--db", db)).splitlines()
    assert [l.split()[-1] for l in lines[1:]] == emails
    out = ok(run_cli("account", "list", "--json", "--db", db))
    assert [a["email"] for a in json.loads(out)] == emails


def test_show_counts_only_live_sessions(tmp_path):
    """show counts the sessions a request would still accept: neither one
    idle past 12 hours nor one older than 7 days, though their rows stay
    until the sweep. Written straight into a fresh store, at real time:
    the command has no test clock."""
    db = str(tmp_path / "k.db")
    ok(run_cli("migrate", "--db", db))
    now = int(time.time())
    with sqlite3.connect(db) as conn:
        acct = conn.execute("INSERT INTO accounts(email, password_hash, "
                            "created_at) VALUES ('live@example.com', 'x', "
                            "0)").lastrowid
        conn.executemany(
            "INSERT INTO sessions(hash, account_id, created_at, last_seen) "
            "VALUES (randomblob(32), ?, ?, ?)",
            [(acct, now - 60, now - 60),                    # alive
             (acct, now - 13 * 3600, now - 13 * 3600),      # idle
             (acct, now - 8 * 86400, now - 60)])            # too old
    conn.close()
    shown = json.loads(ok(run_cli("account", "show", "live@example.com",
                                  "--json", "--db", db)))
    assert shown["sessions"] == 1


@pytest.mark.parametrize("args", [
    (), ("frobnicate", "a@example.com"), ("show",), ("disable",),
    ("list", "a@example.com"), ("enable", "a@example.com", "b@example.com"),
    ("disable", "a@example.com", "--yes"), ("show", "a@example.com",
                                           "--db"),
], ids=["nothing", "unknown-verb", "show-no-email", "disable-no-email",
        "list-with-email", "two-emails", "yes-not-delete", "db-no-value"])
def test_bad_usage_exits_2(args, tmp_path):
    r = run_cli("account", *args, *(["--db", str(tmp_path / "k.db")]
                                    if "--db" not in args else []))
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    assert "usage" in r.stderr or "keygate account" in r.stderr
