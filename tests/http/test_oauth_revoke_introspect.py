"""POST /oauth2/revoke (RFC 7009, docs/REFERENCE.md §3.4) and POST
/oauth2/introspect (RFC 7662, docs/REFERENCE.md §3.5). Few failed client
authentications (throttle)."""

import pytest

import oauthkit
from oauthkit import (User, alive, approve, family_alive, family_dead,
                      get_tokens, implicit_token, introspect, introspection,
                      make_app, oauth_server, pkce_pair, refresh, revoke,
                      token_error, tokens_ok)

server = oauthkit.module_server()


@pytest.fixture(scope="module")
def app(server):
    return make_app(server, implicit=True)


@pytest.fixture(scope="module")
def other_app(server):
    return make_app(server)


@pytest.fixture(scope="module")
def public_app(server):
    return make_app(server, secret=False)


@pytest.fixture(scope="module")
def user(server, app, other_app, public_app):
    u = User(server, "revoke")
    for a in (app, other_app):
        approve(u, a, scope="account_read contact_data")
    approve(u, public_app, challenge=pkce_pair()[1])
    return u


def revoked_ok(r):
    assert r.status_code == 200, (r.status_code, r.text)


# --- revoke ----------------------------------------------------------------------

@pytest.mark.parametrize("hint", [None, "refresh_token", "access_token",
                                  "something_else"])
def test_revoking_a_refresh_token_ends_its_family(server, app, user, hint):
    t1 = get_tokens(user, app)
    t2 = tokens_ok(refresh(app, t1["refresh_token"]))
    other = get_tokens(user, app)
    revoked_ok(revoke(app, t2["refresh_token"], hint))
    family_dead(app, [t1, t2])
    family_alive(app, other)


@pytest.mark.parametrize("hint", [None, "access_token", "refresh_token"])
def test_revoking_an_access_token_ends_that_token(server, app, user, hint):
    t1 = get_tokens(user, app)
    t2 = tokens_ok(refresh(app, t1["refresh_token"]))
    revoked_ok(revoke(app, t2["access_token"], hint))
    assert not alive(server, t2["access_token"])
    assert introspection(app, t2["access_token"]) == {"active": False}
    t3 = tokens_ok(refresh(app, t2["refresh_token"]))
    assert alive(server, t3["access_token"])


def test_revoking_a_client_flow_token(server, app, user):
    res = implicit_token(user, app)
    assert alive(server, res["access_token"])
    revoked_ok(revoke(app, res["access_token"]))
    assert not alive(server, res["access_token"])


def test_revoking_with_client_secret_post(server, app, user):
    t = get_tokens(user, app)
    revoked_ok(revoke(app, t["refresh_token"], auth="post"))
    family_dead(app, t)


def test_public_client_revokes_its_own_token(server, public_app, user):
    t = get_tokens(user, public_app)
    revoked_ok(revoke(public_app, t["refresh_token"]))
    family_dead(public_app, t)


def test_unknown_tokens_answer_200(server, app, user):
    t = get_tokens(user, app)
    for token in ("kg_rt_" + "A" * 43, "kg_at_" + "B" * 43, "garbage",
                  t["refresh_token"][:-1],
                  t["access_token"] + "x"):
        revoked_ok(revoke(app, token))
    family_alive(app, t)


def test_another_apps_tokens_are_not_revoked(server, app, other_app, user):
    t = get_tokens(user, other_app)
    revoked_ok(revoke(app, t["refresh_token"]))
    revoked_ok(revoke(app, t["access_token"]))
    family_alive(other_app, t)


def test_revoking_twice(server, app, user):
    t = get_tokens(user, app)
    revoked_ok(revoke(app, t["refresh_token"]))
    revoked_ok(revoke(app, t["refresh_token"]))
    revoked_ok(revoke(app, t["access_token"]))


def test_revoke_needs_client_authentication(server, app, user):
    t = get_tokens(user, app)
    r = revoke(app, t["refresh_token"], auth="omit")
    token_error(r, "invalid_client", 401)
    r = oauthkit.post(server, "/oauth2/revoke",
                      [("token", t["refresh_token"])],
                      {"Authorization": oauthkit.basic_client(app.key, "wrong")})
    token_error(r, "invalid_client", 401)
    family_alive(app, t)


def test_revoke_without_token_is_invalid_request(server, app):
    data, headers = oauthkit.client_auth(app, [("token_type_hint",
                                                "access_token")])
    r = oauthkit.post(server, "/oauth2/revoke", data, headers)
    token_error(r, "invalid_request")


# --- introspect --------------------------------------------------------------------

def test_introspect_an_access_token(server, app, user):
    t = get_tokens(user, app, scope="account_read contact_data")
    r = introspect(app, t["access_token"])
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("application/json")
    assert "no-store" in r.headers.get("Cache-Control", "")
    i = r.json()
    assert set(i) == {"active", "client_id", "scope", "sub", "token_type",
                      "iat", "exp", "aud"}, i
    # the built-in API, named by the issuer (docs/REFERENCE.md §22.1)
    assert i["aud"] == [server.base], i
    assert i["active"] is True and i["client_id"] == app.key
    assert set(i["scope"].split()) == {"account_read", "contact_data"}
    assert i["token_type"] == "Bearer"
    assert type(i["iat"]) is int and type(i["exp"]) is int
    assert i["exp"] - i["iat"] == 3600
    assert isinstance(i["sub"], str)
    assert i["sub"] == oauthkit.summary(server, t["access_token"]).json()["account_id"]


def test_introspect_a_refresh_token(server, app, user):
    t = get_tokens(user, app, scope="account_read contact_data")
    i = introspection(app, t["refresh_token"])
    assert i["active"] is True and i["token_type"] == "refresh_token", i
    assert "exp" not in i, i
    assert i["client_id"] == app.key and type(i["iat"]) is int
    assert set(i["scope"].split()) == {"account_read", "contact_data"}
    assert i["sub"] == introspection(app, t["access_token"])["sub"]


def test_introspect_a_refresh_token_with_idle_ttl(make_server):
    srv = oauth_server(make_server, "--refresh-idle-ttl", "100")
    a = make_app(srv)
    t = get_tokens(User(srv, "idle"), a)
    i = introspection(a, t["refresh_token"])
    assert i["token_type"] == "refresh_token"
    assert i["exp"] == i["iat"] + 100, i
    srv.advance(50)
    assert introspection(a, t["refresh_token"])["exp"] == i["iat"] + 100
    n = tokens_ok(refresh(a, t["refresh_token"]))
    j = introspection(a, n["refresh_token"])
    assert j["exp"] == j["iat"] + 100 and j["iat"] >= i["iat"] + 50
    srv.advance(100)
    assert introspection(a, n["refresh_token"]) == {"active": False}


def test_introspect_the_client_flow_token(server, app, user):
    res = implicit_token(user, app)
    i = introspection(app, res["access_token"])
    assert i["active"] is True and i["token_type"] == "Bearer"
    assert i["exp"] - i["iat"] == 3600


def test_another_apps_token_is_inactive(server, app, other_app, user):
    t = get_tokens(user, other_app)
    assert introspection(app, t["access_token"]) == {"active": False}
    assert introspection(app, t["refresh_token"]) == {"active": False}
    assert introspection(other_app, t["access_token"])["active"] is True


@pytest.mark.parametrize("token", ["", "garbage", "kg_at_" + "A" * 43,
                                   "kg_rt_" + "A" * 43, "x" * 2000],
                         ids=["empty", "garbage", "at", "rt", "long"])
def test_unknown_tokens_are_inactive(server, app, token):
    r = introspect(app, token)
    if token in ("", "x" * 2000) and r.status_code == 400:   # a length limit
        token_error(r, "invalid_request")
        return
    assert r.status_code == 200, (r.status_code, r.text)
    assert r.json() == {"active": False}


def test_used_revoked_and_personal_tokens_are_inactive(server, app, user):
    t = get_tokens(user, app)
    n = tokens_ok(refresh(app, t["refresh_token"]))
    assert introspection(app, t["refresh_token"]) == {"active": False}
    revoke(app, n["refresh_token"])
    assert introspection(app, n["access_token"]) == {"active": False}
    assert introspection(app, n["refresh_token"]) == {"active": False}
    assert introspection(app, user.pat) == {"active": False}


def test_introspect_does_not_use_a_refresh_token(server, app, user):
    t = get_tokens(user, app)
    for _ in range(3):
        assert introspection(app, t["refresh_token"])["active"] is True
    family_alive(app, t)


def test_introspect_needs_client_authentication(server, app, user):
    t = get_tokens(user, app)
    r = introspect(app, t["access_token"], auth="omit")
    token_error(r, "invalid_client", 401)
    assert "active" not in r.json()


def test_public_client_introspects_its_own(server, public_app, app, user):
    t = get_tokens(user, public_app)
    assert introspection(public_app, t["access_token"])["active"] is True
    assert introspection(public_app, get_tokens(user, app)["access_token"]) \
        == {"active": False}
