#!/usr/bin/env python3
"""Runs keygate's suites and sums them into one closing line.

    run.py [--lanes N] [--phase side|alone] --suite KIND:BUILDDIR[:PART] [--suite ...]

KIND is
  unit      every Criterion executable meson registered in the unit suite,
            run with --tap and with the environment meson gives that test
            (so one executable may run twice, e.g. once per store), each
            case counted; an executable that runs no case, or exits
            non-zero outside any case, is one failure
            (UNIT_TESTS=a,b picks some);
  http      the pytest suite in tests/http against BUILDDIR's binary on
            SQLite (KEYGATE_TEST_PG is withheld from it), counted from its
            JUnit report tests/out/http-BUILDDIR.xml;
  http-pg   the same suite on PostgreSQL: every server gets a fresh database
            on the cluster whose admin URL is in KEYGATE_TEST_PG (required;
            scripts/pg_cluster.sh start DIR prints one); report
            tests/out/http-pg-BUILDDIR.xml;
  multinode the two-node suite in tests/multinode: two `keygate serve`
            processes of BUILDDIR's binary on one PostgreSQL database
            (fresh, on KEYGATE_TEST_PG's cluster, required) behind Debian's
            nginx, and a database outage on a cluster of its own; report
            tests/out/multinode-BUILDDIR.xml, counted like http;
  browser   the Playwright suite in tests/browser on Node's test runner,
            each top-level TAP test counted;
  valgrind  the unit suite again, each executable under valgrind's memcheck
            (every test process Criterion forks is traced, each writing a
            log to tests/out/valgrind-BUILDDIR/): a case counts as passed
            when it passed and its executable's logs report no error, no
            definite and no indirect leak; each log with errors adds one
            failure; the store contract on SQLite only (why: run_valgrind),
            its racing cases with fewer rounds (KEYGATE_TEST_LIGHT=1, set
            here only: the unit runs give them their full count)
            (UNIT_TESTS=a,b picks some);
  fuzz      the libFuzzer targets of tests/fuzz (BUILDDIR configured with
            -Dfuzz=true, `make fuzz-build`): each replays its seed corpus
            tests/fuzz/corpus/NAME/ and then fuzzes for FUZZ_SECONDS
            (default 15; 0 replays only), FUZZ_JOBS (default 2) at once
            (FUZZ_TARGETS=a,b picks some);
            one count per target; new inputs and crash inputs go to
            tests/out/fuzz/NAME/;
  runner    this script's own tests (tests/runner; `--suite runner`, no
            BUILDDIR): what it counts as passed.

A test that did not run to a pass counts as failed: nothing passes by not
running. That is a TAP `ok` with a SKIP or TODO directive (Criterion's
skipped and `.disabled` cases), a planned case that never reported, a
skipped or xfailed pytest test, and a pytest test still running after
PYTEST_TIMEOUT seconds (pytest-timeout interrupts it; the rest run on).
Each such test is named in the output.

By default the suites run one after another, in the order given, their
output as it comes. With --lanes N (N > 1) the run has two phases:

  side by side  N suites at once, taken in the order given, each in a
                process of its own (this script on that one suite) whose
                output is held back and printed whole when it ends, under
                its own `== KIND on BUILD...: N passed, N failed` line, so
                two suites' lines never mix; a suite that ends without its
                closing line is one failure more;
  alone         then, one at a time with nothing beside them, the tests
                that need the machine to themselves: in http, http-pg and
                multinode those marked `@pytest.mark.alone(why)`
                (tests/http/alone.py: a latency or CPU-share bound, or a
                fixed port), and the fuzz targets, which fuzz for a wall
                time, a core each.

A split suite runs its unmarked tests side by side (`-m "not alone"`,
report tests/out/KIND-BUILD.side.xml) and its marked ones alone
(`-m alone`, tests/out/KIND-BUILD.alone.xml): the two expressions are
complements, so every test runs once; a part that runs no test fails.
KIND:BUILDDIR:PART runs only that part of a split suite, in its phase
(`http:build:alone`: the release build's alone part, its other tests left
to the ASan build). --phase side or --phase alone runs only that phase of
the same plan (a lane
runs `--phase side` on one suite). Each suite says how long it took just
above its `==` line.

Suites side by side share the machine, KEYGATE_TEST_PG's cluster and the
build folders, and nothing else: every server gets free ports and a
temporary folder of its own, every PostgreSQL test a fresh database, the
reports and valgrind's logs are named per suite and build, and a build is
only read (test_install's `make install` into a folder of its own finds
nothing to rebuild). Two browser suites would share tests/out/screenshots:
the full run has one.

A run made smaller by the environment (UNIT_TESTS, FUZZ_TARGETS,
CRITERION_TEST_PATTERN, PYTEST_ADDOPTS, a --test- option in NODE_OPTIONS,
FUZZ_SECONDS under 15, FUZZ_JOBS over the cores) says so on a line
`narrowed: NAME=VALUE; ...` just above the closing line; with CI=true it
does not run at all and fails. The closing line is always the last one:
`N passed, N failed`; the exit status is non-zero when anything failed.
"""
import argparse
import concurrent.futures
import glob
import importlib.util
import json
import os
import re
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, 'tests', 'out')
PG_ENV = 'KEYGATE_TEST_PG'


# A TAP result line: "ok", "ok 3", "not ok - name", "ok 2 - name # SKIP why".
TAP_RESULT = re.compile(r'^(not ok|ok)\b(?:\s+\d+)?\s*(?:-\s*)?(.*)$')
TAP_DIRECTIVE = re.compile(r'\s#\s*(SKIP|TODO)\b', re.IGNORECASE)
TAP_PLAN = re.compile(r'^1\.\.(\d+)')


def tap_count(lines):
    """Counts the top-level TAP result lines (column 0). Returns (passed,
    failed, names of the failed): an `ok` carrying a SKIP or TODO directive
    did not pass, nor did a case the plan line announced that never
    reported. A nested subtest (indented: Node's runner) is not counted,
    its parent's line says how it went, except that a nested SKIP or TODO
    is one failure more: its parent passes without it."""
    passed, bad, plan = 0, [], None
    for line in lines:
        m = TAP_PLAN.match(line)
        if m and plan is None:
            plan = int(m.group(1))
            continue
        nested = line[:1].isspace()
        m = TAP_RESULT.match(line.lstrip())
        if not m:
            continue
        desc = m.group(2)
        d = TAP_DIRECTIVE.search(desc)
        name = (desc[:d.start()] if d else desc).split('  (')[0].strip()
        if m.group(1) == 'ok' and d:
            bad.append(f'{name or "?"} ({d.group(1).upper()}: did not run '
                       'to a pass)')
        elif nested:
            continue
        elif m.group(1) == 'ok':
            passed += 1
        else:
            bad.append(name or '?')
    if plan is not None and passed + len(bad) < plan:
        bad.append(f'{plan - passed - len(bad)} of the {plan} planned cases '
                   'never reported')
    return passed, len(bad), bad


VALGRIND = ['valgrind', '--trace-children=yes', '--leak-check=full',
            '--errors-for-leak-kinds=definite,indirect',
            '--show-leak-kinds=definite,indirect', '--num-callers=30',
            '--error-exitcode=99']


def valgrind_errors(logdir, name):
    """The logs of NAME's processes that report errors (memcheck's
    ERROR SUMMARY counts leaks of the kinds asked for too)."""
    bad = []
    for path in sorted(glob.glob(os.path.join(logdir, name + '.*.log'))):
        with open(path, errors='replace') as f:
            text = f.read()
        if any(l.split('ERROR SUMMARY: ')[1].split()[0] != '0'
               for l in text.splitlines() if 'ERROR SUMMARY: ' in l):
            bad.append((path, text))
    return bad


def run_valgrind(build):
    logdir = os.path.join(OUT, 'valgrind-' + os.path.basename(build))
    if os.path.isdir(logdir):
        for old in glob.glob(os.path.join(logdir, '*.log')):
            os.remove(old)
    os.makedirs(logdir, exist_ok=True)
    # The PostgreSQL run of the store contract is left out: each of its
    # cases makes a database and starts valgrind anew, about 15 minutes in
    # all, and that backend's memory is checked by the same contract on
    # the ASan + LeakSanitizer build (unit:build-asan). Its SQLite run,
    # and every other unit test, run here.
    skip = {'store_contract_postgres'}
    # Each case starts valgrind anew (Criterion re-executes itself for
    # every case): two executables at once, one per core.
    return run_unit(build, logdir, int(os.environ.get('VALGRIND_JOBS', '2')),
                    skip)


LIGHT_ENV = 'KEYGATE_TEST_LIGHT'


def unit_one(t, valgrind_logs):
    """Runs one Criterion executable as meson registered it; returns
    (passed, failed, what to print)."""
    cmd = t['cmd'] + ([] if '--tap' in t['cmd'] else ['--tap'])
    if valgrind_logs is not None:
        # Criterion runs each case in a child process of its own; their
        # reports would be lost in its pipes, so each process writes a log.
        log = os.path.join(valgrind_logs, t['name'] + '.%p.log')
        cmd = VALGRIND + [f'--log-file={log}'] + cmd
    # meson's per-test environment picks what a test runs against
    # (e.g. KEYGATE_TEST_STORE); without it both runs would be alike.
    env = dict(os.environ, **(t.get('env') or {}))
    # Under valgrind the racing cases run fewer rounds (each costs seconds
    # there); the full count runs in the plain unit runs, whatever the
    # caller's environment says.
    env.pop(LIGHT_ENV, None)
    if valgrind_logs is not None:
        env[LIGHT_ENV] = '1'
    proc = subprocess.run(cmd, cwd=ROOT, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, timeout=1800)
    # Criterion writes its TAP report to stderr.
    ok, bad, names = tap_count((proc.stdout + proc.stderr).splitlines())
    if ok + bad == 0:
        bad, names = 1, ['ran no case']
    elif proc.returncode != 0 and bad == 0:
        bad, names = 1, [f'exit status {proc.returncode} outside any case']
    text = ''
    if bad:
        text += proc.stdout[-4000:] + proc.stderr[-4000:]
        text += ''.join(f'  {t["name"]}: FAILED {n}\n' for n in names)
    if valgrind_logs is not None:
        errs = valgrind_errors(valgrind_logs, t['name'])
        for path, log in errs[:2]:
            text += f'  {path}:\n{log[-3000:]}\n'
        if errs:
            ok = 0
            bad += len(errs)
    return ok, bad, text + f'  {t["name"]}: {ok} passed, {bad} failed\n'


def run_unit(build, valgrind_logs=None, jobs=1, skip=()):
    tests = json.loads(subprocess.check_output(
        ['meson', 'introspect', '--tests', build], cwd=ROOT))
    tests = [t for t in tests if 'unit' in t.get('suite', []) or
             any(s.endswith(':unit') for s in t.get('suite', []))]
    tests = [t for t in tests if t['name'] not in skip]
    only = os.environ.get('UNIT_TESTS')
    if only:
        tests = [t for t in tests if t['name'] in only.split(',')]
    passed = failed = 0
    with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
        for ok, bad, text in pool.map(
                lambda t: unit_one(t, valgrind_logs), tests):
            sys.stdout.write(text)
            sys.stdout.flush()
            passed += ok
            failed += bad
    if passed + failed == 0:
        print('  no unit tests found')
        failed += 1
    return passed, failed


def run_http(build, part=None):
    return run_pytest(build, 'http', 'tests/http', False, part)


# A part of a pytest suite: the pytest -m expression that selects it. The
# two are each other's complement, so that every test runs in one of them.
PART_MARKS = {'side': 'not alone', 'alone': 'alone'}
PART_NAMES = {'side': 'side by side', 'alone': 'alone'}


def report_path(kind, build, part=None):
    return os.path.join(OUT, f'{kind}-{os.path.basename(build)}'
                        f'{"." + part if part else ""}.xml')


def run_pytest(build, kind, folder, pg, part=None):
    """Runs the pytest suite in `folder` against BUILD's binary, with the
    cluster of KEYGATE_TEST_PG when `pg` (required then), without it
    otherwise; counts its JUnit report tests/out/KIND-BUILD.xml. With a
    PART only the tests PART_MARKS selects run, reported in
    tests/out/KIND-BUILD.PART.xml."""
    os.makedirs(OUT, exist_ok=True)
    report = report_path(kind, build, part)
    env = dict(os.environ,
               KEYGATE_BIN=os.path.join(ROOT, build, 'src', 'keygate'))
    if pg:
        if not env.get(PG_ENV):
            print(f'  {PG_ENV} is not set: {kind} needs the admin URL of '
                  f'a PostgreSQL cluster (scripts/pg_cluster.sh start DIR)')
            return 0, 1
    else:
        # The plain run is the SQLite one even when the caller exported
        # the cluster for http-pg.
        env.pop(PG_ENV, None)
    return pytest_counts(folder, report, env,
                         marks=PART_MARKS[part] if part else None)


# Per test, setup and teardown included. The longest tests: the crash
# safety test (tests/http/test_crash_safety.py, 22 SIGKILLs and restarts
# under load) took 18 s on the release build on SQLite with a full run
# beside it on two cores, the slowloris test of test_slow_clients.py 8 s,
# no other test over 6 s; the ASan build and PostgreSQL are a few times
# slower, and tests/multinode/test_outage.py makes a cluster of its own
# and waits out an outage. 300 s leaves them room on a loaded machine; a
# test that needs more says so with @pytest.mark.timeout(N).
PYTEST_TIMEOUT = 300


def pytest_counts(folder, report, env, timeout=PYTEST_TIMEOUT, marks=None):
    """Runs pytest on `folder` with ENV, its JUnit report at REPORT;
    returns (passed, failed). A test still running after TIMEOUT seconds
    is interrupted by pytest-timeout (SIGALRM: the test fails, the others
    still run); a skipped or xfailed test counts as failed. MARKS, a
    pytest -m expression, picks some tests; picking none is a failure."""
    if importlib.util.find_spec('pytest_timeout') is None:
        print(f'  {sys.executable} has no pytest-timeout: a hung test would '
              'hang the run (Debian: python3-pytest-timeout, '
              'scripts/setup.sh installs it)')
        return 0, 1
    # A stale report must not be counted when pytest dies before writing.
    if os.path.exists(report):
        os.remove(report)
    proc = subprocess.run(
        [sys.executable, '-m', 'pytest', '-q', '--tb=short',
         '-p', 'no:cacheprovider', f'--timeout={timeout}',
         '--timeout-method=signal', f'--junitxml={report}', folder] +
        (['-m', marks] if marks else []),
        cwd=ROOT, env=env)
    if not os.path.exists(report):
        return 0, 1
    total, bad = junit_counts(report)
    passed = total - len(bad)
    if total == 0:
        bad.append('ran no test')
    elif proc.returncode != 0 and not bad:
        # e.g. an error at collection, or pytest itself failing
        bad.append(f'pytest exit status {proc.returncode} outside any test')
    for name in bad:
        print(f'  FAILED {name}')
    return passed, len(bad)


def junit_counts(report):
    """(tests in REPORT, names of those that did not pass)."""
    root = ET.parse(report).getroot()
    cases = list(root.iter('testcase'))
    bad = []
    for c in cases:
        why = [e.tag for e in c if e.tag in ('failure', 'error', 'skipped')]
        if why:
            bad.append(f'{c.get("classname")}::{c.get("name")} '
                       f'({"/".join(why)})')
    return len(cases), bad


def run_http_pg(build, part=None):
    return run_pytest(build, 'http-pg', 'tests/http', True, part)


def run_multinode(build, part=None):
    return run_pytest(build, 'multinode', 'tests/multinode', True, part)


def run_browser(build):
    env = dict(os.environ,
               KEYGATE_BIN=os.path.join(ROOT, build, 'src', 'keygate'))
    proc = subprocess.run(
        ['node', '--test', '--test-reporter=tap', 'tests/browser/'],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, timeout=900)
    passed, failed, names = tap_count(proc.stdout.splitlines())
    if failed or proc.returncode != 0:
        sys.stdout.write(proc.stdout[-8000:])
        sys.stdout.write(''.join(f'  browser: FAILED {n}\n' for n in names))
    if proc.returncode != 0 and failed == 0:
        failed = 1
    if passed + failed == 0:
        print('  browser: ran no test')
        failed = 1
    return passed, failed


FUZZ = os.path.join(ROOT, 'tests', 'fuzz')


def fuzz_one(build, name, seconds):
    """Replays NAME's seeds, then fuzzes it; returns (ok, report)."""
    exe = os.path.join(ROOT, build, 'tests', 'fuzz', 'fuzz_' + name)
    seeds = sorted(glob.glob(os.path.join(FUZZ, 'corpus', name, '*')))
    out = os.path.join(OUT, 'fuzz', name)
    os.makedirs(os.path.join(out, 'corpus'), exist_ok=True)
    if not os.path.exists(exe):
        return False, f'{name}: no {exe} (make fuzz-build)'
    if not seeds:
        return False, f'{name}: no seed corpus in tests/fuzz/corpus/{name}'
    # Each seed once: a crash found earlier and kept as a seed must stay
    # fixed.
    proc = subprocess.run([exe] + seeds, cwd=ROOT, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True,
                          errors='replace', timeout=300)
    if proc.returncode != 0:
        return False, (f'{name}: replay of {len(seeds)} seeds failed\n'
                       + proc.stdout[-3000:])
    report = f'{name}: replayed {len(seeds)} seeds'
    if seconds <= 0:
        return True, report
    # New inputs go to tests/out, not into the tree; the seeds are read.
    # One input may take 25 s before it counts as a hang: every parser
    # here runs in microseconds, and a busy machine (a niced fuzzer beside
    # two valgrinds) once starved one for over 10 s.
    proc = subprocess.run(
        [exe, f'-max_total_time={seconds}', '-timeout=25',
         '-rss_limit_mb=2048', '-print_final_stats=1',
         f'-artifact_prefix={out}/', os.path.join(out, 'corpus'),
         os.path.join(FUZZ, 'corpus', name)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, errors='replace', timeout=seconds + 120)
    runs = [l.rsplit(':', 1)[1].strip() for l in proc.stdout.splitlines()
            if l.startswith('stat::number_of_executed_units:')]
    report += f', fuzzed {seconds} s ({runs[0] if runs else "?"} runs)'
    if proc.returncode != 0:
        crash = [l for l in proc.stdout.splitlines() if 'Test unit written'
                 in l]
        return False, (report + ' and FAILED\n' + proc.stdout[-3000:] +
                       '\n' + '\n'.join(crash) + '\nfix it in src/, then '
                       f'add the input to tests/fuzz/corpus/{name}/')
    return True, report


FUZZ_SECONDS = 15
FUZZ_JOBS = 2


def run_fuzz(build):
    seconds = int(os.environ.get('FUZZ_SECONDS', FUZZ_SECONDS))
    jobs = int(os.environ.get('FUZZ_JOBS', FUZZ_JOBS))
    names = sorted(os.path.basename(p)[len('fuzz_'):-2]
                   for p in glob.glob(os.path.join(FUZZ, 'fuzz_*.c')))
    only = os.environ.get('FUZZ_TARGETS')
    if only:
        names = [n for n in names if n in only.split(',')]
    print(f'  {len(names)} targets, {seconds} s each, {jobs} at once',
          flush=True)
    passed = failed = 0
    with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
        for ok, report in pool.map(lambda n: fuzz_one(build, n, seconds),
                                   names):
            print('  ' + report, flush=True)
            passed += ok
            failed += not ok
    if not names:
        print('  no fuzz targets found')
        failed += 1
    return passed, failed


def run_runner(build):
    """run.py's own tests (tests/runner): they need no build."""
    return pytest_counts('tests/runner',
                         os.path.join(OUT, 'runner.xml'), dict(os.environ))


RUNNERS = {'unit': run_unit, 'http': run_http, 'http-pg': run_http_pg,
           'multinode': run_multinode, 'browser': run_browser,
           'fuzz': run_fuzz, 'valgrind': run_valgrind, 'runner': run_runner}


def narrowed(env):
    """The settings in ENV that make this run smaller than the full one,
    as NAME=VALUE."""
    out = [f'{k}={env[k]}' for k in (
        'UNIT_TESTS', 'FUZZ_TARGETS',
        # Criterion runs only the cases its pattern matches; pytest's
        # options may hold -k, --deselect, -x or --lf.
        'CRITERION_TEST_PATTERN', 'PYTEST_ADDOPTS') if env.get(k)]
    if 'FUZZ_SECONDS' in env and int(env['FUZZ_SECONDS']) < FUZZ_SECONDS:
        out.append(f'FUZZ_SECONDS={env["FUZZ_SECONDS"]}')
    # Each target fuzzes for a fixed wall time: more targets at once than
    # cores gives each less than a core of it.
    if 'FUZZ_JOBS' in env and int(env['FUZZ_JOBS']) > max(
            FUZZ_JOBS, os.cpu_count() or 1):
        out.append(f'FUZZ_JOBS={env["FUZZ_JOBS"]}')
    if '--test-' in env.get('NODE_OPTIONS', ''):
        out.append(f'NODE_OPTIONS={env["NODE_OPTIONS"]}')
    return out


# With lanes, the pytest suites whose tests may be marked `alone` run in
# two parts (PART_MARKS): the rest side by side with other suites, the
# marked ones after, alone. Each fuzz target fuzzes for a fixed wall time,
# FUZZ_JOBS at once, one a core: beside other suites it would get less CPU
# and search less, so it runs alone too, after them. valgrind is as hungry
# but bound by no clock (a case may take as long as it needs): it runs
# side by side, slower, and so do the unit and browser suites.
SPLIT = ('http', 'http-pg', 'multinode')
ALONE = ('fuzz',)


def parse_spec(spec):
    """KIND:BUILD or KIND:BUILD:PART as (KIND, BUILD, PART or None)."""
    kind, _, rest = spec.partition(':')
    build, _, only = rest.partition(':')
    return kind, build, only or None


def plan(specs, split):
    """The pieces (KIND, BUILD, PART) of the run: those that run side by
    side, and those that run after them, one at a time. Without `split`
    every suite runs whole (PART None), in the order given."""
    side, alone = [], []
    for spec in specs:
        kind, build, only = parse_spec(spec)
        if only:
            (alone if split and only == 'alone' else side).append(
                (kind, build, only))
        elif not split:
            side.append((kind, build, None))
        elif kind in SPLIT:
            side.append((kind, build, 'side'))
            alone.append((kind, build, 'alone'))
        elif kind in ALONE:
            alone.append((kind, build, None))
        else:
            side.append((kind, build, None))
    return side, alone


def run_piece(kind, build, part):
    """Runs one piece here, its output as it comes; (passed, failed)."""
    on = f'on {build or "-"}' + (f' ({PART_NAMES[part]})' if part else '')
    print(f'== {kind} tests {on}', flush=True)
    start = time.monotonic()
    p, f = RUNNERS[kind](build, part) if part else RUNNERS[kind](build)
    print(f'  took {time.monotonic() - start:.0f} s', flush=True)
    print(f'== {kind} {on}: {p} passed, {f} failed', flush=True)
    return p, f


def child_argv(piece):
    """The command a lane runs for PIECE: this script on that one suite
    (on its side-by-side part when it is split)."""
    kind, build, part = piece
    return [sys.executable, os.path.abspath(__file__),
            '--suite', f'{kind}:{build}' if build else kind] + \
        (['--phase', part] if part else [])


CLOSING = re.compile(r'^(\d+) passed, (\d+) failed$')


def run_child(piece):
    """Runs PIECE in a process of its own; returns (passed, failed, its
    output less its narrowed and closing lines, which the run prints once
    for all)."""
    proc = subprocess.run(child_argv(piece), cwd=ROOT, stdin=subprocess.DEVNULL,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, errors='replace')
    lines = proc.stdout.splitlines()
    m = CLOSING.match(lines[-1]) if lines else None
    if not m:
        kind, build, _ = piece
        return 0, 1, proc.stdout + (
            f'  {kind} on {build or "-"}: ended without its closing line '
            f'(exit status {proc.returncode})\n')
    lines.pop()
    if lines and lines[-1].startswith('narrowed: '):
        lines.pop()
    passed, failed = int(m.group(1)), int(m.group(2))
    text = ''.join(l + '\n' for l in lines)
    if proc.returncode != 0 and failed == 0:
        failed, text = 1, text + (f'  exit status {proc.returncode} '
                                  'with nothing failed\n')
    return passed, failed, text


def run_lanes(pieces, lanes):
    """Runs PIECES, LANES at once, each in a process of its own, in the
    order given; prints each one's output whole when it ends, so that two
    never mix. Returns (passed, failed)."""
    passed = failed = 0
    with concurrent.futures.ThreadPoolExecutor(lanes) as pool:
        for done in concurrent.futures.as_completed(
                [pool.submit(run_child, p) for p in pieces]):
            p, f, text = done.result()
            sys.stdout.write(text)
            sys.stdout.flush()
            passed += p
            failed += f
    return passed, failed


def run_in_turn(pieces):
    passed = failed = 0
    for piece in pieces:
        p, f = run_piece(*piece)
        passed += p
        failed += f
    return passed, failed


def arguments():
    ap = argparse.ArgumentParser()
    ap.add_argument('--suite', action='append', required=True,
                    help='KIND:BUILDDIR[:PART], or runner')
    ap.add_argument('--lanes', type=int, default=1,
                    help='suites run side by side (default 1: in turn)')
    ap.add_argument('--phase', choices=sorted(PART_MARKS),
                    help='only that phase of the run: side (what runs side '
                    'by side) or alone')
    args = ap.parse_args()
    for spec in args.suite:
        kind, _, only = parse_spec(spec)
        if kind not in RUNNERS:
            ap.error(f'unknown kind in --suite {spec}')
        if only and (kind not in SPLIT or only not in PART_MARKS):
            ap.error(f'--suite {spec}: only {", ".join(SPLIT)} have '
                     f'parts ({" or ".join(sorted(PART_MARKS))})')
    if args.lanes < 1:
        ap.error('--lanes must be 1 or more')
    return args


def main():
    args = arguments()
    narrow = narrowed(os.environ)
    if narrow and os.environ.get('CI') == 'true':
        print(f'run.py: CI=true and the run is narrowed by '
              f'{"; ".join(narrow)}: CI runs everything; unset '
              f'{", ".join(n.split("=")[0] for n in narrow)}')
        print('0 passed, 1 failed')
        return 1
    side, alone = plan(args.suite, args.lanes > 1 or args.phase is not None)
    if args.phase == 'side':
        alone = []
    elif args.phase == 'alone':
        side = []
    if not side + alone:
        print(f'run.py: no suite given runs in the {args.phase} phase')
        print('0 passed, 1 failed')
        return 1
    if args.lanes > 1:
        passed, failed = run_lanes(side, args.lanes)
    else:
        passed, failed = run_in_turn(side)
    p, f = run_in_turn(alone)
    passed += p
    failed += f
    if narrow:
        print(f'narrowed: {"; ".join(narrow)}')
    print(f'{passed} passed, {failed} failed')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
