"""The access-token lifetime rule (docs/REFERENCE.md §4), seen through
/oauth2/check and the built-in API, on the test clock. Every test has a server
of its own, since each moves the clock.

never used: exp = iat + unused_ttl; used: exp = min(iat + max_ttl,
last_used + idle_ttl); valid while now < exp; never revived."""

import pytest
import requests

import oauthkit
from oauthkit import (User, advance_to, alive, approve, get_tokens,
                      implicit_token, introspection, make_app, oauth_server,
                      refresh, summary, tokens_ok)

H = 3600


def world(make_server, *flags):
    srv = oauth_server(make_server, *flags)
    a = make_app(srv, implicit=True)
    u = User(srv, "life")
    approve(u, a, scope="account_read contact_data")
    return srv, a, u


def issued(app, user, scope=None):
    """(access token, its iat) of a fresh family."""
    t = get_tokens(user, app, scope=scope)
    i = introspection(app, t["access_token"])
    assert i["active"] is True
    return t["access_token"], i["iat"]


def use_at(srv, at, when):
    advance_to(srv, when)
    return alive(srv, at)


def test_unused_token_dies_after_one_hour(make_server):
    srv, a, u = world(make_server)
    at1, iat1 = issued(a, u)
    at2, iat2 = issued(a, u)
    assert introspection(a, at1)["exp"] == iat1 + H
    assert use_at(srv, at1, iat1 + H - 1)          # valid at 3599 s (a use)
    assert not use_at(srv, at2, max(iat2 + H, iat1 + H - 1))   # dead at 3600 s
    # at1 was used at 3599 s: it now lives by the "used" rule
    assert use_at(srv, at1, iat1 + H + 60)


def test_used_token_lives_two_hours_after_its_last_use(make_server):
    srv, a, u = world(make_server)
    at1, iat1 = issued(a, u)
    at2, iat2 = issued(a, u)
    assert iat2 - iat1 <= 1
    start = iat2
    assert use_at(srv, at1, start + 1800)
    assert alive(srv, at2)                          # both used at 30 min
    i = introspection(a, at1)
    assert i["exp"] == start + 1800 + 2 * H, (i, start)
    assert use_at(srv, at1, start + 1800 + 2 * H - 1)     # 2 h 29 min 59 s
    assert not use_at(srv, at2, start + 1800 + 2 * H)     # 2 h 30 min


def test_token_in_use_dies_at_24_hours(make_server):
    srv, a, u = world(make_server)
    at, iat = issued(a, u)
    for k in range(16):                     # at 30 min, then every 90 min
        assert use_at(srv, at, iat + 1800 + k * 5400), k
    assert introspection(a, at)["exp"] == iat + 24 * H
    assert use_at(srv, at, iat + 24 * H - 1)
    assert not use_at(srv, at, iat + 24 * H)


def test_expired_token_is_never_revived(make_server):
    srv, a, u = world(make_server)
    at1, iat1 = issued(a, u)
    at2, iat2 = issued(a, u)
    assert not use_at(srv, at1, max(iat1, iat2) + H)
    assert not alive(srv, at1)
    assert introspection(a, at1) == {"active": False}
    assert summary(srv, at1).status_code == 401
    assert not alive(srv, at2)
    srv.advance(60)
    assert not alive(srv, at2)


def test_expired_used_token_is_never_revived(make_server):
    srv, a, u = world(make_server)
    at, iat = issued(a, u)
    assert use_at(srv, at, iat + 600)
    assert not use_at(srv, at, iat + 600 + 2 * H)
    srv.advance(1)
    assert not alive(srv, at)
    assert introspection(a, at) == {"active": False}


def test_introspection_does_not_extend(make_server):
    srv, a, u = world(make_server)
    at, iat = issued(a, u)
    advance_to(srv, iat + 1800)
    i = introspection(a, at)
    assert i["active"] is True and i["exp"] == iat + H
    advance_to(srv, iat + H - 1)
    assert introspection(a, at)["exp"] == iat + H
    assert not use_at(srv, at, iat + H)


def test_the_api_counts_as_a_use(make_server):
    srv, a, u = world(make_server)
    at, iat = issued(a, u)
    advance_to(srv, iat + 1800)
    assert summary(srv, at).status_code == 200
    assert introspection(a, at)["exp"] == iat + 1800 + 2 * H
    assert use_at(srv, at, iat + H + 1)


def test_insufficient_scope_is_not_a_use(make_server):
    srv, a, u = world(make_server)
    at, iat = issued(a, u, scope="contact_data")
    advance_to(srv, iat + 1800)
    r = summary(srv, at)
    assert r.status_code == 403, r.status_code
    assert introspection(a, at)["exp"] == iat + H
    assert not use_at(srv, at, iat + H)


def test_failed_check_of_an_expired_token_is_not_a_use(make_server):
    srv, a, u = world(make_server)
    at, iat = issued(a, u)
    assert not use_at(srv, at, iat + H)
    assert introspection(a, at) == {"active": False}


def test_check_with_query_parameter_is_not_a_use(make_server):
    srv, a, u = world(make_server)
    at, iat = issued(a, u)
    advance_to(srv, iat + 1800)
    r = requests.get(srv.url("/oauth2/check"), params={"access_token": at},
                     timeout=10)
    assert r.status_code == 401
    assert introspection(a, at)["exp"] == iat + H


CUSTOM = ("--token-unused-ttl", "100", "--token-idle-ttl", "200",
          "--token-max-ttl", "500")


def test_custom_unused_ttl(make_server):
    srv, a, u = world(make_server, *CUSTOM)
    t = get_tokens(u, a)
    assert t["expires_in"] == 100
    i = introspection(a, t["access_token"])
    assert i["exp"] - i["iat"] == 100
    at1, iat1 = t["access_token"], i["iat"]
    at2, iat2 = issued(a, u)
    assert use_at(srv, at1, iat1 + 99)
    assert not use_at(srv, at2, iat2 + 100)
    # expires_in everywhere is the unused TTL
    r = refresh(a, get_tokens(u, a)["refresh_token"])
    assert tokens_ok(r)["expires_in"] == 100
    assert implicit_token(u, a)["expires_in"] == "100"


def test_custom_max_ttl(make_server):
    srv, a, u = world(make_server, *CUSTOM)
    at, iat = issued(a, u)
    assert use_at(srv, at, iat + 90)
    assert introspection(a, at)["exp"] == iat + 290
    assert use_at(srv, at, iat + 240)
    assert use_at(srv, at, iat + 390)
    assert introspection(a, at)["exp"] == iat + 500
    assert use_at(srv, at, iat + 499)
    assert not use_at(srv, at, iat + 500)


def test_custom_idle_ttl(make_server):
    srv, a, u = world(make_server, "--token-unused-ttl", "100",
                      "--token-idle-ttl", "200", "--token-max-ttl", "500")
    at1, iat1 = issued(a, u)
    at2, iat2 = issued(a, u)
    s = max(iat1, iat2)
    assert use_at(srv, at1, s + 50)
    assert alive(srv, at2)                          # both used at s+50
    assert use_at(srv, at1, s + 249)
    assert not use_at(srv, at2, s + 250)


def test_expires_in_matches_the_default_unused_ttl(make_server):
    srv, a, u = world(make_server)
    t = get_tokens(u, a)
    assert t["expires_in"] == H
    assert tokens_ok(refresh(a, t["refresh_token"]))["expires_in"] == H
    assert implicit_token(u, a)["expires_in"] == str(H)


def test_refreshed_access_token_starts_afresh(make_server):
    srv, a, u = world(make_server)
    t = get_tokens(u, a)
    srv.advance(23 * H)
    n = tokens_ok(refresh(a, t["refresh_token"]))
    i = introspection(a, n["access_token"])
    assert i["exp"] - i["iat"] == H
    assert alive(srv, n["access_token"])
    assert not alive(srv, t["access_token"])


def test_client_flow_token_follows_the_rule(make_server):
    srv, a, u = world(make_server)
    res = implicit_token(u, a)
    at = res["access_token"]
    iat = introspection(a, at)["iat"]
    assert use_at(srv, at, iat + H - 1)
    assert use_at(srv, at, iat + H - 1 + 2 * H - 1)
    assert not use_at(srv, at, iat + H - 1 + 4 * H)


@pytest.mark.parametrize("flags", [
    ("--token-unused-ttl", "0"),
    ("--token-unused-ttl", "-1"),
    ("--token-unused-ttl", "90000"),            # above the max TTL
    ("--token-idle-ttl", "90000"),
    ("--refresh-retry-window", "-1"),
    ("--refresh-idle-ttl", "-5"),
    ("--token-max-ttl", "abc"),
])
def test_bad_lifetime_settings_are_refused(flags):
    r = oauthkit.kgtest.run_cli("serve", "--listen", "127.0.0.1:1", "--db",
                                "/nonexistent/x.db", *flags, timeout=10)
    assert r.returncode != 0, r
    assert flags[0] in r.stderr, r.stderr
