"""Two-step log-in (TOTP, RFC 6238; docs/REFERENCE.md §13): enrolment
from the QR code or the key, confirmed by a first code; recovery codes
shown once and good once each; a code asked at the portal's log-in, in the
client flow and for personal access tokens (X-Keygate-OTP); no code twice,
one step of drift, failures throttled; turning it off. Codes come from
Debian's oathtool at the server's test time (twostepkit.py)."""

import re
import subprocess

import pytest

import oauthkit
from kgtest import (PASSWORD, Browser, element_text, find_csrf, input_value,
                    new_account, run_cli, set_cookie)
from twostepkit import (Person, aligned, code_now, code_step, confirm,
                        enrol_page, is_logged_in, next_step, oathtool, pat,
                        password_step, recovery_codes, wrong_code)


@pytest.fixture
def srv(make_server):
    return make_server()


# --- enrolment -------------------------------------------------------------

def test_a_wrong_first_code_keeps_it_off_and_the_right_one_turns_it_on(srv):
    p = Person(srv, on=False)
    now = aligned(srv)
    page, secret, enrolment = enrol_page(p)
    r = confirm(p, page, enrolment, wrong_code(secret, now))
    assert r.status_code == 422, r.status_code
    assert recovery_codes(r.text) == []
    # the same key again, nothing stored: a password alone still logs in
    assert element_text(r.text, "totp-secret").replace(" ", "") == secret
    assert pat(srv, p.email).status_code == 201
    r = confirm(p, r.text, enrolment, code_now(srv, secret))
    assert r.status_code == 200, r.text[:500]
    assert len(recovery_codes(r.text)) == 10
    r = pat(srv, p.email)
    assert r.status_code == 401 and r.json()["error"] == "otp_required"


def test_each_enrolment_has_a_key_of_its_own_bound_to_its_session(srv):
    a, b = Person(srv, on=False), Person(srv, on=False)
    now = aligned(srv)
    page_a, secret_a, enrol_a = enrol_page(a)
    _, secret_b, enrol_b = enrol_page(b)
    assert secret_a != secret_b
    # b's sealed enrolment posted by a opens for neither: a new key
    r = confirm(a, page_a, enrol_b, oathtool(secret_b, now))
    assert r.status_code == 400
    assert element_text(r.text, "totp-secret").replace(" ", "") not in \
        (secret_a, secret_b)
    assert pat(srv, a.email).status_code == 201
    assert pat(srv, b.email).status_code == 201


def test_recovery_codes_are_shown_once(srv):
    p = Person(srv, on=False)
    aligned(srv)
    page, secret, enrolment = enrol_page(p)
    r = confirm(p, page, enrolment, code_now(srv, secret))
    codes = recovery_codes(r.text)
    assert len(set(codes)) == 10
    r = p.get("/account/two-step")
    assert r.status_code == 200
    assert recovery_codes(r.text) == [] and "recovery-codes" not in r.text
    assert element_text(r.text, "recovery-left") == \
        "Unused recovery codes: 10."
    for c in codes:
        assert c not in r.text
    # the confirming form sent again (a reload) shows none either
    next_step(srv)
    r = confirm(p, page, enrolment, code_now(srv, secret))
    assert r.status_code == 409 and recovery_codes(r.text) == []


def test_the_qr_code_carries_the_key_shown_as_text(srv, tmp_path):
    p = Person(srv, on=False)
    page, secret, _ = enrol_page(p)
    svg = re.search(r"<svg\b.*?</svg>", page, re.S)
    assert svg, "no inline SVG"
    assert "<script" not in svg.group(0).lower()   # drawn, not scripted
    (tmp_path / "qr.svg").write_text(svg.group(0))
    subprocess.run(["rsvg-convert", "-o", str(tmp_path / "qr.png"),
                    str(tmp_path / "qr.svg")], check=True, timeout=30)
    # QR codes only: a 1D reader once saw a codabar "A--A" in the squares
    r = subprocess.run(["zbarimg", "--quiet", "--raw", "-Sdisable",
                        "-Sqrcode.enable", str(tmp_path / "qr.png")],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    uri = r.stdout.strip()
    label = "keygate:" + p.email.replace("@", "%40")
    assert uri == (f"otpauth://totp/{label}?secret={secret}&issuer=keygate"
                   f"&algorithm=SHA1&digits=6&period=30"), uri


# --- the portal's log-in ------------------------------------------------------

def test_the_portal_log_in_asks_the_code_before_any_session(srv):
    p = Person(srv)
    next_step(srv)
    b = Browser(srv)
    r = password_step(b, p.email)
    assert set_cookie(r, "kg_session") is None
    assert b.session_cookie() is None and not is_logged_in(b, p.email)
    r = code_step(b, r.text, wrong_code(p.secret, srv.step_start))
    assert r.status_code == 401 and b.session_cookie() is None
    r = code_step(b, r.text, code_now(srv, p.secret), next="/apps")
    assert r.status_code == 303 and r.headers["Location"].endswith("/apps")
    assert is_logged_in(b, p.email)


def test_a_code_is_accepted_once(srv):
    p = Person(srv)
    next_step(srv)
    code = code_now(srv, p.secret)
    first, second = Browser(srv), Browser(srv)
    page1, page2 = (password_step(first, p.email).text,
                    password_step(second, p.email).text)
    assert code_step(first, page1, code).status_code == 303
    r = code_step(second, page2, code)
    assert r.status_code == 401 and second.session_cookie() is None
    # the previous step's code was good a moment ago; not after a later one
    r = code_step(second, page2, code_now(srv, p.secret, -1))
    assert r.status_code == 401
    r = pat(srv, p.email, otp=code)
    assert r.status_code == 401 and r.json()["error"] == "invalid_otp"


def test_the_password_step_proof_is_single_use_and_bound(srv):
    p = Person(srv)
    next_step(srv)
    b, other = Browser(srv), Browser(srv)
    page = password_step(b, p.email).text
    stolen = {"csrf_token": find_csrf(other.get("/login").text),
              "step_proof": input_value(page, "step_proof"),
              "code": code_now(srv, p.secret)}
    r = other.post("/login/code", data=stolen)
    assert r.status_code == 400 and other.session_cookie() is None
    pre_session = b.cookies.get("kg_csrf")
    assert code_step(b, page, code_now(srv, p.secret)).status_code == 303
    # the same browser's form again, before its session, with a new code
    next_step(srv)
    replay = Browser(srv)
    replay.cookies.set("kg_csrf", pre_session)
    r = code_step(replay, page, code_now(srv, p.secret))
    assert r.status_code == 400 and replay.session_cookie() is None


def test_the_proof_expires(srv):
    p = Person(srv)
    next_step(srv)
    b = Browser(srv)
    page = password_step(b, p.email).text
    srv.advance(300)
    aligned(srv)
    r = code_step(b, page, code_now(srv, p.secret))
    assert r.status_code == 400 and b.session_cookie() is None


def test_one_step_of_drift_either_way_and_no_more(srv):
    p = Person(srv)
    srv.advance(10 * 30)        # well past the step that turned it on
    next_step(srv)
    for k in (-2, 2):
        r = pat(srv, p.email, otp=code_now(srv, p.secret, k))
        assert r.status_code == 401 and r.json()["error"] == "invalid_otp", k
    assert pat(srv, p.email, otp=code_now(srv, p.secret, -1)).status_code \
        == 201
    assert pat(srv, p.email, otp=code_now(srv, p.secret, 1)).status_code \
        == 201
    # now step +1 was used: the current step's code is an older one
    r = pat(srv, p.email, otp=code_now(srv, p.secret))
    assert r.status_code == 401


def test_recovery_codes_work_once_each(srv):
    p = Person(srv)
    r = pat(srv, p.email, otp=p.codes[0])
    assert r.status_code == 201
    r = pat(srv, p.email, otp=p.codes[0])
    assert r.status_code == 401 and r.json()["error"] == "invalid_otp"
    b = Browser(srv)
    page = password_step(b, p.email).text
    typed = p.codes[1].replace("-", "").upper()
    assert code_step(b, page, typed).status_code == 303
    assert is_logged_in(b, p.email)
    r = p.get("/account/two-step")
    assert element_text(r.text, "recovery-left") == \
        "Unused recovery codes: 8."
    r = pat(srv, p.email, otp=p.codes[1])
    assert r.status_code == 401
    log = srv.log()             # nothing of the key or the codes is logged
    for secret in [p.secret, p.secret.lower()] + p.codes:
        assert secret not in log and secret.replace("-", "") not in log


def test_wrong_codes_are_throttled_per_account(srv):
    p = Person(srv)
    next_step(srv)
    wrong = wrong_code(p.secret, srv.step_start)
    for _ in range(5):
        r = pat(srv, p.email, otp=wrong)
        assert r.status_code == 401 and r.json()["error"] == "invalid_otp"
    r = pat(srv, p.email, otp=code_now(srv, p.secret))
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0
    # a right password in the portal does not wipe the count
    b = Browser(srv)
    page = password_step(b, p.email).text
    r = code_step(b, page, code_now(srv, p.secret))
    assert r.status_code == 429 and b.session_cookie() is None
    srv.advance(15 * 60)
    next_step(srv)
    assert pat(srv, p.email, otp=code_now(srv, p.secret)).status_code == 201


# --- personal access tokens ---------------------------------------------------

def test_personal_tokens_need_x_keygate_otp(srv):
    p = Person(srv)
    next_step(srv)
    r = pat(srv, p.email)
    assert r.status_code == 401
    assert r.json()["error"] == "otp_required"
    assert r.headers["WWW-Authenticate"].startswith("Basic ")
    r = pat(srv, p.email, otp="")
    assert r.status_code == 401 and r.json()["error"] == "otp_required"
    r = pat(srv, p.email, "wrong password!", otp=code_now(srv, p.secret))
    assert r.status_code == 401 and r.json()["error"] == "unauthorized"
    r = pat(srv, p.email, otp="12345x")
    assert r.status_code == 401 and r.json()["error"] == "invalid_otp"
    r = pat(srv, p.email, otp=" ".join(code_now(srv, p.secret)))
    assert r.status_code == 201, r.text
    assert r.json()["token"]
    other_email, _ = new_account(srv, "plain")
    assert pat(srv, other_email).status_code == 201


# --- the client flow ------------------------------------------------------------

def test_the_client_flow_asks_the_code_after_the_password(make_server):
    srv = oauthkit.oauth_server(make_server)
    app = oauthkit.make_app(srv, implicit=True)
    p = Person(srv)
    next_step(srv)
    pairs = oauthkit.auth_params(app, response_type="token", state="s2")
    r = oauthkit.authorize(p, pairs)
    r = oauthkit.submit_grant(p, r.text, "login", password=p.password)
    assert r.status_code == 200
    form = oauthkit.grant_form(r.text)
    assert oauthkit.has_input(form, "code")
    assert oauthkit.decision_values(form) == ["code"]
    assert not oauthkit.has_input(form, "login_proof")
    r2 = oauthkit.submit_grant(p, r.text, "code", override={
        "code": wrong_code(p.secret, srv.step_start)})
    assert r2.status_code == 401
    assert not oauthkit.has_input(oauthkit.grant_form(r2.text),
                                  "login_proof")
    r = oauthkit.submit_grant(p, r2.text, "code",
                              override={"code": code_now(srv, p.secret)})
    assert r.status_code == 200, r.text[:500]
    r = oauthkit.submit_grant(p, r.text, "allow")
    res = oauthkit.redirect_result(r, app.redirect_uri, "fragment")
    assert res["access_token"] and res["state"] == "s2"
    # the same code step again: refused
    r = oauthkit.authorize(p, pairs)
    r = oauthkit.submit_grant(p, r.text, "login", password=p.password)
    r = oauthkit.submit_grant(p, r.text, "code",
                              override={"code": code_now(srv, p.secret)})
    assert r.status_code == 401
    # the code form that succeeded, sent again with a later code: its
    # password step was used up, so it starts over
    next_step(srv)
    r = oauthkit.submit_grant(p, r2.text, "code",
                              override={"code": code_now(srv, p.secret)})
    assert r.status_code == 400 and "Log in again" in r.text
    assert not oauthkit.has_input(oauthkit.grant_form(r.text), "code")


# --- turning it off ---------------------------------------------------------------

def test_turning_it_off_needs_the_password_and_a_code(srv):
    p = Person(srv)
    next_step(srv)

    def off(password, code):
        page = p.get("/account/two-step").text
        return p.post("/account/two-step/off", data={
            "csrf_token": find_csrf(page), "password": password,
            "code": code})

    r = off("wrong password!", code_now(srv, p.secret))
    assert r.status_code == 401
    r = off(PASSWORD, wrong_code(p.secret, srv.step_start))
    assert r.status_code == 401
    assert pat(srv, p.email).json()["error"] == "otp_required"
    r = off(PASSWORD, code_now(srv, p.secret))
    assert r.status_code == 200
    assert element_text(r.text, "totp-secret")     # a new key, to turn on
    assert pat(srv, p.email).status_code == 201
    b = Browser(srv)
    assert b.login(p.email, PASSWORD).status_code == 303


def test_pages_need_a_session_and_forms_their_fields(srv):
    b = Browser(srv)
    r = b.get("/account/two-step")
    assert r.status_code == 303 and "/login" in r.headers["Location"]
    p = Person(srv, on=False)
    page, _, enrolment = enrol_page(p)
    csrf = find_csrf(page)
    for data in ({"csrf_token": csrf, "enrolment": enrolment},
                 {"csrf_token": csrf, "enrolment": enrolment,
                  "code": "1" * 65},
                 {"csrf_token": csrf, "enrolment": enrolment, "code": "1",
                  "extra": "x"},
                 {"enrolment": enrolment, "code": "123456"}):
        r = p.post("/account/two-step", data=data)
        assert 400 <= r.status_code < 500, (data, r.status_code)
    r = p.post("/account/two-step", data={"csrf_token": csrf,
                                          "enrolment": "x" * 40,
                                          "code": "123456"})
    assert r.status_code == 400
    r = b.post("/login/code", data={"csrf_token": find_csrf(
        b.get("/login").text), "step_proof": "garbage", "code": "123456"})
    assert r.status_code == 400
    assert pat(srv, p.email).status_code == 201


def test_oathtool_agrees_with_rfc_6238():
    # RFC 6238 Appendix B, SHA-1, 8 digits cut to the last 6
    secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"   # "12345678901234567890"
    assert oathtool(secret, 59) == "287082"
    assert oathtool(secret, 1111111109) == "081804"


def test_the_operator_turns_it_off_for_an_owner_who_lost_everything(srv):
    """`keygate account reset-2fa EMAIL`: the password alone logs in
    again, and personal tokens need no code; a second reset says it was
    off and changes nothing."""
    p = Person(srv)
    assert pat(srv, p.email).status_code == 401
    r = run_cli("account", "reset-2fa", p.email, "--db", srv.db)
    assert r.returncode == 0, (r.stdout, r.stderr)
    b = Browser(srv)
    r = b.login(p.email, PASSWORD)
    assert r.status_code == 303, (r.status_code, r.text[:300])
    assert b.session_cookie() is not None and is_logged_in(b, p.email)
    assert pat(srv, p.email).status_code == 201
    r = run_cli("account", "reset-2fa", p.email, "--db", srv.db)
    assert r.returncode == 1 and "no two-step log-in" in r.stderr
    r = run_cli("account", "reset-2fa", "nobody@example.test", "--db",
                srv.db)
    assert r.returncode == 1 and "no account" in r.stderr
