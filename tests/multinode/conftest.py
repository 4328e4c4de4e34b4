"""Fixtures for the two-node suite: keygate as several `keygate serve`
processes ("nodes") on one PostgreSQL database, behaving as one server,
with Debian's nginx in front running deploy/nginx/keygate.conf.

- `cluster`: per test module, a fresh database on the cluster whose admin
  URL is in KEYGATE_TEST_PG, two nodes on it (cluster.a, cluster.b, each a
  kgtest.Server, both with --test-clock and --issuer set to nginx's address)
  and nginx in front (cluster.front, which the helpers take for a server).
  The module's tests must not move its clocks (cheap state only).
- `make_cluster(*flags, nginx=False)`: a fresh database and two fresh
  nodes for one test (clocks, outages...).

Tests that need the machine to themselves carry `@pytest.mark.alone("why")`
(tests/http/alone.py), as in tests/http.

The helpers of tests/http (kgtest, oauthkit) are used as they are; mnkit
adds nginx, clocks moved together and `on(obj, node)` to point an app or a
browser at another node. Every node gets SIGTERM at teardown and must exit
0.

Run, from the top of the checkout:
    KEYGATE_TEST_PG=$(scripts/pg_cluster.sh start /tmp/kgpg) \\
        /usr/bin/python3 -m pytest -q tests/multinode
    scripts/pg_cluster.sh destroy /tmp/kgpg
(test_outage.py starts and stops a cluster of its own; test_failover.py
makes a primary and its standby with scripts/pg_pair.sh, a fresh pair
for each of its rounds.)
"""

import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "http"))

import alone  # noqa: E402
import kgtest  # noqa: E402
import mnkit  # noqa: E402


def pytest_configure(config):
    alone.register(config)


def pytest_collection_modifyitems(items):
    alone.check_reasons(items)


@pytest.fixture(scope="session", autouse=True)
def _prerequisites():
    if not os.access(kgtest.BINARY, os.X_OK):
        pytest.exit(f"no keygate binary at {kgtest.BINARY}; build it with "
                    f"`ninja -C build` or set KEYGATE_BIN", returncode=2)
    if not os.access(mnkit.NGINX, os.X_OK):
        pytest.exit(f"no {mnkit.NGINX}: apt-get install nginx", returncode=2)
    url = kgtest.pg_admin_url()
    if url is None:
        pytest.exit(f"{kgtest.PG_ENV} is not set: the two-node suite needs "
                    f"the admin URL of a PostgreSQL cluster "
                    f"(scripts/pg_cluster.sh start DIR prints one)",
                    returncode=2)
    try:
        import psycopg2
        psycopg2.connect(url).close()
    except Exception as e:      # ImportError or any connection failure
        pytest.exit(f"{kgtest.PG_ENV}={url} is unusable: {e}", returncode=2)


def _stop(cluster):
    problems = cluster.stop()
    if problems:
        pytest.fail("\n".join(problems))


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    c = mnkit.start_cluster(tmp_path_factory.mktemp)
    yield c
    _stop(c)


@pytest.fixture
def make_cluster(tmp_path_factory):
    started = []

    def make(*flags, nginx=False, **kw):
        c = mnkit.start_cluster(tmp_path_factory.mktemp, *flags,
                                nginx=nginx, **kw)
        started.append(c)
        return c

    yield make
    problems = []
    for c in started:
        problems += c.stop()
    if problems:
        pytest.fail("\n".join(problems))
