"""1,000 simultaneous connections, each answered."""

import resource
import selectors
import socket
import time

import pytest

from kgtest import parse_head

N = 1000
DEADLINE_S = 30


@pytest.fixture
def enough_fds():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = N + 200
    if soft < want:
        if hard != resource.RLIM_INFINITY and hard < want:
            pytest.fail(f"RLIMIT_NOFILE hard limit {hard} < {want}: cannot "
                        f"open {N} connections from this process")
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    yield
    resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def test_thousand_connections_at_once(fresh_server, enough_fds):
    srv = fresh_server
    start = time.monotonic()
    socks = []
    try:
        # open every connection before any request is sent
        for i in range(N):
            s = socket.create_connection((srv.host, srv.port), timeout=10)
            socks.append(s)
        request = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
        for s in socks:
            s.sendall(request)
            s.setblocking(False)
        sel = selectors.DefaultSelector()
        data = {}
        for s in socks:
            sel.register(s, selectors.EVENT_READ)
            data[s] = b""
        statuses = {}
        while len(statuses) < N and time.monotonic() - start < DEADLINE_S:
            for key, _ in sel.select(timeout=1):
                s = key.fileobj
                try:
                    chunk = s.recv(4096)
                except (BlockingIOError, InterruptedError):
                    continue
                except OSError:
                    chunk = b""
                if not chunk:
                    statuses[s] = statuses.get(s, "closed")
                    sel.unregister(s)
                    continue
                data[s] += chunk
                if b"\r\n\r\n" in data[s]:
                    status, headers, rest = parse_head(data[s])
                    n = int(headers.get("content-length", "0"))
                    if len(rest) >= n:
                        statuses[s] = status
                        sel.unregister(s)
        sel.close()
    finally:
        for s in socks:
            s.close()
    ok = sum(1 for v in statuses.values() if v == 200)
    others = {}
    for v in statuses.values():
        if v != 200:
            others[v] = others.get(v, 0) + 1
    assert ok == N, (f"{ok} of {N} answered 200 in "
                     f"{time.monotonic() - start:.1f} s; others: {others}; "
                     f"no answer: {N - len(statuses)}")
    assert srv.alive()
