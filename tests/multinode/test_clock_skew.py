"""Nodes whose clocks disagree (docs: keep them synchronized; still): when
node A's clock is ahead of B's and both record uses of one token, the
token's recorded last use never moves backwards, so the `exp` that
introspection reports on either node never shrinks after B's use, not even
once B has written what it may have queued (exp_stays watches for a
whole PROPAGATION_S). Uses are at least --use-coalesce (60 s) apart, so
each is written (docs/DEPLOYMENT.md).

Uses are made right after the clocks are set (sync_clocks), before any
waiting, so that each is recorded at the time meant."""

import pytest

from mnkit import exp_settles, exp_stays, sync_clocks
from oauthkit import User, alive, approve, get_tokens, introspection, make_app

# sync_clocks sets the nodes' clocks for the current wall-clock second and
# the uses right after must land in it; what one node records must show on
# the other within PROPAGATION_S.
pytestmark = pytest.mark.alone("clocks set for one wall-clock second")

H = 3600
SKEW = 600          # A runs ten minutes ahead of B


def test_a_use_on_the_slower_node_never_moves_the_last_use_back(make_cluster):
    c = make_cluster()
    a, b = c.a, c.b
    both = [a, b]
    skewed = [SKEW, 0]
    app = make_app(b)
    user = User(b, "skew")
    approve(user, app)
    at1 = get_tokens(user, app)["access_token"]             # issued on B
    at2 = get_tokens(user, app)["access_token"]
    iat = max(introspection(app, t)["iat"] for t in (at1, at2))
    # at1 used on A (A's time is later), at2 on B (B's is earlier)
    t1 = sync_clocks(both, iat + 1000, offsets=skewed)
    assert alive(a, at1)
    assert alive(b, at2)
    exp_settles(app, both, at1, t1 + SKEW + 2 * H)
    exp_settles(app, both, at2, t1 + 2 * H)
    # then at1 on B (before A's recorded use), at2 on A (after B's)
    t2 = sync_clocks(both, t1 + 5, offsets=skewed)
    assert alive(b, at1)
    assert alive(a, at2)
    exp_settles(app, both, at2, t2 + SKEW + 2 * H, floor=t1 + 2 * H)
    exp_stays(app, both, at1, t1 + SKEW + 2 * H)
    # once B's clock passes A's recorded use, B's uses count again; a
    # stale one on B right after A's newer one still undoes nothing
    t3 = sync_clocks(both, t1 + SKEW + 120, offsets=skewed)
    assert alive(b, at1)
    assert alive(a, at2)
    assert alive(b, at2)
    exp_settles(app, both, at1, t3 + 2 * H, floor=t1 + SKEW + 2 * H)
    exp_settles(app, both, at2, t3 + SKEW + 2 * H,
                floor=t2 + SKEW + 2 * H)
    exp_stays(app, both, at2, t3 + SKEW + 2 * H)
