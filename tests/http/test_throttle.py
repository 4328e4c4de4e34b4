"""Failed log-ins are throttled per account and per client address: in 15
minutes, 5 failures per account, 5 per (account, address), 20 per address
(an IPv6 client counted by its /64). The per-account count spares a browser
holding the account's device cookie and never applies to HTTP Basic
callers, so strangers cannot lock the owner out. Attempts are counted
before the password is checked, so parallel ones cannot pass a limit. At
most 20 personal access tokens are made per account an hour. Each test has
its own server, since the throttles are process state."""

import http.client
import secrets
from concurrent.futures import ThreadPoolExecutor

import requests

from kgtest import (Browser, basic, create_pat, input_value, list_pats,
                    new_account, set_cookie, unique_email)

WINDOW_S = 15 * 60
DEVICE = "kg_device"
OWNER_IP = "198.51.100.10"


def retry_after(r):
    v = r.headers.get("Retry-After")
    assert v is not None, "no Retry-After header"
    assert v.isdigit(), v
    return int(v)


def pat_from(server, source_ip, email, password):
    """POST /api/v1/access-tokens from another loopback address."""
    conn = http.client.HTTPConnection(server.host, server.port, timeout=10,
                                      source_address=(source_ip, 0))
    try:
        conn.request("POST", "/api/v1/access-tokens",
                     headers={"Authorization": basic(email, password)})
        return conn.getresponse().status
    finally:
        conn.close()


def test_five_failures_lock_the_account_for_15_minutes(fresh_server):
    srv = fresh_server
    email, password = new_account(srv)
    for i in range(5):
        r = create_pat(srv, email, f"wrong password {i}")
        assert r.status_code == 401, (i, r.status_code)
    r = create_pat(srv, email, password)
    assert r.status_code == 429, r.text
    assert 0 < retry_after(r) <= WINDOW_S
    # the lock holds for the whole window...
    srv.advance(WINDOW_S - 60)
    assert create_pat(srv, email, password).status_code == 429
    # ...and ends with it
    srv.advance(61 + 60)
    r = create_pat(srv, email, password)
    assert r.status_code == 201, r.text


def test_account_lock_does_not_spread_to_other_accounts(fresh_server):
    srv = fresh_server
    victim, _ = new_account(srv, "victim")
    other = new_account(srv, "other")
    for i in range(5):
        assert create_pat(srv, victim, f"guess {i}").status_code == 401
    assert create_pat(srv, *other).status_code == 201


def test_locked_account_is_locked_for_the_log_in_form_too(fresh_server):
    srv = fresh_server
    email, password = new_account(srv)
    for i in range(5):
        assert create_pat(srv, email, f"guess {i}").status_code == 401
    with Browser(srv) as b:
        r = b.login(email, password)
        assert r.status_code == 429
        assert 0 < retry_after(r) <= WINDOW_S
        assert "too many" in r.text.lower(), r.text
        assert b.session_cookie() is None
        assert email not in b.home() or 'action="/logout"' not in b.home()


def test_login_form_failures_count_and_show_a_clear_message(fresh_server):
    srv = fresh_server
    email, password = new_account(srv)
    with Browser(srv) as b:
        for i in range(5):
            r = b.login(email, f"guess {i}")
            assert r.status_code == 401
        r = b.login(email, password)
        assert r.status_code == 429
        text = r.text.lower()
        assert "too many" in text and "try again" in text, r.text
        assert b.session_cookie() is None
    assert create_pat(srv, email, password).status_code == 429


def test_success_before_the_limit_resets_the_account_count(fresh_server):
    srv = fresh_server
    email, password = new_account(srv)
    for i in range(4):
        assert create_pat(srv, email, f"guess {i}").status_code == 401
    assert create_pat(srv, email, password).status_code == 201
    for i in range(4):
        assert create_pat(srv, email, f"guess {i}").status_code == 401
    assert create_pat(srv, email, password).status_code == 201


def test_twenty_failures_from_one_address_block_it(fresh_server):
    srv = fresh_server
    email, password = new_account(srv)
    # 20 failures, each for a different (mostly unknown) email, so no
    # single account reaches its own limit
    for i in range(20):
        r = create_pat(srv, unique_email(f"spray{i}"), "wrong password")
        assert r.status_code == 401, (i, r.status_code)
    r = create_pat(srv, email, password)
    assert r.status_code == 429, r.text
    assert 0 < retry_after(r) <= WINDOW_S
    with Browser(srv) as b:
        assert b.login(email, password).status_code == 429
    # another client address is not blocked
    assert pat_from(srv, "127.0.0.2", email, password) == 201
    srv.advance(WINDOW_S + 1)
    assert create_pat(srv, email, password).status_code == 201


def test_bad_bearer_tokens_are_throttled_per_address(fresh_server):
    srv = fresh_server
    good = create_pat(srv, *new_account(srv)).json()["token"]
    for i in range(20):
        r = list_pats(srv, "kg_pat_" + secrets.token_urlsafe(32))
        assert r.status_code == 401, (i, r.status_code)
    r = list_pats(srv, "kg_pat_" + secrets.token_urlsafe(32))
    assert r.status_code == 429
    assert retry_after(r) > 0
    srv.advance(WINDOW_S + 1)
    assert list_pats(srv, good).status_code == 200


def test_signup_form_is_rate_limited_too(make_server):
    srv = make_server("--signup-rate", "1")
    with Browser(srv) as b:
        assert b.signup(unique_email("first")).status_code == 303
    with Browser(srv) as b:
        email = unique_email("second")
        r = b.signup(email)
        assert r.status_code == 429
        assert retry_after(r) > 0
        assert "try again" in r.text.lower()
        assert b.session_cookie() is None
        assert input_value(r.text, "email") == email


# --- device cookies, per-(account, address), Basic, parallel, IPv6 -------

def xff(addr):
    return {"X-Forwarded-For": addr}


def pat_at(srv, email, password, addr):
    """POST /api/v1/access-tokens with HTTP Basic, from client `addr`."""
    return requests.post(srv.url("/api/v1/access-tokens"), timeout=10,
                         headers=dict(xff(addr), Authorization=basic(
                             email, password)))


def proxied(make_server):
    """A server that takes the client address from X-Forwarded-For, so one
    test can speak from many addresses."""
    return make_server("--trusted-proxy", "127.0.0.1")


def browser_at(srv, addr, device=None):
    b = Browser(srv)
    b.headers.update(xff(addr))
    if device is not None:
        b.cookies.set(DEVICE, device, domain=srv.host, path="/")
    return b


def owners_device_cookie(srv, email, password):
    """Logs the owner in from OWNER_IP; returns the device cookie value
    that browser was given (after checking how it was set)."""
    with browser_at(srv, OWNER_IP) as b:
        r = b.login(email, password)
        assert r.status_code == 303, r.text
        line = set_cookie(r, DEVICE)
        assert line is not None, "no device cookie after a log-in"
        attrs = [a.strip().lower() for a in line.split(";")]
        assert "httponly" in attrs and "samesite=lax" in attrs, line
        assert "secure" not in attrs, "an http issuer's cookie: " + line
        age = [a for a in attrs if a.startswith("max-age=")]
        assert age and int(age[0].split("=")[1]) >= 300 * 24 * 3600, line
        return b.cookies.get(DEVICE)


def strangers_lock(srv, email, count=5, want=401):
    """`count` failed form log-ins for email, each from its own address."""
    for i in range(count):
        with browser_at(srv, f"203.0.113.{i + 1}") as s:
            r = s.login(email, f"stranger guess {i}")
            assert r.status_code == want, (i, r.status_code)


def test_device_cookie_owner_logs_in_while_strangers_lock_the_account(
        make_server):
    srv = proxied(make_server)
    email, password = new_account(srv)
    device = owners_device_cookie(srv, email, password)
    strangers_lock(srv, email)
    # a browser without the cookie, even at the owner's address: locked
    with browser_at(srv, OWNER_IP) as b:
        r = b.login(email, password)
        assert r.status_code == 429, r.status_code
        assert 0 < retry_after(r) <= WINDOW_S
        assert b.session_cookie() is None
    # the owner's browser: in, and the strangers stay locked out
    with browser_at(srv, OWNER_IP, device) as b:
        assert b.login(email, password).status_code == 303
    strangers_lock(srv, email, 3, want=429)
    with browser_at(srv, "192.0.2.77", device) as b:
        r = b.login(email, password)
        assert r.status_code == 303, r.status_code
        assert b.session_cookie()


def test_device_cookie_holder_is_still_counted_at_the_address(make_server):
    srv = proxied(make_server)
    email, password = new_account(srv)
    device = owners_device_cookie(srv, email, password)
    attacker = "203.0.113.66"
    with browser_at(srv, attacker) as s:
        for i in range(5):
            assert s.login(email, f"guess {i}").status_code == 401
    # the cookie does not lift the (account, address) count...
    with browser_at(srv, attacker, device) as b:
        r = b.login(email, password)
        assert r.status_code == 429, r.status_code
        assert 0 < retry_after(r) <= WINDOW_S
    # ...which is the attacker's address only
    with browser_at(srv, OWNER_IP, device) as b:
        assert b.login(email, password).status_code == 303


def test_forged_or_foreign_device_cookies_give_no_exemption(make_server):
    srv = proxied(make_server)
    victim, password = new_account(srv, "victim")
    other, other_pw = new_account(srv, "other")
    real = owners_device_cookie(srv, victim, password)
    foreign = owners_device_cookie(srv, other, other_pw)
    strangers_lock(srv, victim)
    flipped = real[:-3] + ("A" if real[-3] != "A" else "B") + real[-2:]
    for fake in ("garbage", "A" * 120, flipped, foreign, real + "x"):
        with browser_at(srv, OWNER_IP, fake) as b:
            r = b.login(victim, password)
            assert r.status_code == 429, (fake, r.status_code)
    with browser_at(srv, OWNER_IP, real) as b:
        assert b.login(victim, password).status_code == 303
    # the other account's own cookie still works for it
    with browser_at(srv, OWNER_IP, foreign) as b:
        assert b.login(other, other_pw).status_code == 303


def test_client_flow_password_step_honours_the_device_cookie(make_server):
    """The OAuth client flow asks for the password on every request: it
    gives a device cookie and honours one, like the log-in form."""
    from oauthkit import auth_params, authorize, make_app, submit_grant
    srv = proxied(make_server)
    app = make_app(srv, implicit=True)
    email, password = new_account(srv)

    def client_flow(device):
        with browser_at(srv, OWNER_IP, device) as b:
            r = authorize(b, auth_params(app, response_type="token"))
            assert r.status_code == 200, r.status_code
            r = submit_grant(b, r.text, "login", password=password,
                             email=email)
            if r.status_code == 200:    # no consent yet: Grant Access
                r = submit_grant(b, r.text, "allow")
            return r, b.cookies.get(DEVICE)

    r, device = client_flow(None)
    assert r.status_code == 303, r.text[:300]
    assert device, "no device cookie after the password step"
    strangers_lock(srv, email)
    assert client_flow(None)[0].status_code == 429
    assert client_flow(device)[0].status_code == 303


def test_basic_stranger_cannot_lock_the_owner_out(make_server):
    srv = proxied(make_server)
    email, password = new_account(srv)
    stranger = "203.0.113.5"
    for i in range(5):
        r = pat_at(srv, email, f"guess {i}", stranger)
        assert r.status_code == 401, (i, r.status_code)
    # the stranger's own (account, address) count is spent...
    r = pat_at(srv, email, password, stranger)
    assert r.status_code == 429
    assert 0 < retry_after(r) <= WINDOW_S
    for i in range(10):
        assert pat_at(srv, email, f"more {i}", stranger).status_code == 429
    # ...but the owner elsewhere, by Basic or a browser without a device
    # cookie, is not locked: Basic failures are never counted per account
    r = pat_at(srv, email, password, OWNER_IP)
    assert r.status_code == 201, r.text
    with browser_at(srv, "192.0.2.1") as b:
        assert b.login(email, password).status_code == 303


def test_parallel_wrong_passwords_never_pass_the_limit(make_server):
    # many workers: each of them could be between a check and its count
    srv = make_server("--trusted-proxy", "127.0.0.1", "--threads", "16")
    email, password = new_account(srv)
    where = "203.0.113.9"

    def attempt(i):
        return pat_at(srv, email, f"parallel guess {i}", where).status_code

    with ThreadPoolExecutor(max_workers=24) as pool:
        codes = list(pool.map(attempt, range(48)))
    assert set(codes) <= {401, 429}, codes
    evaluated = sum(1 for c in codes if c != 429)
    assert evaluated <= 5, f"{evaluated} guesses were checked: {codes}"
    r = pat_at(srv, email, password, where)
    assert r.status_code == 429, "the limit was reached"


def test_parallel_form_log_ins_never_pass_the_account_limit(make_server):
    srv = make_server("--trusted-proxy", "127.0.0.1", "--threads", "16")
    email, password = new_account(srv)

    def attempt(i):
        with browser_at(srv, f"203.0.113.{100 + i}") as b:
            return b.login(email, f"parallel guess {i}").status_code

    with ThreadPoolExecutor(max_workers=16) as pool:
        codes = list(pool.map(attempt, range(32)))
    assert set(codes) <= {401, 429}, codes
    assert sum(1 for c in codes if c != 429) <= 5, codes
    with browser_at(srv, "192.0.2.50") as b:
        assert b.login(email, password).status_code == 429


def test_ipv6_clients_are_counted_by_their_64(make_server):
    srv = proxied(make_server)
    email, password = new_account(srv)
    # 20 failures from 20 addresses of one /64, on unknown accounts
    for i in range(20):
        r = pat_at(srv, unique_email(f"v6spray{i}"), "wrong password",
                   f"2001:db8:1:2::{i + 1:x}")
        assert r.status_code == 401, (i, r.status_code)
    # any other address of that /64 is blocked, however it is written
    for addr in ("2001:db8:1:2:ffff:ffff:ffff:fffe", "2001:DB8:1:2::99"):
        r = pat_at(srv, email, password, addr)
        assert r.status_code == 429, (addr, r.status_code)
    # the next /64 and IPv4 are not
    r = pat_at(srv, email, password, "2001:db8:1:3::1")
    assert r.status_code == 201, r.text
    r = pat_at(srv, email, password, "192.0.2.3")
    assert r.status_code == 201, r.text


def test_ipv6_per_account_address_count_spans_the_64(make_server):
    srv = proxied(make_server)
    email, password = new_account(srv)
    for i in range(5):
        r = pat_at(srv, email, f"guess {i}", f"2001:db8:7:7::{i + 1}")
        assert r.status_code == 401, (i, r.status_code)
    r = pat_at(srv, email, password, "2001:db8:7:7::abcd")
    assert r.status_code == 429
    r = pat_at(srv, email, password, "2001:db8:7:8::1")
    assert r.status_code == 201, r.text


def test_personal_tokens_made_are_limited_to_20_an_hour(make_server):
    srv = make_server()
    email, password = new_account(srv)
    other = new_account(srv, "other")
    for i in range(20):
        r = create_pat(srv, email, password)
        assert r.status_code == 201, (i, r.status_code, r.text)
    r = create_pat(srv, email, password)
    assert r.status_code == 429, r.text
    assert 0 < retry_after(r) <= 3600
    # the reason is the rate, not a failure the caller never made
    why = r.json()["error_description"]
    assert "20 personal access tokens" in why and "failed" not in why, why
    # refusals are not creations, and other accounts are not affected
    assert create_pat(srv, *other).status_code == 201
    srv.advance(3600 - 120)
    assert create_pat(srv, email, password).status_code == 429
    srv.advance(121)
    assert create_pat(srv, email, password).status_code == 201
