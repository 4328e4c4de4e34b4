"""GET /metrics (SPEC §7, docs/OPERATIONS.md): Prometheus text that moves
with what the server does."""

import re

import requests

import kgtest
import oauthkit
from oauthkit import check, get_tokens, refresh, revoke, tokens_ok

SAMPLE = re.compile(r'^([a-z_]+)(\{(?:[^"}]|"[^"]*")*\})? (\S+)$')


def scrape(server):
    """{(name, labels): value} of one scrape; checks the format on the way:
    every sample line parses and every family has a TYPE before it."""
    r = requests.get(server.url("/metrics"), timeout=10)
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    typed, out = set(), {}
    for line in r.text.splitlines():
        if line.startswith("# TYPE "):
            typed.add(line.split()[2])
            continue
        if line.startswith("#") or not line:
            continue
        m = SAMPLE.match(line)
        assert m, line
        name = m.group(1)
        family = re.sub(r"_(bucket|sum|count)$", "", name)
        assert name in typed or family in typed, line
        out[(name, m.group(2) or "")] = float(m.group(3))
    return out


def value(samples, name, **labels):
    """The sum of `name` over the samples carrying every given label."""
    total = 0.0
    for (n, lab), v in samples.items():
        if n == name and all(f'{k}="{w}"' in lab for k, w in labels.items()):
            total += v
    return total


def test_counts_requests_by_route_and_status(fresh_server):
    before = scrape(fresh_server)
    for _ in range(3):
        assert check(fresh_server, "kg_at_nonsense").status_code == 401
    requests.get(fresh_server.url("/no/such/page"), timeout=5)
    after = scrape(fresh_server)
    key = dict(name="keygate_http_requests_total", method="GET",
               route="/oauth2/check", status="401")
    assert value(after, **key) - value(before, **key) == 3
    assert value(after, "keygate_http_requests_total", route="unmatched",
                 status="404") >= 1
    # the histogram of the route counted the same three, cumulatively
    h = "keygate_http_request_duration_seconds"
    assert value(after, h + "_count", route="/oauth2/check") == 3
    assert value(after, h + "_bucket", route="/oauth2/check",
                 le="+Inf") == 3
    buckets = [v for (n, lab), v in after.items() if n == h + "_bucket"
               and 'route="/oauth2/check"' in lab]
    assert buckets == sorted(buckets) and len(buckets) == 16, buckets
    assert value(after, h + "_sum", route="/oauth2/check") > 0


def test_counts_tokens_reuse_revocation_and_cache(make_server):
    srv, app, user = oauthkit.granted_world(make_server, "metrics")
    m0 = scrape(srv)
    t = get_tokens(user, app)
    new = tokens_ok(refresh(app, t["refresh_token"]))
    assert check(srv, new["access_token"]).status_code == 200
    assert check(srv, new["access_token"]).status_code == 200
    # the first refresh token again: reuse, and the family is revoked
    assert refresh(app, t["refresh_token"]).status_code == 400
    other = get_tokens(user, app)
    assert revoke(app, other["refresh_token"]).status_code == 200
    m1 = scrape(srv)

    def delta(name):
        return value(m1, name) - value(m0, name)
    assert delta("keygate_tokens_issued_total") == 2
    assert delta("keygate_tokens_refreshed_total") == 1
    assert delta("keygate_refresh_reuse_detected_total") == 1
    assert delta("keygate_tokens_revoked_total") == 1
    assert delta("keygate_token_cache_hits_total") >= 1
    assert value(m1, "keygate_store_duration_seconds_count") > 0
    assert value(m1, "keygate_store_errors_total") == 0


def test_counts_expired_tokens(make_server):
    srv, app, user = oauthkit.granted_world(make_server, "expiry")
    t = get_tokens(user, app)
    srv.advance(3601)       # unused for an hour: expired (SPEC §4)
    m0 = scrape(srv)
    assert check(srv, t["access_token"]).status_code == 401
    m1 = scrape(srv)
    assert value(m1, "keygate_tokens_expired_total") - \
        value(m0, "keygate_tokens_expired_total") == 1


def test_counts_throttled_attempts(fresh_server):
    email, _ = kgtest.new_account(fresh_server, "throttle")
    m0 = scrape(fresh_server)
    statuses = [kgtest.create_pat(fresh_server, email, "wrong password "
                                  f"{i}").status_code for i in range(30)]
    assert 429 in statuses, statuses
    m1 = scrape(fresh_server)
    assert value(m1, "keygate_throttled_total") - \
        value(m0, "keygate_throttled_total") == statuses.count(429)


def test_metrics_carry_no_secret(make_server):
    srv, app, user = oauthkit.granted_world(make_server, "secret")
    t = get_tokens(user, app)
    check(srv, t["access_token"])
    text = requests.get(srv.url("/metrics"), timeout=5).text
    for s in (t["access_token"], t["refresh_token"], app.secret, app.key,
              user.email):
        assert s not in text
