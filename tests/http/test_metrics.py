"""GET /metrics (docs/REFERENCE.md §7.3, docs/OPERATIONS.md): Prometheus text
that moves with what the server does, served on a listener of its own
(--metrics-listen), never on the public one."""

import re
import socket
import subprocess
import time

import pytest
import requests

import kgtest
import oauthkit
from oauthkit import check, get_tokens, refresh, revoke, tokens_ok

SAMPLE = re.compile(r'^([a-z_]+)(\{(?:[^"}]|"[^"]*")*\})? (\S+)$')


def scrape(server):
    """{(name, labels): value} of one scrape; checks the format on the way:
    every sample line parses and every family has a TYPE before it."""
    r = requests.get(server.metrics_url, timeout=10)
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
    srv.advance(3601)       # unused an hour: dead (docs/REFERENCE.md §4)
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
    text = requests.get(srv.metrics_url, timeout=5).text
    for s in (t["access_token"], t["refresh_token"], app.secret, app.key,
              user.email):
        assert s not in text


# --- the listeners (docs/OPERATIONS.md, "3. Monitor") -----------------------

def test_public_listener_does_not_answer_metrics(server):
    for method in ("GET", "HEAD"):
        r = requests.request(method, server.url("/metrics"), timeout=5)
        assert r.status_code == 404, (method, r.status_code)
        assert "keygate_" not in r.text
    assert requests.get(server.metrics_url, timeout=5).status_code == 200


def test_metrics_listener_answers_only_get_metrics(server):
    r = requests.head(server.metrics_url, timeout=5)
    assert r.status_code == 200
    for path in ("/", "/healthz", "/login", "/oauth2/check", "/metrics/x",
                 "/api/v1/apps"):
        r = requests.get(server.metrics_base + path, timeout=5)
        assert r.status_code == 404, (path, r.status_code)
        assert "keygate_" not in r.text and "Set-Cookie" not in r.headers
    r = requests.post(server.metrics_url, data="a=b", timeout=5)
    assert r.status_code == 405 and r.headers["Allow"] == "GET, HEAD"


def test_metrics_listener_off(make_server):
    srv = make_server("--metrics-listen", "off")
    assert srv.alive()
    assert requests.get(srv.url("/metrics"), timeout=5).status_code == 404
    with pytest.raises(requests.ConnectionError):
        requests.get(srv.metrics_url, timeout=5)
    assert "/metrics off" in srv.log()


def held_port():
    """A loopback socket bound and listening on a free port: the port
    another program holds."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(1)
    return s


def serve_until_exit(tmp_path, *flags, env=None):
    """Runs `keygate serve FLAGS` with a clean environment (plus env) until
    it exits; (exit status, stderr). A server still running after 10 s is
    killed and the test fails."""
    full = kgtest.clean_env()
    full.update(env or {})
    p = subprocess.Popen([kgtest.BINARY, "serve", "--db",
                          str(tmp_path / "keygate.db"), *flags],
                         cwd=tmp_path, env=full, text=True,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _, err = p.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        p.kill()
        p.communicate()
        pytest.fail(f"keygate serve {' '.join(flags)} kept running")
    return p.returncode, err


@pytest.mark.parametrize("flag", ["--listen", "--metrics-listen"])
def test_taken_port_stops_the_server(tmp_path, flag):
    with held_port() as held:
        taken = f"127.0.0.1:{held.getsockname()[1]}"
        free = f"127.0.0.1:{kgtest.free_port_besides(held.getsockname()[1])}"
        other = "--metrics-listen" if flag == "--listen" else "--listen"
        rc, err = serve_until_exit(tmp_path, flag, taken, other, free)
    assert rc != 0, err
    line = [l for l in err.splitlines() if l.startswith("keygate serve:")]
    assert line, err
    assert taken in line[-1], line
    assert re.search(r"(?<![\w-])" + re.escape(flag) + r"\b", line[-1]), line


def test_one_address_for_both_listeners_is_refused(tmp_path):
    port = kgtest.free_port()
    rc, err = serve_until_exit(tmp_path, "--listen", f"127.0.0.1:{port}",
                               "--metrics-listen", f"127.0.0.1:{port}")
    assert rc == 2, err
    assert "--metrics-listen must differ from --listen" in err, err


@pytest.mark.parametrize("bad", ["9464", "127.0.0.1", "metrics:9464",
                                 "127.0.0.1:0", "127.0.0.1:70000", "on"])
def test_bad_metrics_address_is_refused(tmp_path, bad):
    rc, err = serve_until_exit(tmp_path, "--listen",
                               f"127.0.0.1:{kgtest.free_port()}",
                               "--metrics-listen", bad)
    assert rc == 2, err
    assert f"--metrics-listen '{bad}' is not HOST:PORT" in err, err


def wait_for(url, proc, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stderr.read()
        try:
            return requests.get(url, timeout=1)
        except requests.ConnectionError:
            time.sleep(0.05)
    pytest.fail(f"nothing answered at {url}")


@pytest.mark.parametrize("how", ["file", "env", "flag"])
def test_metrics_listen_from_file_env_and_flag(tmp_path, how):
    port, mport = kgtest.free_port(), kgtest.free_port()
    while mport == port:
        mport = kgtest.free_port()
    mlisten = f"127.0.0.1:{mport}"
    flags = ["--listen", f"127.0.0.1:{port}", "--db",
             str(tmp_path / "keygate.db")]
    env = kgtest.clean_env()
    if how == "file":
        (tmp_path / "k.conf").write_text(f"metrics-listen = {mlisten}\n")
        flags += ["--config", str(tmp_path / "k.conf")]
    elif how == "env":
        env["KEYGATE_METRICS_LISTEN"] = mlisten
    else:
        flags += ["--metrics-listen", mlisten]
    p = subprocess.Popen([kgtest.BINARY, "serve", *flags], cwd=tmp_path,
                         env=env, text=True, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE)
    try:
        r = wait_for(f"http://{mlisten}/metrics", p)
        assert r.status_code == 200 and "keygate_" in r.text
    finally:
        p.terminate()
        assert p.wait(timeout=15) == 0


def test_metrics_listener_survives_hostile_requests(server):
    """Oversized headers, garbage, a big body, a slow half request: each
    is refused or cut off, and the next scrape is answered."""
    host, port = "127.0.0.1", server.metrics_port
    r = requests.get(server.metrics_url, headers={"X-Big": "a" * 20000},
                     timeout=5)
    assert r.status_code == 431, r.status_code
    for data in (b"GARBAGE\r\n\r\n", b"GET /metrics HTTP/9.9\r\n\r\n",
                 b"POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: "
                 b"1000000\r\n\r\n" + b"x" * 200000,
                 b"GET /metr"):
        s = socket.create_connection((host, port), timeout=5)
        try:
            try:
                s.sendall(data)
            except (BrokenPipeError, ConnectionResetError):
                pass
            answer = kgtest.read_response(s, timeout=2)
            assert answer is None or (answer.status >= 400 and
                                      b"keygate_" not in answer.body), answer
        finally:
            s.close()
    r = requests.get(server.metrics_url, timeout=5)
    assert r.status_code == 200 and "keygate_" in r.text
