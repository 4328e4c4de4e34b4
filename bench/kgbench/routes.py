"""One size of the bench: fill a store, serve it, measure every route."""

import base64
import copy
import glob
import json
import os
import random
import shutil
import statistics
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

from kgbench.common import (
    AGAINST,
    FIXED_DRAW,
    LOGIN_ACCOUNTS,
    LOGIN_BASICS,
    LOGIN_RAMP_S,
    LOGIN_TIMEOUT_S,
    OIDC_ALGS,
    OIDC_CODE_SCOPE,
    READ_ROUTES,
    RESOURCE,
    RESOURCE_HEADER,
    RESOURCE_NAME,
    RESOURCE_SCOPE,
    RESOURCE_URI,
    SERVER_CPU,
    UNCOUNTED,
    USAGE_FLAG,
    USE_ROUTES,
    log,
    run_cmd)
from kgbench.load import (
    charge_folds,
    cpu_per_req,
    cpu_ratios,
    paired,
    ratios_to_ping,
    show,
    summarize,
    with_ratios,
    wrk)
from kgbench.dpop import measure_dpop, prepare, route_name
from kgbench.nodes import bench_nodes
from kgbench.servers import Keygate


def fill(args, filler, db, outdir, tokens=0, refresh=0, codes=0,
         append=False, code_scope=None, resource=None):
    cmd = [filler, "--db", db, "--out", outdir, "--tokens", str(tokens)]
    if code_scope:
        cmd += ["--code-scope", code_scope]
    if resource:
        cmd += ["--resource", resource]
    if not append and args.login_clients > 0:
        cmd += ["--login-accounts", str(LOGIN_ACCOUNTS)]
    if refresh:
        cmd += ["--refresh", str(refresh)]
    if codes:
        cmd += ["--codes", str(codes)]
    if append:
        cmd.append("--append")
    run_cmd(cmd)
    if db.startswith(("postgres://", "postgresql://")):
        # Statistics for the rows just written, as autovacuum would take
        # within a minute or two: without them the planner guesses the
        # tables nearly empty, and a node's cache fill at start, a page
        # of tokens at a time, joins the whole tables for each page
        # (300,000 tokens: 42 s, against 2.8 s once analyzed).
        run_cmd(["psql", "-X", "-q", db, "-c", "ANALYZE"])
    with open(os.path.join(outdir, "fill.json")) as f:
        return json.load(f)


def shuffle_lines(path):
    """Puts the lines of a credential file in random order: the filler
    writes refresh tokens in the order it minted them, and spending them
    in that order would rotate rows in index order, kinder to the store's
    caches than clients arriving at random."""
    with open(path, "rb") as f:
        lines = f.read().splitlines(keepends=True)
    random.SystemRandom().shuffle(lines)
    tmp = path + ".shuffled"
    with open(tmp, "wb") as f:
        f.writelines(lines)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def client(outdir):
    kv = {}
    with open(os.path.join(outdir, "client.txt")) as f:
        for line in f:
            k, _, v = line.strip().partition("=")
            kv[k] = v
    basic = base64.b64encode(("%s:%s" % (kv["api_key"], kv["secret"]))
                             .encode()).decode()
    return "Basic " + basic, kv["redirect_uri"], kv["api_key"]


def measure(args, srv, name, url, env, outdir, rate=0, runs=None,
            base=None):
    """Warm-up, then the runs, each after a baseline run when `base` is
    given; prints and returns the summary."""
    uses = name in USE_ROUTES
    if args.warmup > 0 and rate == 0:
        wrk(args, url, env, args.warmup, name + ".warmup", outdir)
        if uses:
            srv.settle()
    res, bases = [], []
    for i in range(runs or args.runs):
        b = paired(args, url, base, name, i + 1, outdir)
        if b is not None:
            bases.append(b)
        c0, d0 = srv.cpu_split()
        r = wrk(args, url, env, args.duration, "%s.run%d" % (name, i + 1),
                outdir, rate)
        r["server_cpu_s"] = srv.cpu_s() - c0
        if uses:
            folds = srv.settle()
            r["server_cpu_s"] += folds
            charge_folds(r, folds, paced=rate > 0)
        r["db_cpu_s"] = srv.cpu_split()[1] - d0
        res.append(r)
    s = with_ratios(summarize(res), bases)
    cpu_per_req(s)
    s["rss"] = srv.status()
    show(name, s)
    if "failed" in s:
        s["server_log"] = srv.tail()
    return s


def measure_listed(args, srv, name, url, env, outdir, topup, cap,
                   base=None):
    """Refresh and code runs: every request spends a line, so each run
    gets a fresh list sized from the rate seen so far (topup(n) fills n
    and returns the file)."""
    rate = 0
    runs, bases = [], []
    n = args.warmup_list
    for i in range(args.runs + 1):
        e = dict(env, KG_FILE=topup(n), KG_FIRST="0", KG_COUNT=str(n))
        label = "%s.warmup" % name if i == 0 else "%s.run%d" % (name, i)
        if i > 0:
            bases.append(paired(args, url, base, name, i, outdir))
        c0, d0 = srv.cpu_split()
        r = wrk(args, url, e, args.warmup if i == 0 else args.duration,
                label, outdir)
        c1, d1 = srv.cpu_split()
        r["server_cpu_s"], r["db_cpu_s"] = c1 - c0, d1 - d0
        if i > 0:
            runs.append(r)
        if "rps" in r:
            rate = max(rate, r["rps"])
        # twice what the fastest pace so far would spend, within the cap
        n = int(min(cap, max(2000, rate * args.duration * 2)))
    s = with_ratios(summarize(runs), [b for b in bases if b is not None])
    cpu_per_req(s)
    s["rss"] = srv.status()
    show(name, s)
    if "failed" in s:
        s["server_log"] = srv.tail()
    return s


def id_token_header(url, basic, redirect, codes):
    """One real exchange of the first code of the file `codes`: the JOSE
    header of the answer's id_token, or {"error": why there is none}."""
    with open(codes) as f:
        code, verifier = f.readline().split()
    body = urllib.parse.urlencode({
        "grant_type": "authorization_code", "code": code,
        "redirect_uri": redirect, "code_verifier": verifier}).encode()
    req = urllib.request.Request(url + "/oauth2/token", body,
                                 {"Authorization": basic})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            jws = json.load(r).get("id_token") or ""
        head = jws.split(".")[0]
        return json.loads(base64.urlsafe_b64decode(
            head + "=" * (-len(head) % 4)))
    except (OSError, ValueError) as e:
        return {"error": "no id_token read: %r" % e}


def operator_env():
    """The environment of an operator command: no KEYGATE_* setting of
    the caller's leaks into the bench's store."""
    return {k: v for k, v in os.environ.items()
            if not k.startswith("KEYGATE_")}


def set_alg(keygate, db, api_key, alg):
    """The app's id_token_signed_response_alg, through keygate's own
    CLI, as an operator would switch it."""
    run_cmd([keygate, "app", "set", api_key,
             "--id-token-signed-response-alg", alg, "--db", db],
            env=operator_env(), stdout=subprocess.DEVNULL)


def add_resource(keygate, db):
    """The bench's resource, registered through keygate's own CLI as an
    operator registers one (it takes the bits core/resources.c gives);
    the fill reads them back."""
    run_cmd([keygate, "resource", "add", RESOURCE_URI, "--name",
             RESOURCE_NAME, "--scope", RESOURCE_SCOPE, "--db", db],
            env=operator_env(), stdout=subprocess.DEVNULL)


def measure_oidc(args, srv, name, alg, env, outdir, topup, base):
    """The code exchange with an id_token signed by `alg` in every
    answer, once one real exchange showed that header's alg is it."""
    hdr = id_token_header(srv.url, env["KG_BASIC"], env["KG_REDIRECT"],
                          topup(1))
    if hdr.get("alg") != alg:
        s = {"failed": "the id_token's header is %s, not alg %s" %
             (json.dumps(hdr), alg), "runs": [], "rss": srv.status(),
             "server_log": srv.tail()}
        show(name, s)
    else:
        s = measure_listed(args, srv, name, srv.url, env, outdir, topup,
                           args.max_codes, base=base)
    s["id_token_header"] = hdr
    return s


def login_flood(args, srv, env, outdir, rate):
    """The check paced to `rate`, alone (check_calm), then while
    --login-clients connections log in without pause (check_logins); the
    flood's own figures as `logins` (its req/s: log-ins/s)."""
    out = {}
    for name in ("check_calm", "check_logins"):
        flood, got = None, {}
        if name == "check_logins":
            fargs = copy.copy(args)
            fargs.connections = args.login_clients
            fargs.timeout = LOGIN_TIMEOUT_S
            fenv = {"KG_MODE": "login", "KG_PATH": "/api/v1/access-tokens",
                    "KG_BASICS": LOGIN_BASICS}
            span = LOGIN_RAMP_S + args.runs * (args.duration + 1) + 2
            flood = threading.Thread(target=lambda: got.update(r=wrk(
                fargs, srv.url, fenv, span, "logins.flood", outdir)))
            flood.start()
            time.sleep(LOGIN_RAMP_S)
        s = measure(args, srv, name, srv.url, env, outdir, rate=rate)
        s["target_rps"] = rate
        out[name] = s
        if flood is not None:
            flood.join()
            s["fold_after_cpu_s"] = srv.settle()
            f = summarize([got.get("r", {"failed": "no result"})])
            f["rss"] = srv.status()
            f["clients"] = args.login_clients
            show("logins", f)
            out["logins"] = f
    return out


def wanted(args, name):
    """--routes: the baseline always, else only the routes named."""
    return args.routes is None or name == "ping" or name in args.routes


def counts_usage(binary):
    """Whether this build counts usage (a --rev from before has no
    flag to turn it off)."""
    return "--usage-counting" in subprocess.run(
        [binary, "serve", "--help"], capture_output=True, text=True).stdout


def has_resources(binary):
    """Whether this build registers resources (a --rev from before has
    no such command)."""
    return subprocess.run([binary, "resource", "--help"],
                          capture_output=True, env=operator_env()
                          ).returncode == 0


def paired_run(args, srv, name, env, outdir, i, base):
    """Run i of a route that records uses, after a baseline run on the
    same server; the folds after it charged to it."""
    b = paired(args, srv.url, base, name, i, outdir)
    c0, d0 = srv.cpu_split()
    r = wrk(args, srv.url, env, args.duration, "%s.run%d" % (name, i),
            outdir)
    folds = srv.settle()
    c1, d1 = srv.cpu_split()
    r["server_cpu_s"] = c1 - c0
    r["db_cpu_s"] = d1 - d0
    charge_folds(r, folds, paced=False)
    return r, b


def measure_alternating(args, entries, outdir, ping):
    """Routes whose figures are read against each other, (server, name,
    env) each: their runs in turn, each after a /ping run of its own
    server, so that the machine's drift, larger between two routes' runs
    than what one costs beyond the other, moves them alike."""
    got = {name: ([], []) for _, name, _ in entries}
    for s, name, env in entries:
        if args.warmup > 0:
            wrk(args, s.url, env, args.warmup, name + ".warmup", outdir)
            s.settle()
    for i in range(args.runs):
        for s, name, env in entries:
            r, b = paired_run(args, s, name, env, outdir, i + 1, ping)
            got[name][0].append(r)
            got[name][1].append(b)
    out = {}
    for s, name, _ in entries:
        runs, bases = got[name]
        out[name] = with_ratios(summarize(runs), bases)
        cpu_per_req(out[name])
        out[name]["rss"] = s.status()
        show(name, out[name])
        if "failed" in out[name]:
            out[name]["server_log"] = s.tail()
    return out


def start_against(args, size, outdir, cache, profile, processes):
    """--against's server: that build's keygate on a store of its own
    (its schema may be older than this build's), filled by that build's
    filler with as many tokens; (server, its folder, its env)."""
    keygate, filler = args.against_bins
    adir = os.path.join(outdir, AGAINST)
    shutil.rmtree(adir, ignore_errors=True)
    os.makedirs(adir)
    db = os.path.join(adir, "keygate.db")
    run_cmd([filler, "--db", db, "--out", adir, "--tokens", str(size)])
    threads = args.server_threads if profile == "tuned" else 1
    srv = Keygate(keygate, db, adir, args.access_log, threads, cache,
                  profile, AGAINST)
    srv.db_cpu = args.db_cpu
    processes.append(srv)
    return srv, adir, {"KG_MODE": "bearer", "KG_PATH": "/oauth2/check",
                       "KG_FILE": os.path.join(adir, "access.txt")}


def measure_check(args, srv, keygate, db, outdir, cache, profile, env,
                  ping, processes, resource, size):
    """The check, and beside it, their runs in turn: the check on a
    second server over the same store counting nothing (when
    check_uncounted is wanted), the cost of counting usage; the check
    for the bench's resource on the same server (when `resource`), the
    cost of naming one; the check of --against's build on a server and
    store of its own, what a change costs the check."""
    entries = [(srv, "check", env)]
    off = other = adir = None
    if wanted(args, UNCOUNTED) and counts_usage(keygate):
        threads = args.server_threads if profile == "tuned" else 1
        off = Keygate(keygate, db, outdir, args.access_log, threads, cache,
                      profile, UNCOUNTED, extra=[USAGE_FLAG],
                      log_name="server-%s.log" % UNCOUNTED)
        off.db_cpu = args.db_cpu
        processes.append(off)
        entries.append((off, UNCOUNTED, env))
    if resource:
        entries.append((srv, RESOURCE,
                        dict(env, KG_HEADER=RESOURCE_HEADER)))
    try:
        if args.against_bins and not db.startswith(("postgres://",
                                                    "postgresql://")):
            other, adir, aenv = start_against(args, size, outdir, cache,
                                              profile, processes)
            entries.append((other, AGAINST, aenv))
        if len(entries) == 1:
            return {"check": measure(args, srv, "check", srv.url, env,
                                     outdir, base=ping)}
        return measure_alternating(args, entries, outdir, ping)
    finally:
        for x in (off, other):
            if x is not None:
                x.stop()
        if adir and not args.keep:
            # the store and raw tokens: gone unless asked (its log stays)
            for x in ("keygate.db", "keygate.db-wal", "keygate.db-shm",
                      "keygate.key", "access.txt", "refresh.txt",
                      "codes.txt"):
                if os.path.exists(os.path.join(adir, x)):
                    os.unlink(os.path.join(adir, x))


def dpop_bound_rps(args, routes, alg, cores):
    """What a DPoP check could reach at most, to size its proofs: no
    more than the Bearer check, nor than the server's CORES could run
    dpop_check() in a tight loop."""
    bounds = [routes[n]["rps"] for n in ("check_fixed", "check")
              if "rps" in routes.get(n, {})]
    check = args.dpop_rates.get(alg)
    if check:
        bounds.append(check * cores)
    return min(bounds) if bounds else 50000


def bench_size(args, binaries, backend, size, pg, main, profile):
    keygate, filler = binaries
    tag = "%s-%d-%s" % (backend, size, profile)
    outdir = os.path.join(args.out, "work", tag)
    shutil.rmtree(outdir, ignore_errors=True)
    os.makedirs(outdir)
    if backend == "sqlite":
        db = os.path.join(outdir, "keygate.db")
    else:
        db = pg.fresh_db("keygate_bench_%d" % size)
    log("\n== %s, %d live access tokens" % (backend, size))
    # the resource first: the fill gives the tokens its bits
    resource = wanted(args, RESOURCE) and has_resources(keygate)
    if wanted(args, RESOURCE) and not resource:
        log("  %s: this build has no resources, left out" % RESOURCE)
    t0 = time.time()
    if resource:
        add_resource(keygate, db)
    f = fill(args, filler, db, outdir, tokens=size,
             resource=RESOURCE_URI if resource else None)
    res = {"backend": backend, "tokens": size, "profile": profile,
           "fill": f,
           "fill_wall_s": time.time() - t0,
           "fill_s_per_million": f["access_s"] / size * 1e6}
    log("  filled in %.1f s (%.1f s per million access tokens)" %
        (f["access_s"], res["fill_s_per_million"]))
    # bound tokens go in before the server starts: it fills its token
    # cache from the store then, as it does for the Bearer ones
    dpop_algs = args.dpop_algs if args.dpop_tool and \
        wanted(args, "check_dpop") else []
    prep = prepare(args.dpop_tool, filler, db, outdir, dpop_algs)
    if backend == "sqlite":
        res["db_bytes"] = sum(os.path.getsize(db + x) for x in
                              ("", "-wal", "-shm") if os.path.exists(db + x))
    else:
        pg.pin(SERVER_CPU)
    # keygate's default cache serves 10^6 tokens (the RSS target's);
    # larger stores get one 10% larger than they are, as an operator
    # would set it (44 bytes a token)
    cache = size * 11 // 10 if size > 10**6 else None
    threads = args.server_threads if profile == "tuned" else 1
    args.db_cpu = pg.cpu_s if pg else None
    srv = Keygate(keygate, db, outdir, args.access_log, threads, cache,
                  profile)
    srv.db_cpu = args.db_cpu
    processes = [srv]
    res["token_cache"] = cache or "default"
    try:
        res["rss_idle"] = srv.status()
        basic, redirect, api_key = client(outdir)
        access = os.path.join(outdir, "access.txt")
        routes = {}
        ping = {"KG_MODE": "get", "KG_PATH": "/ping"}
        for name, mode, path in READ_ROUTES:
            if not wanted(args, name):
                continue
            env = {"KG_MODE": mode, "KG_PATH": path, "KG_FILE": access,
                   "KG_BASIC": basic}
            if name == "check_fixed":
                env["KG_DRAW"] = str(FIXED_DRAW)
            if name == RESOURCE:
                if not resource or name in routes:
                    continue    # none, or run beside the check
                env["KG_HEADER"] = RESOURCE_HEADER
            if name == "check":
                routes.update(measure_check(
                    args, srv, keygate, db, outdir, cache, profile, env,
                    ping, processes, resource, size))
                continue
            routes[name] = measure(args, srv, name, srv.url, env, outdir,
                                   base=ping if name != "ping" else None)
        # beside the Bearer check, on the same server, each run after a
        # baseline run of its own
        for alg in dpop_algs:
            routes[route_name(alg)] = measure_dpop(
                args, srv, alg, prep, outdir,
                dpop_bound_rps(args, routes, alg, 1 if profile == "tuned"
                               else os.cpu_count()), ping)
        def topup_refresh(n):
            fill(args, filler, db, outdir, refresh=n, append=True)
            path = os.path.join(outdir, "refresh.txt")
            shuffle_lines(path)
            return path

        if main and args.routes is None:
            chk = routes["check"]
            env = {"KG_MODE": "bearer", "KG_PATH": "/oauth2/check",
                   "KG_FILE": access}
            # a failed peak is no figure, but its runs still say where
            # half the rate lies
            peak = chk.get("rps") or statistics.median(
                r.get("rps", 0) for r in chk["runs"])
            half = peak / 2
            if peak > 0:
                s = measure(args, srv, "check_half", srv.url, env, outdir,
                            rate=half)
                s["target_rps"] = half
                s["achieved_rps"] = s.get("rps")
                routes["check_half"] = s
                # the same pace on the no-op route: the p99 this machine
                # allows at all (its other work preempts the server)
                s = measure(args, srv, "ping_half", srv.url, ping, outdir,
                            rate=half)
                s["target_rps"] = half
                routes["ping_half"] = s
            bpath = "/oauth2/token"
            # The grants write, and only as many commit together as wait
            # at once: --write-threads connections. A refresh waits for
            # its group commit without a thread (the connection is
            # suspended), so the serving server takes them.
            wargs = copy.copy(args)
            wargs.connections = args.write_threads

            def topup_codes(n):
                fill(args, filler, db, outdir, codes=n, append=True)
                return os.path.join(outdir, "codes.txt")
            routes["refresh"] = measure_listed(
                wargs, srv, "refresh", srv.url,
                {"KG_MODE": "refresh", "KG_PATH": bpath, "KG_BASIC": basic},
                outdir, topup_refresh, args.max_list, base=ping)
            # last on this server: argon2id's memory raises its VmHWM,
            # and each route before it reads the server's own (the memory
            # target takes every process's, the flood's included)
            if args.login_clients > 0 and half > 0:
                routes.update(login_flood(args, srv, env, outdir, half))
            # The code exchange still waits for its commit on its thread:
            # a server of its own with --write-threads threads.
            res["rss_end"] = srv.status()
            srv.stop()
            srv = Keygate(keygate, db, outdir, args.access_log,
                          args.write_threads, cache, profile, "code")
            srv.db_cpu = args.db_cpu
            processes.append(srv)
            routes["code"] = measure_listed(
                wargs, srv, "code", srv.url,
                {"KG_MODE": "code", "KG_PATH": bpath, "KG_BASIC": basic,
                 "KG_REDIRECT": redirect}, outdir, topup_codes,
                args.max_codes, base=ping)
            res["rss_write"] = srv.status()

            def topup_oidc(n):
                fill(args, filler, db, outdir, codes=n, append=True,
                     code_scope=OIDC_CODE_SCOPE)
                return os.path.join(outdir, "codes.txt")
            # A running server keeps an app's alg in its memo of clients
            # until the store's revision moves, which a new alg does not
            # do: each alg gets a server of its own started after the
            # switch, as the plain exchange's was.
            for alg in args.oidc_algs:
                name = "code_" + alg.lower()
                srv.stop()
                set_alg(keygate, db, api_key, alg)
                srv = Keygate(keygate, db, outdir, args.access_log,
                              args.write_threads, cache, profile, name)
                srv.db_cpu = args.db_cpu
                processes.append(srv)
                routes[name] = measure_oidc(
                    wargs, srv, name, alg,
                    {"KG_MODE": "code", "KG_PATH": bpath, "KG_BASIC": basic,
                     "KG_REDIRECT": redirect}, outdir, topup_oidc, ping)
            # the baseline again, once: how far the machine drifted
            routes["ping_end"] = measure(args, srv, "ping_end", srv.url,
                                         {"KG_MODE": "get",
                                          "KG_PATH": "/ping"},
                                         outdir, runs=1)
        ratios_to_ping(routes)
        cpu_ratios(routes)
        res["routes"] = routes
        if backend == "postgres" and main and args.nodes:
            res["rss_end"] = srv.status()
            srv.stop()
            res["nodes"] = bench_nodes(args, keygate, db, db.rsplit("/", 1)[1],
                                       pg, outdir, access, basic,
                                       topup_refresh, cache)
        res.setdefault("rss_end", srv.status())
    finally:
        srv.stop()
        res["processes"] = [p.final for p in processes]
        if pg:
            pg.pin("0-%d" % (os.cpu_count() - 1))
        if not args.keep:
            # gigabytes at 10^7, and raw credentials: gone unless asked
            for x in ("keygate.db", "keygate.db-wal", "keygate.db-shm",
                      "keygate.key", "access.txt", "refresh.txt",
                      "codes.txt", "dpop.txt", "proofs.txt"):
                if os.path.exists(os.path.join(outdir, x)):
                    os.unlink(os.path.join(outdir, x))
            # the DPoP keys are private keys, their tokens live ones
            for x in glob.glob(os.path.join(outdir, "dpop-*")):
                os.unlink(x)
    return res
