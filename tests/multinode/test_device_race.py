"""The device flow on two nodes (docs/REFERENCE.md §15): a device code
approved on the /device page, polled on both nodes at the same moment, is
exchanged once. One node gets the tokens, the other invalid_grant, and the
winner's tokens stay good on both nodes (no second use revokes them, unlike
an authorization code's)."""

import pytest

from devicekit import approve, device_app, start, GRANT_TYPE
from mnkit import node_clock, on, sync_clocks
from oauthkit import User, family_alive, race, token_request, tokens_ok

ROUNDS = 10


@pytest.fixture(scope="module")
def world(cluster):
    app = device_app(cluster.front)
    user = User(cluster.front, "device-race")
    return app, user


def test_one_approved_device_code_polled_on_two_nodes(cluster, world):
    app, user = world
    apps = [on(app, cluster.a), on(app, cluster.b)]
    codes = []
    for _ in range(ROUNDS):
        s = start(app)
        approve(user, s["user_code"])
        codes.append(s["device_code"])
    # both nodes' clocks past the interval since the codes were handed out
    sync_clocks(cluster.nodes, node_clock(cluster.a) + 6)
    for i, code in enumerate(codes):
        results = race(2, lambda k: token_request(apps[k], [
            ("grant_type", GRANT_TYPE), ("device_code", code)]))
        statuses = sorted(getattr(r, "status_code", repr(r))
                          for r in results)
        texts = [getattr(r, "text", repr(r)) for r in results]
        assert statuses == [200, 400], (i, statuses, texts)
        loser = [r for r in results if r.status_code == 400][0]
        assert loser.json()["error"] == "invalid_grant", loser.text
        winner = tokens_ok([r for r in results if r.status_code == 200][0])
        family_alive(apps[(i + 1) % 2], family_alive(apps[i % 2], winner))
