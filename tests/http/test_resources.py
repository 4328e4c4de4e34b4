"""Resources (docs/REFERENCE.md §22.1, RFC 8707): `keygate resource`, the
`resource` parameter at authorize, token and refresh, tokens whose
audience opens one API and not another at /oauth2/check, introspection's
`aud`, and a resource's metadata (RFC 9728)."""

import json
import time

import pytest
import requests

import devicekit
import kgtest
import oauthkit as ok
from kgtest import run_cli

MCP = "https://mcp.example.com/mcp"
BILLING = "https://billing.example.com/api"

server = ok.module_server()


def resource_cli(server, *args):
    return run_cli("resource", *args, "--db", server.db, "--issuer",
                   server.base)


def wait_published(server, uri, present=True):
    """A running server reloads the resources when the store's revision
    moves (within a second): waits for its metadata to say so."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        r = requests.get(server.url("/oauth2/resource-metadata"),
                         params={"resource": uri}, timeout=5)
        if (r.status_code == 200) == present:
            return r
        time.sleep(0.05)
    raise AssertionError(f"{uri} not {'published' if present else 'gone'}")


@pytest.fixture(scope="module")
def world(server):
    for uri, name, scopes in (
            (MCP, "Example tools", ["mcp:tools Use the tools for you",
                                    "mcp:admin Change the tools"]),
            (BILLING, "Billing", ["billing:read See your invoices"])):
        args = ["add", uri, "--name", name]
        for s in scopes:
            args += ["--scope", s]
        p = resource_cli(server, *args)
        assert p.returncode == 0, p.stderr
    wait_published(server, MCP)
    wait_published(server, BILLING)
    app = ok.make_app(server)
    user = ok.User(server, "res")
    return app, user


def authorize_code(user, app, scope, resources):
    """Runs an authorization with `resource` repeated; returns (code,
    verifier)."""
    verifier, challenge = ok.pkce_pair()
    pairs = ok.auth_params(app, scope=scope, challenge=challenge)
    pairs += [("resource", r) for r in resources]
    r = ok.authorize(user, pairs)
    if r.status_code == 200:
        r = ok.submit_grant(user, r.text, "allow")
    res = ok.redirect_result(r, app.redirect_uri)
    assert "code" in res, res
    return res["code"], verifier


def check_for(server, token, resource=None):
    headers = kgtest.bearer(token)
    if resource is not None:
        headers["X-Keygate-Resource"] = resource
    return requests.get(server.url("/oauth2/check"), headers=headers,
                        timeout=5)


def test_cli_lists_and_shows_what_was_added(server, world):
    p = resource_cli(server, "list")
    assert p.returncode == 0, p.stderr
    assert MCP in p.stdout and BILLING in p.stdout
    assert "mcp:tools" in p.stdout and "Use the tools for you" in p.stdout
    p = resource_cli(server, "show", MCP, "--json")
    assert p.returncode == 0, p.stderr
    doc = json.loads(p.stdout)
    assert doc["uri"] == MCP and doc["name"] == "Example tools"
    assert [s["name"] for s in doc["scopes"]] == ["mcp:tools", "mcp:admin"]


@pytest.mark.parametrize("args, words", [
    (["add", "http://mcp.example.com/mcp", "--name", "X"], "https"),
    (["add", "https://x.example/a#f", "--name", "X"], "fragment"),
    (["add", "https://x.example/a?q=1", "--name", "X"], "query"),
    (["add", "not a uri", "--name", "X"], "absolute"),
    (["add", "https://x.example/a", "--name", ""], "name"),
    (["add", "https://x.example/a", "--name", "X", "--scope",
      "account_read Again"], "exists"),
    (["add", "https://x.example/a", "--name", "X", "--scope", "a\"b d"],
     "scope's name"),
    (["add", "https://x.example/a", "--name", "X", "--scope", "s1 d",
      "--scope", "s1 e"], "twice"),
    (["add", MCP, "--name", "Again"], "registered"),
    (["add", "https://x.example/b", "--name", "X", "--scope",
      "mcp:tools Taken"], "exists"),
])
def test_bad_registrations_are_refused_and_store_nothing(server, world,
                                                         args, words):
    before = resource_cli(server, "list").stdout
    p = resource_cli(server, *args)
    assert p.returncode in (1, 2), p
    assert words in p.stderr, p.stderr
    assert resource_cli(server, "list").stdout == before


def test_metadata_of_a_resource(server, world):
    doc = wait_published(server, MCP).json()
    assert doc["resource"] == MCP
    assert doc["authorization_servers"] == [server.base]
    assert doc["scopes_supported"] == ["mcp:tools", "mcp:admin"]
    assert doc["bearer_methods_supported"] == ["header"]
    assert doc["resource_name"] == "Example tools"
    r = requests.get(server.url("/oauth2/resource-metadata"),
                     params={"resource": "https://nope.example/"},
                     timeout=5)
    assert r.status_code == 404, r.text
    r = requests.get(server.url("/oauth2/resource-metadata"), timeout=5)
    assert r.status_code == 400, r.text
    # the built-in API's own document is unchanged: its scopes only
    builtin = requests.get(
        server.url("/.well-known/oauth-protected-resource"), timeout=5)
    assert "mcp:tools" not in builtin.json()["scopes_supported"]


def test_a_token_for_one_resource_opens_it_and_nothing_else(server, world):
    app, user = world
    code, verifier = authorize_code(user, app, "mcp:tools", [MCP])
    toks = ok.tokens_ok(ok.exchange(app, code, verifier=verifier))
    assert toks["scope"] == "mcp:tools"
    at = toks["access_token"]
    r = check_for(server, at, MCP)
    assert r.status_code == 200, r.text
    assert r.headers["X-Keygate-Scope"] == "mcp:tools"
    for other in (BILLING, None):
        r = check_for(server, at, other)
        assert r.status_code == 401, (other, r.text)
        assert 'error="invalid_token"' in r.headers["WWW-Authenticate"]
    assert ok.summary(server, at).status_code == 401
    it = ok.introspection(app, at)
    assert it["active"] and it["aud"] == [MCP], it


def test_a_token_without_resource_is_for_the_builtin_api_only(server,
                                                              world):
    app, user = world
    toks = ok.get_tokens(user, app, scope="account_read")
    at = toks["access_token"]
    assert check_for(server, at).status_code == 200
    assert check_for(server, at, server.base).status_code == 200
    assert check_for(server, at, MCP).status_code == 401
    assert ok.introspection(app, at)["aud"] == [server.base]


def test_unknown_resource_at_the_check_opens_nothing(server, world):
    app, user = world
    toks = ok.get_tokens(user, app, scope="account_read")
    r = check_for(server, toks["access_token"], "https://nope.example/")
    assert r.status_code == 401, r.text


def test_an_unknown_resource_is_invalid_target(server, world):
    app, user = world
    _, challenge = ok.pkce_pair()
    pairs = ok.auth_params(app, scope="account_read", challenge=challenge)
    pairs.append(("resource", "https://nope.example/api"))
    r = ok.authorize(user, pairs)
    res = ok.redirect_result(r, app.redirect_uri)
    assert res["error"] == "invalid_target", res


def test_a_resource_scope_needs_its_resource(server, world):
    app, user = world
    _, challenge = ok.pkce_pair()
    pairs = ok.auth_params(app, scope="mcp:tools", challenge=challenge)
    r = ok.authorize(user, pairs)
    res = ok.redirect_result(r, app.redirect_uri)
    assert res["error"] == "invalid_scope", res
    pairs = ok.auth_params(app, scope="mcp:tools billing:read",
                           challenge=challenge) + [("resource", MCP)]
    res = ok.redirect_result(ok.authorize(user, pairs), app.redirect_uri)
    assert res["error"] == "invalid_scope", res


def test_two_resources_then_narrowed_at_the_token_endpoint(server, world):
    app, user = world
    code, verifier = authorize_code(user, app, "mcp:tools billing:read",
                                    [MCP, BILLING])
    r = ok.exchange(app, code, verifier=verifier,
                    extra=[("resource", BILLING)])
    toks = ok.tokens_ok(r)
    assert toks["scope"] == "billing:read"
    assert check_for(server, toks["access_token"], BILLING).status_code == 200
    assert check_for(server, toks["access_token"], MCP).status_code == 401
    # the refresh token still holds both: a refresh may pick the other
    r = ok.token_request(app, [("grant_type", "refresh_token"),
                               ("refresh_token", toks["refresh_token"]),
                               ("resource", MCP)])
    again = ok.tokens_ok(r)
    assert again["scope"] == "mcp:tools"
    assert check_for(server, again["access_token"], MCP).status_code == 200
    assert check_for(server, again["access_token"],
                     BILLING).status_code == 401
    # a plain refresh gets both again
    both = ok.tokens_ok(ok.refresh(app, again["refresh_token"]))
    assert set(both["scope"].split()) == {"mcp:tools", "billing:read"}
    assert sorted(ok.introspection(app, both["access_token"])["aud"]) == \
        sorted([MCP, BILLING])


def test_a_refresh_never_widens_the_audience(server, world):
    app, user = world
    code, verifier = authorize_code(user, app, "mcp:tools", [MCP])
    toks = ok.tokens_ok(ok.exchange(app, code, verifier=verifier))
    r = ok.token_request(app, [("grant_type", "refresh_token"),
                               ("refresh_token", toks["refresh_token"]),
                               ("resource", BILLING)])
    assert r.status_code == 400 and r.json()["error"] == "invalid_target", \
        r.text
    # the refused request spent nothing: the refresh token still works
    ok.tokens_ok(ok.refresh(app, toks["refresh_token"]))
    # nor may a narrower scope drop the audience into the built-in API
    code, verifier = authorize_code(user, app, "account_read mcp:tools",
                                    [MCP])
    toks = ok.tokens_ok(ok.exchange(app, code, verifier=verifier))
    narrowed = ok.tokens_ok(ok.refresh(app, toks["refresh_token"],
                                       scope="account_read"))
    assert narrowed["scope"] == "account_read"
    at = narrowed["access_token"]
    assert ok.summary(server, at).status_code == 401
    assert check_for(server, at, MCP).status_code == 200


def test_exchange_asking_a_resource_not_granted_is_invalid_target(server,
                                                                 world):
    app, user = world
    code, verifier = authorize_code(user, app, "mcp:tools", [MCP])
    r = ok.exchange(app, code, verifier=verifier,
                    extra=[("resource", BILLING)])
    assert r.status_code == 400 and r.json()["error"] == "invalid_target", \
        r.text
    # any attempt uses the code up (docs/REFERENCE.md §3.2)
    r = ok.exchange(app, code, verifier=verifier)
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant"


def test_grant_page_names_the_resource(server, world):
    app, _ = world
    fresh = ok.User(server, "resgrant")
    _, challenge = ok.pkce_pair()
    pairs = ok.auth_params(app, scope="mcp:tools", challenge=challenge)
    pairs.append(("resource", MCP))
    r = ok.authorize(fresh, pairs)
    assert r.status_code == 200, r.text[:300]
    text = ok.page_text(r.text)
    assert "Use the tools for you" in text and MCP in text
    assert "Example tools" in text


def test_delete_revokes_the_tokens_for_it(make_server):
    srv = ok.oauth_server(make_server)
    p = resource_cli(srv, "add", MCP, "--name", "Tools", "--scope",
                     "mcp:tools Use the tools")
    assert p.returncode == 0, p.stderr
    wait_published(srv, MCP)
    app = ok.make_app(srv)
    user = ok.User(srv, "resdel")
    code, verifier = authorize_code(user, app, "mcp:tools", [MCP])
    toks = ok.tokens_ok(ok.exchange(app, code, verifier=verifier))
    plain = ok.get_tokens(user, app, scope="account_read")
    assert check_for(srv, toks["access_token"], MCP).status_code == 200
    p = resource_cli(srv, "delete", MCP)
    assert p.returncode == 0, p.stderr
    wait_published(srv, MCP, present=False)
    assert check_for(srv, toks["access_token"], MCP).status_code == 401
    r = ok.refresh(app, toks["refresh_token"])
    assert r.status_code == 400, r.text
    # a token of the built-in API is untouched
    assert check_for(srv, plain["access_token"]).status_code == 200
    assert resource_cli(srv, "delete", MCP).returncode == 1
    # the same URI may come back, and its old tokens stay dead
    assert resource_cli(srv, "add", MCP, "--name", "Tools").returncode == 0
    wait_published(srv, MCP)
    assert check_for(srv, toks["access_token"], MCP).status_code == 401


def test_pushed_request_carries_its_resources(server, world):
    app, user = world
    verifier, challenge = ok.pkce_pair()
    pairs = [(k, v) for k, v in ok.auth_params(
        app, scope="mcp:tools", challenge=challenge) if k != "client_id"]
    pairs += [("resource", MCP)]
    data, headers = ok.client_auth(app, pairs)
    r = ok.post(server, "/oauth2/par", data, headers)
    assert r.status_code == 201, r.text
    ru = r.json()["request_uri"]
    r = ok.authorize(user, [("client_id", app.key), ("request_uri", ru)])
    if r.status_code == 200:
        r = ok.submit_grant(user, r.text, "allow")
    res = ok.redirect_result(r, app.redirect_uri)
    toks = ok.tokens_ok(ok.exchange(app, res["code"], verifier=verifier))
    assert ok.introspection(app, toks["access_token"])["aud"] == [MCP]
    # a push naming an unknown resource is refused at once
    data, headers = ok.client_auth(app, pairs[:-1] + [
        ("resource", "https://nope.example/")])
    r = ok.post(server, "/oauth2/par", data, headers)
    assert r.status_code == 400 and r.json()["error"] == "invalid_target", \
        r.text


def test_device_authorization_takes_resource(server, world):
    app = ok.make_app(server, device_flow=True)
    data, headers = ok.client_auth(app, [("scope", "mcp:tools"),
                                         ("resource", MCP)])
    r = ok.post(server, "/oauth2/device_authorization", data, headers)
    assert r.status_code == 200, r.text
    data, headers = ok.client_auth(app, [("resource", "https://nope.x/")])
    r = ok.post(server, "/oauth2/device_authorization", data, headers)
    assert r.status_code == 400 and r.json()["error"] == "invalid_target", \
        r.text
    data, headers = ok.client_auth(app, [("scope", "mcp:tools")])
    r = ok.post(server, "/oauth2/device_authorization", data, headers)
    assert r.status_code == 400 and r.json()["error"] == "invalid_scope", \
        r.text


def test_resource_without_scope_asks_for_its_scopes(server, world):
    app, user = world
    code, verifier = authorize_code(user, app, None, [MCP])
    toks = ok.tokens_ok(ok.exchange(app, code, verifier=verifier))
    assert set(toks["scope"].split()) == {"mcp:tools", "mcp:admin"}


def test_challenges_name_the_resources_own_metadata(server, world):
    app, user = world
    toks = ok.get_tokens(user, app, scope="account_read")
    r = check_for(server, toks["access_token"], MCP)
    assert r.status_code == 401
    assert ('resource_metadata="https://mcp.example.com/.well-known/'
            'oauth-protected-resource/mcp"') in r.headers["WWW-Authenticate"]
    r = requests.get(server.url("/oauth2/check"),
                     headers={"X-Keygate-Resource": BILLING}, timeout=5)
    assert r.status_code == 401
    assert ('resource_metadata="https://billing.example.com/.well-known/'
            'oauth-protected-resource/api"') in r.headers["WWW-Authenticate"]
    r = check_for(server, "kg_at_nope")
    assert (f'resource_metadata="{server.base}/.well-known/'
            'oauth-protected-resource"') in r.headers["WWW-Authenticate"]


def test_a_consent_to_a_resource_is_no_consent_to_the_builtin_api(server,
                                                                  world):
    """The person allowed the app the MCP server; a silent request for
    keygate's own API must still ask (consent_required), and so must one
    for another resource."""
    app = ok.make_app(server)
    user = ok.User(server, "rescons")
    code, verifier = authorize_code(user, app, "account_read mcp:tools",
                                    [MCP])
    ok.tokens_ok(ok.exchange(app, code, verifier=verifier))
    _, challenge = ok.pkce_pair()
    for extra in ([], [("resource", BILLING)]):
        pairs = ok.auth_params(app, scope="account_read",
                               challenge=challenge, prompt="none") + extra
        if extra:
            pairs = ok.replace(pairs, "scope", "billing:read")
        res = ok.redirect_result(ok.authorize(user, pairs), app.redirect_uri)
        assert res.get("error") == "consent_required", (extra, res)
    # the same resource again is remembered
    pairs = ok.auth_params(app, scope="mcp:tools", challenge=challenge,
                           prompt="none") + [("resource", MCP)]
    res = ok.redirect_result(ok.authorize(user, pairs), app.redirect_uri)
    assert "code" in res, res


def test_an_empty_resource_is_as_if_omitted(server, world):
    """RFC 6749 §3.1: a parameter without a value is treated as omitted."""
    app, user = world
    _, challenge = ok.pkce_pair()
    pairs = ok.auth_params(app, scope="account_read", challenge=challenge)
    res = ok.redirect_result(ok.authorize(user, pairs + [("resource", "")]),
                             app.redirect_uri)
    assert "code" in res, res
    code, verifier = authorize_code(user, app, "mcp:tools", [MCP])
    r = ok.exchange(app, code, verifier=verifier, extra=[("resource", "")])
    assert ok.introspection(app, ok.tokens_ok(r)["access_token"])["aud"] == \
        [MCP]


def test_the_check_reports_the_scopes_of_the_resource_called(server, world):
    app, user = world
    code, verifier = authorize_code(user, app, "account_read mcp:tools "
                                    "billing:read", [MCP, BILLING, server.base])
    at = ok.tokens_ok(ok.exchange(app, code, verifier=verifier))[
        "access_token"]
    for resource, want in ((MCP, "mcp:tools"), (BILLING, "billing:read"),
                           (None, "account_read")):
        r = check_for(server, at, resource)
        assert r.status_code == 200, (resource, r.text)
        assert r.headers["X-Keygate-Scope"] == want, (resource, r.headers)


def test_a_reused_refresh_token_is_a_reuse_whatever_it_asks(server, world):
    """A refresh token presented a second time revokes its family even
    when the second request names a resource it may not have."""
    app, user = world
    code, verifier = authorize_code(user, app, "mcp:tools", [MCP])
    first = ok.tokens_ok(ok.exchange(app, code, verifier=verifier))
    second = ok.tokens_ok(ok.refresh(app, first["refresh_token"]))
    server.advance(120)         # past the retry window
    r = ok.token_request(app, [("grant_type", "refresh_token"),
                               ("refresh_token", first["refresh_token"]),
                               ("resource", BILLING)])
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant", \
        r.text
    assert check_for(server, second["access_token"], MCP).status_code == 401
    assert ok.refresh(app, second["refresh_token"]).status_code == 400


def test_the_device_grant_narrows_by_resource(server, world):
    app = ok.make_app(server, device_flow=True)
    user = ok.User(server, "resdev")
    data, headers = ok.client_auth(app, [("scope", "mcp:tools billing:read"),
                                         ("resource", MCP),
                                         ("resource", BILLING)])
    r = ok.post(server, "/oauth2/device_authorization", data, headers)
    assert r.status_code == 200, r.text
    d = r.json()
    devicekit.approve(user, d["user_code"])
    grant = "urn:ietf:params:oauth:grant-type:device_code"
    r = ok.token_request(app, [("grant_type", grant),
                               ("device_code", d["device_code"]),
                               ("resource", "https://nope.example/")])
    assert r.status_code == 400 and r.json()["error"] == "invalid_target", \
        r.text
    # the refusal left the grant to be exchanged
    r = ok.token_request(app, [("grant_type", grant),
                               ("device_code", d["device_code"]),
                               ("resource", BILLING)])
    toks = ok.tokens_ok(r)
    assert toks["scope"] == "billing:read"
    assert check_for(server, toks["access_token"], BILLING).status_code == 200
    assert check_for(server, toks["access_token"], MCP).status_code == 401
