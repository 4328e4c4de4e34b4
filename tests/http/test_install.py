"""`make install PREFIX=... DESTDIR=...` (docs/OPERATIONS.md): the binary,
keygate(1) listing every command, the sandboxed systemd unit and the
example settings, staged under a temporary DESTDIR."""

import os
import re
import subprocess

import pytest

import kgtest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
PREFIX = "/usr/local"    # the build's own: installing reconfigures nothing


def build_dir():
    # KEYGATE_BIN is BUILD/src/keygate
    return os.path.relpath(os.path.dirname(os.path.dirname(
        os.path.abspath(kgtest.BINARY))), ROOT)


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """One `make install` for the module: its tests only read what it
    staged, and an install takes seconds (the module took 32 s with one
    per test, 12 s with this one)."""
    return install(tmp_path_factory.mktemp("install"))


def install(tmp_path):
    dest = tmp_path / "stage"
    r = subprocess.run(["make", "-s", "install", f"BUILD={build_dir()}",
                        f"PREFIX={PREFIX}", f"DESTDIR={dest}"], cwd=ROOT,
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    return str(dest) + PREFIX


def commands():
    """The commands `keygate --help` lists."""
    out = subprocess.run([kgtest.BINARY, "--help"], capture_output=True,
                         text=True).stdout
    block = out.split("commands:\n")[1].split("\n\n")[0]
    return [m.group(1) for m in re.finditer(r"^  ([a-z]+)", block, re.M)]


def test_make_install_stages_every_file(installed):
    root = installed
    binary = os.path.join(root, "bin", "keygate")
    assert os.access(binary, os.X_OK)
    v = subprocess.run([binary, "--version"], capture_output=True, text=True)
    assert re.fullmatch(r"keygate \d+\.\d+\.\d+\n", v.stdout), v.stdout
    for rel in ("share/man/man1/keygate.1",
                "lib/systemd/system/keygate.service",
                "etc/keygate/keygate.conf",
                "share/doc/keygate/examples/keygate-guard.conf"):
        assert os.path.isfile(os.path.join(root, rel)), rel
    conf = os.path.join(root, "etc", "keygate", "keygate.conf")
    assert os.stat(conf).st_mode & 0o007 == 0, "others may not read it"
    r = subprocess.run([binary, "config", "check", conf],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


def test_unit_is_sandboxed_and_names_the_installed_files(installed):
    root = installed
    with open(os.path.join(root, "lib/systemd/system/keygate.service")) as f:
        unit = f.read()
    assert "@" not in unit.replace("@system-service", "").replace(
        "@privileged", "").replace("@resources", ""), "unsubstituted"
    assert f"ExecStart={PREFIX}/bin/keygate serve --config " \
        f"{PREFIX}/etc/keygate/keygate.conf\n" in unit
    for line in ("DynamicUser=yes", "StateDirectory=keygate",
                 "ProtectSystem=strict", "NoNewPrivileges=yes",
                 "ProtectHome=yes", "PrivateTmp=yes",
                 "CapabilityBoundingSet=\n", "WorkingDirectory=/var/lib/keygate"):
        assert line in unit, line
    r = subprocess.run(["systemd-analyze", "--man=no", "verify",
                        os.path.join(root, "lib/systemd/system/"
                                     "keygate.service")],
                       capture_output=True, text=True, timeout=60)
    # only the binary's absence from the real /usr/local may be reported
    problems = [l for l in r.stderr.splitlines()
                if l.strip() and "is not executable" not in l
                and "No such file" not in l and "Command " not in l]
    assert problems == [], r.stderr


def test_man_page_renders_and_lists_every_command(installed):
    root = installed
    page = os.path.join(root, "share/man/man1/keygate.1")
    r = subprocess.run(["groff", "-man", "-Tutf8", "-ww", "-z", page],
                       capture_output=True, text=True)
    assert r.returncode == 0 and r.stderr == "", r.stderr
    with open(page) as f:
        text = f.read()
    cmds = commands()
    assert len(cmds) >= 8, cmds
    for cmd in cmds:
        assert re.search(rf"^\.B {cmd}\b", text, re.M), cmd
    assert "keygate_http_requests_total" in text
