"""DPoP-bound checks (RFC 9449): a bound token at /oauth2/check with a
fresh proof per request, beside the Bearer check, and the rate at which
one core verifies the proof's signature alone (keygate-bench-dpop)."""

import json
import os
import subprocess
import time

from kgbench.common import (
    DPOP_ALGS,
    DPOP_TARGET,
    DPOP_TOKENS,
    SERVER_CPU,
    log,
    run_cmd)
from kgbench.load import (
    charge_folds,
    cpu_per_req,
    paired,
    show,
    summarize,
    with_ratios,
    wrk)

# a proof is good for 60 s (its iat) and once (its jti): each run gets
# its own, made right before it, this many times what the rate bound
# says it could spend
SPARE = 1.2
# and no more than can be signed in this many seconds (RS256's private-key
# operation makes a few thousand a second): the first proofs of a run
# must still be within their 60 s when wrk reaches them
PROOF_BUDGET_S = 30


def route_name(alg):
    return "check_dpop_" + alg.lower()


def dpop_rates(tool, n, algs):
    """keygate-bench-dpop --rate on the server's core: per alg, CPU µs
    of jose_verify() alone and of a whole dpop_check()."""
    cmd = ["taskset", "-c", SERVER_CPU, tool, "--rate", "--n", str(n),
           "--algs", ",".join(algs)]
    log("  $ " + " ".join(cmd))
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
    if r.returncode != 0:
        return {"n": n, "failed": r.stderr[-500:]}
    rows = [json.loads(x) for x in r.stdout.splitlines()]
    for a in rows:
        log("  %-6s verify %6.1f us (%6.0f/s)  dpop_check %6.1f us "
            "(%6.0f/s) CPU" % (a["alg"], a["verify_us"], a["verify_per_s"],
                               a["check_us"], a["check_per_s"]))
    return {"n": n, "algs": rows}


def prepare(tool, filler, db, outdir, algs):
    """Per alg, before the server starts (its cache is filled from the
    store then): a key, and DPOP_TOKENS access tokens bound to its
    thumbprint, in their own file. Returns {alg: (key file, tokens)}."""
    out = {}
    for alg in algs or ():
        key = os.path.join(outdir, "dpop-%s.key" % alg)
        if os.path.exists(key):
            os.unlink(key)
        jkt = subprocess.run([tool, "--new-key", key, "--alg", alg],
                             check=True, capture_output=True,
                             text=True).stdout.strip()
        run_cmd([filler, "--db", db, "--out", outdir, "--tokens",
                 str(DPOP_TOKENS), "--append", "--dpop-jkt", jkt])
        toks = os.path.join(outdir, "dpop-%s.txt" % alg)
        os.replace(os.path.join(outdir, "dpop.txt"), toks)
        out[alg] = (key, toks)
    return out


def proofs(tool, url, prep, alg, n, outdir):
    key, toks = prep[alg]
    path = os.path.join(outdir, "proofs.txt")
    subprocess.run([tool, "--proofs", str(n), "--tokens", toks, "--url",
                    url, "--key", key, "--out", path], check=True)
    return path


def measure_dpop(args, srv, alg, prep, outdir, bound_rps, base):
    """The check with a bound token and a proof each, every line once:
    proofs made for each run right before it (after its paired baseline
    run), as many as `bound_rps` (the lower of the Bearer check's rate
    and what the server's threads could check) would spend, times
    SPARE, within --max-list and what can be signed in PROOF_BUDGET_S.
    A run whose proofs run out stops early and is marked so. The server's CPU seconds per run are kept: per
    request, they say what a DPoP check costs beyond a Bearer one
    whatever the machine's other work does to the wall clock."""
    name = route_name(alg)
    url = srv.url + "/oauth2/check"
    env = {"KG_MODE": "dpop", "KG_PATH": "/oauth2/check"}
    runs, bases = [], []
    sign_rate = None  # proofs made per second, once seen
    for i in range(args.runs + 1):
        dur = args.warmup if i == 0 else args.duration
        if i == 0 and dur <= 0:
            continue
        if i > 0:
            bases.append(paired(args, srv.url, base, name, i, outdir))
        n = min(args.max_list, max(1000, bound_rps * dur * SPARE))
        if sign_rate:
            n = min(n, sign_rate * PROOF_BUDGET_S)
        n = int(n)
        t0 = time.time()
        e = dict(env, KG_FILE=proofs(args.dpop_tool, url, prep, alg, n,
                                     outdir), KG_FIRST="0",
                 KG_COUNT=str(n))
        sign_rate = n / max(time.time() - t0, 1e-3)
        c0 = srv.cpu_s()
        r = wrk(args, srv.url, e, dur, "%s.%s" % (
            name, "warmup" if i == 0 else "run%d" % i), outdir)
        cpu = srv.cpu_s() - c0
        folds = srv.settle()
        if i == 0:
            continue
        r["server_cpu_s"] = cpu + folds
        charge_folds(r, folds, paced=False)
        runs.append(r)
    s = with_ratios(summarize(runs), [b for b in bases if b is not None])
    cpu_per_req(s)
    s["rss"] = srv.status()
    s["alg"] = alg
    show(name, s)
    if "failed" in s:
        s["server_log"] = srv.tail()
    return s


def dpop_rows(results):
    """Per tuned size and alg: the DPoP check beside the Bearer ones and
    the one-core verify rate."""
    rates = {a["alg"]: a for a in results.get("dpop", {}).get("algs", [])}
    rows = []
    for r in results["keygate"]:
        rt = r["routes"]
        for alg in DPOP_ALGS:
            s = rt.get(route_name(alg))
            if s is None:
                continue
            v = rates.get(alg, {})
            row = {"backend": r["backend"], "tokens": r["tokens"],
                   "profile": r.get("profile", "tuned"), "alg": alg,
                   "route": s, "rate": v, "bearer": rt.get("check_fixed"),
                   "over_verify": None}
            if "rps" in s and v.get("verify_per_s"):
                row["over_verify"] = s["rps"] / v["verify_per_s"]
            rows.append(row)
    return rows


def dpop_targets(results):
    """The issue's: the bound check ≥ DPOP_TARGET × one core's verify
    rate of that alg's signature, at every size measured."""
    out = []
    for row in dpop_rows(results):
        s = row["route"]
        got = "FAILED" if "failed" in s else (
            "%.3f (%.0f / %.0f per s)" % (
                row["over_verify"], s["rps"],
                row["rate"]["verify_per_s"])
            if row["over_verify"] is not None else "—")
        out.append({
            "what": "DPoP-bound check %s over one core's verifications "
                    "of its signature, %s, %d tokens, %s profile" % (
                        row["alg"], row["backend"], row["tokens"],
                        row["profile"]),
            "wanted": ">= %.1f" % DPOP_TARGET, "got": got,
            "met": None if row["over_verify"] is None else
            row["over_verify"] >= DPOP_TARGET})
    return out


def dpop_section(results):
    rows = dpop_rows(results)
    d = results.get("dpop", {})
    if not rows and not d:
        return []
    lines = ["## DPoP-bound checks", ""]
    if "failed" in d:
        lines += ["keygate-bench-dpop --rate FAILED: " + d["failed"], ""]
    if d.get("algs"):
        lines += ["keygate-bench-dpop, %d calls per alg, µs of CPU per "
                  "call (CLOCK_THREAD_CPUTIME_ID) on the server's core: " %
                  d["n"] + "; ".join(
                      "%s jose_verify() %.1f (%.0f/s), dpop_check() %.1f "
                      "(%.0f/s), proof %d bytes" % (
                          a["alg"], a["verify_us"], a["verify_per_s"],
                          a["check_us"], a["check_per_s"], a["proof_bytes"])
                      for a in d["algs"]), ""]
    if not rows:
        return lines
    lines += ["| backend, tokens, profile | alg | DPoP check req/s | ratio to /ping "
              "| Bearer check (same %d-token draw) req/s, ratio | server "
              "CPU µs/req DPoP, Bearer | one-core verify/s | DPoP check / "
              "verify (≥ %.1f) | in CPU: verify µs / server µs per DPoP "
              "check | ceiling: verify µs / dpop_check() µs |" % (
                  DPOP_TOKENS, DPOP_TARGET),
              "|---|---|---|---|---|---|---|---|---|---|"]
    for row in rows:
        s, b, v = row["route"], row["bearer"] or {}, row["rate"]
        if "failed" in s:
            lines.append("| %s, %d, %s | %s | FAILED: %s | | | | | | | |" % (
                row["backend"], row["tokens"], row["profile"], row["alg"],
                s["failed"].replace("|", "/")))
            continue
        ov = row["over_verify"]
        lines.append("| %s, %d, %s | %s | %.0f%s | %.3f | %s | %s, %s | %s | "
                     "%s | %s | %s |" % (
                         row["backend"], row["tokens"], row["profile"],
                         row["alg"], s["rps"], " (proofs ran out early)"
                         if s.get("exhausted") else "", s.get("ratio", 0),
                         "%.0f, %.3f" % (b["rps"], b["ratio"])
                         if "ratio" in b else "—",
                         "%.1f" % s["cpu_us_per_req"],
                         "%.1f" % b["cpu_us_per_req"]
                         if "cpu_us_per_req" in b else "—",
                         "%.0f" % v["verify_per_s"] if v else "—",
                         "—" if ov is None else "%.3f %s" % (
                             ov, "met" if ov >= DPOP_TARGET else "NOT met"),
                         "%.3f" % (v["verify_us"] / s["cpu_us_per_req"])
                         if v and s.get("cpu_us_per_req") else "—",
                         "%.3f" % (v["verify_us"] / v["check_us"])
                         if v else "—"))
    lines += ["", "The DPoP check draws its tokens from %d bound ones, "
              "each request with a proof of its own made before the run "
              "(htm GET, htu the check's URL, iat, a jti, ath); the Bearer "
              "check beside it is check_fixed, drawn from as many stored "
              "tokens. Server CPU per request: the server's CPU seconds "
              "over the run and the folds of its uses, over its answers. "
              "The verify rate is CPU time of one thread, the DPoP "
              "check's rate is wall time on a shared core: the ratio of "
              "the two is the issue's target, and the CPU per request "
              "shows the part the machine's other work moves less. The "
              "ceiling is what the ratio could reach at most if nothing "
              "but dpop_check() cost anything (a tight loop, its replay "
              "memory small and warm): the rest of a request only lowers "
              "it." %
              DPOP_TOKENS, ""]
    return lines

