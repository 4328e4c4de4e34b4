"""The portal in a browser-like session: sign-up, log-in, log-out, CSRF."""

import re

import pytest
import requests

from kgtest import (PASSWORD, Browser, create_pat, input_tag, input_value,
                    location, logged_in_as, new_account, set_cookie,
                    shows_login_link, unique_email, account_exists)


def cookie_attrs(line):
    """{"httponly": "", "samesite": "Lax", ...} from a Set-Cookie line."""
    parts = [p.strip() for p in line.split(";")]
    attrs = {}
    for p in parts[1:]:
        k, _, v = p.partition("=")
        attrs[k.strip().lower()] = v.strip()
    return attrs


def field_section(page, name, next_name=None):
    """The page's text from the input `name` up to the input `next_name`
    (or the end of its form), tags removed: where a field's error shows."""
    start = page.find(input_tag(page, name))
    end = page.find(input_tag(page, next_name)) if next_name else \
        page.find("</form>", start)
    return re.sub(r"<[^>]+>", " ", page[start:end])


def test_signup_page_has_the_form(browser):
    r = browser.get("/signup")
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("text/html")
    form = re.search(r'<form[^>]*action="/signup"[^>]*>.*?</form>', r.text, re.S)
    assert form, "no form posting to /signup"
    assert re.search(r'method="post"', form.group(0), re.I)
    for name in ("email", "password"):
        assert input_tag(form.group(0), name) is not None, name
    assert 'type="password"' in input_tag(form.group(0), "password")
    tag = input_tag(form.group(0), "csrf_token")
    assert tag is not None and 'type="hidden"' in tag
    assert len(input_value(form.group(0), "csrf_token")) >= 20


def test_login_page_has_the_form(browser):
    r = browser.get("/login")
    assert r.status_code == 200
    for name in ("email", "password", "csrf_token"):
        assert input_tag(r.text, name) is not None, name


@pytest.mark.parametrize("token", [None, "", "forged-token", "A" * 43,
                                   "A" * 128])
def test_signup_without_valid_csrf_is_403_and_stores_nothing(server, token):
    email = unique_email("csrf")
    with Browser(server) as b:
        b.get("/signup")        # has the pre-session cookie, not the token
        data = {"email": email, "password": PASSWORD}
        if token is not None:
            data["csrf_token"] = token
        r = b.post("/signup", data=data)
        assert r.status_code == 403, r.status_code
        assert b.session_cookie() is None
    if token is None:
        # the brief's check: those credentials do not log in
        assert create_pat(server, email, PASSWORD).status_code == 401
    else:
        assert not account_exists(server, email)


def test_overlong_csrf_token_is_refused(server):
    email = unique_email("csrf")
    with Browser(server) as b:
        b.get("/signup")
        r = b.post("/signup", data={"csrf_token": "A" * 5000, "email": email,
                                    "password": PASSWORD})
        assert r.status_code == 403, r.status_code
        assert b.session_cookie() is None
    assert not account_exists(server, email)


def test_csrf_token_of_another_browser_is_refused(server):
    email = unique_email("csrf")
    with Browser(server) as a, Browser(server) as b:
        token_a = a.csrf("/signup")
        b.get("/signup")
        r = b.post("/signup", data={"csrf_token": token_a, "email": email,
                                    "password": PASSWORD})
        assert r.status_code == 403
    assert not account_exists(server, email)


def test_csrf_without_its_cookie_is_refused(server):
    email = unique_email("csrf")
    with Browser(server) as b:
        token = b.csrf("/signup")
        b.cookies.clear()
        r = b.post("/signup", data={"csrf_token": token, "email": email,
                                    "password": PASSWORD})
        assert r.status_code == 403
    assert not account_exists(server, email)


def test_signup_logs_in_with_a_safe_session_cookie(server, browser):
    email = unique_email("portal")
    r = browser.signup(email)
    assert r.status_code == 303, r.text
    assert location(server, r) == server.url("/")
    line = set_cookie(r, "kg_session")
    assert line is not None, r.headers
    attrs = cookie_attrs(line)
    assert "httponly" in attrs
    assert attrs.get("samesite", "").lower() == "lax"
    assert attrs.get("path") == "/"
    assert browser.session_cookie()
    page = browser.home()
    assert logged_in_as(page, email)
    # the account exists for the API too
    assert create_pat(server, email, PASSWORD).status_code == 201


def test_signup_normalizes_the_email(server, browser):
    local = unique_email("Case").split("@")[0]
    r = browser.signup(f"  {local.upper()}@EXAMPLE.com ")
    assert r.status_code == 303
    assert logged_in_as(browser.home(), f"{local.lower()}@example.com")


def test_invalid_signup_shows_errors_next_to_fields(browser):
    typed = "not-an-email"
    r = browser.signup(typed, "short")
    assert r.status_code == 422
    assert browser.session_cookie() is None
    assert input_value(r.text, "email") == typed
    assert "valid email" in field_section(r.text, "email", "password").lower()
    assert "10 characters" in field_section(r.text, "password")
    # the password is never sent back
    assert input_value(r.text, "password") in (None, "")
    # a new csrf_token is there for the next try
    assert input_tag(r.text, "csrf_token") is not None


def test_taken_email_is_shown_on_the_form(server, browser):
    email, _ = new_account(server, "taken")
    r = browser.signup(email.upper())
    assert r.status_code == 409
    assert "already" in field_section(r.text, "email", "password").lower()
    assert browser.session_cookie() is None


@pytest.mark.parametrize("typed", [
    '<script>alert(1)</script>@example.com',
    '"><script>alert(1)</script>',
    "x' onfocus='alert(1)",
    "a&b<i>@x.com",
])
def test_typed_email_is_escaped(browser, typed):
    r = browser.signup(typed, "short")
    assert r.status_code == 422
    assert "<script>" not in r.text
    assert "<i>" not in r.text
    # the value round-trips through the attribute, so it was escaped there
    assert input_value(r.text, "email") == typed


def test_logout_ends_the_session(server, browser):
    email, _ = new_account(server, "logout")
    assert browser.login(email).status_code == 303
    old = browser.session_cookie()
    assert old and logged_in_as(browser.home(), email)
    r = browser.logout()
    assert r.status_code == 303
    assert location(server, r) == server.url("/")
    line = set_cookie(r, "kg_session")
    assert line is not None, "log-out did not clear the cookie"
    value = line.split(";", 1)[0].split("=", 1)[1]
    attrs = cookie_attrs(line)
    assert value == "" or attrs.get("max-age") == "0" or "expires" in attrs
    assert value != old
    page = browser.home()
    assert shows_login_link(page) and not logged_in_as(page, email)
    # replaying the old cookie does not log in either
    r = requests.get(server.url("/"), cookies={"kg_session": old}, timeout=5)
    assert r.status_code == 200
    assert shows_login_link(r.text) and not logged_in_as(r.text, email)


def test_logout_needs_csrf(server, browser):
    email, _ = new_account(server, "logoutcsrf")
    assert browser.login(email).status_code == 303
    r = browser.post("/logout", data=b"", headers={
        "Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 403
    r = browser.post("/logout", data={"csrf_token": "forged"})
    assert r.status_code == 403
    assert logged_in_as(browser.home(), email)


def test_login_wrong_password_is_401_page(server, browser):
    email, _ = new_account(server, "wrong")
    r = browser.login(email, "not the password")
    assert r.status_code == 401
    assert "Wrong email or password" in r.text
    assert browser.session_cookie() is None
    assert input_value(r.text, "email") == email
    assert input_value(r.text, "password") in (None, "")


def test_login_unknown_email_is_the_same_401(browser):
    r = browser.login(unique_email("ghost"), "whatever password")
    assert r.status_code == 401
    assert "Wrong email or password" in r.text


def test_login_redirects_home_and_rotates_the_session(server, browser):
    email, _ = new_account(server, "rotate")
    r = browser.login(email)
    assert r.status_code == 303
    assert location(server, r) == server.url("/")
    first = browser.session_cookie()
    assert logged_in_as(browser.home(), email)
    # a second log-in (the form posted from a logged-in browser) replaces
    # the session: no fixation, no duplicate
    r = browser.post("/login", data={"csrf_token": browser.csrf("/"),
                                     "email": email, "password": PASSWORD})
    assert r.status_code == 303
    second = browser.session_cookie()
    assert second and second != first
    r = requests.get(server.url("/"), cookies={"kg_session": first}, timeout=5)
    assert not logged_in_as(r.text, email)


def test_login_page_redirects_when_already_logged_in(server, browser):
    email, _ = new_account(server, "already")
    assert browser.login(email).status_code == 303
    r = browser.get("/login")
    assert r.status_code == 303
    assert location(server, r) == server.url("/")


@pytest.mark.parametrize("next_path", ["/some/path", "/x?y=1", "/signup"])
def test_login_follows_a_local_next(server, next_path):
    email, _ = new_account(server, "next")
    with Browser(server) as b:
        r = b.login(email, next=next_path)
        assert r.status_code == 303
        assert location(server, r) == server.url(next_path)


@pytest.mark.parametrize("evil", [
    "//evil.example",
    "//evil.example/x",
    "https://evil.example",
    "http://evil.example/",
    "/\\evil.example",
    "\\\\evil.example",
    "javascript:alert(1)",
    "evil.example",
    "/\tevil",
    " //evil.example",
])
def test_login_ignores_a_foreign_next(server, evil):
    email, _ = new_account(server, "evil")
    with Browser(server) as b:
        r = b.login(email, next=evil)
        assert r.status_code == 303
        assert location(server, r) == server.url("/"), r.headers["Location"]


def test_login_page_carries_next_into_the_form(browser):
    r = browser.get("/login", params={"next": "/apps/x"})
    assert r.status_code == 200
    assert input_value(r.text, "next") == "/apps/x"
    r = browser.get("/login", params={"next": "//evil.example"})
    assert input_value(r.text, "next") in ("/", "", None)


def test_welcome_page_when_logged_out(browser):
    page = browser.home()
    assert shows_login_link(page)
    assert re.search(r'<a[^>]*href="/signup"', page)


def test_garbage_session_cookie_is_ignored(server):
    for value in ["nonsense", "kg_sess_" + "A" * 43, "x" * 3000]:
        r = requests.get(server.url("/"), cookies={"kg_session": value},
                         timeout=5)
        assert r.status_code == 200
        assert shows_login_link(r.text)
