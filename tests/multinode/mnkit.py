"""Helpers for the two-node suite: several `keygate serve` processes on one
PostgreSQL database, Debian's nginx in front of them running the example
configuration deploy/nginx/keygate.conf, the nodes' test clocks moved
together, and objects of tests/http's helpers (apps, browsers) pointed at
one node or another.

kgtest and oauthkit (tests/http) are imported from there: conftest puts
that folder on sys.path."""

import os
import re
import signal
import subprocess
import time


import kgtest
import oauthkit

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
NGINX = "/usr/sbin/nginx"
NGINX_CONF = os.path.join(ROOT, "deploy", "nginx", "keygate.conf")
PG_CLUSTER = os.path.join(ROOT, "scripts", "pg_cluster.sh")
MIGRATIONS = os.path.join(ROOT, "src", "store", "migrations", "postgres")
# The addresses the example configuration is written with.
EXAMPLE_FRONT = "127.0.0.1:8080"
EXAMPLE_NODES = ("127.0.0.1:8081", "127.0.0.1:8082")
PROPAGATION_S = 1.0


# --- nodes ------------------------------------------------------------------

def start_nodes(workdirs, db, *flags, front_port=None, together=False):
    """Starts one node per work folder on database `db` (a postgres://
    URL), each with --test-clock and, when front_port is given, --issuer
    http://127.0.0.1:FRONT_PORT (the public address), and waits until every
    one answers. together=True starts every process before waiting for
    any (nodes racing to migrate an empty database)."""
    extra = []
    if front_port is not None:
        extra = ["--issuer", f"http://127.0.0.1:{front_port}"]
    nodes = []
    try:
        for w in workdirs:
            if not together:
                nodes.append(kgtest.start_server(w, *extra, *flags, db=db))
                continue
            port = kgtest.free_port()
            argv = [kgtest.BINARY, "serve", "--listen", f"127.0.0.1:{port}",
                    "--db", db, "--signup-rate", "0", "--test-clock",
                    "--key-file", kgtest.shared_key_file(db), *extra,
                    *flags]
            nodes.append(kgtest.Server(w, argv, "127.0.0.1", port, db))
        for n in nodes:
            n.wait_ready()
    except BaseException:
        for n in nodes:             # none is left running
            n.stop()
        raise
    return nodes


def on(obj, node):
    """A twin of `obj` (an oauthkit App or User, a kgtest Browser, anything
    with a `server` attribute) that talks to `node`. The twin shares the
    original's state: a browser twin has the same cookie jar, so a session
    started on one node is presented to the other."""
    twin = object.__new__(type(obj))
    twin.__dict__.update(obj.__dict__)
    twin.server = node
    return twin


def within(seconds, probe, interval=0.02):
    """Calls probe() until it returns a true value; after the first call,
    none starts later than `seconds` after it. Returns (value, when): the
    last value and when its call started, in seconds after the first."""
    start = time.monotonic()
    value = when = None
    while True:
        t = time.monotonic() - start
        if when is not None and t > seconds:
            return value, when
        value, when = probe(), t
        if value:
            return value, when
        time.sleep(interval)


def assert_within(seconds, probe, what):
    value, elapsed = within(seconds, probe)
    assert value, f"{what}: not seen within {seconds} s"
    return elapsed


# --- what nodes say about a token ------------------------------------------------

def exp_on(app, node, token):
    """The token's `exp` as introspection on `node` reports it (the app
    authenticating there), or None when it is inactive."""
    i = oauthkit.introspection(on(app, node), token)
    return i.get("exp") if i["active"] else None


def exp_settles(app, nodes, token, want, floor=None,
                seconds=PROPAGATION_S):
    """Introspects the token on each node until it reports exp == want,
    all within `seconds` of the call: a use recorded by one node reaches
    every node within the propagation bound. With `floor`, no exp seen
    meanwhile may be below it (a recorded use never moves back)."""
    deadline = time.monotonic() + seconds
    for node in nodes:
        seen = []

        def probe():
            seen.append(exp_on(app, node, token))
            return seen[-1] == want

        ok, _ = within(max(0.0, deadline - time.monotonic()), probe)
        assert ok, (f"{node.base}: exp {seen[-1]}, not {want}, "
                    f"{seconds} s on (seen {sorted(set(map(str, seen)))})")
        if floor is not None:
            assert all(e is not None and e >= floor for e in seen), \
                (node.base, floor, seen)


def exp_stays(app, nodes, token, want, seconds=PROPAGATION_S):
    """Introspects the token on every node, again and again for `seconds`,
    and every answer must be exp == want: whatever a node may still have
    to write, nothing changes it."""
    deadline = time.monotonic() + seconds
    while True:
        for node in nodes:
            got = exp_on(app, node, token)
            assert got == want, (node.base, got, want)
        if time.monotonic() >= deadline:
            return
        time.sleep(0.05)


# --- clocks -------------------------------------------------------------------

def sync_clocks(nodes, target, offsets=None):
    """Moves each node's test clock so that it reads target + offsets[i]
    (default 0) during the current wall-clock second, which has at least
    six tenths of a second left when this returns: requests made right
    after see exactly those times. Clocks only move forward; none may be
    past its target already. Returns target."""
    offsets = offsets or [0] * len(nodes)
    for _ in range(6):
        frac = time.time() % 1
        if frac > 0.3:
            time.sleep(1.02 - frac)
        sec = int(time.time())
        for n, off in zip(nodes, offsets):
            if getattr(n, "clock_offset", None) is None:
                n.advance(1)            # learns the node's offset
                if n.clock_offset is None:
                    break
            cur = sec + n.clock_offset
            want = target + off
            assert cur <= want, f"{n.base}'s clock is past {want} ({cur})"
            if cur < want:
                n.advance(want - cur)
        if int(time.time()) == sec and all(
                getattr(n, "clock_offset", None) is not None and
                sec + n.clock_offset == target + off
                for n, off in zip(nodes, offsets)):
            return target
    raise AssertionError("could not set the nodes' clocks together")


def node_clock(node):
    """The node's test clock now (moves it by one second to read it)."""
    return node.advance(1) - 1


# --- nginx --------------------------------------------------------------------

MAIN_CONF = """\
# Written by tests/multinode: the main context nginx needs around the
# example configuration, which is included as it would be from
# /etc/nginx/conf.d/ (only its addresses changed).
{user}pid {dir}/nginx.pid;
error_log {dir}/error.log info;
worker_processes 2;
events {{
    worker_connections 512;
}}
http {{
    access_log {dir}/access.log;
    client_body_temp_path {dir}/client_body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    include {dir}/keygate.conf;
}}
"""


def example_conf(front_port, node_ports):
    """deploy/nginx/keygate.conf with only its addresses replaced."""
    with open(NGINX_CONF) as f:
        text = f.read()
    assert len(node_ports) == len(EXAMPLE_NODES), node_ports
    # Every mention is replaced, the commented example commands included.
    assert f"listen {EXAMPLE_FRONT};" in text, NGINX_CONF
    for addr in EXAMPLE_NODES:
        assert f"server {addr} " in text, (addr, NGINX_CONF)
    text = text.replace(EXAMPLE_FRONT, f"127.0.0.1:{front_port}")
    for addr, port in zip(EXAMPLE_NODES, node_ports):
        text = text.replace(addr, f"127.0.0.1:{port}")
    return text


class Nginx:
    """nginx in the foreground running the example configuration in front
    of `node_ports`; looks like a kgtest.Server to the helpers (base, url,
    host, port)."""

    def __init__(self, workdir, port, node_ports):
        self.dir = str(workdir)
        self.host = "127.0.0.1"
        self.port = port
        self.base = f"http://127.0.0.1:{port}"
        with open(os.path.join(self.dir, "keygate.conf"), "w") as f:
            f.write(example_conf(port, node_ports))
        # As root, nginx's workers would run as `nobody`, who cannot enter
        # pytest's private temporary folders.
        user = "user root;\n" if os.geteuid() == 0 else ""
        self.conf = os.path.join(self.dir, "nginx.conf")
        with open(self.conf, "w") as f:
            f.write(MAIN_CONF.format(dir=self.dir, user=user))
        self.argv = [NGINX, "-p", self.dir + "/", "-e",
                     os.path.join(self.dir, "error.log"), "-c", self.conf]
        test = subprocess.run(self.argv + ["-t"], capture_output=True,
                              text=True, timeout=10)
        assert test.returncode == 0, test.stderr
        self._out = open(os.path.join(self.dir, "nginx.out"), "ab")
        self.proc = subprocess.Popen(self.argv + ["-g", "daemon off;"],
                                     stdin=subprocess.DEVNULL,
                                     stdout=self._out, stderr=self._out)

    def url(self, path):
        return self.base + path

    def log(self):
        out = []
        for name in ("nginx.out", "error.log"):
            try:
                with open(os.path.join(self.dir, name), "rb") as f:
                    out.append(f.read().decode("utf-8", "replace"))
            except FileNotFoundError:
                pass
        return "\n".join(out)

    def access_log(self):
        try:
            with open(os.path.join(self.dir, "access.log")) as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def wait_ready(self, timeout=10):
        kgtest.wait_healthz("nginx", self.proc, self.url("/healthz"),
                            self.log, timeout)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGQUIT)      # graceful
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._out.close()
        return self.proc.returncode


def start_nginx(workdir, node_ports, port=None, attempts=3):
    last = None
    for _ in range(attempts):
        front = Nginx(workdir, port or kgtest.free_port(), node_ports)
        try:
            front.wait_ready()
            return front
        except kgtest.ServerError as e:
            last = e
            front.stop()
            if port is not None or "Address already in use" not in str(e):
                raise
    raise last


# --- the cluster ----------------------------------------------------------------

class Cluster:
    """Two nodes (a, b) on one database, and nginx in front (or None)."""

    def __init__(self, db, nodes, front):
        self.db = db
        self.nodes = nodes
        self.a, self.b = nodes
        self.front = front

    def stop(self):
        """Stops nginx and the nodes; returns the problems (empty when
        every node exited 0 on SIGTERM and logged no crash)."""
        problems = []
        if self.front is not None:
            self.front.stop()
        for n in self.nodes:
            rc = n.stop()
            if rc != 0:
                problems.append(f"node {n.base} exited {rc}:\n"
                                f"{n.log()[-3000:]}")
            crash = crash_text(n.log())
            if crash:
                problems.append(f"node {n.base} logged:\n" +
                                "\n".join(crash[:20]))
        return problems


def start_cluster(mktemp, *flags, nginx=True, db=None):
    """A fresh database on KEYGATE_TEST_PG's cluster (unless `db`), two
    nodes on it and, with nginx=True, nginx in front; the nodes' issuer is
    nginx's address either way. Behind nginx the nodes trust it for the
    client's address (--trusted-proxy 127.0.0.1), as docs/DEPLOYMENT.md
    says to."""
    db = db or kgtest.fresh_pg_db()
    if nginx:
        flags = ("--trusted-proxy", "127.0.0.1") + flags
    # The issuer names nginx's port, so it is picked before the nodes
    # start; another suite running beside this one may take it meanwhile,
    # and then the whole cluster starts again on a new port.
    for attempt in range(3):
        front_port = kgtest.free_port()
        nodes = start_nodes([mktemp("node-a"), mktemp("node-b")], db,
                            *flags, front_port=front_port)
        if not nginx:
            return Cluster(db, nodes, None)
        try:
            front = start_nginx(mktemp("nginx"), [n.port for n in nodes],
                                port=front_port)
            break
        except Exception as e:
            for n in nodes:
                n.stop()
            if attempt == 2 or "Address already in use" not in str(e):
                raise
    return Cluster(db, nodes, front)


def crash_text(log):
    """Lines of a node's log that speak of a crash or of a sanitizer's
    report (AddressSanitizer, LeakSanitizer, UBSan's "runtime error:")."""
    pat = re.compile(r"crash|\basan\b|sanitizer|runtime error:|"
                     r"segmentation fault|\bSEGV\b", re.I)
    return [l for l in log.splitlines() if pat.search(l)]
