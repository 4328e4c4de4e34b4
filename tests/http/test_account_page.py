"""The account page (docs/REFERENCE.md, "Accounts"): a new password (the
current one required; this session stays, the others end; a notice is
mailed), a new address (a link to it, the old one told once it is
followed, never a word on whether another account has it), the list of
the account's sessions with "end this session" and "end all others", and
the way to two-step log-in. Mails are read from the server's Maildir."""

import html
import re

import pytest
import requests

from kgtest import (Browser, bearer, create_pat, find_csrf, logged_in_as,
                    new_account, new_pat, signup, unique_email)
from maildirkit import Mailbox, body, link_token, verify_link

NEW_PASSWORD = "a new horse battery staple"
FIREFOX = ("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 "
           "Firefox/128.0")


@pytest.fixture
def world(make_server, tmp_path):
    box = Mailbox(tmp_path / "mail")
    return make_server(*box.flags()), box


def browser(srv, email, password, agent=None):
    b = Browser(srv)
    if agent:
        b.headers["User-Agent"] = agent
    assert b.login(email, password).status_code == 303
    return b


def session_rows(page):
    tbody = re.search(r'<table[^>]* id="sessions">.*?<tbody>(.*?)'
                      r'</tbody>', page, re.S).group(1)
    return re.findall(r"<tr\b.*?</tr>", tbody, re.S)


def end_action(row):
    return re.search(r'action="(/account/sessions/[0-9a-f]{64}/end)"',
                     row).group(1)


def test_the_page_needs_a_session_and_is_in_the_nav(world):
    srv, box = world
    with Browser(srv) as b:
        r = b.get("/account")
        assert r.status_code == 303
        assert r.headers["Location"] == "/login?next=/account"
    email, password = new_account(srv, "nav")
    with browser(srv, email, password) as b:
        assert 'href="/account"' in b.home()
        page = b.get("/account").text
        assert html.escape(email) in page
        assert 'href="/account/two-step"' in page


def test_sessions_are_listed_with_this_one_marked(world):
    srv, box = world
    email, password = new_account(srv, "list")
    other = browser(srv, email, password, agent="<script>x</script>")
    me = browser(srv, email, password, agent=FIREFOX)
    page = me.get("/account").text
    rows = session_rows(page)
    assert len(rows) == 2
    mine = [r for r in rows if "(this session)" in r]
    assert len(mine) == 1 and "Firefox on Linux" in mine[0]
    assert "127.0.0.1" in mine[0]
    stamp = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"
    created, seen = re.findall(stamp, mine[0])
    assert created == seen
    # an hour on, the row says when it logged in and when it was last seen
    srv.advance(3600)
    mine = [r for r in session_rows(me.get("/account").text)
            if "(this session)" in r][0]
    assert re.findall(stamp, mine)[0] == created
    assert re.findall(stamp, mine)[1] > created
    theirs = [r for r in rows if "(this session)" not in r][0]
    assert "&lt;script&gt;x&lt;/script&gt;" in theirs
    assert "<script>x" not in page
    other.close()
    me.close()


def test_end_one_session_and_all_others(world):
    srv, box = world
    email, password = new_account(srv, "end")
    a = browser(srv, email, password)
    b = browser(srv, email, password)
    c = browser(srv, email, password, agent=FIREFOX)
    page = c.get("/account").text
    # end b's session (the one that is neither c's nor a's most recent)
    b_id = b.session_cookie()
    rows = [r for r in session_rows(page) if "(this session)" not in r]
    assert len(rows) == 2
    # the rows carry the session's hash, not its cookie
    assert b_id not in page and a.session_cookie() not in page
    target = None
    for row in rows:
        r = c.post(end_action(row), data={"csrf_token": find_csrf(page)})
        assert r.status_code == 303 and r.headers["Location"] == "/account"
        target = row
        break
    alive = [logged_in_as(x.home(), email) for x in (a, b)]
    assert alive.count(False) == 1, "exactly one other session ended"
    assert logged_in_as(c.home(), email)
    # ending it again finds nothing
    r = c.post(end_action(target), data={"csrf_token": find_csrf(page)})
    assert r.status_code == 404
    # no CSRF token: nothing ends
    r = c.post("/account/sessions/end-others",
               data={"csrf_token": "forged"})
    assert r.status_code == 403
    assert alive.count(True) == [logged_in_as(x.home(), email)
                                 for x in (a, b)].count(True)
    r = c.submit("/account", "/account/sessions/end-others", {})
    assert r.status_code == 303
    assert not logged_in_as(a.home(), email)
    assert not logged_in_as(b.home(), email)
    assert logged_in_as(c.home(), email)
    assert len(session_rows(c.get("/account").text)) == 1
    for x in (a, b, c):
        x.close()


def test_sessions_that_timed_out_are_not_listed(world):
    """A session idle past its limit (12 h) is over, even while its row
    waits for `keygate gc`: the list shows only the live ones."""
    srv, box = world
    email, password = new_account(srv, "idle")
    idle = browser(srv, email, password)
    me = browser(srv, email, password, agent=FIREFOX)
    assert len(session_rows(me.get("/account").text)) == 2
    srv.advance(11 * 3600)
    assert len(session_rows(me.get("/account").text)) == 2, "me is seen"
    srv.advance(2 * 3600)       # idle: 13 h unseen; me: 2 h
    rows = session_rows(me.get("/account").text)
    assert len(rows) == 1 and "(this session)" in rows[0]
    assert not logged_in_as(idle.home(), email)
    idle.close()
    me.close()


def test_a_session_id_of_another_account_ends_nothing(world):
    srv, box = world
    ann, pw = new_account(srv, "ann")
    bob, _ = new_account(srv, "bob")
    a = browser(srv, ann, pw)
    b = browser(srv, bob, pw)
    row = session_rows(b.get("/account").text)[0]
    r = a.submit("/account", end_action(row), {})
    assert r.status_code == 404
    assert logged_in_as(b.home(), bob)
    for bad in ("zz" * 32, "00" * 31, "0" * 65, "x"):
        r = a.submit("/account", f"/account/sessions/{bad}/end", {})
        assert r.status_code == 404, bad
    a.close()
    b.close()


def test_change_password_keeps_this_session_and_ends_the_others(world):
    srv, box = world
    email, old = new_account(srv, "pw")
    pat = new_pat(srv, email, old)["token"]
    other = browser(srv, email, old)
    me = browser(srv, email, old)
    r = me.submit("/account", "/account/password", {
        "current_password": "wrong password!", "new_password": NEW_PASSWORD})
    assert r.status_code == 401
    assert "not your current password" in r.text
    r = me.submit("/account", "/account/password", {
        "current_password": old, "new_password": "short"})
    assert r.status_code == 422
    assert logged_in_as(other.home(), email), "nothing changed yet"
    r = me.submit("/account", "/account/password", {
        "current_password": old, "new_password": NEW_PASSWORD})
    assert r.status_code == 200
    assert "Your password was changed" in r.text
    assert logged_in_as(me.home(), email)
    assert not logged_in_as(other.home(), email)
    assert create_pat(srv, email, old).status_code == 401
    assert create_pat(srv, email, NEW_PASSWORD).status_code == 201
    assert requests.get(srv.url("/api/v1/apps"), headers=bearer(pat),
                        timeout=10).status_code == 200
    assert box.wait(email, "Your password was changed")
    me.close()
    other.close()


def test_change_password_needs_csrf(world):
    srv, box = world
    email, old = new_account(srv, "pwcsrf")
    with browser(srv, email, old) as me:
        r = me.post("/account/password", data={
            "current_password": old, "new_password": NEW_PASSWORD})
        assert r.status_code == 403
    assert create_pat(srv, email, old).status_code == 201


def test_change_email_through_the_new_address(world):
    srv, box = world
    old_email, password = new_account(srv, "move")
    pat = new_pat(srv, old_email, password)["token"]
    new_email = unique_email("moved")
    with browser(srv, old_email, password) as me:
        r = me.submit("/account", "/account/email", {
            "new_email": new_email, "password": password})
        assert r.status_code == 200
        assert "We sent a link to" in r.text
        # nothing changes before the link is followed
        assert requests.get(srv.url("/api/v1/account"), headers=bearer(pat),
                            timeout=10).json()["email"] == old_email
        msg = box.wait(new_email, "Confirm your new email address")
        token = link_token(msg, "/verify-email")
        assert token.startswith("kg_ec_")
        assert verify_link(me, token).status_code == 200
        j = requests.get(srv.url("/api/v1/account"), headers=bearer(pat),
                         timeout=10).json()
        assert j["email"] == new_email and j["email_verified"] is True
        assert logged_in_as(me.home(), new_email)
    told = box.wait(old_email, "Your email address was changed")
    assert new_email in body(told)
    assert create_pat(srv, old_email, password).status_code == 401
    assert create_pat(srv, new_email, password).status_code == 201
    with Browser(srv) as b:
        assert b.get("/verify-email?token=" + token).status_code == 400, \
            "used once"


def test_change_email_to_a_taken_address_says_nothing_of_it(world):
    srv, box = world
    ann, password = new_account(srv, "ann")
    bob, _ = new_account(srv, "bob")
    free = unique_email("free")
    with browser(srv, ann, password) as me:
        taken = me.submit("/account", "/account/email", {
            "new_email": bob, "password": password})
        fresh = me.submit("/account", "/account/email", {
            "new_email": free, "password": password})
    assert taken.status_code == fresh.status_code == 200
    strip = lambda t, e: re.sub(r'value="[^"]*"', "", t.replace(e, "X"))
    assert strip(taken.text, bob) == strip(fresh.text, free)
    msg = box.wait(bob, "another account")
    assert "/verify-email" not in body(msg), "no link to a taken address"
    box.wait(free, "Confirm your new email address")


def test_a_new_address_taken_before_its_link_is_followed_stays_free(world):
    """The link to a new address that another account signed up with
    meanwhile changes nothing: 409, the address stays as it was."""
    srv, box = world
    email, password = new_account(srv, "slow")
    pat = new_pat(srv, email, password)["token"]
    wanted = unique_email("wanted")
    with browser(srv, email, password) as me:
        me.submit("/account", "/account/email", {
            "new_email": wanted, "password": password})
        token = link_token(box.wait(wanted, "Confirm your new"),
                           "/verify-email")
        assert signup(srv, wanted).status_code == 201
        r = verify_link(me, token)
        assert r.status_code == 409
        assert "Another account has this email address" in r.text
        assert me.get("/verify-email?token=" + token).status_code == 400, \
            "used up"
    assert requests.get(srv.url("/api/v1/account"), headers=bearer(pat),
                        timeout=10).json()["email"] == email
    assert box.to(email, "Your email address was changed") == []


def test_change_email_needs_the_password_and_a_valid_new_address(world):
    srv, box = world
    email, password = new_account(srv, "pw")
    with browser(srv, email, password) as me:
        r = me.submit("/account", "/account/email", {
            "new_email": unique_email("x"), "password": "wrong password!"})
        assert r.status_code == 401
        r = me.submit("/account", "/account/email", {
            "new_email": "nope", "password": password})
        assert r.status_code == 422
        r = me.submit("/account", "/account/email", {
            "new_email": email.upper(), "password": password})
        assert r.status_code == 422
        assert "already your email address" in r.text
        r = me.post("/account/email", data={
            "new_email": unique_email("y"), "password": password})
        assert r.status_code == 403
    assert [m for m in box.all() if "new email" in str(m["Subject"])] == []


def test_new_addresses_are_throttled_per_account(world):
    """Each request mails a stranger's address: three an hour per
    account, then 429 with Retry-After and no mail."""
    srv, box = world
    email, password = new_account(srv, "many")
    asked = [unique_email(f"many{i}") for i in range(4)]
    with browser(srv, email, password) as me:
        codes = [me.submit("/account", "/account/email", {
            "new_email": a, "password": password}) for a in asked]
    assert [r.status_code for r in codes] == [200, 200, 200, 429]
    assert "Too many attempts" in codes[3].text
    assert 0 < int(codes[3].headers["Retry-After"]) <= 3600
    for a in asked[:3]:
        box.wait(a, "Confirm your new email address")
    assert box.to(asked[3]) == []


def test_an_old_verification_link_verifies_no_new_address(world):
    srv, box = world
    email, password = new_account(srv, "stale")
    pat = new_pat(srv, email, password)["token"]
    stale = link_token(box.wait(email, "Confirm your email"), "/verify-email")
    new_email = unique_email("fresh")
    with browser(srv, email, password) as me:
        me.submit("/account", "/account/email", {
            "new_email": new_email, "password": password})
        token = link_token(box.wait(new_email, "Confirm your new"),
                           "/verify-email")
        assert verify_link(me, token).status_code == 200
        # the link to the old address was dropped with it
        assert me.get("/verify-email?token=" + stale).status_code == 400
    assert requests.get(srv.url("/api/v1/account"), headers=bearer(pat),
                        timeout=10).json()["email"] == new_email


def test_the_built_in_api_names_the_new_address_at_once(world):
    """/v3/account/summary keeps accounts' addresses in memory; a new
    address moves the store's revision, which drops what was kept."""
    import oauthkit
    srv, box = world
    app = oauthkit.make_app(srv)
    user = oauthkit.User(srv, "summary")
    at = oauthkit.get_tokens(user, app)["access_token"]

    def summary():
        r = requests.get(srv.url("/v3/account/summary"), headers=bearer(at),
                         timeout=10)
        assert r.status_code == 200, (r.status_code, r.text)
        return r.json()["email"]

    assert summary() == user.email
    assert summary() == user.email      # now from memory
    new_email = unique_email("summary-new")
    user.submit("/account", "/account/email", {
        "new_email": new_email, "password": user.password})
    token = link_token(box.wait(new_email, "Confirm your new"),
                       "/verify-email")
    assert verify_link(user, token).status_code == 200
    assert summary() == new_email


@pytest.mark.parametrize("path,form", [
    ("/account/email", "new_email=%FF%FEx%40example.com&password=p"),
    ("/account/email", "new_email=a%40b.example&new_email=c%40d.example"
                       "&password=p"),
    ("/account/password", "current_password=%FF&new_password=%FE" * 1),
    ("/account/password", "current_password=x&new_password=y&extra=1"),
    ("/password/forgot", "email=%FF%FE%40example.com"),
    ("/password/forgot", "email=" + "a" * 2000 + "%40example.com"),
])
def test_hostile_forms_get_a_4xx_and_change_nothing(world, path, form):
    srv, box = world
    email, password = new_account(srv, "hostile")
    with browser(srv, email, password) as me:
        csrf = find_csrf(me.get("/account").text)
        r = me.post(path, data=f"csrf_token={csrf}&{form}", headers={
            "Content-Type": "application/x-www-form-urlencoded"})
        assert 400 <= r.status_code < 500, (r.status_code, r.text[:200])
        assert "<h1>" in r.text
        assert logged_in_as(me.home(), email)
    assert create_pat(srv, email, password).status_code == 201
    assert [m for m in box.all()
            if "Confirm your email" not in str(m["Subject"])] == []
