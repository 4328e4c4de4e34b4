"""--trusted-proxy: behind nginx every connection comes from the proxy, so
the per-address throttles and the access log would see one client. For a
listed proxy the client is the last address of X-Forwarded-For; from
anyone else the header is ignored."""

import re
import time

from kgtest import signup, unique_email


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
    assert logged_ips(srv, 3) == ["203.0.113.7", "203.0.113.8",
                                  "203.0.113.7"]


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
