"""Browser sessions end after 12 hours idle or 7 days (docs/REFERENCE.md §7.5),
measured on the server's test clock. Each test has its own server."""

import pytest

from kgtest import Browser, logged_in_as, new_account, shows_login_link

HOUR = 3600
IDLE_S = 12 * HOUR
MAX_S = 7 * 24 * HOUR


@pytest.fixture
def logged_in(fresh_server):
    email, _ = new_account(fresh_server)
    b = Browser(fresh_server)
    assert b.login(email).status_code == 303
    assert logged_in_as(b.home(), email)
    yield fresh_server, b, email
    b.close()


def assert_logged_out(b, email):
    page = b.home()
    assert not logged_in_as(page, email), "session still alive"
    assert shows_login_link(page)


def test_session_survives_just_under_12_hours_idle(logged_in):
    srv, b, email = logged_in
    srv.advance(IDLE_S - 60)
    assert logged_in_as(b.home(), email)


def test_session_dies_after_12_hours_idle(logged_in):
    srv, b, email = logged_in
    srv.advance(IDLE_S + 1)
    assert_logged_out(b, email)
    # and stays dead
    srv.advance(1)
    assert_logged_out(b, email)


def test_activity_keeps_the_session_but_not_beyond_7_days(logged_in):
    srv, b, email = logged_in
    elapsed = 0
    while elapsed + 11 * HOUR < MAX_S:
        srv.advance(11 * HOUR)
        elapsed += 11 * HOUR
        assert logged_in_as(b.home(), email), f"died after {elapsed} s"
    # 165 h so far; come back just before the 7 days are over...
    srv.advance(MAX_S - elapsed - 60)
    assert logged_in_as(b.home(), email), "died before 7 days"
    # ...and just after
    srv.advance(61)
    assert_logged_out(b, email)


def test_idle_clock_restarts_with_each_visit(logged_in):
    srv, b, email = logged_in
    srv.advance(IDLE_S - 60)
    assert logged_in_as(b.home(), email)
    srv.advance(IDLE_S - 60)
    assert logged_in_as(b.home(), email)
    srv.advance(IDLE_S + 1)
    assert_logged_out(b, email)


def test_expired_session_can_log_in_again(logged_in):
    srv, b, email = logged_in
    srv.advance(IDLE_S + 1)
    assert_logged_out(b, email)
    assert b.login(email).status_code == 303
    assert logged_in_as(b.home(), email)


# SESSIONS_PER_ACCOUNT_MAX in base/limits.h
SESSIONS_PER_ACCOUNT = 100


def test_an_account_keeps_at_most_100_sessions(fresh_server):
    """Log-ins without end (a script with the password, or a browser that
    drops its cookies) do not grow the account's sessions without bound:
    the 101st ends the one seen longest ago, while a session in use
    stays."""
    srv = fresh_server
    email, _ = new_account(srv)
    idle, used = Browser(srv), Browser(srv)
    assert idle.login(email).status_code == 303
    srv.advance(120)
    assert used.login(email).status_code == 303
    srv.advance(120)
    others = []
    for _ in range(SESSIONS_PER_ACCOUNT - 2):
        b = Browser(srv)
        assert b.login(email).status_code == 303
        others.append(b)
    srv.advance(120)
    assert logged_in_as(used.home(), email)     # seen again: most recent
    assert logged_in_as(idle.home(), email), "100 sessions all live"
    srv.advance(120)
    assert logged_in_as(used.home(), email)
    newest = Browser(srv)
    assert newest.login(email).status_code == 303
    assert logged_in_as(newest.home(), email)
    assert logged_in_as(used.home(), email)
    # `used` was seen at +480, `idle` at +360, the others not since
    # their log-in at +240: one of them has ended
    live = sum(logged_in_as(b.home(), email) for b in others)
    assert live == SESSIONS_PER_ACCOUNT - 3, live
    assert logged_in_as(idle.home(), email)
