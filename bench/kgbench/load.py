"""The load generators: wrk for the routes at full speed,
keygate-bench-pace for the paced ones, and how runs become figures."""

import json
import os
import statistics
import subprocess

from kgbench.common import LUA, SERVER_CPU, WRK_CPU, log


def run_tool(tool, cmd, env, outdir, label, timeout):
    """Runs one load generator, its output to OUTDIR/LABEL.txt; returns
    the JSON it wrote to OUTDIR/LABEL.json, or why there is none."""
    result = os.path.join(outdir, label + ".json")
    if os.path.exists(result):
        os.unlink(result)
    with open(os.path.join(outdir, label + ".txt"), "w") as out:
        try:
            subprocess.run(cmd, env=env, stdout=out,
                           stderr=subprocess.STDOUT, timeout=timeout,
                           check=False)
        except subprocess.TimeoutExpired:
            return {"failed": "%s did not end in time" % tool}
    try:
        with open(result) as f:
            return json.load(f)
    except (OSError, ValueError):
        with open(os.path.join(outdir, label + ".txt")) as f:
            return {"failed": "no result from %s: %s" %
                    (tool, f.read()[-500:])}


def pace(args, url, env, duration, label, outdir, rate):
    """One paced run by keygate-bench-pace (bench/pace.c): a fixed
    schedule, each latency from the request's intended time, never a
    backlog dropped; a run whose schedule fell behind fails."""
    cmd = ["taskset", "-c", WRK_CPU, args.pacer, "--url",
           url + env["KG_PATH"], "--rate", "%.1f" % rate,
           "--duration", "%g" % duration,
           "--connections", str(args.connections),
           "--timeout", "%g" % args.timeout,
           "--out", os.path.join(outdir, label + ".json")]
    if env.get("KG_MODE") == "bearer":
        cmd += ["--tokens", env["KG_FILE"]]
        if env.get("KG_DRAW"):
            cmd += ["--draw", env["KG_DRAW"]]
    r = run_tool("keygate-bench-pace", cmd, None, outdir, label,
                 duration + args.timeout + 60)
    if r.get("behind"):
        r["failed"] = ("fell behind its schedule: %.0f/s answered of "
                       "%.0f/s, %d of %d requests never sent" %
                       (r["achieved_rps"], r["target_rps"], r["unsent"],
                        r["scheduled"]))
    return r


def wrk(args, url, env, duration, label, outdir, rate=0):
    """One bounded wrk run; returns the dict bench.lua wrote. A paced one
    (rate > 0) is keygate-bench-pace's."""
    if rate > 0:
        return pace(args, url, env, duration, label, outdir, rate)
    e = dict(os.environ)
    e.update(env)
    e["KG_THREADS"] = str(args.wrk_threads)
    e["KG_RESULT"] = os.path.join(outdir, label + ".json")
    cmd = ["taskset", "-c", WRK_CPU, "wrk", "-t", str(args.wrk_threads),
           "-c", str(args.connections), "-d", "%gs" % duration,
           "--timeout", "%gs" % args.timeout, "-s", LUA, url]
    return run_tool("wrk", cmd, e, outdir, label, duration + 60)


def run_failed(r):
    """Why a run cannot count as a figure, or None."""
    if "failed" in r:
        return r["failed"]
    errs = sum(r["errors"].values())
    why = []
    if errs:
        why.append("%d socket errors/timeouts %s" % (errs, r["errors"]))
    if r["non2xx"]:
        why.append("%d non-2xx %s" % (r["non2xx"], r["status"]))
    if r["inactive"]:
        why.append("%d introspections answered inactive" % r["inactive"])
    if r["responses"] == 0:
        why.append("no response")
    return "; ".join(why) or None


def summarize(runs):
    """Medians over the runs, or a failure; never a figure from a run
    with errors."""
    fails = [run_failed(r) for r in runs]
    s = {"runs": runs}
    if any(fails):
        s["failed"] = [f for f in fails if f][0]
        s["samples"] = [x for r in runs for x in r.get("samples", [])][:3]
        return s
    for k in ("rps", "p50_ms", "p99_ms"):
        s[k] = statistics.median(r[k] for r in runs)
    s["rps_all"] = [r["rps"] for r in runs]
    s["exhausted"] = any(r["exhausted"] for r in runs)
    return s


def cpu_per_req(s):
    """The medians of the runs' CPU µs per answer (runs that kept
    server_cpu_s: the server's CPU over the run and the folds after):
    keygate's, its database's (db_cpu_s: every process of the
    PostgreSQL cluster) and their sum, the figure a ratio by CPU takes,
    so that a busy database cannot hide."""
    runs = [r for r in s["runs"] if r.get("server_cpu_s") is not None and
            r.get("responses")]
    if "failed" in s or not runs:
        return
    s["cpu_us_per_req"] = statistics.median(
        r["server_cpu_s"] / r["responses"] * 1e6 for r in runs)
    s["db_cpu_us_per_req"] = statistics.median(
        r.get("db_cpu_s", 0) / r["responses"] * 1e6 for r in runs)
    s["total_cpu_us_per_req"] = statistics.median(
        (r["server_cpu_s"] + r.get("db_cpu_s", 0)) / r["responses"] * 1e6
        for r in runs)


def cpu_ratios(routes):
    """Each route's ratio by CPU per request: /ping's total CPU µs per
    answer over the route's (1.0: as cheap as /ping, keygate and its
    database together)."""
    base = routes.get("ping", {}).get("total_cpu_us_per_req")
    for s in routes.values():
        t = s.get("total_cpu_us_per_req")
        if base and t:
            s["cpu_ratio"] = base / t


def paired(args, url, base, name, i, outdir):
    """The baseline run next to run i of a route: the machine drifts
    (other work shares both cores), and a ratio of two runs a few seconds
    apart drifts far less than one to a baseline taken minutes before."""
    if base is None:
        return None
    return wrk(args, url, base, args.duration, "%s.base%d" % (name, i),
               outdir)


def with_ratios(s, bases):
    """Each run's ratio to its own baseline run; the median is the
    figure."""
    if not bases:
        return s
    s["base_runs"] = bases
    pairs = [(r, b) for r, b in zip(s["runs"], bases)]
    if "failed" in s:
        return s
    bad = [run_failed(b) for b in bases]
    if any(bad):
        s["failed"] = "a baseline run failed: " + [x for x in bad if x][0]
        return s
    s["ratio_all"] = [r["rps"] / b["rps"] for r, b in pairs]
    s["ratio"] = statistics.median(s["ratio_all"])
    s["base_rps_all"] = [b["rps"] for b in bases]
    return s


def ratios_to_ping(routes):
    """The routes measured without paired baseline runs get their rate
    over the "ping" route's."""
    base = routes["ping"].get("rps")
    for s in routes.values():
        if base and "rps" in s and "ratio" not in s:
            s["ratio"] = s["rps"] / base


def charge_folds(r, cpu_s, paced):
    """The route pays for logging and folding its own uses: the CPU time
    the server spent on them after the run is added to the run's time
    (one core serves: a CPU second is a second of serving lost). A paced
    run keeps its rate; its latencies already felt the folds that ran
    during it."""
    r["fold_after_cpu_s"] = cpu_s
    if paced or "rps" not in r or not r.get("duration_s"):
        return
    r["rps_before_folds"] = r["rps"]
    r["rps"] = r["responses"] / (r["duration_s"] + cpu_s)


def show(name, s):
    if "failed" in s:
        log("  %-12s FAILED: %s" % (name, s["failed"]))
        for x in s.get("samples", []):
            log("               e.g. " + x[:200])
    else:
        log("  %-12s %9.0f req/s  p50 %7.2f ms  p99 %7.2f ms  "
            "RSS %d KiB (HWM %d)%s" %
            (name, s["rps"], s["p50_ms"], s["p99_ms"],
             s["rss"].get("VmRSS", 0), s["rss"].get("VmHWM", 0),
             "  (list ran out early)" if s.get("exhausted") else ""))


def sign_figures(signer, n):
    """keygate-bench-sign (bench/sign.c) on the server's core: CPU µs per
    signature, verification, id_token and at_hash, per alg."""
    cmd = ["taskset", "-c", SERVER_CPU, signer, "--n", str(n)]
    log("  $ " + " ".join(cmd))
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
    if r.returncode != 0:
        return {"n": n, "failed": r.stderr[-500:]}
    algs = [json.loads(x) for x in r.stdout.splitlines()]
    for a in algs:
        log("  %-6s sign %7.1f us  verify %7.1f us  id_token %7.1f us "
            "(CPU)" % (a["alg"], a["sign_us"], a["verify_us"],
                       a["idtoken_us"]))
    return {"n": n, "algs": algs}
