"""Dynamic client registration, POST /oauth2/register (RFC 7591;
docs/REFERENCE.md §22.3): a personal access token registers an app of its
account, confidential (its secret shown once) or public; the app works at
the token endpoint, shows in the owner's portal, API and events; every
refused registration stores nothing. Under --open-registration anyone
registers a public client with loopback or private-use redirect URIs,
throttled per address by --signup-rate; the operator lists and deletes
such apps with `keygate app`."""

import json
import time
from urllib.parse import urlsplit

import pytest
import requests

import kgtest
import oauthkit
from oauthkit import User

server = oauthkit.module_server()

OPEN_OWNER = "open-registration@keygate.invalid"
WEB = "https://client.example.org/cb"


def register(server, body, token=None, headers=None, data=None):
    h = dict(headers or {})
    if token is not None:
        h["Authorization"] = f"Bearer {token}"
    if data is None:
        return requests.post(server.url("/oauth2/register"), json=body,
                             headers=h, timeout=10)
    h.setdefault("Content-Type", "application/json")
    return requests.post(server.url("/oauth2/register"), data=data,
                         headers=h, timeout=10)


def registered(r):
    assert r.status_code == 201, (r.status_code, r.text)
    assert r.headers["Content-Type"].startswith("application/json")
    assert "no-store" in r.headers.get("Cache-Control", ""), r.headers
    return r.json()


def refused(r, error, status=400):
    assert r.status_code == status, (r.status_code, r.text)
    j = r.json()
    assert j["error"] == error, j
    assert isinstance(j.get("error_description"), str), j
    assert "no-store" in r.headers.get("Cache-Control", ""), r.headers
    return j


def all_apps(server, email=None):
    """Every app in the store, by the operator's command."""
    args = ["app", "list", "--json", "--db", server.db]
    if email is not None:
        args += ["--email", email]
    p = kgtest.run_cli(*args)
    if email is not None and p.returncode == 1 and "no account" in p.stderr:
        return []       # the open registrations' owner is not made yet
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout)


class Registered:
    """A registered client as oauthkit's App, for its flows."""

    def __init__(self, server, j, redirect_uri=None):
        self.server = server
        self.json = j
        self.key = j["client_id"]
        self.secret = j.get("client_secret")
        self.redirect_uri = redirect_uri or j["redirect_uris"][0]

    @property
    def public(self):
        return self.secret is None


@pytest.fixture(scope="module")
def dev(server):
    return oauthkit.Dev(server)


def test_metadata_lists_the_registration_endpoint(server):
    for path in ("/.well-known/oauth-authorization-server",
                 "/.well-known/openid-configuration"):
        doc = requests.get(server.url(path), timeout=10).json()
        assert doc["registration_endpoint"] == \
            server.url("/oauth2/register"), doc


def test_confidential_registration_and_its_code_flow(server, dev):
    j = registered(register(server, {
        "client_name": "Rocket Notes", "redirect_uris": [WEB],
        "logo_uri": "https://client.example.org/logo.png",
        "client_uri": "https://client.example.org/",
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "token_endpoint_auth_method": "client_secret_basic",
        "scope": "openid account_read", "software_id": "ignored"},
        dev.pat))
    assert j["client_id"].startswith("kg_ak_"), j
    assert j["client_secret"].startswith("kg_sk_"), j
    assert j["client_secret_expires_at"] == 0, j
    assert abs(j["client_id_issued_at"] - oauthkit.clock(server)) < 5, j
    assert j["client_name"] == "Rocket Notes"
    assert j["redirect_uris"] == [WEB]
    assert j["logo_uri"] == "https://client.example.org/logo.png"
    assert j["grant_types"] == ["authorization_code", "refresh_token"]
    assert j["response_types"] == ["code"]
    assert j["token_endpoint_auth_method"] == "client_secret_basic"
    assert j["scope"] == "account_read openid"
    # ignored members are not said to be registered
    assert "client_uri" not in j and "software_id" not in j, j

    app = Registered(server, j)
    user = User(server, "reg-user")
    for auth in ("basic", "post"):
        toks = oauthkit.get_tokens(user, app, auth=auth)
        assert oauthkit.check(server, toks["access_token"]).status_code \
            == 200
    oauthkit.token_error(oauthkit.exchange(
        app, "kg_ac_nothing", auth="none"), "invalid_client", 401)

    # the owner's app, in the API, the portal and the events
    a = kgtest.app_json(server, dev.pat, j["client_id"])
    assert a["name"] == "Rocket Notes" and a["public_name"] == \
        "Rocket Notes" and a["has_secret"] is True, a
    owner = kgtest.Browser(server)
    assert owner.login(dev.email, dev.password).status_code == 303
    page = owner.get("/apps").text
    assert "Rocket Notes" in page and j["client_id"] in page
    ev = requests.get(server.url("/api/v1/events"),
                      headers=kgtest.bearer(dev.pat), timeout=10).json()
    made = [e for e in ev if e["kind"] == "app_created" and
            e.get("app") == j["client_id"]]
    assert made and made[0]["detail"].get("via") == "registration", ev


def test_public_registration_needs_pkce(server, dev):
    loop = "http://127.0.0.1/cb"
    j = registered(register(server, {
        "client_name": "Pocket CLI", "redirect_uris": [loop],
        "token_endpoint_auth_method": "none"}, dev.pat))
    assert "client_secret" not in j and \
        "client_secret_expires_at" not in j, j
    assert j["token_endpoint_auth_method"] == "none"
    assert j["grant_types"] == ["authorization_code", "refresh_token"]
    app = Registered(server, j, "http://127.0.0.1:43123/cb")
    user = User(server, "reg-pub")
    toks = oauthkit.get_tokens(user, app)       # PKCE, loopback port
    assert toks["access_token"].startswith("kg_at_")
    res, _ = oauthkit.approve(user, app)        # no PKCE
    assert res.get("error") == "invalid_request", res
    assert kgtest.app_json(server, dev.pat, j["client_id"])[
        "has_secret"] is False


def test_flows_turn_on_their_switches(server, dev):
    j = registered(register(server, {
        "client_name": "Both Ways", "redirect_uris": [WEB],
        "grant_types": ["authorization_code", "implicit",
                        "urn:ietf:params:oauth:grant-type:device_code"],
        "response_types": ["code", "token"]}, dev.pat))
    a = kgtest.app_json(server, dev.pat, j["client_id"])
    assert a["implicit_flow"] is True and a["device_flow"] is True, a
    # a device client needs no redirect URI
    for uris in (None, []):
        body = {"client_name": "TV", "token_endpoint_auth_method": "none",
                "grant_types":
                    ["urn:ietf:params:oauth:grant-type:device_code"]}
        if uris is not None:
            body["redirect_uris"] = uris
        j = registered(register(server, body, dev.pat))
        assert j["response_types"] == [] and j["redirect_uris"] == [], j
        a = kgtest.app_json(server, dev.pat, j["client_id"])
        assert a["device_flow"] is True and a["implicit_flow"] is False, a


BAD = [
    ({"client_name": "X", "redirect_uris": ["http://evil.example/cb"]},
     "invalid_redirect_uri"),
    ({"client_name": "X", "redirect_uris": [WEB + "#frag"]},
     "invalid_redirect_uri"),
    ({"client_name": "X"}, "invalid_redirect_uri"),
    ({"client_name": "X", "redirect_uris": []}, "invalid_redirect_uri"),
    ({"client_name": "X", "redirect_uris": WEB}, "invalid_client_metadata"),
    ({"client_name": "X", "redirect_uris": [WEB, 7]},
     "invalid_client_metadata"),
    ({"client_name": 7, "redirect_uris": [WEB]}, "invalid_client_metadata"),
    ({"client_name": "", "redirect_uris": [WEB]}, "invalid_client_metadata"),
    ({"client_name": "Keygate Login", "redirect_uris": [WEB]},
     "invalid_client_metadata"),
    ({"client_name": "K\u0435ygate", "redirect_uris": [WEB]},
     "invalid_client_metadata"),
    ({"client_name": "X", "redirect_uris": [WEB],
      "token_endpoint_auth_method": "private_key_jwt"},
     "invalid_client_metadata"),
    ({"client_name": "X", "redirect_uris": [WEB],
      "token_endpoint_auth_method": ["none"]}, "invalid_client_metadata"),
    ({"client_name": "X", "redirect_uris": [WEB],
      "grant_types": ["client_credentials"]}, "invalid_client_metadata"),
    ({"client_name": "X", "redirect_uris": [WEB],
      "grant_types": "authorization_code"}, "invalid_client_metadata"),
    ({"client_name": "X", "redirect_uris": [WEB],
      "response_types": ["token"]}, "invalid_client_metadata"),
    ({"client_name": "X", "redirect_uris": [WEB],
      "grant_types": ["refresh_token"]}, "invalid_client_metadata"),
    ({"client_name": "X", "redirect_uris": [WEB], "response_types": ["code"],
      "grant_types": ["urn:ietf:params:oauth:grant-type:device_code"]},
     "invalid_client_metadata"),
    ({"client_name": "X", "redirect_uris": [WEB],
      "scope": "account_read admin"}, "invalid_client_metadata"),
    ({"client_name": "X", "redirect_uris": [WEB], "scope": 3},
     "invalid_client_metadata"),
    ({"client_name": "X", "redirect_uris": [WEB],
      "logo_uri": "http://client.example.org/l.png"},
     "invalid_client_metadata"),
    ({"client_name": "X", "redirect_uris": [WEB],
      "dpop_bound_access_tokens": "yes"}, "invalid_client_metadata"),
    ({"client_name": "X", "redirect_uris": [WEB],
      "id_token_signed_response_alg": "none"}, "invalid_client_metadata"),
]


@pytest.mark.parametrize("body,error", BAD)
def test_bad_metadata_stores_nothing(make_server, body, error):
    srv = oauthkit.oauth_server(make_server)
    d = oauthkit.Dev(srv)
    refused(register(srv, body, d.pat), error)
    assert all_apps(srv) == []


@pytest.mark.parametrize("data,ctype", [
    (b'{"client_name": "X", "redirect_uris": [', None),
    (b'["https://client.example.org/cb"]', None),
    (b'{"client_name": "X", "client_name": "Y", "redirect_uris": []}', None),
    (b'{"client_name": "\xff\xfe", "redirect_uris": '
     b'["https://client.example.org/cb"]}', None),
    (json.dumps({"client_name": "X", "redirect_uris": [WEB],
                 "pad": "x" * 20000}).encode(), None),
    (json.dumps({"client_name": "X", "redirect_uris": [WEB]}).encode(),
     "text/plain"),
])
def test_bad_bodies_store_nothing(make_server, data, ctype):
    srv = oauthkit.oauth_server(make_server)
    d = oauthkit.Dev(srv)
    refused(register(srv, None, d.pat, data=data,
                     headers={"Content-Type": ctype} if ctype else None),
            "invalid_client_metadata")
    # past the server's own cap the answer comes before any handler
    r = register(srv, None, d.pat, data=b"{" + b" " * 70000 + b"}")
    assert r.status_code == 413, r.status_code
    assert all_apps(srv) == []


def test_tokens_refused(make_server):
    srv = oauthkit.oauth_server(make_server)
    d = oauthkit.Dev(srv)
    body = {"client_name": "X", "redirect_uris": [WEB]}
    r = register(srv, body)
    refused(r, "invalid_token", 401)
    assert r.headers["WWW-Authenticate"].startswith("Bearer"), r.headers
    assert "error=" not in r.headers["WWW-Authenticate"]
    for token in ("kg_pat_" + "A" * 43, "", "x y"):
        r = register(srv, body, token)
        refused(r, "invalid_token", 401)
        assert 'error="invalid_token"' in r.headers["WWW-Authenticate"]
    r = register(srv, body, headers={"Authorization": "Basic eDp5"})
    refused(r, "invalid_token", 401)
    pats = kgtest.list_pats(srv, d.pat).json()
    r = requests.delete(srv.url(f"/api/v1/access-tokens/{pats[0]['id']}"),
                        headers=kgtest.bearer(d.pat), timeout=10)
    assert r.status_code == 204, r.text
    refused(register(srv, body, d.pat), "invalid_token", 401)
    assert all_apps(srv) == []


def test_open_registration_is_off_by_default(server):
    before = len(all_apps(server))
    r = register(server, {"redirect_uris": ["http://127.0.0.1/cb"],
                          "token_endpoint_auth_method": "none"})
    refused(r, "invalid_token", 401)
    assert len(all_apps(server)) == before


@pytest.fixture(scope="module")
def open_server(tmp_path_factory):
    srv = kgtest.start_server(tmp_path_factory.mktemp("keygate"),
                              "--open-registration", issuer=True)
    yield srv
    assert srv.stop() == 0, srv.log()[-4000:]


def test_open_registration_registers_public_clients(open_server):
    srv = open_server
    j = registered(register(srv, {
        "client_name": "Desk Tool",
        "redirect_uris": ["http://127.0.0.1/cb", "http://[::1]/cb",
                          "http://localhost:8765/cb",
                          "com.example.desk:/cb"]}))
    assert j["token_endpoint_auth_method"] == "none", j
    assert "client_secret" not in j, j
    # the operator sees it, under the reserved owner
    listed = all_apps(srv, OPEN_OWNER)
    assert [a["api_key"] for a in listed] == [j["client_id"]], listed
    # it works, with PKCE, at any loopback port
    app = Registered(srv, j, "http://127.0.0.1:50123/cb")
    user = User(srv, "open-user")
    assert oauthkit.get_tokens(user, app)["access_token"]
    res, _ = oauthkit.approve(user, app)
    assert res.get("error") == "invalid_request", res
    # and the operator deletes it
    p = kgtest.run_cli("app", "delete", j["client_id"], "--db", srv.db)
    assert p.returncode == 0, p.stderr
    assert all_apps(srv, OPEN_OWNER) == []
    # the server sees another process's change within its keeper's poll
    # (100 ms: docs/ARCHITECTURE.md)
    for _ in range(50):
        r = oauthkit.exchange(app, "kg_ac_x", auth="none")
        if r.status_code == 401:
            break
        time.sleep(0.1)
    oauthkit.token_error(r, "invalid_client", 401)
    # no one signs up as the owner, nor logs in as it
    r = kgtest.signup(srv, OPEN_OWNER)
    assert r.status_code == 422, r.text
    b = kgtest.Browser(srv)
    assert b.login(OPEN_OWNER, "!").status_code != 303


@pytest.mark.parametrize("body,error", [
    ({"redirect_uris": ["http://127.0.0.1/cb"],
      "token_endpoint_auth_method": "client_secret_basic"},
     "invalid_client_metadata"),
    ({"redirect_uris": ["http://127.0.0.1/cb"],
      "token_endpoint_auth_method": "client_secret_post"},
     "invalid_client_metadata"),
    ({"redirect_uris": [WEB]}, "invalid_redirect_uri"),
    ({"redirect_uris": ["http://127.0.0.1/cb", "HTTPS://x.example/cb"]},
     "invalid_redirect_uri"),
    ({"redirect_uris": ["http://192.168.1.5/cb"]}, "invalid_redirect_uri"),
    ({"redirect_uris": ["myapp:/cb"]}, "invalid_redirect_uri"),
    ({"redirect_uris": ["http://127.0.0.1/cb"],
      "grant_types": ["authorization_code", "implicit"],
      "response_types": ["code", "token"]}, "invalid_client_metadata"),
    ({"client_name": "keygate helper",
      "redirect_uris": ["http://127.0.0.1/cb"]}, "invalid_client_metadata"),
])
def test_open_registration_limits(open_server, body, error):
    before = all_apps(open_server, OPEN_OWNER)
    refused(register(open_server, body), error)
    assert all_apps(open_server, OPEN_OWNER) == before


def test_open_registration_with_a_token_is_the_accounts(open_server):
    d = oauthkit.Dev(open_server)
    j = registered(register(open_server, {
        "client_name": "Mine", "redirect_uris": [WEB]}, d.pat))
    assert j["client_secret"]
    assert [a["api_key"] for a in kgtest.list_apps(open_server, d.pat)
            .json()] == [j["client_id"]]


def test_open_registration_is_throttled(make_server):
    srv = oauthkit.oauth_server(make_server, "--open-registration",
                                "--signup-rate", "3")
    body = {"redirect_uris": ["http://127.0.0.1/cb"]}
    made = [registered(register(srv, body)) for _ in range(2)]
    refused(register(srv, dict(body, redirect_uris=[WEB])),
            "invalid_redirect_uri")         # refused ones count too
    r = register(srv, body)
    refused(r, "too_many_requests", 429)
    assert 3000 < int(r.headers["Retry-After"]) <= 3600, r.headers
    assert len(all_apps(srv, OPEN_OWNER)) == len(made)
    # a token's registration is not the open one's
    d = oauthkit.Dev(srv)
    registered(register(srv, {"redirect_uris": [WEB]}, d.pat))


def test_open_owner_disabled_deleted_and_reserved(make_server):
    """The operator's kill switch and clean sweep: disabling the owner
    closes open registration (and its clients); deleting it removes every
    openly registered app, and the next registration makes the owner
    again, which no sign-up can take meanwhile."""
    srv = oauthkit.oauth_server(make_server, "--open-registration")
    body = {"redirect_uris": ["http://127.0.0.1/cb"]}
    registered(register(srv, body))
    for verb in ("disable", "enable"):
        p = kgtest.run_cli("account", verb, OPEN_OWNER, "--db", srv.db)
        assert p.returncode == 0, p.stderr
        if verb == "disable":
            refused(register(srv, body), "access_denied", 403)
    p = kgtest.run_cli("account", "delete", OPEN_OWNER, "--yes",
                       "--db", srv.db)
    assert p.returncode == 0, p.stderr
    assert all_apps(srv) == []
    r = kgtest.signup(srv, OPEN_OWNER.upper())
    assert r.status_code == 422, r.text
    p = kgtest.run_cli("account", "add", "--email", OPEN_OWNER, "--db",
                       srv.db, input=kgtest.PASSWORD + "\n")
    assert p.returncode != 0, p.stdout
    j = registered(register(srv, body))
    assert [a["api_key"] for a in all_apps(srv, OPEN_OWNER)] == \
        [j["client_id"]]


def test_first_open_registrations_race_for_the_owner(make_server):
    """Registrations that arrive together at a server whose owner account
    is not made yet all succeed, under one owner."""
    srv = oauthkit.oauth_server(make_server, "--open-registration")
    body = {"redirect_uris": ["http://127.0.0.1/cb"]}
    out = oauthkit.race(8, lambda i: register(srv, body))
    keys = sorted(registered(r)["client_id"] for r in out)
    listed = sorted(a["api_key"] for a in all_apps(srv, OPEN_OWNER))
    assert listed == keys and len(keys) == 8


@pytest.mark.parametrize("how", ["env", "file"])
def test_open_registration_from_the_variable_and_the_file(make_server,
                                                          tmp_path, how):
    body = {"redirect_uris": ["http://127.0.0.1/cb"]}
    if how == "env":
        srv = oauthkit.oauth_server(
            make_server, env={"KEYGATE_OPEN_REGISTRATION": "1"})
    else:
        conf = tmp_path / "keygate.conf"
        conf.write_text("open-registration = true\n")
        srv = oauthkit.oauth_server(make_server, "--config", str(conf))
    registered(register(srv, body))
