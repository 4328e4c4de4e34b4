"""Usage per app and hour (docs/REFERENCE.md §21): a scripted day under the
test clock, hour by hour, then GET /api/v1/apps/{api_key}/usage shows
exactly the requests made, zeros elsewhere; the counts survive a clean
restart; bad ranges, another account's app, counting off."""

import calendar
import time

import requests

import devicekit
import kgtest
import oauthkit
from oauthkit import (User, approve, check, get_tokens, implicit_token,
                      introspection, make_app, refresh, revoke, summary,
                      tokens_ok)

HOUR = 3600
DAY = 24
KINDS = ("checks_ok", "checks_401", "api_ok", "api_401", "issued",
         "refreshed")
# tokens that live through the day: the script's checks decide, not expiry
LONG = ("--token-unused-ttl", "200000", "--token-idle-ttl", "200000",
        "--token-max-ttl", "200000")


def usage(server, app, pat=None, **params):
    return requests.get(server.url(f"/api/v1/apps/{app.key}/usage"),
                        params=params,
                        headers=kgtest.bearer(pat or app.dev.pat),
                        timeout=10)


def hours_of(server, app, **params):
    r = usage(server, app, **params)
    assert r.status_code == 200, (r.status_code, r.text)
    j = r.json()
    assert j["app"] == app.key, j
    assert set(j) == {"app", "from", "to", "hours"}, j
    for h in j["hours"]:
        assert set(h) == {"hour", "live_users", *KINDS}, h
        assert kgtest.RFC3339_UTC.match(h["hour"]), h
    return j


def plan(h):
    """What hour h of the day does: counts per kind."""
    return {
        "checks_ok": h % 4 + (1 if h == 7 else 0),  # + introspection
        "checks_401": h % 3 + (1 if h == 8 else 0),  # + introspection
        "api_ok": h % 2 + (1 if h == 9 else 0),  # + userinfo
        "api_401": 1 if h % 5 == 0 else 0,
        "issued": (1 if h % 6 == 0 else 0) + (1 if h in (10, 11) else 0),
        "refreshed": 1 if h % 4 == 1 else 0,
    }


def userinfo(server, token):
    return requests.get(server.url("/oauth2/userinfo"),
                        headers=kgtest.bearer(token), timeout=10)


class World:
    def __init__(self, server):
        self.server = server
        self.app = devicekit.device_app(server, implicit=True)
        self.user = User(server, "usage")
        scope = "openid account_read"
        self.good = get_tokens(self.user, self.app, scope=scope)
        self.rt = self.good["refresh_token"]
        self.bad = get_tokens(self.user, self.app, scope=scope)
        assert revoke(self.app, self.bad["access_token"]).status_code == 200

    def play(self, h):
        """Hour h's requests, as plan(h) counts them."""
        s, app, good = self.server, self.app, self.good["access_token"]
        bad = self.bad["access_token"]
        p = plan(h)
        for _ in range(h % 4):
            assert check(s, good).status_code == 200
        for _ in range(h % 3):
            assert check(s, bad).status_code == 401
        # a token no app holds is counted nowhere
        assert check(s, "kg_at_" + "A" * 40).status_code == 401
        for _ in range(h % 2):
            assert summary(s, good).status_code == 200
        if p["api_401"]:
            assert summary(s, bad).status_code == 401
        if h == 7:
            assert introspection(app, good)["active"] is True
        if h == 8:
            assert introspection(app, bad)["active"] is False
        if h == 9:
            assert userinfo(s, good).status_code == 200
        if h % 6 == 0:
            get_tokens(self.user, app, scope="account_read")
        if h == 10:
            implicit_token(self.user, app, scope="account_read")
        if h == 11:
            d = devicekit.start(app)
            devicekit.approve(self.user, d["user_code"])
            tokens_ok(devicekit.poll(app, d["device_code"]))
        if p["refreshed"]:
            self.rt = tokens_ok(refresh(app, self.rt))["refresh_token"]
        if h == 12:
            approve(User(s, "usage-2"), app)


def start_of_next_hour(server):
    now = oauthkit.clock(server)
    now = server.advance(HOUR - now % HOUR + 60)
    return now - now % HOUR


def expect_day(j, start):
    by_hour = {h["hour"]: h for h in j["hours"]}
    for h in range(DAY):
        got = by_hour[rfc3339(start + h * HOUR)]
        want = dict(plan(h), live_users=1 if h < 12 else 2)
        assert {k: got[k] for k in want} == want, (h, got)
    for stamp, got in by_hour.items():
        if not start <= unix(stamp) < start + DAY * HOUR + HOUR and \
                unix(stamp) != start - HOUR:
            assert all(got[k] == 0 for k in KINDS), got


def rfc3339(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def unix(stamp):
    return calendar.timegm(time.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ"))


def test_a_scripted_day_hour_by_hour_then_a_restart(make_server):
    srv = oauthkit.oauth_server(make_server, *LONG)
    start = start_of_next_hour(srv) + HOUR
    w = World(srv)         # in the hour before the day
    srv.advance(HOUR)
    for h in range(DAY):
        w.play(h)
        srv.advance(HOUR)      # writes what this node counted, first
    # the default: the 168 hours that end with the current one
    j = hours_of(srv, w.app)
    assert len(j["hours"]) == 168, len(j["hours"])
    assert unix(j["to"]) == start + DAY * HOUR, j["to"]
    assert unix(j["from"]) == start + (DAY - 167) * HOUR, j["from"]
    assert [unix(h["hour"]) for h in j["hours"]] == \
        [unix(j["from"]) + i * HOUR for i in range(168)]
    expect_day(j, start)
    # the hour after the day: counted, then a clean stop, no advance
    for _ in range(3):
        assert check(srv, w.good["access_token"]).status_code == 200
    assert srv.stop() == 0
    again = oauthkit.oauth_server(make_server, *LONG, db=srv.db)
    j = hours_of(again, w.app, **{"from": str(start - 2 * HOUR),
                                   "to": rfc3339(start + DAY * HOUR)})
    assert len(j["hours"]) == DAY + 3
    expect_day(j, start)
    after = j["hours"][-1]
    assert after["checks_ok"] == 3, after
    assert all(after[k] == 0 for k in KINDS if k != "checks_ok"), after


def test_bad_ranges_other_accounts_and_no_token(make_server):
    srv = oauthkit.oauth_server(make_server)
    app = make_app(srv)
    other = make_app(srv)
    now = oauthkit.clock(srv)
    for params in ({"from": "yesterday"}, {"to": "2026-02-30T00:00:00Z"},
                   {"from": "2026-12-07T13:00:00+01:00"},
                   {"from": "-5"}, {"from": str(now), "to": str(now - HOUR)},
                   {"from": str(now - 31 * DAY * HOUR), "to": str(now)},
                   {"since": str(now)}, {"from": ["1", "2"]}):
        r = usage(srv, app, **params)
        assert r.status_code == 400, (params, r.status_code, r.text)
        assert r.json()["error"] == "invalid_request", r.text
    # 31 days exactly (744 hours) is the most
    top = now - now % HOUR
    j = hours_of(srv, app, **{"from": str(top - 743 * HOUR), "to": str(now)})
    assert len(j["hours"]) == 744
    j = hours_of(srv, app, **{"from": rfc3339(top), "to": rfc3339(top)})
    assert len(j["hours"]) == 1 and unix(j["hours"][0]["hour"]) == top
    # an early end alone: the default's start stops at 1970, never a 503
    j = hours_of(srv, app, to="0")
    assert [unix(h["hour"]) for h in j["hours"]] == [0], j
    j = hours_of(srv, app, to=str(5 * HOUR + 7))
    assert len(j["hours"]) == 6 and unix(j["from"]) == 0, j
    r = usage(srv, other, pat=app.dev.pat)
    assert r.status_code == 404, (r.status_code, r.text)
    r = requests.get(srv.url(f"/api/v1/apps/{app.key}/usage"), timeout=10)
    assert r.status_code == 401, (r.status_code, r.text)


def test_counting_off_counts_nothing(make_server):
    srv = oauthkit.oauth_server(make_server, "--usage-counting=off")
    app = make_app(srv)
    user = User(srv, "off")
    t = get_tokens(user, app)
    for _ in range(3):
        assert check(srv, t["access_token"]).status_code == 200
    tokens_ok(refresh(app, t["refresh_token"]))
    srv.advance(1)
    j = hours_of(srv, app)
    assert all(h[k] == 0 for h in j["hours"] for k in (*KINDS, "live_users"))


def app_lines(server):
    text = requests.get(server.metrics_url, timeout=5).text
    return [ln for ln in text.splitlines()
            if ln.startswith("keygate_app_usage_total")]


def test_metrics_per_app_only_for_the_apps_named(make_server):
    srv = oauthkit.oauth_server(make_server)
    named, other = make_app(srv), make_app(srv)
    user = User(srv, "metrics")
    approve(user, named)
    approve(user, other)
    assert app_lines(srv) == []        # no label per app by default
    assert srv.stop() == 0
    srv = oauthkit.oauth_server(make_server, "--metrics-apps",
                                f"{named.key},kg_nosuchapp", db=srv.db)
    named.server = other.server = user.server = srv
    t = get_tokens(user, named)
    for _ in range(3):
        assert check(srv, t["access_token"]).status_code == 200
    assert summary(srv, t["access_token"]).status_code == 200
    get_tokens(user, other)
    lines = app_lines(srv)
    want = {"checks_ok": 3, "checks_401": 0, "api_ok": 1, "api_401": 0,
            "issued": 1, "refreshed": 0}
    assert sorted(lines) == sorted(
        f'keygate_app_usage_total{{app="{named.key}",kind="{k}"}} {n}'
        for k, n in want.items()), lines
    assert "no app has the API key kg_nosuchapp" in srv.log()


def test_metrics_apps_is_bounded(tmp_path):
    keys = ",".join(f"kg_app{i}" for i in range(101))
    r = kgtest.run_cli("serve", "--listen", f"127.0.0.1:{kgtest.free_port()}",
                       "--db", str(tmp_path / "k.db"), "--metrics-apps", keys)
    assert r.returncode == 2, (r.returncode, r.stderr)
    assert "--metrics-apps wants at most 100 API keys" in r.stderr, r.stderr
    r = kgtest.run_cli("serve", "--listen", f"127.0.0.1:{kgtest.free_port()}",
                       "--db", str(tmp_path / "k.db"), "--metrics-apps",
                       "kg_a,,kg_b")
    assert r.returncode == 2, (r.returncode, r.stderr)


def test_counts_reach_the_store_within_seconds_without_any_use(make_server):
    """A node that only issues tokens writes no use of a token, so its
    counts have no use-log batch to ride with: they go alone within
    USAGE_FLUSH_MS (5 s; docs/REFERENCE.md §21). Nothing here moves the
    test clock, which would force them out."""
    srv = oauthkit.oauth_server(make_server)
    app = make_app(srv)
    get_tokens(User(srv, "no-uses"), app)
    deadline = time.monotonic() + 9
    while time.monotonic() < deadline:
        issued = sum(h["issued"] for h in hours_of(srv, app)["hours"])
        if issued == 1:
            break
        time.sleep(0.25)
    assert issued == 1, "the issue's count never reached the store"
