"""Files keygate creates are readable by their owner only (issue 18, item
6): the SQLite database, its -wal and -shm, whatever the umask keygate was
started with; a database found with a looser mode is tightened, with a
log line. SQLite files only: these tests give the server a file even when
KEYGATE_TEST_PG is set."""

import os
import stat
import subprocess

import pytest

from kgtest import bench_tool, new_account, run_cli


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def loose_umask():
    """Runs the test (and every process it starts) under umask 022, the
    usual default, which would leave new files 0644."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def assert_private(db):
    for path in (db, db + "-wal", db + "-shm"):
        assert os.path.exists(path), path
        assert mode(path) == 0o600, (path, oct(mode(path)))


def test_serve_creates_its_files_0600(make_server, tmp_path, loose_umask):
    db = str(tmp_path / "keygate.db")
    srv = make_server(db=db)
    new_account(srv, "modes")
    assert_private(db)


def test_an_existing_loose_database_is_tightened(make_server, tmp_path,
                                                 loose_umask):
    db = str(tmp_path / "keygate.db")
    r = run_cli("migrate", "--db", db)
    assert r.returncode == 0, r.stderr
    os.chmod(db, 0o644)
    srv = make_server(db=db)
    new_account(srv, "modes")
    assert_private(db)
    assert "now 0600" in srv.log(), srv.log()[-2000:]


def test_migrate_creates_the_database_0600(tmp_path, loose_umask):
    db = str(tmp_path / "keygate.db")
    r = run_cli("migrate", "--db", db)
    assert r.returncode == 0, r.stderr
    assert mode(db) == 0o600, oct(mode(db))


def test_migrate_tightens_a_loose_database(tmp_path, loose_umask):
    db = str(tmp_path / "keygate.db")
    assert run_cli("migrate", "--db", db).returncode == 0
    for m in (0o644, 0o666, 0o640):
        os.chmod(db, m)
        r = run_cli("migrate", "--db", db)
        assert r.returncode == 0, r.stderr
        assert mode(db) == 0o600, (oct(m), oct(mode(db)))
        assert "now 0600" in r.stderr, r.stderr


def test_leftover_wal_and_shm_are_tightened(tmp_path, loose_umask):
    """A -wal and -shm left by a crash of an older version, 0644, are made
    0600 when the database is next opened."""
    db = str(tmp_path / "keygate.db")
    assert run_cli("migrate", "--db", db).returncode == 0
    for suffix in ("-wal", "-shm"):
        with open(db + suffix, "wb"):
            pass
        os.chmod(db + suffix, 0o644)
    r = run_cli("gc", "--db", db)
    assert r.returncode == 0, r.stderr
    for suffix in ("-wal", "-shm"):
        assert f"{db}{suffix} was mode 0644" in r.stderr, r.stderr
    # SQLite may have removed them on closing; what is left is private
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(db + suffix):
            assert mode(db + suffix) == 0o600, (suffix, oct(mode(db + suffix)))


def test_account_add_creates_the_database_0600(tmp_path, loose_umask):
    db = str(tmp_path / "keygate.db")
    r = run_cli("account", "add", "--db", db, "--email", "modes@example.com",
                input="correct horse battery staple\n")
    assert r.returncode == 0, r.stderr
    assert mode(db) == 0o600, oct(mode(db))


def test_client_token_file_and_its_folder_are_private(make_server, tmp_path):
    """Already so before issue 18 (the library creates the file 0600 and
    fchmods it); pinned here under the loosest umask, for the default
    place too ($XDG_CONFIG_HOME/keygate, made 0700)."""
    from clientkit import World
    old = os.umask(0)
    try:
        w = World(make_server, tmp_path)
        w.login(secret_via="env")
        assert mode(w.file) == 0o600, oct(mode(w.file))
        xdg = tmp_path / "xdg"
        r = run_cli("client", "status", env={"XDG_CONFIG_HOME": str(xdg)})
        assert mode(xdg / "keygate") == 0o700, oct(mode(xdg / "keygate"))
    finally:
        os.umask(old)
    assert r.returncode != 0, "no tokens there yet"


def test_bench_fill_writes_its_tokens_0600(tmp_path, loose_umask):
    """The bench's filler writes live access tokens and the app's secret
    (client.txt) beside its database: owner only, like the database."""
    out = tmp_path / "out"
    p = subprocess.run([bench_tool("fill"), "--db", str(tmp_path / "kg.db"),
                        "--out", str(out), "--tokens", "5"],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert mode(out) == 0o700, oct(mode(out))
    names = sorted(os.listdir(out))
    assert "client.txt" in names and "access.txt" in names, names
    for name in names:
        assert mode(out / name) == 0o600, (name, oct(mode(out / name)))
    assert "\nsecret=" in (out / "client.txt").read_text()
