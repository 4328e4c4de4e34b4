"""--trusted-proxy: behind nginx every connection comes from the proxy, so
the per-address throttles and the access log would see one client. For a
listed proxy the client is the last address of X-Forwarded-For; from
anyone else the header is ignored."""

import re
import socket
import time

import pytest

from kgtest import read_response, run_cli, signup, unique_email


def xff(addr):
    return {"X-Forwarded-For": addr}


def logged_ips(srv, count):
    """The addresses of the first `count` sign-up lines of the access log
    (written just after each answer: wait for them)."""
    deadline = time.monotonic() + 5
    while True:
        ips = re.findall(r"route=/api/v1/accounts status=\d+ .*?ip=(\S+)",
                         srv.log())
        if len(ips) >= count or time.monotonic() > deadline:
            return ips[:count]
        time.sleep(0.02)


def test_forwarded_address_counts_per_client(make_server):
    srv = make_server("--trusted-proxy", "10.0.0.9,127.0.0.1",
                      signup_rate="1")
    for client in ("203.0.113.7", "203.0.113.8"):
        r = signup(srv, unique_email("px"), headers=xff(f"1.2.3.4, {client}"))
        assert r.status_code == 201, r.text
    r = signup(srv, unique_email("px"), headers=xff("203.0.113.7"))
    assert r.status_code == 429, "the same client's second sign-up"
    # each line is written as its answer leaves: any order
    assert sorted(logged_ips(srv, 3)) == ["203.0.113.7", "203.0.113.7",
                                          "203.0.113.8"]


def test_untrusted_peer_cannot_choose_its_address(make_server):
    srv = make_server(signup_rate="1")
    r = signup(srv, unique_email("px"), headers=xff("203.0.113.7"))
    assert r.status_code == 201, r.text
    r = signup(srv, unique_email("px"), headers=xff("203.0.113.9"))
    assert r.status_code == 429, "the header changed nothing"
    assert logged_ips(srv, 2) == ["127.0.0.1"] * 2


def test_garbage_in_the_header_keeps_the_proxy_address(make_server):
    srv = make_server("--trusted-proxy", "127.0.0.1", signup_rate="0")
    for bad in ("", "not-an-ip", "203.0.113.7 junk", "1.2.3.4,",
                "999.1.1.1", "a" * 200):
        r = signup(srv, unique_email("px"), headers=xff(bad))
        assert r.status_code == 201, (bad, r.text)
    assert logged_ips(srv, 6) == ["127.0.0.1"] * 6


def test_a_list_with_spaces_and_ipv6_is_read(make_server):
    srv = make_server("--trusted-proxy", " ::1 , 127.0.0.1 ", signup_rate="1")
    r = signup(srv, unique_email("px"), headers=xff("2001:db8::7"))
    assert r.status_code == 201, r.text
    assert logged_ips(srv, 1) == ["2001:db8::7"]


def test_the_last_of_several_headers_counts(make_server):
    srv = make_server("--trusted-proxy", "127.0.0.1", signup_rate="0")
    body = ('{"email": "%s", "password": "correct horse battery"}'
            % unique_email("px")).encode()
    head = (b"POST /api/v1/accounts HTTP/1.1\r\nHost: x\r\n"
            b"Content-Type: application/json\r\nConnection: close\r\n"
            b"X-Forwarded-For: 198.51.100.1\r\n"
            b"X-Forwarded-For: 6.6.6.6, 203.0.113.5\r\n"
            b"Content-Length: %d\r\n\r\n" % len(body))
    with socket.create_connection((srv.host, srv.port), timeout=10) as s:
        s.sendall(head + body)
        resp = read_response(s, timeout=10)
    assert resp is not None and resp.status == 201
    assert logged_ips(srv, 1) == ["203.0.113.5"]


@pytest.mark.parametrize("bad", ["nope", "10.0.0.300", "127.0.0.1,,x",
                                 "1.2.3.4/24"])
def test_a_bad_trusted_proxy_is_refused_at_start(tmp_path, bad):
    p = run_cli("serve", "--trusted-proxy", bad, "--listen",
                "127.0.0.1:1", "--db", str(tmp_path / "k.db"), timeout=10)
    assert p.returncode == 2, (p.returncode, p.stderr)
    assert "--trusted-proxy" in p.stderr
