#!/usr/bin/env python3
"""Runs keygate's suites and sums them into one closing line.

    run.py --suite KIND:BUILDDIR [--suite ...]

KIND is
  unit      every Criterion executable meson registered in the unit suite,
            run with --tap and with the environment meson gives that test
            (so one executable may run twice, e.g. once per store), each
            case counted;
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
            failure; the store contract on SQLite only (why: run_valgrind) (for unit and valgrind, UNIT_TESTS=a,b picks some);
  fuzz      the libFuzzer targets of tests/fuzz (BUILDDIR configured with
            -Dfuzz=true, `make fuzz-build`): each replays its seed corpus
            tests/fuzz/corpus/NAME/ and then fuzzes for FUZZ_SECONDS
            (default 15; 0 replays only), FUZZ_JOBS (default 2) at once
            (FUZZ_TARGETS=a,b picks some);
            one count per target; new inputs and crash inputs go to
            tests/out/fuzz/NAME/.
A skipped test counts as failed: nothing passes by not running.
"""
import argparse
import concurrent.futures
import glob
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, 'tests', 'out')
PG_ENV = 'KEYGATE_TEST_PG'


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
    proc = subprocess.run(cmd, cwd=ROOT, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, timeout=1800)
    # Criterion writes its TAP report to stderr.
    lines = (proc.stdout + proc.stderr).splitlines()
    ok = sum(1 for l in lines if l.startswith('ok '))
    bad = sum(1 for l in lines if l.startswith('not ok '))
    if proc.returncode != 0 and bad == 0:
        bad = 1     # crashed outside any case
    text = ''
    if bad:
        text += proc.stdout[-4000:] + proc.stderr[-4000:]
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


def run_http(build, pg=False):
    return run_pytest(build, 'http-pg' if pg else 'http', 'tests/http', pg)


def run_pytest(build, kind, folder, pg):
    """Runs the pytest suite in `folder` against BUILD's binary, with the
    cluster of KEYGATE_TEST_PG when `pg` (required then), without it
    otherwise; counts its JUnit report tests/out/KIND-BUILD.xml."""
    os.makedirs(OUT, exist_ok=True)
    report = os.path.join(OUT, f'{kind}-{os.path.basename(build)}.xml')
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
    # A stale report must not be counted when pytest dies before writing.
    if os.path.exists(report):
        os.remove(report)
    proc = subprocess.run(
        [sys.executable, '-m', 'pytest', '-q', '--tb=short',
         '-p', 'no:cacheprovider',
         f'--junitxml={report}', folder], cwd=ROOT, env=env)
    if not os.path.exists(report):
        return 0, 1
    suite = ET.parse(report).getroot()
    if suite.tag == 'testsuites':
        suite = suite[0]
    total = int(suite.get('tests', 0))
    bad = sum(int(suite.get(k, 0)) for k in ('failures', 'errors',
                                              'skipped'))
    passed = total - bad
    if proc.returncode != 0 and bad == 0:
        bad = 1     # e.g. pytest stopped before any test (no binary)
    return passed, bad


def run_http_pg(build):
    return run_http(build, pg=True)


def run_multinode(build):
    return run_pytest(build, 'multinode', 'tests/multinode', pg=True)


def run_browser(build):
    env = dict(os.environ,
               KEYGATE_BIN=os.path.join(ROOT, build, 'src', 'keygate'))
    proc = subprocess.run(
        ['node', '--test', '--test-reporter=tap', 'tests/browser/'],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, timeout=900)
    top = [l for l in proc.stdout.splitlines()
           if l.startswith('ok ') or l.startswith('not ok ')]
    passed = sum(1 for l in top if l.startswith('ok ') and '# SKIP' not in l)
    failed = len(top) - passed
    if failed or proc.returncode != 0:
        sys.stdout.write(proc.stdout[-8000:])
    if proc.returncode != 0 and failed == 0:
        failed = 1
    if passed + failed == 0:
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


def run_fuzz(build):
    seconds = int(os.environ.get('FUZZ_SECONDS', '15'))
    jobs = int(os.environ.get('FUZZ_JOBS', '2'))
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


RUNNERS = {'unit': run_unit, 'http': run_http, 'http-pg': run_http_pg,
           'multinode': run_multinode, 'browser': run_browser,
           'fuzz': run_fuzz, 'valgrind': run_valgrind}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--suite', action='append', required=True)
    args = ap.parse_args()
    passed = failed = 0
    for spec in args.suite:
        kind, build = spec.split(':', 1)
        print(f'== {kind} tests on {build}', flush=True)
        p, f = RUNNERS[kind](build)
        print(f'== {kind} on {build}: {p} passed, {f} failed', flush=True)
        passed += p
        failed += f
    print(f'{passed} passed, {failed} failed')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
