"""The command line: serve defaults, help, version, flag errors, migrate,
account add."""

import re
import sqlite3
import subprocess
import time

import pytest
import requests

from kgtest import (BINARY, PASSWORD, Browser, clean_env, create_pat,
                    fresh_pg_db, pg_admin_url,
                    free_port, port_is_free, run_cli, start_server,
                    unique_email, signup)

SERVE_FLAGS = ["--listen", "--metrics-listen", "--db", "--issuer", "--brand", "--no-signup",
               "--signup-rate", "--test-clock", "--token-unused-ttl",
               "--token-idle-ttl", "--token-max-ttl", "--refresh-retry-window",
               "--refresh-idle-ttl", "--connection-timeout",
               "--connections-per-address", "--hash-threads",
               "--hash-queue"]


# The defaults are fixed ports: the same test of another suite beside this
# one would hold them.
@pytest.mark.alone("the fixed ports 8080 and 9464")
def test_serve_without_flags_uses_keygate_db_and_port_8080(tmp_path):
    for port in (8080, 9464):
        if not port_is_free("127.0.0.1", port):
            pytest.fail(f"127.0.0.1:{port} is busy (another keygate or "
                        f"service?); this test needs it free to check "
                        f"`keygate serve` defaults")
    log = open(tmp_path / "serve.log", "wb")
    proc = subprocess.Popen([BINARY, "serve"], cwd=tmp_path, env=clean_env(),
                            stdout=log, stderr=log, stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        status = None
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                status = requests.get("http://127.0.0.1:8080/healthz",
                                      timeout=1).status_code
                if status == 200:
                    break
            except requests.RequestException:
                pass
            time.sleep(0.05)
        assert status == 200, (
            f"no 200 from 127.0.0.1:8080/healthz (exit "
            f"{proc.poll()}): {(tmp_path / 'serve.log').read_text()}")
        assert (tmp_path / "keygate.db").is_file()
        # without --test-clock the test clock does not exist
        r = requests.post("http://127.0.0.1:8080/_test/clock",
                          data={"advance": "10"}, timeout=5)
        assert r.status_code == 404
        # /metrics on 127.0.0.1:9464, not on the public port
        r = requests.get("http://127.0.0.1:9464/metrics", timeout=5)
        assert r.status_code == 200 and "keygate_" in r.text
        r = requests.get("http://127.0.0.1:8080/metrics", timeout=5)
        assert r.status_code == 404
    finally:
        proc.terminate()
        try:
            rc = proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            rc = "hung"
        log.close()
    assert rc == 0


@pytest.mark.parametrize("args", [["--help"], ["serve", "--help"]],
                         ids=["keygate", "serve"])
def test_help_lists_every_serve_flag(args):
    p = run_cli(*args)
    assert p.returncode == 0, p.stderr
    missing = [f for f in SERVE_FLAGS
               if not re.search(re.escape(f) + r"(?![\w-])", p.stdout)]
    assert missing == [], f"`keygate {' '.join(args)}` omits {missing}"


def test_version():
    p = run_cli("--version")
    assert p.returncode == 0
    assert re.match(r"^keygate \d+\.\d+\.\d+", p.stdout), p.stdout


@pytest.mark.parametrize("args", [
    ["serve", "--no-such-flag"],
    ["serve", "--listen"],                      # flag without its value
    ["serve", "--signup-rate", "lots"],
    ["migrate", "--no-such-flag"],
    ["--no-such-flag"],
    ["no-such-command"],
])
def test_bad_command_line_exits_2(args, tmp_path):
    p = run_cli(*args, cwd=tmp_path, timeout=10)
    assert p.returncode == 2, (p.returncode, p.stdout, p.stderr)
    assert p.stderr.strip() != ""
    assert not (tmp_path / "keygate.db").exists()


@pytest.mark.parametrize("host", ["0.0.0.0", "[::]"])
def test_test_clock_refused_off_loopback(host, tmp_path):
    port = free_port()
    try:
        p = run_cli("serve", "--listen", f"{host}:{port}", "--test-clock",
                    "--db", str(tmp_path / "k.db"), cwd=tmp_path, timeout=5)
    except subprocess.TimeoutExpired:
        pytest.fail(f"keygate serve --test-clock --listen {host}:{port} "
                    f"started instead of refusing")
    assert p.returncode != 0
    assert "test-clock" in p.stderr


def test_migrate_creates_the_schema(tmp_path):
    db = tmp_path / "m.db"
    p = run_cli("migrate", "--db", str(db), cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    assert db.is_file()
    with sqlite3.connect(db) as conn:
        tables = {r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert tables, "migrate left an empty database"
    # a second run is a no-op that still succeeds
    p = run_cli("migrate", "--db", str(db), cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    # and a server can use the file as it is
    srv = start_server(tmp_path, db=db)
    try:
        assert signup(srv, unique_email()).status_code == 201
    finally:
        assert srv.stop() == 0


def test_account_add_then_log_in_over_http(tmp_path):
    db = tmp_path / "a.db"
    email = unique_email("cli")
    p = run_cli("account", "add", "--email", email.upper(), "--db", str(db),
                input=PASSWORD + "\n", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    assert PASSWORD not in p.stdout + p.stderr
    srv = start_server(tmp_path, db=db)
    try:
        r = create_pat(srv, email, PASSWORD)
        assert r.status_code == 201, r.text
        with Browser(srv) as b:
            assert b.login(email).status_code == 303
            assert email in b.home()
    finally:
        assert srv.stop() == 0


@pytest.mark.parametrize("stdin", ["short\n", "", "\n"],
                         ids=["short", "empty", "blank-line"])
def test_account_add_refuses_bad_password(stdin, tmp_path):
    db = tmp_path / "a.db"
    email = unique_email("cli")
    p = run_cli("account", "add", "--email", email, "--db", str(db),
                input=stdin, cwd=tmp_path)
    assert p.returncode != 0
    srv = start_server(tmp_path, db=db)
    try:
        assert signup(srv, email).status_code == 201, "account was stored"
    finally:
        assert srv.stop() == 0


def test_account_add_refuses_taken_email(tmp_path):
    db = tmp_path / "a.db"
    email = unique_email("cli")
    args = ("account", "add", "--email", email, "--db", str(db))
    assert run_cli(*args, input=PASSWORD + "\n", cwd=tmp_path).returncode == 0
    p = run_cli(*args, input="another password\n", cwd=tmp_path)
    assert p.returncode != 0
    assert p.stderr.strip() != ""


DB_COMMANDS = [["serve"], ["migrate"], ["gc"],
               ["app", "list", "--email", "a@example.com"]]


@pytest.mark.parametrize("command", DB_COMMANDS)
@pytest.mark.parametrize("form", ["split", "joined", "query"])
def test_db_password_on_the_command_line_is_refused(command, form):
    """A database password in --db is on the command line, where `ps`
    shows it: refused with a usage error naming KEYGATE_DB, before any
    connection is tried (port 1 would answer 'connection refused')."""
    url = ("postgres://kg:hunter2-db@127.0.0.1:1/kg" if form != "query"
           else "postgres://kg@127.0.0.1:1/kg?password=hunter2-db")
    flags = ["--db=" + url] if form == "joined" else ["--db", url]
    p = run_cli(*command, *flags)
    assert p.returncode == 2, (p.returncode, p.stdout, p.stderr)
    assert "hunter2-db" not in p.stderr + p.stdout
    if command[0] == "app" and form == "joined":
        # `keygate app` takes its flags split only: refused as a bad
        # flag, named without its value
        assert "bad or incomplete flag --db\n" in p.stderr, p.stderr
    else:
        assert "KEYGATE_DB" in p.stderr and "(ps)" in p.stderr, p.stderr


def test_db_password_in_the_environment_is_used(tmp_path):
    """The same URL in KEYGATE_DB goes on to the connection (which fails
    here, on port 1, with the password redacted from the message)."""
    p = run_cli("migrate", env={
        "KEYGATE_DB": "postgres://kg:hunter2-db@127.0.0.1:1/kg"})
    assert p.returncode not in (0, 2), (p.returncode, p.stderr)
    assert "(ps)" not in p.stderr, p.stderr
    assert "hunter2-db" not in p.stderr + p.stdout


def test_db_without_a_password_on_the_command_line_is_used(tmp_path):
    db = tmp_path / "kg.db"
    p = run_cli("migrate", "--db", str(db))
    assert p.returncode == 0, p.stderr
    assert db.exists()


def test_migrate_names_its_store_without_the_password(tmp_path):
    """`keygate migrate` says which store is up to date; deploy jobs keep
    that line, so a password in the URL is not in it (on PostgreSQL a
    ?password= that the test cluster's trust authentication ignores; on
    SQLite the path as given)."""
    if pg_admin_url():
        bare = fresh_pg_db()
        url = bare + "?password=hunter2-db"
    else:
        bare = url = str(tmp_path / "kg.db")
    p = run_cli("migrate", env={"KEYGATE_DB": url})
    assert p.returncode == 0, p.stderr
    assert p.stdout == f"{bare} is up to date\n", p.stdout
    assert "hunter2-db" not in p.stdout + p.stderr
