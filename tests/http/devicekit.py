"""The device flow (RFC 8628, docs/REFERENCE.md §15) from both sides, for
the tests: the device (POST /oauth2/device_authorization, then polling the
token endpoint) and the person at the /device page in a browser (the code
typed, Grant Access, Allow or Deny)."""

import re

import oauthkit
from kgtest import find_csrf, input_value
from oauthkit import client_auth, post, token_request

GRANT_TYPE = "urn:ietf:params:oauth:grant-type:device_code"
USER_CODE_RE = re.compile(r"[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}")
WARNING = "Only continue if you started this on your own device"


def device_app(server, dev=None, secret=True, **fields):
    """An app with the device flow on (oauthkit.make_app)."""
    return oauthkit.make_app(server, dev, secret=secret, device_flow=True,
                             **fields)


def start_request(app, scope=None, auth=None):
    data = [] if scope is None else [("scope", scope)]
    data, headers = client_auth(app, data, auth)
    # a form even when empty (no scope, the client in the Basic header)
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    return post(app.server, "/oauth2/device_authorization", data, headers)


def start(app, scope=None):
    """Starts a grant; its checked answer (device_code, user_code, ...)."""
    r = start_request(app, scope)
    assert r.status_code == 200, (r.status_code, r.text)
    j = r.json()
    assert USER_CODE_RE.fullmatch(j["user_code"]), j
    assert j["verification_uri"] == app.server.base + "/device", j
    assert j["interval"] == 5 and j["expires_in"] == 600, j
    return j


def poll(app, device_code, wait=True):
    """One poll of the token endpoint. wait=True moves the server's test
    clock past the interval first, as a patient device would wait."""
    if wait:
        app.server.advance(6)
    return token_request(app, [("grant_type", GRANT_TYPE),
                               ("device_code", device_code)])


def typed(user_code):
    """The code as a person types it: lower case, without the dash."""
    return user_code.replace("-", "").lower()


def code_form(user, path="/device"):
    r = user.get(path)
    assert r.status_code == 200, (r.status_code, r.text[:500])
    return r


def enter(user, code, csrf=None):
    """Posts the code on /device as a browser would; the response."""
    if csrf is None:
        csrf = find_csrf(code_form(user).text)
    return user.post("/device", data={"csrf_token": csrf, "user_code": code})


def decide(user, page, decision="allow"):
    """Posts Grant Access's form of `page` (the answer to enter())."""
    return user.post("/device/decide", data={
        "csrf_token": find_csrf(page),
        "user_code": input_value(page, "user_code"),
        "decision": decision})


def approve(user, user_code, decision="allow"):
    """The person's whole part: code typed, Grant Access, decision."""
    r = enter(user, typed(user_code))
    assert r.status_code == 200 and WARNING in r.text, (r.status_code,
                                                        r.text[:2000])
    r = decide(user, r.text, decision)
    assert r.status_code == 200, (r.status_code, r.text[:2000])
    return r
