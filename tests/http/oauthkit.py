"""Helpers for the OAuth 2 tests (docs/REFERENCE.md §3–§5): apps, users in a
browser, authorization requests, the Grant Access form, the token, revoke,
introspect and check endpoints, and the test clock.

Every OAuth server here runs with `--issuer http://127.0.0.1:PORT` (its own
address), so `iss` must equal `server.base` and the metadata's URLs are
reachable. A test module gets such a server by assigning

    server = oauthkit.module_server()

which overrides conftest's `server` (and so `browser`) for that module, and
a fresh one per test with `oauth_server(make_server, *flags)`.

Throttles (docs/REFERENCE.md §7.4): failed client authentications count per
client and address (50 in 15 minutes) and per address (100), failed log-ins
per account (5): modules keep those few on their shared server, or use a
server of their own."""

import base64
import hashlib
import html
import re
import secrets
import threading
import time
import uuid
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

import pytest
import requests

import kgtest
from kgtest import PASSWORD, Browser, bearer, new_account, new_app, new_pat

SCOPES = ("account_read", "account_update", "contact_data", "campaign_data",
          "openid", "email", "profile")
DEFAULT_SCOPE = "account_read"
REDIRECT = "https://client.example.org/cb"
REDIRECT2 = "https://client.example.org/other"
TOKEN_ERRORS = {"invalid_request", "invalid_client", "invalid_grant",
                "unauthorized_client", "unsupported_grant_type",
                "invalid_scope"}


# --- servers ------------------------------------------------------------------

def module_server():
    """A module-scoped `server` fixture: one OAuth server (own --issuer)
    for the module; it must exit 0 on SIGTERM."""
    @pytest.fixture(scope="module")
    def server(tmp_path_factory):
        srv = kgtest.start_server(tmp_path_factory.mktemp("keygate"),
                                  issuer=True)
        yield srv
        rc = srv.stop()
        if rc != 0:
            pytest.fail(f"keygate did not shut down cleanly (exit {rc}):\n"
                        f"{srv.log()[-4000:]}")
    return server


def oauth_server(make_server, *flags, **kw):
    """A fresh server for one test, with --issuer set to its own address."""
    return make_server(*flags, issuer=True, **kw)


def clock(server):
    """The server's clock (moves it by one second to read it)."""
    return server.advance(1) - 1


def advance_to(server, target):
    """Moves the server's clock to `target` (Unix seconds) early in a
    wall-clock second, so that the requests that follow within a few
    milliseconds see exactly `target`. Returns it. The server's clock is
    the wall clock plus an offset learnt from its last advance."""
    for _ in range(4):
        frac = time.time() % 1
        if frac > 0.5:
            time.sleep(1.02 - frac)
        off = getattr(server, "clock_offset", None)
        if off is None:
            server.advance(1)
            continue
        cur = int(time.time()) + off
        assert cur <= target, f"the clock is already past {target} ({cur})"
        if cur == target:
            return target
        now = server.advance(target - cur)
        assert now == target, (now, target)
        return now
    raise AssertionError("could not read the server's clock")


# --- accounts and apps --------------------------------------------------------

class Dev:
    """A developer: an account with a personal access token."""

    def __init__(self, server, prefix="dev"):
        self.server = server
        self.email, self.password = new_account(server, prefix)
        self.pat = new_pat(server, self.email, self.password)["token"]


class App:
    def __init__(self, server, dev, json, secret):
        self.server = server
        self.dev = dev
        self.json = json
        self.key = json["api_key"]
        self.secret = secret
        self.redirect_uri = json["redirect_uris"][0]

    @property
    def public(self):
        return self.secret is None

    def new_secret(self):
        r = kgtest.new_app_secret(self.server, self.dev.pat, self.key)
        assert r.status_code == 201, (r.status_code, r.text)
        self.secret = r.json()["secret"]
        return self.secret


def make_app(server, dev=None, secret=True, implicit=False,
             redirect_uris=(REDIRECT, REDIRECT2), **fields):
    """Creates an app through the API (and its secret unless secret=False)."""
    dev = dev or Dev(server)
    fields.setdefault("public_name", "Client " + uuid.uuid4().hex[:6])
    fields.setdefault("description", "Reads your things to do its job.")
    body = dict(fields, redirect_uris=list(redirect_uris),
                implicit_flow=implicit)
    app = App(server, dev, new_app(server, dev.pat, **body), None)
    if secret:
        app.new_secret()
    return app


class User(Browser):
    """An end user with an account, in a browser session (logged in unless
    login=False)."""

    def __init__(self, server, prefix="user", login=True):
        super().__init__(server)
        self.email, self.password = new_account(server, prefix)
        if login:
            r = self.login(self.email, self.password)
            assert r.status_code == 303, (r.status_code, r.text[:300])

    @property
    def pat(self):
        if not hasattr(self, "_pat"):
            self._pat = new_pat(self.server, self.email, self.password)["token"]
        return self._pat


# --- authorization requests ---------------------------------------------------

def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def token_key(token, prefix_len=6):
    """The key an access or refresh token is stored under (base/secure.h,
    secure_token_key()): for the sorted form (11 characters of minting
    time, 43 of randomness), the time's 8 bytes and the first 24 bytes of
    the token's SHA-256; for any other, its SHA-256."""
    sha = hashlib.sha256(token.encode()).digest()
    body = token[prefix_len:]
    if len(body) != 11 + 43:
        return sha
    try:
        at = base64.urlsafe_b64decode(body[:11] + "=")
    except ValueError:
        return sha
    # libsodium accepts the canonical encoding only
    if len(at) != 8 or b64url(at) != body[:11]:
        return sha
    return at + sha[:24]


def challenge_of(verifier):
    return b64url(hashlib.sha256(verifier.encode()).digest())


def pkce_pair():
    verifier = secrets.token_urlsafe(48)           # 64 characters
    return verifier, challenge_of(verifier)


def auth_params(app, response_type="code", scope=None, state="st-1",
                redirect_uri=None, challenge=None, method="S256", **extra):
    """The parameters of an authorization request, as a list of pairs.
    `None` values are left out."""
    pairs = [("response_type", response_type), ("client_id", app.key),
             ("redirect_uri", redirect_uri or app.redirect_uri),
             ("scope", scope), ("state", state)]
    if challenge is not None:
        pairs += [("code_challenge", challenge),
                  ("code_challenge_method", method)]
    pairs += list(extra.items())
    return [(k, v) for k, v in pairs if v is not None]


def replace(pairs, name, value):
    """pairs with `name`'s value replaced (dropped when value is None)."""
    out = [(k, value if k == name else v) for k, v in pairs]
    return [(k, v) for k, v in out if v is not None]


def authorize_path(pairs):
    return "/oauth2/authorize?" + urlencode(pairs, quote_via=quote)


def split_redirect(resp):
    """(URL without query and fragment, query pairs, fragment pairs)."""
    loc = resp.headers.get("Location")
    assert loc, (resp.status_code, resp.text[:500])
    parts = urlsplit(loc)
    base = f"{parts.scheme}://{parts.netloc}{parts.path}"
    return (base, parse_qsl(parts.query, keep_blank_values=True),
            parse_qsl(parts.fragment, keep_blank_values=True))


def unique(pairs):
    names = [k for k, _ in pairs]
    assert len(names) == len(set(names)), f"a parameter repeated: {pairs}"
    return dict(pairs)


def redirect_result(resp, redirect_uri, where="query", statuses=(302, 303)):
    """The parameters of an authorization response, which must redirect to
    `redirect_uri` with them in `where` ("query" or "fragment") and nothing
    OAuth-ish in the other part. Returns a dict."""
    assert resp.status_code in statuses, (resp.status_code,
                                          resp.headers.get("Location"),
                                          resp.text[:500])
    base, query, frag = split_redirect(resp)
    want = urlsplit(redirect_uri)
    assert base == f"{want.scheme}://{want.netloc}{want.path}", \
        (resp.headers["Location"], redirect_uri)
    own = dict(parse_qsl(want.query, keep_blank_values=True))
    if where == "query":
        assert frag == [], resp.headers["Location"]
        got = unique(query)
    else:
        assert [k for k, _ in query if k not in own] == [], \
            resp.headers["Location"]
        got = unique(frag)
    for k, v in own.items():       # the redirect URI's own query is kept
        assert dict(query).get(k) == v, (resp.headers["Location"], k)
        if where == "query":
            got.pop(k, None)
    return got


# --- the Grant Access page ----------------------------------------------------

FORM_RE = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S | re.I)


def tag_attr(tag, name):
    m = re.search(r'\s%s="([^"]*)"' % re.escape(name), tag)
    return html.unescape(m.group(1)) if m else None


def grant_form(page):
    """The body of the <form> posting to /oauth2/authorize (method post)."""
    for m in FORM_RE.finditer(page):
        action = tag_attr("<form " + m.group(1), "action")
        if action is not None and urlsplit(action).path == "/oauth2/authorize":
            assert (tag_attr("<form " + m.group(1), "method") or "").lower() \
                == "post", m.group(1)
            return m.group(2)
    raise AssertionError("no form posting to /oauth2/authorize:\n" + page[:3000])


def hidden_fields(form):
    out = []
    for tag in re.findall(r"<input\b[^>]*>", form, re.I):
        if (tag_attr(tag, "type") or "").lower() == "hidden":
            out.append((tag_attr(tag, "name"), tag_attr(tag, "value") or ""))
    return out


def decision_values(form):
    vals = []
    for tag in re.findall(r"<(?:button|input)\b[^>]*>", form, re.I):
        if tag_attr(tag, "name") == "decision":
            vals.append(tag_attr(tag, "value"))
    return vals


def has_input(form, name):
    return kgtest.input_tag(form, name) is not None


def page_text(page):
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S | re.I)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def submit_grant(user, page, decision="allow", password=None, email=None,
                 override=None, drop=()):
    """Posts the Grant Access form of `page` as a browser would."""
    form = grant_form(page)
    fields = [(k, v) for k, v in hidden_fields(form) if k not in drop]
    if override:
        fields = [(k, v) for k, v in fields if k not in override]
        fields += list(override.items())
    if email is not None:
        fields.append(("email", email))
    if password is not None:
        fields.append(("password", password))
    if decision is not None:
        fields.append(("decision", decision))
    return user.post("/oauth2/authorize", data=fields)


def authorize(user, pairs):
    return user.get(authorize_path(pairs))


def approve(user, app, where="query", password=None, **kw):
    """Runs one authorization request to its redirect, allowing on the
    Grant page when one is shown; the client flow logs in first. Returns
    (result dict, pairs sent)."""
    pairs = auth_params(app, **kw)
    r = authorize(user, pairs)
    if r.status_code == 200 and dict(pairs)["response_type"] == "token":
        r = submit_grant(user, r.text, "login",
                         password=password or user.password)
        assert r.status_code in (200, 303), (r.status_code, r.text[:500])
    if r.status_code == 200:
        r = submit_grant(user, r.text, "allow")
        assert r.status_code == 303, (r.status_code, r.text[:500])
    redirect_uri = dict(pairs)["redirect_uri"]
    return redirect_result(r, redirect_uri, where), pairs


def get_code(user, app, scope=None, pkce=None, redirect_uri=None, state="st-1",
             resource=None):
    """A fresh code: (code, verifier or None, redirect_uri used); for the
    resource at URI `resource` when given (docs/REFERENCE.md §22.1)."""
    if pkce is None:
        pkce = app.public
    verifier, challenge = pkce_pair() if pkce else (None, None)
    extra = {} if resource is None else {"resource": resource}
    res, pairs = approve(user, app, scope=scope, challenge=challenge,
                         redirect_uri=redirect_uri, state=state, **extra)
    assert "code" in res, res
    assert res.get("state") == state, res
    return res["code"], verifier, dict(pairs)["redirect_uri"]


def implicit_token(user, app, scope=None, state="st-i"):
    res, _ = approve(user, app, response_type="token", where="fragment",
                     scope=scope, state=state)
    assert "access_token" in res, res
    return res


# --- token, revoke, introspect, check -----------------------------------------

def basic_client(client_id, secret):
    """HTTP Basic per RFC 6749 §2.3.1: both parts form-encoded first."""
    raw = f"{quote(client_id, safe='')}:{quote(secret, safe='')}"
    return "Basic " + base64.b64encode(raw.encode()).decode()


def client_auth(app, data, auth=None, headers=None):
    """Adds the app's credentials the way `auth` says: "basic", "post",
    "none" (client_id only), or None (basic for a confidential app, none
    for a public one)."""
    headers = dict(headers or {})
    if auth is None:
        auth = "none" if app.public else "basic"
    if auth == "basic":
        headers["Authorization"] = basic_client(app.key, app.secret)
    elif auth == "post":
        data = list(data) + [("client_id", app.key),
                             ("client_secret", app.secret)]
    elif auth == "none":
        data = list(data) + [("client_id", app.key)]
    elif auth != "omit":
        raise ValueError(auth)
    return data, headers


def post(server, path, data, headers=None, **kw):
    return requests.post(server.url(path), data=data, headers=headers,
                         timeout=10, allow_redirects=False, **kw)


def token_request(app, data, auth=None, headers=None):
    data, headers = client_auth(app, list(data), auth, headers)
    return post(app.server, "/oauth2/token", data, headers)


def exchange(app, code, redirect_uri=None, verifier=None, auth=None,
             extra=()):
    data = [("grant_type", "authorization_code"), ("code", code),
            ("redirect_uri", redirect_uri or app.redirect_uri)]
    if verifier is not None:
        data.append(("code_verifier", verifier))
    return token_request(app, data + list(extra), auth)


def refresh(app, rt, scope=None, auth=None):
    data = [("grant_type", "refresh_token"), ("refresh_token", rt)]
    if scope is not None:
        data.append(("scope", scope))
    return token_request(app, data, auth)


def tokens_ok(r):
    """Asserts a successful token response (docs/REFERENCE.md §3.3); returns
    its JSON."""
    assert r.status_code == 200, (r.status_code, r.text)
    assert "no-store" in r.headers.get("Cache-Control", ""), r.headers
    assert r.headers.get("Pragma") == "no-cache", r.headers
    assert r.headers["Content-Type"].startswith("application/json")
    j = r.json()
    assert j["token_type"] == "Bearer", j
    assert j["access_token"].startswith("kg_at_"), j
    assert j["refresh_token"].startswith("kg_rt_"), j
    assert type(j["expires_in"]) is int, j
    assert isinstance(j["scope"], str), j
    return j


def token_error(r, error, status=400):
    """Asserts an RFC 6749 §5.2 error answer; returns its JSON."""
    assert r.status_code == status, (r.status_code, r.text)
    assert r.headers.get("Content-Type", "").startswith("application/json"), \
        r.headers
    j = r.json()
    assert j.get("error") == error, j
    assert isinstance(j.get("error_description", ""), str)
    assert "no-store" in r.headers.get("Cache-Control", ""), r.headers
    assert r.headers.get("Pragma") == "no-cache", r.headers
    if status == 401:
        assert r.headers.get("WWW-Authenticate"), r.headers
    return j


def granted_world(make_server, name, *flags):
    """A fresh server with an app and a user who granted it access:
    (server, app, user), for tests that need nothing more particular."""
    srv = oauth_server(make_server, *flags)
    app = make_app(srv)
    user = User(srv, name)
    approve(user, app)
    return srv, app, user


def get_tokens(user, app, scope=None, pkce=None, auth=None, resource=None):
    code, verifier, ru = get_code(user, app, scope=scope, pkce=pkce,
                                  resource=resource)
    return tokens_ok(exchange(app, code, ru, verifier, auth=auth))


def revoke(app, token, hint=None, auth=None):
    data = [("token", token)]
    if hint is not None:
        data.append(("token_type_hint", hint))
    data, headers = client_auth(app, data, auth)
    return post(app.server, "/oauth2/revoke", data, headers)


def introspect(app, token, auth=None):
    data, headers = client_auth(app, [("token", token)], auth)
    return post(app.server, "/oauth2/introspect", data, headers)


def introspection(app, token):
    r = introspect(app, token)
    assert r.status_code == 200, (r.status_code, r.text)
    return r.json()


def check(server, token, **kw):
    return requests.get(server.url("/oauth2/check"), headers=bearer(token),
                        timeout=10, **kw)


def summary(server, token):
    return requests.get(server.url("/v3/account/summary"),
                        headers=bearer(token), timeout=10)


def alive(server, at):
    """True when /oauth2/check accepts the access token (a use); False on
    the RFC 6750 invalid_token answer; anything else fails the test."""
    r = check(server, at)
    if r.status_code == 200:
        return True
    assert r.status_code == 401, (r.status_code, r.text)
    assert 'error="invalid_token"' in r.headers.get("WWW-Authenticate", ""), \
        r.headers
    return False


def refresh_refused(app, rt):
    """The refresh token no longer refreshes (invalid_grant)."""
    token_error(refresh(app, rt), "invalid_grant")


def family_dead(app, toks):
    """Every access token in toks fails /oauth2/check and the last refresh
    token fails at the token endpoint."""
    for t in toks if isinstance(toks, list) else [toks]:
        assert not alive(app.server, t["access_token"]), t
    last = toks[-1] if isinstance(toks, list) else toks
    refresh_refused(app, last["refresh_token"])


def family_alive(app, t):
    """The family of token response t still works: its access token passes
    /oauth2/check and its refresh token refreshes. Returns the new pair."""
    assert alive(app.server, t["access_token"]), t
    return tokens_ok(refresh(app, t["refresh_token"]))


def race(n, fn):
    """Runs fn(i) in n threads released together; returns the results."""
    barrier = threading.Barrier(n)
    out = [None] * n

    def run(i):
        barrier.wait()
        try:
            out[i] = fn(i)
        except Exception as e:          # reported by the caller's assert
            out[i] = e

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return out


__all__ = [n for n in dir() if not n.startswith("_")] + ["PASSWORD"]
