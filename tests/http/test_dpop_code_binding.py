"""Authorization codes bound to a DPoP key (RFC 9449 §10, §10.1;
docs/REFERENCE.md §17.3): `dpop_jkt` at /oauth2/authorize, or a DPoP
proof sent with a push to /oauth2/par, names the one key whose proof may
exchange the code; both at once must name the same key. A code bound so
is refused with another key's proof or none (and spent, as a wrong
code_verifier spends it); a malformed dpop_jkt, or one with the client
flow, is an error sent back to the client."""

from urllib.parse import parse_qs, urlsplit

import pytest

import dpopkit
import oauthkit
from oauthkit import (User, approve, auth_params, authorize, client_auth,
                      make_app, pkce_pair, post, redirect_result,
                      submit_grant, token_error)

server = oauthkit.module_server()

TOKEN = "/oauth2/token"
PAR = "/oauth2/par"


@pytest.fixture(scope="module")
def app(server):
    return make_app(server, secret=False, implicit=True)


@pytest.fixture(scope="module")
def key():
    return dpopkit.Key("ES256")


def bound_code(user, app, jkt, **kw):
    """A code asked for with dpop_jkt=jkt (through the Grant page when the
    user has not consented yet): (code, verifier)."""
    verifier, challenge = pkce_pair()
    res, _ = approve(user, app, challenge=challenge, dpop_jkt=jkt, **kw)
    assert "code" in res, res
    return res["code"], verifier


def exchange(app, code, verifier, key=None):
    data = [("grant_type", "authorization_code"), ("code", code),
            ("redirect_uri", app.redirect_uri), ("code_verifier", verifier)]
    headers = {} if key is None else {
        "DPoP": key.proof("POST", app.server.base + TOKEN)}
    data, headers = client_auth(app, data, None, headers)
    return post(app.server, TOKEN, data, headers)


def bound_tokens(app, r, key):
    """Asserts a token answer whose access token is bound to `key`."""
    assert r.status_code == 200, (r.status_code, r.text)
    j = r.json()
    assert j["token_type"] == "DPoP", j
    intro = oauthkit.introspection(app, j["access_token"])
    assert intro["cnf"] == {"jkt": key.jkt}, intro
    return j


def push(app, pairs, key=None, proof=None):
    headers = {}
    if key is not None:
        headers["DPoP"] = proof or key.proof("POST", app.server.base + PAR)
    data, headers = client_auth(app, pairs, None, headers)
    return post(app.server, PAR, data, headers)


def push_pairs(app, challenge, **kw):
    return [(k, v) for k, v in auth_params(app, challenge=challenge, **kw)
            if k != "client_id"]


def code_by_reference(user, app, request_uri):
    r = authorize(user, [("client_id", app.key),
                         ("request_uri", request_uri)])
    if r.status_code == 200:
        r = submit_grant(user, r.text, "allow")
    res = redirect_result(r, app.redirect_uri)
    assert "code" in res, res
    return res["code"]


def test_dpop_jkt_binds_the_code_through_the_grant_page(server, app, key):
    """The Grant page carries dpop_jkt in its form: a code allowed there
    is bound (another key refused), and goes with its own key."""
    user = User(server, "jkt-new")          # no consent yet: the Grant page
    code, verifier = bound_code(user, app, key.jkt)
    token_error(exchange(app, code, verifier, dpopkit.Key("EdDSA")),
                "invalid_grant")
    code, verifier = bound_code(user, app, key.jkt, prompt="consent")
    bound_tokens(app, exchange(app, code, verifier, key), key)


def test_the_log_in_detour_keeps_it(server, app, key):
    """A browser without a session goes through /login and back with
    dpop_jkt in the way back."""
    user = User(server, "jkt-detour", login=False)
    verifier, challenge = pkce_pair()
    r = authorize(user, auth_params(app, challenge=challenge,
                                    dpop_jkt=key.jkt))
    assert r.status_code == 302, r.status_code
    nxt = parse_qs(urlsplit(r.headers["Location"]).query)["next"][0]
    assert parse_qs(urlsplit(nxt).query)["dpop_jkt"] == [key.jkt], nxt
    r = user.login(user.email, user.password, next=nxt)
    assert r.status_code == 303, r.status_code
    r = user.get(r.headers["Location"])
    assert r.status_code == 200, (r.status_code, r.text[:300])
    res = redirect_result(submit_grant(user, r.text, "allow"),
                          app.redirect_uri)
    token_error(exchange(app, res["code"], verifier, dpopkit.Key("EdDSA")),
                "invalid_grant")


def test_prompt_none_binds_it(server, app, key):
    user = User(server, "jkt-none-prompt")
    bound_code(user, app, key.jkt)          # consents
    code, verifier = bound_code(user, app, key.jkt, prompt="none")
    token_error(exchange(app, code, verifier, dpopkit.Key("RS256")),
                "invalid_grant")


def test_a_consented_request_binds_it_too(server, app, key):
    user = User(server, "jkt-again")
    bound_code(user, app, key.jkt)          # consents
    code, verifier = bound_code(user, app, key.jkt)   # code at once
    other = dpopkit.Key("EdDSA")
    j = token_error(exchange(app, code, verifier, other), "invalid_grant")
    assert "DPoP" in j["error_description"], j


@pytest.mark.parametrize("alg", ["EdDSA", "RS256"])
def test_another_key_or_no_proof_is_refused_and_spends_it(server, app, key,
                                                           alg):
    user = User(server, "jkt-" + alg.lower())
    code, verifier = bound_code(user, app, key.jkt)
    token_error(exchange(app, code, verifier, dpopkit.Key(alg)),
                "invalid_grant")
    # spent: the right key comes too late
    token_error(exchange(app, code, verifier, key), "invalid_grant")
    code, verifier = bound_code(user, app, key.jkt)
    token_error(exchange(app, code, verifier), "invalid_grant")


def test_an_unbound_code_takes_any_proof(server, app, key):
    user = User(server, "jkt-none")
    code, verifier = bound_code(user, app, None)
    bound_tokens(app, exchange(app, code, verifier, key), key)


@pytest.mark.parametrize("jkt", [
    "",
    "abc",
    "A" * 42,
    "A" * 44,
    "A" * 42 + "B",          # 43 characters, low bits of the last not zero
    "A" * 42 + "+",          # not base64url
    "é" * 21 + "A",
])
def test_a_malformed_dpop_jkt_goes_back_as_invalid_request(server, app, jkt):
    user = User(server, "jkt-bad")
    res, _ = approve(user, app, challenge=pkce_pair()[1], dpop_jkt=jkt)
    assert res.get("error") == "invalid_request", res
    assert "dpop_jkt" in res.get("error_description", ""), res


def test_the_client_flow_takes_no_dpop_jkt(server, app, key):
    user = User(server, "jkt-token")
    r = authorize(user, auth_params(app, response_type="token",
                                    dpop_jkt=key.jkt))
    res = redirect_result(r, app.redirect_uri, where="fragment")
    assert res.get("error") == "invalid_request", res
    assert "access_token" not in res


def test_a_proof_sent_to_par_binds_the_code(server, app, key):
    user = User(server, "jkt-par")
    verifier, challenge = pkce_pair()
    r = push(app, push_pairs(app, challenge), key)
    assert r.status_code == 201, (r.status_code, r.text)
    code = code_by_reference(user, app, r.json()["request_uri"])
    token_error(exchange(app, code, verifier, dpopkit.Key("ES256")),
                "invalid_grant")
    verifier, challenge = pkce_pair()
    r = push(app, push_pairs(app, challenge), key)
    code = code_by_reference(user, app, r.json()["request_uri"])
    bound_tokens(app, exchange(app, code, verifier, key), key)


@pytest.mark.parametrize("with_proof", [True, False])
def test_par_with_dpop_jkt(server, app, key, with_proof):
    """dpop_jkt pushed, with a proof of the same key or none: bound."""
    user = User(server, "jkt-par-both")
    for right in (False, True):
        verifier, challenge = pkce_pair()
        r = push(app, push_pairs(app, challenge, dpop_jkt=key.jkt),
                 key if with_proof else None)
        assert r.status_code == 201, (r.status_code, r.text)
        code = code_by_reference(user, app, r.json()["request_uri"])
        if right:
            bound_tokens(app, exchange(app, code, verifier, key), key)
        else:
            token_error(exchange(app, code, verifier, dpopkit.Key("EdDSA")),
                        "invalid_grant")


def test_the_browser_cannot_add_or_drop_it_beside_a_request_uri(server,
                                                                 app, key):
    """The pushed parameters are the request: a dpop_jkt in the query
    beside request_uri binds nothing, and none there unbinds nothing."""
    user = User(server, "jkt-par-tamper")
    bound_code(user, app, None)             # consents
    verifier, challenge = pkce_pair()
    ru = push(app, push_pairs(app, challenge)).json()["request_uri"]
    r = authorize(user, [("client_id", app.key), ("request_uri", ru),
                         ("dpop_jkt", key.jkt)])
    code = redirect_result(r, app.redirect_uri)["code"]
    other = dpopkit.Key("EdDSA")
    bound_tokens(app, exchange(app, code, verifier, other), other)


def test_par_refuses_a_dpop_jkt_of_another_key(server, app, key):
    other = dpopkit.Key("EdDSA")
    r = push(app, push_pairs(app, pkce_pair()[1], dpop_jkt=other.jkt), key)
    j = token_error(r, "invalid_dpop_proof")
    assert "dpop_jkt" in j["error_description"], j


@pytest.mark.parametrize("what", ["token endpoint", "GET", "replayed"])
def test_par_refuses_a_bad_proof(server, app, key, what):
    base = server.base
    proof = {"token endpoint": key.proof("POST", base + TOKEN),
             "GET": key.proof("GET", base + PAR),
             "replayed": key.proof("POST", base + PAR)}[what]
    if what == "replayed":
        assert push(app, push_pairs(app, pkce_pair()[1]), key,
                    proof).status_code == 201
    r = push(app, push_pairs(app, pkce_pair()[1]), key, proof)
    token_error(r, "invalid_dpop_proof")
    assert "request_uri" not in r.json()


def test_par_without_a_proof_binds_nothing(server, app, key):
    user = User(server, "jkt-par-none")
    verifier, challenge = pkce_pair()
    r = push(app, push_pairs(app, challenge))
    assert r.status_code == 201, (r.status_code, r.text)
    code = code_by_reference(user, app, r.json()["request_uri"])
    other = dpopkit.Key("EdDSA")
    bound_tokens(app, exchange(app, code, verifier, other), other)
