"""One server, two nodes: a token issued on node A is valid, used,
introspected, refreshed and revoked on node B (docs/REFERENCE.md §3, §7.1), in
both flows. What B revokes is dead on A within PROPAGATION_S (1 s), although A
had just seen the token valid (and may cache it). The lifetime rule
(docs/REFERENCE.md §4) across nodes is in test_token_lifetime.py."""

import pytest

from mnkit import PROPAGATION_S, assert_within, on
from oauthkit import (User, alive, family_dead, get_tokens, implicit_token,
                      introspection, make_app, refresh, refresh_refused,
                      revoke, summary, tokens_ok)
import oauthkit


@pytest.fixture(scope="module")
def world(cluster):
    """An app and a user made on node A, the user logged in on A and having
    allowed the app (so that later requests skip the Grant page)."""
    a = cluster.a
    app = make_app(a, implicit=True)
    user = User(a, "tok")
    oauthkit.approve(user, app, scope="account_read contact_data")
    return app, user


def check_headers(r):
    assert r.status_code == 200, (r.status_code, r.text)
    return (r.headers.get("X-Keygate-Subject"),
            r.headers.get("X-Keygate-Client"),
            r.headers.get("X-Keygate-Scope"))


def same_token_on_both(cluster, app, at, email):
    """The access token introspects alike on both nodes, then passes
    /oauth2/check and /v3/account/summary on both, with the same answers.
    (Once it is used, `exp` may differ between nodes by the use-coalescing
    setting, docs/DEPLOYMENT.md; test_token_lifetime.py holds them to it.)"""
    ia = introspection(on(app, cluster.a), at)
    ib = introspection(on(app, cluster.b), at)
    assert ia["active"] is True and ia == ib, \
        ("introspection on A and on B disagree", ia, ib)
    assert ib["client_id"] == app.key, ib
    seen = []
    for node in cluster.nodes:
        seen.append(check_headers(oauthkit.check(node, at)))
        r = summary(node, at)
        assert r.status_code == 200, (node.base, r.status_code, r.text)
        assert r.json()["email"] == email
        seen.append(r.json()["account_id"])
    assert seen[0] == seen[2] and seen[1] == seen[3], seen
    assert seen[0][0] == seen[1] == ib["sub"], seen   # X-Keygate-Subject
    assert seen[0][1] == app.key, seen
    used = [introspection(on(app, n), at) for n in cluster.nodes]
    for i in used:
        assert i["active"] is True, used
        assert {k: v for k, v in i.items() if k != "exp"} == \
            {k: v for k, v in ib.items() if k != "exp"}, (i, ib)
    return ib


def test_code_flow_tokens_from_a_work_on_b(cluster, world):
    app, user = world
    t = get_tokens(user, app, scope="account_read contact_data")   # on A
    i = same_token_on_both(cluster, app, t["access_token"], user.email)
    assert set(i["scope"].split()) == {"account_read", "contact_data"}
    assert i["token_type"] == "Bearer"
    # the refresh token is known on B too, and refreshes there...
    rb = introspection(on(app, cluster.b), t["refresh_token"])
    assert rb["active"] is True and rb["token_type"] == "refresh_token", rb
    t2 = tokens_ok(refresh(on(app, cluster.b), t["refresh_token"]))
    # ...and what B hands out works on A, and refreshes on A
    same_token_on_both(cluster, app, t2["access_token"], user.email)
    t3 = tokens_ok(refresh(on(app, cluster.a), t2["refresh_token"]))
    assert alive(cluster.b, t3["access_token"])
    # the refresh token B used up is used up for A as well
    assert introspection(on(app, cluster.a), t["refresh_token"]) == \
        {"active": False}


def test_implicit_token_from_a_works_on_b(cluster, world):
    app, user = world
    res = implicit_token(user, app)                                 # on A
    assert "refresh_token" not in res
    i = same_token_on_both(cluster, app, res["access_token"], user.email)
    assert i["scope"] == "account_read", i


def dead(node, at):
    return lambda: not alive(node, at)


@pytest.mark.alone("a revocation seen within 1 s")
def test_access_token_revoked_on_b_is_dead_on_a(cluster, world):
    app, user = world
    t = get_tokens(user, app)                                       # on A
    assert alive(cluster.a, t["access_token"])
    assert alive(cluster.b, t["access_token"])
    r = revoke(on(app, cluster.b), t["access_token"])
    assert r.status_code == 200, (r.status_code, r.text)
    assert not alive(cluster.b, t["access_token"])       # B: at once
    assert_within(PROPAGATION_S, dead(cluster.a, t["access_token"]),
                  "access token revoked on B still valid on A")
    assert introspection(on(app, cluster.a), t["access_token"]) == \
        {"active": False}
    # an access token ends only itself: the refresh token still works on A
    tokens_ok(refresh(on(app, cluster.a), t["refresh_token"]))


@pytest.mark.alone("a revocation seen within 1 s")
def test_refresh_token_revoked_on_b_ends_the_family_on_a(cluster, world):
    app, user = world
    t1 = get_tokens(user, app)                                      # on A
    t2 = tokens_ok(refresh(on(app, cluster.a), t1["refresh_token"]))
    assert alive(cluster.a, t2["access_token"])
    r = revoke(on(app, cluster.b), t2["refresh_token"])
    assert r.status_code == 200, (r.status_code, r.text)
    assert_within(PROPAGATION_S, dead(cluster.a, t2["access_token"]),
                  "family revoked on B: its access token still valid on A")
    assert not alive(cluster.a, t1["access_token"])
    refresh_refused(on(app, cluster.a), t2["refresh_token"])
    family_dead(on(app, cluster.b), [t1, t2])


@pytest.mark.alone("a revocation seen within 1 s")
def test_implicit_token_revoked_on_b_is_dead_on_a(cluster, world):
    app, user = world
    at = implicit_token(user, app)["access_token"]                  # on A
    assert alive(cluster.b, at)
    assert revoke(on(app, cluster.b), at).status_code == 200
    assert_within(PROPAGATION_S, dead(cluster.a, at),
                  "client-flow token revoked on B still valid on A")
    assert summary(cluster.a, at).status_code == 401


def test_reuse_detected_across_nodes(cluster, world):
    """A refresh token used on A and presented again on B is a reuse: the
    family ends on both nodes."""
    app, user = world
    t1 = get_tokens(user, app)
    t2 = tokens_ok(refresh(on(app, cluster.a), t1["refresh_token"]))
    assert alive(cluster.a, t2["access_token"])
    refresh_refused(on(app, cluster.b), t1["refresh_token"])
    assert_within(PROPAGATION_S, dead(cluster.a, t2["access_token"]),
                  "family ended by reuse on B: its token still valid on A")
    refresh_refused(on(app, cluster.a), t2["refresh_token"])
