"""Helpers for keygate's black-box HTTP tests: start the real binary, talk to
it as an API client, as a browser, or over a raw socket.

The store: by default each server gets a SQLite file in its work folder.
With KEYGATE_TEST_PG set to the admin URL of a throw-away PostgreSQL cluster
(what `scripts/pg_cluster.sh start DIR` prints, e.g.
postgres://postgres@127.0.0.1:PORT/postgres), each server started without an
explicit `db` gets a fresh, empty database of its own instead (fresh_pg_db()),
and Server.db is that database's URL rather than a file path."""

import base64
import hashlib
import html
import os
import random
import re
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from urllib.parse import urljoin, urlsplit, urlunsplit

import requests

BINARY = os.environ.get("KEYGATE_BIN", os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "..", "build", "src",
    "keygate"))
PASSWORD = "correct horse battery"
STARTUP_TIMEOUT_S = 10
STOP_TIMEOUT_S = 15
RFC3339_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
PG_ENV = "KEYGATE_TEST_PG"


def clean_env():
    """The caller's environment without any KEYGATE_* variable, so that no
    setting leaks into the server from the shell running the tests."""
    return {k: v for k, v in os.environ.items() if not k.startswith("KEYGATE_")}


def bench_tool(name):
    """keygate-bench-NAME of the build BINARY comes from, unless
    KEYGATE_BENCH_NAME (in capitals) names another."""
    build = os.path.dirname(os.path.dirname(os.path.abspath(BINARY)))
    return os.environ.get(
        "KEYGATE_BENCH_" + name.upper(),
        os.path.join(build, "bench", "keygate-bench-" + name))


def run_cli(*args, input=None, cwd=None, timeout=10, env=None):
    """Runs `keygate ARGS...` to completion and returns the CompletedProcess
    (text mode). `env` adds variables to the clean environment."""
    full = clean_env()
    full.update(env or {})
    return subprocess.run([BINARY, *args], input=input, cwd=cwd,
                          env=full, capture_output=True, text=True,
                          timeout=timeout)


def free_port(host="127.0.0.1"):
    """A port free now, below the kernel's ephemeral range (32768 and up
    on Linux): a port the kernel hands out for bind(0) is also handed out
    as the source port of the next outgoing connection, and the suites
    that run side by side make thousands of those."""
    while True:
        port = random.randrange(10000, 32768)
        with socket.socket() as s:
            try:
                s.bind((host, port))
            except OSError:
                continue
            return port


def free_port_besides(*taken, host="127.0.0.1"):
    """A free port that is none of `taken`."""
    while True:
        port = free_port(host)
        if port not in taken:
            return port


def port_is_free(host, port):
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return False
        return True


def unique_email(prefix="user"):
    return f"{prefix}-{uuid.uuid4().hex[:12]}@example.com"


def pg_admin_url():
    """The PostgreSQL admin URL the tests run against (KEYGATE_TEST_PG), or
    None when they run on SQLite."""
    return os.environ.get(PG_ENV) or None


def fresh_pg_db(admin_url=None, prefix="kg"):
    """Creates an empty database named PREFIX_<32 hex digits> on the cluster
    of `admin_url` (default: KEYGATE_TEST_PG) and returns its URL: the admin
    URL with the database name as its path. Nothing drops it (a test may
    restart a server on the same data; the cluster is throw-away): each
    costs about 7.5 MB of disk until the cluster is destroyed."""
    admin_url = admin_url or pg_admin_url()
    if not admin_url:
        raise RuntimeError(f"fresh_pg_db() needs an admin URL or {PG_ENV}")
    # Imported here so that the SQLite runs do not need psycopg2.
    import psycopg2
    name = f"{prefix}_{uuid.uuid4().hex}"
    conn = psycopg2.connect(admin_url)
    try:
        conn.autocommit = True          # CREATE DATABASE refuses a transaction
        # Copying the template's files is about three times as fast as
        # PostgreSQL 15's default of logging every page (WAL_LOG) for a
        # database this small; the option is new in 15.
        strategy = " STRATEGY FILE_COPY" if conn.server_version >= 150000 \
            else ""
        with conn.cursor() as cur:
            cur.execute(f'CREATE DATABASE "{name}"{strategy}')
    finally:
        conn.close()
    parts = urlsplit(admin_url)
    return urlunsplit(parts._replace(path="/" + name))


def shared_key_file(db):
    """The --key-file of every server and command on the PostgreSQL
    database `db`: its default, keygate.key in the working folder, would
    differ between servers started in folders of their own, and the
    second would refuse the first one's signing keys (docs/OPERATIONS.md
    "Signing keys", several nodes). None for a SQLite file, whose key
    file sits beside it."""
    if not str(db).startswith("postgres"):
        return None
    folder = os.path.join(tempfile.gettempdir(), f"kgtest-keys-{os.getuid()}")
    os.makedirs(folder, mode=0o700, exist_ok=True)
    name = hashlib.sha256(str(db).encode()).hexdigest()[:24]
    return os.path.join(folder, name + ".key")


class ServerError(Exception):
    pass


def wait_healthz(what, proc, url, log, timeout):
    """Waits until `url` answers 200, while `proc` runs; ServerError (with
    log()) when it exits first or `timeout` seconds pass."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise ServerError(f"{what} exited with {proc.returncode} before "
                              f"answering /healthz:\n{log()}")
        try:
            if requests.get(url, timeout=1).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.02)
    raise ServerError(f"{what} did not answer GET /healthz with 200 within "
                      f"{timeout} s:\n{log()}")


def last_flag(argv, name, default=None):
    """The value of the last `--name VALUE` or `--name=VALUE` in argv."""
    value = default
    for i, arg in enumerate(argv):
        if arg == name and i + 1 < len(argv):
            value = argv[i + 1]
        elif arg.startswith(name + "="):
            value = arg[len(name) + 1:]
    return value


class Server:
    """One running `keygate serve` process.

    Each gets a /metrics listener on a free port of its own (through
    KEYGATE_METRICS_LISTEN, which a --metrics-listen in argv overrides), so
    that servers run side by side: `metrics_base` is its address
    (http://127.0.0.1:PORT) and `metrics_url` its /metrics. `https` is true
    when argv's --issuer is an https URL (the server then names its cookies
    __Host-kg_...)."""

    def __init__(self, workdir, argv, host, port, db, metrics_port=None,
                 env=None):
        self.workdir = str(workdir)
        self.argv = argv
        self.host = host
        self.port = port
        self.db = str(db)
        self.base = f"http://{host}:{port}"
        self.metrics_port = metrics_port or free_port_besides(port)
        self.metrics_base = f"http://127.0.0.1:{self.metrics_port}"
        self.metrics_url = self.metrics_base + "/metrics"
        self.issuer = last_flag(argv, "--issuer", "http://127.0.0.1:8080")
        self.https = self.issuer.startswith("https://")
        self.log_path = os.path.join(self.workdir, "keygate.log")
        self._log_file = open(self.log_path, "ab")
        env = dict(clean_env(), **(env or {}))
        env["KEYGATE_METRICS_LISTEN"] = f"127.0.0.1:{self.metrics_port}"
        self.proc = subprocess.Popen(argv, cwd=self.workdir, env=env,
                                     stdin=subprocess.DEVNULL,
                                     stdout=self._log_file,
                                     stderr=self._log_file)
        self.returncode = None

    def url(self, path):
        return self.base + path

    def log(self):
        """Everything the server wrote to stdout and stderr so far."""
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def wait_ready(self, timeout=STARTUP_TIMEOUT_S):
        wait_healthz("keygate", self.proc, self.url("/healthz"), self.log,
                     timeout)

    def terminate(self):
        """Sends SIGTERM (once) without waiting."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)

    def stop(self, timeout=STOP_TIMEOUT_S):
        """SIGTERM, then waits; returns the exit status (killed with
        SIGKILL, and reported as such, when it hangs)."""
        if self.returncode is not None:
            return self.returncode
        self.terminate()
        try:
            self.returncode = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            self.returncode = f"hung for {timeout} s after SIGTERM"
        self._log_file.close()
        return self.returncode

    def alive(self):
        """True when the server still answers GET /healthz with 200."""
        try:
            return requests.get(self.url("/healthz"), timeout=5).status_code == 200
        except requests.RequestException:
            return False

    def advance(self, seconds):
        """Moves the server's test clock; returns its new `now`. Keeps
        `clock_offset` (server now minus wall-clock seconds) when the answer
        came within one wall-clock second, else sets it to None."""
        t0 = time.time()
        r = requests.post(self.url("/_test/clock"), data={"advance": str(seconds)},
                          timeout=5)
        t1 = time.time()
        assert r.status_code == 200, (r.status_code, r.text)
        now = r.json()["now"]
        self.clock_offset = now - int(t0) if int(t0) == int(t1) else None
        return now


def start_server(workdir, *flags, test_clock=True, signup_rate="0",
                 db=None, attempts=3, issuer=False, db_in_env=False,
                 env=None):
    """Starts `keygate serve --listen 127.0.0.1:PORT --db DB --signup-rate 0
    --test-clock FLAGS...` in workdir and waits until it is ready. DB is
    `db` when given (a file path or a postgres:// URL), else a fresh
    PostgreSQL database (fresh_pg_db()) when KEYGATE_TEST_PG is set, else
    WORKDIR/keygate.db. Later flags override earlier ones. Retries on other
    ports (same DB) when the chosen one (or the metrics port, see Server)
    was taken in the meantime. With
    issuer=True the server also gets `--issuer http://127.0.0.1:PORT`
    (before FLAGS), so that the URLs it publishes are its own. With
    db_in_env=True the DB goes in KEYGATE_DB instead of --db (a URL with a
    password is refused as a flag). `env` adds variables to the server's
    environment (a secret that may not be a flag: KEYGATE_SMTP_PASSWORD)."""
    if db is None:
        db = fresh_pg_db() if pg_admin_url() else \
            os.path.join(str(workdir), "keygate.db")
    db = str(db)
    last = None
    for _ in range(attempts):
        port = free_port()
        argv = [BINARY, "serve", "--listen", f"127.0.0.1:{port}"]
        if not db_in_env:
            argv += ["--db", db]
        if signup_rate is not None:
            argv += ["--signup-rate", signup_rate]
        if test_clock:
            argv.append("--test-clock")
        if issuer:
            argv += ["--issuer", f"http://127.0.0.1:{port}"]
        if shared_key_file(db):
            argv += ["--key-file", shared_key_file(db)]
        argv += list(flags)
        extra = dict(env or {})
        if db_in_env:
            extra["KEYGATE_DB"] = db
        srv = Server(workdir, argv, "127.0.0.1", port, db, env=extra)
        try:
            srv.wait_ready()
            return srv
        except ServerError as e:
            last = e
            srv.stop()
            if "cannot listen" not in str(e):
                raise
    raise last


# --- API client helpers ---------------------------------------------------

def signup(server, email, password=PASSWORD, **kw):
    """POST /api/v1/accounts; returns the response."""
    return requests.post(server.url("/api/v1/accounts"),
                         json={"email": email, "password": password},
                         timeout=10, **kw)


def new_account(server, prefix="user", password=PASSWORD):
    """Signs up a fresh account; returns (email, password)."""
    email = unique_email(prefix)
    r = signup(server, email, password)
    assert r.status_code == 201, (r.status_code, r.text)
    return email, password


def basic(email, password):
    raw = f"{email}:{password}".encode()
    return "Basic " + base64.b64encode(raw).decode()


def create_pat(server, email, password, **kw):
    """POST /api/v1/access-tokens with HTTP Basic; returns the response."""
    return requests.post(server.url("/api/v1/access-tokens"),
                         headers={"Authorization": basic(email, password)},
                         timeout=10, **kw)


def new_pat(server, email, password):
    r = create_pat(server, email, password)
    assert r.status_code == 201, (r.status_code, r.text)
    return r.json()


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def list_pats(server, token):
    return requests.get(server.url("/api/v1/access-tokens"),
                        headers=bearer(token), timeout=10)


def account_exists(server, email):
    """True when `email` is registered: a sign-up with it answers 409.
    (A 201 means it was free, and it is taken from now on.) This check
    costs no failed log-in, so it never feeds the log-in throttle."""
    r = signup(server, email)
    assert r.status_code in (201, 409), (r.status_code, r.text)
    return r.status_code == 409


# --- applications (docs/REFERENCE.md §2, §6) ---------------------------------

APP_MEMBERS = {"api_key", "name", "redirect_uris", "public_name", "logo_url",
               "description", "implicit_flow", "id_token_signed_response_alg",
               "post_logout_redirect_uris", "device_flow",
               "dpop_bound_access_tokens",
               "require_pushed_authorization_requests", "has_secret",
               "secrets",
               "created_at"}


def apps_url(server, key=None, *rest):
    path = "/api/v1/apps"
    if key is not None:
        path += "/" + key
    for part in rest:
        path += "/" + part
    return server.url(path)


def list_apps(server, token):
    return requests.get(apps_url(server), headers=bearer(token), timeout=10)


def create_app(server, token, body=None, **kw):
    """POST /api/v1/apps with `body` (a dict sent as JSON, or bytes sent
    as they are with Content-Type: application/json)."""
    return _send_app(requests.post, apps_url(server), token, body, **kw)


def get_app(server, token, key):
    return requests.get(apps_url(server, key), headers=bearer(token),
                        timeout=10)


def patch_app(server, token, key, body, **kw):
    return _send_app(requests.patch, apps_url(server, key), token, body, **kw)


def delete_app(server, token, key):
    return requests.delete(apps_url(server, key), headers=bearer(token),
                           timeout=10)


def new_app_secret(server, token, key):
    return requests.post(apps_url(server, key, "secret"),
                         headers=bearer(token), timeout=10)


def _send_app(method, url, token, body, headers=None, **kw):
    h = bearer(token) if token is not None else {}
    h.update(headers or {})
    if isinstance(body, (bytes, str)):
        h.setdefault("Content-Type", "application/json")
        return method(url, data=body, headers=h, timeout=10, **kw)
    return method(url, json=body, headers=h, timeout=10, **kw)


def new_app(server, token, **fields):
    """Creates an app (name defaults to a unique one); returns its JSON."""
    fields.setdefault("name", "App " + uuid.uuid4().hex[:8])
    r = create_app(server, token, fields)
    assert r.status_code == 201, (r.status_code, r.text)
    return r.json()


def app_json(server, token, key):
    """The app's JSON through the API (asserting 200)."""
    r = get_app(server, token, key)
    assert r.status_code == 200, (r.status_code, r.text)
    return r.json()


def list_all(server, path, token):
    """Every item of a paginated list (GET path), following its
    Link: rel="next" headers to the last page."""
    url, items = server.url(path), []
    while url is not None:
        r = requests.get(url, headers=bearer(token), timeout=30)
        assert r.status_code == 200, (r.status_code, r.text)
        items += r.json()
        nxt = r.links.get("next", {}).get("url")
        # The Link is absolute, on the --issuer; this server's own URL may
        # differ (start_server() without issuer=True).
        url = None if nxt is None else \
            server.url(urlsplit(nxt).path + "?" + urlsplit(nxt).query)
    return items


def app_keys(server, token):
    return [a["api_key"] for a in list_all(server, "/api/v1/apps", token)]


def random_parts(values):
    """What follows the longest common prefix of several generated values:
    a fixed prefix such as "kg_ak_" carries no randomness. (With ten or
    more values, random characters extending that prefix by chance are
    negligible.)"""
    prefix = os.path.commonprefix(list(values))
    return [v[len(prefix):] for v in values]


# --- browser ----------------------------------------------------------------

CSRF_RE = re.compile(r'<input[^>]*name="csrf_token"[^>]*value="([^"]*)"'
                     r'|<input[^>]*value="([^"]*)"[^>]*name="csrf_token"')


def find_csrf(page):
    m = CSRF_RE.search(page)
    assert m, "no hidden csrf_token input in the page"
    return html.unescape(m.group(1) or m.group(2))


def input_tag(page, name):
    """The <input ...> tag named `name`, or None."""
    for tag in re.findall(r"<input\b[^>]*>", page):
        if re.search(r'\bname="%s"' % re.escape(name), tag):
            return tag
    return None


def input_value(page, name):
    tag = input_tag(page, name)
    assert tag is not None, f"no input named {name!r}"
    m = re.search(r'\bvalue="([^"]*)"', tag)
    return html.unescape(m.group(1)) if m else None



def textarea_value(page, name):
    """The text of <textarea name=...>, or None when there is none."""
    m = re.search(r'<textarea\b[^>]*\bname="%s"[^>]*>(.*?)</textarea>'
                  % re.escape(name), page, re.S)
    if m is None:
        return None
    text = m.group(1)
    if text.startswith("\r\n"):        # HTML drops one leading newline
        text = text[2:]
    elif text.startswith("\n"):
        text = text[1:]
    return html.unescape(text)


def field_value(page, name):
    """The value a form shows for field `name`: an input's value or a
    textarea's text (None for an input without a value)."""
    t = textarea_value(page, name)
    if t is not None:
        return t
    return input_value(page, name)


def element_by_id(page, id):
    """(tag, inner HTML) of the element with id=`id`, or None."""
    m = re.search(r'<(\w+)\b[^>]*\bid="%s"[^>]*>' % re.escape(id), page)
    if m is None:
        return None
    tag = m.group(1)
    start = m.end()
    end = page.find("</%s>" % tag, start)
    return tag, page[start:end if end >= 0 else len(page)]


def element_text(page, id):
    """The text inside the element with id=`id` (tags removed, entities
    decoded, spaces collapsed), or None when there is no such element."""
    el = element_by_id(page, id)
    if el is None:
        return None
    text = re.sub(r"<[^>]+>", " ", el[1])
    return re.sub(r"\s+", " ", html.unescape(text)).strip()

def set_cookie_lines(resp):
    """Every Set-Cookie header of a response, unmerged."""
    return resp.raw.headers.getlist("Set-Cookie")


def set_cookie(resp, name):
    """The Set-Cookie line for cookie `name`, or None."""
    for line in set_cookie_lines(resp):
        if line.split("=", 1)[0].strip() == name:
            return line
    return None


def location(server, resp):
    """The redirect target as an absolute URL."""
    return urljoin(server.base + "/", resp.headers.get("Location", ""))


def logged_in_as(page, email):
    """True when a portal page shows `email` as the signed-in user."""
    return html.escape(email) in page and 'action="/logout"' in page


def shows_login_link(page):
    return re.search(r'<a[^>]*href="/login"', page) is not None


class Browser(requests.Session):
    """A requests.Session that behaves like a browser on the portal:
    fetches a form page, takes its csrf_token, posts the form. Redirects
    are not followed, so each test sees the 303 itself."""

    def __init__(self, server):
        super().__init__()
        self.server = server

    def prepare_request(self, request):
        """With an https issuer the server's cookies are Secure, and
        requests sends those over https only; the server under test is
        reached over http on loopback, where its TLS proxy would be, so
        they go into the Cookie header here, as a browser would send
        them over the proxy's https."""
        p = super().prepare_request(request)
        if not self.https():
            return p
        pairs = [f"{c.name}={c.value}" for c in self.cookies
                 if c.secure and not c.is_expired()]
        if p.headers.get("Cookie"):
            pairs.insert(0, p.headers["Cookie"])
        if pairs:
            p.headers["Cookie"] = "; ".join(pairs)
        return p

    def get(self, path, **kw):
        kw.setdefault("allow_redirects", False)
        kw.setdefault("timeout", 10)
        return super().get(self.server.url(path), **kw)

    def post(self, path, **kw):
        kw.setdefault("allow_redirects", False)
        kw.setdefault("timeout", 10)
        return super().post(self.server.url(path), **kw)

    def csrf(self, path):
        """GETs a form page; returns its csrf_token."""
        r = self.get(path)
        assert r.status_code == 200, (path, r.status_code)
        return find_csrf(r.text)

    def submit(self, form_path, action, fields):
        """Fetches form_path for a csrf_token, posts fields (plus the token)
        to action; returns the response."""
        data = {"csrf_token": self.csrf(form_path)}
        data.update(fields)
        return self.post(action, data=data)

    def signup(self, email, password=PASSWORD):
        return self.submit("/signup", "/signup",
                           {"email": email, "password": password})

    def login(self, email, password=PASSWORD, next=None):
        fields = {"email": email, "password": password}
        if next is not None:
            fields["next"] = next
        return self.submit("/login", "/login", fields)

    def logout(self):
        return self.submit("/", "/logout", {})

    def home(self):
        r = self.get("/")
        assert r.status_code == 200, r.status_code
        return r.text

    def https(self):
        """True when the server's issuer is https (a front without the
        attribute, such as the multinode suite's nginx, is http)."""
        return getattr(self.server, "https", False)

    def session_cookie(self):
        name = "kg_session"
        return self.cookies.get("__Host-" + name if self.https() else name)


# --- raw sockets ------------------------------------------------------------

class RawResponse:
    def __init__(self, status, headers, body, raw):
        self.status = status
        self.headers = headers      # lower-case name -> last value
        self.body = body
        self.raw = raw

    def __repr__(self):
        return f"RawResponse({self.status}, {self.raw[:200]!r})"


def parse_head(data):
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    m = re.match(rb"HTTP/1\.[01] (\d{3})", lines[0])
    if not m:
        return None, {}, rest
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        headers[name.strip().lower().decode("latin-1")] = \
            value.strip().decode("latin-1")
    return int(m.group(1)), headers, rest


def read_response(sock, timeout=5):
    """Reads one HTTP response from sock. Returns a RawResponse, or None when
    the connection closed (or stayed silent) without an answer."""
    sock.settimeout(timeout)
    data = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if b"\r\n\r\n" in data:
            status, headers, rest = parse_head(data)
            n = int(headers.get("content-length", "0") or 0)
            if status is not None and len(rest) >= n:
                return RawResponse(status, headers, rest[:n], data)
        try:
            chunk = sock.recv(65536)
        except (socket.timeout, ConnectionResetError):
            break
        if not chunk:
            break
        data += chunk
    if b"\r\n\r\n" in data:
        status, headers, rest = parse_head(data)
        if status is not None:
            return RawResponse(status, headers, rest, data)
    return None


def raw_exchange(server, data, more=(), timeout=5, source=None):
    """Sends `data` (then each piece of `more`, ignoring a peer that stopped
    reading) on a fresh connection and reads one response."""
    sock = socket.create_connection((server.host, server.port), timeout=timeout,
                                    source_address=source)
    try:
        try:
            sock.sendall(data)
            for piece in more:
                sock.sendall(piece)
        except (BrokenPipeError, ConnectionResetError):
            pass
        return read_response(sock, timeout)
    finally:
        sock.close()


def logfmt(line):
    """Parses one logfmt line into a dict."""
    out = {}
    for m in re.finditer(r'(\w+)=("(?:[^"\\]|\\.)*"|\S*)', line):
        v = m.group(2)
        if v.startswith('"'):
            v = re.sub(r"\\(.)", r"\1", v[1:-1])
        out[m.group(1)] = v
    return out


def access_lines(text):
    """The access-log lines (those with method=) of a log text, parsed."""
    return [logfmt(l) for l in text.splitlines() if " method=" in f" {l}"]


def challenge(server, error=None, resource_metadata=None):
    """The WWW-Authenticate of a refused bearer call (docs/REFERENCE.md
    §3.6): RFC 6750's, with RFC 9728's resource_metadata (§19, or the
    registered resource's own URL, §22.1); without a token sent, the DPoP
    scheme's beside it (RFC 9449 §7.1, §17.1)."""
    rm = 'resource_metadata="%s"' % (resource_metadata or (
        f"{server.issuer}/.well-known/oauth-protected-resource"))
    if error:
        return f'Bearer error="{error}", {rm}'
    return f'Bearer {rm}, DPoP algs="ES256 EdDSA RS256"'
