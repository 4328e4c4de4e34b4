"""RFC 9728 protected resource metadata for the built-in API at
/.well-known/oauth-protected-resource, and the resource_metadata parameter
of the bearer challenges (docs/REFERENCE.md §19, §3.6)."""

import requests

import kgtest
import oauthkit
from oauthkit import SCOPES, User, bearer, get_tokens, make_app

server = oauthkit.module_server()

PATH = "/.well-known/oauth-protected-resource"


def test_the_document(server):
    r = requests.get(server.url(PATH), timeout=10)
    assert r.status_code == 200, (r.status_code, r.text)
    assert r.headers["Content-Type"].startswith("application/json")
    assert "max-age" in r.headers.get("Cache-Control", "")
    m = r.json()
    # RFC 9728 §3.3: resource is the URL the document was fetched from,
    # the well-known part taken out: the issuer
    assert m["resource"] == server.issuer
    assert m["authorization_servers"] == [server.issuer]
    assert sorted(m["scopes_supported"]) == sorted(SCOPES)
    assert m["bearer_methods_supported"] == ["header"]
    assert sorted(m["dpop_signing_alg_values_supported"]) == \
        ["ES256", "EdDSA", "RS256"]
    assert m["dpop_bound_access_tokens_required"] is False
    assert m["resource_documentation"] == server.issuer + "/"
    assert m["resource_name"] == "keygate API"
    # the issuer's own metadata names the same authorization server
    am = requests.get(server.url("/.well-known/oauth-authorization-server"),
                      timeout=10).json()
    assert am["issuer"] in m["authorization_servers"]


def test_every_challenge_names_the_document(server):
    """No token, a bad token, the wrong scope: at /v3, /oauth2/check and
    /oauth2/userinfo each challenge carries resource_metadata, and that
    URL serves the document."""
    app = make_app(server)
    t = get_tokens(User(server), app, scope="contact_data")["access_token"]
    cases = [("/v3/account/summary", None, 401, None),
             ("/v3/account/summary", "nope", 401, "invalid_token"),
             ("/v3/account/summary", t, 403, "insufficient_scope"),
             ("/oauth2/check", None, 401, None),
             ("/oauth2/check", "nope", 401, "invalid_token"),
             ("/oauth2/userinfo", None, 401, None),
             ("/oauth2/userinfo", t, 403, "insufficient_scope")]
    for path, token, status, error in cases:
        headers = bearer(token) if token else {}
        r = requests.get(server.url(path), headers=headers, timeout=10)
        assert r.status_code == status, (path, r.status_code, r.text)
        www = r.headers.get("WWW-Authenticate", "")
        assert www == kgtest.challenge(server, error), (path, www)
    url = www.split('resource_metadata="')[1].rstrip('"')
    assert url == server.issuer + PATH
    assert requests.get(url, timeout=10).json()["resource"] == server.issuer
