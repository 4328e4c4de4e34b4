"""tests/run.py's own tests: what it counts as passed. Nothing passes by
not running: a skipped, disabled or TODO case, an executable that runs no
case, a test that hangs; and a narrowed run says so."""

import os
import subprocess
import sys
import textwrap
import time

import pytest

from load_run_py import RUN_PY, load

run = load('run_py')


def criterion_exe(tmp_path, name, source):
    """A Criterion executable built from SOURCE, run as run.py runs one."""
    src = tmp_path / f'{name}.c'
    src.write_text('#include <criterion/criterion.h>\n' + source)
    flags = subprocess.run(['pkg-config', '--cflags', '--libs', 'criterion'],
                           capture_output=True, text=True, check=True)
    exe = tmp_path / name
    subprocess.run(['cc', str(src), '-o', str(exe), *flags.stdout.split()],
                   check=True)
    return {'name': name, 'cmd': [str(exe)]}


def test_skipped_and_disabled_criterion_cases_count_as_failed(tmp_path):
    t = criterion_exe(tmp_path, 'mixed', textwrap.dedent('''
        Test(s, passes) { cr_assert(1); }
        Test(s, off, .disabled = true) { cr_assert(1); }
        Test(s, skips) { cr_skip_test("not today"); }
    '''))
    ok, bad, text = run.unit_one(t, None)
    assert (ok, bad) == (1, 2), text
    assert 's::off (SKIP' in text and 's::skips (SKIP' in text, text


def test_an_executable_that_runs_no_case_fails(tmp_path):
    t = criterion_exe(tmp_path, 'empty', '')
    ok, bad, text = run.unit_one(t, None)
    assert (ok, bad) == (0, 1), text
    assert 'ran no case' in text


def test_a_failing_case_is_named(tmp_path):
    t = criterion_exe(tmp_path, 'failing', textwrap.dedent('''
        Test(s, good) { cr_assert(1); }
        Test(s, bad) { cr_assert(0); }
    '''))
    ok, bad, text = run.unit_one(t, None)
    assert (ok, bad) == (1, 1), text
    assert 'FAILED s::bad' in text


def test_only_the_valgrind_run_is_light(tmp_path, monkeypatch):
    """KEYGATE_TEST_LIGHT (fewer racing rounds) reaches a case under
    valgrind only: the plain unit run drops it even from the caller's
    environment, so that the full count runs there."""
    t = criterion_exe(tmp_path, 'light', textwrap.dedent('''
        #include <stdlib.h>
        #include <string.h>
        Test(s, light) {
            const char *l = getenv("KEYGATE_TEST_LIGHT");
            cr_assert(l != NULL && strcmp(l, "1") == 0);
        }
    '''))
    monkeypatch.setenv('KEYGATE_TEST_LIGHT', '1')
    ok, bad, text = run.unit_one(t, None)
    assert (ok, bad) == (0, 1), text
    monkeypatch.delenv('KEYGATE_TEST_LIGHT')
    ok, bad, text = run.unit_one(t, str(tmp_path))
    assert (ok, bad) == (1, 0), text


@pytest.mark.parametrize('lines, want', [
    (['1..2', 'ok 1 - a', 'ok 2 - b'], (2, 0)),
    (['ok 1 - a # TODO later', 'ok 2 - b # skip not here'], (0, 2)),
    (['not ok 1 - a', 'ok 2 - b'], (1, 1)),
    # nested subtests (Node's runner) are indented: the top line counts,
    # and a nested skip or todo, which its parent passes without
    (['    ok 1 - inner', 'ok 1 - outer'], (1, 0)),
    (['    ok 1 - inner # SKIP', '    not ok 2 - bad', 'not ok 1 - outer'],
     (0, 2)),
    (['    ok 1 - inner # TODO', 'ok 1 - outer'], (1, 1)),
    # a plan announcing more cases than reported
    (['1..3', 'ok - a'], (1, 1)),
    # a '#' in a name is no directive
    (['ok 1 - issue #SKIPPY stays'], (1, 0)),
])
def test_tap_count(lines, want):
    passed, failed, _ = run.tap_count(lines)
    assert (passed, failed) == want


def test_skipped_xfailed_and_hung_pytest_tests_count_as_failed(tmp_path):
    suite = tmp_path / 'suite'
    suite.mkdir()
    (suite / 'test_x.py').write_text(textwrap.dedent('''
        import time, pytest
        def test_passes(): pass
        def test_skips(): pytest.skip("not today")
        @pytest.mark.xfail
        def test_xfails(): assert 0
        def test_hangs(): time.sleep(3600)
    '''))
    env = {k: v for k, v in os.environ.items() if k != 'PYTEST_ADDOPTS'}
    t0 = time.monotonic()
    passed, failed = run.pytest_counts(str(suite), str(tmp_path / 'r.xml'),
                                       env, timeout=3)
    assert time.monotonic() - t0 < 60
    assert (passed, failed) == (1, 3)


def test_a_collection_error_fails(tmp_path):
    (tmp_path / 'test_broken.py').write_text('import no_such_module\n')
    passed, failed = run.pytest_counts(str(tmp_path),
                                       str(tmp_path / 'r.xml'),
                                       dict(os.environ), timeout=30)
    assert passed == 0 and failed >= 1


@pytest.mark.parametrize('env, want', [
    ({}, []),
    ({'UNIT_TESTS': 'core_str'}, ['UNIT_TESTS=core_str']),
    ({'FUZZ_SECONDS': '5', 'FUZZ_TARGETS': 'uri'},
     ['FUZZ_TARGETS=uri', 'FUZZ_SECONDS=5']),
    ({'FUZZ_SECONDS': '300'}, []),          # longer is not narrower
    ({'FUZZ_JOBS': '1'}, []),               # fewer at once is not either
    ({'PYTEST_ADDOPTS': '-k token'}, ['PYTEST_ADDOPTS=-k token']),
])
def test_narrowed(env, want):
    assert run.narrowed(env) == want


def run_py(env, *suites):
    base = {k: v for k, v in os.environ.items()
            if k not in ('CI', 'UNIT_TESTS', 'FUZZ_TARGETS', 'FUZZ_SECONDS',
                         'FUZZ_JOBS', 'PYTEST_ADDOPTS',
                         'CRITERION_TEST_PATTERN')}
    argv = [sys.executable, RUN_PY]
    for s in suites:
        argv += ['--suite', s]
    return subprocess.run(argv, env=dict(base, **env), capture_output=True,
                          text=True, timeout=120)


def test_a_narrowed_run_says_so_above_the_closing_line(tmp_path):
    p = run_py({'FUZZ_TARGETS': 'none_such', 'FUZZ_SECONDS': '0'},
               f'fuzz:{tmp_path}')
    lines = p.stdout.splitlines()
    assert lines[-1] == '0 passed, 1 failed', p.stdout
    assert lines[-2] == 'narrowed: FUZZ_TARGETS=none_such; FUZZ_SECONDS=0'
    assert p.returncode == 1


def test_ci_refuses_a_narrowed_run():
    p = run_py({'CI': 'true', 'UNIT_TESTS': 'core_str'}, 'unit:build')
    lines = p.stdout.splitlines()
    assert p.returncode != 0
    assert lines[-1] == '0 passed, 1 failed', p.stdout
    assert 'CI=true' in p.stdout and 'UNIT_TESTS' in p.stdout
    assert '== unit' not in p.stdout        # nothing ran
