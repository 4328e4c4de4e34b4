"""results.png with gnuplot."""

import math
import os
import shutil
import subprocess

from kgbench.common import FIXED_DRAW, TARGETS, log


def chart_tokens(n):
    """A token count for a title: 10^{6} for powers of ten (gnuplot's
    enhanced text), else the number."""
    k = round(math.log10(n)) if n > 0 else 0
    return "10^{%d}" % k if n == 10 ** k and k >= 3 else "%d" % n


def chart_goals(names):
    """The ratio targets of TARGETS among the routes drawn, read when the
    chart is drawn: [(position, route, ratio)]."""
    return [(i, n, TARGETS[n][1]) for i, n in enumerate(names)
            if n in TARGETS and TARGETS[n][0] == "ratio"]


def chart_key(panel, panels, rows):
    """The key of a panel at the bottom of its part of the picture, in
    columns of `rows` entries: outside the plot, on no bar or line."""
    return ("set key at screen %g, screen 0.015 center bottom vertical "
            "maxrows %d samplen 4 spacing 1.2 width 1" %
            ((panel + 0.5) / panels, rows))


def chart(results, outdir):
    """results.png with gnuplot: ratios per route with their targets, the
    check curve, and Glewlwyd side by side when it ran. Every key sits
    below its panel, under a bottom margin the panels share, so no key
    covers a bar or a line and the panels stay aligned."""
    if shutil.which("gnuplot") is None:
        log("bench: no gnuplot (bench/setup.sh installs gnuplot-nox); "
            "no chart")
        return None
    data = os.path.join(outdir, "chart")
    os.makedirs(data, exist_ok=True)
    names = ["check", "summary", "introspect", "refresh", "code"]
    # OpenID Connect's, in the runs that have them
    names += [n for n in ("userinfo", "code_rs256", "code_es256",
                          "code_eddsa", "check_dpop_es256",
                          "check_dpop_eddsa", "check_dpop_rs256")
              if any(n in r["routes"] for r in results["keygate"])]
    goals = chart_goals(names)
    series = []
    failed = set()
    ymax = max([1.1] + [t * 1.15 for _, _, t in goals])
    for r in results["keygate"]:
        if "refresh" not in r["routes"]:
            continue
        fn = os.path.join(data, "ratio-%d-%s.dat" % (len(series),
                                                     r["backend"]))
        with open(fn, "w") as f:
            for n in names:
                s = r["routes"].get(n, {})
                if "failed" in s:
                    failed.add(n)
                f.write('"%s" %s\n' % (n, "%.4f" % s["ratio"]
                                       if "ratio" in s else "0"))
                ymax = max(ymax, s.get("ratio", 0) * 1.1)
        series.append((fn, "%s%s, %s tokens" % (
            r["backend"], ", %s profile" % r["profile"]
            if r.get("profile") else "", chart_tokens(r["tokens"]))))
    curves = []
    cmax = 1.1
    for backend in sorted({c["backend"] for c in results["curve"]}):
        fn = os.path.join(data, "curve-%s.dat" % backend)
        with open(fn, "w") as f:
            for c in results["curve"]:
                if c["backend"] == backend and c["rps"]:
                    f.write("%d %.1f %.4f %.4f\n" % (
                        c["tokens"], c["rps"], c["ratio"] or 0,
                        c.get("fixed_ratio") or 0))
                    cmax = max(cmax, (c["ratio"] or 0) * 1.1,
                               (c.get("fixed_ratio") or 0) * 1.1)
        curves.append((fn, backend))
    gl = results.get("glewlwyd")
    panels = 3 if gl and "routes" in gl else 2
    # the keys' rows under the shared bottom margin: the first panel's in
    # two columns, the curve's three per backend in a column each, and
    # Glewlwyd's one row
    rows1 = max(1, (len(series) + (1 if goals else 0) + 1) // 2)
    rows = max(rows1, 3 if curves else 1)
    png = os.path.join(outdir, "results.png")
    g = ['set terminal pngcairo size %d,%d font "sans,10"' %
         (600 * panels, 520 + 16 * rows),
         'set output "%s"' % png,
         'set multiplot layout 1,%d' % panels,
         # tic labels (two lines, three with a FAILED), the x title, a
         # gap, the key's rows
         'set bmargin %d' % (5 + (1 if failed else 0) +
                             math.ceil(rows * 1.2)), 'set tmargin 3',
         chart_key(0, panels, rows1),
         'set style data histograms', 'set style histogram clustered',
         'set style fill solid 0.8 border -1', 'set boxwidth 0.9',
         'set xrange [-0.6:%g]' % (len(names) - 0.4),
         'set yrange [0:%g]' % ymax, 'set grid ytics',
         'set title "req/s as a ratio to GET /ping (same server, same run)"',
         'set ylabel "ratio to baseline"']
    # each route's target: a short red line over its bars, its value
    # under its name
    tics = []
    for i, n in enumerate(names):
        t = [t for j, _, t in goals if j == i]
        tics.append('"%s%s%s" %d' % (
            n, "\\nFAILED" if n in failed else "",
            "\\ntarget %g" % t[0] if t else "", i))
    g.append('set xtics (%s)' % ", ".join(tics))
    # a route's bars span n/(n+2) of a unit (gnuplot's gap of 2 bars)
    half = min(0.4, len(series) / (2.0 * (len(series) + 2)) + 0.12)
    for k, (i, _, t) in enumerate(goals, 1):
        g.append('set arrow %d from first %g, first %g to first %g, '
                 'first %g nohead front lw 2.5 lc rgb "red"' %
                 (k, i - half, t, i + half, t))
    if series:
        g.append("plot " + ", ".join(
            '"%s" using 2 title "%s"' % (fn, t) for fn, t in series) +
            (', NaN with lines lw 2.5 lc rgb "red" '
             'title "target ratio (under the name)"' if goals else ""))
    else:
        g.append('plot 0 notitle')
    g += ['unset arrow', 'set xtics auto', 'set style data linespoints',
          'set logscale x', 'set xrange [*:*]', 'set yrange [0:%g]' % cmax,
          'set offsets graph 0.1, graph 0.1, 0, 0',
          'set format x "10^{%L}"',
          'set title "/oauth2/check against stored access tokens"',
          'set xlabel "stored access tokens"',
          'set ylabel "ratio to its paired /ping runs"',
          'set y2label "req/s (dashed)"', 'set y2tics', 'set y2range [0:*]',
          chart_key(1, panels, 3)]
    if curves:
        # a colour per curve, a dash per kind: solid for the same tokens
        # drawn, dash-dot for all drawn, dashes for req/s
        g.append("plot " + ", ".join(
            '"%s" using 1:4 title "ratio, same %s drawn, %s" lw 2 dt 1 pt 7 '
            'lc %d, '
            '"%s" using 1:3 title "ratio, all drawn, %s" lw 2 dt 4 pt 5 '
            'lc %d, '
            '"%s" using 1:2 axes x1y2 title "req/s, all drawn, %s" lw 2 '
            'dt 2 pt 2 lc %d' % (fn, chart_tokens(FIXED_DRAW), b, 3 * k + 1,
                                 fn, b, 3 * k + 2, fn, b, 3 * k + 3)
            for k, (fn, b) in enumerate(curves)))
    else:
        g.append("plot 0 notitle")
    g += ['unset y2label', 'unset y2tics']
    if panels == 3:
        fn = os.path.join(data, "glewlwyd.dat")
        main = [r for r in results["keygate"] if "refresh" in r["routes"]]
        gnames = []
        with open(fn, "w") as f:
            for k, gname, label in (("introspect", "introspect",
                                     "introspect"),
                                    ("refresh", "refresh",
                                     "refresh\\ngrant"),
                                    ("summary", "userinfo",
                                     "bearer call\\n(summary, userinfo)")):
                a = main[0]["routes"].get(k, {}).get("rps", 0) if main else 0
                b = gl["routes"].get(gname, {}).get("rps", 0)
                f.write('%.1f %.1f\n' % (a, b))
                gnames.append(label)
        top = 10 ** math.ceil(math.log10(max(
            [10] + [x for line in open(fn) for x in
                    map(float, line.split())]) * 3))
        g += ['unset logscale x', 'set format x "%g"', 'unset xlabel',
              'set offsets 0, 0, 0, 0', chart_key(2, panels, 1),
              'set xrange [-0.6:%g]' % (len(gnames) - 0.4),
              'set xtics (%s)' % ", ".join(
                  '"%s" %d' % (n, i) for i, n in enumerate(gnames)),
              'set logscale y', 'set format y "10^{%L}"',
              'set yrange [1:%g]' % top,
              'set style data histograms',
              'set title "keygate and Glewlwyd, req/s (log scale)"',
              'set ylabel "req/s"',
              'plot "%s" using 1 title "keygate", "" using 2 '
              'title "Glewlwyd %s"' % (fn, gl["version"])]
    g.append("unset multiplot")
    script = os.path.join(data, "chart.gp")
    with open(script, "w") as f:
        f.write("\n".join(g) + "\n")
    r = subprocess.run(["gnuplot", script], capture_output=True, text=True)
    if r.returncode != 0:
        log("bench: gnuplot failed: " + r.stderr[-1000:])
        return None
    return png
