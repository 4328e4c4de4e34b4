"""A failover under load: a durable primary and its synchronous streaming
standby (scripts/pg_pair.sh, fresh for each round), two nodes behind the
nginx example on the multi-host URL (no target_session_attrs: keygate adds
read-write itself, docs/REFERENCE.md §7.1).

Clients loop through nginx, each recording every answer: code flows
(authorize, Grant Access, exchange), refreshes, checks and revocations of
their own tokens, and one client generating an app's secrets and revoking
the old ones. The primary's postmaster gets SIGKILL, then the standby is
promoted (pg_ctl promote). Meanwhile the nodes answer 503 with Retry-After;
both serve again within PROMOTED_S of the promotion. Afterwards, from the
clients' side: every access token, refresh token, code and secret a
client was given works, unless a revocation of it was answered 200, and
in each family the refresh token used last is refused when presented
again. A request answered 503 (or not at all) is a lost answer:
its effect is unknown, so the client never repeats it and what it acted on
is left out of the checks -- as a careful client would.

Run ROUNDS times in a row, each on a fresh pair (docs/DEPLOYMENT.md,
"Failover with a standby")."""

import os
import signal
import subprocess
import tempfile
import threading
import time

import psycopg2
import pytest
import requests

import kgtest
import mnkit
import oauthkit
from kgtest import bearer
from oauthkit import (User, auth_params, authorize, basic_client, exchange,
                      make_app, redirect_result, refresh, revoke,
                      submit_grant)

pytestmark = pytest.mark.alone("a recovery within 10 s of a promotion, "
                               "under load")

ROUNDS = 5
PROMOTED_S = 10         # both nodes serve again within this of a promotion
WARM_S = 1.5            # load before the primary dies
DEAD_S = 1.5            # load with no primary, before the promotion
AFTER_S = 1.5           # load once both nodes serve again
FLOW_CLIENTS = 3
PG_PAIR = os.path.join(mnkit.ROOT, "scripts", "pg_pair.sh")
# What a node may answer, by kind of request, besides 503.
OK = {"authorize": {200, 302, 303}, "grant": {303}, "exchange": {200},
      "refresh": {200}, "check": {200}, "revoke": {200},
      "secret": {201, 409}, "app": {200}, "revoke_secret": {204}}


def pair(cmd, where, env=None):
    r = subprocess.run([PG_PAIR, cmd, where], capture_output=True,
                       text=True, timeout=120,
                       env=dict(os.environ, **(env or {})))
    assert r.returncode == 0, (cmd, r.stdout, r.stderr)
    return r.stdout.strip()


# Under /tmp, short: the clusters run as the postgres user when we are
# root, and their sockets' paths have a length limit.
@pytest.fixture(scope="module")
def pg_template():
    """A stopped cluster each round's primary is copied from: initdb
    once, not once a round (scripts/pg_pair.sh)."""
    where = tempfile.mkdtemp(prefix="kgfot.", dir="/tmp")
    try:
        yield where
    finally:
        subprocess.run([mnkit.PG_CLUSTER, "destroy", where],
                       capture_output=True, timeout=120)


@pytest.fixture
def pg_pair(pg_template):
    where = tempfile.mkdtemp(prefix="kgfo.", dir="/tmp")
    try:
        yield where, pair("start", where,
                          {"KEYGATE_PG_TEMPLATE": pg_template})
    finally:
        subprocess.run([PG_PAIR, "destroy", where], capture_output=True,
                       timeout=120)


class Log:
    """Every answer of every client: (time, kind, status or exception)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.rows = []

    def call(self, kind, fn):
        """fn()'s response, recorded; None for a lost answer (a 503, an
        exception) and for an answer outside OK[kind], which the checks
        below report."""
        t = time.monotonic()
        try:
            r = fn()
            status = r.status_code
        except requests.RequestException as e:
            r, status = None, repr(e)
        with self.lock:
            self.rows.append((t, kind, status,
                              r.headers.get("Retry-After") if r is not None
                              else None,
                              r.text[:200] if r is not None else ""))
        return r if status in OK[kind] else None


class FlowClient:
    """A user and an app's client: code flows, then refreshes, checks and
    revocations of what it was given, each answer kept. Tokens go by
    family (one code exchange and its refreshes): revoking a refresh token
    ends its family."""

    def __init__(self, log, user, app):
        self.log, self.user, self.app = log, user, app
        self.live_at = []       # (access token, family) given, in use
        self.dead_at = []       # access tokens whose revocation got 200
        self.lost_at = []       # access tokens whose revocation was lost
        self.rts = []           # (refresh token, family), never presented
        self.used_rts = []      # (refresh token, family): refresh got 200
        self.dead = set()       # families a revocation answered 200 ended
        self.unknown = set()    # families whose revocation was lost
        self.codes = []         # codes given and kept for the end
        self.n = 0
        self.families = 0

    def code(self):
        pairs = auth_params(self.app, state=f"s{self.n}")
        r = self.log.call("authorize", lambda: authorize(self.user, pairs))
        if r is not None and r.status_code == 200:
            page = r.text
            r = self.log.call("grant", lambda: submit_grant(
                self.user, page, "allow"))
        if r is None:
            return None
        return redirect_result(r, self.app.redirect_uri)["code"]

    def tokens(self, r, family):
        t = oauthkit.tokens_ok(r)
        self.live_at.append((t["access_token"], family))
        self.rts.append((t["refresh_token"], family))

    def step(self):
        self.n += 1
        if self.live_at:
            at = self.live_at[-1][0]
            self.log.call("check", lambda: oauthkit.check(
                self.app.server, at))
        if self.n % 4 == 1 or not self.rts:
            code = self.code()
            if code is None:
                return
            if self.n % 8 == 1:
                self.codes.append(code)         # exchanged at the end
                return
            r = self.log.call("exchange", lambda: exchange(self.app, code))
            if r is not None:
                self.families += 1
                self.tokens(r, self.families)
        elif self.n % 4 == 2 and len(self.live_at) > 1:
            at = self.live_at.pop(0)[0]     # whatever the answer
            ok = self.log.call("revoke", lambda: revoke(
                self.app, at, "access_token"))
            (self.dead_at if ok is not None else self.lost_at).append(at)
        elif self.n % 16 == 7 and len(self.rts) > 1:
            rt, fam = self.rts.pop(0)
            ok = self.log.call("revoke", lambda: revoke(
                self.app, rt, "refresh_token"))
            (self.dead if ok is not None else self.unknown).add(fam)
        else:
            rt, fam = self.rts.pop()    # presented once, whatever the answer
            r = self.log.call("refresh", lambda: refresh(self.app, rt))
            if r is not None:
                self.tokens(r, fam)
                self.used_rts.append((rt, fam))

    def check_given(self, nodes):
        """What it was given works, on either node, unless revoked."""
        on = [mnkit.on(self.app, n) for n in nodes]
        for k, (at, fam) in enumerate(self.live_at):
            if fam not in self.unknown:
                assert oauthkit.alive(nodes[k % 2], at) == \
                    (fam not in self.dead), (at, fam, self.dead)
        for at in self.dead_at:
            assert not oauthkit.alive(nodes[0], at), "a revoked token works"
        for k, code in enumerate(self.codes):
            oauthkit.tokens_ok(exchange(on[k % 2], code))
        for k, (rt, fam) in enumerate(self.rts):
            r = refresh(on[k % 2], rt)
            if fam in self.dead:
                oauthkit.token_error(r, "invalid_grant")
            elif fam not in self.unknown:
                oauthkit.tokens_ok(r)


class SecretClient:
    """Generates the app's secret again and again, keeping the old one
    valid for an hour, and revokes the old one before the next: each
    secret it was given must work unless its revocation got 204."""

    def __init__(self, log, app):
        self.log, self.app = log, app
        self.by_id = {}                 # id -> secret it was given
        self.revoked = set()            # ids whose revocation got 204
        self.unknown = set()            # ids whose revocation was lost
        self.pending = app.secret       # a secret given, id not yet read

    def app_json(self):
        r = self.log.call("app", lambda: requests.get(
            kgtest.apps_url(self.app.server, self.app.key),
            headers=bearer(self.app.dev.pat), timeout=10))
        return r.json() if r is not None else None

    def step(self):
        j = self.app_json()
        if j is None:
            return
        if self.pending is not None:
            # the current secret is the one the last 201 gave: nothing
            # else generates this app's secrets
            self.by_id[j["secrets"][0]["id"]] = self.pending
            self.pending = None
        for s in j["secrets"][1:]:              # the old one
            sid = s["id"]
            r = self.log.call("revoke_secret", lambda: requests.delete(
                kgtest.apps_url(self.app.server, self.app.key,
                                f"secrets/{sid}"),
                headers=bearer(self.app.dev.pat), timeout=10))
            (self.revoked if r is not None else self.unknown).add(sid)
            return
        r = self.log.call("secret", lambda: requests.post(
            kgtest.apps_url(self.app.server, self.app.key, "secret"),
            json={"previous_valid_for": 3600},
            headers=bearer(self.app.dev.pat), timeout=10))
        if r is not None and r.status_code == 201:
            self.pending = r.json()["secret"]


def run_load(clients, stopping, errors):
    def loop(c):
        try:
            while not stopping.is_set():
                c.step()
                time.sleep(0.02)
        except Exception as e:          # noqa: BLE001 -- reported below
            errors.append(repr(e))
    threads = [threading.Thread(target=loop, args=(c,), daemon=True)
               for c in clients]
    for th in threads:
        th.start()
    return threads


def serves(node):
    """A store-backed answer from the node itself (not through nginx)."""
    try:
        return requests.get(node.url("/healthz"), timeout=5).status_code \
            == 200
    except requests.RequestException:
        return False


def secret_works(app, secret):
    r = requests.post(app.server.url("/oauth2/introspect"),
                      data={"token": "kg_at_none"},
                      headers={"Authorization": basic_client(app.key,
                                                             secret)},
                      timeout=10)
    assert r.status_code in (200, 401), (r.status_code, r.text)
    return r.status_code == 200


@pytest.mark.parametrize("round_", range(1, ROUNDS + 1))
def test_failover_under_load(round_, pg_pair, make_cluster):
    where, admin = pg_pair
    # the nodes get the URL without target_session_attrs: keygate adds it
    db = kgtest.fresh_pg_db(admin).split("?")[0]
    c = make_cluster(db=db, nginx=True)
    front = c.front
    app = make_app(front)
    secret_app = make_app(front, dev=app.dev)
    log = Log()
    flows = [FlowClient(log, User(front, f"fo{i}"), app)
             for i in range(FLOW_CLIENTS)]
    secrets = SecretClient(log, secret_app)
    stopping = threading.Event()
    errors = []
    threads = run_load(flows + [secrets], stopping, errors)
    try:
        time.sleep(WARM_S)
        t_kill = time.monotonic()
        pair("kill-primary", where)
        for n in c.nodes:
            down, _ = mnkit.within(3, lambda: not serves(n))
            assert down, f"{n.base} still serves 3 s after the kill"
        t_down = time.monotonic()
        time.sleep(DEAD_S)
        t_promote = time.monotonic()
        pair("promote", where)
        t_promoted = time.monotonic()
        back = []
        for n in c.nodes:
            ok, _ = mnkit.within(PROMOTED_S - (time.monotonic() -
                                                t_promote),
                                 lambda: serves(n))
            assert ok, (f"{n.base} does not serve {PROMOTED_S} s after "
                        f"the promotion:\n{n.log()[-3000:]}")
            back.append(time.monotonic() - t_promote)
        t_back = time.monotonic()
        time.sleep(AFTER_S)
    finally:
        stopping.set()
        for th in threads:
            th.join(30)
    assert not any(th.is_alive() for th in threads), "a client hung"
    assert not errors, errors
    print(f"round {round_}: promote took {t_promoted - t_promote:.2f} s; "
          f"first 200 on each node {back[0]:.2f} s, {back[1]:.2f} s after "
          f"the promotion began ({t_promote - t_kill:.2f} s after the kill)")

    # --- every answer: what it may be, when -------------------------------
    rows = log.rows
    odd = [r for r in rows if r[2] not in OK[r[1]] | {503}]
    assert not odd, f"answers neither expected nor 503: {odd[:5]}"
    no_retry = [r for r in rows if r[2] == 503 and r[3] is None]
    assert not no_retry, f"503 without Retry-After: {no_retry[:3]}"
    before = [r for r in rows if r[0] < t_kill]
    assert before and {r[2] for r in before} <= set().union(*OK.values()), \
        "503 before the kill"
    down = [r for r in rows
            if t_down + mnkit.PROPAGATION_S <= r[0] < t_promote]
    assert down and {r[2] for r in down} == {503}, \
        {(r[1], r[2]) for r in down}
    after = [r for r in rows if r[0] >= t_back + 0.5]
    assert len(after) >= 10 and all(r[2] != 503 for r in after), \
        [r for r in after if r[2] == 503][:5]

    # --- what the clients were given ---------------------------------------
    nodes = c.nodes
    for f in flows:
        f.check_given(nodes)
    # Each revoked secret tried is a failed client authentication, and
    # the server answers 429 after 50 of them a client (a round may revoke
    # more): every live secret is tried, and the 40 revoked last, among
    # which are those revoked around the failover.
    revoked_last = set(sorted(secrets.revoked)[-40:])
    for sid, secret in secrets.by_id.items():
        if sid in secrets.unknown and sid not in secrets.revoked:
            continue
        if sid in secrets.revoked and sid not in revoked_last:
            continue
        assert secret_works(mnkit.on(secret_app, nodes[sid % 2]), secret) \
            == (sid not in secrets.revoked), (sid, secrets.revoked)
    if secrets.pending is not None:     # given, its id never read
        assert secret_works(secret_app, secrets.pending)
    # last: in each family, the refresh token used most recently (its
    # rotation the likeliest to be lost with the primary) is refused as
    # used. That reuse ends the family, so its older ones, refused after
    # it whatever their own record, would prove nothing; nothing is
    # checked after this.
    for f in flows:
        last = {fam: rt for rt, fam in f.used_rts}
        for k, rt in enumerate(last.values()):
            oauthkit.token_error(refresh(mnkit.on(app, nodes[k % 2]), rt),
                                 "invalid_grant")
    kinds = {r[1] for r in rows if r[2] in OK[r[1]]}
    assert {"exchange", "refresh", "check", "revoke", "secret",
            "revoke_secret"} <= kinds, kinds


def test_a_write_the_standby_never_confirmed_is_not_answered_done(
        pg_pair, make_cluster):
    """The only synchronous standby dies: a write's COMMIT waits for it
    (no statement timeout reaches a COMMIT). An operator cancels the
    waiting backends, as one does before dropping the standby from
    synchronous_standby_names; PostgreSQL has then committed on the
    primary alone, reports success, and says so only in a WARNING. A
    failover now would lose that write, so the node must not answer it
    as done: 503, its outcome unknown."""
    where, admin = pg_pair
    c = make_cluster(db=kgtest.fresh_pg_db(admin).split("?")[0])
    node = c.nodes[0]
    app = make_app(node)
    # the whole standby, its WAL receiver first: a receiver outliving
    # its postmaster for a moment would still confirm the write
    with open(os.path.join(where, "standby", "data", "postmaster.pid")) as f:
        pm = int(f.readline())
    kids = subprocess.run(["pgrep", "-P", str(pm)], capture_output=True,
                          text=True).stdout.split()
    for pid in [int(k) for k in kids] + [pm]:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:      # ended with another
            pass
    answer = {}

    def write():
        answer["r"] = requests.post(
            kgtest.apps_url(app.server, app.key, "secret"),
            json={"previous_valid_for": 0}, headers=bearer(app.dev.pat),
            timeout=60)

    th = threading.Thread(target=write)
    th.start()
    conn = psycopg2.connect(admin)
    conn.autocommit = True
    try:
        waiting = []
        for _ in range(100):
            with conn.cursor() as cur:
                cur.execute("SELECT pid FROM pg_stat_activity "
                            "WHERE wait_event = 'SyncRep'")
                waiting = [row[0] for row in cur.fetchall()]
            if waiting or not th.is_alive():
                break
            time.sleep(0.1)
        assert waiting, ("no COMMIT waited for the standby",
                         answer.get("r"))
        with conn.cursor() as cur:
            for pid in waiting:
                cur.execute("SELECT pg_cancel_backend(%s)", (pid,))
        th.join(60)
    finally:
        # as the runbook says, the primary stops waiting for the lost
        # standby: the node's later writes, and the pair's shutdown, are
        # no longer held up by it
        with conn.cursor() as cur:
            cur.execute("ALTER SYSTEM SET synchronous_standby_names = ''")
            cur.execute("SELECT pg_reload_conf()")
        conn.close()
    r = answer["r"]
    assert r.status_code == 503, (r.status_code, r.text[:300])
    assert r.headers.get("Retry-After"), r.headers
    assert "synchronous replication" in node.log(), node.log()[-2000:]
