"""The device flow's server side (RFC 8628; docs/REFERENCE.md §15): POST
/oauth2/device_authorization, the token endpoint's device_code grant up
to the person's decision (pending, slow_down and the interval growing,
expiry by the test clock, another client's code), the app's device_flow
switch, and the metadata. The person's side (the /device page, approving
and denying) is tested with that page.

One server for the module; every test makes its own apps, so the order of
the tests does not matter."""

import re
import time

import pytest
import requests

import kgtest
import oauthkit
from oauthkit import make_app, post, token_error, token_request

server = oauthkit.module_server()

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
USER_CODE = re.compile(r"^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$")


def device_app(server, secret=True, **fields):
    return make_app(server, secret=secret, device_flow=True, **fields)


def start(app, scope=None, auth=None, extra=()):
    data = [] if scope is None else [("scope", scope)]
    data, headers = oauthkit.client_auth(app, data + list(extra), auth)
    # a form even when empty (Basic alone): requests sends no type then
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    return post(app.server, "/oauth2/device_authorization", data or "",
                headers)


def started(app, scope=None, auth=None):
    r = start(app, scope, auth)
    assert r.status_code == 200, (r.status_code, r.text)
    assert "no-store" in r.headers.get("Cache-Control", ""), r.headers
    assert r.headers["Content-Type"].startswith("application/json")
    return r.json()


def poll(app, device_code, auth=None):
    return token_request(app, [("grant_type", DEVICE_GRANT),
                               ("device_code", device_code)], auth)


def poll_error(app, device_code, error):
    return token_error(poll(app, device_code), error)


def switch_seen(server, app, on):
    """Sets the app's device_flow through the API and waits (at most 3 s:
    the keeper polls the revision every few hundred milliseconds) until
    the endpoint answers by it."""
    r = kgtest.patch_app(server, app.dev.pat, app.key, {"device_flow": on})
    assert r.status_code == 200, (r.status_code, r.text)
    assert r.json()["device_flow"] is on
    deadline = time.monotonic() + 3
    while True:
        r = start(app)
        if (r.status_code == 200) == on or time.monotonic() > deadline:
            return r
        time.sleep(0.1)


# --- the device authorization endpoint ----------------------------------------

def test_answer_has_every_member(server):
    app = device_app(server)
    d = started(app)
    assert d["device_code"].startswith("kg_dc_"), d
    assert USER_CODE.match(d["user_code"]), d
    assert d["verification_uri"] == server.base + "/device"
    assert d["verification_uri_complete"] == \
        server.base + "/device?user_code=" + d["user_code"]
    assert d["expires_in"] == 600 and d["interval"] == 5, d
    assert set(d) == {"device_code", "user_code", "verification_uri",
                      "verification_uri_complete", "expires_in", "interval"}
    # every grant its own pair of codes
    e = started(app)
    assert e["device_code"] != d["device_code"]
    assert e["user_code"] != d["user_code"]


def test_client_authentication_as_at_the_token_endpoint(server):
    app = device_app(server)
    started(app, auth="basic")
    started(app, auth="post")
    token_error(start(app, auth="none"), "invalid_client", 401)
    token_error(start(app, auth="omit"), "invalid_client", 401)
    public = device_app(server, secret=False)
    started(public)                         # client_id alone
    r = post(server, "/oauth2/device_authorization",
             [("client_id", public.key), ("client_secret", "kg_cs_x")])
    token_error(r, "invalid_client", 401)


def test_flow_off_by_default_and_switched(server):
    app = make_app(server)
    assert kgtest.app_json(server, app.dev.pat, app.key)["device_flow"] is False
    j = token_error(start(app), "unauthorized_client")
    assert "device flow" in j["error_description"]
    r = switch_seen(server, app, True)
    assert r.status_code == 200, (r.status_code, r.text)
    r = switch_seen(server, app, False)
    token_error(r, "unauthorized_client")


def test_scopes(server):
    app = device_app(server)
    started(app, scope="openid account_read")
    token_error(start(app, scope="account_read bogus"), "invalid_scope")
    token_error(start(app, scope="openid openid"), "invalid_scope")


def test_malformed_and_huge_inputs(server):
    app = device_app(server, secret=False)
    token_error(start(app, extra=[("scope", "openid"), ("scope", "openid")]),
                "invalid_request")
    token_error(start(app, scope="a" * 5000), "invalid_request")
    r = requests.post(server.url("/oauth2/device_authorization"),
                      data=b'{"client_id": "x"}', timeout=10,
                      headers={"Content-Type": "application/json"})
    token_error(r, "invalid_request")
    r = requests.post(server.url("/oauth2/device_authorization"),
                      data="client_id=%zz", timeout=10, headers={
                          "Content-Type": "application/x-www-form-urlencoded"})
    token_error(r, "invalid_request")
    r = requests.get(server.url("/oauth2/device_authorization"), timeout=10)
    assert r.status_code == 405, r.status_code
    # a client_id past any app's key's length is no client
    r = post(server, "/oauth2/device_authorization",
             [("client_id", "kg_ak_" + "x" * 300)])
    assert r.status_code in (400, 401), (r.status_code, r.text)


# --- polling -------------------------------------------------------------------

def test_pending_then_slow_down_and_the_interval_grows(server):
    app = device_app(server)
    d = started(app)
    poll_error(app, d["device_code"], "authorization_pending")
    # at once again: too soon, and the interval is now 10 s
    j = poll_error(app, d["device_code"], "slow_down")
    assert "5 seconds" in j["error_description"]
    server.advance(6)                    # past 5 s, short of 10 s
    poll_error(app, d["device_code"], "slow_down")     # now 15 s
    server.advance(11)                   # past 10 s, short of 15 s
    poll_error(app, d["device_code"], "slow_down")     # now 20 s
    server.advance(21)
    poll_error(app, d["device_code"], "authorization_pending")
    server.advance(21)                   # the interval stays 20 s
    poll_error(app, d["device_code"], "authorization_pending")


def test_expired_by_the_clock(server):
    app = device_app(server)
    d = started(app)
    server.advance(590)
    poll_error(app, d["device_code"], "authorization_pending")
    server.advance(10)
    poll_error(app, d["device_code"], "expired_token")
    server.advance(10)
    poll_error(app, d["device_code"], "expired_token")


def test_another_clients_device_code_changes_nothing(server):
    owner = device_app(server)
    thief = device_app(server)
    d = started(owner)
    poll_error(owner, d["device_code"], "authorization_pending")
    server.advance(6)
    for _ in range(3):
        poll_error(thief, d["device_code"], "invalid_grant")
    # the thief's polls neither counted as the owner's nor slowed it
    poll_error(owner, d["device_code"], "authorization_pending")


def test_bad_device_codes(server):
    app = device_app(server, secret=False)
    d = started(app)
    for code in ("kg_dc_nope", "kg_ac_" + d["device_code"][6:],
                 d["device_code"] + "x", d["device_code"][:-1], "x"):
        poll_error(app, code, "invalid_grant")
    token_error(token_request(app, [("grant_type", DEVICE_GRANT)]),
                "invalid_request")
    token_error(poll(app, "kg_dc_" + "A" * 5000), "invalid_request")
    # a device code is not an authorization code
    token_error(token_request(app, [
        ("grant_type", "authorization_code"), ("code", d["device_code"]),
        ("redirect_uri", app.redirect_uri)]), "invalid_grant")
    # and none of that touched the grant
    poll_error(app, d["device_code"], "authorization_pending")


def test_switched_off_ends_the_polls(server):
    """An app without the flow may not poll, not even another's code; one
    that turns it off ends the polls of its grants begun before."""
    owner = device_app(server)
    other = make_app(server)
    d = started(owner)
    poll_error(other, d["device_code"], "unauthorized_client")
    poll_error(owner, d["device_code"], "authorization_pending")
    server.advance(6)
    token_error(switch_seen(server, owner, False), "unauthorized_client")
    # the client memo both endpoints read has seen it: the poll too
    r = poll(owner, d["device_code"])
    token_error(r, "unauthorized_client")


def test_starts_are_bounded_per_address(server):
    """Each start is a row kept a day and a public app's client_id is no
    secret: 60 starts an address in 15 minutes, then 429 with Retry-After
    (REFERENCE §9), until the window has passed. Last in the module: it
    spends the address's starts."""
    app = device_app(server, secret=False)
    for n in range(61):
        r = start(app)
        if r.status_code != 200:
            break
    # the module's earlier tests spent some of the 60 already
    assert 1 <= n <= 60, n
    j = token_error(r, "slow_down", 429)
    assert "Too many device grants" in j["error_description"], j
    assert 0 < int(r.headers["Retry-After"]) <= 900, r.headers
    server.advance(901)
    started(app)


# --- metadata ------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/.well-known/oauth-authorization-server",
                                  "/.well-known/openid-configuration"])
def test_metadata(server, path):
    m = requests.get(server.url(path), timeout=10).json()
    assert m["device_authorization_endpoint"] == \
        server.base + "/oauth2/device_authorization"
    assert DEVICE_GRANT in m["grant_types_supported"]
