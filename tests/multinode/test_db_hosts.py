"""--db with several hosts (docs/REFERENCE.md §7.1): libpq's
postgres://a,b/db tries the hosts in turn. keygate writes on every
connection, so with several hosts it connects only to a server that takes
writes: target_session_attrs=read-write is added when the URL says nothing,
a value that would accept a standby is refused (by `config check` and
`serve` alike, before any connection), and a pooled connection whose
server turned read-only is dropped and replaced like a lost one. The
failover itself, a standby promoted under load, is test_failover.py."""

from urllib.parse import urlsplit, urlunsplit

import psycopg2
import pytest
import requests

import kgtest
from kgtest import run_cli


def dead_port():
    """A loopback port nothing listens on (as good as a dead host)."""
    return kgtest.free_port()


def hosts_url(db, ports, query=""):
    """db's URL naming 127.0.0.1 at each of `ports`, in that order."""
    parts = urlsplit(db)
    user = parts.netloc.rsplit("@", 1)[0]
    hosts = ",".join(f"127.0.0.1:{p}" for p in ports)
    return urlunsplit(parts._replace(netloc=f"{user}@{hosts}", query=query))


def pg_port(db):
    return urlsplit(db).port


def config_check(tmp_path, db):
    conf = tmp_path / "db.conf"
    conf.write_text(f"db = {db}\nlisten = 127.0.0.1:8080\n")
    return conf, run_cli("config", "check", str(conf))


@pytest.mark.parametrize("query", [
    "", "target_session_attrs=read-write", "target_session_attrs=primary",
    "connect_timeout=2"])
def test_config_check_takes_several_hosts(tmp_path, query):
    db = "postgres://keygate@127.0.0.1:5432,127.0.0.1:5433/keygate"
    conf, r = config_check(tmp_path, db + ("?" + query if query else ""))
    assert r.returncode == 0, r.stderr
    assert r.stdout == f"{conf}: ok\n"


@pytest.mark.parametrize("attrs", ["any", "prefer-standby", "read-only",
                                   "standby"])
def test_several_hosts_that_may_pick_a_standby_are_refused(tmp_path, attrs):
    db = (f"postgres://keygate@db1.internal,db2.internal/keygate"
          f"?target_session_attrs={attrs}")
    conf, r = config_check(tmp_path, db)
    assert r.returncode == 1, r.stdout
    assert f"target_session_attrs={attrs}" in r.stderr, r.stderr
    assert "standby" in r.stderr, r.stderr
    # serve refuses it before any connection (no such hosts exist)
    r = run_cli("serve", "--listen", f"127.0.0.1:{kgtest.free_port()}",
                "--db", db, timeout=20)
    assert r.returncode != 0
    assert f"target_session_attrs={attrs}" in r.stderr, r.stderr


@pytest.mark.parametrize("attrs", ["read-only", "standby",
                                   "prefer-standby"])
def test_one_host_asking_for_a_standby_is_refused(tmp_path, attrs):
    _, r = config_check(tmp_path, f"postgres://db.internal/keygate"
                        f"?target_session_attrs={attrs}")
    assert r.returncode == 1
    assert "keygate needs the primary" in r.stderr, r.stderr


def test_one_host_with_any_is_accepted(tmp_path):
    _, r = config_check(tmp_path, "postgres://db.internal/keygate"
                        "?target_session_attrs=any")
    assert r.returncode == 0, r.stderr


def test_a_node_walks_the_host_list(tmp_path):
    db = kgtest.fresh_pg_db()
    url = hosts_url(db, [dead_port(), pg_port(db), dead_port()])
    srv = kgtest.start_server(tmp_path, db=url)
    try:
        assert kgtest.new_account(srv)          # a write, through the pool
    finally:
        assert srv.stop() == 0
    assert "127.0.0.1:" in srv.log()


def read_only(db, on):
    """Makes every new session of db's database read-only (or not), as a
    standby's are, and ends the sessions open now."""
    name = urlsplit(db).path.lstrip("/")
    conn = psycopg2.connect(kgtest.pg_admin_url())
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(f'ALTER DATABASE "{name}" SET '
                        f'default_transaction_read_only = '
                        f'{"on" if on else "off"}')
            if on:
                cur.execute("SELECT pg_terminate_backend(pid) FROM "
                            "pg_stat_activity WHERE datname = %s",
                            (name,))
    finally:
        conn.close()


def test_several_hosts_never_settle_on_a_read_only_server(tmp_path):
    db = kgtest.fresh_pg_db()
    assert kgtest.start_server(tmp_path, db=db).stop() == 0   # migrated
    read_only(db, True)
    port = pg_port(db)
    # the one server, twice: without read-write added, libpq would take it
    r = run_cli("serve", "--listen", f"127.0.0.1:{kgtest.free_port()}",
                "--db", hosts_url(db, [port, port]), timeout=30)
    assert r.returncode != 0
    assert "session is read-only" in r.stderr, r.stderr


def test_a_connection_turned_read_only_is_replaced(tmp_path):
    """One host, a server that turns read-only under the node (a standby
    where the primary was): writes answer 503 while it is, and once it
    takes writes again the node writes again without a restart (its pooled
    read-only connections dropped at their first refused write). libpq
    cannot tell a read-only server at connect time with one host and no
    target_session_attrs, so this is the pool's own guard."""
    db = kgtest.fresh_pg_db()
    srv = kgtest.start_server(tmp_path, db=db)
    try:
        assert kgtest.new_account(srv)
        read_only(db, True)
        codes = set()
        for _ in range(40):             # more than the pool's 16
            r = kgtest.signup(srv, kgtest.unique_email("ro"))
            codes.add(r.status_code)
        assert codes == {503}, codes
        read_only(db, False)
        codes = []
        for _ in range(40):
            r = kgtest.signup(srv, kgtest.unique_email("rw"))
            assert r.status_code in (201, 503), (r.status_code, r.text)
            codes.append(r.status_code)
        # A read-only connection is known at its first refused write,
        # and dropped then: at most one 503 per pooled connection (one
        # that only read meanwhile is found out later), and none once
        # they are replaced.
        assert codes.count(503) <= 16, codes
        assert set(codes[-10:]) == {201}, codes
        assert kgtest.new_account(srv)
        assert requests.get(srv.url("/healthz"), timeout=10).status_code \
            == 200
    finally:
        assert srv.stop() == 0
