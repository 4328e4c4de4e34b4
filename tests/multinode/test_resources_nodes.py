"""Two nodes on one PostgreSQL database and registered resources
(docs/REFERENCE.md §22.1): a resource added by `keygate resource add` on
the database is published by both nodes within a second; a token for it,
issued by one node, passes the other's check for that resource only; and
a delete there revokes it on both."""

import kgtest
import requests
from mnkit import PROPAGATION_S, assert_within, on
from oauthkit import (User, authorize, auth_params, exchange, make_app,
                      pkce_pair, redirect_result, submit_grant, tokens_ok)

API = "https://orders.example.com/api"


def published(node, uri):
    r = requests.get(node.url("/oauth2/resource-metadata"), timeout=5,
                     params={"resource": uri})
    return r.status_code == 200


def check(node, token, resource):
    return requests.get(node.url("/oauth2/check"), timeout=5, headers={
        "Authorization": f"Bearer {token}",
        "X-Keygate-Resource": resource}).status_code


def test_a_resource_reaches_both_nodes_and_its_tokens_pass_on_both(cluster):
    a, b = cluster.nodes
    p = kgtest.run_cli("resource", "add", API, "--name", "Orders",
                       "--scope", "orders:read See your orders",
                       "--db", cluster.db, "--issuer", a.issuer)
    assert p.returncode == 0, p.stderr
    for n in (a, b):
        assert_within(PROPAGATION_S, lambda n=n: published(n, API),
                      f"the resource on {n.base}")
    app = make_app(a)
    user = User(a, "mnres")
    verifier, challenge = pkce_pair()
    pairs = auth_params(app, scope="orders:read", challenge=challenge) + \
        [("resource", API)]
    r = authorize(user, pairs)
    r = submit_grant(user, r.text, "allow")
    code = redirect_result(r, app.redirect_uri)["code"]
    toks = tokens_ok(exchange(on(app, b), code, verifier=verifier))
    at = toks["access_token"]
    for n in (a, b):
        assert check(n, at, API) == 200, n.base
        assert check(n, at, a.issuer) == 401, n.base
    p = kgtest.run_cli("resource", "delete", API, "--db", cluster.db,
                       "--issuer", a.issuer)
    assert p.returncode == 0, p.stderr
    for n in (a, b):
        assert_within(PROPAGATION_S, lambda n=n: check(n, at, API) == 401,
                      f"the token refused on {n.base}")
        assert not published(n, API)
