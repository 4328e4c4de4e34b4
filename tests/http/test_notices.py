"""Notices by mail (docs/REFERENCE.md §12, "Notices"): an account is
mailed when a new secret is made for one of its apps (portal, API, `keygate
app secret`), its password is set by an operator, two-step log-in is turned
on or off (by the owner or `keygate account reset-2fa`), and when a refresh
token of one of its apps is used twice: that one at most once an hour per
app. Each says when and from where, and holds nothing secret; a mail
server that is down fails none of these requests. Mails are read from the
server's Maildir."""

import time
import uuid

import pytest

from kgtest import find_csrf, free_port, run_cli
from maildirkit import Mailbox, body
from oauthkit import (User, approve, get_tokens, make_app, refresh,
                      token_error, tokens_ok)
from smtpkit import queue_mail
from twostepkit import Person, code_now, next_step

HOUR = 3600
EARLY_S = 120       # more than the test's own time between two notices
NEW_PASSWORD = "a new horse battery staple"
SECRET = "A new secret for your"
REUSE = "was used twice"


@pytest.fixture
def world(make_server, tmp_path):
    box = Mailbox(tmp_path / "mail")
    return make_server(*box.flags(), "--brand", "Acme Cloud"), box


def settle(srv, box):
    """Waits until every mail queued before this call was delivered: the
    sender takes the queue in order, so a mail queued now arrives last."""
    to = f"settle-{uuid.uuid4().hex[:8]}@example.com"
    assert queue_mail(srv, to, "settle", "-").status_code == 202
    box.wait(to, "settle")


def only(box, to, subject):
    """The one mail to `to` with `subject` in its subject."""
    got = box.to(to, subject)
    assert len(got) == 1, [str(m["Subject"]) for m in box.to(to)]
    return got[0]


def no_secret_in(msg, *secrets):
    text = msg.as_string()
    for s in secrets:
        assert s not in text


def cli(srv, *args, **kw):
    r = run_cli(*args, "--db", srv.db, "--issuer", srv.url(""),
                "--brand", "Acme Cloud", **kw)
    assert r.returncode == 0, r.stderr
    return r


# --- a new secret ------------------------------------------------------------

def test_a_new_secret_through_the_api_mails_the_owner_once(world):
    srv, box = world
    app = make_app(srv)
    settle(srv, box)
    msg = only(box, app.dev.email, SECRET)
    assert str(msg["Subject"]) == "A new secret for your Acme Cloud app"
    text = body(msg)
    assert app.key in text and app.json["name"] in text
    assert "From: 127.0.0.1" in text and "(UTC)" in text
    assert f"http://127.0.0.1:8080/apps/{app.key}" in text   # --issuer's
    no_secret_in(msg, app.secret, app.dev.pat)

    second = app.new_secret()
    settle(srv, box)
    assert len(box.to(app.dev.email, SECRET)) == 2
    no_secret_in(box.to(app.dev.email, SECRET)[-1], second, app.secret)


def test_a_new_secret_in_the_portal_mails_the_owner(world):
    srv, box = world
    dev = User(srv, "portal-secret")
    app = make_app(srv, dev, secret=False)
    r = dev.submit(f"/apps/{app.key}/secret", f"/apps/{app.key}/secret", {})
    assert r.status_code == 303, (r.status_code, r.text[:300])
    shown = dev.get(f"/apps/{app.key}/secret/new").text
    msg = box.wait(dev.email, SECRET)
    assert "From: 127.0.0.1" in body(msg)
    settle(srv, box)
    assert len(box.to(dev.email, SECRET)) == 1
    secret = [w for w in shown.replace("<", " ").replace(">", " ").split()
              if w.startswith("kg_sk_")]
    assert secret, "the page showed the secret"
    no_secret_in(msg, *secret)


def test_keygate_app_secret_mails_the_owner(world):
    srv, box = world
    app = make_app(srv, secret=False)
    r = cli(srv, "app", "secret", app.key)
    secret = r.stdout.strip()
    msg = box.wait(app.dev.email, SECRET)       # the server sends it
    text = body(msg)
    assert "an operator of this server" in text
    assert srv.url(f"/apps/{app.key}") in text
    no_secret_in(msg, secret)


# --- the password, the address -----------------------------------------------

def test_keygate_account_passwd_mails_once(world):
    srv, box = world
    user = User(srv, "passwd")
    cli(srv, "account", "passwd", user.email, input=NEW_PASSWORD + "\n")
    msg = box.wait(user.email, "Your password was changed")
    no_secret_in(msg, NEW_PASSWORD, user.password)
    settle(srv, box)
    assert len(box.to(user.email, "password was changed")) == 1


def test_the_account_page_password_mails_once(world):
    srv, box = world
    user = User(srv, "pwpage")
    r = user.submit("/account", "/account/password", {
        "current_password": user.password, "new_password": NEW_PASSWORD})
    assert r.status_code == 200, (r.status_code, r.text[:300])
    box.wait(user.email, "Your password was changed")
    settle(srv, box)
    assert len(box.to(user.email, "password was changed")) == 1


# --- two-step log-in ---------------------------------------------------------

def test_two_step_on_and_off_by_the_owner_and_an_operator(world):
    srv, box = world
    p = Person(srv, on=True, prefix="notice2fa")
    on = box.wait(p.email, "turned on")
    assert str(on["Subject"]) == ("Two-step log-in was turned on for your "
                                  "Acme Cloud account")
    assert "From: 127.0.0.1" in body(on)
    no_secret_in(on, p.secret, *p.codes)

    next_step(srv)
    page = p.get("/account/two-step").text
    r = p.post("/account/two-step/off", data={
        "csrf_token": find_csrf(page), "password": p.password,
        "code": code_now(srv, p.secret)})
    assert r.status_code == 200, r.text[:300]
    off = box.wait(p.email, "turned off")
    assert "From: 127.0.0.1" in body(off)

    next_step(srv)
    p.turn_on()
    box.wait(p.email, "turned on")
    cli(srv, "account", "reset-2fa", p.email)
    by_operator = box.wait(p.email, "turned off")
    assert "an operator of this server" in body(by_operator)
    settle(srv, box)
    assert len(box.to(p.email, "turned on")) == 2
    assert len(box.to(p.email, "turned off")) == 2


# --- refresh-token reuse -----------------------------------------------------

@pytest.fixture
def granted(world):
    srv, box = world
    app, other = make_app(srv), make_app(srv)
    user = User(srv, "reuser")
    approve(user, app)
    approve(user, other)
    return srv, box, app, other, user


def reuse(user, app):
    """A refresh token used, then presented again: invalid_grant."""
    t1 = get_tokens(user, app)
    tokens_ok(refresh(app, t1["refresh_token"]))
    t0 = time.monotonic()
    token_error(refresh(app, t1["refresh_token"]), "invalid_grant")
    return time.monotonic() - t0


def test_refresh_reuse_mails_the_owner_once_an_hour(granted):
    srv, box, app, other, user = granted
    reuse(user, app)
    msg = box.wait(app.dev.email, REUSE)
    assert str(msg["Subject"]) == ("A refresh token of your Acme Cloud app "
                                   "was used twice")
    assert app.key in body(msg) and user.email not in body(msg)

    reuse(user, app)
    reuse(user, app)
    # the worker takes reuses in order: once the other app's notice is
    # delivered, a second one of the first app would have been too
    reuse(user, other)
    box.wait(other.dev.email, REUSE)
    settle(srv, box)
    assert len(box.to(app.dev.email, REUSE)) == 1

    # still within the hour: no mail (a third app's notice, mailed after
    # it, shows the worker got this far)
    srv.advance(HOUR - EARLY_S)
    third = make_app(srv)
    approve(user, third)
    reuse(user, app)
    reuse(user, third)
    box.wait(third.dev.email, REUSE)
    settle(srv, box)
    assert len(box.to(app.dev.email, REUSE)) == 1

    srv.advance(EARLY_S)
    reuse(user, app)
    box.wait(app.dev.email, REUSE)
    settle(srv, box)
    assert len(box.to(app.dev.email, REUSE)) == 2


def test_a_refresh_token_mailed_about_is_not_in_the_mail(granted):
    srv, box, app, _, user = granted
    t1 = get_tokens(user, app)
    t2 = tokens_ok(refresh(app, t1["refresh_token"]))
    token_error(refresh(app, t1["refresh_token"]), "invalid_grant")
    msg = box.wait(app.dev.email, REUSE)
    no_secret_in(msg, t1["refresh_token"], t2["refresh_token"],
                 t2["access_token"], app.secret)


# --- a mail server that is down ----------------------------------------------

@pytest.mark.alone("a refresh answered within 1 s")
def test_a_mail_server_down_fails_no_request(make_server):
    srv = make_server("--smtp-url", f"smtp://127.0.0.1:{free_port()}")
    app = make_app(srv)                                 # a secret: 201
    app.new_secret()
    user = User(srv, "down")
    approve(user, app)
    assert reuse(user, app) < 1.0
    p = Person(srv, on=True, prefix="down2fa")
    assert p.codes
