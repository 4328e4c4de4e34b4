"""The access-token lifetime rule (docs/REFERENCE.md §4) across nodes: a use on
one node extends the token's sliding lifetime as every node sees it. Never
used: exp = iat + 1 h; used: exp = min(iat + 24 h, last_used + 2 h).

A node may write a use a little later than it answers (a queue, a cache):
what another node reports must be right within PROPAGATION_S (1 s), which
exp_settles() waits for; the recorded time is the use's own either way.

Each test has two nodes of its own on a fresh database, since it moves
their test clocks, always both together (mnkit.sync_clocks)."""

import pytest

from mnkit import exp_on, exp_settles, on, sync_clocks
from oauthkit import (User, alive, approve, get_tokens, implicit_token,
                      introspection, make_app, summary)

# sync_clocks sets the nodes' clocks for the current wall-clock second and
# the uses right after must land in it; what one node records must show on
# the other within PROPAGATION_S.
pytestmark = pytest.mark.alone("clocks set for one wall-clock second")

H = 3600


@pytest.fixture
def pair(make_cluster):
    c = make_cluster()
    app = make_app(c.a, implicit=True)
    user = User(c.a, "life")
    approve(user, app, scope="account_read contact_data")
    return c, app, user


def issued(app, at):
    i = introspection(app, at)
    assert i["active"] is True, i
    return i["iat"]


def test_use_on_b_extends_the_lifetime_seen_from_a(pair):
    c, app, user = pair
    a, b = c.a, c.b
    at1 = get_tokens(user, app)["access_token"]                 # on A
    at2 = get_tokens(user, app)["access_token"]                 # on A
    imp = implicit_token(user, app)["access_token"]             # on A
    iats = [issued(app, t) for t in (at1, at2, imp)]
    assert max(iats) - min(iats) <= 2, iats
    start = max(iats)
    # unused: one hour, as both nodes say
    for node in (a, b):
        assert exp_on(app, node, at1) == iats[0] + H
    # at 30 min, at1 is checked and imp used through the API, on B
    sync_clocks([a, b], start + 1800)
    assert alive(b, at1)
    assert summary(b, imp).status_code == 200
    exp_settles(app, [a, b], at1, start + 1800 + 2 * H)
    exp_settles(app, [a, b], imp, start + 1800 + 2 * H)
    for node in (a, b):
        assert exp_on(app, node, at2) == iats[1] + H, node.base
    # past one hour: the unused at2 is dead on A (and B)
    sync_clocks([a, b], start + H + 1)
    assert not alive(a, at2)
    assert not alive(b, at2)
    # at1 and imp live on A until 2 h after their use on B (A never saw
    # them used: without B's use they would have died at 1 h)
    last = start + 1800 + 2 * H - 1
    sync_clocks([a, b], last)
    assert alive(a, at1)
    assert summary(a, imp).status_code == 200
    # ...and A's use extends them as B sees it
    exp_settles(app, [b, a], at1, last + 2 * H)
    exp_settles(app, [b, a], imp, last + 2 * H)
    sync_clocks([a, b], last + 2 * H - 1)
    assert exp_on(app, b, at1) == last + 2 * H          # still alive
    sync_clocks([a, b], last + 2 * H)
    assert not alive(b, at1)
    assert summary(b, imp).status_code == 401
    assert not alive(a, at1)
    assert exp_on(app, a, imp) is None


def test_every_use_counts_on_every_node_with_exact_recording(make_cluster):
    """--use-coalesce 0 (docs/DEPLOYMENT.md, "Exact recording"): uses
    seconds apart each count on every node, wherever they were made; the
    latest one decides (docs/REFERENCE.md §4)."""
    c = make_cluster("--use-coalesce", "0")
    a, b = c.a, c.b
    app = make_app(a)
    user = User(a, "exact")
    at = get_tokens(user, app)["access_token"]                   # on A
    iat = issued(app, at)
    sync_clocks([a, b], iat + 600)
    assert alive(b, at)
    exp_settles(app, [a, b], at, iat + 600 + 2 * H)
    sync_clocks([a, b], iat + 630)                  # 30 s later, on B again
    assert alive(b, at)
    exp_settles(app, [a, b], at, iat + 630 + 2 * H)
    sync_clocks([a, b], iat + 645)                  # and on A
    assert alive(a, at)
    exp_settles(app, [b, a], at, iat + 645 + 2 * H)
    # 2 h after the first use, both take the token: the later ones count
    sync_clocks([a, b], iat + 600 + 2 * H + 20)
    assert alive(a, at)
    assert alive(b, at)


def test_coalesced_uses_reach_the_other_node_within_the_setting(pair):
    """By default a use is written unless the stored one is under
    --use-coalesce (60) seconds old (docs/DEPLOYMENT.md): the other node's
    view of the last use lags the truth by less than that, and catches up
    with every use made that long after the stored one."""
    c, app, user = pair
    a, b = c.a, c.b
    at = get_tokens(user, app)["access_token"]                   # on A
    iat = issued(app, at)
    sync_clocks([a, b], iat + 600)                  # the first use
    assert alive(b, at)
    exp_settles(app, [a], at, iat + 600 + 2 * H)
    sync_clocks([a, b], iat + 700)                  # 100 s on: written
    assert alive(b, at)
    exp_settles(app, [a], at, iat + 700 + 2 * H)
    sync_clocks([a, b], iat + 730)                  # 30 s on: may wait
    assert alive(b, at)
    got = exp_on(app, a, at)
    assert iat + 730 - 60 + 2 * H <= got <= iat + 730 + 2 * H, got - iat
    sync_clocks([a, b], iat + 780)                  # 80 s after 700
    assert alive(b, at)
    exp_settles(app, [a], at, iat + 780 + 2 * H)


def test_no_token_outlives_24_hours_used_on_both_nodes(pair):
    c, app, user = pair
    a, b = c.a, c.b
    at = get_tokens(user, app)["access_token"]                   # on A
    iat = issued(app, at)
    # used every 7000 s (under the 2 h idle limit), on B and A in turn,
    # each use seen by the other node
    k = 0
    when = iat + 1800
    while True:
        node, other = ((b, a), (a, b))[k % 2]
        sync_clocks([a, b], when)
        assert alive(node, at), (k, when - iat, node.base)
        exp_settles(app, [other], at, min(when + 2 * H, iat + 24 * H))
        if when + 2 * H >= iat + 24 * H:
            break
        k += 1
        when += 7000
    # the last use was less than 2 h before 24 h: the cap decides
    for node in (a, b):
        assert exp_on(app, node, at) == iat + 24 * H, node.base
    sync_clocks([a, b], iat + 24 * H - 1)
    assert alive(b, at)
    sync_clocks([a, b], iat + 24 * H)
    assert not alive(a, at)
    assert not alive(b, at)
    assert introspection(on(app, b), at) == {"active": False}
