"""Nodes starting at the same moment on an EMPTY database all come up: the
migrations run under an advisory lock, once, and the server keys (CSRF,
the one-time secret page) that each node inserts if absent end up one set,
shared by all."""

import os

import psycopg2

import kgtest
import mnkit
from kgtest import Browser, find_csrf, logged_in_as, unique_email
from mnkit import on

ROUNDS = 3


def migration_versions():
    names = sorted(n for n in os.listdir(mnkit.MIGRATIONS)
                   if n.endswith(".sql"))
    assert names, mnkit.MIGRATIONS
    return [int(n.split("_", 1)[0]) for n in names]


def applied(db):
    conn = psycopg2.connect(db)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT version FROM schema_migrations "
                        "ORDER BY version")
            return [v for (v,) in cur.fetchall()]
    finally:
        conn.close()


def test_nodes_starting_together_on_an_empty_database(tmp_path_factory):
    want = migration_versions()
    for i in range(ROUNDS):
        db = kgtest.fresh_pg_db()
        nodes = mnkit.start_nodes(
            [tmp_path_factory.mktemp(f"together{i}-{k}") for k in range(3)],
            db, together=True)
        try:
            assert applied(db) == want, (i, applied(db), want)
            # exactly one node did the work, the others found it done
            said = [n.log().count("applied ") for n in nodes]
            assert sorted(said) == [0] * (len(nodes) - 1) + [1], \
                (i, said, [n.log() for n in nodes])
            assert f"applied {len(want)} migration(s)" in \
                nodes[said.index(1)].log()
            # one CSRF key for all: a form from one node posts to another
            email = unique_email("together")
            b = Browser(nodes[0])
            csrf = find_csrf(b.get("/signup").text)
            r = on(b, nodes[1]).post("/signup", data={
                "csrf_token": csrf, "email": email,
                "password": kgtest.PASSWORD})
            assert r.status_code == 303, (r.status_code, r.text[:300])
            assert logged_in_as(on(b, nodes[2]).home(), email)
            b.close()
        finally:
            problems = [f"{n.base}: {rc}" for n in nodes
                        if (rc := n.stop()) != 0]
        assert not problems, problems
