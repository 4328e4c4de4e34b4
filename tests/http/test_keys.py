"""The OpenID Provider's signing keys (docs/REFERENCE.md §14.1,
docs/OPERATIONS.md "Signing keys"): GET /oauth2/jwks and its caching,
`keygate keys list|rotate` beside a running server (a new key published
at once, the replaced one dropped after the retire delay on the test
clock), the key file (made 0600, refused when others may read it or of
the wrong size), and no private key readable in the database. Which key
signs when is the unit tests' (tests/unit/core/test_signing.c)."""

import json
import os
import stat
import subprocess
import time

import pytest
import requests

from kgtest import BINARY, clean_env, run_cli

PUBLISH = 600
RETIRE = 3000


def keys_server(make_server, tmp_path, *flags):
    key_file = str(tmp_path / "signing.key")
    srv = make_server("--key-file", key_file,
                      "--key-publish-delay", str(PUBLISH),
                      "--key-retire-delay", str(RETIRE), *flags)
    srv.key_file = key_file
    return srv


def keys_cli(srv, *args):
    r = run_cli("keys", *args, "--db", srv.db, "--key-file", srv.key_file,
                "--key-publish-delay", str(PUBLISH),
                "--key-retire-delay", str(RETIRE))
    assert r.returncode == 0, r.stderr
    return r


def listed(srv):
    return json.loads(keys_cli(srv, "list", "--json").stdout)


def jwks(srv):
    r = requests.get(srv.url("/oauth2/jwks"), timeout=5)
    assert r.status_code == 200, r.text
    return r


def jwks_kids(srv):
    return {k["kid"] for k in jwks(srv).json()["keys"]}


def wait_for(pred, what, timeout=3.0):
    end = time.time() + timeout
    while time.time() < end:
        if pred():
            return
        time.sleep(0.05)
    raise AssertionError(what)


def test_jwks_publishes_one_key_per_alg(make_server, tmp_path):
    srv = keys_server(make_server, tmp_path)
    r = jwks(srv)
    assert r.headers["Content-Type"].startswith("application/json")
    assert r.headers["Cache-Control"] == f"public, max-age={PUBLISH // 2}"
    keys = {k["alg"]: k for k in r.json()["keys"]}
    assert sorted(keys) == ["ES256", "EdDSA", "RS256"]
    rsa, ec, ed = keys["RS256"], keys["ES256"], keys["EdDSA"]
    assert (rsa["kty"], rsa["use"], rsa["e"]) == ("RSA", "sig", "AQAB")
    assert len(rsa["n"]) == 342, "2048 bits, base64url without padding"
    assert (ec["kty"], ec["crv"], len(ec["x"]), len(ec["y"])) == \
        ("EC", "P-256", 43, 43)
    assert (ed["kty"], ed["crv"], len(ed["x"])) == ("OKP", "Ed25519", 43)
    for k in keys.values():
        assert "d" not in k and "p" not in k, "no private member"
        assert len(k["kid"]) == 22
    rows = listed(srv)
    assert {k["kid"] for k in rows} == {k["kid"] for k in keys.values()}
    assert {k["state"] for k in rows} == {"current"}


def test_rotate_publishes_at_once_and_retires_later(make_server, tmp_path):
    srv = keys_server(make_server, tmp_path)
    old = {k["alg"]: k["kid"] for k in listed(srv)}
    r = keys_cli(srv, "rotate", "--alg", "ES256")
    new = r.stdout.split()[0]
    assert r.stdout.split()[1] == "ES256"
    states = {k["kid"]: k["state"] for k in listed(srv)}
    assert states[new] == "next" and states[old["ES256"]] == "current"
    wait_for(lambda: new in jwks_kids(srv),
             "the running server publishes the new key within a second")
    assert old["ES256"] in jwks_kids(srv)
    # the new key signs PUBLISH seconds after the rotation (wall time
    # moves too: a margin of a minute either side), the old one stays
    # published RETIRE seconds more
    srv.advance(PUBLISH + RETIRE - 60)
    assert {old["ES256"], new} <= jwks_kids(srv)
    srv.advance(120)
    kids = jwks_kids(srv)
    assert new in kids and old["ES256"] not in kids, \
        "dropped after the retire delay"
    assert old["RS256"] in kids and old["EdDSA"] in kids


def test_rotate_every_alg_and_list_text(make_server, tmp_path):
    srv = keys_server(make_server, tmp_path)
    r = keys_cli(srv, "rotate")
    assert len(r.stdout.splitlines()) == 3
    text = keys_cli(srv, "list").stdout
    assert text.splitlines()[0].split() == \
        ["kid", "alg", "created", "active", "from", "state"]
    assert text.count(" next") == 3 and text.count(" current") == 3
    bad = run_cli("keys", "rotate", "--alg", "none", "--db", srv.db,
                  "--key-file", srv.key_file)
    assert bad.returncode == 2 and "RS256, ES256 or EdDSA" in bad.stderr
    assert len(listed(srv)) == 6, "nothing made by a refused rotation"


def test_key_file_is_private_and_keys_sealed(make_server, tmp_path):
    srv = keys_server(make_server, tmp_path)
    mode = stat.S_IMODE(os.stat(srv.key_file).st_mode)
    assert mode == 0o600
    assert os.path.getsize(srv.key_file) == 32
    srv.stop()
    data = stored_bytes(srv.db)
    # PKCS#8 DER's version and AlgorithmIdentifier of each kind of key,
    # in the clear, and the starts of their PEM and base64
    rsa = bytes.fromhex("020100300d06092a864886f70d0101010500")
    ec = bytes.fromhex("020100301306072a8648ce3d0201")
    ed = bytes.fromhex("020100300506032b6570")
    for der in (rsa, ec, ed):
        assert der not in data
    assert b"PRIVATE KEY" not in data
    assert b"MIIE" not in data and b"MC4CAQAw" not in data
    assert b"signing_keys" in data or srv.db.startswith("postgres"), \
        "the table is in this file"


def stored_bytes(db):
    """What the store holds: the SQLite file and its WAL, or on
    PostgreSQL every column of every row of signing_keys."""
    if not db.startswith("postgres"):
        data = b""
        for name in (db, db + "-wal"):
            if os.path.exists(name):
                data += open(name, "rb").read()
        return data
    import psycopg2
    conn = psycopg2.connect(db)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT * FROM signing_keys")
            rows = cur.fetchall()
    finally:
        conn.close()
    assert len(rows) == 3, "one key per algorithm"
    return b"".join(bytes(v) if isinstance(v, memoryview)
                    else str(v).encode() for row in rows for v in row)


def serve_fails(tmp_path, key_file):
    port = 40000 + os.getpid() % 20000
    p = subprocess.run([BINARY, "serve", "--listen", f"127.0.0.1:{port}",
                        "--db", str(tmp_path / "k.db"), "--key-file",
                        key_file, "--metrics-listen", "off"],
                       env=clean_env(), capture_output=True, text=True,
                       timeout=20)
    assert p.returncode != 0
    return p.stderr


def test_wrong_key_files_are_refused_at_start(tmp_path):
    loose = tmp_path / "loose.key"
    loose.write_bytes(os.urandom(32))
    os.chmod(loose, 0o644)
    err = serve_fails(tmp_path, str(loose))
    assert "may be read or written by others" in err and "chmod 600" in err
    short = tmp_path / "short.key"
    short.write_bytes(b"x" * 16)
    os.chmod(short, 0o600)
    assert "holds 16 bytes, not the 32" in serve_fails(tmp_path, str(short))
    # keys made under one file do not open with another
    good = tmp_path / "good.key"
    r = run_cli("keys", "list", "--db", str(tmp_path / "k.db"),
                "--key-file", str(good))
    assert r.returncode == 0, r.stderr
    other = tmp_path / "other.key"
    other.write_bytes(os.urandom(32))
    os.chmod(other, 0o600)
    err = serve_fails(tmp_path, str(other))
    assert "does not open with this --key-file" in err
