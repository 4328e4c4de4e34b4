"""keygate-bench-sign (bench/sign.c), the bench's "where an id_token's
time goes", run for real: keys opened as `keygate serve` opens them, one
line of CPU figures per alg, nothing left behind, bad usage refused."""

import json
import os
import subprocess

import pytest

from kgtest import bench_tool

ALGS = ["RS256", "ES256", "EdDSA"]


def sign(*args, timeout=60):
    return subprocess.run([bench_tool("sign"), *map(str, args)],
                          capture_output=True, text=True, timeout=timeout)


def test_sign_prints_one_line_of_figures_per_alg(tmp_path):
    p = sign("--n", 20, "--tmp", tmp_path)
    assert p.returncode == 0, p.stderr
    rows = [json.loads(x) for x in p.stdout.splitlines()]
    assert [r["alg"] for r in rows] == ALGS, p.stdout
    for r in rows:
        assert r["n"] == 20, r
        for k in ("sign_us", "verify_us", "idtoken_us", "at_hash_us"):
            assert r[k] > 0, r
        # header.claims.signature: an RSA-2048 signature is 256 bytes,
        # P-256's and Ed25519's 64
        assert r["jws_bytes"] > (600 if r["alg"] == "RS256" else 300), r
    by = {r["alg"]: r for r in rows}
    # thread CPU time, not the wall clock: RSA's private-key operation
    # is several times ECDSA's and Ed25519's whatever else the machine
    # does; a tool timing something else would not show it
    assert by["RS256"]["sign_us"] > 2 * by["ES256"]["sign_us"], rows
    assert by["RS256"]["sign_us"] > 2 * by["EdDSA"]["sign_us"], rows
    # the store and the key file (a secret) are gone
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("args,says", [
    (["--n", "0"], "--n wants"),
    (["--n", "3x"], "--n wants"),
    (["--n", "2000000"], "--n wants"),
    (["--n"], "without its value"),
    (["--bogus", "1"], "unknown option"),
])
def test_sign_bad_usage_exits_2(args, says):
    p = sign(*args)
    assert p.returncode == 2, (p.returncode, p.stderr)
    assert says in p.stderr and "usage:" in p.stderr, p.stderr
    assert p.stdout == ""


def test_sign_help_exits_0():
    p = sign("--help")
    assert p.returncode == 0 and p.stdout.startswith("usage:"), p


def test_sign_without_a_folder_to_work_in_exits_1(tmp_path):
    p = sign("--n", 1, "--tmp", tmp_path / "absent")
    assert p.returncode == 1, p
    assert p.stdout == "" and "No such file" in p.stderr, p.stderr
