"""Helpers for the two-step log-in tests (docs/REFERENCE.md §13).

Codes are computed by Debian's `oathtool` (the OATH Toolkit's command),
never by keygate's code, at the server's own time: each test moves its
server's test clock to one second into a fresh 30-second step
(`aligned()`), which leaves the test about 27 s of wall time in which the
server's current step is known; `code_now(server, secret, k)` is the code
of k steps from it. A test that needs a later code moves the clock on to
a fresh step (`next_step()`)."""

import re
import subprocess
import time

import requests

import kgtest
from kgtest import PASSWORD, Browser, element_text, find_csrf, input_value

STEP_S = 30
CODE_RE = re.compile(r"<li><code>([a-z2-7]{4}(?:-[a-z2-7]{4}){3})</code></li>")


def oathtool(secret, at):
    """The 6-digit TOTP code of base32 `secret` at Unix time `at`."""
    r = subprocess.run(["oathtool", "--totp", "-b", "--now", f"@{at}",
                        secret], capture_output=True, text=True, timeout=10)
    assert r.returncode == 0, r.stderr
    code = r.stdout.strip()
    assert re.fullmatch(r"\d{6}", code), code
    return code


def wrong_code(secret, at):
    """A code that is none of those of the steps around `at` (±2)."""
    taken = {oathtool(secret, at + k * STEP_S) for k in range(-2, 3)}
    right = oathtool(secret, at)
    for d in range(1, 10):
        code = right[:-1] + str((int(right[-1]) + d) % 10)
        if code not in taken:
            return code
    raise AssertionError("no wrong code found")


def aligned(server):
    """Moves the server's clock to a second or two into a fresh step (at
    least one step on); returns the server's time then. Its step is that
    time // 30 for the next ~27 s of wall time."""
    for _ in range(3):
        now = server.advance(1)
        now = server.advance(STEP_S - now % STEP_S + 1)
        if now % STEP_S in (1, 2):
            break
    assert now % STEP_S in (1, 2), now
    server.step_start = now
    server.step_wall = time.monotonic()
    return now


def next_step(server):
    """A fresh step, at least one on: aligned()."""
    return aligned(server)


def code_now(server, secret, steps=0):
    """The code of the server's current step (plus `steps`)."""
    assert time.monotonic() - server.step_wall < STEP_S - 3, \
        "the test outran its step"
    return oathtool(secret, server.step_start + steps * STEP_S)


def enrol_page(b):
    """GET /account/two-step while it is off: (page, secret, enrolment)."""
    r = b.get("/account/two-step")
    assert r.status_code == 200, (r.status_code, r.text[:300])
    secret = element_text(r.text, "totp-secret").replace(" ", "")
    assert re.fullmatch(r"[A-Z2-7]{32}", secret), secret
    return r.text, secret, input_value(r.text, "enrolment")


def confirm(b, page, enrolment, code):
    return b.post("/account/two-step", data={
        "csrf_token": find_csrf(page), "enrolment": enrolment,
        "code": code})


def recovery_codes(page):
    return CODE_RE.findall(page)


class Person(Browser):
    """An account logged in through the portal, with two-step log-in on
    (`secret`, `codes`) unless on=False."""

    def __init__(self, server, on=True, prefix="twostep"):
        super().__init__(server)
        self.email, self.password = kgtest.new_account(server, prefix)
        r = self.login(self.email, self.password)
        assert r.status_code == 303, (r.status_code, r.text[:300])
        self.secret, self.codes = None, []
        if on:
            self.turn_on()

    def turn_on(self):
        aligned(self.server)
        page, self.secret, enrolment = enrol_page(self)
        r = confirm(self, page, enrolment, code_now(self.server, self.secret))
        assert r.status_code == 200, (r.status_code, r.text[:500])
        self.codes = recovery_codes(r.text)
        assert len(self.codes) == 10, r.text
        return r


def password_step(b, email, password=PASSWORD):
    """Logs in with the password; returns the page asking the code."""
    r = b.login(email, password)
    assert r.status_code == 200, (r.status_code, r.text[:300])
    assert input_value(r.text, "step_proof"), r.text[:500]
    return r


def code_step(b, page, code, next=None):
    data = {"csrf_token": find_csrf(page),
            "step_proof": input_value(page, "step_proof"), "code": code}
    if next is not None:
        data["next"] = next
    return b.post("/login/code", data=data)


def pat(server, email, password=PASSWORD, otp=None):
    """POST /api/v1/access-tokens, with X-Keygate-OTP when otp is given."""
    headers = {"Authorization": kgtest.basic(email, password)}
    if otp is not None:
        headers["X-Keygate-OTP"] = otp
    return requests.post(server.url("/api/v1/access-tokens"),
                         headers=headers, timeout=10)


def is_logged_in(b, email):
    return kgtest.logged_in_as(b.home(), email)
