"""Helpers shared by the relying-party tests of OpenID Connect
(docs/REFERENCE.md): a keygate that is an OpenID Provider, apps registered
for a relying party, a person at a browser who logs in through whatever
pages keygate shows, real token answers for other apps and other log-ins
(tamperkit swaps them in), and key rotation.

keygate here always runs with `--issuer http://127.0.0.1:PORT` (its own
address), `--test-clock` and `--key-file` in its work folder, so that
`keygate keys rotate` can be run beside it on the same store."""

import html
import os
import secrets
import shutil
import time
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import pytest
import requests

import kgtest
import oauthkit

OIDC_SCOPE = "openid email"
ALGS = ("RS256", "ES256", "EdDSA")
PUBLISH_DELAY = 3600           # --key-publish-delay's default


# --- keygate as the OpenID Provider -------------------------------------------

OAUTH4WEBAPI = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                            "..", "..", "node_modules", "oauth4webapi")


def require_oauth4webapi():
    """node and npm's oauth4webapi, which the JavaScript clients run on."""
    assert shutil.which("node"), \
        "node (Node.js 20+, scripts/setup.sh) is needed to run oauth4webapi"
    assert os.path.isdir(OAUTH4WEBAPI), \
        "npm's oauth4webapi is not in node_modules: run `npm ci`"


def op_fixture():
    """A module-scoped `op` fixture: start_op() in a folder of its own,
    stopped cleanly at the module's end."""
    @pytest.fixture(scope="module")
    def op(tmp_path_factory):
        srv = start_op(tmp_path_factory.mktemp("keygate"))
        yield srv
        assert srv.stop() == 0, srv.log()[-4000:]
    return op


def key_file(server):
    return os.path.join(server.workdir, "signing.key")


def start_op(workdir, *flags):
    """A keygate for relying parties (see the module's docstring)."""
    return kgtest.start_server(workdir, "--key-file",
                               os.path.join(str(workdir), "signing.key"),
                               *flags, issuer=True)


def metadata(server):
    r = requests.get(server.url("/.well-known/openid-configuration"),
                     timeout=10)
    assert r.status_code == 200, (r.status_code, r.text[:500])
    return r.json()


def rotate_keys(server):
    """`keygate keys rotate` on the server's store, as an operator would;
    returns once the serving process publishes the new keys (it reloads
    them when the store's revision moves, within its keeper's poll)."""
    before = set(jwks_kids(server))
    p = kgtest.run_cli("keys", "rotate", "--db", server.db,
                       "--key-file", key_file(server), timeout=30)
    assert p.returncode == 0, (p.returncode, p.stdout, p.stderr)
    deadline = time.time() + 5
    while not set(jwks_kids(server)) - before:
        assert time.time() < deadline, "the new keys were never published"
        time.sleep(0.05)
    return p.stdout


def jwks_kids(server):
    r = requests.get(server.url("/oauth2/jwks"), timeout=10)
    assert r.status_code == 200, (r.status_code, r.text[:300])
    return [k["kid"] for k in r.json()["keys"]]


def past_publish_delay(server):
    """Moves keygate's clock past --key-publish-delay: a key added by
    rotate_keys() signs from now on. Returns keygate's new time."""
    return server.advance(PUBLISH_DELAY + 1)


def clock_offset(server):
    """keygate's clock minus the wall clock, in seconds."""
    import time
    return oauthkit.clock(server) - int(time.time())


# --- apps ---------------------------------------------------------------------

def make_app(server, redirect_uris, post_logout=(), alg=None, dev=None):
    """An app with a secret and a public name, registered for a relying
    party: its redirect URIs, its post_logout_redirect_uris and, when
    given, its id_token_signed_response_alg."""
    fields = {}
    if post_logout:
        fields["post_logout_redirect_uris"] = list(post_logout)
    if alg is not None:
        fields["id_token_signed_response_alg"] = alg
    return oauthkit.make_app(server, dev=dev, redirect_uris=redirect_uris,
                             **fields)


# --- a person at a browser ----------------------------------------------------

class _Forms(HTMLParser):
    """Every <form> of a page: action, method, and its fields and buttons."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = []
        self._cur = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag == "form":
            self._cur = {"action": a.get("action", ""),
                         "method": a.get("method", "get").lower(),
                         "inputs": [], "buttons": []}
            self.forms.append(self._cur)
        elif self._cur is None:
            return
        elif tag == "input":
            kind = a.get("type", "text").lower()
            if kind == "submit":
                self._cur["buttons"].append((a.get("name"), a.get("value")))
            else:
                self._cur["inputs"].append((a.get("name"), kind,
                                            a.get("value", "")))
        elif tag == "button" and a.get("type", "submit") == "submit":
            self._cur["buttons"].append((a.get("name"), a.get("value")))

    def handle_endtag(self, tag):
        if tag == "form":
            self._cur = None


def forms(page):
    p = _Forms()
    p.feed(page)
    return p.forms


def _fill(form, email, password):
    """The fields a person sends: the hidden ones, the email and password
    when asked, and the button that logs in or allows."""
    names = {n for n, _, _ in form["inputs"]}
    data = [(n, v) for n, kind, v in form["inputs"]
            if n and kind == "hidden"]
    if "password" in names:
        if "email" in names:
            data.append(("email", email))
        data.append(("password", password))
        wanted = ("login", None, "")
    else:
        wanted = ("allow",)
    for name, value in form["buttons"]:
        if value in wanted or (name is None and None in wanted):
            if name:
                data.append((name, value or ""))
            return data
    return None


class Person:
    """Someone at a browser (a requests.Session keeps the cookies of
    keygate and of the relying party) with an account on keygate, who goes
    through whatever keygate shows: the log-in form, the Grant Access page
    (allowed). `visited` holds every URL the browser went to."""

    def __init__(self, server, prefix="rp-user"):
        self.server = server
        self.email, self.password = kgtest.new_account(server, prefix)
        self.session = requests.Session()
        self.visited = []

    def go(self, url, stop=None, limit=25):
        """GETs url and goes on as a browser and this person would: follows
        redirects (until one whose target `stop(url)` says to keep), and
        posts keygate's log-in and Grant Access forms. Returns the last
        response (a page, or the redirect that was kept)."""
        method, data = "GET", None
        for _ in range(limit):
            self.visited.append(url)
            r = self.session.request(method, url, data=data, timeout=20,
                                     allow_redirects=False)
            if r.status_code in (301, 302, 303, 307):
                url = urljoin(url, r.headers["Location"])
                if stop is not None and stop(url):
                    return r
                method, data = "GET", None
                continue
            nxt = self._form_to_post(url, r)
            if nxt is None:
                return r
            url, data = nxt
            method = "POST"
        raise AssertionError(f"more than {limit} steps: {self.visited}")

    def _form_to_post(self, url, r):
        if r.status_code != 200 or not url.startswith(self.server.base):
            return None
        for form in forms(r.text):
            if form["method"] != "post":
                continue
            data = _fill(form, self.email, self.password)
            if data is not None:
                return urljoin(url, html.unescape(form["action"])), data
        return None

    def authorize_urls(self):
        return [u for u in self.visited
                if urlsplit(u).path == "/oauth2/authorize"
                and "client_id=" in u]

    def last_nonce(self):
        """The nonce of the last authorization request the browser made."""
        q = parse_qs(urlsplit(self.authorize_urls()[-1]).query)
        return q.get("nonce", [None])[0]


def off_server(server):
    """A stop() for Person.go: any redirect away from keygate."""
    return lambda url: not url.startswith(server.base + "/")


def code_answer(person, app, nonce, scope=OIDC_SCOPE):
    """A real token answer keygate gives `app` for this person's log-in
    with `nonce` (what tamperkit swaps in: another app's, another
    flow's)."""
    verifier, challenge = oauthkit.pkce_pair()
    state = secrets.token_urlsafe(8)
    pairs = oauthkit.auth_params(app, scope=scope, state=state,
                                 challenge=challenge, nonce=nonce)
    r = person.go(person.server.url(oauthkit.authorize_path(pairs)),
                  stop=off_server(person.server))
    res = oauthkit.redirect_result(r, app.redirect_uri)
    assert res.get("state") == state and "code" in res, res
    return oauthkit.tokens_ok(oauthkit.exchange(app, res["code"],
                                                app.redirect_uri, verifier))


def authorize_url(endpoint, **params):
    return endpoint + "?" + urlencode(params)
