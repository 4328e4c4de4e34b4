"""RFC 8414 metadata at /.well-known/oauth-authorization-server
(docs/REFERENCE.md §3.1)."""

import requests

import oauthkit
from oauthkit import SCOPES

server = oauthkit.module_server()

PATH = "/.well-known/oauth-authorization-server"


def metadata(server):
    r = requests.get(server.url(PATH), timeout=10)
    assert r.status_code == 200, (r.status_code, r.text)
    assert r.headers["Content-Type"].startswith("application/json")
    return r.json()


def test_metadata_members(server):
    m = metadata(server)
    base = server.base
    assert m["issuer"] == base
    assert m["authorization_endpoint"] == base + "/oauth2/authorize"
    assert m["token_endpoint"] == base + "/oauth2/token"
    assert m["revocation_endpoint"] == base + "/oauth2/revoke"
    assert m["introspection_endpoint"] == base + "/oauth2/introspect"
    assert sorted(m["response_types_supported"]) == ["code", "token"]
    assert sorted(m["grant_types_supported"]) == \
        ["authorization_code", "implicit", "refresh_token",
         "urn:ietf:params:oauth:grant-type:device_code"]
    assert m["authorization_response_iss_parameter_supported"] is True
    assert m["code_challenge_methods_supported"] == ["S256"]
    assert sorted(m["token_endpoint_auth_methods_supported"]) == \
        ["client_secret_basic", "client_secret_post", "none"]
    assert sorted(m["scopes_supported"]) == sorted(SCOPES)


def test_auth_methods_of_the_other_endpoints_are_the_token_endpoints(server):
    """Revocation and introspection take the same client authentication
    (docs/REFERENCE.md §3.4, §3.5); where the metadata names them, they
    agree."""
    m = metadata(server)
    want = sorted(m["token_endpoint_auth_methods_supported"])
    for k in ("revocation_endpoint_auth_methods_supported",
              "introspection_endpoint_auth_methods_supported"):
        if k in m:
            assert sorted(m[k]) == want, (k, m[k])


def test_published_endpoints_answer(server):
    """Each URL in the metadata is served by this server (not a 404)."""
    m = metadata(server)
    r = requests.get(m["authorization_endpoint"], timeout=10,
                     allow_redirects=False)
    assert r.status_code == 400, r.status_code       # no client_id
    for k in ("token_endpoint", "revocation_endpoint",
              "introspection_endpoint"):
        r = requests.post(m[k], data={"token": "x"}, timeout=10)
        assert r.status_code in (400, 401), (k, r.status_code, r.text)
        assert r.headers["Content-Type"].startswith("application/json"), k
        assert isinstance(r.json().get("error"), str), (k, r.text)


def test_metadata_follows_issuer_flag(make_server):
    srv = make_server("--issuer", "https://auth.example.test/id")
    m = metadata(srv)
    assert m["issuer"] == "https://auth.example.test/id"
    for k in ("authorization_endpoint", "token_endpoint",
              "revocation_endpoint", "introspection_endpoint"):
        assert m[k].startswith("https://auth.example.test/id/oauth2/"), m[k]


def test_default_issuer(make_server):
    m = metadata(make_server())
    assert m["issuer"] == "http://127.0.0.1:8080"
    assert m["token_endpoint"] == "http://127.0.0.1:8080/oauth2/token"


def test_metadata_is_read_only(server):
    r = requests.post(server.url(PATH), data={"a": "b"}, timeout=10)
    assert r.status_code == 405, r.status_code
