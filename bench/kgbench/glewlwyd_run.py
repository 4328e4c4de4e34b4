"""Glewlwyd on the same machine in the same run."""

import os
import shutil
import sys
import time

from kgbench.common import BENCH, SERVER_CPU, log, proc_status
from kgbench.load import ratios_to_ping
from kgbench.routes import measure, measure_listed


def bench_glewlwyd(args, keygate_main):
    sys.path.insert(0, os.path.join(BENCH, "glewlwyd"))
    import glewlwyd  # bench/glewlwyd/glewlwyd.py

    outdir = os.path.join(args.out, "work", "glewlwyd")
    shutil.rmtree(outdir, ignore_errors=True)
    os.makedirs(outdir)
    log("\n== Glewlwyd (%s)" % glewlwyd.version())
    g = glewlwyd.Instance(outdir, SERVER_CPU, rotate=args.glewlwyd_rotate)
    res = {"version": glewlwyd.version(),
           "refresh_rotates": args.glewlwyd_rotate}
    try:
        g.start()
        g.configure()
        t0 = time.time()
        g.mint(args.glewlwyd_tokens)
        res["mint_s"] = time.time() - t0
        log("  minted %d token pairs by the code flow in %.1f s" %
            (args.glewlwyd_tokens, res["mint_s"]))
        res["rss_idle"] = proc_status(g.pid)
        routes = {}
        api = "/api/oidc"

        class Srv:
            def status(self):
                return proc_status(g.pid)

            def tail(self, n=20):
                return g.tail(n)
        srv = Srv()
        routes["ping"] = measure(args, srv, "ping", g.url,
                                 {"KG_MODE": "get", "KG_PATH": "/config"},
                                 outdir)
        cfg = {"KG_MODE": "get", "KG_PATH": "/config"}
        routes["userinfo"] = measure(args, srv, "userinfo", g.url, {
            "KG_MODE": "bearer", "KG_PATH": api + "/userinfo",
            "KG_FILE": g.access_file}, outdir, base=cfg)
        routes["introspect"] = measure(args, srv, "introspect", g.url, {
            "KG_MODE": "introspect", "KG_PATH": api + "/introspect",
            "KG_FILE": g.access_file, "KG_BASIC": g.basic,
            "KG_HINT": "access_token"}, outdir, base=cfg)

        def topup(n):
            return g.refresh_list(n)
        routes["refresh"] = measure_listed(
            args, srv, "refresh", g.url,
            {"KG_MODE": "refresh", "KG_PATH": api + "/token",
             "KG_BASIC": g.basic}, outdir, topup, args.max_list, base=cfg)
        ratios_to_ping(routes)
        res["routes"] = routes
    finally:
        g.stop()
    # keygate / Glewlwyd, like for like
    pairs = [("introspect", "introspect"), ("refresh", "refresh"),
             ("summary", "userinfo"), ("check", "userinfo")]
    cmp = {}
    for k, gl in pairs:
        a = keygate_main["routes"].get(k, {}).get("rps")
        b = res["routes"].get(gl, {}).get("rps")
        cmp["%s/%s" % (k, gl)] = a / b if a and b else None
    res["keygate_over_glewlwyd"] = cmp
    return res
