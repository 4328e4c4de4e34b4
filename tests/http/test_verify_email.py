"""Email verification (docs/REFERENCE.md, "Accounts"): sign-up mails a
link to /verify-email (single use, 24 h, the newest one only); following
it marks the address verified in the account JSON and on the portal;
--require-verified-email keeps unverified accounts from creating apps,
generating secrets and granting access; "Send the link again" is
throttled. Mails are read from the server's Maildir (--mail-dir)."""

import pytest
import requests

from kgtest import (Browser, bearer, create_app, find_csrf, new_account,
                    new_app, new_app_secret, new_pat, signup, unique_email)
from maildirkit import Mailbox, link_token, verified_account, verify_link
import oauthkit

DAY = 24 * 3600


@pytest.fixture
def world(make_server, tmp_path):
    box = Mailbox(tmp_path / "mail")
    return make_server(*box.flags()), box


def account_json(server, pat):
    r = requests.get(server.url("/api/v1/account"), headers=bearer(pat),
                     timeout=10)
    assert r.status_code == 200, (r.status_code, r.text)
    return r.json()


def test_signup_mails_a_link_that_verifies_the_address(world):
    srv, box = world
    email = unique_email("ann")
    r = signup(srv, email)
    assert r.status_code == 201
    assert r.json()["email_verified"] is False
    pat = new_pat(srv, email, "correct horse battery")["token"]
    assert account_json(srv, pat)["email_verified"] is False

    msg = box.wait(email, "Confirm your email address")
    assert msg["From"] is not None and msg["Message-ID"] is not None
    token = link_token(msg, "/verify-email")
    assert token.startswith("kg_ev_")
    with Browser(srv) as b:
        page = b.get("/verify-email?token=" + token)
        assert page.status_code == 200
        # the GET only shows a form: still unverified
        assert account_json(srv, pat)["email_verified"] is False
        r = b.post("/verify-email", data={
            "csrf_token": find_csrf(page.text), "token": token})
        assert r.status_code == 200, r.text[:300]
        assert "confirmed" in r.text
    j = account_json(srv, pat)
    assert j["email_verified"] is True
    assert j["email"] == email and j["account_id"].isdigit()
    assert j["created_at"].endswith("Z")

    with Browser(srv) as b:
        assert b.login(email).status_code == 303
        page = b.get("/account").text
        assert 'id="email-verified">Yes<' in page
        assert "Send the link again" not in page


def test_portal_signup_mails_too_and_the_account_page_says_not_yet(world):
    srv, box = world
    email = unique_email("bob")
    with Browser(srv) as b:
        assert b.signup(email).status_code == 303
        page = b.get("/account")
        assert page.status_code == 200
        assert 'id="email-verified">Not yet<' in page.text
        assert "Send the link again" in page.text
        token = link_token(box.wait(email, "Confirm"), "/verify-email")
        assert verify_link(b, token).status_code == 200
        assert 'id="email-verified">Yes<' in b.get("/account").text


def test_a_link_works_once(world):
    srv, box = world
    email, _ = new_account(srv, "once")
    token = link_token(box.wait(email, "Confirm"), "/verify-email")
    with Browser(srv) as b:
        page = b.get("/verify-email?token=" + token)
        csrf = find_csrf(page.text)
        assert b.post("/verify-email", data={
            "csrf_token": csrf, "token": token}).status_code == 200
        again = b.post("/verify-email", data={
            "csrf_token": csrf, "token": token})
        assert again.status_code == 400
        assert "does not work" in again.text
        assert b.get("/verify-email?token=" + token).status_code == 400


def test_a_link_expires_after_24_hours(world):
    srv, box = world
    email, password = new_account(srv, "late")
    pat = new_pat(srv, email, password)["token"]
    token = link_token(box.wait(email, "Confirm"), "/verify-email")
    srv.advance(DAY - 60)
    with Browser(srv) as b:
        page = b.get("/verify-email?token=" + token)
        assert page.status_code == 200, "still good just before 24 h"
        srv.advance(61)
        r = b.post("/verify-email", data={
            "csrf_token": find_csrf(page.text), "token": token})
        assert r.status_code == 400
        assert "too old" in r.text
    assert account_json(srv, pat)["email_verified"] is False


@pytest.mark.parametrize("token", [
    "garbage", "kg_ev_" + "A" * 43 + "A", "kg_ev_" + "A" * 43,
    "kg_pr_" + "A" * 43, "x" * 5000, "kg_ev_%FF%FE" + "A" * 41, "",
])
def test_bad_tokens_get_a_4xx_page_and_change_nothing(world, token):
    srv, box = world
    email, password = new_account(srv, "bad")
    pat = new_pat(srv, email, password)["token"]
    with Browser(srv) as b:
        r = b.get("/verify-email?token=" + token)
        assert 400 <= r.status_code < 500, r.status_code
        assert "<h1>" in r.text
        csrf = b.csrf("/password/forgot")
        r = b.post("/verify-email", data={"csrf_token": csrf,
                                           "token": token})
        assert 400 <= r.status_code < 500, r.status_code
    assert account_json(srv, pat)["email_verified"] is False


def test_confirming_needs_the_csrf_token(world):
    srv, box = world
    email, password = new_account(srv, "csrf")
    pat = new_pat(srv, email, password)["token"]
    token = link_token(box.wait(email, "Confirm"), "/verify-email")
    with Browser(srv) as b:
        b.get("/verify-email?token=" + token)
        r = b.post("/verify-email", data={"token": token})
        assert r.status_code == 403
    assert account_json(srv, pat)["email_verified"] is False
    with Browser(srv) as b:
        assert verify_link(b, token).status_code == 200, "link still good"


def test_resend_kills_the_older_link_and_is_throttled(world):
    srv, box = world
    email = unique_email("again")
    with Browser(srv) as b:
        assert b.signup(email).status_code == 303
        first = link_token(box.wait(email, "Confirm"), "/verify-email")
        # each link read before the next is asked for: mails written
        # within one tick of the file system's clock have the same mtime,
        # and the Maildir's names (random) do not say which came last
        for i in range(3):
            r = b.submit("/account", "/account/verify-email", {})
            assert r.status_code == 200, (i, r.status_code)
            assert "We sent a new link" in r.text
            newest = link_token(box.wait(email, "Confirm"), "/verify-email")
        r = b.submit("/account", "/account/verify-email", {})
        assert r.status_code == 429
        assert int(r.headers["Retry-After"]) > 0
        assert len(box.to(email)) == 4, "no mail past the limit"
        assert b.get("/verify-email?token=" + first).status_code == 400
        assert verify_link(b, newest).status_code == 200
        r = b.submit("/account", "/account/verify-email", {})
        assert "verified already" in r.text


def test_resend_needs_csrf_and_a_session(world):
    srv, box = world
    with Browser(srv) as b:
        r = b.post("/account/verify-email", data={})
        assert r.status_code == 303 and "/login" in r.headers["Location"]
        assert b.signup(unique_email("c")).status_code == 303
        assert b.post("/account/verify-email", data={
            "csrf_token": "forged"}).status_code == 403


# --- --require-verified-email ----------------------------------------------

@pytest.fixture
def strict(make_server, tmp_path):
    box = Mailbox(tmp_path / "mail")
    return make_server("--require-verified-email", *box.flags()), box


def test_unverified_accounts_cannot_create_apps_until_verified(strict):
    srv, box = strict
    email, password = new_account(srv, "strict")
    pat = new_pat(srv, email, password)["token"]
    r = create_app(srv, pat, {"name": "Mine",
                              "redirect_uris": ["https://a.example/cb"]})
    assert r.status_code == 403
    assert r.json()["error"] == "email_unverified"
    assert requests.get(srv.url("/api/v1/apps"), headers=bearer(pat),
                        timeout=10).json() == [], "nothing half-made"
    with Browser(srv) as b:
        assert b.login(email, password).status_code == 303
        r = b.submit("/apps/new", "/apps", {"name": "From portal"})
        assert r.status_code == 403
        assert "Verify your email address first" in r.text
        assert "Send the link again" in r.text
        token = link_token(box.wait(email, "Confirm"), "/verify-email")
        assert verify_link(b, token).status_code == 200
        assert b.submit("/apps/new", "/apps",
                        {"name": "From portal"}).status_code == 303
    assert create_app(srv, pat, {"name": "Now",
                                 "redirect_uris": ["https://a.example/cb"]}
                      ).status_code == 201


def test_unverified_accounts_cannot_generate_secrets(make_server, tmp_path):
    box = Mailbox(tmp_path / "mail")
    lax = make_server(*box.flags())
    email, password = new_account(lax, "sec")
    pat = new_pat(lax, email, password)["token"]
    key = new_app(lax, pat, redirect_uris=["https://a.example/cb"])["api_key"]
    lax.stop()
    srv = make_server("--require-verified-email", *box.flags(), db=lax.db)
    r = new_app_secret(srv, pat, key)
    assert r.status_code == 403
    assert r.json()["error"] == "email_unverified"
    with Browser(srv) as b:
        assert b.login(email, password).status_code == 303
        r = b.submit(f"/apps/{key}/secret", f"/apps/{key}/secret", {})
        assert r.status_code == 403
        assert "Verify your email address first" in r.text
        token = link_token(box.wait(email, "Confirm"), "/verify-email")
        assert verify_link(b, token).status_code == 200
    assert new_app_secret(srv, pat, key).status_code == 201


def test_unverified_accounts_cannot_grant_access(strict):
    srv, box = strict
    dev_email, dev_password = verified_account(srv, box)
    dev = oauthkit.Dev.__new__(oauthkit.Dev)
    dev.server, dev.email, dev.password = srv, dev_email, dev_password
    dev.pat = new_pat(srv, dev_email, dev_password)["token"]
    app = oauthkit.make_app(srv, dev)
    user = oauthkit.User(srv, "enduser")
    pairs = oauthkit.auth_params(app)
    r = oauthkit.authorize(user, pairs)
    assert r.status_code == 403
    assert "Verify your email address first" in r.text
    assert "Location" not in r.headers
    # a hand-made Allow is refused too, and no code is issued
    r = user.post("/oauth2/authorize", data=pairs + [
        ("csrf_token", find_csrf(r.text)), ("decision", "allow")])
    assert r.status_code == 403
    assert "Location" not in r.headers
    token = link_token(box.wait(user.email, "Confirm"), "/verify-email")
    assert verify_link(user, token).status_code == 200
    result, _ = oauthkit.approve(user, app)
    assert "code" in result


def test_signup_verifies_from_a_mail_read_off_a_real_smtp_server(
        make_server, smtp):
    """The whole way a person goes: keygate hands the mail to an SMTP
    server (aiosmtpd, no code of keygate's), the link in what that server
    received verifies the address."""
    srv = make_server("--smtp-url", smtp.url)
    email = unique_email("smtp")
    assert signup(srv, email).status_code == 201
    got = [m for m in smtp.wait_for(1) if email in m.rcpt_tos]
    assert len(got) == 1, got
    msg = got[0].message
    assert "Confirm your email address" in msg["Subject"]
    token = link_token(msg, "/verify-email")
    with Browser(srv) as b:
        r = verify_link(b, token)
        assert r.status_code == 200 and "confirmed" in r.text
    pat = new_pat(srv, email, "correct horse battery")["token"]
    assert account_json(srv, pat)["email_verified"] is True
