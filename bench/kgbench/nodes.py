"""1, 2, 3... keygate nodes on one PostgreSQL database (--nodes): the
check and the refresh grant on every node at once, one wrk per node.
On a two-core machine the nodes share core 0 with the database (wrk on
core 1), so what counts is the CPU time per request summed over every
node and the database, and the database's commits a second, not the
wall-clock speed-up."""

import copy
import statistics
import threading
import time

from kgbench.common import log
from kgbench.load import run_failed, wrk
from kgbench.servers import Keygate


def together(args, nodes, envs, label, outdir, duration):
    """One wrk per node, all at once; their results in node order."""
    got = [None] * len(nodes)

    def one(i):
        got[i] = wrk(args, nodes[i].url, envs[i], duration,
                     "%s.node%d" % (label, i + 1), outdir)
    ts = [threading.Thread(target=one, args=(i,)) for i in range(len(nodes))]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return got


def one_run(args, nodes, pg, dbname, envs, label, outdir, uses):
    c0 = sum(n.cpu_s() for n in nodes)
    d0, x0, t0 = pg.cpu_s(), pg.commits(dbname), time.time()
    got = together(args, nodes, envs, label, outdir, args.duration)
    x1, t1 = pg.commits(dbname), time.time()
    # the uses of the run are logged and folded after it: its work too
    if uses:
        for n in nodes:
            n.settle()
    c1, d1, x2 = sum(n.cpu_s() for n in nodes), pg.cpu_s(), \
        pg.commits(dbname)
    kg, db = c1 - c0, d1 - d0
    bad = [run_failed(r) for r in got if run_failed(r)]
    if bad:
        return {"failed": bad[0]}
    answers = sum(r["responses"] for r in got)
    return {"rps": sum(r["rps"] for r in got), "responses": answers,
            "per_node_rps": [r["rps"] for r in got],
            "keygate_cpu_s": kg, "db_cpu_s": db,
            "cpu_us_per_req": (kg + db) / answers * 1e6,
            "db_cpu_us_per_req": db / answers * 1e6,
            "commits_per_s": (x1 - x0) / (t1 - t0),
            "commits_per_1000_req": (x2 - x0) / answers * 1000}


def summarize_runs(runs):
    ok = [r for r in runs if "failed" not in r]
    if not ok:
        return {"failed": runs[0]["failed"], "runs": runs}
    s = {"runs": runs}
    for k in ("rps", "cpu_us_per_req", "db_cpu_us_per_req",
              "commits_per_s", "commits_per_1000_req"):
        s[k] = statistics.median(r[k] for r in ok)
    if len(ok) < len(runs):
        s["failed"] = [r for r in runs if "failed" in r][0]["failed"]
    return s


def bench_nodes(args, keygate, db, dbname, pg, outdir, access, basic,
                topup_refresh, cache):
    """Every count of --nodes in turn: the check, then the refresh grant
    (each node its own slice of one list of refresh tokens)."""
    out = []
    for count in args.nodes:
        log("\n== %d node(s) on one PostgreSQL database" % count)
        nodes = []
        try:
            for i in range(count):
                n = Keygate(keygate, db, outdir, False, 1, cache, "tuned",
                            "node%d" % (i + 1),
                            log_name="server-node%d.log" % (i + 1))
                nodes.append(n)
            res = {"nodes": count}
            cargs = copy.copy(args)
            cargs.connections = max(1, args.connections // count)
            env = {"KG_MODE": "bearer", "KG_PATH": "/oauth2/check",
                   "KG_FILE": access}
            together(cargs, nodes, [env] * count, "n%d.check.warmup" % count,
                     outdir, args.warmup)
            for n in nodes:
                n.settle()
            res["check"] = summarize_runs([
                one_run(cargs, nodes, pg, dbname, [env] * count,
                        "n%d.check.run%d" % (count, i + 1), outdir, True)
                for i in range(args.runs)])
            wargs = copy.copy(args)
            wargs.connections = max(1, args.write_threads // count)
            runs, rate = [], 15000
            for i in range(args.runs + 1):
                # a slice per node, half as long again as the fastest
                # pace so far would spend
                per = 2000 if i == 0 else int(min(
                    args.max_list // count,
                    rate * args.duration * 1.5 / count))
                path = topup_refresh(per * count)
                envs = [{"KG_MODE": "refresh", "KG_PATH": "/oauth2/token",
                         "KG_BASIC": basic, "KG_FILE": path,
                         "KG_FIRST": str(k * per), "KG_COUNT": str(per)}
                        for k in range(count)]
                if i == 0:
                    together(wargs, nodes, envs, "n%d.refresh.warmup" %
                             count, outdir, args.warmup)
                    continue
                r = one_run(wargs, nodes, pg, dbname, envs,
                            "n%d.refresh.run%d" % (count, i), outdir, False)
                runs.append(r)
                rate = max(rate, r.get("rps", 0))
            res["refresh"] = summarize_runs(runs)
            for name in ("check", "refresh"):
                s = res[name]
                if "rps" in s:
                    log("  %-8s %9.0f req/s  %6.1f CPU us/req (PostgreSQL "
                        "%5.1f)  %7.0f commits/s" %
                        (name, s["rps"], s["cpu_us_per_req"],
                         s["db_cpu_us_per_req"], s["commits_per_s"]))
                else:
                    log("  %-8s FAILED: %s" % (name, s.get("failed")))
            out.append(res)
        finally:
            for n in nodes:
                n.stop()
    return out


def nodes_section(results):
    rows = [r for r in results["keygate"] if r.get("nodes")]
    if not rows:
        return []
    lines = ["## nodes on one PostgreSQL database", "",
             "Every node pinned to core %s with the database, one wrk per "
             "node on the other core (the nodes share the cores: CPU per "
             "request and the database's commits a second count, not the "
             "wall-clock speed-up). CPU: every node's and every "
             "PostgreSQL process's, over the runs and the folds after "
             "them. Commits: pg_stat_database's xact_commit of the "
             "bench's database during the runs." % "0", "",
             "| nodes | route | req/s (all nodes) | CPU µs/req "
             "| of which PostgreSQL | commits/s | commits per 1000 req |",
             "|---|---|---|---|---|---|---|"]
    for r in rows:
        for n in r["nodes"]:
            for name in ("check", "refresh"):
                s = n.get(name, {})
                if "rps" not in s:
                    lines.append("| %d | %s | FAILED | | | | |" %
                                 (n["nodes"], name))
                    continue
                lines.append("| %d | %s | %.0f | %.1f | %.1f | %.0f | %.1f |"
                             % (n["nodes"], name, s["rps"],
                                s["cpu_us_per_req"], s["db_cpu_us_per_req"],
                                s["commits_per_s"],
                                s["commits_per_1000_req"]))
    return lines + [""]
