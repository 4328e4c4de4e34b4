"""`keygate client` and libkeygate-client with DPoP (RFC 9449; docs/CLIENT.md)
against a real keygate that offers it: the log-in draws a key kept in the
token file, the tokens are bound to it (cnf.jkt), calls and refreshes carry
proofs by it, the server refuses the same tokens without them, nonces the
server demands are sent on one retry (a process's nonces live in its
memory only: a new `keygate client call` learns one again), and --no-dpop or an older token
file without a key stays Bearer. One server for the module (the nonce
test has its own); nothing moves the clocks."""

import json
import os
import subprocess

import pytest
import requests

import dpopkit
import kgtest
from clientkit import H, HARNESS, World, mode
from devicekit import approve
from oauthkit import basic_client, introspection
from test_client_device import Harness


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    s = kgtest.start_server(tmp_path_factory.mktemp("keygate"), issuer=True)
    yield s
    assert s.stop() == 0, s.log()[-4000:]


def world_of(srv, tmp_path, **kw):
    return World(lambda *flags, **_: srv, tmp_path, **kw)


def status(world):
    r = world.cli("status")
    assert r.returncode == 0, r.stderr
    return {line[:16].strip(): line[17:].strip()
            for line in r.stdout.splitlines()}


def harness_refresh(world):
    r = subprocess.run([HARNESS, "refresh", world.file], env=world.env,
                       capture_output=True, text=True, timeout=30)
    return r.stdout.strip()


def token_request(world, data, proof=None):
    headers = {} if proof is None else {"DPoP": proof}
    if world.app.secret is not None:
        headers["Authorization"] = basic_client(world.app.key, world.app.secret)
    else:
        data = dict(data, client_id=world.app.key)
    return requests.post(world.srv.url("/oauth2/token"), data=data,
                         headers=headers, timeout=10)


def test_login_binds_the_tokens_to_a_key_in_the_file(srv, tmp_path):
    w = world_of(srv, tmp_path)
    _, out, err = w.login("--scope", "account_read")
    t = w.tokens()
    assert t["token_type"] == "DPoP"
    assert len(t["dpop_key"]) == 43        # a 32-byte seed, base64url
    assert mode(w.file) == 0o600
    # the key is never shown, only its public thumbprint
    assert t["dpop_key"] not in out + err
    st = status(w)
    assert t["dpop_key"] not in json.dumps(st)
    assert st["token type"] == "DPoP"
    assert introspection(w.app, t["access_token"])["cnf"] == \
        {"jkt": st["dpop key jkt"]}
    w.call_ok()
    # the same token as Bearer, or as DPoP without a proof: refused
    for auth in ("Bearer", "DPoP"):
        r = requests.get(w.summary_url, timeout=10, headers={
            "Authorization": f"{auth} {t['access_token']}"})
        assert r.status_code == 401, (auth, r.status_code, r.text)
        want = {"Bearer": "invalid_token", "DPoP": "invalid_dpop_proof"}
        assert r.json()["error"] == want[auth], (auth, r.text)
    assert w.count("/v3/account/summary", status=200) == 1


def test_a_refresh_proves_the_same_key_and_another_key_is_refused(
        srv, tmp_path):
    # a public app: its refresh token is bound to the key too
    w = world_of(srv, tmp_path, secret=False)
    w.login()
    t = w.tokens()
    jkt = status(w)["dpop key jkt"]
    grant = {"grant_type": "refresh_token",
             "refresh_token": t["refresh_token"]}
    token_url = w.srv.url("/oauth2/token")
    other = dpopkit.Key("EdDSA").proof("POST", token_url)
    for proof in (other, None):
        r = token_request(w, grant, proof)
        assert r.status_code in (400, 401), (r.status_code, r.text)
        assert r.json()["error"] in ("invalid_grant", "invalid_dpop_proof")
    assert harness_refresh(w).startswith("rc=0"), w.tokens()
    after = w.tokens()
    assert after["refresh_token"] != t["refresh_token"]
    assert after["dpop_key"] == t["dpop_key"]
    assert introspection(w.app, after["access_token"])["cnf"] == \
        {"jkt": jkt}
    w.call_ok()


def test_no_dpop_logs_in_with_bearer_tokens(srv, tmp_path):
    w = world_of(srv, tmp_path)
    w.login("--no-dpop")
    t = w.tokens()
    assert t["token_type"] == "Bearer" and "dpop_key" not in t
    assert "cnf" not in introspection(w.app, t["access_token"])
    assert status(w)["token type"] == "Bearer"
    w.call_ok()


def test_an_older_token_file_without_a_key_works_as_bearer(srv, tmp_path):
    w = world_of(srv, tmp_path)
    w.login("--no-dpop")
    with open(w.file) as f:
        doc = json.load(f)
    del doc["tokens"]["token_type"]         # as written before DPoP
    with open(w.file, "w") as f:
        json.dump(doc, f)
    os.chmod(w.file, 0o600)
    w.call_ok()
    assert harness_refresh(w).startswith("rc=0")
    t = w.tokens()
    assert t["token_type"] == "Bearer" and "dpop_key" not in t
    w.call_ok()


def test_a_demanded_nonce_is_sent_on_one_retry(make_server, tmp_path):
    w = World(make_server, tmp_path, "--dpop-nonce")

    def seen(route, status):
        return w.count(route, status=status)

    w.login()
    assert w.tokens()["token_type"] == "DPoP"
    # the code exchange: refused once for want of a nonce, then issued
    assert (seen("/oauth2/token", 400), seen("/oauth2/token", 200)) == (1, 1)
    # a new process knows no nonce yet: the API's 401 use_dpop_nonce
    # names one, and the call is made once more with it
    w.call_ok()
    assert (seen("/v3/account/summary", 401),
            seen("/v3/account/summary", 200)) == (1, 1)
    # two idle hours on, the call refreshes first: the nonce the token
    # endpoint names serves the same origin's API, no second 401
    w.advance(2 * H)
    w.call_ok()
    assert (seen("/oauth2/token", 400), seen("/oauth2/token", 200)) == (2, 2)
    assert (seen("/v3/account/summary", 401),
            seen("/v3/account/summary", 200)) == (1, 2)


def test_the_device_log_in_binds_too(srv, tmp_path):
    w = world_of(srv, tmp_path, device_flow=True)
    w.offset = getattr(srv, "clock_offset", None) or 0  # = the server's
    w._write_clock()
    h = Harness(w, w.srv.base)
    approve(w.user, h.codes()[0])
    assert h.wait() == 5
    h.go()                      # the poll, with a proof
    assert h.rc() == (0, "ok")
    t = w.tokens()
    assert t["token_type"] == "DPoP"
    assert introspection(w.app, t["access_token"])["cnf"] == \
        {"jkt": status(w)["dpop key jkt"]}
    w.call_ok()
