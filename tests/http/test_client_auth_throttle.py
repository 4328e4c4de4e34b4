"""Failed client authentications at the OAuth endpoints are throttled
(docs/REFERENCE.md §7.4, docs/DECISIONS.md): 50 per client and address, 100 per
address, in 15 minutes; past them 429 `slow_down` with Retry-After, even for
the right secret. A client_id is public, so the count per client is kept per
address too: nobody can lock a client out from elsewhere. Each test has a
server of its own, since the throttles are process state."""

import http.client
import json
from urllib.parse import urlencode

import oauthkit
from oauthkit import basic_client, make_app, oauth_server

PER_CLIENT = 50
PER_ADDRESS = 100
WINDOW_S = 15 * 60


def post_from(server, source, path, fields, auth=None):
    """POSTs a form from loopback address `source`; (status, headers,
    JSON)."""
    conn = http.client.HTTPConnection(server.host, server.port, timeout=10,
                                      source_address=(source, 0))
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if auth is not None:
        headers["Authorization"] = auth
    try:
        conn.request("POST", path, body=urlencode(fields), headers=headers)
        r = conn.getresponse()
        return r.status, dict(r.getheaders()), json.loads(r.read() or b"{}")
    finally:
        conn.close()


def introspect_from(server, source, client_id, secret):
    return post_from(server, source, "/oauth2/introspect",
                     {"token": "kg_at_nothing"},
                     basic_client(client_id, secret))


def throttled(answer):
    status, headers, body = answer
    assert status == 429, (status, body)
    assert body.get("error") == "slow_down", body
    wait = headers.get("Retry-After", "")
    assert wait.isdigit() and 0 < int(wait) <= WINDOW_S, headers
    return True


def test_fifty_failures_throttle_that_client_from_that_address(make_server):
    srv = oauth_server(make_server)
    app, other = make_app(srv), make_app(srv)
    for i in range(PER_CLIENT):
        status, _, body = introspect_from(srv, "127.0.0.1", app.key,
                                          f"kg_sk_wrong{i}")
        assert status == 401 and body["error"] == "invalid_client", \
            (i, status, body)
    # the right secret too: the count is checked before the secret
    assert throttled(introspect_from(srv, "127.0.0.1", app.key, app.secret))
    # and at the token endpoint, by any method of authentication
    assert throttled(post_from(srv, "127.0.0.1", "/oauth2/token",
                               {"grant_type": "refresh_token",
                                "refresh_token": "kg_rt_x",
                                "client_id": app.key,
                                "client_secret": app.secret}))
    # the same client from another address, another client from this one
    assert introspect_from(srv, "127.0.0.2", app.key, app.secret)[0] == 200
    assert introspect_from(srv, "127.0.0.1", other.key,
                           other.secret)[0] == 200
    srv.advance(WINDOW_S + 1)
    assert introspect_from(srv, "127.0.0.1", app.key, app.secret)[0] == 200


def test_a_hundred_failures_throttle_the_address(make_server):
    srv = oauth_server(make_server)
    app = make_app(srv)
    # sprayed over unknown client ids, none reaching its own 50
    for i in range(PER_ADDRESS):
        status, _, _ = introspect_from(srv, "127.0.0.1", f"kg_ak_spray{i}",
                                       "kg_sk_x")
        assert status == 401, (i, status)
    assert throttled(introspect_from(srv, "127.0.0.1", app.key, app.secret))
    assert throttled(post_from(srv, "127.0.0.1", "/oauth2/revoke",
                               {"token": "kg_rt_x"},
                               basic_client(app.key, app.secret)))
    assert introspect_from(srv, "127.0.0.2", app.key, app.secret)[0] == 200
    srv.advance(WINDOW_S + 1)
    assert introspect_from(srv, "127.0.0.1", app.key, app.secret)[0] == 200


def test_successes_do_not_count(make_server):
    srv = oauth_server(make_server)
    app = make_app(srv)
    for i in range(PER_CLIENT + 10):
        assert introspect_from(srv, "127.0.0.1", app.key,
                               app.secret)[0] == 200, i
    # and 49 failures after them are not yet the 50 that block
    for i in range(PER_CLIENT - 1):
        assert introspect_from(srv, "127.0.0.1", app.key, "kg_sk_no")[0] \
            == 401
    assert oauthkit.introspect(app, "kg_at_x").status_code == 200
