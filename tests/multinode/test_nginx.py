"""keygate behind Debian's nginx running the example configuration
deploy/nginx/keygate.conf (only its addresses changed): the whole OAuth
code flow end to end through the front, both nodes serving, X-Forwarded-*
headers harmless, the body limit, /_test/ kept private, a dead node
skipped, and a POST that reached a node that then failed never sent to
another one."""

import re
import socket
import threading
import time
from urllib.parse import parse_qs, urljoin, urlsplit

import requests

import kgtest
import mnkit
import oauthkit
from kgtest import (Browser, access_lines, account_exists, input_tag,
                    unique_email)
from oauthkit import (Dev, User, alive, auth_params, authorize_path,
                      exchange, grant_form, hidden_fields, introspection,
                      make_app, redirect_result, refresh, revoke,
                      submit_grant, summary, tokens_ok)


def same_place(front, resp):
    """The redirect target, which must be on the front (never a node's own
    address): returns its path and query."""
    loc = urljoin(front.base + "/", resp.headers["Location"])
    parts = urlsplit(loc)
    assert parts.netloc == f"{front.host}:{front.port}", loc
    return parts.path + ("?" + parts.query if parts.query else "")


def node_requests(node, route):
    return [l for l in access_lines(node.log()) if l.get("route") == route]


def test_code_flow_end_to_end_through_nginx(cluster):
    front = cluster.front
    # the metadata names the front, and every endpoint in it answers there
    r = requests.get(front.url("/.well-known/oauth-authorization-server"),
                     timeout=10)
    assert r.status_code == 200, r.status_code
    meta = r.json()
    assert meta["issuer"] == front.base, meta
    for k in ("authorization_endpoint", "token_endpoint",
              "revocation_endpoint", "introspection_endpoint"):
        assert meta[k].startswith(front.base + "/"), (k, meta[k])
    # a developer and an app, made through the front
    app = make_app(front, dev=Dev(front))
    assert urlsplit(meta["token_endpoint"]).path == "/oauth2/token"
    # a user, logged out, starts at the authorization endpoint
    user = User(front, "front", login=False)
    path = authorize_path(auth_params(app, scope="account_read",
                                      state="via nginx"))
    r = user.get(path)
    assert r.status_code in (302, 303), (r.status_code, r.text[:300])
    login_path = same_place(front, r)
    assert urlsplit(login_path).path == "/login"
    page = user.get(login_path)
    assert page.status_code == 200
    assert input_tag(page.text, "email") and input_tag(page.text, "password")
    r = user.login(user.email, user.password,
                   next=parse_qs(urlsplit(login_path).query)["next"][0])
    assert r.status_code == 303, (r.status_code, r.text[:300])
    assert same_place(front, r) == path
    # the Grant Access page, then allow
    r = user.get(path)
    assert r.status_code == 200, r.status_code
    assert dict(hidden_fields(grant_form(r.text)))["state"] == "via nginx"
    r = submit_grant(user, r.text, "allow")
    assert r.status_code == 303, (r.status_code, r.text[:300])
    res = redirect_result(r, app.redirect_uri)
    assert res["state"] == "via nginx" and res["iss"] == front.base, res
    # the code for tokens, the tokens at work
    t = tokens_ok(exchange(app, res["code"]))
    r = oauthkit.check(front, t["access_token"])
    assert r.status_code == 200, r.status_code
    assert r.headers["X-Keygate-Client"] == app.key
    r = summary(front, t["access_token"])
    assert r.status_code == 200 and r.json()["email"] == user.email, r.text
    assert introspection(app, t["access_token"])["active"] is True
    t2 = tokens_ok(refresh(app, t["refresh_token"]))
    assert revoke(app, t2["refresh_token"]).status_code == 200
    assert not alive(front, t2["access_token"])


def test_nginx_spreads_requests_over_both_nodes(cluster):
    before = [len(node_requests(n, "/healthz")) for n in cluster.nodes]
    for _ in range(10):
        r = requests.get(cluster.front.url("/healthz"), timeout=10)
        assert r.status_code == 200
    time.sleep(0.2)                     # the access log line follows
    after = [len(node_requests(n, "/healthz")) for n in cluster.nodes]
    assert sum(after) - sum(before) == 10, (before, after)
    assert all(x - y >= 3 for x, y in zip(after, before)), (before, after)


def test_forwarded_headers_break_nothing(cluster):
    front = cluster.front
    spoof = {"X-Forwarded-For": "203.0.113.7, 198.51.100.1",
             "X-Forwarded-Proto": "https", "X-Real-IP": "203.0.113.8",
             "Forwarded": "for=203.0.113.9;proto=https"}
    email = unique_email("xff")
    before = [len(access_lines(n.log())) for n in cluster.nodes]
    r = kgtest.signup(front, email, headers=spoof)
    assert r.status_code == 201, (r.status_code, r.text)
    with Browser(front) as b:
        b.headers.update(spoof)
        r = b.login(email)
        assert r.status_code == 303, (r.status_code, r.text[:300])
        # the issuer is http://: no Secure cookie whatever the headers say
        line = kgtest.set_cookie(r, "kg_session")
        assert line and "secure" not in line.lower(), line
        assert kgtest.logged_in_as(b.home(), email)
    time.sleep(0.2)
    # the nodes trust nginx (--trusted-proxy 127.0.0.1) for the entry it
    # adds, the client's own address, and never for what the client claimed
    ips = {l.get("ip") for n, k in zip(cluster.nodes, before)
           for l in access_lines(n.log())[k:]}
    assert ips == {"127.0.0.1"}, ips


def test_the_client_address_reaches_the_nodes(cluster):
    """A client on another loopback address (127.0.0.2) through nginx: the
    node that answers logs that address, whatever X-Forwarded-For the
    client sent."""
    for claim in (None, "203.0.113.7"):
        head = ("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                "Connection: close\r\n")
        if claim:
            head += f"X-Forwarded-For: {claim}\r\n"
        r = kgtest.raw_exchange(cluster.front, (head + "\r\n").encode(),
                                source=("127.0.0.2", 0))
        assert r is not None and r.status == 200, r
    time.sleep(0.2)
    seen = [l.get("ip") for n in cluster.nodes
            for l in access_lines(n.log()) if l.get("route") == "/healthz"]
    assert seen.count("127.0.0.2") >= 2, seen
    assert "203.0.113.7" not in seen, seen


def test_test_clock_is_not_reachable_through_nginx(cluster):
    r = requests.post(cluster.front.url("/_test/clock"),
                      data={"advance": "1"}, timeout=10)
    assert r.status_code == 404, (r.status_code, r.text[:200])


def test_metrics_are_not_reachable_through_nginx(cluster):
    """Each node answers /metrics on a metrics port of its own, nginx on
    the public address only with the nodes' 404."""
    for _ in range(4):              # both nodes, whichever nginx picks
        r = requests.get(cluster.front.url("/metrics"), timeout=10)
        assert r.status_code == 404, (r.status_code, r.text[:200])
        assert "keygate_" not in r.text
    ports = {cluster.a.metrics_port, cluster.b.metrics_port}
    assert len(ports) == 2 and not ports & {cluster.a.port, cluster.b.port}
    for node in (cluster.a, cluster.b):
        r = requests.get(node.metrics_url, timeout=10)
        assert r.status_code == 200 and "keygate_http_requests_total" in \
            r.text, (node.metrics_url, r.status_code)


def test_bodies_over_64k_stop_at_nginx(cluster):
    front = cluster.front
    before = sum(len(node_requests(n, "/oauth2/token"))
                 for n in cluster.nodes)
    r = requests.post(front.url("/oauth2/token"), data=b"a=" + b"x" * 70000,
                      headers={"Content-Type":
                               "application/x-www-form-urlencoded"},
                      timeout=10)
    assert r.status_code == 413, r.status_code
    time.sleep(0.2)
    after = sum(len(node_requests(n, "/oauth2/token")) for n in cluster.nodes)
    assert after == before, "the 413 came from a node, not from nginx"
    # up to the limit, the body reaches keygate (which judges the request)
    r = requests.post(front.url("/oauth2/token"),
                      data=b"grant_type=refresh_token&x=" + b"y" * 60000,
                      headers={"Content-Type":
                               "application/x-www-form-urlencoded"},
                      timeout=10)
    assert r.status_code in (400, 401), (r.status_code, r.text[:200])
    assert r.headers["Content-Type"].startswith("application/json")


def test_a_dead_node_is_skipped(make_cluster):
    c = make_cluster(nginx=True)
    front = c.front
    assert c.b.stop() == 0
    for _ in range(6):
        assert requests.get(front.url("/healthz"), timeout=10) \
            .status_code == 200
    # POSTs too: a refused connection never reached a node
    app = make_app(front)
    user = User(front, "dead-node")
    t = oauthkit.get_tokens(user, app)
    assert alive(front, t["access_token"])
    assert alive(c.a, t["access_token"])


class BlackHole:
    """An upstream that reads each request whole and then closes the
    connection without answering: a node that died while handling it."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.requests = []
        self.closed = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while not self.closed:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._swallow, args=(conn,),
                             daemon=True).start()

    def _swallow(self, conn):
        conn.settimeout(5)
        data = b""
        try:
            while True:
                while b"\r\n\r\n" not in data:
                    chunk = conn.recv(65536)
                    if not chunk:
                        return
                    data += chunk
                head, _, rest = data.partition(b"\r\n\r\n")
                m = re.search(rb"(?im)^content-length:\s*(\d+)", head)
                n = int(m.group(1)) if m else 0
                while len(rest) < n:
                    chunk = conn.recv(65536)
                    if not chunk:
                        return
                    rest += chunk
                self.requests.append((head.split(b"\r\n")[0].decode(),
                                      rest[:n]))
                return                  # close without a word
        except OSError:
            return
        finally:
            conn.close()

    def close(self):
        self.closed = True
        self.sock.close()


def test_a_post_is_never_sent_to_a_second_node(tmp_path_factory):
    """The first upstream takes requests and dies on them. A GET goes on
    to the real node; a POST that reached the black hole is answered 502
    and never resent (so the account it asked for does not exist)."""
    hole = BlackHole()
    db = kgtest.fresh_pg_db()
    front_port = kgtest.free_port()
    node, = mnkit.start_nodes([tmp_path_factory.mktemp("node")], db,
                              front_port=front_port)
    front = None
    try:
        front = mnkit.start_nginx(tmp_path_factory.mktemp("nginx"),
                                  [hole.port, node.port], port=front_port)
        posted = {}
        for i in range(4):
            email = unique_email("once")
            r = kgtest.signup(front, email)
            posted[email] = r.status_code
            assert r.status_code in (201, 502), (r.status_code, r.text)
        swallowed = [b for line, b in hole.requests
                     if line.startswith("POST /api/v1/accounts")]
        assert swallowed, ("no POST reached the black hole; the test "
                           "proved nothing", hole.requests)
        for email, status in posted.items():
            reached_hole = any(email.encode() in b for b in swallowed)
            if reached_hole:
                assert status == 502, (email, status)
                # never resent to the node: the email is still free
                assert not account_exists(node, email), email
            else:
                assert status == 201, (email, status)
        # a GET is tried on the next node
        for _ in range(4):
            assert requests.get(front.url("/healthz"), timeout=10) \
                .status_code == 200
    finally:
        if front is not None:
            front.stop()
        hole.close()
        assert node.stop() == 0, node.log()[-3000:]
