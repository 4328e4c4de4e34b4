"""GET /.well-known/openid-configuration (OpenID Connect Discovery 1.0 §3,
§4; docs/REFERENCE.md §14.4): the RFC 8414 document of §3.1 plus the OpenID
Provider's fields, issuer byte for byte the --issuer, and every URL in it
served here."""

import requests

import oauthkit
from oauthkit import SCOPES

server = oauthkit.module_server()

OIDC = "/.well-known/openid-configuration"
RFC8414 = "/.well-known/oauth-authorization-server"


def doc(server, path=OIDC):
    r = requests.get(server.url(path), timeout=10)
    assert r.status_code == 200, (r.status_code, r.text)
    assert r.headers["Content-Type"].startswith("application/json")
    return r.json()


def test_required_members(server):
    """Discovery §3's REQUIRED members, and what keygate offers."""
    m = doc(server)
    base = server.base
    assert m["issuer"] == base
    assert m["authorization_endpoint"] == base + "/oauth2/authorize"
    assert m["token_endpoint"] == base + "/oauth2/token"
    assert m["userinfo_endpoint"] == base + "/oauth2/userinfo"
    assert m["jwks_uri"] == base + "/oauth2/jwks"
    assert m["end_session_endpoint"] == base + "/oauth2/logout"
    assert "code" in m["response_types_supported"]
    assert m["subject_types_supported"] == ["public"]
    assert m["id_token_signing_alg_values_supported"] == \
        ["RS256", "ES256", "EdDSA"]
    assert "openid" in m["scopes_supported"]
    assert {"openid", "email", "profile"} <= set(m["scopes_supported"])
    assert sorted(m["scopes_supported"]) == sorted(SCOPES)
    for claim in ("iss", "sub", "aud", "exp", "iat", "auth_time", "nonce",
                  "at_hash", "amr", "email", "email_verified"):
        assert claim in m["claims_supported"], claim
    assert "none" not in m["id_token_signing_alg_values_supported"]


def test_the_same_document_as_rfc8414_plus_the_oidc_fields(server):
    oidc, oauth = doc(server), doc(server, RFC8414)
    for k, v in oauth.items():
        assert oidc[k] == v, k
    # docs/REFERENCE.md §3.1: the RFC 8414 document lists these too
    for k in ("jwks_uri", "userinfo_endpoint", "end_session_endpoint"):
        assert oauth[k] == oidc[k], k
    for k in ("subject_types_supported",
              "id_token_signing_alg_values_supported", "claims_supported"):
        assert k in oidc and k not in oauth, k


def test_issuer_is_the_flag_byte_for_byte(make_server):
    iss = "https://Auth.Example.test:8443/tenant/id"
    m = doc(make_server("--issuer", iss))
    assert m["issuer"] == iss
    assert m["jwks_uri"] == iss + "/oauth2/jwks"
    assert m["userinfo_endpoint"] == iss + "/oauth2/userinfo"


def test_published_endpoints_answer(server):
    m = doc(server)
    r = requests.get(m["jwks_uri"], timeout=10)
    assert r.status_code == 200 and r.json()["keys"], r.text
    algs = {k["alg"] for k in r.json()["keys"]}
    assert set(m["id_token_signing_alg_values_supported"]) <= algs, algs
    r = requests.get(m["userinfo_endpoint"], timeout=10)
    assert r.status_code == 401, r.status_code
    r = requests.get(m["end_session_endpoint"], timeout=10,
                     allow_redirects=False)
    assert r.status_code == 200, r.status_code


def test_cacheable(server):
    r = requests.get(server.url(OIDC), timeout=10)
    assert "max-age" in r.headers.get("Cache-Control", ""), r.headers
