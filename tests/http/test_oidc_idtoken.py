"""The id_token of OpenID Connect (docs/REFERENCE.md §14.2): in the token
answer of a code exchange or a refresh whenever the answer's scope holds
openid, signed with the app's id_token_signed_response_alg, and checked here
by an independent library (authlib.jose over `cryptography`) against the
keys of GET /oauth2/jwks, never by keygate's own code."""

import base64
import hashlib
import json
import time

import pytest
import requests
from authlib.jose import JsonWebKey, JsonWebToken

import oauthkit
import twostepkit
from kgtest import Browser
from maildirkit import Mailbox, link_token, verify_link
from oauthkit import (User, approve, exchange, get_code, make_app, refresh,
                      tokens_ok)
from twostepkit import Person, code_step, code_now, password_step

server = oauthkit.module_server()

ALGS = ["RS256", "ES256", "EdDSA"]


def jwks(server):
    r = requests.get(server.url("/oauth2/jwks"), timeout=10)
    assert r.status_code == 200, (r.status_code, r.text)
    return JsonWebKey.import_key_set(r.json())


def header_of(token):
    head = token.split(".")[0]
    return json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))


def verified(server, token, alg):
    """The claims of `token`, its signature checked with authlib against
    the JWKS, only `alg` allowed."""
    assert header_of(token)["alg"] == alg, header_of(token)
    claims = JsonWebToken([alg]).decode(token, jwks(server))
    return dict(claims)


def half_hash(token, alg):
    """OpenID Connect Core §3.1.3.6: the left half of the token's hash
    (SHA-256; SHA-512 for Ed25519), base64url."""
    h = (hashlib.sha512 if alg == "EdDSA" else hashlib.sha256)(
        token.encode()).digest()
    return base64.urlsafe_b64encode(h[:len(h) // 2]).rstrip(b"=").decode()


@pytest.fixture(scope="module")
def apps(server):
    return {alg: make_app(server, id_token_signed_response_alg=alg)
            for alg in ALGS}


def code_with(user, app, scope, nonce=None):
    res, pairs = approve(user, app, scope=scope, nonce=nonce)
    assert "code" in res, res
    return res["code"]


@pytest.mark.parametrize("alg", ALGS)
def test_claims_of_each_alg(server, apps, alg):
    app = apps[alg]
    user = User(server, "idt")
    t0 = oauthkit.clock(server)
    code = code_with(user, app, "openid", nonce="n-" + alg)
    j = tokens_ok(exchange(app, code))
    c = verified(server, j["id_token"], alg)
    assert c["iss"] == server.base
    assert c["aud"] == app.key
    assert c["sub"] == str(user_id(server, user)), c
    assert c["nonce"] == "n-" + alg
    assert c["at_hash"] == half_hash(j["access_token"], alg)
    assert t0 <= c["iat"] <= t0 + 30, (t0, c)
    assert c["exp"] == c["iat"] + 600
    # the browser logged in with its password just now, before t0
    assert c["auth_time"] <= t0 and t0 - c["auth_time"] < 60, (t0, c)
    assert c["amr"] == ["pwd"]
    assert "email" not in c and "email_verified" not in c


def user_id(server, user):
    """The account id, as the API gives it (a string of digits)."""
    r = requests.get(server.url("/api/v1/account"), timeout=10,
                     headers={"Authorization": "Bearer " + user.pat})
    assert r.status_code == 200, r.text
    return int(r.json()["account_id"])


def test_no_nonce_when_none_was_sent(server, apps):
    app, user = apps["RS256"], User(server, "nononce")
    j = tokens_ok(exchange(app, code_with(user, app, "openid")))
    assert "nonce" not in verified(server, j["id_token"], "RS256")


def test_no_id_token_without_openid(server, apps):
    app, user = apps["RS256"], User(server, "plain")
    j = tokens_ok(exchange(app, code_with(user, app, "account_read")))
    assert "id_token" not in j, j
    j = tokens_ok(refresh(app, j["refresh_token"]))
    assert "id_token" not in j, j


def test_refresh_carries_a_new_id_token_without_nonce(server, apps):
    app, user = apps["ES256"], User(server, "refresh")
    j = tokens_ok(exchange(app, code_with(user, app, "openid email",
                                          nonce="first")))
    first = verified(server, j["id_token"], "ES256")
    oauthkit.advance_to(server, oauthkit.clock(server) + 120)
    k = tokens_ok(refresh(app, j["refresh_token"]))
    c = verified(server, k["id_token"], "ES256")
    assert "nonce" not in c, c
    assert c["at_hash"] == half_hash(k["access_token"], "ES256")
    assert c["sub"] == first["sub"] and c["aud"] == first["aud"]
    assert c["auth_time"] == first["auth_time"], "the log-in did not change"
    assert c["iat"] >= first["iat"] + 120
    assert c["amr"] == first["amr"] and c["email"] == first["email"]
    # narrowed to drop openid: no id_token
    m = tokens_ok(refresh(app, k["refresh_token"], scope="email"))
    assert "id_token" not in m, m


def test_email_claims_with_the_email_scope_only(make_server, tmp_path):
    box = Mailbox(tmp_path / "mail")
    srv = oauthkit.oauth_server(make_server, *box.flags())
    app = make_app(srv, id_token_signed_response_alg="EdDSA")
    user = User(srv, "mail")
    j = tokens_ok(exchange(app, code_with(user, app, "openid email")))
    c = verified(srv, j["id_token"], "EdDSA")
    assert c["email"] == user.email and c["email_verified"] is False
    # verifying the address moves the store's revision, which drops the
    # accounts memo within the keeper's poll (a second)
    token = link_token(box.wait(user.email, "Confirm"), "/verify-email")
    assert verify_link(user, token).status_code == 200
    time.sleep(1.5)
    j = tokens_ok(exchange(app, code_with(user, app, "openid email")))
    c = verified(srv, j["id_token"], "EdDSA")
    assert c["email"] == user.email and c["email_verified"] is True, c
    # without the email scope, neither claim
    j = tokens_ok(exchange(app, code_with(user, app, "openid")))
    c = verified(srv, j["id_token"], "EdDSA")
    assert "email" not in c and "email_verified" not in c, c


def test_two_step_log_in_says_otp_and_mfa(server, apps):
    app = apps["RS256"]
    p = Person(server)
    # a fresh browser logs in with the password and a code
    b = Browser(server)
    page = password_step(b, p.email, p.password)
    twostepkit.next_step(server)
    r = code_step(b, page.text, code_now(server, p.secret))
    assert r.status_code == 303, (r.status_code, r.text[:300])
    b.password = p.password
    j = tokens_ok(exchange(app, code_with(b, app, "openid")))
    c = verified(server, j["id_token"], "RS256")
    assert c["amr"] == ["pwd", "otp", "mfa"], c


def test_a_forged_id_token_fails_an_independent_check(server, apps):
    """The check above can fail: a claim changed after signing is
    refused by authlib."""
    app, user = apps["RS256"], User(server, "forge")
    j = tokens_ok(exchange(app, code_with(user, app, "openid")))
    head, body, sig = j["id_token"].split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    claims["sub"] = "1"
    body = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(
        b"=").decode()
    with pytest.raises(Exception):
        verified(server, ".".join([head, body, sig]), "RS256")
