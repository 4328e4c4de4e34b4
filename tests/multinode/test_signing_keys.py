"""Two nodes on one PostgreSQL database sign with the same current key and
publish the same JWKS (docs/REFERENCE.md §14.1): a relying party that
fetched the keys from one node verifies the id_tokens of the other, and a
rotation made by `keygate keys rotate` on the database reaches both, is
published by both at once and signs on both once the publish delay has
passed."""

import base64
import json

import kgtest
import requests
from mnkit import PROPAGATION_S, assert_within, on, sync_clocks
from oauthkit import User, approve, exchange, make_app, tokens_ok

PUBLISH_DELAY = 3600    # --key-publish-delay's default


def jwks(node):
    r = requests.get(node.url("/oauth2/jwks"), timeout=10)
    assert r.status_code == 200, (node.base, r.status_code, r.text[:300])
    return sorted(r.json()["keys"], key=lambda k: k["kid"])


def kid_signing_on(node, app):
    """The kid in the header of an id_token issued by `node` for `app`."""
    user = User(node, "mnkeys")
    twin = on(app, node)
    res, _ = approve(user, twin, scope="openid")
    assert "code" in res, res
    j = tokens_ok(exchange(twin, res["code"]))
    head = j["id_token"].split(".")[0]
    return json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))[
        "kid"]


def test_nodes_sign_and_publish_alike_across_a_rotation(cluster):
    a, b = cluster.nodes
    first = jwks(a)
    assert len(first) == 3 and jwks(b) == first, "one key set for both"
    app = make_app(a)
    old = kid_signing_on(a, app)
    assert kid_signing_on(b, app) == old
    assert old in {k["kid"] for k in first}

    p = kgtest.run_cli("keys", "rotate", "--alg", "RS256", "--db",
                       cluster.db, "--key-file",
                       kgtest.shared_key_file(cluster.db), timeout=30)
    assert p.returncode == 0, (p.stdout, p.stderr)
    assert_within(PROPAGATION_S,
                  lambda: len(jwks(a)) == 4 and jwks(b) == jwks(a),
                  "the new key published by both nodes")
    new = ({k["kid"] for k in jwks(a)} - {k["kid"] for k in first}).pop()
    # published, not yet used: both still sign with the old key
    assert kid_signing_on(a, app) == old and kid_signing_on(b, app) == old

    now = max(a.advance(1), b.advance(1))
    sync_clocks(cluster.nodes, now + PUBLISH_DELAY + 1)
    assert kid_signing_on(a, app) == new
    assert kid_signing_on(b, app) == new
    kids = {k["kid"] for k in jwks(b)}
    assert old in kids and new in kids, "the retired key stays published"
    assert jwks(a) == jwks(b)
