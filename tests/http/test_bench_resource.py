"""The bench's check_resource pieces, run for real: keygate-bench-fill
--resource giving the access tokens a registered resource's bits as the
store holds them (not bits it assumes), a server passing those tokens for
the built-in API and for that resource alike, and bench.lua's KG_HEADER
sending the X-Keygate-Resource header (where wrk is installed)."""

import json
import os
import shutil
import subprocess

import pytest
import requests

from kgtest import bench_tool, fresh_pg_db, pg_admin_url, run_cli, \
    start_server

LUA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                   "bench", "wrk", "bench.lua")

URI = "https://api.example.test/bench"
OTHER = "https://other.example.test/api"


def fill(db, out, *args):
    return subprocess.run([bench_tool("fill"), "--db", str(db), "--out",
                           str(out), *map(str, args)], capture_output=True,
                          text=True, timeout=60)


def add(db, uri, *scopes):
    args = ["resource", "add", uri, "--name", "Bench", "--db", str(db)]
    for s in scopes:
        args += ["--scope", s]
    p = run_cli(*args, timeout=30)
    assert p.returncode == 0, p.stderr


def test_fill_refuses_a_resource_not_registered(tmp_path):
    p = fill(tmp_path / "kg.db", tmp_path / "o", "--tokens", 1,
             "--resource", URI)
    assert p.returncode == 1 and "--resource" in p.stderr, p


@pytest.fixture(scope="module")
def filled(tmp_path_factory):
    """Another resource registered first (so the bench's does not get the
    first bits), then the bench's, 20 tokens filled for it, a server on
    the store: (server, the filler's folder, fill.json)."""
    tmp = tmp_path_factory.mktemp("bench-resource")
    db = fresh_pg_db() if pg_admin_url() else str(tmp / "kg.db")
    out = tmp / "o"
    add(db, OTHER, "other:a First", "other:b Second")
    add(db, URI, "bench:read What the bench reads")
    p = fill(db, out, "--tokens", 20, "--resource", URI)
    assert p.returncode == 0, p.stderr
    with open(out / "fill.json") as f:
        got = json.load(f)
    srv = start_server(tmp, db=db, issuer=True)
    yield srv, out, got
    srv.stop()


def check(srv, tok, resource=None):
    h = {"Authorization": "Bearer " + tok}
    if resource:
        h["X-Keygate-Resource"] = resource
    return requests.get(srv.url("/oauth2/check"), headers=h, timeout=10)


def test_fill_reads_the_bits_back(filled):
    _, _, got = filled
    # the other resource holds bits 8 (audience), 9 and 10; the bench's
    # gets 11 and 12, beside the built-in scopes and audience (0-7)
    assert got["access_scope"] == 0xff | 1 << 11 | 1 << 12, got


def test_the_tokens_pass_for_both_audiences_only(filled):
    srv, out, _ = filled
    tok = (out / "access.txt").read_text().split()[0]
    assert check(srv, tok).status_code == 200
    r = check(srv, tok, URI)
    assert r.status_code == 200, r.text
    # the scopes of the resource called only (docs/REFERENCE.md §3.6)
    assert r.headers["X-Keygate-Scope"] == "bench:read", r.headers
    assert check(srv, tok, OTHER).status_code == 401


def wrk(srv, access, tmp_path, header):
    result = tmp_path / "r.json"
    env = dict(os.environ, KG_MODE="bearer", KG_PATH="/oauth2/check",
               KG_FILE=str(access), KG_THREADS="1",
               KG_RESULT=str(result), KG_HEADER=header)
    p = subprocess.run(["wrk", "-t1", "-c2", "-d1s", "-s", LUA,
                        srv.url("")], env=env, capture_output=True,
                       text=True, timeout=30)
    assert p.returncode == 0, p.stderr
    return json.loads(result.read_text())


@pytest.mark.parametrize("resource,status", [(URI, "200"), (OTHER, "401")])
def test_wrk_sends_kg_header(filled, tmp_path, resource, status):
    assert shutil.which("wrk"), "wrk (bench/setup.sh) drives the bench"
    srv, out, _ = filled
    r = wrk(srv, out / "access.txt", tmp_path,
            "X-Keygate-Resource: " + resource)
    # every answer as the header asks: sent on every request
    assert r["responses"] > 0 and list(r["status"]) == [status], r
