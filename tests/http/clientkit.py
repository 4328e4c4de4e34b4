"""Helpers for the tests of libkeygate-client and `keygate client`
(docs/CLIENT.md): a keygate with --test-clock and its own issuer, an app
whose redirect URI is the loopback one, a logged-in user who plays the
browser, and the client's clock file moved in step with the server's.

The server's clock is the wall clock plus the sum of its advances, and the
client's (KEYGATE_CLIENT_TEST_CLOCK_FILE / --test-clock-file) is the wall
clock plus the number in its clock file: `World.advance()` moves both by
the same amount, so they agree without the client ever asking the server.

The access log tells what the client did: `World.count()` counts the
requests on a route (e.g. refreshes are POSTs of /oauth2/token)."""

import os
import select
import stat
import subprocess
import time
from urllib.parse import parse_qs, urlsplit

import requests

import kgtest
import oauthkit
from oauthkit import User, make_app, submit_grant

LOOPBACK = "http://127.0.0.1/callback"
H = 3600
BUILD = os.path.dirname(os.path.dirname(kgtest.BINARY))
HARNESS = os.path.join(BUILD, "tests", "client_harness")
EXAMPLE = os.path.join(BUILD, "examples", "client_example")


class World:
    def __init__(self, make_server, tmp_path, *flags, secret=True,
                 **app_fields):
        self.srv = oauthkit.oauth_server(make_server, *flags)
        self.app = make_app(self.srv, secret=secret,
                            redirect_uris=(LOOPBACK,), **app_fields)
        self.user = User(self.srv, "client")
        self.dir = str(tmp_path)
        self.file = os.path.join(self.dir, "tokens.json")
        self.clock_file = os.path.join(self.dir, "clock")
        self.offset = 0
        self._write_clock()

    def _write_clock(self):
        with open(self.clock_file, "w") as f:
            f.write(f"{self.offset}\n")

    @property
    def env(self):
        return {"KEYGATE_CLIENT_TEST_CLOCK_FILE": self.clock_file}

    def advance(self, seconds):
        """Moves the server's and the client's clocks together."""
        self.srv.advance(seconds)
        self.offset += seconds
        self._write_clock()

    @property
    def summary_url(self):
        return self.srv.url("/v3/account/summary")

    def cli(self, *args, timeout=30):
        return kgtest.run_cli("client", *args, "--file", self.file,
                              env=self.env, timeout=timeout)

    def call(self, url=None, *extra):
        return self.cli("call", url or self.summary_url, *extra)

    def call_ok(self):
        r = self.call()
        assert r.returncode == 0, (r.returncode, r.stderr)
        assert r.stdout.startswith("{") and self.user.email in r.stdout, \
            r.stdout
        return r

    def tokens(self):
        with open(self.file) as f:
            import json
            return json.load(f)["tokens"]

    def start_login(self, *extra, secret=None, secret_via="stdin"):
        """Starts `keygate client login`; returns (process, URL). The
        app's secret (or `secret`) goes on standard input with
        --secret-stdin, or in KEYGATE_CLIENT_SECRET with secret_via="env";
        never on the command line."""
        argv = [kgtest.BINARY, "client", "login", "--issuer", self.srv.base,
                "--api-key", self.app.key, "--file", self.file,
                "--test-clock-file", self.clock_file, "--timeout", "20",
                *extra]
        env = kgtest.clean_env()
        s = secret if secret is not None else self.app.secret
        if s is not None and secret_via == "stdin":
            argv.append("--secret-stdin")
        elif s is not None:
            assert secret_via == "env", secret_via
            env["KEYGATE_CLIENT_SECRET"] = s
        p = subprocess.Popen(argv, env=env, text=True,
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
        if s is not None and secret_via == "stdin":
            p.stdin.write(s + "\n")
        p.stdin.close()
        p.stdin = None      # communicate() would flush it again
        ready, _, _ = select.select([p.stdout], [], [], 10)
        assert ready, "keygate client login printed no URL"
        return p, p.stdout.readline().strip()

    def browse(self, url):
        """Plays the browser: opens the URL as the logged-in user, allows
        on the Grant Access page, follows the redirect to the loopback
        listener. Returns the listener's response."""
        assert url.startswith(self.srv.base + "/oauth2/authorize?"), url
        r = self.user.get(url[len(self.srv.base):])
        if r.status_code == 200:
            r = submit_grant(self.user, r.text, "allow")
        assert r.status_code in (302, 303), (r.status_code, r.text[:300])
        loc = r.headers["Location"]
        assert loc.startswith("http://127.0.0.1:"), loc
        return requests.get(loc, timeout=20)

    def login(self, *extra, secret_via="stdin"):
        p, url = self.start_login(*extra, secret_via=secret_via)
        page = self.browse(url)
        out, err = p.communicate(timeout=30)
        assert p.returncode == 0, (p.returncode, err)
        assert page.status_code == 200, page.text
        return url, out, err

    def count(self, route, method=None, status=None):
        """Requests on `route` in the server's access log, once a request
        sent after them has been logged."""
        def pings():
            return [l for l in kgtest.access_lines(self.srv.log())
                    if l.get("route") == "/ping"]
        before = len(pings())
        requests.get(self.srv.url("/ping"), timeout=5)
        deadline = time.monotonic() + 3
        while len(pings()) <= before and time.monotonic() < deadline:
            time.sleep(0.02)
        lines = kgtest.access_lines(self.srv.log())
        return sum(1 for l in lines if l.get("route") == route and
                   (method is None or l.get("method") == method) and
                   (status is None or l.get("status") == str(status)))

    def refreshes(self):
        """POSTs of /oauth2/token: the code exchange, then refreshes."""
        return self.count("/oauth2/token", "POST") - 1

    def rejected_calls(self):
        """Calls of the API that the server refused as unauthorized."""
        return self.count("/v3/account/summary", status=401)


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def query_of(url):
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
