"""libkeygate-client through small programs on its public API
(tests/client/client_harness.c, examples/client_example.c) against a real
keygate on the test clock: threads share one refresh, the token file
survives a kill in the middle of a save, and the example of
docs/CLIENT.md keeps calling across simulated days."""

import json
import os
import random
import signal
import subprocess

import pytest

import kgtest
from clientkit import EXAMPLE, H, HARNESS, World, mode


@pytest.fixture
def world(make_server, tmp_path):
    return World(make_server, tmp_path)


def run(argv, world, **kw):
    return subprocess.run(argv, env=dict(kgtest.clean_env(), **world.env),
                          capture_output=True, text=True, timeout=60, **kw)


def test_threads_needing_a_refresh_cause_one_refresh_request(world):
    world.login()
    world.call_ok()
    world.advance(2 * H)
    r = run([HARNESS, "threads", world.file, world.summary_url, "8"], world)
    assert r.returncode == 0, (r.stdout, r.stderr)
    lines = r.stdout.splitlines()
    assert lines[0] == "refreshes=1", r.stdout
    assert lines[1:] == ["status=200 rc=0"] * 8
    assert world.refreshes() == 1
    assert world.rejected_calls() == 0


def test_threads_meeting_a_401_cause_one_refresh_request(world):
    world.login()
    world.call_ok()
    from oauthkit import revoke
    assert revoke(world.app, world.tokens()["access_token"]).status_code == 200
    r = run([HARNESS, "threads", world.file, world.summary_url, "8"], world)
    assert r.returncode == 0, (r.stdout, r.stderr)
    assert r.stdout.splitlines()[0] == "refreshes=1", r.stdout
    assert world.refreshes() == 1


def test_token_file_survives_a_kill_during_save(world):
    world.login()
    before = world.tokens()
    rng = random.Random(7)
    for _ in range(30):
        p = subprocess.Popen([HARNESS, "save-loop", world.file],
                             env=kgtest.clean_env(), stdout=subprocess.PIPE,
                             text=True)
        last = 0
        for _ in range(rng.randint(1, 40)):
            last = int(p.stdout.readline().split()[1])
        # the loop does nothing but save: SIGKILL lands inside one
        p.send_signal(signal.SIGKILL)
        p.wait()
        p.stdout.close()
        assert mode(world.file) == 0o600
        with open(world.file) as f:
            saved = json.load(f)           # whole, never half-written
        assert saved["tokens"] == before
        assert saved["issuer"] == world.srv.base
    # and it still works against the server
    world.call_ok()
    assert world.refreshes() == 0
    assert last > 0


def test_example_program_keeps_calling_across_simulated_days(world):
    """The done-when of the issue: a program on the library alone calls
    the API across three simulated days, gaps of every kind between
    calls, and never sends an expired token nor fails a call."""
    world.login()
    p = subprocess.Popen([EXAMPLE, world.file, world.summary_url],
                         env=dict(kgtest.clean_env(), **world.env),
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    rng = random.Random(11)
    gaps = [0, 59 * 60, 2 * H, 1800, 3 * H, 24 * H, 7100, 7300, H + 1]
    gaps += [rng.choice([600, 1800, 3600, 5400, 7000, 7200, 9000])
             for _ in range(30)]
    elapsed = 0
    for n, gap in enumerate(gaps, 1):
        if gap:
            world.advance(gap)
            elapsed += gap
        p.stdin.write("call\n")
        p.stdin.flush()
        line = p.stdout.readline().split(" ", 2)
        assert line[:2] == [str(n), "200"], (line, p.stderr.read()
                                             if p.poll() is not None else "")
        assert json.loads(line[2])["email"] == world.user.email
    p.stdin.close()
    assert p.wait(timeout=30) == 0
    assert elapsed > 3 * 24 * H
    assert world.rejected_calls() == 0
    assert world.count("/v3/account/summary", status=200) == len(gaps)
    assert world.refreshes() >= 10


ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))


def test_docs_carry_the_example_verbatim():
    with open(os.path.join(ROOT, "examples", "client_example.c")) as f:
        example = f.read()
    with open(os.path.join(ROOT, "docs", "CLIENT.md")) as f:
        doc = f.read()
    assert "```c\n" + example + "```" in doc


def test_example_builds_from_the_pkg_config_file(tmp_path):
    """What an outside project does: the generated .pc file (its
    uninstalled twin, in the build) gives everything needed."""
    build = os.path.dirname(os.path.dirname(kgtest.BINARY))
    env = dict(os.environ, PKG_CONFIG_PATH=os.path.join(
        build, "meson-uninstalled"))
    flags = subprocess.run(["pkg-config", "--cflags", "--libs",
                            "keygate-client-uninstalled"], env=env,
                           capture_output=True, text=True, check=True)
    out = str(tmp_path / "example")
    # The sanitizer build's library needs its runtime in the program too.
    undef = subprocess.run(["nm", "-D", "--undefined-only", os.path.join(
        build, "client", "libkeygate-client.so")], capture_output=True,
        text=True, check=True).stdout
    san = ["-fsanitize=address,undefined"] if "__asan_init" in undef else []
    r = subprocess.run(["cc", "-std=c11", "-Wall", "-Wextra", "-Werror", *san,
                        os.path.join(ROOT, "examples", "client_example.c"),
                        "-o", out, *flags.stdout.split()],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    r = subprocess.run([out], capture_output=True, text=True, env=dict(
        os.environ, LD_LIBRARY_PATH=os.path.join(build, "client")))
    assert r.returncode == 2 and "usage" in r.stderr
