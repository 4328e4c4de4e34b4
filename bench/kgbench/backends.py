"""SQLite and PostgreSQL side by side, by CPU time per request summed
over keygate and the database (a busy database cannot hide in the
baseline), and the PostgreSQL targets by that measure."""

ROUTES = ("ping", "check", "introspect", "userinfo", "refresh", "code")

# the PostgreSQL targets: the check and introspection as ratios by CPU
# per request to /ping's, refreshes as durable ones a second
PG_TARGETS = (("check", "cpu_ratio", 0.8), ("introspect", "cpu_ratio", 0.7),
              ("refresh", "rps", 10000))


def tuned_main(results, backend):
    runs = [r for r in results["keygate"]
            if r["backend"] == backend and
            r.get("profile", "tuned") == "tuned" and
            r["tokens"] == results["main_size"]]
    return runs[0] if runs else None


def cell(s):
    if s is None:
        return ["—"] * 4
    if "failed" in s:
        return ["FAILED", "", "", ""]
    return ["%.0f" % s["rps"],
            "%.1f" % s["cpu_us_per_req"] if "cpu_us_per_req" in s else "—",
            "%.1f" % s["db_cpu_us_per_req"]
            if "db_cpu_us_per_req" in s else "—",
            "%.2f" % s["cpu_ratio"] if "cpu_ratio" in s else "—"]


def backends_section(results):
    sq, pg = tuned_main(results, "sqlite"), tuned_main(results, "postgres")
    if pg is None:
        return []
    lines = ["## SQLite and PostgreSQL, %d tokens, by CPU per request" %
             results["main_size"], "",
             "CPU µs per answer: keygate's process, and the database's "
             "(every process of the PostgreSQL cluster; SQLite runs inside "
             "keygate), over each run and the folds of its uses after it. "
             "Ratio by CPU: /ping's total CPU per answer over the route's "
             "(1.00: as cheap as /ping). PostgreSQL durable: fsync, "
             "synchronous_commit and full_page_writes on.", "",
             "| route | SQLite req/s | keygate µs | — | by CPU "
             "| PostgreSQL req/s | keygate µs | PostgreSQL µs | by CPU |",
             "|---|---|---|---|---|---|---|---|---|"]
    for name in ROUTES:
        a = (sq or {}).get("routes", {}).get(name)
        b = pg["routes"].get(name)
        if a is None and b is None:
            continue
        lines.append("| %s | %s |" % (name, " | ".join(cell(a) + cell(b))))
    return lines + [""]


def pg_targets(results):
    pg = tuned_main(results, "postgres")
    out = []
    if pg is None:
        return out
    for name, key, want in PG_TARGETS:
        s = pg["routes"].get(name)
        if s is None:
            continue
        what = ("%s on PostgreSQL, ratio by CPU per request (keygate + "
                "PostgreSQL) to /ping, %d tokens" % (name, pg["tokens"])
                if key == "cpu_ratio" else
                "durable refreshes/s on PostgreSQL, %d tokens" %
                pg["tokens"])
        got = s.get(key)
        out.append({"what": what,
                    "wanted": ">= %s" % ("%.1f" % want if key == "cpu_ratio"
                                         else "%d" % want),
                    "got": "FAILED" if got is None else
                    ("%.3f" % got if key == "cpu_ratio" else "%.0f" % got),
                    "met": None if got is None else got >= want})
    return out
