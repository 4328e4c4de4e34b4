"""Interoperability: the server flow, a refresh and an API call driven by
two unmodified client libraries from Debian (python3-requests-oauthlib,
python3-authlib); only the browser part (log in, allow) is ours. The
endpoints come from the server's RFC 8414 metadata."""

from urllib.parse import urlsplit

import pytest
import requests

import oauthkit
from oauthkit import REDIRECT, User, grant_form, make_app, submit_grant

requests_oauthlib = pytest.importorskip("requests_oauthlib")
authlib_client = pytest.importorskip("authlib.integrations.requests_client")

server = oauthkit.module_server()

SCOPE = ["account_read", "contact_data"]


@pytest.fixture(autouse=True)
def plain_http_on_loopback(monkeypatch):
    """Both libraries refuse http:// unless told; the test server is plain
    HTTP on 127.0.0.1."""
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
    monkeypatch.setenv("AUTHLIB_INSECURE_TRANSPORT", "1")


@pytest.fixture(scope="module")
def meta(server):
    r = requests.get(server.url("/.well-known/oauth-authorization-server"),
                     timeout=10)
    assert r.status_code == 200
    return r.json()


def browse(user, url):
    """The user's browser at the library's authorization URL: logs in via
    the detour, allows on the Grant page; returns the redirect URL (the
    one the library's client would receive)."""
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == user.server.base, url
    path = parts.path + "?" + parts.query
    r = user.get(path)
    if r.status_code in (302, 303) and \
            urlsplit(r.headers["Location"]).path == "/login":
        assert user.login(user.email, user.password, next=path).status_code == 303
        r = user.get(path)
    assert r.status_code == 200, (r.status_code, r.headers.get("Location"))
    grant_form(r.text)
    r = submit_grant(user, r.text, "allow")
    assert r.status_code == 303, r.status_code
    loc = r.headers["Location"]
    assert loc.startswith(REDIRECT + "?"), loc
    return loc


def check_account(server, user, session, meta):
    r = session.get(server.url("/v3/account/summary"), timeout=10)
    assert r.status_code == 200, (r.status_code, r.text)
    assert r.json()["email"] == user.email
    r = session.get(server.url("/oauth2/check"), timeout=10)
    assert r.status_code == 200
    assert set(r.headers["X-Keygate-Scope"].split()) == set(SCOPE)


# --- requests-oauthlib (oauthlib) -------------------------------------------------

def test_requests_oauthlib_confidential_client(server, meta):
    app = make_app(server)
    user = User(server, "rol", login=False)
    s = requests_oauthlib.OAuth2Session(app.key, redirect_uri=REDIRECT,
                                        scope=SCOPE)
    url, state = s.authorization_url(meta["authorization_endpoint"])
    loc = browse(user, url)
    token = s.fetch_token(meta["token_endpoint"], authorization_response=loc,
                          client_secret=app.secret)
    assert token["token_type"] == "Bearer"
    assert token["access_token"].startswith("kg_at_")
    assert set(token["scope"]) == set(SCOPE)
    check_account(server, user, s, meta)
    first = dict(token)
    new = s.refresh_token(meta["token_endpoint"], client_id=app.key,
                          client_secret=app.secret)
    assert new["access_token"] != first["access_token"]
    assert new["refresh_token"] != first["refresh_token"]
    check_account(server, user, s, meta)
    # the library's refresh was a real rotation
    oauthkit.refresh_refused(app, first["refresh_token"])


def test_requests_oauthlib_public_client_with_pkce(server, meta):
    """requests-oauthlib 1.3 has no pkce= switch; oauthlib itself takes
    code_challenge and code_verifier as parameters."""
    app = make_app(server, secret=False)
    user = User(server, "rolp")
    verifier, challenge = oauthkit.pkce_pair()
    s = requests_oauthlib.OAuth2Session(app.key, redirect_uri=REDIRECT,
                                        scope=SCOPE)
    url, state = s.authorization_url(meta["authorization_endpoint"],
                                     code_challenge=challenge,
                                     code_challenge_method="S256")
    loc = browse(user, url)
    s.fetch_token(meta["token_endpoint"], authorization_response=loc,
                  include_client_id=True, code_verifier=verifier)
    check_account(server, user, s, meta)
    s.refresh_token(meta["token_endpoint"], client_id=app.key)
    check_account(server, user, s, meta)


# --- authlib ----------------------------------------------------------------------

@pytest.mark.parametrize("auth_method", ["client_secret_basic",
                                         "client_secret_post"])
def test_authlib_with_pkce(server, meta, auth_method):
    app = make_app(server)
    user = User(server, "authlib", login=False)
    s = authlib_client.OAuth2Session(
        app.key, app.secret, scope=" ".join(SCOPE), redirect_uri=REDIRECT,
        code_challenge_method="S256", token_endpoint_auth_method=auth_method)
    verifier = oauthkit.pkce_pair()[0]
    url, state = s.create_authorization_url(meta["authorization_endpoint"],
                                            code_verifier=verifier)
    assert "code_challenge=" in url and "code_challenge_method=S256" in url
    loc = browse(user, url)
    token = s.fetch_token(meta["token_endpoint"], authorization_response=loc,
                          code_verifier=verifier)
    assert token["access_token"].startswith("kg_at_")
    check_account(server, user, s, meta)
    first = dict(token)
    new = s.refresh_token(meta["token_endpoint"])
    assert new["refresh_token"] != first["refresh_token"]
    check_account(server, user, s, meta)
    oauthkit.refresh_refused(app, first["refresh_token"])
    # and the library's revocation call ends the family
    s.revoke_token(meta["revocation_endpoint"], token=new["refresh_token"],
                   token_type_hint="refresh_token")
    r = s.get(server.url("/v3/account/summary"), timeout=10)
    assert r.status_code == 401


def test_authlib_public_client(server, meta):
    app = make_app(server, secret=False)
    user = User(server, "authlibp")
    s = authlib_client.OAuth2Session(
        app.key, scope=" ".join(SCOPE), redirect_uri=REDIRECT,
        code_challenge_method="S256", token_endpoint_auth_method="none")
    verifier = oauthkit.pkce_pair()[0]
    url, _ = s.create_authorization_url(meta["authorization_endpoint"],
                                        code_verifier=verifier)
    loc = browse(user, url)
    s.fetch_token(meta["token_endpoint"], authorization_response=loc,
                  code_verifier=verifier)
    check_account(server, user, s, meta)
    s.refresh_token(meta["token_endpoint"])
    check_account(server, user, s, meta)
