"""A revocation, a secret regeneration, an old secret revoked, an app deletion
and a grant withdrawal made on one node take effect on the other within one
second, whatever each node caches: before each change the other node has
just used the thing (a check, a client authentication, a remembered
consent), then it is polled for up to PROPAGATION_S and must have seen the
change.

Failed client authentications count against a per-address throttle
(20 per 15 minutes): each test here fails at most one or two."""

import re
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
import requests

from kgtest import bearer, delete_app, element_text, find_csrf
from mnkit import PROPAGATION_S, assert_within, on
from oauthkit import (User, alive, auth_params, authorize, basic_client,
                      family_dead, get_code, get_tokens, implicit_token,
                      introspection, make_app, post, refresh,
                      refresh_refused, revoke, token_error, tokens_ok)
import oauthkit

# A change must reach the other node within PROPAGATION_S (1 s): it polls
# every 100 ms, but a starved node or database can take longer.
pytestmark = pytest.mark.alone("a change seen within 1 s")


def dead(node, at):
    return lambda: not alive(node, at)


def inactive(app, token):
    return lambda: introspection(app, token) == {"active": False}


def connections(node, pat):
    r = requests.get(node.url("/api/v1/connections"), headers=bearer(pat),
                     timeout=10)
    assert r.status_code == 200, (r.status_code, r.text)
    return {c["api_key"]: c for c in r.json()}


def remembered(user, app):
    """True when an authorization request skips the Grant page (a
    redirect with a code), False when the page is shown."""
    r = authorize(user, auth_params(app))
    assert r.status_code in (200, 302, 303), (r.status_code, r.text[:300])
    if r.status_code == 200:
        oauthkit.grant_form(r.text)          # it is the Grant page
        return False
    return "code" in oauthkit.redirect_result(r, app.redirect_uri)


def test_access_token_revoked_on_a_dies_on_b(cluster):
    a, b = cluster.a, cluster.b
    app = make_app(a)
    user = User(a, "prop-rev")
    t = get_tokens(user, app)
    assert alive(b, t["access_token"])               # B has seen it valid
    assert revoke(on(app, a), t["access_token"]).status_code == 200
    assert_within(PROPAGATION_S, dead(b, t["access_token"]),
                  "access token revoked on A still valid on B")


def test_refresh_token_revoked_on_b_dies_on_a(cluster):
    a, b = cluster.a, cluster.b
    app = make_app(b)
    user = User(b, "prop-rt")
    t = get_tokens(user, app)                         # on B
    assert alive(a, t["access_token"])
    assert introspection(on(app, a), t["refresh_token"])["active"] is True
    assert revoke(on(app, b), t["refresh_token"]).status_code == 200
    assert_within(PROPAGATION_S, inactive(on(app, a), t["refresh_token"]),
                  "refresh token revoked on B still active on A")
    assert_within(PROPAGATION_S, dead(a, t["access_token"]),
                  "family revoked on B: its access token still valid on A")
    refresh_refused(on(app, a), t["refresh_token"])


def test_new_secret_on_a_invalidates_the_old_one_on_b(cluster):
    a, b = cluster.a, cluster.b
    app = make_app(a)
    user = User(a, "prop-sec")
    t = get_tokens(user, app)
    old = app.secret
    # B authenticates the app with its current secret (and may cache it)
    assert introspection(on(app, b), t["access_token"])["active"] is True
    new = app.new_secret()                            # on A, through the API
    assert new != old

    def old_refused():
        r = post(b, "/oauth2/introspect", [("token", t["access_token"])],
                 {"Authorization": basic_client(app.key, old)})
        assert r.status_code in (200, 401), (r.status_code, r.text)
        return r.status_code == 401

    assert_within(PROPAGATION_S, old_refused,
                  "secret regenerated on A: the old one still works on B")
    r = post(b, "/oauth2/token", [("grant_type", "refresh_token"),
                                  ("refresh_token", t["refresh_token"])],
             {"Authorization": basic_client(app.key, old)})
    token_error(r, "invalid_client", 401)
    # the new one works on B at once, the tokens live on
    assert introspection(on(app, b), t["access_token"])["active"] is True
    tokens_ok(refresh(on(app, b), t["refresh_token"]))


def test_old_secret_revoked_on_a_is_refused_on_b(cluster):
    """A rotation with an overlap keeps the old secret valid on every node
    (B has it in its client memo beside the new one); revoking it through A
    ends it on B too (docs/REFERENCE.md §16)."""
    a, b = cluster.a, cluster.b
    app = make_app(a)
    user = User(a, "prop-old")
    t = get_tokens(user, app)
    old = app.secret
    r = requests.post(a.url(f"/api/v1/apps/{app.key}/secret"),
                      headers=bearer(app.dev.pat), timeout=10,
                      json={"previous_valid_for": 3600})
    assert r.status_code == 201, (r.status_code, r.text)
    new = r.json()["secret"]

    def works(secret):
        r = post(b, "/oauth2/introspect", [("token", t["access_token"])],
                 {"Authorization": basic_client(app.key, secret)})
        assert r.status_code in (200, 401), (r.status_code, r.text)
        return r.status_code == 200

    assert_within(PROPAGATION_S, lambda: works(new),
                  "the new secret not taken on B")
    assert works(old), "the old secret kept for an hour: B takes it"
    r = requests.delete(a.url(f"/api/v1/apps/{app.key}/secrets/1"),
                        headers=bearer(app.dev.pat), timeout=10)
    assert r.status_code == 204, (r.status_code, r.text)
    assert_within(PROPAGATION_S, lambda: not works(old),
                  "old secret revoked on A: still works on B")
    assert works(new)
    app.secret = new
    tokens_ok(refresh(on(app, b), t["refresh_token"]))


def test_new_secret_in_the_portal_on_b_invalidates_the_old_one_on_a(
        cluster):
    a, b = cluster.a, cluster.b
    dev = User(a, "prop-psec")                 # a developer, in a browser
    app = make_app(a, dev=SimpleNamespace(server=a, pat=dev.pat))
    old = app.secret
    t = get_tokens(User(a, "prop-psec-user"), app)
    assert introspection(app, t["access_token"])["active"] is True   # A
    # Generate Secret: the confirmation page from A, posted to B...
    csrf = find_csrf(dev.get(f"/apps/{app.key}/secret").text)
    r = on(dev, b).post(f"/apps/{app.key}/secret",
                        data={"csrf_token": csrf})
    assert r.status_code == 303, (r.status_code, r.text[:300])
    assert urlsplit(r.headers["Location"]).path == \
        f"/apps/{app.key}/secret/new"
    # ...and the secret shown once by A
    r = dev.get(f"/apps/{app.key}/secret/new")
    assert r.status_code == 200, r.status_code
    new = element_text(r.text, "secret")
    assert new and new != old

    def old_refused():
        r = post(a, "/oauth2/introspect", [("token", t["access_token"])],
                 {"Authorization": basic_client(app.key, old)})
        assert r.status_code in (200, 401), (r.status_code, r.text)
        return r.status_code == 401

    assert_within(PROPAGATION_S, old_refused,
                  "secret regenerated on B: the old one still works on A")
    app.secret = new
    assert introspection(app, t["access_token"])["active"] is True


def test_app_deleted_on_a_is_gone_on_b(cluster):
    a, b = cluster.a, cluster.b
    app = make_app(a, implicit=True)
    keep = make_app(a, dev=app.dev)
    user = User(a, "prop-del")
    t = get_tokens(user, app)
    imp = implicit_token(user, app)
    k = get_tokens(user, keep)
    # B has just used all of it
    ub = on(user, b)
    assert alive(b, t["access_token"]) and alive(b, imp["access_token"])
    assert introspection(on(app, b), t["access_token"])["active"] is True
    assert remembered(ub, app)
    r = delete_app(a, app.dev.pat, app.key)
    assert r.status_code == 204, (r.status_code, r.text)
    assert_within(PROPAGATION_S, dead(b, t["access_token"]),
                  "app deleted on A: its access token still valid on B")
    assert not alive(b, imp["access_token"])
    # the app itself is unknown to B: API, authorize, token endpoint
    r = requests.get(b.url(f"/api/v1/apps/{app.key}"),
                     headers=bearer(app.dev.pat), timeout=10)
    assert r.status_code == 404, (r.status_code, r.text)
    r = authorize(ub, auth_params(app))
    assert r.status_code == 400 and "Location" not in r.headers, \
        (r.status_code, r.headers)
    r = refresh(on(app, b), t["refresh_token"])
    assert r.status_code in (400, 401), r.text
    assert r.json()["error"] in ("invalid_grant", "invalid_client")
    assert app.key not in connections(b, user.pat)
    # the developer's other app is untouched
    assert alive(b, k["access_token"])


def test_grant_withdrawn_on_a_ends_on_b(cluster):
    a, b = cluster.a, cluster.b
    app = make_app(a, implicit=True)
    user = User(a, "prop-grant")
    fam = get_tokens(user, app)
    imp = implicit_token(user, app)
    ub = on(user, b)
    assert alive(b, fam["access_token"]) and alive(b, imp["access_token"])
    assert remembered(ub, app)                        # consent, seen on B
    code, _, _ = get_code(ub, app)                    # a code from B
    r = requests.delete(a.url(f"/api/v1/connections/{app.key}"),
                        headers=bearer(user.pat), timeout=10)
    assert r.status_code == 204, (r.status_code, r.text)
    assert_within(PROPAGATION_S, dead(b, fam["access_token"]),
                  "grant withdrawn on A: its token still valid on B")
    assert not alive(b, imp["access_token"])
    assert introspection(on(app, b), fam["refresh_token"]) == \
        {"active": False}
    refresh_refused(on(app, b), fam["refresh_token"])
    assert app.key not in connections(b, user.pat)
    # the consent is forgotten on B: the Grant page again
    assert not remembered(ub, app)
    # a code issued under the withdrawn grant gets no tokens
    r = oauthkit.exchange(on(app, b), code)
    assert r.status_code == 400 and "access_token" not in r.json(), r.text


def test_grant_withdrawn_in_the_portal_on_b_ends_on_a(cluster):
    a, b = cluster.a, cluster.b
    app = make_app(b)
    user = User(b, "prop-pgrant")
    fam = get_tokens(user, app)                       # on B
    ua = on(user, a)
    assert alive(a, fam["access_token"])
    assert remembered(ua, app)
    # the Connected apps page served by A, its revoke form posted to B
    page = ua.get("/connections")
    assert page.status_code == 200, page.status_code
    m = re.search(
        r'<form\b[^>]*action="/connections/%s/revoke"[^>]*>.*?</form>'
        % re.escape(app.key), page.text, re.S)
    assert m, "no revoke form for the app on /connections"
    r = user.post(f"/connections/{app.key}/revoke",
                  data={"csrf_token": find_csrf(m.group(0))})
    assert r.status_code == 303, (r.status_code, r.text[:300])
    assert_within(PROPAGATION_S, dead(a, fam["access_token"]),
                  "grant withdrawn on B: its token still valid on A")
    family_dead(on(app, a), [fam])
    assert not remembered(ua, app)
