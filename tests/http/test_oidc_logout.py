"""GET|POST /oauth2/logout (OpenID Connect RP-Initiated Logout 1.0;
docs/REFERENCE.md §14.5): with an id_token_hint keygate signed and one of
its app's registered post_logout_redirect_uris, the browser session of the
hint's user ends and the browser goes back there with state; an unregistered
URI or a forged hint is a 400 page and never a redirect; without a hint
(or for someone else's session) a CSRF-protected page asks first. Only the
browser session ends: the app's tokens live on."""

import base64
import json
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

import oauthkit
from kgtest import Browser, find_csrf, logged_in_as
from oauthkit import (User, advance_to, alive, approve, clock, exchange,
                      make_app, tokens_ok)

server = oauthkit.module_server()

BYE = "https://rp.example.com/signed-out"
BYE_WITH_QUERY = "https://rp.example.com/out?tenant=7"


@pytest.fixture(scope="module")
def app(server):
    return make_app(server,
                    post_logout_redirect_uris=[BYE, BYE_WITH_QUERY])


def signed_in(server, app, prefix="lo"):
    """A user logged in to the portal, and the tokens (with an id_token) of
    an openid grant to app."""
    u = User(server, prefix)
    res, _ = approve(u, app, scope="openid")
    return u, tokens_ok(exchange(app, res["code"]))


def logout(b, method="GET", **params):
    if method == "GET":
        return b.get("/oauth2/logout?" + urlencode(params))
    return b.post("/oauth2/logout", data=params)


def session_alive(u):
    return logged_in_as(u.home(), u.email)


def refused(r):
    assert r.status_code == 400, (r.status_code, r.headers.get("Location"))
    assert "Location" not in r.headers, r.headers
    assert r.headers["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_hint_and_registered_uri_end_the_session_and_redirect(server, app,
                                                             method):
    u, t = signed_in(server, app)
    old_cookies = u.cookies.copy()
    r = logout(u, method, id_token_hint=t["id_token"],
               post_logout_redirect_uri=BYE, state="s t&1")
    assert r.status_code == 303, (r.status_code, r.text[:300])
    loc = urlsplit(r.headers["Location"])
    assert f"{loc.scheme}://{loc.netloc}{loc.path}" == BYE
    assert parse_qs(loc.query) == {"state": ["s t&1"]}
    assert not session_alive(u), "the session cookie was not cleared"
    # the old cookie names no session any more
    b = Browser(server)
    b.cookies.update(old_cookies)
    assert not logged_in_as(b.home(), u.email)
    # the app's tokens live on
    assert alive(server, t["access_token"])


def test_the_registered_uris_own_query_is_kept(server, app):
    u, t = signed_in(server, app)
    r = logout(u, id_token_hint=t["id_token"],
               post_logout_redirect_uri=BYE_WITH_QUERY, state="x")
    assert r.status_code == 303, r.status_code
    q = parse_qs(urlsplit(r.headers["Location"]).query)
    assert q == {"tenant": ["7"], "state": ["x"]}, q


def test_no_state_no_state(server, app):
    u, t = signed_in(server, app)
    r = logout(u, id_token_hint=t["id_token"], post_logout_redirect_uri=BYE)
    assert r.status_code == 303 and r.headers["Location"] == BYE


@pytest.mark.parametrize("uri", [
    "https://rp.example.com/elsewhere",
    BYE + "/",
    BYE + "?x=1",
    "https://evil.example/signed-out",
])
def test_an_unregistered_uri_is_a_400_and_no_redirect(server, app, uri):
    u, t = signed_in(server, app)
    refused(logout(u, id_token_hint=t["id_token"],
                   post_logout_redirect_uri=uri, state="s"))
    assert session_alive(u), "a refused request ended the session"


def test_another_apps_uri_is_refused(server, app):
    other = make_app(server, post_logout_redirect_uris=[
        "https://other.example.com/bye"])
    u, t = signed_in(server, app)
    refused(logout(u, id_token_hint=t["id_token"],
                   post_logout_redirect_uri="https://other.example.com/bye"))
    # nor may client_id name the other app against the hint
    refused(logout(u, id_token_hint=t["id_token"], client_id=other.key,
                   post_logout_redirect_uri="https://other.example.com/bye"))
    assert session_alive(u)


def forge(token):
    head, body, sig = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    claims["sub"] = str(int(claims["sub"]) + 1)
    body = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(
        b"=").decode()
    return ".".join([head, body, sig])


@pytest.mark.parametrize("hint", ["forged", "garbage", "unsigned"])
def test_a_forged_hint_is_refused(server, app, hint):
    u, t = signed_in(server, app)
    token = {"forged": forge(t["id_token"]), "garbage": "a.b.c",
             "unsigned": t["id_token"].rsplit(".", 1)[0] + "."}[hint]
    refused(logout(u, id_token_hint=token, post_logout_redirect_uri=BYE))
    assert session_alive(u)


def test_an_expired_hint_is_still_a_hint(server, app):
    u, t = signed_in(server, app)
    advance_to(server, clock(server) + 3600)    # exp was 10 minutes
    r = logout(u, id_token_hint=t["id_token"], post_logout_redirect_uri=BYE)
    assert r.status_code == 303, (r.status_code, r.text[:300])
    assert not session_alive(u)


def test_client_id_must_be_the_hints_audience(server, app):
    u, t = signed_in(server, app)
    refused(logout(u, id_token_hint=t["id_token"], client_id="kg_ak_other",
                   post_logout_redirect_uri=BYE))
    assert session_alive(u)
    r = logout(u, id_token_hint=t["id_token"], client_id=app.key,
               post_logout_redirect_uri=BYE)
    assert r.status_code == 303, r.status_code


def confirmation_form(page):
    assert "Log out of keygate?" in page, page[:500]
    assert 'action="/oauth2/logout"' in page
    return find_csrf(page)


def test_without_a_hint_a_page_asks_first(server, app):
    u, _ = signed_in(server, app)
    r = logout(u, client_id=app.key, post_logout_redirect_uri=BYE, state="k")
    assert r.status_code == 200, (r.status_code, r.text[:300])
    csrf = confirmation_form(r.text)
    assert session_alive(u), "asking ended nothing"
    # the form, posted with its token: logged out, then the redirect
    r = u.post("/oauth2/logout", data={
        "csrf_token": csrf, "client_id": app.key,
        "post_logout_redirect_uri": BYE, "state": "k",
        "id_token_hint": ""})
    assert r.status_code == 303, (r.status_code, r.text[:300])
    assert r.headers["Location"] == BYE + "?state=k"
    assert not session_alive(u)


def test_the_confirmation_needs_its_csrf_token(server, app):
    u, _ = signed_in(server, app)
    r = logout(u)
    confirmation_form(r.text)
    r = u.post("/oauth2/logout", data={"csrf_token": "wrong"})
    assert r.status_code == 403, r.status_code
    assert session_alive(u)
    # another browser's token is no better
    v, _ = signed_in(server, app, "lo2")
    theirs = confirmation_form(logout(v).text)
    r = u.post("/oauth2/logout", data={"csrf_token": theirs})
    assert r.status_code == 403, r.status_code
    assert session_alive(u)


def test_without_a_uri_the_page_says_logged_out(server, app):
    u, _ = signed_in(server, app)
    csrf = confirmation_form(logout(u).text)
    r = u.post("/oauth2/logout", data={"csrf_token": csrf})
    assert r.status_code == 200, r.status_code
    assert "You are logged out" in r.text
    assert not session_alive(u)


def test_someone_elses_hint_asks_and_ends_nothing(server, app):
    u, _ = signed_in(server, app, "lo-me")
    _, theirs = signed_in(server, app, "lo-them")
    r = logout(u, id_token_hint=theirs["id_token"],
               post_logout_redirect_uri=BYE)
    assert r.status_code == 200, (r.status_code, r.headers.get("Location"))
    confirmation_form(r.text)
    assert session_alive(u)


def test_without_a_session_it_goes_straight_back(server, app):
    _, t = signed_in(server, app)
    b = Browser(server)
    r = logout(b, id_token_hint=t["id_token"], post_logout_redirect_uri=BYE,
               state="q")
    assert r.status_code == 303 and r.headers["Location"] == BYE + "?state=q"
    r = logout(b)
    assert r.status_code == 200 and "You are logged out" in r.text


def test_a_uri_without_hint_or_client_id_is_refused(server, app):
    u, _ = signed_in(server, app)
    refused(logout(u, post_logout_redirect_uri=BYE))
    assert session_alive(u)


def test_a_hint_issued_by_another_issuer_is_refused(server, app, tmp_path):
    """A hint signed with this store's key by a keygate serving another
    issuer (one key set, two --issuer values) is no hint here: the
    signature alone does not make it this issuer's."""
    import kgtest
    other = kgtest.start_server(tmp_path, "--issuer", "http://other.example",
                                db=server.db)
    try:
        elsewhere, t = signed_in(other, app.__class__(
            other, app.dev, app.json, app.secret), "lo-other")
    finally:
        other.stop()
    head, body, _ = t["id_token"].split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    assert claims["iss"] == "http://other.example", claims
    u, _ = signed_in(server, app)
    refused(logout(u, id_token_hint=t["id_token"],
                   post_logout_redirect_uri=BYE))
    assert session_alive(u)
