"""A real relying party for the OpenID Connect tests: Debian's Apache with
mod_auth_openidc (packages apache2, libapache2-mod-auth-openidc), started
from a configuration of its own in a temporary folder.

    rp = apachekit.Apache(metadata_url, client_id, secret)   # started
    rp.base                 http://127.0.0.1:PORT
    rp.redirect_uri         what keygate must have registered for the app
    rp.logged_out_uri       its post_logout_redirect_uri
    rp.protected            /protected/claims: a CGI printing the
                            OIDC_CLAIM_* variables the module passes on
    rp.logout_url()         the module's logout: ends its session and sends
                            the browser to keygate's end_session_endpoint
    rp.set_clock(seconds)   moves Apache's clock (below)
    rp.log()                its error log; rp.stop() ends it

Apache runs in the foreground (-D FOREGROUND) as a child of the tests, on
a free loopback port, with its own ServerRoot, PidFile, ErrorLog and
runtime folder; the prefork MPM and mod_cgi. Run as root (CI) it serves
as nobody:nogroup, so its folder is made world-readable (it holds no
secret worth more than the throw-away app's). It gets SIGTERM when the
process that started it dies (PR_SET_PDEATHSIG), so no Apache outlives a
killed test run.

Its clock: Apache runs under libfaketime (Debian's faketime), whose
offset it re-reads from a file at each call, so that a test can move
Apache's clock along with keygate's test clock (POST /_test/clock), or
past an id_token's `exp` (docs/REFERENCE.md §7.6 explains keygate's).

`python3 apachekit.py METADATA_URL CLIENT_ID SECRET [PORT]` starts one for
another suite (tests/browser): it prints its JSON description on one line
and stops when its standard input closes."""

import ctypes
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import requests

from kgtest import free_port

APACHE = "/usr/sbin/apache2"
MODULES = "/usr/lib/apache2/modules"
FAKETIME_LIB = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"
NEEDED = {APACHE: "apache2",
          os.path.join(MODULES, "mod_auth_openidc.so"):
              "libapache2-mod-auth-openidc",
          FAKETIME_LIB: "faketime"}
LOAD = [("mpm_prefork_module", "mod_mpm_prefork.so"),
        ("authn_core_module", "mod_authn_core.so"),
        ("authz_core_module", "mod_authz_core.so"),
        ("authz_user_module", "mod_authz_user.so"),
        ("alias_module", "mod_alias.so"),
        ("cgi_module", "mod_cgi.so"),
        ("auth_openidc_module", "mod_auth_openidc.so")]

CLAIMS_CGI = """#!/bin/sh
printf 'Content-Type: text/plain\\r\\n\\r\\n'
echo 'the protected page'
echo "REMOTE_USER=$REMOTE_USER"
env | grep '^OIDC_CLAIM_' | sort
"""
LOGGED_OUT_CGI = """#!/bin/sh
printf 'Content-Type: text/plain\\r\\n\\r\\n'
echo 'logged out of the relying party'
"""


def missing_packages():
    """The Debian packages this kit needs that are not installed."""
    return sorted({pkg for path, pkg in NEEDED.items()
                   if not os.path.exists(path)})


def require_packages():
    gone = missing_packages()
    if gone:
        raise AssertionError(
            "the Apache relying party needs the Debian package(s) "
            f"{', '.join(gone)} (scripts/setup.sh installs them)")


def _die_with_parent():
    """In the child before exec: SIGTERM when the parent dies."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(1, signal.SIGTERM)           # PR_SET_PDEATHSIG


def uris(port):
    """(redirect URI, logged-out URI) of an Apache on `port`: what keygate
    must have registered for its app, as redirect_uris and
    post_logout_redirect_uris, before it starts."""
    base = f"http://127.0.0.1:{port}"
    return base + "/protected/redirect_uri", base + "/loggedout"


class Apache:
    """One Apache with mod_auth_openidc as the relying party of one app.
    `iat_slack`: mod_auth_openidc's OIDCIDTokenIatSlack (its default 600
    unless given); `scope`: what it asks for."""

    def __init__(self, metadata_url, client_id, secret, scope="openid email",
                 iat_slack=None, extra=(), port=None):
        require_packages()
        self.dir = tempfile.mkdtemp(prefix="kg-apache-")
        os.chmod(self.dir, 0o755)
        self.port = port or free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.redirect_uri, self.logged_out_uri = uris(self.port)
        self.protected = "/protected/claims"
        self.clock_file = os.path.join(self.dir, "faketime")
        self.set_clock(0)
        self._write(metadata_url, client_id, secret, scope, iat_slack, extra)
        self.proc = None
        self._start()

    def url(self, path):
        return self.base + path

    def logout_url(self):
        """The module's logout (on its redirect URI), back to the logged-out
        page, by way of keygate's end_session_endpoint."""
        return self.redirect_uri + "?" + \
            requests.compat.urlencode({"logout": self.logged_out_uri})

    def set_clock(self, seconds):
        """Apache's clock runs `seconds` ahead of the wall clock from now on
        (read by libfaketime at each call)."""
        with open(self.clock_file + ".new", "w") as f:
            f.write(f"{int(seconds):+d}\n")
        os.chmod(self.clock_file + ".new", 0o644)
        os.replace(self.clock_file + ".new", self.clock_file)

    def log(self):
        try:
            with open(os.path.join(self.dir, "error.log"), "rb") as f:
                return f.read().decode("utf-8", "replace")
        except FileNotFoundError:
            return ""

    def _write(self, metadata_url, client_id, secret, scope, iat_slack,
               extra):
        d = self.dir
        for name, text in (("claims.cgi", CLAIMS_CGI),
                           ("loggedout.cgi", LOGGED_OUT_CGI)):
            path = os.path.join(d, name)
            with open(path, "w") as f:
                f.write(text)
            os.chmod(path, 0o755)
        os.mkdir(os.path.join(d, "run"), 0o755)
        root = os.geteuid() == 0
        lines = [f'ServerRoot "{d}"', f'DefaultRuntimeDir "{d}/run"',
                 f'PidFile "{d}/run/httpd.pid"', f'ErrorLog "{d}/error.log"',
                 "LogLevel warn auth_openidc:info",
                 f"Listen 127.0.0.1:{self.port}",
                 f"ServerName 127.0.0.1:{self.port}",
                 "StartServers 2", "MinSpareServers 1", "MaxSpareServers 4",
                 "Timeout 20"]
        lines += [f"LoadModule {m} {MODULES}/{so}" for m, so in LOAD]
        if root:            # Apache refuses to serve as root
            lines += ["User nobody", "Group nogroup"]
        lines += [
            'LogFormat "%h \\"%r\\" %>s" brief',
            f'CustomLog "{d}/access.log" brief',
            f'DocumentRoot "{d}"',
            f'ScriptAlias /protected/claims "{d}/claims.cgi"',
            f'ScriptAlias /loggedout "{d}/loggedout.cgi"',
            f"OIDCProviderMetadataURL {metadata_url}",
            f"OIDCClientID {client_id}",
            f"OIDCClientSecret {secret}",
            f"OIDCRedirectURI {self.redirect_uri}",
            f"OIDCCryptoPassphrase {secrets.token_hex(16)}",
            f'OIDCScope "{scope}"',
            "OIDCProviderTokenEndpointAuth client_secret_basic",
            "OIDCPassClaimsAs environment",
            "OIDCSessionType server-cache",
            "OIDCCacheType shm",
            f"OIDCDefaultLoggedOutURL {self.logged_out_uri}",
            # no metadata or keys from before a rotation kept for an hour
            "OIDCProviderMetadataRefreshInterval 3600",
        ]
        if iat_slack is not None:
            lines.append(f"OIDCIDTokenIatSlack {iat_slack}")
        lines += list(extra)
        lines += ["<Location /protected>", "  AuthType openid-connect",
                  "  Require valid-user", "</Location>"]
        with open(os.path.join(d, "httpd.conf"), "w") as f:
            f.write("\n".join(lines) + "\n")
        if root:
            # the children (nobody) read the claims CGI and the clock
            shutil.chown(os.path.join(d, "run"), "nobody", "nogroup")

    def _start(self, timeout=10):
        env = {"PATH": "/usr/sbin:/usr/bin:/bin", "LANG": "C",
               "LD_PRELOAD": FAKETIME_LIB,
               "FAKETIME_TIMESTAMP_FILE": self.clock_file,
               "FAKETIME_NO_CACHE": "1",
               # libfaketime would also slow down or stop Apache's timers
               "FAKETIME_DONT_FAKE_MONOTONIC": "1"}
        self._out = open(os.path.join(self.dir, "stdout.log"), "ab")
        self.proc = subprocess.Popen(
            [APACHE, "-f", os.path.join(self.dir, "httpd.conf"),
             "-d", self.dir, "-D", "FOREGROUND"],
            env=env, stdin=subprocess.DEVNULL, stdout=self._out,
            stderr=subprocess.STDOUT, preexec_fn=_die_with_parent,
            # prefork ends its whole process group at stop: not ours
            start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(
                    f"Apache exited with {self.proc.returncode}:\n"
                    f"{self._stdout()}\n{self.log()}")
            try:
                if requests.get(self.logged_out_uri, timeout=1) \
                        .status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.05)
        self.stop()
        raise AssertionError(f"Apache did not answer within {timeout} s:\n"
                             f"{self._stdout()}\n{self.log()}")

    def _stdout(self):
        with open(os.path.join(self.dir, "stdout.log"), "rb") as f:
            return f.read().decode("utf-8", "replace")

    def stop(self, keep=False):
        """SIGTERM and wait; the folder is removed unless keep=True.
        Returns Apache's exit status."""
        rc = None
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.send_signal(signal.SIGTERM)
            try:
                rc = self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                rc = self.proc.wait()
            self._out.close()
        if not keep:
            shutil.rmtree(self.dir, ignore_errors=True)
        return rc


def main(argv):
    rp = Apache(*argv[1:4], port=int(argv[4]) if len(argv) > 4 else None)
    print(json.dumps({"base": rp.base, "redirect_uri": rp.redirect_uri,
                      "logged_out_uri": rp.logged_out_uri,
                      "protected": rp.protected,
                      "logout_url": rp.logout_url()}), flush=True)
    try:
        sys.stdin.read()
    finally:
        rp.stop()


if __name__ == "__main__":
    main(sys.argv)
