"""Fixtures for keygate's black-box HTTP tests.

Each server is the real binary (KEYGATE_BIN, default build/src/keygate
of this checkout) started as
    keygate serve --listen 127.0.0.1:PORT --db TMP/keygate.db \
        --signup-rate 0 --test-clock [extra flags]
in its own temporary directory, with no KEYGATE_* variable in its
environment but KEYGATE_METRICS_LISTEN=127.0.0.1:MPORT, a free port of its
own for /metrics (`server.metrics_url`; a --metrics-listen flag overrides
it). At teardown it gets SIGTERM and must exit 0.

With KEYGATE_TEST_PG set to the admin URL of a throw-away PostgreSQL cluster
(scripts/pg_cluster.sh start DIR prints one), every server that is not given
a `db` gets `--db postgres://.../kg_<hex>` instead: a fresh, empty database
of its own (kgtest.fresh_pg_db()), and `server.db` is that URL. Tests about
the SQLite file itself pass their own file path and so stay on SQLite.

- `server`: one server per test module (cheap state only: the shared
  server's clock must not be moved and its failure throttles not filled).
- `make_server(*flags, test_clock=True, signup_rate="0", db=None)`: a fresh
  server for one test (throttles, clocks, shutdown...).
- `fresh_server`: make_server() with the defaults.
- `browser`: a kgtest.Browser on the module's server.
- `smtp`: a real SMTP server (smtpkit.SmtpServer, Debian's
  python3-aiosmtpd) on a free port, stopped after the test; keygate mails
  it with `make_server("--smtp-url", smtp.url)`.
- `@pytest.mark.alone("why")` (alone.py): a test that needs the machine to
  itself (a latency or CPU-share bound, a fixed port); `tests/run.py
  --lanes` runs it apart from the suites that run side by side. Unknown
  markers are errors.

Run, from the top of the checkout: /usr/bin/python3 -m pytest -q tests/http
(Debian's python3-pytest and python3-requests, and python3-psycopg2 for
PostgreSQL; nothing from pip). On PostgreSQL:
    KEYGATE_TEST_PG=$(scripts/pg_cluster.sh start /tmp/kgpg) \
        /usr/bin/python3 -m pytest -q tests/http
    scripts/pg_cluster.sh destroy /tmp/kgpg
"""

import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))

import alone  # noqa: E402
import kgtest  # noqa: E402


def pytest_configure(config):
    alone.register(config)


def pytest_collection_modifyitems(items):
    alone.check_reasons(items)


def _stop_and_check(srv):
    rc = srv.stop()
    if rc != 0:
        pytest.fail(f"keygate did not shut down cleanly on SIGTERM "
                    f"(exit {rc}); its log:\n{srv.log()[-4000:]}")


@pytest.fixture(scope="session", autouse=True)
def _binary_exists():
    if not os.access(kgtest.BINARY, os.X_OK):
        pytest.exit(f"no keygate binary at {kgtest.BINARY}; build it with "
                    f"`ninja -C build` or set KEYGATE_BIN", returncode=2)


@pytest.fixture(scope="session", autouse=True)
def _postgres_reachable():
    """With KEYGATE_TEST_PG set, one clear stop up front rather than every
    test failing on its own."""
    url = kgtest.pg_admin_url()
    if url is None:
        return
    try:
        import psycopg2
        psycopg2.connect(url).close()
    except Exception as e:      # ImportError or any connection failure
        pytest.exit(f"KEYGATE_TEST_PG={url} is unusable: {e}", returncode=2)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = kgtest.start_server(tmp_path_factory.mktemp("keygate"))
    yield srv
    _stop_and_check(srv)


@pytest.fixture
def make_server(tmp_path_factory):
    started = []

    def make(*flags, **kw):
        srv = kgtest.start_server(tmp_path_factory.mktemp("keygate"), *flags,
                                  **kw)
        started.append(srv)
        return srv

    yield make
    for srv in started:
        _stop_and_check(srv)


@pytest.fixture
def fresh_server(make_server):
    """A default server of its own for one test."""
    return make_server()


@pytest.fixture
def browser(server):
    with kgtest.Browser(server) as b:
        yield b


@pytest.fixture
def smtp():
    import smtpkit
    s = smtpkit.SmtpServer()
    yield s
    s.stop()
