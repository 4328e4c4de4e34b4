"""Hostile input on the OAuth endpoints: malformed, duplicated, huge
parameters and wrong content types get a 4xx (RFC 6749 §5.2 JSON on the
token, revoke and introspect endpoints), never a 5xx, and issue nothing.
RFC 6749 §3.1/§3.2: unrecognized parameters are ignored, and parameters
without a value are treated as omitted."""

import json
from urllib.parse import quote

import pytest
import requests

import oauthkit
from kgtest import raw_exchange
from oauthkit import (REDIRECT, User, approve, auth_params, authorize,
                      authorize_path, basic_client, get_code, make_app,
                      oauth_server, redirect_result, submit_grant, tokens_ok)

server = oauthkit.module_server()

FORM = "application/x-www-form-urlencoded"


@pytest.fixture(scope="module")
def app(server):
    return make_app(server)


@pytest.fixture(scope="module")
def user(server, app):
    u = User(server, "hostile")
    approve(u, app)
    return u


def json_error(r, codes=oauthkit.TOKEN_ERRORS):
    """A 4xx RFC 6749 §5.2 JSON error, not cached; the token endpoint's
    answers also carry Pragma: no-cache."""
    assert 400 <= r.status_code < 500, (r.status_code, r.text[:300])
    assert r.headers.get("Content-Type", "").startswith("application/json"), \
        (r.status_code, r.headers, r.text[:200])
    j = r.json()
    assert isinstance(j.get("error"), str), j
    if codes is not None:
        assert j["error"] in codes, j
    assert "no-store" in r.headers.get("Cache-Control", ""), r.headers
    if r.request.path_url.startswith("/oauth2/token"):
        assert r.headers.get("Pragma") == "no-cache", r.headers
    return j


def send_token(server, app, body, content_type=FORM, auth=True, path="/oauth2/token"):
    headers = {}
    if content_type is not None:
        headers["Content-Type"] = content_type
    if auth:
        headers["Authorization"] = basic_client(app.key, app.secret)
    return requests.post(server.url(path), data=body, headers=headers,
                         timeout=10, allow_redirects=False)


def code_body(code, ru=REDIRECT):
    return f"grant_type=authorization_code&code={quote(code)}&redirect_uri={quote(ru, safe='')}"


# Each would succeed but for its hostile part. {body} is the good body.
TOKEN_BODIES = {
    "grant_type twice": "{body}&grant_type=authorization_code",
    "code twice": "{body}&code={code}",
    "redirect_uri twice": "{body}&redirect_uri=" + quote(REDIRECT, safe=""),
    "client_id twice": "{body}&client_id={key}&client_id={key}",
    "pct-zz": "{body}%zz",
    "pct-truncated": "{body}%4",
    "pct in name": "{body}&%zz=1",
    "nul in code": "grant_type=authorization_code&code={code}%00&redirect_uri="
                   + quote(REDIRECT, safe=""),
    "bad utf8 redirect": "{body}%ff%fe",
    "overlong utf8": "{body}%c0%af",
    "huge code": "grant_type=authorization_code&code=" + "A" * 20000
                 + "&redirect_uri=" + quote(REDIRECT, safe=""),
    "1000 params": "{body}&" + "&".join(f"p{i}=1" for i in range(1000)),
    "no grant_type value": "grant_type=&code={code}&redirect_uri="
                           + quote(REDIRECT, safe=""),
    "semicolon separators": "grant_type=authorization_code;code={code};"
                            "redirect_uri=" + quote(REDIRECT, safe=""),
}


@pytest.mark.parametrize("case", sorted(TOKEN_BODIES))
def test_hostile_token_body(server, app, user, case):
    code, _, _ = get_code(user, app)
    body = TOKEN_BODIES[case].format(body=code_body(code), code=quote(code),
                                     key=app.key)
    r = send_token(server, app, body)
    json_error(r)
    assert server.alive()


@pytest.mark.parametrize("ctype", ["application/json", "text/plain",
                                   "multipart/form-data; boundary=xyz", None,
                                   "application/x-www-form-urlencodedx",
                                   "application/xml"])
def test_token_endpoint_wrong_content_type(server, app, user, ctype):
    code, _, _ = get_code(user, app)
    if ctype == "application/json":
        body = json.dumps({"grant_type": "authorization_code", "code": code,
                           "redirect_uri": REDIRECT})
    elif ctype and ctype.startswith("multipart"):
        body = ("--xyz\r\nContent-Disposition: form-data; name=\"grant_type\""
                "\r\n\r\nauthorization_code\r\n--xyz--\r\n")
    else:
        body = code_body(code)
    j = json_error(send_token(server, app, body, ctype))
    assert j["error"] == "invalid_request", j


def test_token_endpoint_accepts_a_charset(server, app, user):
    """Control, and a common client habit."""
    code, _, _ = get_code(user, app)
    tokens_ok(send_token(server, app, code_body(code),
                         FORM + "; charset=UTF-8"))


def test_unknown_and_empty_parameters_are_ignored(server, app, user):
    code, _, _ = get_code(user, app)
    r = send_token(server, app, code_body(code) + "&foo=bar&scope=&state=x&resource=")
    tokens_ok(r)


def test_empty_body(server, app):
    assert json_error(send_token(server, app, ""))["error"] == "invalid_request"


def test_body_over_64k_is_413(server, app):
    r = send_token(server, app, "grant_type=x&pad=" + "a" * 70000)
    assert r.status_code == 413, r.status_code
    json_error(r, codes=None)
    assert server.alive()


def test_parameters_in_the_query_string_are_not_read(server, app, user):
    code, _, _ = get_code(user, app)
    r = requests.post(server.url("/oauth2/token?" + code_body(code)),
                      headers={"Authorization": basic_client(app.key, app.secret),
                               "Content-Type": FORM}, data="", timeout=10)
    json_error(r)


@pytest.mark.parametrize("path", ["/oauth2/token", "/oauth2/revoke",
                                  "/oauth2/introspect"])
def test_get_on_post_endpoints(server, app, path):
    r = requests.get(server.url(path + "?grant_type=refresh_token&token=x"),
                     timeout=10)
    assert r.status_code == 405, r.status_code
    json_error(r, codes=None)


@pytest.mark.parametrize("path", ["/oauth2/revoke", "/oauth2/introspect"])
@pytest.mark.parametrize("case", ["json", "token twice", "huge token",
                                  "pct-zz", "no token"])
def test_hostile_revoke_and_introspect(server, app, user, path, case):
    t = oauthkit.get_tokens(user, app)
    at = quote(t["access_token"])
    ctype, body = {
        "json": ("application/json", json.dumps({"token": t["access_token"]})),
        "token twice": (FORM, f"token={at}&token={at}"),
        "huge token": (FORM, "token=" + "A" * 20000),
        "pct-zz": (FORM, f"token={at}%zz"),
        "no token": (FORM, "token_type_hint=access_token"),
    }[case]
    r = send_token(server, app, body, ctype, path=path)
    json_error(r)
    assert oauthkit.alive(server, t["access_token"])


def test_broken_basic_credentials(make_server):
    """Failed client authentications (a fresh server: throttled)."""
    srv = oauth_server(make_server)
    a = make_app(srv)
    u = User(srv, "basic")
    for value in ("Basic", "Basic !!!!", "Basic " + "QQ==",
                  "Basic " + __import__("base64").b64encode(b"nocolon").decode(),
                  "Basic " + __import__("base64").b64encode(
                      f"{a.key}:%zz".encode()).decode(),
                  "Basic " + "A" * 6000, "Digest x", "Basic  " + "Og=="):
        code, _, _ = get_code(u, a)
        r = requests.post(srv.url("/oauth2/token"), data=code_body(code),
                          headers={"Content-Type": FORM, "Authorization": value},
                          timeout=10)
        assert r.status_code in (400, 401), (value[:30], r.status_code)
        j = json_error(r)
        assert j["error"] in ("invalid_client", "invalid_request"), j
        if r.status_code == 401:
            assert r.headers.get("WWW-Authenticate")
    assert srv.alive()


# --- authorize ----------------------------------------------------------------------

def assert_error_page(r):
    assert r.status_code == 400, (r.status_code, r.headers.get("Location"))
    assert "Location" not in r.headers


@pytest.mark.parametrize("case", ["pct-zz client_id", "nul client_id",
                                  "nul redirect", "crlf redirect",
                                  "bad utf8 redirect", "huge client_id"])
def test_hostile_authorize_before_trust(server, app, user, case):
    ru = quote(REDIRECT, safe="")
    q = {
        "pct-zz client_id": f"client_id={app.key}%zz&redirect_uri={ru}",
        "nul client_id": f"client_id={app.key}%00&redirect_uri={ru}",
        "nul redirect": f"client_id={app.key}&redirect_uri={ru}%00",
        "crlf redirect": f"client_id={app.key}&redirect_uri={ru}%0d%0aX-Injected:%201",
        "bad utf8 redirect": f"client_id={app.key}&redirect_uri={ru}%ff",
        "huge client_id": f"client_id={'A' * 6000}&redirect_uri={ru}",
    }[case]
    r = user.get("/oauth2/authorize?response_type=code&" + q)
    assert "X-Injected" not in r.headers
    assert_error_page(r)


@pytest.mark.parametrize("case", ["crlf state", "bad utf8 state", "nul state",
                                  "huge state", "400 params"])
def test_hostile_authorize_after_trust(server, app, user, case):
    base = authorize_path(auth_params(app, state=None, scope="bogus"))
    extra = {
        "crlf state": "&state=a%0d%0aX-Injected:%201",
        "bad utf8 state": "&state=%ff%fe",
        "nul state": "&state=a%00b",
        "huge state": "&state=" + "s" * 4000,
        "400 params": "&state=x&" + "&".join(f"p{i}=1" for i in range(400)),
    }[case]
    r = user.get(base + extra)
    assert r.status_code < 500, r.status_code
    assert "X-Injected" not in r.headers
    loc = r.headers.get("Location", "")
    assert "\r" not in loc and "\n" not in loc and "\x00" not in loc
    assert all(ord(c) < 128 for c in loc), loc[:200]
    if r.status_code in (302, 303):
        res = redirect_result(r, app.redirect_uri)
        assert res.get("error") in ("invalid_scope", "invalid_request"), res
        if case == "huge state" and "state" in res:
            assert res["state"] == "s" * 4000


def test_authorize_with_1000_query_parameters(make_server):
    """About 7 KB of query in 1000 parameters: an answer (4xx), and the
    server still stops cleanly on SIGTERM (a server of its own)."""
    srv = oauth_server(make_server)
    q = "&".join(f"p{i}=1" for i in range(1000))
    r = raw_exchange(srv, f"GET /oauth2/authorize?client_id=x&{q} HTTP/1.1\r\n"
                          f"Host: x\r\nConnection: close\r\n\r\n".encode())
    assert r is not None, "connection closed without an answer"
    assert 400 <= r.status < 500, r
    assert srv.alive()


def test_unknown_authorize_parameters_are_ignored(server, app):
    u = User(server, "hostile-unknown")
    r = authorize(u, auth_params(app, prompt="consent", nonce="n",
                                 ui_locales="fr", claims_locales="fr"))
    assert r.status_code == 200, (r.status_code, r.headers.get("Location"))


def test_hostile_grant_posts(server, app):
    u = User(server, "hostile-post")
    page = authorize(u, auth_params(app)).text
    csrf = dict(oauthkit.hidden_fields(oauthkit.grant_form(page)))["csrf_token"]
    # JSON instead of a form
    r = u.post("/oauth2/authorize", data=json.dumps({"csrf_token": csrf,
                                                     "decision": "allow"}),
               headers={"Content-Type": "application/json"})
    assert 400 <= r.status_code < 500 and "Location" not in r.headers
    # a parameter twice in the form
    fields = oauthkit.hidden_fields(oauthkit.grant_form(page))
    r = u.post("/oauth2/authorize", data=fields + [("client_id", app.key),
                                                   ("decision", "allow")])
    assert "code=" not in r.headers.get("Location", ""), r.headers
    assert r.status_code < 500
    r = u.post("/oauth2/authorize", data=fields + [("decision", "allow"),
                                                   ("decision", "deny")])
    assert "code=" not in r.headers.get("Location", ""), r.headers
    assert r.status_code < 500
    # no client_id at all
    r = submit_grant(u, page, drop=("client_id",))
    assert_error_page(r)
    # still nothing granted
    assert authorize(u, auth_params(app)).status_code == 200


@pytest.mark.parametrize("key", ["%00", "A" * 5000, "..%2f..%2fapps", "%zz"])
def test_hostile_connection_keys(server, user, key):
    r = requests.delete(server.url("/api/v1/connections/" + key),
                        headers=oauthkit.bearer(user.pat), timeout=10)
    assert 400 <= r.status_code < 500, r.status_code


def test_still_serving(server, app, user):
    assert server.alive()
    tokens_ok(oauthkit.exchange(app, get_code(user, app)[0]))
    r = raw_exchange(server, b"POST /oauth2/token HTTP/1.1\r\nHost: x\r\n"
                             b"Content-Length: 5\r\nContent-Type: " + FORM.encode()
                             + b"\r\n\r\nab", timeout=1)
    assert r is None or r.status < 500
