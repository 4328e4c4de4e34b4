"""A private Glewlwyd for `bench/run --glewlwyd`, on loopback.

Start, set-up and stop in one module the runner drives: its own SQLite file
from the packaged init SQL, pinned to the server core, configured through
the admin REST API, and tokens minted by real authorization-code flows.

Refresh tokens: by default as the peer set-up has them, not rotated
("refresh-token-one-use": "never"): the refresh list is one token repeated,
and each refresh still writes a new access token. Its refresh figure is
then an upper bound for a server that rotates. With rotate=True
(`bench/run --glewlwyd-rotate`) they rotate as keygate's do ("always") and
every request spends a token minted by its own code flow; minting runs at
some 10-20 flows/s on the 2-core machine, so that takes minutes. The
client authenticates with a plain `client_secret` (the peer
README: the PBKDF2 "password" client costs 150,000 rounds per request,
which says nothing about a server that stores a fast hash of a
high-entropy secret).
"""

import base64
import gzip
import http.client
import json
import os
import sqlite3
import subprocess
import threading
import time
import urllib.parse

from kgbench.common import free_port  # bench/run puts bench/ on the path

HERE = os.path.dirname(os.path.abspath(__file__))
INIT_SQL = "/usr/share/doc/glewlwyd/database/init.sqlite3.sql.gz"
CLIENT_ID = "bench-client-plain"
CLIENT_SECRET = "bench-client-plain-secret-456"
USER, USER_PASSWORD = "bench", "bench-user-pass-123"
REDIRECT = "https://client.example.test/callback"


def version():
    r = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", "glewlwyd"],
                       capture_output=True, text=True)
    return r.stdout.strip() or "?"


class Conn:
    """One keep-alive connection with its own cookies."""

    def __init__(self, port):
        self.c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookies = {}

    def req(self, method, path, body=None, headers=None, form=False):
        h = dict(headers or {})
        if self.cookies:
            h["Cookie"] = "; ".join("%s=%s" % kv
                                    for kv in self.cookies.items())
        if body is not None and not isinstance(body, (bytes, str)):
            body = (urllib.parse.urlencode(body) if form
                    else json.dumps(body))
            h["Content-Type"] = ("application/x-www-form-urlencoded"
                                 if form else "application/json")
        self.c.request(method, path, body=body, headers=h)
        r = self.c.getresponse()
        data = r.read()
        for k, v in r.getheaders():
            if k.lower() == "set-cookie":
                name, _, rest = v.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        return r.status, r.getheader("Location"), data

    def ok(self, method, path, body=None, headers=None, form=False):
        st, _, data = self.req(method, path, body, headers, form)
        if st != 200:
            raise RuntimeError("Glewlwyd %s %s: %d %s" %
                               (method, path, st, data[:300]))
        return data


def write_padded(path, values):
    """One value a line, padded with spaces to one length: bench.lua finds
    line i with a seek."""
    width = max(len(v) for v in values)
    with open(path, "w") as f:
        for v in values:
            f.write(v.ljust(width) + "\n")


class Instance:
    def __init__(self, workdir, cpu, rotate=False):
        self.rotate = rotate
        self.refresh_token = None
        self.dir = workdir
        self.cpu = cpu
        self.port = free_port()
        self.url = "http://127.0.0.1:%d" % self.port
        self.proc = None
        self.pid = None
        self.log_path = os.path.join(workdir, "glewlwyd.log")
        self.access_file = os.path.join(workdir, "access.txt")
        self.basic = "Basic " + base64.b64encode(
            ("%s:%s" % (CLIENT_ID, CLIENT_SECRET)).encode()).decode()
        self.user = None
        self.lock = threading.Lock()
        self.n_list = 0

    def start(self):
        db = os.path.join(self.dir, "glewlwyd.sqlite3")
        with gzip.open(INIT_SQL, "rt") as f:
            con = sqlite3.connect(db)
            con.executescript(f.read())
            con.close()
        with open(os.path.join(HERE, "glewlwyd.conf.in")) as f:
            conf = f.read()
        conf = (conf.replace("@PORT@", str(self.port))
                .replace("@DB@", db).replace("@LOG@", self.log_path))
        cpath = os.path.join(self.dir, "glewlwyd.conf")
        with open(cpath, "w") as f:
            f.write(conf)
        self.out = open(os.path.join(self.dir, "stdout.log"), "w")
        self.proc = subprocess.Popen(
            ["taskset", "-c", self.cpu, "glewlwyd",
             "--config-file=" + cpath],
            stdout=self.out, stderr=subprocess.STDOUT)
        self.pid = self.proc.pid
        deadline = time.time() + 30
        while True:
            try:
                Conn(self.port).ok("GET", "/config")
                return
            except (OSError, RuntimeError, http.client.HTTPException):
                if self.proc.poll() is not None or time.time() > deadline:
                    raise RuntimeError("Glewlwyd did not start: " +
                                       self.tail())
                time.sleep(0.2)

    def configure(self):
        """The peer's setup.sh, with rotating refresh tokens."""
        key = os.path.join(self.dir, "rsa.key")
        subprocess.run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt",
                        "rsa_keygen_bits:2048", "-out", key], check=True,
                       capture_output=True)
        pub = subprocess.run(["openssl", "pkey", "-in", key, "-pubout"],
                             check=True, capture_output=True,
                             text=True).stdout
        with open(key) as f:
            priv = f.read()
        a = Conn(self.port)
        a.ok("POST", "/api/auth/", {"username": "admin",
                                    "password": "password"})
        a.ok("POST", "/api/mod/plugin/", {
            "module": "oidc", "name": "oidc", "display_name": "OIDC bench",
            "enabled": True,
            "parameters": {
                "iss": self.url + "/api/oidc", "jwt-type": "rsa",
                "jwt-key-size": "256", "key": priv, "cert": pub,
                "access-token-duration": 3600,
                "refresh-token-duration": 1209600, "code-duration": 600,
                "refresh-token-rolling": True,
                "refresh-token-one-use":
                    "always" if self.rotate else "never",
                "allow-non-oidc": True,
                "auth-type-code-enabled": True,
                "auth-type-token-enabled": True,
                "auth-type-id-token-enabled": True,
                "auth-type-none-enabled": False,
                "auth-type-password-enabled": False,
                "auth-type-client-enabled": True,
                "auth-type-device-enabled": False,
                "auth-type-refresh-enabled": True,
                "auth-type-code-revoke-replayed": True,
                "allowed-scope": ["openid", "api"],
                "introspection-revocation-allowed": True,
                "introspection-revocation-allow-target-client": True,
                "subject-type": "public"}})
        a.ok("POST", "/api/scope/", {
            "name": "api", "display_name": "API",
            "description": "bench API scope", "password_required": False,
            "scheme": {}})
        a.ok("POST", "/api/user/", {
            "username": USER, "password": USER_PASSWORD,
            "name": "Bench User", "email": "bench@example.test",
            "scope": ["g_profile", "openid", "api"], "enabled": True})
        a.ok("POST", "/api/client/", {
            "client_id": CLIENT_ID, "name": "Bench client",
            "description": "benchmark client", "confidential": True,
            "client_secret": CLIENT_SECRET, "redirect_uri": [REDIRECT],
            "authorization_type": ["code", "token", "id_token",
                                   "refresh_token", "client_credentials",
                                   "delete_token"],
            "token_endpoint_auth_method": ["client_secret_basic",
                                           "client_secret_post"],
            "scope": ["api"], "enabled": True})
        u = Conn(self.port)
        u.ok("POST", "/api/auth/", {"username": USER,
                                    "password": USER_PASSWORD})
        u.ok("PUT", "/api/auth/grant/" + CLIENT_ID, {"scope": "openid api"})
        self.user = dict(u.cookies)

    def _flows(self, n, out):
        c = Conn(self.port)
        c.cookies = dict(self.user)
        q = urllib.parse.urlencode({
            "response_type": "code", "client_id": CLIENT_ID,
            "redirect_uri": REDIRECT, "scope": "openid api",
            "state": "st", "nonce": "n"})
        for _ in range(n):
            st, loc, data = c.req("GET", "/api/oidc/auth?" + q +
                                  "&g_continue")
            code = urllib.parse.parse_qs(
                urllib.parse.urlsplit(loc or "").query).get("code")
            if st != 302 or not code:
                raise RuntimeError("Glewlwyd authorize: %d %s %s" %
                                   (st, loc, data[:200]))
            t = json.loads(c.ok("POST", "/api/oidc/token", {
                "grant_type": "authorization_code", "code": code[0],
                "redirect_uri": REDIRECT},
                {"Authorization": self.basic}, form=True))
            with self.lock:
                out.append((t["access_token"], t["refresh_token"]))

    def flows(self, n, jobs=4):
        """n authorization-code flows (consent given once before)."""
        out = []
        per = [n // jobs + (1 if i < n % jobs else 0) for i in range(jobs)]
        errors = []

        def run(k):
            try:
                self._flows(k, out)
            except Exception as e:  # reported below
                errors.append(e)
        ts = [threading.Thread(target=run, args=(k,)) for k in per if k]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        if errors:
            raise errors[0]
        return out

    def mint(self, n):
        pairs = self.flows(n)
        write_padded(self.access_file, [a for a, _ in pairs])
        self.refresh_token = pairs[-1][1]

    def refresh_list(self, n):
        """A file of n fresh refresh tokens (rewritten each call)."""
        self.n_list += 1
        path = os.path.join(self.dir, "refresh.txt")
        if self.rotate:
            write_padded(path, [r for _, r in self.flows(n)])
        else:
            write_padded(path, [self.refresh_token] * n)
        return path

    def tail(self, n=20):
        lines = []
        for p in (self.log_path, os.path.join(self.dir, "stdout.log")):
            try:
                with open(p) as f:
                    lines += f.readlines()[-n:]
            except OSError:
                pass
        return "".join(lines[-n:])

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc:
            self.out.close()
