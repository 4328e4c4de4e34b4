"""keygate-bench-dpop (bench/dpop.c), the bench's DPoP pieces, run for
real: one core's verify and dpop_check() rates per alg, a key and its
thumbprint, the equal-length "token proof" lines wrk presents (checked
here with Python's cryptography, not with keygate's own code), and
keygate-bench-fill --dpop-jkt binding tokens to that key, a server
taking those tokens with those proofs, each once, and bench.lua's dpop
mode sending each line once (where wrk is installed)."""

import base64
import json
import os
import shutil
import sqlite3
import stat
import subprocess
import time

import pytest
import requests
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, \
    rsa, utils

import dpopkit
from kgtest import bench_tool, fresh_pg_db, pg_admin_url, start_server

LUA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                   "bench", "wrk", "bench.lua")

ALGS = ["ES256", "EdDSA", "RS256"]
URL = "http://127.0.0.1:9/oauth2/check"


def dpop(*args, timeout=60):
    return subprocess.run([bench_tool("dpop"), *map(str, args)],
                          capture_output=True, text=True, timeout=timeout)


def b64d(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def public_key(jwk):
    """The key of a public JWK, by cryptography alone."""
    if jwk["kty"] == "EC":
        x = int.from_bytes(b64d(jwk["x"]), "big")
        y = int.from_bytes(b64d(jwk["y"]), "big")
        return ec.EllipticCurvePublicNumbers(x, y, ec.SECP256R1()) \
            .public_key()
    if jwk["kty"] == "OKP":
        return ed25519.Ed25519PublicKey.from_public_bytes(b64d(jwk["x"]))
    n = int.from_bytes(b64d(jwk["n"]), "big")
    e = int.from_bytes(b64d(jwk["e"]), "big")
    return rsa.RSAPublicNumbers(e, n).public_key()


def verify(alg, jwk, signed, sig):
    k = public_key(jwk)
    if alg == "ES256":
        der = utils.encode_dss_signature(
            int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:], "big"))
        k.verify(der, signed, ec.ECDSA(hashes.SHA256()))
    elif alg == "EdDSA":
        k.verify(sig, signed)
    else:
        k.verify(sig, signed, padding.PKCS1v15(), hashes.SHA256())


def test_rate_prints_one_line_of_figures_per_alg():
    # enough calls that the first ones' setting up (OpenSSL's caches of
    # a key) does not decide the figures
    p = dpop("--rate", "--n", 300, "--algs", "RS256,EdDSA,ES256")
    assert p.returncode == 0, p.stderr
    rows = [json.loads(x) for x in p.stdout.splitlines()]
    # the bench's routes' algs first, whatever the order asked
    assert [r["alg"] for r in rows] == ["ES256", "EdDSA", "RS256"], rows
    for r in rows:
        assert r["n"] == 300, r
        assert r["verify_us"] > 0 and r["check_us"] > 0, r
        assert abs(r["verify_per_s"] * r["verify_us"] / 1e6 - 1) < 0.01, r
        # dpop_check() verifies the signature and does more besides (the
        # jwk, the thumbprint, the claims, the replay memory); two means
        # of thread CPU time on a loaded ASan build came 10% apart the
        # wrong way once (EdDSA 167 against 185 us), so the margin
        assert r["check_us"] > 0.85 * r["verify_us"], r
    by = {r["alg"]: r for r in rows}
    # thread CPU time of the right call: an RSA public-key operation is
    # cheaper than an ECDSA verification (about a third here) whatever
    # else the machine does, and an RS256 proof carries a 256-byte
    # signature and the modulus
    assert by["RS256"]["verify_us"] < by["ES256"]["verify_us"], rows
    assert by["RS256"]["proof_bytes"] > 1000 > by["ES256"]["proof_bytes"]


@pytest.mark.parametrize("alg", ALGS)
def test_new_key_and_proofs_are_what_a_client_would_send(tmp_path, alg):
    key = tmp_path / "k"
    p = dpop("--new-key", key, "--alg", alg)
    assert p.returncode == 0, p.stderr
    jkt = p.stdout.strip()
    assert len(jkt) == 43, p.stdout
    # a private key: the owner's alone
    assert stat.S_IMODE(os.stat(key).st_mode) == 0o600
    # never over a key already there
    again = dpop("--new-key", key, "--alg", alg)
    assert again.returncode == 1 and "exists" in again.stderr, again
    toks = ["kga_%056d" % i for i in range(3)]
    (tmp_path / "t").write_text("".join(t + "\n" for t in toks))
    before = int(time.time())
    p = dpop("--proofs", 25, "--tokens", tmp_path / "t", "--url", URL,
             "--key", key, "--out", tmp_path / "p")
    assert p.returncode == 0, p.stderr
    lines = (tmp_path / "p").read_bytes().split(b"\n")
    assert lines.pop() == b""
    assert len(lines) == 25 and len({len(x) for x in lines}) == 1
    jtis = set()
    for line in lines:
        tok, proof = line.decode().split()
        assert tok in toks
        h64, c64, s64 = proof.split(".")
        head, claims = json.loads(b64d(h64)), json.loads(b64d(c64))
        assert head["typ"] == "dpop+jwt" and head["alg"] == alg, head
        assert dpopkit.thumbprint(head["jwk"]) == jkt
        assert not {"d", "p", "q"} & set(head["jwk"]), head
        verify(alg, head["jwk"], (h64 + "." + c64).encode(), b64d(s64))
        assert claims["htm"] == "GET" and claims["htu"] == URL, claims
        assert before <= claims["iat"] <= time.time() + 1, claims
        assert claims["ath"] == dpopkit.ath(tok), claims
        jtis.add(claims["jti"])
    assert len(jtis) == 25
    # and one bit changed in the signed part is refused by the check
    # above: it checks, it does not just parse
    with pytest.raises(InvalidSignature):
        verify(alg, head["jwk"], (h64 + "." + c64[:-1] + "A").encode()
               if c64[-1] != "A" else (h64 + "." + c64[:-1] + "B").encode(),
               b64d(s64))


def test_fill_binds_its_tokens_to_the_key(tmp_path):
    db, out = tmp_path / "kg.db", tmp_path / "o"
    fill = [bench_tool("fill"), "--db", str(db), "--out", str(out)]
    p = subprocess.run(fill + ["--tokens", "5"], capture_output=True,
                       text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    jkt = dpop("--new-key", tmp_path / "k", "--alg", "EdDSA").stdout.strip()
    p = subprocess.run(fill + ["--tokens", "7", "--append", "--dpop-jkt", jkt],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    bound = (out / "dpop.txt").read_text().split()
    assert len(bound) == 7
    # the Bearer tokens' file is left to them
    assert len((out / "access.txt").read_text().split()) == 5
    # (the tokens' storage keys are no plain hash of them: the server's
    # answers to them are what the wrk test below shows)
    with sqlite3.connect(db) as c:
        by_jkt = dict(c.execute("SELECT jkt, count(*) FROM access_tokens "
                                "GROUP BY jkt"))
    assert by_jkt == {None: 5, b64d(jkt): 7}, by_jkt


@pytest.mark.parametrize("args,says", [
    ([], "one of --rate"),
    (["--rate", "--proofs", "3"], "one of --rate"),
    (["--rate", "--n", "0"], "--n wants"),
    (["--rate", "--algs", "HS256"], "--algs"),
    (["--new-key", "/nonexistent/k"], "wants --alg"),
    (["--new-key", "/nonexistent/k", "--alg", "none"], "--alg"),
    (["--proofs", "3", "--url", URL], "wants --tokens"),
    (["--n"], "without its value"),
    (["--bogus"], "unknown option"),
])
def test_bad_usage_exits_2(args, says):
    p = dpop(*args)
    assert p.returncode == 2, (p.returncode, p.stderr)
    assert says in p.stderr and "usage:" in p.stderr, p.stderr
    assert p.stdout == ""


def test_fill_refuses_a_jkt_that_is_no_thumbprint(tmp_path):
    p = subprocess.run([bench_tool("fill"), "--db", tmp_path / "kg.db",
                        "--out", tmp_path / "o", "--tokens", "1",
                        "--dpop-jkt", "abc"], capture_output=True,
                       text=True, timeout=60)
    assert p.returncode == 2 and "--dpop-jkt" in p.stderr, p


@pytest.fixture(scope="module")
def bound(tmp_path_factory):
    """A store filled as the bench fills it (on PostgreSQL when the run
    is), 20 Bearer tokens and 20 bound to an ES256 key, and a server on
    it: (server, the filler's folder, the key file)."""
    tmp = tmp_path_factory.mktemp("bench-dpop")
    db = fresh_pg_db() if pg_admin_url() else str(tmp / "kg.db")
    out, key = tmp / "o", tmp / "k"
    fill = [bench_tool("fill"), "--db", db, "--out", str(out)]
    subprocess.run(fill + ["--tokens", "20"], check=True,
                   capture_output=True, timeout=60)
    jkt = dpop("--new-key", key, "--alg", "ES256").stdout.strip()
    subprocess.run(fill + ["--tokens", "20", "--append", "--dpop-jkt", jkt],
                   check=True, capture_output=True, timeout=60)
    srv = start_server(tmp, db=db, issuer=True)
    yield srv, out, key
    srv.stop()


def make_proofs(bound, n):
    srv, out, key = bound
    path = out / "proofs.txt"
    p = dpop("--proofs", n, "--tokens", out / "dpop.txt", "--url",
             srv.url("/oauth2/check"), "--key", key, "--out", path)
    assert p.returncode == 0, p.stderr
    return path


def check(srv, tok, proof=None, scheme="DPoP"):
    h = {"Authorization": scheme + " " + tok}
    if proof:
        h["DPoP"] = proof
    return requests.get(srv.url("/oauth2/check"), headers=h, timeout=10)


def test_the_server_takes_each_line_once(bound):
    srv, out, _ = bound
    lines = make_proofs(bound, 5).read_text().splitlines()
    for line in lines:
        r = check(srv, *line.split())
        assert r.status_code == 200, r.text
    tok, proof = lines[0].split()
    r = check(srv, tok, proof)
    assert r.status_code == 401 and "used before" in r.text, r.text
    # the bound tokens are bound: as Bearer they are refused, while the
    # Bearer file's tokens are not
    assert check(srv, tok, scheme="Bearer").status_code == 401
    bearer = (out / "access.txt").read_text().split()[0]
    assert check(srv, bearer, scheme="Bearer").status_code == 200


def test_wrk_dpop_mode_sends_each_line_once(bound, tmp_path):
    assert shutil.which("wrk"), "wrk (scripts/setup.sh) drives this mode"
    srv, _, _ = bound
    path = make_proofs(bound, 200)
    result = tmp_path / "r.json"
    env = dict(os.environ, KG_MODE="dpop", KG_PATH="/oauth2/check",
               KG_FILE=str(path), KG_FIRST="0", KG_COUNT="150",
               KG_THREADS="1", KG_RESULT=str(result))
    p = subprocess.run(["wrk", "-t1", "-c4", "-d1s", "-s", LUA,
                        srv.url("")], env=env, capture_output=True,
                       text=True, timeout=30)
    assert p.returncode == 0, p.stderr
    r = json.loads(result.read_text())
    # every answer 200 (a proof sent twice would be a 401), the 150
    # lines asked for and no more, then the connections fall silent
    assert r["non2xx"] == 0 and r["status"] == {"200": 150}, r
    assert r["handed"] == 150 and r["exhausted"] is True, r
