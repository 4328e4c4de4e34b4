"""The /device page (docs/REFERENCE.md §15.3): the person's side of the
device flow (RFC 8628), over HTTP against a real server, with the device's
side (start, polling) alongside. SQLite, and PostgreSQL with
KEYGATE_TEST_PG.

The module's server is its own (oauthkit.module_server()): its polls move
its test clock by the interval (devicekit.poll()), and two-step log-in
aligns it; tests that expire codes or fill the throttle get a fresh one."""

from urllib.parse import parse_qs, urlsplit

import pytest

import oauthkit
import twostepkit
from devicekit import (WARNING, approve, code_form, decide, device_app,
                       enter, poll, start, typed)
from kgtest import Browser, find_csrf, input_value
from oauthkit import User, page_text, refresh, token_error, tokens_ok
from tamperkit import jwt_parts

server = oauthkit.module_server()


@pytest.fixture(scope="module")
def app(server):
    return device_app(server, public_name="Living Room TV",
                      description="Plays your things on the big screen.")


def pending(app, device_code):
    token_error(poll(app, device_code), "authorization_pending")


def test_whole_flow_tokens_id_token_and_refresh(server, app):
    user = User(server, "dev-flow")
    s = start(app, "openid account_read")
    pending(app, s["device_code"])

    # verification_uri_complete fills the field, and nothing more
    r = code_form(user, "/device?user_code=" + s["user_code"])
    assert input_value(r.text, "user_code") == s["user_code"], r.text
    pending(app, s["device_code"])

    r = enter(user, typed(s["user_code"]))
    assert r.status_code == 200, (r.status_code, r.text[:1000])
    text = page_text(r.text)
    assert "Living Room TV" in text and WARNING in text, text
    assert "Plays your things on the big screen." in text, text
    assert "account_read" in text and s["user_code"] in text, text
    pending(app, s["device_code"])          # found is not decided

    r = decide(user, r.text, "allow")
    assert r.status_code == 200, (r.status_code, r.text[:1000])
    assert "return to your device" in page_text(r.text), r.text

    j = tokens_ok(poll(app, s["device_code"]))
    assert set(j["scope"].split()) == {"openid", "account_read"}, j
    _, claims, _ = jwt_parts(j["id_token"])
    assert claims["aud"] in (app.key, [app.key]), claims
    assert claims["iss"] == server.base and claims["amr"] == ["pwd"], claims
    assert "auth_time" in claims, claims
    tokens_ok(refresh(app, j["refresh_token"]))
    # a device code is exchanged once
    token_error(poll(app, s["device_code"]), "invalid_grant")


def test_grant_access_shown_again_after_consent(server, app):
    """RFC 8628 §5.4: consent given before does not skip the page."""
    user = User(server, "dev-again")
    for _ in range(2):
        s = start(app)
        approve(user, s["user_code"])
        tokens_ok(poll(app, s["device_code"]))


def test_deny(server, app):
    user = User(server, "dev-deny")
    s = start(app)
    r = approve(user, s["user_code"], "deny")
    assert "Access denied" in page_text(r.text), r.text
    token_error(poll(app, s["device_code"]), "access_denied")
    # and the code is spent: entering it again finds nothing
    r = enter(user, typed(s["user_code"]))
    assert r.status_code == 400 and "not valid" in page_text(r.text), \
        (r.status_code, r.text[:1000])


def test_code_entered_twice(server, app):
    user = User(server, "dev-twice")
    other = User(server, "dev-twice-b")
    s = start(app)
    first = enter(user, typed(s["user_code"]))
    second = enter(other, typed(s["user_code"]))
    assert first.status_code == second.status_code == 200
    r = decide(user, first.text, "allow")
    assert "return to your device" in page_text(r.text), r.text
    # the second Grant Access page, still open elsewhere, decides nothing
    for decision in ("deny", "allow"):
        r = decide(other, second.text, decision)
        assert r.status_code == 400, (r.status_code, r.text[:1000])
        assert "not valid" in page_text(r.text), r.text
    r = enter(user, s["user_code"])
    assert r.status_code == 400 and "not valid" in page_text(r.text), r.text
    j = tokens_ok(poll(app, s["device_code"]))
    who = oauthkit.post(server, "/oauth2/introspect",
                        [("token", j["access_token"])],
                        {"Authorization": oauthkit.basic_client(
                            app.key, app.secret)}).json()
    assert who["active"] and who.get("username", user.email) == user.email, \
        who


def test_decision_must_be_allow_or_deny(server, app):
    user = User(server, "dev-bad-decision")
    s = start(app)
    page = enter(user, typed(s["user_code"])).text
    r = decide(user, page, "maybe")
    assert r.status_code == 400, (r.status_code, r.text[:500])
    pending(app, s["device_code"])
    r = decide(user, page, "allow")
    assert r.status_code == 200, (r.status_code, r.text[:500])


def test_csrf_missing_or_wrong(server, app):
    user = User(server, "dev-csrf")
    s = start(app)
    r = user.post("/device", data={"user_code": s["user_code"]})
    assert r.status_code == 403, (r.status_code, r.text[:500])
    page = enter(user, s["user_code"]).text
    for token in (None, "x" * 43):
        data = {"user_code": input_value(page, "user_code"),
                "decision": "allow"}
        if token is not None:
            data["csrf_token"] = token
        r = user.post("/device/decide", data=data)
        assert r.status_code == 403, (r.status_code, r.text[:500])
    pending(app, s["device_code"])


def test_unknown_query_parameter(server):
    user = User(server, "dev-query")
    r = user.get("/device?code=ABCD")
    assert r.status_code == 400, (r.status_code, r.text[:500])


def test_login_detour_keeps_the_code(server, app):
    """Nobody logged in: the portal's log-in, then back to /device with the
    code in its field; posting the code logged out goes the same way."""
    b = Browser(server)
    user = User(server, "dev-detour", login=False)
    s = start(app)
    r = b.get("/device?user_code=" + s["user_code"])
    assert r.status_code == 303, (r.status_code, r.text[:500])
    loc = urlsplit(r.headers["Location"])
    assert loc.path == "/login", r.headers["Location"]
    nxt = parse_qs(loc.query)["next"][0]
    assert nxt == "/device?user_code=" + s["user_code"], nxt

    r = b.post("/device", data={"csrf_token": find_csrf(
        b.get("/login").text), "user_code": s["user_code"]})
    assert r.status_code == 303, (r.status_code, r.text[:500])
    assert parse_qs(urlsplit(r.headers["Location"]).query)["next"] == [nxt]

    r = b.login(user.email, user.password, next=nxt)
    assert r.status_code == 303 and r.headers["Location"].endswith(nxt), \
        (r.status_code, r.headers.get("Location"))
    r = b.get(nxt)
    assert input_value(r.text, "user_code") == s["user_code"], r.text
    approve(b, s["user_code"])
    tokens_ok(poll(app, s["device_code"]))


def test_two_step_login_detour_and_amr(server, app):
    person = twostepkit.Person(server, prefix="dev-2step")
    person.logout()
    s = start(app, "openid")
    r = person.get("/device?user_code=" + s["user_code"])
    nxt = parse_qs(urlsplit(r.headers["Location"]).query)["next"][0]
    twostepkit.aligned(server)
    page = person.login(person.email, person.password, next=nxt).text
    assert input_value(page, "next") == nxt, page
    r = twostepkit.code_step(person, page, twostepkit.code_now(
        server, person.secret), next=input_value(page, "next"))
    assert r.status_code == 303 and r.headers["Location"].endswith(nxt), \
        (r.status_code, r.headers.get("Location"), r.text[:500])
    r = person.get(nxt)
    assert input_value(r.text, "user_code") == s["user_code"], r.text
    approve(person, s["user_code"])
    j = tokens_ok(poll(app, s["device_code"]))
    _, claims, _ = jwt_parts(j["id_token"])
    assert "otp" in claims["amr"] and "pwd" in claims["amr"], claims


def test_expired_code_on_the_page(make_server):
    srv = oauthkit.oauth_server(make_server)
    app = device_app(srv)
    user = User(srv, "dev-expired")
    s = start(app)
    page = enter(user, typed(s["user_code"])).text
    srv.advance(601)
    r = decide(user, page, "allow")
    assert r.status_code == 400 and "not valid" in page_text(r.text), \
        (r.status_code, r.text[:1000])
    r = enter(user, typed(s["user_code"]))
    assert r.status_code == 400 and "not valid" in page_text(r.text), \
        (r.status_code, r.text[:1000])
    token_error(poll(app, s["device_code"], wait=False), "expired_token")


def test_wrong_codes_throttled(make_server):
    """Wrong codes count against the account and the address: once they
    are too many, even the right code waits, and its grant stays pending
    for the person to enter it later."""
    srv = oauthkit.oauth_server(make_server)
    app = device_app(srv)
    user = User(srv, "dev-guess")
    s = start(app)
    csrf = find_csrf(code_form(user).text)
    wrong = "BBBBBBBB" if typed(s["user_code"]) != "bbbbbbbb" else "CCCCCCCC"
    statuses = []
    for _ in range(40):
        r = enter(user, wrong, csrf)
        statuses.append(r.status_code)
        if r.status_code == 429:
            break
    assert statuses[0] == 400 and statuses[-1] == 429, statuses
    assert int(r.headers["Retry-After"]) > 0, r.headers
    assert "Too many wrong codes. Try again in" in page_text(r.text), r.text
    r = enter(user, typed(s["user_code"]), csrf)
    assert r.status_code == 429, (r.status_code, r.text[:500])
    # the code still shows in its field, for the next try
    assert input_value(r.text, "user_code") == typed(s["user_code"])
    # deciding looks the code up the same way: no guessing through it
    r = user.post("/device/decide", data={
        "csrf_token": csrf, "user_code": s["user_code"],
        "decision": "deny"})
    assert r.status_code == 429, (r.status_code, r.text[:500])
    pending(app, s["device_code"])
