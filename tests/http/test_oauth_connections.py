"""Connected apps (docs/REFERENCE.md §1 grant, §6): GET /api/v1/connections,
DELETE /api/v1/connections/{api_key}, the portal page /connections with its
revoke form; deleting an app; a new secret."""

import re

import pytest
import requests

import oauthkit
from kgtest import RFC3339_UTC, bearer, delete_app, find_csrf
from oauthkit import (User, alive, approve, auth_params, authorize,
                      family_dead, get_tokens, implicit_token, introspection,
                      make_app, pkce_pair, refresh, refresh_refused,
                      token_error, tokens_ok)

server = oauthkit.module_server()


def connections(server, pat):
    r = requests.get(server.url("/api/v1/connections"), headers=bearer(pat),
                     timeout=10)
    assert r.status_code == 200, (r.status_code, r.text)
    assert r.headers["Content-Type"].startswith("application/json")
    return r.json()


def delete_connection(server, pat, key):
    return requests.delete(server.url(f"/api/v1/connections/{key}"),
                           headers=bearer(pat), timeout=10)


def by_key(conns):
    return {c["api_key"]: c for c in conns}


@pytest.fixture
def world(server):
    """Two apps, a user who granted both (two families for the first, and a
    client-flow token), and another user who granted the first."""
    a = make_app(server, implicit=True, public_name="First <App>")
    b = make_app(server, public_name="Second App")
    u = User(server, "conn")
    fam1 = get_tokens(u, a, scope="account_read contact_data")
    fam2 = get_tokens(u, a, scope="account_read")
    fam2 = tokens_ok(refresh(a, fam2["refresh_token"]))
    imp = implicit_token(u, a)
    other_app_tokens = get_tokens(u, b)
    v = User(server, "conn-other")
    v_tokens = get_tokens(v, a)
    return dict(a=a, b=b, u=u, v=v, fam1=fam1, fam2=fam2, imp=imp,
                b_tokens=other_app_tokens, v_tokens=v_tokens)


def test_list_connections(server, world):
    conns = connections(server, world["u"].pat)
    assert isinstance(conns, list)
    got = by_key(conns)
    assert set(got) == {world["a"].key, world["b"].key}, conns
    for c in conns:
        assert set(c) == {"api_key", "public_name", "scope", "granted_at"}, c
        assert RFC3339_UTC.match(c["granted_at"]), c
    assert got[world["a"].key]["public_name"] == "First <App>"
    assert set(got[world["a"].key]["scope"].split()) == \
        {"account_read", "contact_data"}
    assert got[world["b"].key]["scope"] == "account_read"
    assert by_key(connections(server, world["v"].pat)).keys() == {world["a"].key}


def test_a_grant_holds_the_union_of_allowed_scopes(server):
    a = make_app(server)
    u = User(server, "conn-union")
    approve(u, a, scope="account_read")
    approve(u, a, scope="contact_data")
    conns = connections(server, u.pat)
    assert len(conns) == 1
    assert set(conns[0]["scope"].split()) == {"account_read", "contact_data"}
    assert authorize(u, auth_params(a, scope="account_read contact_data")) \
        .status_code == 302


def test_a_denied_or_unanswered_app_is_not_connected(server):
    a = make_app(server)
    u = User(server, "conn-deny")
    r = authorize(u, auth_params(a))
    oauthkit.submit_grant(u, r.text, "deny")
    assert connections(server, u.pat) == []


def test_connections_need_a_personal_access_token(server, world):
    r = requests.get(server.url("/api/v1/connections"), timeout=10)
    assert r.status_code == 401
    r = requests.get(server.url("/api/v1/connections"),
                     headers=bearer(world["fam1"]["access_token"]), timeout=10)
    assert r.status_code == 401
    r = delete_connection(server, "", world["a"].key)
    assert r.status_code == 401
    assert alive(server, world["fam1"]["access_token"])


def test_delete_connection_revokes_everything_under_the_grant(server, world):
    a, u = world["a"], world["u"]
    r = delete_connection(server, u.pat, a.key)
    assert r.status_code == 204, (r.status_code, r.text)
    family_dead(a, world["fam1"])
    family_dead(a, world["fam2"])
    assert not alive(server, world["imp"]["access_token"])
    assert introspection(a, world["fam1"]["refresh_token"]) == {"active": False}
    # consent forgotten
    assert authorize(u, auth_params(a)).status_code == 200
    assert a.key not in by_key(connections(server, u.pat))
    # the other app of this user, and this app's other user, are untouched
    assert alive(server, world["b_tokens"]["access_token"])
    tokens_ok(refresh(world["b"], world["b_tokens"]["refresh_token"]))
    assert alive(server, world["v_tokens"]["access_token"])
    tokens_ok(refresh(a, world["v_tokens"]["refresh_token"]))
    assert authorize(world["v"], auth_params(a)).status_code == 302
    # again: nothing left to delete
    assert delete_connection(server, u.pat, a.key).status_code == 404


def test_a_new_grant_after_withdrawal_works(server, world):
    a, u = world["a"], world["u"]
    assert delete_connection(server, u.pat, a.key).status_code == 204
    t = get_tokens(u, a)
    assert alive(server, t["access_token"])
    assert a.key in by_key(connections(server, u.pat))
    refresh_refused(a, world["fam1"]["refresh_token"])


def test_delete_unknown_or_foreign_connection_is_404(server, world):
    u = world["u"]
    unrelated = make_app(server)
    for key in ("kg_ak_" + "A" * 43, unrelated.key, "x"):
        assert delete_connection(server, u.pat, key).status_code == 404
    # another user's grant cannot be deleted through mine
    w = User(server, "conn-w")
    assert delete_connection(server, w.pat, world["a"].key).status_code == 404
    assert alive(server, world["v_tokens"]["access_token"])


# --- the portal page ----------------------------------------------------------------

def revoke_form(page, key):
    m = re.search(r'<form\b[^>]*action="/connections/%s/revoke"[^>]*>(.*?)</form>'
                  % re.escape(key), page, re.S)
    return m


def test_connections_page_lists_grants(server, world):
    u = world["u"]
    r = u.get("/connections")
    assert r.status_code == 200
    page = r.text
    assert "First &lt;App&gt;" in page and "First <App>" not in page
    assert "Second App" in page
    for key in (world["a"].key, world["b"].key):
        m = revoke_form(page, key)
        assert m, key
        assert re.search(r'method="post"', m.group(0), re.I)
        assert find_csrf(m.group(0))
    assert r.headers.get("X-Frame-Options") == "DENY"


def test_connections_page_needs_login(server):
    with oauthkit.Browser(server) as b:
        r = b.get("/connections")
        assert r.status_code == 303
        assert r.headers["Location"].startswith("/login")


def test_portal_revoke(server, world):
    a, u = world["a"], world["u"]
    page = u.get("/connections").text
    csrf = find_csrf(revoke_form(page, a.key).group(0))
    # without a valid csrf_token: 403 and nothing revoked
    for data in ("", "csrf_token=forged", "csrf_token="):
        r = u.post(f"/connections/{a.key}/revoke", data=data, headers={
            "Content-Type": "application/x-www-form-urlencoded"})
        assert r.status_code == 403, (data, r.status_code)
    assert alive(server, world["fam1"]["access_token"])
    # another user's session cannot revoke my grant
    v = world["v"]
    vpage = v.get("/connections").text
    vcsrf = find_csrf(revoke_form(vpage, a.key).group(0))
    r = v.post(f"/connections/{world['b'].key}/revoke",
               data={"csrf_token": vcsrf})
    assert r.status_code == 404
    assert alive(server, world["b_tokens"]["access_token"])
    # the real thing
    r = u.post(f"/connections/{a.key}/revoke", data={"csrf_token": csrf})
    assert r.status_code == 303, r.status_code
    assert r.headers["Location"] in ("/connections", server.url("/connections"))
    family_dead(a, [world["fam1"]])
    family_dead(a, [world["fam2"]])
    assert not alive(server, world["imp"]["access_token"])
    page = u.get("/connections").text
    assert revoke_form(page, a.key) is None
    assert revoke_form(page, world["b"].key)
    assert authorize(u, auth_params(a)).status_code == 200
    assert alive(server, world["v_tokens"]["access_token"])


def test_portal_revoke_when_logged_out(server, world):
    a = world["a"]
    with oauthkit.Browser(server) as b:
        r = b.post(f"/connections/{a.key}/revoke", data={"csrf_token": "x"})
        # nobody logged in: off to log in, nothing revoked
        assert r.status_code == 303, r.status_code
        assert "/login" in r.headers["Location"], r.headers["Location"]
    assert alive(server, world["fam1"]["access_token"])


# --- app deletion and secrets -------------------------------------------------------

def test_deleting_an_app_revokes_its_tokens(server):
    a = make_app(server, implicit=True)
    keep = make_app(server)
    u = User(server, "conn-del")
    t = get_tokens(u, a)
    imp = implicit_token(u, a)
    k = get_tokens(u, keep)
    code, _, _ = oauthkit.get_code(u, a)
    assert delete_app(server, a.dev.pat, a.key).status_code == 204
    assert not alive(server, t["access_token"])
    assert not alive(server, imp["access_token"])
    r = refresh(a, t["refresh_token"])
    assert r.status_code == 401, r.text
    assert r.json()["error"] in ("invalid_grant", "invalid_client")
    r = oauthkit.exchange(a, code)
    assert r.status_code == 401 and "access_token" not in r.json()
    assert a.key not in by_key(connections(server, u.pat))
    assert alive(server, k["access_token"])


def test_a_new_secret_replaces_the_old_one_at_once(server):
    a = make_app(server)
    u = User(server, "conn-sec")
    t = get_tokens(u, a)
    old = a.secret
    new = a.new_secret()
    assert new != old
    code, _, _ = oauthkit.get_code(u, a)
    r = oauthkit.post(server, "/oauth2/token",
                      [("grant_type", "refresh_token"),
                       ("refresh_token", t["refresh_token"])],
                      {"Authorization": oauthkit.basic_client(a.key, old)})
    token_error(r, "invalid_client", 401)
    r = oauthkit.post(server, "/oauth2/token",
                      [("grant_type", "authorization_code"), ("code", code),
                       ("redirect_uri", a.redirect_uri), ("client_id", a.key),
                       ("client_secret", old)])
    token_error(r, "invalid_client", 401)
    r = oauthkit.post(server, "/oauth2/introspect", [("token", t["access_token"])],
                      {"Authorization": oauthkit.basic_client(a.key, old)})
    token_error(r, "invalid_client", 401)
    tokens_ok(refresh(a, t["refresh_token"]))


def test_public_client_gaining_a_secret_must_use_it(server):
    a = make_app(server, secret=False)
    u = User(server, "conn-pub")
    approve(u, a, challenge=pkce_pair()[1])
    a.new_secret()
    code, verifier, _ = oauthkit.get_code(u, a, pkce=True)
    token_error(oauthkit.exchange(a, code, verifier=verifier, auth="none"),
                "invalid_client", 401)
