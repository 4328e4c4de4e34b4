"""The server flow at the token endpoint (docs/REFERENCE.md §3.2 server flow,
§3.3 authorization_code): client authentication, code binding, single use,
10-minute life, PKCE, and code replay revoking the family.

Failed client authentications are throttled per address (20 per 15
minutes): this module's shared server sees fewer than 15 of them."""

import base64
import json

import pytest
import requests

import oauthkit
from oauthkit import (REDIRECT, REDIRECT2, User, alive, approve, auth_params,
                      basic_client, challenge_of, exchange, family_alive,
                      family_dead, get_code, get_tokens, make_app, oauth_server,
                      pkce_pair, post, redirect_result, refresh,
                      refresh_refused, summary, token_error, token_request,
                      tokens_ok)

server = oauthkit.module_server()


@pytest.fixture(scope="module")
def app(server):
    return make_app(server, redirect_uris=(REDIRECT, REDIRECT2,
                                           "http://127.0.0.1:4000/cb"))


@pytest.fixture(scope="module")
def other_app(server):
    return make_app(server)


@pytest.fixture(scope="module")
def public_app(server):
    return make_app(server, secret=False)


@pytest.fixture(scope="module")
def user(server, app, other_app, public_app):
    """A user who has allowed all three apps every scope."""
    u = User(server, "code")
    for a in (app, other_app):
        approve(u, a, scope=" ".join(oauthkit.SCOPES))
    approve(u, public_app, scope=" ".join(oauthkit.SCOPES),
            challenge=pkce_pair()[1])
    return u


def used_up(app, code, redirect_uri=None, verifier=None):
    """The code no longer exchanges, even with the right parameters."""
    token_error(exchange(app, code, redirect_uri, verifier), "invalid_grant")


# --- success ------------------------------------------------------------------

def test_server_flow_end_to_end(server, app):
    u = User(server, "e2e")
    code, _, _ = get_code(u, app, scope="account_read contact_data")
    t = tokens_ok(exchange(app, code))
    assert t["expires_in"] == 3600
    assert set(t["scope"].split()) == {"account_read", "contact_data"}
    assert set(t) == {"access_token", "token_type", "expires_in",
                      "refresh_token", "scope"}, t
    r = summary(server, t["access_token"])
    assert r.status_code == 200, r.text
    assert r.json()["email"] == u.email
    r = oauthkit.check(server, t["access_token"])
    assert r.status_code == 200
    assert r.headers["X-Keygate-Client"] == app.key
    assert set(r.headers["X-Keygate-Scope"].split()) == \
        {"account_read", "contact_data"}
    assert r.headers["X-Keygate-Subject"] == summary(
        server, t["access_token"]).json()["account_id"]


def test_tokens_are_unique_and_random(server, app, user):
    seen = set()
    for _ in range(3):
        t = get_tokens(user, app)
        for k in ("access_token", "refresh_token"):
            assert t[k] not in seen
            seen.add(t[k])
            assert len(t[k]) >= 6 + 43, t[k]         # >= 256 bits after kg_xx_


def test_client_secret_post(server, app, user):
    code, _, _ = get_code(user, app)
    tokens_ok(exchange(app, code, auth="post"))


def test_basic_credentials_are_form_decoded(server, app, user):
    """RFC 6749 §2.3.1: id and secret are form-encoded before Basic."""
    code, _, _ = get_code(user, app)
    enc = "".join("%%%02X" % b for b in app.secret.encode())
    raw = f"{app.key}:{enc}".encode()
    h = {"Authorization": "Basic " + base64.b64encode(raw).decode()}
    r = post(server, "/oauth2/token", [("grant_type", "authorization_code"),
                                       ("code", code),
                                       ("redirect_uri", app.redirect_uri)], h)
    tokens_ok(r)


def test_both_auth_methods_at_once_is_invalid_request(server, app, user):
    code, _, _ = get_code(user, app)
    r = post(server, "/oauth2/token",
             [("grant_type", "authorization_code"), ("code", code),
              ("redirect_uri", app.redirect_uri), ("client_id", app.key),
              ("client_secret", app.secret)],
             {"Authorization": basic_client(app.key, app.secret)})
    token_error(r, "invalid_request")
    # a body client_id naming the Basic client is the same client said
    # twice (RFC 8628 clients send it always): accepted; another one not
    for other, ok in ((app.key + "x", False), (app.key, True)):
        code, _, _ = get_code(user, app)
        r = post(server, "/oauth2/token",
                 [("grant_type", "authorization_code"), ("code", code),
                  ("redirect_uri", app.redirect_uri), ("client_id", other)],
                 {"Authorization": basic_client(app.key, app.secret)})
        if ok:
            tokens_ok(r)
        else:
            assert "differs" in token_error(r, "invalid_request")[
                "error_description"]


def test_confidential_client_must_authenticate(server, app, user):
    code, _, _ = get_code(user, app)
    token_error(exchange(app, code, auth="none"), "invalid_client", 401)
    token_error(exchange(app, code, auth="omit"), "invalid_client", 401)


def test_wrong_secret_is_invalid_client(server, app, user):
    code, _, _ = get_code(user, app)
    r = post(server, "/oauth2/token",
             [("grant_type", "authorization_code"), ("code", code),
              ("redirect_uri", app.redirect_uri)],
             {"Authorization": basic_client(app.key, app.secret[:-1] + (
                 "x" if app.secret[-1] != "x" else "y"))})
    j = token_error(r, "invalid_client", 401)
    assert "Basic" in r.headers["WWW-Authenticate"]
    r = post(server, "/oauth2/token",
             [("grant_type", "authorization_code"), ("code", code),
              ("redirect_uri", app.redirect_uri), ("client_id", app.key),
              ("client_secret", "nope")])
    token_error(r, "invalid_client", 401)


def test_loopback_port_must_match_the_authorize_request(server, app, user):
    code, _, _ = get_code(user, app, redirect_uri="http://127.0.0.1:5555/cb")
    token_error(exchange(app, code, "http://127.0.0.1:4000/cb"), "invalid_grant")
    code, _, _ = get_code(user, app, redirect_uri="http://127.0.0.1:5555/cb")
    tokens_ok(exchange(app, code, "http://127.0.0.1:5555/cb"))


# --- binding and single use ------------------------------------------------------

def test_code_is_single_use_and_replay_revokes_the_family(server, app, user):
    code, _, _ = get_code(user, app)
    t1 = tokens_ok(exchange(app, code))
    t2 = tokens_ok(refresh(app, t1["refresh_token"]))
    t3 = tokens_ok(refresh(app, t2["refresh_token"]))
    other = get_tokens(user, app)                  # another family, same grant
    token_error(exchange(app, code), "invalid_grant")
    family_dead(app, [t1, t2, t3])
    family_alive(app, other)


def test_code_replay_before_any_refresh(server, app, user):
    code, _, _ = get_code(user, app)
    t1 = tokens_ok(exchange(app, code))
    token_error(exchange(app, code, auth="post"), "invalid_grant")
    family_dead(app, t1)


def test_two_concurrent_exchanges_of_one_code(server, app, user):
    for i in range(10):
        code, _, _ = get_code(user, app)
        results = oauthkit.race(2, lambda _: exchange(app, code))
        statuses = sorted(getattr(r, "status_code", repr(r)) for r in results)
        assert statuses == [200, 400], (i, statuses)
        loser = [r for r in results if r.status_code == 400][0]
        assert loser.json()["error"] == "invalid_grant"
        winner = [r for r in results if r.status_code == 200][0].json()
        # the loser was a second use: the winner's family is revoked
        family_dead(app, winner)


def intruders(app, other_app, public_app, code):
    """The code presented by a confidential and by a public client other
    than its own; each answer is a plain invalid_grant that says no more
    than an unknown code's."""
    unknown = token_error(exchange(other_app, "kg_ac_" + "A" * 43,
                                   app.redirect_uri), "invalid_grant")
    for r in (exchange(other_app, code, app.redirect_uri),
              exchange(public_app, code, app.redirect_uri,
                       verifier=pkce_pair()[0])):
        j = token_error(r, "invalid_grant")
        assert j.get("error_description") == unknown.get(
            "error_description"), (j, unknown)
        assert "client" not in json.dumps(j).lower(), j


def test_a_fresh_code_presented_by_another_client_stays_usable(
        server, app, other_app, public_app, user):
    code, _, _ = get_code(user, app)
    intruders(app, other_app, public_app, code)
    t = tokens_ok(exchange(app, code))
    family_alive(app, t)


def test_a_used_code_presented_by_another_client_ends_no_family(
        server, app, other_app, public_app, user):
    code, _, _ = get_code(user, app)
    t1 = tokens_ok(exchange(app, code))
    token_error(exchange(other_app, code, app.redirect_uri), "invalid_grant")
    token_error(exchange(public_app, code, app.redirect_uri,
                         verifier=pkce_pair()[0]), "invalid_grant")
    t2 = family_alive(app, t1)
    intruders(app, other_app, public_app, code)
    assert alive(server, t2["access_token"])
    # a second use by its own client still ends the family
    token_error(exchange(app, code), "invalid_grant")
    family_dead(app, t2)


def test_code_is_bound_to_the_redirect_uri(server, app, user):
    code, _, _ = get_code(user, app)
    token_error(exchange(app, code, REDIRECT2), "invalid_grant")
    used_up(app, code)


def test_missing_redirect_uri_fails_and_uses_the_code_up(server, app, user):
    code, _, _ = get_code(user, app)
    r = token_request(app, [("grant_type", "authorization_code"),
                            ("code", code)])
    j = token_error(r, r.json().get("error"))
    assert j["error"] in ("invalid_request", "invalid_grant"), j
    used_up(app, code)


def test_unknown_code_is_invalid_grant(server, app):
    token_error(exchange(app, "kg_ac_" + "A" * 43), "invalid_grant")
    r = exchange(app, "")
    assert r.status_code == 400 and r.json()["error"] in \
        ("invalid_request", "invalid_grant"), r.text


def test_missing_code_is_invalid_request(server, app):
    r = token_request(app, [("grant_type", "authorization_code"),
                            ("redirect_uri", app.redirect_uri)])
    token_error(r, "invalid_request")


def test_code_lives_ten_minutes(make_server):
    srv = oauth_server(make_server)
    a = make_app(srv)
    u = User(srv, "ttl")
    c1, _, _ = get_code(u, a)
    c2, _, _ = get_code(u, a)
    srv.advance(590)
    tokens_ok(exchange(a, c1))
    srv.advance(11)                               # 601 s after issue
    token_error(exchange(a, c2), "invalid_grant")


def test_a_code_of_a_withdrawn_consent_dies(server, app):
    u = User(server, "withdraw")
    code, _, _ = get_code(u, app)
    r = requests.delete(server.url(f"/api/v1/connections/{app.key}"),
                        headers=oauthkit.bearer(u.pat), timeout=10)
    assert r.status_code == 204
    token_error(exchange(app, code), "invalid_grant")


# --- PKCE ---------------------------------------------------------------------

def test_pkce_s256_success(server, app, user):
    code, verifier, _ = get_code(user, app, pkce=True)
    tokens_ok(exchange(app, code, verifier=verifier))


@pytest.mark.parametrize("case", ["wrong", "missing", "other pair", "42 chars",
                                  "129 chars", "bad chars", "challenge as verifier",
                                  "empty"])
def test_pkce_failures_use_the_code_up(server, app, user, case):
    code, verifier, _ = get_code(user, app, pkce=True)
    v2, c2 = pkce_pair()
    bad = {"wrong": verifier[:-1] + ("A" if verifier[-1] != "A" else "B"),
           "missing": None, "other pair": v2, "42 chars": verifier[:42],
           "129 chars": verifier * 3, "bad chars": "!" * 50,
           "challenge as verifier": challenge_of(verifier), "empty": ""}[case]
    if case == "42 chars":
        # too short even though its challenge matches (RFC 7636 §4.1)
        verifier = bad
        res, _ = approve(user, app, challenge=challenge_of(bad))
        code = res["code"]
    r = exchange(app, code, verifier=bad)
    assert r.status_code == 400, (case, r.status_code, r.text)
    assert r.json()["error"] in ("invalid_grant", "invalid_request"), r.text
    used_up(app, code, verifier=verifier)


def test_verifier_for_a_code_without_challenge_is_refused(server, app, user):
    """PKCE downgrade (RFC 9700 §4.8.2)."""
    code, _, _ = get_code(user, app, pkce=False)
    v, _ = pkce_pair()
    r = exchange(app, code, verifier=v)
    assert r.status_code == 400, r.text
    assert r.json()["error"] in ("invalid_grant", "invalid_request"), r.text
    used_up(app, code)


def test_public_client_with_pkce(server, public_app, user):
    code, verifier, _ = get_code(user, public_app)
    t = tokens_ok(exchange(public_app, code, verifier=verifier))
    assert alive(server, t["access_token"])
    tokens_ok(refresh(public_app, t["refresh_token"]))


def test_public_client_cannot_skip_the_verifier(server, public_app, user):
    code, verifier, _ = get_code(user, public_app)
    r = exchange(public_app, code)
    assert r.status_code == 400 and r.json()["error"] in \
        ("invalid_grant", "invalid_request"), r.text
    used_up(public_app, code, verifier=verifier)


def test_public_client_must_name_itself(server, public_app, user):
    code, verifier, _ = get_code(user, public_app)
    r = exchange(public_app, code, verifier=verifier, auth="omit")
    assert r.status_code == 401, r.text
    assert r.json()["error"] in ("invalid_client", "invalid_request")


def test_public_client_with_a_made_up_secret_is_refused(server, public_app, user):
    code, verifier, _ = get_code(user, public_app)
    r = exchange(public_app, code, verifier=verifier,
                 extra=[("client_secret", "x" * 43)])
    token_error(r, "invalid_client", 401)


# --- grant types ------------------------------------------------------------------

@pytest.mark.parametrize("gt", ["password", "client_credentials", "implicit",
                                "urn:ietf:params:oauth:grant-type:device_code",
                                "AUTHORIZATION_CODE"])
def test_other_grant_types_are_refused(server, app, gt):
    r = token_request(app, [("grant_type", gt), ("username", "a"),
                            ("password", "b")])
    assert r.status_code == 400, r.text
    assert r.json()["error"] in ("unsupported_grant_type",
                                 "unauthorized_client"), r.text


def test_missing_grant_type(server, app):
    token_error(token_request(app, [("code", "x")]), "invalid_request")

