"""Races between nodes: two concurrent refreshes of one refresh token sent
to two different nodes, exactly one wins (docs/REFERENCE.md §3.3); two
concurrent exchanges of one code on two nodes, exactly one gets tokens, and
being a second use the other then revokes them (docs/REFERENCE.md §3.2,
docs/DECISIONS.md), as on one node (tests/http/test_oauth_code.py)."""

import pytest

from mnkit import on
from oauthkit import (User, approve, exchange, family_dead, get_code,
                      get_tokens, make_app, race, refresh, tokens_ok)

ROUNDS = 20


@pytest.fixture(scope="module")
def world(cluster):
    app = make_app(cluster.a)
    user = User(cluster.a, "race")
    approve(user, app)
    return app, user


def outcome(results):
    statuses = sorted(getattr(r, "status_code", repr(r)) for r in results)
    texts = [getattr(r, "text", repr(r)) for r in results]
    return statuses, texts


def test_two_concurrent_refreshes_on_two_nodes_one_wins(cluster, world):
    app, user = world
    apps = [on(app, cluster.a), on(app, cluster.b)]
    for i in range(ROUNDS):
        t = get_tokens(user, app)
        results = race(2, lambda k: refresh(apps[k], t["refresh_token"]))
        statuses, texts = outcome(results)
        assert statuses == [200, 400], (i, statuses, texts)
        loser = [r for r in results if r.status_code == 400][0]
        assert loser.json()["error"] == "invalid_grant", loser.text
        tokens_ok([r for r in results if r.status_code == 200][0])


def test_two_concurrent_code_exchanges_on_two_nodes_one_gets_tokens(
        cluster, world):
    app, user = world
    apps = [on(app, cluster.a), on(app, cluster.b)]
    for i in range(ROUNDS):
        code, _, _ = get_code(user, app)
        results = race(2, lambda k: exchange(apps[k], code))
        statuses, texts = outcome(results)
        assert statuses == [200, 400], (i, statuses, texts)
        loser = [r for r in results if r.status_code == 400][0]
        assert loser.json()["error"] == "invalid_grant", loser.text
        winner = tokens_ok([r for r in results if r.status_code == 200][0])
        # the loser was a second use: the winner's family is revoked, as
        # both nodes see it
        family_dead(apps[i % 2], winner)
        family_dead(apps[(i + 1) % 2], winner)
