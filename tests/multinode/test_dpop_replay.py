"""DPoP proofs at the token endpoint on two nodes (docs/REFERENCE.md
§17.1): a proof is claimed in the shared store as well as in the node's
memory, so the same proof replayed to the other node is refused
(invalid_dpop_proof), where that node's memory alone would have let it
through."""

import dpopkit
from mnkit import on
from oauthkit import User, approve, make_app, token_request


def test_token_endpoint_proof_replayed_to_the_other_node(cluster):
    app = make_app(cluster.front)
    user = User(cluster.front, "dpop-replay")
    key = dpopkit.Key("EdDSA")
    proof = key.proof("POST", cluster.front.url("/oauth2/token"))
    results = []
    for node in (cluster.a, cluster.b):
        res, _ = approve(user, app, scope="account_read")
        results.append(token_request(on(app, node), [
            ("grant_type", "authorization_code"), ("code", res["code"]),
            ("redirect_uri", app.redirect_uri)], headers={"DPoP": proof}))
    first, second = results
    assert first.status_code == 200, first.text
    assert first.json()["token_type"] == "DPoP", first.text
    assert second.status_code in (400, 401), second.text
    assert second.json()["error"] == "invalid_dpop_proof", second.text
    assert "used before" in second.json()["error_description"], second.text
