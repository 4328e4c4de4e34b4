"""A tampering proxy for the OpenID Connect tests: a small threaded HTTP
proxy on loopback in front of keygate that passes every request on as it
is, except that it can replace the next token answer on its way back to a
relying party.

    proxy = tamperkit.Proxy(server)      # started; proxy.stop()
    proxy.base                           http://127.0.0.1:PORT
    proxy.metadata_url                   its /.well-known/openid-configuration:
                                         keygate's, with token_endpoint
                                         pointing at the proxy
    proxy.token_endpoint                 the proxy's /oauth2/token
    proxy.tamper_next(fn)                fn(answer dict) -> answer dict,
                                         once, on the next token answer
    proxy.answers                        every token answer seen (as keygate
                                         sent it)

The discovery document keeps keygate's issuer and every other endpoint, so
a relying party talks to keygate itself for everything but the token
request. The tampering functions below change only what an attacker on
the way could: a flipped signature bit, or a real answer keygate gave to
another app or another log-in, swapped in whole (access token and
id_token together, so that at_hash still matches and the one fault left
is the one under test)."""

import base64
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests

HOP = {"connection", "keep-alive", "transfer-encoding", "content-length",
       "proxy-connection", "te", "trailer", "upgrade", "host",
       "content-encoding"}


def b64d(part):
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def b64e(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwt_parts(token):
    """(header dict, claims dict, signature bytes) of a compact JWS, read
    without any check."""
    h, c, s = token.split(".")
    return json.loads(b64d(h)), json.loads(b64d(c)), b64d(s)


def flip_signature_bit(token):
    """The same JWS with one bit of its signature flipped: a forgery."""
    h, c, s = token.split(".")
    sig = bytearray(b64d(s))
    sig[len(sig) // 2] ^= 0x01
    return f"{h}.{c}.{b64e(bytes(sig))}"


def forged(answer):
    out = dict(answer)
    out["id_token"] = flip_signature_bit(answer["id_token"])
    return out


def substituted(other):
    """A tampering function that answers with `other`, a real token answer
    keygate gave to someone else."""
    def swap(answer):
        assert answer["id_token"] != other["id_token"]
        return dict(other)
    return swap


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):       # quiet; the test reports
        pass

    def _relay(self):
        proxy = self.server.owner
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else None
        headers = {k: v for k, v in self.headers.items()
                   if k.lower() not in HOP}
        r = requests.request(self.command, proxy.upstream + self.path,
                             data=body, headers=headers, timeout=20,
                             allow_redirects=False)
        out = r.content
        path = self.path.split("?", 1)[0]
        if path == "/.well-known/openid-configuration" and r.ok:
            doc = r.json()
            doc["token_endpoint"] = proxy.token_endpoint
            out = json.dumps(doc).encode()
        elif path == "/oauth2/token" and r.status_code == 200:
            out = proxy._answer(r.json())
        self.send_response(r.status_code)
        for k, v in r.headers.items():
            if k.lower() not in HOP:
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _relay


class Proxy:
    def __init__(self, server):
        self.upstream = server.base
        self.answers = []
        self._next = None
        self._lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.httpd.daemon_threads = True
        self.httpd.owner = self
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.token_endpoint = self.base + "/oauth2/token"
        self.metadata_url = self.base + "/.well-known/openid-configuration"
        self.thread = threading.Thread(target=self.httpd.serve_forever,
                                       daemon=True)
        self.thread.start()

    def tamper_next(self, fn):
        with self._lock:
            self._next = fn

    def pending(self):
        """True while a tampering function waits for its token answer."""
        with self._lock:
            return self._next is not None

    def _answer(self, answer):
        with self._lock:
            self.answers.append(answer)
            fn, self._next = self._next, None
        return json.dumps(fn(answer) if fn else answer).encode()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()
