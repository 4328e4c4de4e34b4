"""Protecting an API with nginx (docs/OPERATIONS.md): Debian's nginx runs
the example configuration examples/nginx/keygate-guard.conf, only its three
addresses replaced, in front of a tiny API on loopback; keygate answers its
auth_request subrequests at GET /oauth2/check."""

import json
import os
import signal
import socket
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest
import requests

import dpopkit
import kgtest
import oauthkit
from oauthkit import (User, approve, get_tokens, introspection, make_app,
                      revoke)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
NGINX = "/usr/sbin/nginx"
EXAMPLE = os.path.join(ROOT, "examples", "nginx", "keygate-guard.conf")
# the example's addresses: nginx, keygate, the API
FRONT, KEYGATE, API = "127.0.0.1:8000", "127.0.0.1:8080", "127.0.0.1:9000"

MAIN_CONF = """\
{user}pid {dir}/nginx.pid;
error_log {dir}/error.log info;
worker_processes 1;
events {{ worker_connections 64; }}
http {{
    access_log {dir}/access.log;
    client_body_temp_path {dir}/client_body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    include {dir}/keygate-guard.conf;
}}
"""


class Api(BaseHTTPRequestHandler):
    """The protected API: answers 200 with the headers it was sent."""

    def do_GET(self):
        body = json.dumps({"path": self.path,
                           "headers": {k.lower(): v for k, v in
                                       self.headers.items()}}).encode()
        self.server.seen.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def wait_port(port, proc, log, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"nginx exited: {log()}")
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return
        except OSError:
            time.sleep(0.02)
    raise AssertionError(f"nginx did not listen: {log()}")


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """keygate (test clock), the API and nginx; yields (keygate, front
    URL, API server)."""
    kg = kgtest.start_server(tmp_path_factory.mktemp("keygate"), issuer=True)
    front = kgtest.free_port()
    # the API as a resource, as the example's first lines say
    p = kgtest.run_cli("resource", "add", f"http://127.0.0.1:{front}",
                       "--name", "Example API", "--scope",
                       "example:read Read your things", "--scope",
                       "example:write Change your things", "--db", kg.db,
                       "--issuer", kg.base)
    assert p.returncode == 0, p.stderr
    deadline = time.monotonic() + 5     # the server reloads within a poll
    while requests.get(kg.url("/oauth2/resource-metadata"), timeout=5,
                       params={"resource": f"http://127.0.0.1:{front}"}
                       ).status_code != 200:
        assert time.monotonic() < deadline, "resource never published"
        time.sleep(0.05)
    api = ThreadingHTTPServer(("127.0.0.1", 0), Api)
    api.seen = []
    threading.Thread(target=api.serve_forever, daemon=True).start()
    d = str(tmp_path_factory.mktemp("nginx"))
    with open(EXAMPLE) as f:
        text = f.read()
    for addr in (FRONT, KEYGATE, API):
        assert addr in text, (addr, EXAMPLE)
    text = text.replace(FRONT, f"127.0.0.1:{front}") \
        .replace(KEYGATE, f"127.0.0.1:{kg.port}") \
        .replace(API, f"127.0.0.1:{api.server_address[1]}")
    with open(os.path.join(d, "keygate-guard.conf"), "w") as f:
        f.write(text)
    # As root, nginx's workers would run as `nobody`, who cannot enter
    # pytest's private temporary folders.
    user = "user root;\n" if os.geteuid() == 0 else ""
    with open(os.path.join(d, "nginx.conf"), "w") as f:
        f.write(MAIN_CONF.format(dir=d, user=user))
    argv = [NGINX, "-p", d + "/", "-e", os.path.join(d, "error.log"), "-c",
            os.path.join(d, "nginx.conf")]
    t = subprocess.run(argv + ["-t"], capture_output=True, text=True,
                       timeout=10)
    assert t.returncode == 0, t.stderr
    out = open(os.path.join(d, "nginx.out"), "ab")
    proc = subprocess.Popen(argv + ["-g", "daemon off;"], stdout=out,
                            stderr=out, stdin=subprocess.DEVNULL)

    def log():
        with open(os.path.join(d, "error.log"), errors="replace") as f:
            return f.read()[-4000:]
    try:
        wait_port(front, proc, log)
        yield kg, f"http://127.0.0.1:{front}", api
    finally:
        proc.send_signal(signal.SIGQUIT)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        out.close()
        api.shutdown()
        rc = kg.stop()
        assert rc == 0, kg.log()[-4000:]


@pytest.fixture(scope="module")
def client(stack):
    kg, front, _ = stack
    app = make_app(kg)
    user = User(kg, "guarded")
    approve(user, app, scope="example:read example:write", resource=front)
    return app, user


def call(front, path, token=None, **headers):
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return requests.get(front + path, headers=headers, timeout=10)


def refused(r, kg, error=None):
    """keygate's 401 through nginx, naming the guarded API's metadata."""
    assert r.status_code == 401, (r.status_code, r.text)
    front = urlsplit(r.url)
    assert r.headers.get("WWW-Authenticate") == kgtest.challenge(
        kg, error, f"{front.scheme}://{front.netloc}"
        "/.well-known/oauth-protected-resource"), r.headers


def test_valid_token_passes_with_subject_client_and_scope(stack, client):
    kg, front, api = stack
    app, user = client
    t = get_tokens(user, app, scope="example:read example:write",
                   resource=front)
    # the token is for the API alone: keygate's own refuses it
    assert requests.get(kg.url("/v3/account/summary"), timeout=5,
                        headers=kgtest.bearer(t["access_token"])
                        ).status_code == 401
    who = {"account_id": str(introspection(app, t["access_token"])["sub"])}
    # a client's own X-Keygate-* headers are replaced, never passed on
    r = call(front, "/orders/7?x=1", t["access_token"],
             **{"X-Keygate-Subject": "1", "X-Keygate-Scope": "admin"})
    assert r.status_code == 200, (r.status_code, r.text)
    seen = r.json()
    assert seen["path"] == "/orders/7?x=1"
    h = seen["headers"]
    assert h["x-keygate-subject"] == who["account_id"], h
    assert h["x-keygate-client"] == app.key, h
    assert sorted(h["x-keygate-scope"].split()) == \
        ["example:read", "example:write"], h
    assert "authorization" not in h, h


def test_no_token_gets_the_bare_challenge(stack):
    kg, front, api = stack
    before = len(api.seen)
    refused(call(front, "/orders"), kg)
    assert len(api.seen) == before


def test_dpop_proof_of_the_proxied_request_passes(stack, client):
    """The proof names nginx's URL and the request's method; the API gets
    neither the token nor the proof; a replay, or a proof of another
    path, gets keygate's DPoP challenge through nginx."""
    kg, front, api = stack
    app, user = client
    t = get_tokens(user, app, scope="example:read",
                   resource=front)["access_token"]
    key = dpopkit.Key("ES256")
    url = front + "/orders/9"
    proof = key.proof("GET", url + "?q=1", access_token=t,
                      iat=oauthkit.clock(kg))
    h = {"Authorization": f"DPoP {t}", "DPoP": proof}
    r = requests.get(url + "?q=1", headers=h, timeout=10)
    assert r.status_code == 200, (r.status_code, r.text)
    seen = r.json()["headers"]
    assert "authorization" not in seen and "dpop" not in seen, seen
    r = requests.get(url + "?q=1", headers=h, timeout=10)
    assert r.status_code == 401, (r.status_code, r.text)
    assert r.headers["WWW-Authenticate"].startswith(
        'DPoP error="invalid_dpop_proof"'), r.headers
    h["DPoP"] = key.proof("GET", front + "/other", access_token=t,
                          iat=oauthkit.clock(kg))
    r = requests.get(url, headers=h, timeout=10)
    assert r.status_code == 401, r.status_code


@pytest.mark.parametrize("token", ["kg_at_" + "A" * 43, "not-a-token",
                                   "kg_rt_" + "B" * 43])
def test_invalid_token_gets_invalid_token(stack, token):
    kg, front, api = stack
    before = len(api.seen)
    refused(call(front, "/orders", token), kg, "invalid_token")
    assert len(api.seen) == before


def test_revoked_token_gets_invalid_token(stack, client):
    kg, front, api = stack
    app, user = client
    t = get_tokens(user, app, resource=front)
    assert call(front, "/a", t["access_token"]).status_code == 200
    assert revoke(app, t["refresh_token"]).status_code == 200
    refused(call(front, "/a", t["access_token"]), kg, "invalid_token")


def test_each_pass_counts_as_a_use(stack, client):
    """docs/REFERENCE.md §4: unused, a token dies at iat + 1 h; used, it lives
    2 h past its last use. A pass through nginx 50 minutes in keeps the token
    alive at 70 minutes, when its unused twin is refused."""
    kg, front, api = stack
    app, user = client
    used = get_tokens(user, app, resource=front)["access_token"]
    unused = get_tokens(user, app, resource=front)["access_token"]
    kg.advance(50 * 60)
    assert call(front, "/use", used).status_code == 200
    kg.advance(20 * 60)
    refused(call(front, "/late", unused), kg, "invalid_token")
    assert call(front, "/late", used).status_code == 200


def test_a_token_for_another_resource_is_refused(stack, client):
    """Tokens asked without the API's resource (for keygate's own API)
    never reach the API."""
    kg, front, api = stack
    app, user = client
    before = len(api.seen)
    t = get_tokens(user, app, scope="account_read")["access_token"]
    assert requests.get(kg.url("/v3/account/summary"), timeout=5,
                        headers=kgtest.bearer(t)).status_code == 200
    refused(call(front, "/orders", t), kg, "invalid_token")
    assert len(api.seen) == before


def test_the_resource_metadata_is_served_at_the_api(stack):
    kg, front, api = stack
    r = requests.get(front + "/.well-known/oauth-protected-resource",
                     timeout=10)
    assert r.status_code == 200, (r.status_code, r.text)
    doc = r.json()
    assert doc["resource"] == front
    assert doc["authorization_servers"] == [kg.base]
    assert doc["scopes_supported"] == ["example:read", "example:write"]
