"""Pushed authorization requests on two nodes (docs/REFERENCE.md §18): a
request_uri pushed to one node is used at the other (par_requests lives
in the shared store), and once used there it is spent on the first too."""

from mnkit import on
from oauthkit import (Dev, User, auth_params, authorize, client_auth,
                      exchange, make_app, post, redirect_result,
                      submit_grant, tokens_ok)


def test_pushed_on_a_used_on_b_spent_on_both(cluster):
    a, b = cluster.a, cluster.b
    app = make_app(a, Dev(a, "mn-par-dev"))
    user = User(b, "mn-par-user")
    data, headers = client_auth(app, [(k, v) for k, v in auth_params(
        app, scope="account_read", state="mn") if k != "client_id"])
    r = post(a, "/oauth2/par", data, headers)
    assert r.status_code == 201, (r.status_code, r.text)
    ru = r.json()["request_uri"]
    ref = [("client_id", app.key), ("request_uri", ru)]
    r = authorize(user, ref)
    assert r.status_code == 200, (r.status_code, r.text[:300])
    res = redirect_result(submit_grant(user, r.text, "allow"),
                          app.redirect_uri)
    assert res["state"] == "mn", res
    tokens_ok(exchange(app, res["code"]))
    for node in (a, b):
        r = authorize(on(user, node), ref)
        assert r.status_code == 400, (node.base, r.status_code)
