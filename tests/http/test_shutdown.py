"""SIGTERM: requests in flight finish with their answers, then the process
exits 0."""

import json
import socket
import time

import pytest
import requests

from kgtest import PASSWORD, account_exists, read_response, start_server, \
    unique_email


# The 20 connections must be accepted within the half second before
# SIGTERM, or they are refused rather than finished.
@pytest.mark.alone("connections accepted within 0.5 s")
def test_sigterm_lets_requests_in_flight_finish(make_server, tmp_path):
    srv = make_server()
    emails = [unique_email(f"inflight{i}") for i in range(20)]
    socks, tails = [], []
    for email in emails:
        body = json.dumps({"email": email, "password": PASSWORD}).encode()
        head = (b"POST /api/v1/accounts HTTP/1.1\r\nHost: x\r\n"
                b"Content-Type: application/json\r\nConnection: close\r\n"
                b"Content-Length: %d\r\n\r\n" % len(body))
        s = socket.create_connection((srv.host, srv.port), timeout=10)
        s.sendall(head + body[:-5])          # the request is under way...
        socks.append(s)
        tails.append(body[-5:])
    time.sleep(0.5)                          # ...and the server has it
    srv.terminate()
    time.sleep(0.2)
    for s, tail in zip(socks, tails):
        s.sendall(tail)                      # now finish every request
    statuses = []
    for s in socks:
        resp = read_response(s, timeout=10)
        statuses.append(None if resp is None else resp.status)
        s.close()
    rc = srv.stop()
    assert statuses == [201] * 20, statuses
    assert rc == 0, srv.log()[-2000:]
    assert "aborted" not in srv.log()
    # the accounts were really stored
    again = start_server(tmp_path, db=srv.db)
    try:
        assert all(account_exists(again, e) for e in emails)
    finally:
        assert again.stop() == 0


@pytest.mark.alone("a shutdown within 6 s")
def test_sigterm_with_idle_keepalive_connection_exits_promptly(make_server):
    srv = make_server()
    with requests.Session() as s:
        assert s.get(srv.url("/healthz"), timeout=5).status_code == 200
        t = time.monotonic()
        srv.terminate()
        srv.proc.wait(timeout=10)
        took = time.monotonic() - t
    assert srv.stop() == 0
    assert took < 6, f"shutdown took {took:.1f} s"


def test_sigterm_refuses_new_connections_afterwards(make_server):
    srv = make_server()
    assert srv.stop() == 0
    try:
        requests.get(srv.url("/healthz"), timeout=2)
        answered = True
    except requests.ConnectionError:
        answered = False
    assert not answered
