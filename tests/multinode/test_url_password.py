"""No secret is ever logged. The database password in the store's URL is
one: keygate prints the URL (start-up, migrations) with the password
replaced, and a URL it cannot parse is reported without libpq's quote of
it. The URL comes in KEYGATE_DB: a --db flag with a password is refused
(tests/http/test_cli.py), since `ps` shows every process's arguments."""

from urllib.parse import urlsplit, urlunsplit

import kgtest
from kgtest import run_cli

PASSWORD = "Pw-d0-not-log"          # trust auth: any password is accepted


def with_password(url, password):
    parts = urlsplit(url)
    netloc = parts.netloc.replace("@", f":{password}@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def test_the_password_in_the_url_is_never_logged(tmp_path):
    url = with_password(kgtest.fresh_pg_db(), PASSWORD)
    srv = kgtest.start_server(tmp_path, db=url, db_in_env=True)
    try:
        assert kgtest.new_account(srv)           # a write, through the pool
    finally:
        assert srv.stop() == 0
    log = srv.log()
    assert "applied" in log and ":***@" in log, log[-2000:]
    assert PASSWORD not in log


def test_a_malformed_url_is_refused_without_quoting_it(tmp_path):
    url = with_password(kgtest.fresh_pg_db(), "50%off" + PASSWORD)
    p = run_cli("migrate", env={"KEYGATE_DB": url}, timeout=20)
    assert p.returncode != 0
    assert "cannot be parsed" in p.stderr, p.stderr
    assert PASSWORD not in p.stdout + p.stderr
