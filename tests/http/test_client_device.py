"""The device log-in of libkeygate-client and `keygate client login
--device` (RFC 8628; docs/CLIENT.md) against a real keygate, a person
deciding on the /device page.

The library's tests drive its waits (client_harness device): the harness
says how long it would sleep, the test moves the server's and the client's
clocks by that much (or less, to provoke slow_down) and lets it poll, so
nothing sleeps. A small proxy between the harness and keygate notes what
the server saw: each POST's path, the server's clock when it came, and the
error it answered. The CLI's tests wait for real: one interval (5 s) each,
run side by side where they can."""

import json
import os
import pty
import queue
import re
import select
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

import kgtest
from clientkit import HARNESS, LOOPBACK, World, mode
from devicekit import USER_CODE_RE, approve
from oauthkit import make_app

# include/keygate/client.h
OK, CLIENT_AUTH, DENIED, SERVER, EXPIRED, CANCELLED = 0, 6, 7, 12, 13, 14


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    """One server for the module: each test has its own app, person and
    codes, and a test's clock moves harm no other's."""
    srv = kgtest.start_server(tmp_path_factory.mktemp("keygate"),
                              issuer=True)
    srv.advance(1)
    while srv.clock_offset is None:     # answered across a second
        srv.advance(1)
    yield srv
    assert srv.stop() == 0, srv.log()[-4000:]


@pytest.fixture
def world(shared, tmp_path):
    w = World(lambda *flags, **kw: shared, tmp_path, device_flow=True)
    if shared.clock_offset is not None:
        w.offset = shared.clock_offset  # the client's clock = the server's
        w._write_clock()
    return w


class Proxy:
    """Forwards the library's POSTs to keygate and notes (path, server
    clock, error or "ok") for each, as the server answered them."""

    def __init__(self, srv):
        self.srv, self.seen, self.offset = srv, [], srv.clock_offset or 0
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                n = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(n)
                headers = {k: v for k, v in self.headers.items()
                           if k.lower() in ("authorization", "content-type")}
                if proxy.srv.clock_offset is not None:
                    proxy.offset = proxy.srv.clock_offset
                at = int(time.time()) + proxy.offset
                r = requests.post(proxy.srv.url(self.path), data=body,
                                  headers=headers, timeout=10)
                err = "ok" if r.status_code == 200 else r.json()["error"]
                proxy.seen.append((self.path, at, err))
                self.send_response(r.status_code)
                self.send_header("Content-Type", r.headers["Content-Type"])
                self.send_header("Content-Length", str(len(r.content)))
                self.end_headers()
                self.wfile.write(r.content)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.base = "http://127.0.0.1:%d" % self.httpd.server_address[1]

    def polls(self):
        return [(at, err) for path, at, err in self.seen
                if path == "/oauth2/token"]

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def proxy(world):
    p = Proxy(world.srv)
    yield p
    p.close()


class Harness:
    """client_harness device, driven line by line."""

    def __init__(self, world, issuer, *scope, secret=None):
        env = dict(kgtest.clean_env(), **world.env)
        s = world.app.secret if secret is None else secret
        if s:
            env["KEYGATE_CLIENT_SECRET"] = s
        self.world = world
        self.p = subprocess.Popen(
            [HARNESS, "device", world.file, issuer, world.app.key, *scope],
            env=env, text=True, stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.waits = []
        # A reader of its own: select() cannot see lines already taken
        # into the pipe's buffer by an earlier readline().
        self.lines = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.p.stdout:
            self.lines.put(line)
        self.lines.put("eof\n")

    def line(self):
        try:
            return self.lines.get(timeout=15).split()
        except queue.Empty:
            raise AssertionError("the harness said nothing")

    def codes(self):
        words = self.line()
        assert words[0] == "codes", words
        return words[1:]

    def wait(self):
        """The next "wait N" (N returned), or the end's "rc=R" (None)."""
        words = self.line()
        assert words != ["eof"], self.p.stderr.read()
        if words[0].startswith("rc="):
            self.end = words
            return None
        assert words[0] == "wait", words
        self.waits.append(int(words[1]))
        return int(words[1])

    def go(self, seconds=None):
        """Moves both clocks by `seconds` (the wait asked for, unless
        given) and lets the harness poll."""
        self.world.advance(self.waits[-1] if seconds is None else seconds)
        self.p.stdin.write("go\n")
        self.p.stdin.flush()

    def stop(self):
        self.p.stdin.write("stop\n")
        self.p.stdin.flush()

    def rc(self):
        if not hasattr(self, "end"):
            assert self.wait() is None, self.waits
        assert self.p.wait(timeout=15) in (0, 1)
        assert self.line() == ["eof"] and self.p.stderr.read() == ""
        return int(self.end[0][3:]), " ".join(self.end[1:])


def test_library_logs_in_and_honours_slow_down(world, proxy):
    h = Harness(world, proxy.base, "account_read")
    code, uri, full, expires_in, interval = h.codes()
    assert USER_CODE_RE.fullmatch(code)
    assert uri == world.srv.base + "/device" and code in full
    assert (expires_in, interval) == ("600", "5")
    assert h.wait() == 5
    h.go()                      # on time: authorization_pending
    assert h.wait() == 5
    h.go(1)                     # too soon: slow_down
    assert h.wait() == 10       # 5 s more ...
    h.go()
    assert h.wait() == 10       # ... for good
    approve(world.user, code)
    h.go()
    assert h.rc() == (OK, "ok")
    assert h.waits == [5, 5, 10, 10]
    # What the server saw: one slow_down, after which the polls came
    # 10 s apart and were not too fast again.
    polls = proxy.polls()
    assert [e for _, e in polls] == ["authorization_pending", "slow_down",
                                     "authorization_pending", "ok"]
    gaps = [b[0] - a[0] for a, b in zip(polls, polls[1:])]
    assert gaps[0] <= 2 and all(g >= 9 for g in gaps[1:]), gaps
    assert proxy.seen[0][0] == "/oauth2/device_authorization"
    # The token file, as the browser log-in writes it, and usable.
    assert mode(world.file) == 0o600
    t = world.tokens()
    assert t["scope"] == "account_read" and t["last_used"] == 0
    with open(world.file) as f:
        assert json.load(f)["issuer"] == proxy.base
    r = world.cli("token")
    assert r.returncode == 0 and r.stdout.strip() == t["access_token"]


def test_library_stops_on_access_denied(world, proxy):
    h = Harness(world, proxy.base)
    code = h.codes()[0]
    assert h.wait() == 5
    approve(world.user, code, "deny")
    h.go()
    rc, msg = h.rc()
    assert rc == DENIED and "access_denied" in msg, msg
    assert [e for _, e in proxy.polls()] == ["access_denied"]
    assert not os.path.exists(world.file)


def test_library_stops_on_expired_token(world, proxy):
    h = Harness(world, proxy.base)
    h.codes()
    assert h.wait() == 5
    world.srv.advance(601)      # the server's clock alone: the client
    h.go(1)                     # still thinks there is time
    rc, msg = h.rc()
    assert rc == EXPIRED and "expired_token" in msg, msg
    assert [e for _, e in proxy.polls()] == ["expired_token"]


def test_library_never_polls_past_expires_in(world, proxy):
    h = Harness(world, proxy.base)
    h.codes()
    assert h.wait() == 5
    h.go(596)                   # the next poll would be at 601
    rc, msg = h.rc()
    assert rc == EXPIRED, msg
    assert [e for _, e in proxy.polls()] == ["authorization_pending"]


def test_library_cancelled_by_its_sleep_callback(world, proxy):
    h = Harness(world, proxy.base)
    h.codes()
    assert h.wait() == 5
    h.stop()
    assert h.rc()[0] == CANCELLED
    assert proxy.polls() == []


def test_library_refused_app_shows_no_codes(world):
    bad = Harness(world, world.srv.base, secret="kg_sk_" + "x" * 40)
    assert bad.line()[0] == "rc=%d" % CLIENT_AUTH
    bad.p.wait(timeout=10)
    world.app = make_app(world.srv, redirect_uris=(LOOPBACK,))  # flow off
    h = Harness(world, world.srv.base)
    words = h.line()
    assert words[0] == "rc=%d" % SERVER and "unauthorized_client" in \
        " ".join(words), words
    h.p.wait(timeout=10)


def start_cli(world, *extra, stdout=subprocess.PIPE):
    argv = [kgtest.BINARY, "client", "login", "--device", "--issuer",
            world.srv.base, "--api-key", world.app.key, "--secret-stdin",
            "--file", world.file, "--test-clock-file", world.clock_file,
            *extra]
    p = subprocess.Popen(argv, env=kgtest.clean_env(), text=True,
                         stdin=subprocess.PIPE, stdout=stdout,
                         stderr=subprocess.PIPE)
    p.stdin.write(world.app.secret + "\n")
    p.stdin.close()
    p.stdin = None
    return p


def read_codes(p):
    first = p.stdout.readline()
    m = re.fullmatch(r"Open (\S+) and enter (\S+)\n", first)
    assert m, first
    second = p.stdout.readline()
    assert second.startswith("or open ") and m[2] in second, second
    return m[2]


def test_cli_allowed_denied_and_expired(world, shared, make_server,
                                        tmp_path):
    """Three log-ins side by side, so that the interval is waited once:
    allowed (a 0600 file that `token` and `call` use), denied and expired
    (exit 1, no file)."""
    for d in ("denied", "expired"):
        (tmp_path / d).mkdir()
    no = World(lambda *f, **kw: shared, tmp_path / "denied",
               device_flow=True)
    # on the shared server's clock: a DPoP proof's iat must be within
    # 60 s of it
    no.offset = world.offset
    no._write_clock()
    late = World(make_server, tmp_path / "expired", device_flow=True)
    allowed = start_cli(world, "--scope", "account_read")
    denied, expired = start_cli(no), start_cli(late)
    approve(world.user, read_codes(allowed))
    approve(no.user, read_codes(denied), "deny")
    read_codes(expired)
    late.advance(600)           # both clocks: the client gives up itself

    out, err = allowed.communicate(timeout=30)
    assert allowed.returncode == 0, err
    assert "Logged in" in err and out == ""     # no QR code off a terminal
    assert mode(world.file) == 0o600
    t = world.tokens()
    assert t["scope"] == "account_read"
    for secret in (world.app.secret, t["access_token"], t["refresh_token"]):
        assert secret not in out + err
    r = world.cli("token")
    assert r.returncode == 0 and r.stdout.strip() == t["access_token"]
    world.call_ok()

    out, err = denied.communicate(timeout=30)
    assert denied.returncode == 1 and "access_denied" in err, err
    out, err = expired.communicate(timeout=30)
    assert expired.returncode == 1 and "expired" in err, err
    assert late.count("/oauth2/token", "POST") == 0
    assert not os.path.exists(no.file) and not os.path.exists(late.file)


def test_cli_flags(world):
    for extra in (["--timeout", "5"], ["--redirect-uri",
                                       "http://127.0.0.1/cb"]):
        r = kgtest.run_cli("client", "login", "--device", "--issuer",
                           world.srv.base, "--api-key", world.app.key,
                           "--file", world.file, *extra)
        assert r.returncode == 2 and "--device" in r.stderr, r.stderr


QR_CELLS = {" ": (0, 0), "\u2580": (1, 0), "\u2584": (0, 1),
            "\u2588": (1, 1)}


def qr_image(lines, path, scale=6):
    """The half blocks as a PGM picture, dark modules black, no margin
    but the one drawn (zbarimg must find the quiet zone in it)."""
    rows = []
    for line in lines:
        cells = [QR_CELLS[c] for c in re.sub(r"\033\[[0-9;]*m", "", line)]
        rows += [[c[0] for c in cells], [c[1] for c in cells]]
    h, w = len(rows), len(rows[0])
    pixels = bytearray()
    for row in rows:
        line = bytearray()
        for dark in row:
            line += bytes([0 if dark else 255]) * scale
        pixels += bytes(line) * scale
    with open(path, "wb") as f:
        f.write(b"P5 %d %d 255\n" % (w * scale, h * scale) + pixels)


def test_cli_draws_a_qr_code_of_the_complete_uri_on_a_terminal(world,
                                                                tmp_path):
    master, slave = pty.openpty()
    p = start_cli(world, stdout=slave)
    os.close(slave)
    text = b""
    while b"\033[0m\r\n\r\n" not in text:
        ready, _, _ = select.select([master], [], [], 10)
        assert ready, text
        text += os.read(master, 65536)
    p.kill()
    p.communicate(timeout=10)
    os.close(master)
    lines = text.decode().replace("\r", "").split("\n")
    full = lines[1][len("or open "):]
    assert lines[2] == "" and "\033[30;107m" in lines[3]
    qr = lines[3:lines.index("", 3)]
    assert len(qr) > 10 and all(l.endswith("\033[0m") for l in qr)
    qr_image(qr, tmp_path / "qr.pgm")
    r = subprocess.run(["zbarimg", "--quiet", "--raw", "-Sdisable",
                        "-Sqrcode.enable", str(tmp_path / "qr.pgm")],
                       capture_output=True, text=True)
    assert r.returncode == 0 and r.stdout.strip() == full, r
