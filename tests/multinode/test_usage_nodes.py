"""Usage per app and hour across two nodes on one PostgreSQL database
(docs/REFERENCE.md §21): each node counts what it answers and adds it to
the same rows, so the hours read alike on either node and hold the sum;
live users are set, not added, so two nodes sampling them count each
account once."""

import requests

import kgtest
from mnkit import node_clock, on, sync_clocks
from oauthkit import (User, approve, check, get_tokens, make_app, race,
                      refresh, tokens_ok)

HOUR = 3600
HOURS = 4
LONG = ("--token-unused-ttl", "200000", "--token-idle-ttl", "200000",
        "--token-max-ttl", "200000")


def hours_on(node, app, start):
    r = requests.get(node.url(f"/api/v1/apps/{app.key}/usage"),
                     params={"from": str(start - HOUR),
                             "to": str(start + HOURS * HOUR)},
                     headers=kgtest.bearer(app.dev.pat), timeout=10)
    assert r.status_code == 200, (r.status_code, r.text)
    return r.json()["hours"]


def test_two_nodes_add_up_hour_by_hour(make_cluster):
    c = make_cluster(*LONG)
    a, b = c.a, c.b
    app = make_app(a)
    user = User(a, "mn-usage")
    approve(user, app)
    rt = get_tokens(user, app)["refresh_token"]
    at = get_tokens(user, app)["access_token"]
    now = node_clock(a)
    start = now - now % HOUR + HOUR
    sync_clocks([a, b], start + 60)
    for h in range(HOURS):
        # both nodes at once, into the same row
        race(2, lambda i: [check(c.nodes[i], at).status_code
                           for _ in range((i + 1) * (h + 1))])
        assert check(b, "kg_at_" + "B" * 40).status_code == 401
        rt = tokens_ok(refresh(on(app, b), rt))["refresh_token"]
        get_tokens(user, app)
        # each node writes what it counted before its clock moves
        sync_clocks([a, b], start + (h + 1) * HOUR + 60)
    seen_a = hours_on(a, app, start)
    seen_b = hours_on(b, app, start)
    # the current hour's live users are sampled meanwhile: not compared
    assert seen_a[:1 + HOURS] == seen_b[:1 + HOURS]
    for h in range(HOURS):
        got = seen_a[1 + h]
        assert got["checks_ok"] == 3 * (h + 1), (h, got)
        assert got["issued"] == 1 and got["refreshed"] == 1, (h, got)
        assert got["checks_401"] == got["api_ok"] == got["api_401"] == 0, got
        assert got["live_users"] == 1, (h, got)
    assert seen_a[1 + HOURS]["checks_ok"] == 0
