"""The MCP TypeScript SDK (npm @modelcontextprotocol/sdk), unmodified, as
the client of an MCP server built from the SDK's own server classes and
guarded by keygate (docs/REFERENCE.md §22; tests/mcp/). The client
meets the 401, finds the resource's metadata and keygate's, registers
itself (through a client ID metadata document, through dynamic
registration, or not at all when registered beforehand), runs the
authorization (this test plays the person at the log-in and Grant Access
pages) and calls a tool; a token for another resource is refused by the
MCP server."""

import json
import os
import subprocess
import time
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

import cimdkit
import kgtest
import oauthkit as ok

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
MCP = os.path.join(ROOT, "tests", "mcp")
REDIRECT = "http://127.0.0.1:33418/callback"   # nothing listens: the test
                                               # reads the redirect itself
OTHER = "https://other.example.com/api"

@pytest.fixture(scope="module")
def docs(tmp_path_factory):
    d = cimdkit.DocServer(tmp_path_factory.mktemp("mcp-pki"))
    yield d
    d.stop()


@pytest.fixture(scope="module")
def server(tmp_path_factory, docs):
    """keygate taking client metadata documents from the test's HTTPS
    server, and open registration."""
    srv = kgtest.start_server(tmp_path_factory.mktemp("keygate"),
                              "--cimd-ca-file", docs.ca,
                              "--cimd-allow-hosts", "127.0.0.1",
                              "--open-registration", issuer=True)
    yield srv
    assert srv.stop() == 0, srv.log()[-4000:]


class McpServer:
    def __init__(self, keygate):
        self.port = kgtest.free_port()
        self.url = f"http://127.0.0.1:{self.port}/mcp"
        self.proc = subprocess.Popen(
            ["node", os.path.join(MCP, "mcp_server.mjs"), str(self.port),
             keygate.base], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True, cwd=MCP)
        line = self.proc.stdout.readline()
        assert line.strip() == "listening", (line, self.proc.stderr.read())

    def stop(self):
        self.proc.terminate()
        self.proc.wait(10)


def register(server, uri, name, *scopes):
    args = ["resource", "add", uri, "--name", name]
    for s in scopes:
        args += ["--scope", s]
    p = kgtest.run_cli(*args, "--db", server.db, "--issuer", server.base)
    assert p.returncode == 0, p.stderr
    deadline = time.monotonic() + 5
    while requests.get(server.url("/oauth2/resource-metadata"), timeout=5,
                       params={"resource": uri}).status_code != 200:
        assert time.monotonic() < deadline, f"{uri} never published"
        time.sleep(0.05)


@pytest.fixture(scope="module")
def mcp(server):
    srv = McpServer(server)
    register(server, srv.url, "Test tools", "mcp:tools Use the test tools")
    register(server, OTHER, "Other API", "other:read Read the other API")
    yield srv
    srv.stop()


def run_client(server, mcp_url, mode, arg=None, user=None, expect=()):
    """Runs the SDK client; plays the person when it asks; returns its
    final JSON line and the authorization URL it sent the person to."""
    argv = ["node", os.path.join(MCP, "mcp_client.mjs"), mcp_url, REDIRECT,
            mode] + ([arg] if arg else [])
    proc = subprocess.Popen(argv, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, cwd=MCP)
    try:
        seen = []
        for line in proc.stdout:
            msg = json.loads(line)
            seen.append(msg)
            if "authorize" in msg:
                code = play_the_person(server, user, msg["authorize"],
                                       expect)
                proc.stdin.write(code + "\n")
                proc.stdin.flush()
            elif "tools" in msg or "error" in msg:
                break
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert seen and "tools" in seen[-1], (seen, proc.stderr.read())
    return seen


def play_the_person(server, user, url, expect=()):
    """Opens the authorization URL as the logged-in person, allows on the
    Grant Access page (which must show `expect` too), and returns the code
    of the redirect."""
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == server.base, url
    r = user.get(parts.path + "?" + parts.query)
    assert r.status_code == 200, (r.status_code, r.text[:500])
    text = ok.page_text(r.text)
    for words in ("Use the test tools",) + tuple(expect):
        assert words in text, (words, text[:1500])
    r = ok.submit_grant(user, r.text, "allow")
    loc = r.headers.get("Location", "")
    assert loc.startswith(REDIRECT), (r.status_code, loc, r.text[:300])
    q = parse_qs(urlsplit(loc).query)
    assert q.get("iss") == [server.base], q
    return q["code"][0]


def test_preregistered_client_reaches_a_tool(server, mcp):
    """A public app registered in the portal beforehand: the SDK finds the
    resource (the MCP server's URL) in its metadata, sends it, and gets a
    token for it alone."""
    app = ok.make_app(server, secret=False, redirect_uris=(REDIRECT,))
    user = ok.User(server, "mcp-pre")
    seen = run_client(server, mcp.url, "preregistered", app.key, user)
    auth_url = next(m["authorize"] for m in seen if "authorize" in m)
    q = parse_qs(urlsplit(auth_url).query)
    assert q["resource"] == [mcp.url], q
    assert q["code_challenge_method"] == ["S256"], q
    last = seen[-1]
    assert last["tools"] == ["add"]
    text = last["result"]["content"][0]["text"]
    assert text.startswith("5 for account "), text
    # the token is for the MCP server, not for keygate's own API
    token = last["token"]
    assert ok.summary(server, token).status_code == 401
    it = ok.introspection(app, token)
    assert it["aud"] == [mcp.url], it


def test_a_token_for_another_resource_is_refused_by_the_mcp_server(server,
                                                                   mcp):
    app = ok.make_app(server, secret=False, redirect_uris=(REDIRECT,))
    user = ok.User(server, "mcp-other")
    verifier, challenge = ok.pkce_pair()
    pairs = ok.auth_params(app, scope="other:read", challenge=challenge,
                           redirect_uri=REDIRECT) + [("resource", OTHER)]
    r = ok.authorize(user, pairs)
    r = ok.submit_grant(user, r.text, "allow")
    code = parse_qs(urlsplit(r.headers["Location"]).query)["code"][0]
    toks = ok.tokens_ok(ok.exchange(app, code, REDIRECT, verifier))
    for token in (toks["access_token"], "kg_at_" + "A" * 43):
        r = requests.post(mcp.url, timeout=10, json={
            "jsonrpc": "2.0", "id": 1, "method": "tools/list"},
            headers={"Authorization": f"Bearer {token}",
                     "Accept": "application/json, text/event-stream"})
        assert r.status_code == 401, (r.status_code, r.text)
        assert "resource_metadata=" in r.headers["WWW-Authenticate"]


def tool_reached(server, mcp, seen):
    last = seen[-1]
    assert last["tools"] == ["add"]
    assert last["result"]["content"][0]["text"].startswith("5 for account ")
    token = last["token"]
    assert ok.summary(server, token).status_code == 401
    r = requests.get(server.url("/oauth2/check"), timeout=5, headers={
        "Authorization": f"Bearer {token}", "X-Keygate-Resource": mcp.url})
    assert r.status_code == 200, r.text
    return r.headers["X-Keygate-Client"]


def test_client_metadata_document_reaches_a_tool(server, mcp, docs):
    """The SDK sees client_id_metadata_document_supported and uses its
    document's URL as client_id: keygate fetches it, the Grant Access page
    names the client's host and says it is not registered here."""
    path = "/mcp-client.json"
    url = docs.url(path)
    docs.put(path, cimdkit.document(url, [REDIRECT],
                                    name="MCP test client"))
    user = ok.User(server, "mcp-cimd")
    seen = run_client(server, mcp.url, "cimd", url, user,
                      expect=("MCP test client", "127.0.0.1", "not registered "
                              "with this server"))
    auth_url = next(m["authorize"] for m in seen if "authorize" in m)
    q = parse_qs(urlsplit(auth_url).query)
    assert q["client_id"] == [url], q
    assert q["resource"] == [mcp.url], q
    # the document's URL is the client_id: nothing was registered
    assert [m["registered"] for m in seen if "registered" in m] == [url]
    assert docs.hits(path) >= 1
    assert tool_reached(server, mcp, seen) == url


def test_dynamic_registration_reaches_a_tool(server, mcp):
    """Without a document URL the SDK registers at registration_endpoint
    (open registration: a public client, loopback redirect URI), then
    runs the same authorization."""
    user = ok.User(server, "mcp-dcr")
    seen = run_client(server, mcp.url, "dcr", None, user)
    registered = next(m["registered"] for m in seen if "registered" in m)
    assert registered.startswith("kg_"), registered
    assert tool_reached(server, mcp, seen) == registered
