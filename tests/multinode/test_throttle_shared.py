"""The throttles count for the whole server, not per node: failures on node
A count on node B, so two nodes do not allow twice the attempts. The
shared counters hold keyed hashes only, never an email or an address, and
a successful client authentication (the refresh grant's hot path) writes
no counter."""

import time
import psycopg2
import requests

from kgtest import Browser, basic, create_pat, new_account, unique_email
from mnkit import on
from oauthkit import User, get_tokens, make_app, refresh, tokens_ok


def pat_at(node, email, password, addr):
    return requests.post(node.url("/api/v1/access-tokens"), timeout=10,
                         headers={"X-Forwarded-For": addr,
                                  "Authorization": basic(email, password)})


def browser_at(node, addr, device=None):
    b = Browser(node)
    b.headers["X-Forwarded-For"] = addr
    if device is not None:
        b.cookies.set("kg_device", device, domain=node.host, path="/")
    return b


def counters(cluster):
    with psycopg2.connect(cluster.db) as conn, conn.cursor() as cur:
        cur.execute("SELECT key, window_end, count FROM throttle_counts")
        return cur.fetchall()


def test_log_in_failures_on_a_count_on_b(cluster):
    email, password = new_account(cluster.a)
    addr = "203.0.113.21"
    for i in range(3):
        r = pat_at(cluster.a, email, f"guess a{i}", addr)
        assert r.status_code == 401, (i, r.status_code)
    for i in range(2):
        r = pat_at(cluster.b, email, f"guess b{i}", addr)
        assert r.status_code == 401, (i, r.status_code)
    for node in (cluster.b, cluster.a):
        r = pat_at(node, email, password, addr)
        assert r.status_code == 429, (node.port, r.status_code)


def test_the_per_address_count_is_shared(cluster):
    addr = "203.0.113.22"
    email, password = new_account(cluster.a)
    for i in range(20):
        node = cluster.a if i % 2 else cluster.b
        r = pat_at(node, unique_email(f"spray{i}"), "wrong", addr)
        assert r.status_code == 401, (i, r.status_code)
    assert pat_at(cluster.a, email, password, addr).status_code == 429
    assert pat_at(cluster.b, email, password, addr).status_code == 429


def test_strangers_on_a_lock_b_but_not_the_owners_device(cluster):
    email, password = new_account(cluster.a)
    with browser_at(cluster.b, "198.51.100.30") as owner:
        assert owner.login(email, password).status_code == 303
        device = owner.cookies.get("kg_device")
    assert device
    for i in range(5):
        with browser_at(cluster.a, f"203.0.113.{40 + i}") as s:
            assert s.login(email, f"guess {i}").status_code == 401
    with browser_at(cluster.b, "198.51.100.30") as b:
        assert b.login(email, password).status_code == 429
    # a device cookie made by B is honoured by A
    with browser_at(cluster.a, "198.51.100.30", device) as b:
        assert b.login(email, password).status_code == 303


def test_client_authentication_failures_are_shared(cluster):
    app = make_app(cluster.a)
    good = app.secret
    app.secret = "not-the-secret"
    data = [("grant_type", "refresh_token"), ("refresh_token", "kg_rt_x")]
    for i in range(50):
        node = cluster.a if i < 30 else cluster.b
        r = requests.post(node.url("/oauth2/token"), data=data, timeout=10,
                          headers={"Authorization":
                                   basic(app.key, app.secret)})
        assert r.status_code == 401, (i, r.status_code, r.text)
    app.secret = good
    r = requests.post(cluster.b.url("/oauth2/token"), data=data, timeout=10,
                      headers={"Authorization": basic(app.key, good)})
    assert r.status_code == 429, (r.status_code, r.text)


def test_counters_are_keyed_hashes_and_successes_write_none(cluster):
    email, password = new_account(cluster.a)
    assert pat_at(cluster.a, email, "a wrong one", "203.0.113.99") \
        .status_code == 401
    rows = counters(cluster)
    assert rows, "no shared counter was written"
    for key, _, _ in rows:
        key = bytes(key)
        assert len(key) == 32, key
        for secret in (email.encode(), b"203.0.113.99", b"login"):
            assert secret not in key
    # the refresh grant's good client authentications count nothing
    app = make_app(cluster.a)
    user = User(cluster.a, "thr")
    rt = get_tokens(user, app)["refresh_token"]
    before = sorted((bytes(k), c) for k, _, c in counters(cluster))
    for node in (cluster.a, cluster.b, cluster.a):
        rt = tokens_ok(refresh(on(app, node), rt))["refresh_token"]
    after = sorted((bytes(k), c) for k, _, c in counters(cluster))
    assert after == before


def test_ended_windows_are_deleted_as_nodes_write(make_cluster):
    c = make_cluster()
    email, _ = new_account(c.a)
    assert create_pat(c.a, email, "wrong").status_code == 401
    # per address, per (account, address), and the account's cap on its
    # failed log-in events (an hour's window, counted by the worker that
    # records the event after the answer: docs/REFERENCE.md §20.2)
    deadline = time.monotonic() + 5
    while len(counters(c)) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(counters(c)) == 3, counters(c)
    # past the 15-minute windows and the once-a-minute expiry pause, not
    # past the events' hour
    now = c.a.advance(15 * 60 + 61)
    assert create_pat(c.a, unique_email("later"), "wrong").status_code == 401
    rows = counters(c)
    assert all(end > now for _, end, _ in rows), "ended windows were kept"
    # the new address's two, the event cap's one
    assert len(rows) == 3, rows
