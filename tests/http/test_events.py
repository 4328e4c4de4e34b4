"""Security events (docs/REFERENCE.md §20): every kind appears after the
action that causes it and never otherwise, in the same transaction as the
change; each holds the client's address and the app, never a secret.
GET /api/v1/events lists them newest first, filtered by kind and app, a
page at a time; another account never sees them; a flood of wrong
passwords is capped; keygate gc removes those past the retention."""

import json
import re
import sqlite3
import threading
import time

import pytest
import requests

import devicekit
import oauthkit
from kgtest import (Browser, basic, bearer, find_csrf,
                    new_account, new_pat, patch_app, run_cli, signup,
                    unique_email)
from maildirkit import Mailbox, link_token, verify_link
from oauthkit import (Dev, User, exchange, get_code, get_tokens,
                      make_app, refresh, token_error, tokens_ok)
from twostepkit import Person, code_now, next_step, wrong_code
from twostepkit import pat as twostep_pat

KINDS = ["signup", "login", "login_failed", "password_changed",
         "email_changed", "two_step_on", "two_step_off", "session_ended",
         "pat_created", "pat_revoked", "app_created", "app_changed",
         "app_deleted", "secret_generated", "secret_revoked", "grant_given",
         "grant_withdrawn", "refresh_reuse", "code_replay",
         "account_disabled"]
NEW_PASSWORD = "a new horse battery staple"
CAP = 10        # login_failed per account per hour (core/events.h)
DAY = 86400


def events(server, pat, **params):
    """Every event the token's account sees (all pages), newest first."""
    out, url = [], server.url("/api/v1/events")
    params.setdefault("limit", "100")
    while url:
        r = requests.get(url, headers=bearer(pat), params=params,
                         timeout=10)
        assert r.status_code == 200, (r.status_code, r.text)
        out += r.json()
        params = None
        url = r.links.get("next", {}).get("url")
    return out


def kinds(server, pat, **params):
    return [e["kind"] for e in events(server, pat, **params)]


class Watch:
    """The events of one account, read again after each action: `new()`
    gives the kinds recorded since the last call, oldest first."""

    def __init__(self, server, pat):
        self.server, self.pat = server, pat
        self.seen = {e["id"] for e in events(server, pat)}

    def new(self):
        fresh = [e for e in events(self.server, self.pat)
                 if e["id"] not in self.seen]
        self.seen |= {e["id"] for e in fresh}
        return list(reversed(fresh))

    def wait(self, n=1, timeout=5):
        """new() once it has n events: a failed log-in is recorded by a
        worker, after the answer (core/events.h)."""
        deadline, got = time.monotonic() + timeout, []
        while len(got) < n and time.monotonic() < deadline:
            got += self.new()
            if len(got) < n:
                time.sleep(0.05)
        return got


def failed_logins(server, pat, n, timeout=5):
    """The account's login_failed events once there are n of them."""
    deadline = time.monotonic() + timeout
    while True:
        got = events(server, pat, kind="login_failed")
        if len(got) >= n or time.monotonic() > deadline:
            return got
        time.sleep(0.05)


def db_rows(server, sql, *args):
    if server.db.startswith("postgres"):
        import psycopg2
        conn = psycopg2.connect(server.db)
        try:
            with conn, conn.cursor() as cur:
                cur.execute(sql.replace("?", "%s"), args)
                return cur.fetchall() if cur.description else []
        finally:
            conn.close()
    conn = sqlite3.connect(server.db, timeout=5)
    try:
        with conn:
            cur = conn.execute(sql, args)
            return cur.fetchall()
    finally:
        conn.close()


@pytest.fixture
def srv(make_server, tmp_path):
    box = Mailbox(tmp_path / "mail")
    server = oauthkit.oauth_server(make_server, *box.flags(),
                                   "--trusted-proxy", "127.0.0.1")
    server.box = box
    return server


def only(evs, kind):
    got = [e for e in evs if e["kind"] == kind]
    assert len(got) == 1, (kind, evs)
    return got[0]


# --- the account's own events ----------------------------------------------

def test_account_events_follow_their_actions(srv):
    email, password = new_account(srv, "acct")
    pat = new_pat(srv, email, password)["token"]
    first = events(srv, pat)
    assert [e["kind"] for e in first] == ["pat_created", "signup"]
    for e in first:
        assert re.fullmatch(r"\d+", e["id"]) and e["app"] is None
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", e["at"])
        assert e["address"] == "127.0.0.1" and isinstance(e["detail"], dict)
    w = Watch(srv, pat)
    # a refused sign-up with the taken email records nothing
    assert signup(srv, email).status_code == 409
    assert w.new() == []
    b = Browser(srv)
    assert b.login(email, password).status_code == 303
    login = only(w.new(), "login")
    assert login["detail"] == {"two_step": False}
    # the page's forms: a wrong current password is a failed check
    r = b.submit("/account", "/account/password", {
        "current_password": "wrong password!", "new_password": NEW_PASSWORD})
    assert r.status_code == 401
    assert [e["detail"] for e in w.wait()] == [{"reason": "password"}]
    r = b.submit("/account", "/account/password", {
        "current_password": password, "new_password": "short"})
    assert r.status_code == 422 and w.new() == []
    r = b.submit("/account", "/account/password", {
        "current_password": password, "new_password": NEW_PASSWORD})
    assert r.status_code == 200
    assert only(w.new(), "password_changed")["detail"] == \
        {"via": "account_page"}
    # a second browser, then "end all others", then its own row
    other = Browser(srv)
    assert other.login(email, NEW_PASSWORD).status_code == 303
    assert [e["kind"] for e in w.new()] == ["login"]
    r = b.submit("/account", "/account/sessions/end-others", {})
    assert r.status_code == 303
    assert only(w.new(), "session_ended")["detail"] == {"which": "others"}
    # none left to end: no change, no event
    r = b.submit("/account", "/account/sessions/end-others", {})
    assert r.status_code == 303 and w.new() == []
    page = b.get("/account").text
    own = re.search(r'action="(/account/sessions/[0-9a-f]{64}/end)"',
                    page).group(1)
    r = b.post(own, data={"csrf_token": find_csrf(page)})
    assert r.status_code == 303
    assert only(w.new(), "session_ended")["detail"] == {"which": "this"}
    r = b.post(own, data={"csrf_token": find_csrf(page)})
    assert w.new() == [], "ending it again ends nothing"
    # personal tokens: revoking one, then one that is gone
    mine = new_pat(srv, email, NEW_PASSWORD)
    assert [e["kind"] for e in w.new()] == ["pat_created"]
    url = srv.url(f"/api/v1/access-tokens/{mine['id']}")
    assert requests.delete(url, headers=bearer(pat),
                           timeout=10).status_code == 204
    assert only(w.new(), "pat_revoked")["detail"] == {"id": int(mine["id"])}
    assert requests.delete(url, headers=bearer(pat),
                           timeout=10).status_code == 404
    assert w.new() == []


def test_email_change_is_recorded_when_its_link_is_followed(srv):
    email, password = new_account(srv, "mail")
    pat = new_pat(srv, email, password)["token"]
    w = Watch(srv, pat)
    new_email = unique_email("moved")
    b = Browser(srv)
    assert b.login(email, password).status_code == 303
    w.new()
    r = b.submit("/account", "/account/email", {
        "new_email": new_email, "password": password})
    assert r.status_code == 200
    assert w.new() == [], "asked, not changed"
    token = link_token(srv.box.wait(new_email, "Confirm your new email "
                                    "address"), "/verify-email")
    assert verify_link(b, token).status_code == 200
    e = only(w.new(), "email_changed")
    assert new_email not in json.dumps(e) and email not in json.dumps(e)


def test_password_reset_link_records_password_changed(srv):
    email, password = new_account(srv, "reset")
    pat = new_pat(srv, email, password)["token"]
    w = Watch(srv, pat)
    b = Browser(srv)
    r = b.submit("/password/forgot", "/password/forgot", {"email": email})
    assert r.status_code == 200
    assert w.new() == [], "asked, not changed"
    token = link_token(srv.box.wait(email, "Reset your password"),
                       "/password/reset")
    r = b.get("/password/reset?token=" + token)
    r = b.post("/password/reset", data={"csrf_token": find_csrf(r.text),
                                        "token": token,
                                        "password": NEW_PASSWORD})
    assert r.status_code in (200, 303), (r.status_code, r.text[:300])
    assert only(w.new(), "password_changed")["detail"] == \
        {"via": "reset_link"}


def test_two_step_on_off_and_a_wrong_code(srv):
    p = Person(srv, on=False, prefix="ts")
    pat = new_pat(srv, p.email, p.password)["token"]
    w = Watch(srv, pat)
    p.turn_on()
    assert [e["kind"] for e in w.new()] == ["two_step_on"]
    # the log-in's second step: a wrong code is a failed log-in
    b = Browser(srv)
    next_step(srv)
    page = b.login(p.email, p.password).text
    r = b.post("/login/code", data={
        "csrf_token": find_csrf(page),
        "step_proof": re.search(r'name="step_proof" value="([^"]+)"',
                                page).group(1),
        "code": wrong_code(p.secret, srv.step_start)})
    assert r.status_code == 401
    assert [e["detail"] for e in w.wait()] == [{"reason": "two_step_code"}]
    # a personal token's code, wrong
    r = twostep_pat(srv, p.email, p.password,
                    otp=wrong_code(p.secret, srv.step_start))
    assert r.status_code == 401 and r.json()["error"] == "invalid_otp"
    assert [e["detail"] for e in w.wait()] == [{"reason": "two_step_code"}]
    page = p.get("/account/two-step").text
    r = p.post("/account/two-step/off", data={
        "csrf_token": find_csrf(page), "password": p.password,
        "code": code_now(srv, p.secret)})
    assert r.status_code == 200
    assert [e["kind"] for e in w.new()] == ["two_step_off"]


# --- apps, secrets, grants, tokens -------------------------------------------

def test_app_events_and_failed_changes_record_nothing(srv):
    dev = Dev(srv)
    w = Watch(srv, dev.pat)
    app = make_app(srv, dev, secret=False)
    e = only(w.new(), "app_created")
    assert e["app"] == app.key
    r = patch_app(srv, dev.pat, app.key, {"description": "Something new.",
                                          "implicit_flow": True})
    assert r.status_code == 200
    e = only(w.new(), "app_changed")
    assert e["app"] == app.key
    assert sorted(e["detail"]["fields"]) == ["description", "implicit_flow"]
    # the same values again change nothing; a refused change nothing
    r = patch_app(srv, dev.pat, app.key, {"description": "Something new."})
    assert r.status_code == 200 and w.new() == []
    r = patch_app(srv, dev.pat, app.key, {"redirect_uris": ["not a uri"]})
    assert r.status_code == 422 and w.new() == []
    r = patch_app(srv, dev.pat, app.key, {"name": "Another name"})
    assert 400 <= r.status_code < 500 and w.new() == []
    # secrets: two, then a third refused (nothing recorded), a revoke
    s1 = app.new_secret()
    assert [e["kind"] for e in w.new()] == ["secret_generated"]
    r = requests.post(srv.url(f"/api/v1/apps/{app.key}/secret"),
                      headers=bearer(dev.pat),
                      json={"previous_valid_for": 86400},
                      timeout=10)
    assert r.status_code == 201, r.text
    s2 = r.json()["secret"]
    gen = only(w.new(), "secret_generated")
    assert gen["detail"] == {"old_secret_kept_s": 86400}
    r = requests.post(srv.url(f"/api/v1/apps/{app.key}/secret"),
                      headers=bearer(dev.pat),
                      json={"previous_valid_for": 86400},
                      timeout=10)
    assert r.status_code == 409 and w.new() == []
    j = requests.get(srv.url(f"/api/v1/apps/{app.key}"),
                     headers=bearer(dev.pat), timeout=10).json()
    old = j["secrets"][1]       # the current one first
    r = requests.delete(srv.url(f"/api/v1/apps/{app.key}/secrets/"
                                f"{old['id']}"),
                        headers=bearer(dev.pat), timeout=10)
    assert r.status_code == 204, r.text
    rev = only(w.new(), "secret_revoked")
    assert rev["detail"] == {"secret_id": int(old["id"])}
    r = requests.delete(srv.url(f"/api/v1/apps/{app.key}/secrets/"
                                f"{old['id']}"),
                        headers=bearer(dev.pat), timeout=10)
    assert r.status_code == 404 and w.new() == []
    # deleted: its events stay, still naming it
    assert requests.delete(srv.url(f"/api/v1/apps/{app.key}"),
                           headers=bearer(dev.pat),
                           timeout=10).status_code == 204
    assert only(w.new(), "app_deleted")["app"] == app.key
    assert requests.delete(srv.url(f"/api/v1/apps/{app.key}"),
                           headers=bearer(dev.pat),
                           timeout=10).status_code == 404
    assert w.new() == []
    everything = events(srv, dev.pat)
    assert sum(e["app"] == app.key for e in everything) == 6
    text = json.dumps(everything)
    for secret in (s1, s2, dev.pat, dev.password):
        assert secret not in text


def test_grants_reuse_and_replay_are_seen_by_user_and_owner(srv):
    app = make_app(srv)
    owner = Watch(srv, app.dev.pat)
    user = User(srv, "grantee")
    mine = Watch(srv, user.pat)
    code, verifier, ru = get_code(user, app)
    given = only(mine.new(), "grant_given")
    assert given["app"] == app.key and given["address"] == "127.0.0.1"
    assert given["detail"]["flow"] == "code"
    ev = only(owner.new(), "grant_given")
    assert ev["id"] == given["id"] and ev["address"] == "", \
        "the owner sees the user's event, not where the user was"
    # the same consent again is no new grant
    pair = tokens_ok(exchange(app, code, ru, verifier))
    get_code(user, app)
    assert mine.new() == [] and owner.new() == []
    # a replayed code revokes its family: code_replay
    token_error(exchange(app, code, ru, verifier), "invalid_grant")
    assert only(mine.new(), "code_replay")["app"] == app.key
    assert [e["kind"] for e in owner.new()] == ["code_replay"]
    # replayed again, the family is revoked already: no more events
    for _ in range(3):
        token_error(exchange(app, code, ru, verifier), "invalid_grant")
    assert mine.new() == [] and owner.new() == []
    # a rotation, then the old refresh token again: refresh_reuse
    pair = get_tokens(user, app)
    rotated = tokens_ok(refresh(app, pair["refresh_token"]))
    assert mine.new() == []
    token_error(refresh(app, pair["refresh_token"]), "invalid_grant")
    assert only(mine.new(), "refresh_reuse")["app"] == app.key
    assert [e["kind"] for e in owner.new()] == ["refresh_reuse"]
    # a token of a revoked family is no reuse: nothing more
    token_error(refresh(app, rotated["refresh_token"]), "invalid_grant")
    assert mine.new() == []
    # withdrawn, then withdrawn again (404: nothing)
    url = srv.url(f"/api/v1/connections/{app.key}")
    assert requests.delete(url, headers=bearer(user.pat),
                           timeout=10).status_code == 204
    assert only(mine.new(), "grant_withdrawn")["app"] == app.key
    assert requests.delete(url, headers=bearer(user.pat),
                           timeout=10).status_code == 404
    assert mine.new() == []
    text = json.dumps(events(srv, user.pat) + events(srv, app.dev.pat))
    for secret in (code, pair["access_token"], pair["refresh_token"],
                   rotated["refresh_token"], app.secret, user.pat):
        assert secret not in text


def test_the_cli_records_no_address(srv):
    dev = Dev(srv)
    w = Watch(srv, dev.pat)
    p = run_cli("app", "create", "--email", dev.email, "--name", "Cli App",
                "--db", srv.db)
    assert p.returncode == 0, p.stderr
    e = only(w.new(), "app_created")
    assert e["address"] == "" and e["detail"] == {"by": "cli"}
    # disabled twice: the second changes nothing and records nothing
    for _ in range(2):
        p = run_cli("account", "disable", dev.email, "--db", srv.db)
        assert p.returncode == 0, p.stderr
    p = run_cli("account", "enable", dev.email, "--db", srv.db)
    assert p.returncode == 0, p.stderr
    # disabling deleted its personal tokens: a new one reads on
    w.pat = new_pat(srv, dev.email, dev.password)["token"]
    got = w.new()
    assert [e["kind"] for e in got] == ["account_disabled", "pat_created"]
    assert got[0]["address"] == "" and got[0]["detail"] == {"by": "cli"}


# --- the list ---------------------------------------------------------------

def test_own_and_users_events_interleave_newest_first(srv):
    """An owner's list joins its own events with users' events at its
    apps: one order across both, page by page (a page filled from one
    side alone would skip the other's newer events for good)."""
    app = make_app(srv)
    user = User(srv, "interleaved")
    get_code(user, app)
    assert patch_app(srv, app.dev.pat, app.key,
                     {"description": "After the grant."}).status_code == 200
    one_by_one, url, params = [], srv.url("/api/v1/events"), {"limit": "1"}
    while url:
        r = requests.get(url, headers=bearer(app.dev.pat), params=params,
                         timeout=10)
        assert r.status_code == 200 and len(r.json()) == 1, r.text
        one_by_one += r.json()
        params = None
        url = r.links.get("next", {}).get("url")
    ids = [int(e["id"]) for e in one_by_one]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == len(ids)
    order = [e["kind"] for e in one_by_one]
    assert order.index("app_changed") < order.index("grant_given") < \
        order.index("app_created"), order
    assert one_by_one == events(srv, app.dev.pat)


def test_filters_paging_and_other_accounts(srv):
    app = make_app(srv)
    dev = app.dev
    for i in range(3):
        assert patch_app(srv, dev.pat, app.key,
                         {"description": f"Take {i}."}).status_code == 200
    other_app = make_app(srv, dev, secret=False)
    every = events(srv, dev.pat)
    ids = [int(e["id"]) for e in every]
    assert ids == sorted(ids, reverse=True), "newest first"
    assert kinds(srv, dev.pat, kind="app_changed") == ["app_changed"] * 3
    by_app = events(srv, dev.pat, app=app.key)
    assert {e["app"] for e in by_app} == {app.key} and len(by_app) == 5
    assert [e["app"] for e in events(srv, dev.pat, app=other_app.key)] == \
        [other_app.key]
    both = events(srv, dev.pat, app=app.key, kind="secret_generated")
    assert len(both) == 1
    # pages of two, each Link keeping the filters
    got, url, params = [], srv.url("/api/v1/events"), {
        "limit": "2", "app": app.key}
    while url:
        r = requests.get(url, headers=bearer(dev.pat), params=params,
                         timeout=10)
        assert r.status_code == 200 and len(r.json()) <= 2
        got += r.json()
        params = None
        url = r.links.get("next", {}).get("url")
        if url:
            assert "app=" + app.key in url and "limit=2" in url
    assert got == by_app
    # 400s, 404s
    for bad in ({"kind": "nope"}, {"kind": "login\0x"},
                {"kind": "login", "kind2": "x"}, {"kind": ["login", "login"]},
                {"limit": "0"}, {"cursor": "!!"}):
        r = requests.get(srv.url("/api/v1/events"), headers=bearer(dev.pat),
                         params=bad, timeout=10)
        assert r.status_code == 400, (bad, r.status_code)
    # too long, or twice: the answer names the parameter
    for bad, says in (({"kind": "k" * 33}, "kind is too long"),
                      ({"app": "a" * 256}, "app is too long"),
                      ({"app": [app.key, app.key]}, "app may be given once")):
        r = requests.get(srv.url("/api/v1/events"), headers=bearer(dev.pat),
                         params=bad, timeout=10)
        assert r.status_code == 400, (bad, r.status_code)
        assert r.json()["error_description"].startswith(says), r.json()
    stranger = Dev(srv, "stranger")
    r = requests.get(srv.url("/api/v1/events"), headers=bearer(stranger.pat),
                     params={"app": app.key}, timeout=10)
    assert r.status_code == 404
    seen = events(srv, stranger.pat)
    assert {e["kind"] for e in seen} == {"signup", "pat_created"}
    assert not {e["id"] for e in seen} & {e["id"] for e in every}
    r = requests.get(srv.url("/api/v1/events"), timeout=10)
    assert r.status_code == 401


def test_kinds_are_the_documented_ones(srv):
    email, password = new_account(srv, "kinds")
    pat = new_pat(srv, email, password)["token"]
    for k in KINDS:
        r = requests.get(srv.url("/api/v1/events"), headers=bearer(pat),
                         params={"kind": k}, timeout=10)
        assert r.status_code == 200, (k, r.text)


# --- the cap on failed log-ins, and gc --------------------------------------

def test_a_flood_of_wrong_passwords_is_capped(srv):
    email, password = new_account(srv, "flood")
    pat = new_pat(srv, email, password)["token"]
    # from many addresses (behind the trusted proxy), so that the log-in
    # throttle's per-address counts do not stop the flood first
    for i in range(CAP + 5):
        r = requests.post(srv.url("/api/v1/access-tokens"), headers={
            "Authorization": basic(email, "wrong password!"),
            "X-Forwarded-For": f"192.0.2.{i + 1}"}, timeout=10)
        assert r.status_code == 401, (i, r.status_code)
    failed = failed_logins(srv, pat, CAP)
    assert len(failed) == CAP
    assert "wrong password!" not in json.dumps(failed)
    # an unknown email is nobody's
    r = requests.post(srv.url("/api/v1/access-tokens"), headers={
        "Authorization": basic(unique_email("ghost"), "wrong password!")},
        timeout=10)
    assert r.status_code == 401
    # the next hour records again
    srv.advance(3600)
    r = requests.post(srv.url("/api/v1/access-tokens"), headers={
        "Authorization": basic(email, "wrong password!"),
        "X-Forwarded-For": "198.51.100.7"}, timeout=10)
    assert r.status_code == 401
    # recorded in order by one worker: this one's being there says the
    # five past the cap were dropped, not late
    failed = failed_logins(srv, pat, CAP + 1)
    assert len(failed) == CAP + 1
    assert [e["address"] for e in reversed(failed)] == \
        [f"192.0.2.{i + 1}" for i in range(CAP)] + ["198.51.100.7"]


class EventsLocked:
    """Holds a lock under which no event can be written (SQLite: the
    database's write lock; PostgreSQL: the events table's), reads still
    answered."""

    def __init__(self, server):
        self.server = server

    def __enter__(self):
        if self.server.db.startswith("postgres"):
            import psycopg2
            self.conn = psycopg2.connect(self.server.db)
            self.conn.cursor().execute(
                "LOCK TABLE events IN EXCLUSIVE MODE")
        else:
            self.conn = sqlite3.connect(self.server.db, timeout=5,
                                        isolation_level=None)
            self.conn.execute("BEGIN IMMEDIATE")
        return self

    def __exit__(self, *exc):
        self.conn.commit() if self.server.db.startswith("postgres") \
            else self.conn.execute("COMMIT")
        self.conn.close()


def test_a_failed_log_in_does_not_wait_for_its_event(srv):
    """An unknown email records nothing: a known one's failure must not
    answer later for the event it records (or the time would say which
    emails have accounts). With event writes held up, its answer comes
    at once; the event follows once they may go on."""
    email, password = new_account(srv, "nowait")
    pat = new_pat(srv, email, password)["token"]
    w = Watch(srv, pat)
    answered = {}

    def attempt():
        t0 = time.monotonic()
        r = requests.post(srv.url("/api/v1/access-tokens"), headers={
            "Authorization": basic(email, "wrong password!"),
            "X-Forwarded-For": "203.0.113.9"}, timeout=30)
        answered["status"] = r.status_code
        answered["took"] = time.monotonic() - t0

    with EventsLocked(srv):
        t = threading.Thread(target=attempt)
        t.start()
        t.join(3)
        held = dict(answered)
    t.join()
    assert held.get("status") == 401, \
        ("no answer while event writes were held up", answered)
    e = only(w.wait(), "login_failed")
    assert e["address"] == "203.0.113.9"


def test_gc_removes_events_past_the_retention(srv):
    email, password = new_account(srv, "gc")
    pat = new_pat(srv, email, password)["token"]
    now = oauthkit.clock(srv)
    assert len(events(srv, pat)) == 2
    # the two are made old: one just past 90 days, one just within
    (aid,), = db_rows(srv, "SELECT id FROM accounts WHERE email = ?", email)
    rows = db_rows(srv, "SELECT id FROM events WHERE account_id = ? "
                   "ORDER BY id", aid)
    (old,), (young,) = rows
    db_rows(srv, "UPDATE events SET at = ? WHERE id = ?",
            now - 91 * DAY, old)
    db_rows(srv, "UPDATE events SET at = ? WHERE id = ?",
            now - 89 * DAY, young)
    p = run_cli("gc", "--db", srv.db)
    assert p.returncode == 0, p.stderr
    assert re.search(r"security events\s+1 removed", p.stdout), p.stdout
    assert [e["id"] for e in events(srv, pat)] == [str(young)]
    # a shorter retention, given as gc gets it
    p = run_cli("gc", "--db", srv.db, "--event-retention-days", "30")
    assert p.returncode == 0, p.stderr
    assert events(srv, pat) == []
    p = run_cli("gc", "--db", srv.db, "--event-retention-days", "0")
    assert p.returncode != 0


def test_an_accounts_deletion_deletes_its_events(srv):
    dev = Dev(srv)
    app = make_app(srv, dev)
    user = User(srv, "left")
    get_code(user, app)
    assert "grant_given" in kinds(srv, dev.pat)
    (uid,), = db_rows(srv, "SELECT id FROM accounts WHERE email = ?",
                      user.email)
    assert db_rows(srv, "SELECT count(*) FROM events WHERE account_id = ?",
                   uid)[0][0] >= 3
    p = run_cli("account", "delete", user.email, "--yes", "--db", srv.db)
    assert p.returncode == 0, p.stderr
    assert db_rows(srv, "SELECT count(*) FROM events WHERE account_id = ?",
                   uid)[0][0] == 0
    assert "grant_given" not in kinds(srv, dev.pat)


def test_grants_of_the_client_and_device_flows(srv):
    app = make_app(srv, implicit=True)
    user = User(srv, "flows")
    mine = Watch(srv, user.pat)
    res = oauthkit.implicit_token(user, app)
    assert only(mine.new(), "grant_given")["detail"]["flow"] == "implicit"
    oauthkit.implicit_token(user, app)
    assert mine.new() == [], "the same consent again"
    dev_app = devicekit.device_app(srv)
    # denied: no grant; allowed: grant_given, the app from the grant
    start = devicekit.start(dev_app)
    devicekit.approve(user, start["user_code"], "deny")
    assert mine.new() == []
    start = devicekit.start(dev_app)
    devicekit.approve(user, start["user_code"])
    e = only(mine.new(), "grant_given")
    assert e["app"] == dev_app.key and e["detail"] == {"flow": "device"}
    assert res["access_token"] not in json.dumps(events(srv, user.pat))
