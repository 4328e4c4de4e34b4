"""results.md: the tables, and the targets met or not."""

import statistics

from kgbench.common import (
    AGAINST,
    AGAINST_TARGET,
    FIXED_DRAW,
    OIDC_ALGS,
    RESOURCE,
    RESOURCE_URI,
    SERVER_CPU,
    TARGETS,
    UNCOUNTED,
    WRK_CPU)
from kgbench.backends import backends_section, pg_targets
from kgbench.dpop import dpop_section, dpop_targets
from kgbench.nodes import nodes_section


def fmt_route(s):
    if s is None:
        return "—"
    if "failed" in s:
        return "FAILED"
    return "%.0f" % s["rps"]


def report(results):
    lines = ["# keygate bench, %s" % results["started"], "",
             "source %s%s, machine: %s, %d cores, load %.2f at start" %
             (results["source"]["rev"][:12],
              " + uncommitted changes" if results["source"]["dirty"] else "",
              results["machine"].get("cpu", "?"),
              results["machine"]["nproc"],
              results["machine"]["loadavg_start"][0]), "",
             "wrk -t%d -c%d -d%gs --timeout %gs, medians of %d runs; "
             "tuned profile: server on core %s (--threads %d), wrk on "
             "core %s; the refresh grant with wrk -c%d; the code exchange "
             "on a server of its own with --threads %d and as many "
             "connections" %
             (results["args"]["wrk_threads"], results["args"]["connections"],
              results["args"]["duration"], results["args"]["timeout"],
              results["args"]["runs"], SERVER_CPU,
              results["args"].get("server_threads", 1), WRK_CPU,
              results["args"].get("write_threads",
                                  results["args"]["connections"]),
              results["args"].get("write_threads", 1)), ""]
    if "use_coalesce_s" in results:
        lines += ["Paced routes: keygate-bench-pace, open loop, latency "
                  "from each request's intended time; a run that falls "
                  "behind its schedule fails. keygate runs with "
                  "--use-coalesce %d, and each route pays for folding its "
                  "own uses: the CPU seconds the server spends on them "
                  "after a run are added to the run's time." %
                  results["use_coalesce_s"], ""]
    for r in results["keygate"]:
        lines.append("## %s, %d stored access tokens, %s profile" %
                     (r["backend"], r["tokens"], r.get("profile", "tuned")))
        lines.append("")
        lines.append("fill: %.1f s (%.1f s per million)%s" %
                     (r["fill"]["access_s"], r["fill_s_per_million"],
                      ", file %.0f MB" % (r["db_bytes"] / 1e6)
                      if "db_bytes" in r else ""))
        lines.append("")
        lines.append("| route | req/s | ratio to /ping | p50 ms | p99 ms "
                     "| VmRSS / VmHWM KiB | runs (req/s) | paired /ping "
                     "runs (req/s) |")
        lines.append("|---|---|---|---|---|---|---|---|")
        for name, s in r["routes"].items():
            rss = "%d / %d" % (s["rss"].get("VmRSS", 0),
                               s["rss"].get("VmHWM", 0))
            if "failed" in s:
                lines.append("| %s | FAILED: %s | | | | %s | | |" %
                             (name, s["failed"].replace("|", "/"), rss))
                continue
            extra = ""
            if "target_rps" in s:
                extra = " (paced to %.0f/s)" % s["target_rps"]
            folds = [x["fold_after_cpu_s"] for x in s["runs"]
                     if "fold_after_cpu_s" in x]
            if folds:
                extra += " (folds after: %.2f s CPU)" % \
                    statistics.median(folds)
            if "clients" in s:
                extra = " (%d clients; req/s: log-ins/s)" % s["clients"]
            if s.get("exhausted"):
                extra += " (list ran out early)"
            lines.append("| %s%s | %.0f | %s | %.2f | %.2f | %s | %s | "
                         "%s |" %
                         (name, extra, s["rps"],
                          "(paced)" if "target_rps" in s else
                          "(flood)" if "clients" in s else
                          "%.3f" % s["ratio"],
                          s["p50_ms"], s["p99_ms"], rss,
                          " / ".join("%.0f" % x for x in s["rps_all"]),
                          " / ".join("%.0f" % x for x in
                                     s.get("base_rps_all", []))))
        lines.append("")
        if r.get("processes"):
            lines += ["keygate processes, memory at their end: " + "; ".join(
                "%s server VmHWM %.1f MiB (VmRSS %.1f)" %
                (p["role"], p.get("VmHWM", 0) / 1024,
                 p.get("VmRSS", 0) / 1024) for p in r["processes"]), ""]
        flood = login_line(r["routes"])
        if flood:
            lines += [flood, ""]
    lines += oidc_section(results)
    lines += dpop_section(results)
    lines += usage_section(results)
    lines += resource_section(results)
    lines += against_section(results)
    curve = results["curve"]
    if curve:
        lines.append("## /oauth2/check against stored tokens")
        lines.append("")
        lines.append("| backend | tokens | drawn from %d: req/s | ratio to "
                     "/ping | drawn from all: req/s | ratio to /ping |" %
                     FIXED_DRAW)
        lines.append("|---|---|---|---|---|---|")

        def cell(rps, ratio, ran):
            return "%s | %s" % ("%.0f" % rps if rps else
                                "FAILED" if ran else "—",
                                "%.3f" % ratio if ratio else "—")
        for c in curve:
            ran = c.get("ran", ["check", "check_fixed"])
            lines.append("| %s | %d | %s | %s |" %
                         (c["backend"], c["tokens"],
                          cell(c.get("fixed_rps"), c.get("fixed_ratio"),
                               "check_fixed" in ran),
                          cell(c["rps"], c["ratio"], "check" in ran)))
        lines.append("")
        lines.append("Drawn from %d: the same number of distinct tokens "
                     "at every size, so the same uses to record; only the "
                     "store grows. Drawn from all: nearly every check is "
                     "its token's first use in --use-coalesce/2 seconds, "
                     "so it is logged and folded into a row, and the rows "
                     "a fold rewrites spread over more pages as the store "
                     "grows." % FIXED_DRAW)
        lines.append("")
    lines += backends_section(results) + nodes_section(results)
    if results.get("targets"):
        lines.append("## targets")
        lines.append("")
        lines.append("| target | wanted | got | met |")
        lines.append("|---|---|---|---|")
        for t in results["targets"]:
            lines.append("| %s | %s | %s | %s |" %
                         (t["what"], t["wanted"], t["got"],
                          {True: "yes", False: "NO", None: "—"}[t["met"]]))
        lines.append("")
    gl = results.get("glewlwyd")
    if gl:
        lines.append("## Glewlwyd %s, same machine, same run" %
                     gl["version"])
        lines.append("")
        if "error" in gl:
            lines.append("FAILED: " + gl["error"])
        else:
            lines.append("| route | req/s | ratio to GET /config | p50 ms "
                         "| p99 ms |")
            lines.append("|---|---|---|---|---|")
            for name, s in gl["routes"].items():
                if "failed" in s:
                    lines.append("| %s | FAILED: %s | | | |" %
                                 (name, s["failed"]))
                else:
                    lines.append("| %s | %.0f | %.3f | %.2f | %.2f |" %
                                 (name, s["rps"], s.get("ratio", 0),
                                  s["p50_ms"], s["p99_ms"]))
            lines.append("")
            if not gl.get("refresh_rotates"):
                lines.append("Glewlwyd's refresh tokens do not rotate "
                             "here (as in the peer set-up): one token "
                             "is presented again and again; "
                             "--glewlwyd-rotate makes them rotate.")
                lines.append("")
            lines.append("keygate / Glewlwyd: " + ", ".join(
                "%s %s" % (k, "%.2f" % v if v else "—")
                for k, v in gl["keygate_over_glewlwyd"].items()))
        lines.append("")
    return "\n".join(lines)


def login_line(routes):
    """The check's p99 alone and under the log-in flood, in one line."""
    calm, busy = routes.get("check_calm"), routes.get("check_logins")
    logins = routes.get("logins", {})
    if not calm or not busy:
        return None
    if "failed" in calm or "failed" in busy:
        return "log-in flood: FAILED (see check_calm, check_logins)"
    return ("/oauth2/check p99 at %.0f/s: %.2f ms alone, %.2f ms while %d "
            "clients log in without pause (%s log-ins/s)" %
            (busy["target_rps"], calm["p99_ms"], busy["p99_ms"],
             logins.get("clients", 0),
             "%.0f" % logins["rps"] if "rps" in logins else "FAILED"))


def targets(results):
    main = [r for r in results["keygate"]
            if r["backend"] == "sqlite" and "refresh" in r["routes"] and
            r.get("profile", "tuned") == "tuned"]
    dpop = dpop_targets(results) + usage_targets(results) + \
        against_targets(results) + pg_targets(results)
    if not main:
        return dpop
    m = main[0]
    out = []

    def add(what, wanted, got, met):
        out.append({"what": what, "wanted": wanted, "got": got,
                    "met": met})
    # userinfo: runs from before OpenID Connect have none
    for name in ("check", "summary", "introspect", "userinfo"):
        if name not in m["routes"]:
            continue
        want = TARGETS[name][1]
        s = m["routes"][name]
        got = "FAILED" if "failed" in s else "%.3f" % s["ratio"]
        add("%s ratio to baseline, %d tokens" % (name, m["tokens"]),
            ">= %.1f" % want, got,
            None if "failed" in s else s["ratio"] >= want)
    s, want = m["routes"]["refresh"], TARGETS["refresh"][1]
    add("durable refreshes/s on SQLite", ">= %d" % want,
        ("FAILED" if "failed" in s else "%.0f" % s["rps"]) +
        (" (a list ran out early)" if s.get("exhausted") else ""),
        None if "failed" in s else s["rps"] >= want)
    s, want = m["routes"].get("check_half"), TARGETS["check_half_p99_ms"][1]
    if s:
        ph = m["routes"].get("ping_half", {})
        add("check p99 at half its peak, from each request's intended "
            "time (open loop)", "<= %g ms" % want,
            ("FAILED" if "failed" in s else "%.2f ms" % s["p99_ms"]) +
            (" (/ping at that pace: %.2f ms)" % ph["p99_ms"]
             if "p99_ms" in ph else ""),
            None if "failed" in s else s["p99_ms"] <= want)
    procs = [(r, p) for r in results["keygate"]
             for p in r.get("processes", [])]
    if procs:
        r, p = max(procs, key=lambda x: x[1].get("VmHWM", 0))
        hwm, want = p.get("VmHWM", 0), TARGETS["rss_mib"][1]
        add("memory of every keygate process of the run (the highest "
            "VmHWM of %d)" % len(procs), "<= %d MiB" % want,
            "%.1f MiB (%s server, %s, %d tokens)" %
            (hwm / 1024, p["role"], r.get("profile", "tuned"), r["tokens"]),
            hwm <= want * 1024)
    cur = [c for c in results["curve"] if c["backend"] == "sqlite"]
    # each size's check as a ratio to its own baseline: the machine
    # drifts more between sizes than the cost of a lookup should
    for key, how in (("fixed_ratio", "the same %d tokens drawn at every "
                      "size" % FIXED_DRAW),
                     ("ratio", "drawn from all stored tokens, every check "
                      "a use to record")):
        if len(cur) >= 2 and all(c.get(key) for c in cur):
            lo = min(c[key] for c in cur)
            hi = max(c[key] for c in cur)
            add("check cost flat from %d to %d tokens, %s (lowest/highest "
                "ratio to baseline)" % (cur[0]["tokens"], cur[-1]["tokens"],
                                        how),
                ">= 0.9", "%.3f" % (lo / hi), lo / hi >= 0.9)
    return out + dpop


def oidc_section(results):
    """OpenID Connect's figures: the code exchange plain and with an
    id_token per answer for each alg, what signing costs in CPU, and
    userinfo against its target. Nothing for a run without them."""
    sig = {a["alg"]: a for a in
           results.get("signing", {}).get("algs", [])}
    mains = [r for r in results["keygate"]
             if any("code_" + a.lower() in r["routes"] for a in OIDC_ALGS)]
    if not sig and not mains:
        return []
    lines = ["## OpenID Connect", ""]
    for r in mains:
        rt = r["routes"]
        plain = rt.get("code", {})
        lines += ["%s, %d stored access tokens, %s profile: the code "
                  "exchange on its server (--threads %d, as many "
                  "connections); each alg on a server started after the "
                  "app was switched to it (`keygate app set "
                  "--id-token-signed-response-alg`), the header's alg seen "
                  "in one real exchange first; scope with openid and "
                  "email, the plain exchange's without openid (no "
                  "id_token)." % (r["backend"], r["tokens"],
                                  r.get("profile", "tuned"),
                                  results["args"].get("write_threads", 1)),
                  "", "| exchange | req/s | ratio to /ping | to the plain "
                  "exchange | sign µs CPU | verify µs CPU | id_token µs "
                  "CPU |", "|---|---|---|---|---|---|---|"]
        lines.append("| plain (no openid) | %s | %s | 1.000 | — | — | — |" %
                     (fmt_route(plain), "%.3f" % plain["ratio"]
                      if "ratio" in plain else "—"))
        for a in OIDC_ALGS:
            s = rt.get("code_" + a.lower())
            if s is None:
                continue
            c = sig.get(a, {})
            to_plain = "—"
            # both paired to their own /ping runs: the drift between
            # them cancels
            if "ratio" in s and "ratio" in plain:
                to_plain = "%.3f" % (s["ratio"] / plain["ratio"])
            lines.append("| %s | %s | %s | %s | %s | %s | %s |" % (
                a, fmt_route(s), "%.3f" % s["ratio"] if "ratio" in s
                else "—", to_plain, us(c, "sign_us"), us(c, "verify_us"),
                us(c, "idtoken_us")))
        lines.append("")
        ui = rt.get("userinfo")
        if ui:
            want = TARGETS["userinfo"][1]
            lines += ["/oauth2/userinfo: %s req/s, %s × /ping (target ≥ "
                      "%.1f: %s); /oauth2/check %s × /ping" % (
                          fmt_route(ui), "%.3f" % ui["ratio"]
                          if "ratio" in ui else "—", want,
                          "—" if "ratio" not in ui else
                          "met" if ui["ratio"] >= want else "NOT met",
                          "%.3f" % rt["check"]["ratio"]
                          if "ratio" in rt.get("check", {}) else "—"), ""]
    if sig:
        lines += ["keygate-bench-sign, %d calls per alg, µs of CPU per "
                  "call (CLOCK_THREAD_CPUTIME_ID) on a throw-away store: "
                  % results["signing"]["n"] + "; ".join(
                      "%s sign %s, verify %s, id_token %s (claims, at_hash "
                      "%s, signature), %d bytes" % (
                          a, us(c, "sign_us"), us(c, "verify_us"),
                          us(c, "idtoken_us"), us(c, "at_hash_us"),
                          c["jws_bytes"]) for a, c in sig.items()), ""]
    elif "signing" in results:
        lines += ["keygate-bench-sign FAILED: " +
                  results["signing"].get("failed", "?"), ""]
    return lines


def us(c, k):
    return "%.1f" % c[k] if k in c else "—"


def paired(results, first, second):
    """(size's results, route `first`, route `second`, first / second by
    rate, by CPU per request) wherever both ran and passed. Their runs
    alternate, each after a /ping run, so the rate's figure is the median
    of each pair's quotient of ratios to /ping; by CPU it is second's CPU
    µs per answer over first's: how much of second's rate first keeps."""
    for r in results["keygate"]:
        a, b = r["routes"].get(first), r["routes"].get(second)
        if a and b and "ratio" in a and "ratio" in b and \
                a.get("cpu_us_per_req") and b.get("cpu_us_per_req"):
            q = [x / y for x, y in zip(a["ratio_all"], b["ratio_all"])]
            yield (r, a, b, statistics.median(q),
                   b["cpu_us_per_req"] / a["cpu_us_per_req"])


def usage_pairs(results):
    """paired(): the check with usage counting over the check without
    (docs/REFERENCE.md §21); the server's CPU µs per answer, which the
    machine's other work moves far less, is the target's."""
    return paired(results, "check", UNCOUNTED)


def usage_section(results):
    rows = list(usage_pairs(results))
    if not rows:
        return []
    lines = ["## usage counting: the check with counting on and off", "",
             "The check on the serving server (counting, the default) "
             "and on a second server over the same store started with "
             "%s, their runs in turn, each after a /ping run of its own "
             "server. By rate: the median over the pairs of runs of one "
             "ratio to /ping over the other. By CPU: the uncounted "
             "server's CPU µs per answer (the run and the folds after it) "
             "over the counting one's; one core serves, so this is the "
             "rate the counting leaves, without the drift of the "
             "machine's other work." % "--usage-counting=off", "",
             "| backend | tokens | profile | on: req/s | ratio | CPU µs "
             "| off: req/s | ratio | CPU µs | on / off by rate | by CPU |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r, on, off, q, cpu in rows:
        lines.append("| %s | %d | %s | %.0f | %.3f | %.2f | %.0f | %.3f | "
                     "%.2f | %.3f | %.3f |" %
                     (r["backend"], r["tokens"], r.get("profile", "tuned"),
                      on["rps"], on["ratio"], on["cpu_us_per_req"],
                      off["rps"], off["ratio"], off["cpu_us_per_req"], q,
                      cpu))
    return lines + [""]


def usage_targets(results):
    want = TARGETS["usage_counting"][1]
    return [{"what": "check with usage counting against the check "
             "without, %s, %d tokens, %s profile: the server's CPU per "
             "answer, without over with (by rate, paired with /ping: "
             "%.3f)" % (r["backend"], r["tokens"],
                        r.get("profile", "tuned"), q),
             "wanted": ">= %.2f" % want, "got": "%.3f" % cpu,
             "met": cpu >= want}
            for r, on, off, q, cpu in usage_pairs(results)]


def resource_pairs(results):
    """(size's results, check, check_resource, resource / check by rate,
    by CPU per request): what naming a registered resource costs the
    check (docs/REFERENCE.md §22.1), paired() on one server over the same
    tokens."""
    for r, res, chk, q, cpu in paired(results, RESOURCE, "check"):
        yield r, chk, res, q, cpu


def resource_section(results):
    rows = list(resource_pairs(results))
    if not rows:
        return []
    lines = ["## resources: the check with X-Keygate-Resource", "",
             "The check for the built-in API (no header) and for the "
             "bench's registered resource (X-Keygate-Resource: %s), on "
             "one server over the same tokens, each for both audiences; "
             "their runs in turn, each after a /ping run. By rate: the "
             "median over the pairs of runs of the resource's ratio to "
             "/ping over the check's. By CPU: the check's CPU µs per "
             "answer (the run and the folds after it) over the "
             "resource's." % RESOURCE_URI, "",
             "| backend | tokens | profile | check: req/s | ratio | CPU µs "
             "| resource: req/s | ratio | CPU µs | resource / check by "
             "rate | by CPU |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r, chk, res, q, cpu in rows:
        lines.append("| %s | %d | %s | %.0f | %.3f | %.2f | %.0f | %.3f | "
                     "%.2f | %.3f | %.3f |" %
                     (r["backend"], r["tokens"], r.get("profile", "tuned"),
                      chk["rps"], chk["ratio"], chk["cpu_us_per_req"],
                      res["rps"], res["ratio"], res["cpu_us_per_req"], q,
                      cpu))
    return lines + [""]


def against_pairs(results):
    """paired(): this build's check over --against's: what the change
    from --against's commit to this one costs the check."""
    return paired(results, "check", AGAINST)


def against_section(results):
    rows = list(against_pairs(results))
    if not rows:
        return []
    rev = results["against"]["rev"][:12]
    lines = ["## the check against %s" % rev, "",
             "The check of this build (%s) and of %s's, each on a server "
             "and store of its own with as many tokens, pinned to the same "
             "core, their runs in turn, each after a /ping run of its own "
             "server. By rate: the median over the pairs of runs of this "
             "build's ratio to /ping over %s's. By CPU: %s's CPU µs per "
             "answer (the run and the folds after it) over this build's." %
             (results["source"]["rev"][:12], rev, rev, rev), "",
             "| backend | tokens | profile | this: req/s | ratio | CPU µs "
             "| %s: req/s | ratio | CPU µs | this / %s by rate | by CPU |" %
             (rev, rev),
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r, new, old, q, cpu in rows:
        lines.append("| %s | %d | %s | %.0f | %.3f | %.2f | %.0f | %.3f | "
                     "%.2f | %.3f | %.3f |" %
                     (r["backend"], r["tokens"], r.get("profile", "tuned"),
                      new["rps"], new["ratio"], new["cpu_us_per_req"],
                      old["rps"], old["ratio"], old["cpu_us_per_req"], q,
                      cpu))
    return lines + [""]


def against_targets(results):
    return [{"what": "check against %s's, %s, %d tokens, %s profile: "
             "paired ratios to /ping, this over that (by CPU per answer: "
             "%.3f)" % (results["against"]["rev"][:12], r["backend"],
                        r["tokens"], r.get("profile", "tuned"), cpu),
             "wanted": ">= %.2f" % AGAINST_TARGET, "got": "%.3f" % q,
             "met": q >= AGAINST_TARGET}
            for r, new, old, q, cpu in against_pairs(results)]
