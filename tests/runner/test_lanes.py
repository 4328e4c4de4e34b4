"""tests/run.py --lanes: suites side by side, each one's output printed
whole, the counts summed into one closing line that stays the last, a
failed or broken lane failing the run; and the tests marked `alone` split
off into a phase of their own without losing or doubling any test."""

import os
import re
import subprocess
import sys
import textwrap

import pytest

from load_run_py import ROOT, RUN_PY, load

run = load('run_py_lanes')

# A stand-in for one suite's run.py: prints its header, two lines, then
# waits for the other lane's first line before printing two more, so that
# the two lanes' lines would mix if they were not held back, and neither
# finishes unless both run at once. Then its summary, an optional
# `narrowed:` line and its closing line, and exits as run.py would (or
# with STATUS when given).
FAKE = textwrap.dedent('''
    import os, sys, time
    me, other, passed, failed, narrowed, status = sys.argv[1:7]
    def say(line):
        print(line, flush=True)
    say(f"== {me} tests")
    say(f"  {me} line 1")
    open(os.path.join(os.environ["LANES_DIR"], me), "w").close()
    deadline = time.monotonic() + 20
    while not os.path.exists(os.path.join(os.environ["LANES_DIR"], other)):
        if time.monotonic() > deadline:
            say(f"  {me}: the other lane never started")
            sys.exit(3)
        time.sleep(0.01)
    say(f"  {me} line 2")
    say(f"  {me} line 3")
    say(f"== {me}: {passed} passed, {failed} failed")
    if narrowed == "yes":
        say("narrowed: UNIT_TESTS=x")
    if failed == "crash":
        raise SystemExit("crashed before its closing line")
    say(f"{passed} passed, {failed} failed")
    sys.exit(int(status) if status else 1 if failed != "0" else 0)
''')


@pytest.fixture
def fake_lanes(monkeypatch, tmp_path):
    """Makes each piece (KIND, BUILD, PART) run FAKE with the arguments
    `behaviour[BUILD]`: (other lane's name, passed, failed, narrowed,
    exit status or '')."""
    monkeypatch.setenv('LANES_DIR', str(tmp_path))
    behaviour = {}

    def argv(piece):
        _, build, _ = piece
        return [sys.executable, '-c', FAKE, build, *behaviour[build]]

    monkeypatch.setattr(run, 'child_argv', argv)
    return behaviour


def blocks(out):
    """The lines of each lane's block, by lane name, asserting that each
    block is contiguous (no line of another lane inside it)."""
    owner = [re.match(r'^(?:== |  )(\w+)', l) for l in out.splitlines()]
    seen, order = {}, []
    for m, line in zip(owner, out.splitlines()):
        if m is None:
            continue
        name = m.group(1)
        if name not in seen:
            order.append(name)
            seen[name] = []
        assert name == order[-1], f'{name} inside another lane:\n{out}'
        seen[name].append(line)
    return seen


def test_lanes_print_each_suite_whole_and_sum_the_counts(fake_lanes,
                                                        capsys):
    fake_lanes.update(a=('b', '3', '0', 'yes', ''),
                      b=('a', '4', '0', 'no', ''))
    passed, failed = run.run_lanes([('unit', 'a', None),
                                    ('unit', 'b', None)], 2)
    out = capsys.readouterr().out
    assert (passed, failed) == (7, 0), out
    got = blocks(out)
    assert sorted(got) == ['a', 'b'], out
    for name, lines in got.items():
        assert len(lines) == 5, lines      # header, 3 lines, summary
    # The lanes' own narrowed and closing lines are the run's to print.
    assert 'narrowed' not in out and not re.search(r'^\d+ passed', out,
                                                   re.M), out


def test_a_failing_lane_fails_the_run_and_the_closing_line_is_last(
        fake_lanes, monkeypatch, capsys):
    fake_lanes.update(a=('b', '5', '2', 'no', ''),
                      b=('a', '1', '0', 'no', ''))
    monkeypatch.setattr(sys, 'argv', ['run.py', '--lanes', '2',
                                      '--suite', 'unit:a',
                                      '--suite', 'browser:b'])
    for k in ('CI', 'UNIT_TESTS', 'FUZZ_TARGETS', 'FUZZ_SECONDS',
              'FUZZ_JOBS', 'PYTEST_ADDOPTS', 'CRITERION_TEST_PATTERN',
              'NODE_OPTIONS'):
        monkeypatch.delenv(k, raising=False)
    rc = run.main()
    lines = capsys.readouterr().out.splitlines()
    assert lines[-1] == '6 passed, 2 failed', lines
    assert rc == 1
    assert sum(1 for l in lines if re.match(r'^\d+ passed', l)) == 1, lines


def test_the_alone_phase_runs_after_the_lanes_one_piece_at_a_time(
        fake_lanes, monkeypatch, capsys):
    """http split in two, fuzz alone: the lanes take http's side part and
    unit; then http's marked tests and the fuzz targets, in turn, and their
    counts join the lanes' in the closing line."""
    fake_lanes.update(a=('b', '3', '0', 'no', ''),
                      b=('a', '4', '0', 'no', ''))
    calls, printed = [], []

    def runner(counts):
        def fake(build, part=None):
            printed.append(capsys.readouterr().out)
            lanes_done = all(f'== {x}: ' in ''.join(printed) for x in 'ab')
            calls.append((build, part, lanes_done))
            return counts
        return fake
    monkeypatch.setitem(run.RUNNERS, 'http', runner((1, 0)))
    monkeypatch.setitem(run.RUNNERS, 'fuzz', runner((2, 1)))
    monkeypatch.setattr(sys, 'argv', ['run.py', '--lanes', '2',
                                      '--suite', 'http:a',
                                      '--suite', 'unit:b',
                                      '--suite', 'fuzz:c'])
    for k in ('CI', 'UNIT_TESTS', 'FUZZ_TARGETS', 'FUZZ_SECONDS',
              'FUZZ_JOBS', 'PYTEST_ADDOPTS', 'CRITERION_TEST_PATTERN',
              'NODE_OPTIONS'):
        monkeypatch.delenv(k, raising=False)
    assert run.main() == 1
    # each alone piece ran after both lanes had printed their blocks
    assert calls == [('a', 'alone', True), ('c', None, True)], calls
    printed.append(capsys.readouterr().out)
    lines = ''.join(printed).splitlines()
    assert lines[-1] == '10 passed, 1 failed', lines
    assert '== http on a (alone): 1 passed, 0 failed' in lines, lines


def test_a_lane_of_a_split_suite_runs_its_side_part_only(monkeypatch,
                                                        capsys):
    """What a lane runs for http's side part, run here: the unmarked
    tests alone, never the marked ones (the alone phase runs those)."""
    calls = []
    monkeypatch.setitem(run.RUNNERS, 'http', lambda build, part=None:
                        calls.append((build, part)) or (1, 0))
    argv = run.child_argv(('http', 'build', 'side'))
    assert argv[:2] == [sys.executable, RUN_PY], argv
    monkeypatch.setattr(sys, 'argv', ['run.py'] + argv[2:])
    monkeypatch.delenv('CI', raising=False)
    assert run.main() == 0, capsys.readouterr().out
    assert calls == [('build', 'side')], calls


def test_a_lane_ending_without_its_closing_line_is_one_failure(
        fake_lanes, capsys):
    fake_lanes.update(a=('b', '5', 'crash', 'no', ''),
                      b=('a', '1', '0', 'no', ''))
    passed, failed = run.run_lanes([('unit', 'a', None),
                                    ('unit', 'b', None)], 2)
    out = capsys.readouterr().out
    assert (passed, failed) == (1, 1), out
    assert 'unit on a: ended without its closing line (exit status 1)' \
        in out
    assert 'a line 3' in out            # what it printed is kept


def test_a_lane_exiting_non_zero_with_nothing_failed_is_a_failure(
        fake_lanes, capsys):
    fake_lanes.update(a=('b', '5', '0', 'no', '2'),
                      b=('a', '1', '0', 'no', '2'))
    passed, failed = run.run_lanes([('unit', 'a', None),
                                    ('unit', 'b', None)], 2)
    assert (passed, failed) == (6, 2), capsys.readouterr().out


def test_a_real_lane_runs_this_script_on_its_suite(monkeypatch, tmp_path):
    """run.py itself as the lane: the fuzz suite of a build without
    targets, each target one failure, and no closing line left in the
    lane's output."""
    for k in ('CI', 'FUZZ_TARGETS', 'FUZZ_SECONDS', 'FUZZ_JOBS'):
        monkeypatch.delenv(k, raising=False)
    targets = len([f for f in os.listdir(os.path.join(ROOT, 'tests', 'fuzz'))
                   if f.startswith('fuzz_') and f.endswith('.c')])
    passed, failed, text = run.run_child(('fuzz', str(tmp_path), None))
    assert (passed, failed) == (0, targets), text
    lines = text.splitlines()
    assert lines[0] == f'== fuzz tests on {tmp_path}', text
    assert lines[-1] == f'== fuzz on {tmp_path}: 0 passed, {targets} failed'


def test_a_phase_with_nothing_to_run_fails():
    p = subprocess.run([sys.executable, RUN_PY, '--phase', 'side',
                        '--suite', 'fuzz:build-fuzz'], capture_output=True,
                       text=True, timeout=60,
                       env={k: v for k, v in os.environ.items()
                            if k != 'CI'})
    assert p.stdout.splitlines()[-1] == '0 passed, 1 failed', p.stdout
    assert p.returncode == 1


def suites_of_test_sh():
    with open(os.path.join(ROOT, 'scripts', 'test.sh')) as f:
        return re.findall(r'--suite "([^"]+)"', f.read())


def test_the_plan_runs_every_suite_once_and_splits_the_marked_ones():
    specs = suites_of_test_sh()
    assert len(specs) >= 10, specs
    side, alone = run.plan(specs, split=True)
    for spec in specs:
        kind, build, only = run.parse_spec(spec)
        pieces = [p for p in side + alone if p[:2] == (kind, build)]
        if only:
            assert pieces == [(kind, build, only)], spec
            assert pieces[0] in (alone if only == 'alone' else side), spec
        elif kind in run.SPLIT:
            assert sorted(p[2] for p in pieces) == ['alone', 'side'], spec
            assert (kind, build, 'side') in side, spec
        else:
            assert [p[2] for p in pieces] == [None], spec
    assert [p[0] for p in alone if p[0] not in run.SPLIT] == ['fuzz']
    # Unsplit, every suite runs whole, in turn, as given.
    assert run.plan(specs, split=False) == (
        [run.parse_spec(s) for s in specs], [])
    # A part named in the spec is all that runs of that suite.
    assert run.plan(['http:b:alone', 'http:b2'], split=True) == (
        [('http', 'b2', 'side')],
        [('http', 'b', 'alone'), ('http', 'b2', 'alone')])


def test_a_part_only_for_a_split_suite():
    for spec in ('unit:build:alone', 'http:build:middle'):
        p = subprocess.run([sys.executable, RUN_PY, '--suite', spec],
                           capture_output=True, text=True, timeout=60)
        assert p.returncode == 2, (spec, p.stdout, p.stderr)
        assert 'have parts' in p.stderr, p.stderr


def test_no_two_pieces_write_one_report():
    side, alone = run.plan(suites_of_test_sh(), split=True)
    paths = [run.report_path(k, b, p) for k, b, p in side + alone
             if k in run.SPLIT]
    assert len(paths) == len(set(paths)), paths


def collected(folder, marks=None):
    """The node ids pytest collects in FOLDER (with -m MARKS)."""
    p = subprocess.run(
        [sys.executable, '-m', 'pytest', '--collect-only', '-q',
         '-p', 'no:cacheprovider', folder] + (['-m', marks] if marks else []),
        cwd=ROOT, capture_output=True, text=True, timeout=120,
        env={k: v for k, v in os.environ.items() if k != 'PYTEST_ADDOPTS'})
    assert p.returncode == 0, p.stdout[-3000:] + p.stderr[-3000:]
    return [l for l in p.stdout.splitlines() if '::' in l]


@pytest.mark.parametrize('folder', ['tests/http', 'tests/multinode'])
def test_the_two_parts_hold_every_test_once(folder):
    every = collected(folder)
    parts = {part: collected(folder, marks)
             for part, marks in run.PART_MARKS.items()}
    side, alone = set(parts['side']), set(parts['alone'])
    assert alone and side, parts
    assert not side & alone, sorted(side & alone)
    assert sorted(side | alone) == sorted(every)
    assert len(parts['side']) + len(parts['alone']) == len(every)


def test_a_part_runs_only_its_tests(tmp_path):
    suite = tmp_path / 'suite'
    suite.mkdir()
    (suite / 'conftest.py').write_text(textwrap.dedent('''
        def pytest_configure(config):
            config.addinivalue_line("markers", "alone(why): alone")
    '''))
    (suite / 'test_x.py').write_text(textwrap.dedent('''
        import pytest
        def test_one(): pass
        def test_two(): pass
        @pytest.mark.alone("why")
        def test_alone(): pass
    '''))
    env = {k: v for k, v in os.environ.items() if k != 'PYTEST_ADDOPTS'}
    got = {part: run.pytest_counts(str(suite), str(tmp_path / f'{part}.xml'),
                                   env, timeout=60, marks=marks)
           for part, marks in run.PART_MARKS.items()}
    assert got == {'side': (2, 0), 'alone': (1, 0)}


@pytest.mark.parametrize('mark,says', [
    ('@pytest.mark.alon("a typo")', "'alon' not found in `markers`"),
    ('@pytest.mark.alone', 'needs its reason'),
    ('@pytest.mark.alone("  ")', 'needs its reason'),
])
def test_a_misspelt_or_unexplained_alone_stops_the_suite(tmp_path, mark,
                                                         says):
    """tests/http/alone.py as both suites' conftests use it: a misspelt
    marker would leave its test side by side, and one without its reason
    leaves the next reader guessing; each is an error at collection."""
    suite = tmp_path / 'suite'
    suite.mkdir()
    (suite / 'conftest.py').write_text(textwrap.dedent(f'''
        import sys
        sys.path.insert(0, {os.path.join(ROOT, 'tests', 'http')!r})
        import alone
        def pytest_configure(config):
            alone.register(config)
        def pytest_collection_modifyitems(items):
            alone.check_reasons(items)
    '''))
    (suite / 'test_x.py').write_text(f'import pytest\n{mark}\n'
                                     'def test_it(): pass\n')
    p = subprocess.run([sys.executable, '-m', 'pytest', '--collect-only',
                        '-q', '-p', 'no:cacheprovider', str(suite)],
                       capture_output=True, text=True, timeout=60,
                       env={k: v for k, v in os.environ.items()
                            if k != 'PYTEST_ADDOPTS'})
    assert p.returncode != 0, p.stdout
    assert says in p.stdout + p.stderr, p.stdout + p.stderr
