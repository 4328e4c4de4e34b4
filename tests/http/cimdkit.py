"""A small HTTPS server of client metadata documents for the tests of
docs/REFERENCE.md §22.2: a throw-away CA and a server certificate for
127.0.0.1 and localhost made with `openssl` at test time, Python's ssl and
http.server on 127.0.0.1. keygate trusts the CA through --cimd-ca-file and
may connect to the loopback address through --cimd-allow-hosts.

Each path answers what `DocServer.put(path, ...)` said: a JSON document
(or raw bytes), a status, extra headers, a delay before the answer, the
body without Content-Length (chunked). `hits(path)` counts the GETs."""

import http.server
import json
import os
import ssl
import subprocess
import threading
import time

import kgtest


def make_pki(workdir):
    """(ca.pem, cert.pem, key.pem) in workdir: a CA, and a certificate it
    signed for IP 127.0.0.1 and DNS localhost."""
    def run(*argv):
        subprocess.run(["openssl", *argv], cwd=workdir, check=True,
                       capture_output=True)
    run("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
        "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
        "-subj", "/CN=keygate test CA",
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    run("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
        "-nodes", "-keyout", "key.pem", "-out", "req.csr",
        "-subj", "/CN=127.0.0.1")
    with open(os.path.join(workdir, "ext.cnf"), "w") as f:
        f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\n"
                "basicConstraints=CA:FALSE\n"
                "extendedKeyUsage=serverAuth\n")
    run("x509", "-req", "-in", "req.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-CAcreateserial", "-out", "cert.pem", "-days", "2",
        "-extfile", "ext.cnf")
    return tuple(os.path.join(workdir, n) for n in
                 ("ca.pem", "cert.pem", "key.pem"))


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        srv = self.server.docs
        path = self.path
        with srv.lock:
            srv.counts[path] = srv.counts.get(path, 0) + 1
            spec = srv.routes.get(path)
        if spec is None:
            spec = {"status": 404, "body": b"{}", "headers": {},
                    "delay": 0, "chunked": False}
        if spec["delay"]:
            time.sleep(spec["delay"])
        try:
            self.send_response(spec["status"])
            self.send_header("Content-Type", "application/json")
            for k, v in spec["headers"].items():
                self.send_header(k, v)
            body = spec["body"]
            if spec["chunked"]:
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                for i in range(0, len(body), 1024):
                    part = body[i:i + 1024]
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
                self.wfile.write(b"0\r\n\r\n")
            else:
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
            pass


class DocServer:
    def __init__(self, workdir):
        self.ca, cert, key = make_pki(str(workdir))
        self.port = kgtest.free_port()
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", self.port),
                                                     _Handler)
        self.httpd.daemon_threads = True
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cert, key)
        self.httpd.socket = ctx.wrap_socket(self.httpd.socket,
                                            server_side=True)
        self.httpd.docs = self
        self.lock = threading.Lock()
        self.routes = {}
        self.counts = {}
        self.thread = threading.Thread(target=self.httpd.serve_forever,
                                       daemon=True)
        self.thread.start()

    def url(self, path, host="127.0.0.1"):
        return f"https://{host}:{self.port}{path}"

    def put(self, path, doc=None, status=200, headers=None, delay=0,
            chunked=False, raw=None):
        body = raw if raw is not None else json.dumps(doc).encode()
        with self.lock:
            self.routes[path] = {"status": status, "body": body,
                                 "headers": dict(headers or {}),
                                 "delay": delay, "chunked": chunked}

    def hits(self, path):
        with self.lock:
            return self.counts.get(path, 0)

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def document(url, redirect_uris, name="Test MCP Client", **extra):
    doc = {"client_id": url, "client_name": name,
           "redirect_uris": list(redirect_uris),
           "token_endpoint_auth_method": "none",
           "grant_types": ["authorization_code", "refresh_token"],
           "response_types": ["code"]}
    doc.update(extra)
    return doc


class DocClient:
    """What oauthkit's helpers read of an app, for a client whose client_id
    is its document's URL: a public client (no secret)."""

    def __init__(self, server, url, redirect_uri):
        self.server = server
        self.key = url
        self.secret = None
        self.redirect_uri = redirect_uri
        self.public = True
