"""The configuration file (docs/OPERATIONS.md): `keygate config check`
explains every problem with its line; `keygate serve --config` serves from
it, with variables and flags above it."""

import os
import subprocess

import requests

import kgtest
from kgtest import run_cli

GOOD = """\
# keygate.conf
[keygate]
db = {db}
listen = 127.0.0.1:{port}
signup_rate = 0
access-log = no   ; quiet
"""


def test_check_accepts_a_good_file(tmp_path):
    conf = tmp_path / "keygate.conf"
    conf.write_text(GOOD.format(db=tmp_path / "k.db", port=8080))
    r = run_cli("config", "check", str(conf))
    assert r.returncode == 0, r.stderr
    assert r.stdout == f"{conf}: ok\n"


def test_check_explains_every_problem_with_its_line(tmp_path):
    conf = tmp_path / "bad.conf"
    conf.write_text("db = a.db\nlisten = here\nthreads = many\n"
                    "[server]\ncolour = blue\ndb = b.db\nno equals sign\n")
    r = run_cli("config", "check", str(conf))
    assert r.returncode == 1, r.stdout
    lines = r.stderr.splitlines()
    assert lines == [
        f"{conf}:3: --threads wants a whole number from 0 to 256",
        f"{conf}:4: unknown section [server]: settings go at the top of "
        f"the file or under [keygate]",
        f"{conf}:5: unknown setting 'colour' (the settings are the flags "
        f"of keygate serve --help, without dashes)",
        f"{conf}:6: 'db' is set twice (first on line 1)",
        f"{conf}:7: expected NAME = VALUE",
        f"{conf}: 5 problems",
    ], r.stderr


def test_check_applies_the_rules_between_settings(tmp_path):
    conf = tmp_path / "cross.conf"
    conf.write_text("listen = 127.0.0.1:8080\ntest-clock = yes\n"
                    "listen = 0.0.0.0:8080\n")
    assert run_cli("config", "check", str(conf)).returncode == 1
    conf.write_text("listen = 0.0.0.0:8080\ntest-clock = yes\n")
    r = run_cli("config", "check", str(conf))
    assert r.returncode == 1
    assert "--test-clock is refused unless --listen is a loopback" in r.stderr


def test_check_usage_and_missing_file(tmp_path):
    assert run_cli("config").returncode == 2
    assert run_cli("config", "lint", "x").returncode == 2
    r = run_cli("config", "check", str(tmp_path / "none.conf"))
    assert r.returncode == 1
    assert "cannot read it: No such file or directory" in r.stderr


def serve(argv, cwd, env=None):
    full = kgtest.clean_env()
    # no /metrics listener on its default port, which another test's
    # server may hold
    full["KEYGATE_METRICS_LISTEN"] = "off"
    full.update(env or {})
    return subprocess.Popen([kgtest.BINARY, "serve", *argv], cwd=cwd,
                            env=full, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)


def served_on(port, proc):
    kgtest.wait_healthz("keygate", proc,
                        f"http://127.0.0.1:{port}/healthz",
                        lambda: "", 10)
    return requests.get(f"http://127.0.0.1:{port}/healthz").status_code


def stop(proc):
    proc.terminate()
    assert proc.wait(15) == 0


def test_serve_reads_the_file_and_flags_override_it(tmp_path):
    file_port, flag_port = kgtest.free_port(), kgtest.free_port()
    conf = tmp_path / "keygate.conf"
    conf.write_text(GOOD.format(db=tmp_path / "k.db", port=file_port))
    proc = serve(["--config", str(conf)], tmp_path)
    try:
        assert served_on(file_port, proc) == 200
    finally:
        stop(proc)
    assert os.path.exists(tmp_path / "k.db")
    proc = serve([f"--config={conf}", "--listen",
                  f"127.0.0.1:{flag_port}"], tmp_path)
    try:
        assert served_on(flag_port, proc) == 200
    finally:
        stop(proc)


def test_variables_override_the_file(tmp_path):
    file_port, env_port = kgtest.free_port(), kgtest.free_port()
    conf = tmp_path / "keygate.conf"
    conf.write_text(GOOD.format(db=tmp_path / "k.db", port=file_port))
    proc = serve([], tmp_path, {"KEYGATE_CONFIG": str(conf),
                                "KEYGATE_LISTEN": f"127.0.0.1:{env_port}"})
    try:
        assert served_on(env_port, proc) == 200
    finally:
        stop(proc)


def test_serve_refuses_a_bad_file_with_its_line(tmp_path):
    conf = tmp_path / "keygate.conf"
    conf.write_text("db = k.db\nsignup-rate = -4\n")
    proc = serve(["--config", str(conf)], tmp_path)
    assert proc.wait(10) == 2
    assert f"keygate serve: {conf}:2: --signup-rate wants" in \
        proc.stderr.read()
