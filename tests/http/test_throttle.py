"""Failed log-ins are throttled per account and per client address
(SPEC §7): 5 failures per account, 20 per address, in 15 minutes. Each test
has its own server, since the throttles are process state."""

import http.client
import secrets


from kgtest import (Browser, basic, create_pat, input_value, list_pats,
                    new_account, unique_email)

WINDOW_S = 15 * 60


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
