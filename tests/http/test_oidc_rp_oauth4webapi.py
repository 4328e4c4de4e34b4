"""A real relying party in JavaScript: npm's oauth4webapi (package.json,
`npm ci`), run by node from tests/http/rp_oauth4webapi.mjs once per
log-in, so that it runs against keygate on SQLite and on PostgreSQL like
the rest of this suite (docs/REFERENCE.md).

For apps signing with RS256, ES256 and EdDSA it discovers keygate, sends
the person through the log-in with PKCE and a nonce, and checks the token
answer with processAuthorizationCodeResponse (iss, aud, exp, iat, nonce,
auth_time) and validateApplicationLevelSignature (the signature, against
the JWKS of jwks_uri). A forged, expired, wrong-audience or wrong-nonce
id_token, swapped in by tamperkit's proxy (where oauth4webapi's
customFetch sends the token request), makes it throw. Across `keygate
keys rotate` its JWKS cache, kept in a file between runs as oauth4webapi
documents, keeps every log-in working. As a device (RFC 8628) it polls
while the person allows or denies on /device.

Time: node runs under libfaketime (Debian's faketime) when the test moves
the RP's clock: 11 minutes ahead for the expired case, along with
keygate's test clock in the rotation case."""

import json
import os
import subprocess
from urllib.parse import urlsplit

import pytest

import apachekit
import devicekit
import kgtest
import oauthkit
import rpkit
import tamperkit

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.join(HERE, "rp_oauth4webapi.mjs")
REDIRECT = "https://rp.example.org/cb"


@pytest.fixture(scope="module", autouse=True)
def _node_and_oauth4webapi():
    rpkit.require_oauth4webapi()
    apachekit.require_packages()        # faketime, for the RP's clock


op = rpkit.op_fixture()


def run_rp(op, app, person, ahead=0, **cfg):
    """One log-in by oauth4webapi; its JSON result. `ahead`: seconds the
    RP's clock runs ahead of the wall clock."""
    cfg = dict(issuer=op.base, client_id=app.key, client_secret=app.secret,
               redirect_uri=REDIRECT, email=person.email,
               password=person.password, **cfg)
    env = dict(os.environ)
    if ahead:
        clock = os.path.join(op.workdir, "rp-clock")
        with open(clock, "w") as f:
            f.write(f"{int(ahead):+d}\n")
        env.update(LD_PRELOAD=apachekit.FAKETIME_LIB,
                   FAKETIME_TIMESTAMP_FILE=clock,
                   FAKETIME_DONT_FAKE_MONOTONIC="1")
    p = subprocess.run(["node", SCRIPT, json.dumps(cfg)], env=env,
                       capture_output=True, text=True, timeout=30)
    assert p.returncode == 0 and p.stdout.strip(), (p.returncode, p.stdout,
                                                    p.stderr)
    return json.loads(p.stdout.strip().splitlines()[-1])


def app_for(op, alg=None):
    return rpkit.make_app(op, [REDIRECT], alg=alg)


@pytest.mark.parametrize("alg", rpkit.ALGS)
def test_logs_in_with_each_algorithm(op, alg):
    app = app_for(op, alg)
    person = rpkit.Person(op, "o4w-" + alg.lower())
    out = run_rp(op, app, person, alg=alg)
    assert out["ok"], out
    assert out["header"]["alg"] == alg, out
    c = out["claims"]
    assert c["iss"] == op.base and c["aud"] in (app.key, [app.key]), c
    assert c["email"] == person.email and c["amr"] == ["pwd"], c
    assert "at_hash" in c and "auth_time" in c and c["nonce"], c


def test_logs_in_through_par(op):
    """oauth4webapi's pushedAuthorizationRequest and
    processPushedAuthorizationResponse, unmodified, then the browser with
    client_id and request_uri alone (docs/REFERENCE.md §18), for an app
    that requires PAR."""
    app = app_for(op)
    r = kgtest.patch_app(op, app.dev.pat, app.key,
                         {"require_pushed_authorization_requests": True})
    assert r.status_code == 200, r.text
    person = rpkit.Person(op, "o4w-par")
    out = run_rp(op, app, person, par=True)
    assert out["ok"], out
    c = out["claims"]
    assert c["email"] == person.email and c["nonce"], c


def test_an_es256_token_is_refused_by_an_rp_expecting_rs256(op):
    """The RP checks the alg it was registered with: one told RS256
    refuses the ES256 id_token of an app set to ES256 (so the answers
    above do carry the app's alg)."""
    app = app_for(op, "ES256")
    out = run_rp(op, app, rpkit.Person(op, "o4w-mismatch"), alg="RS256")
    assert not out["ok"] and "alg" in out["message"], out


# --- tampered token answers -----------------------------------------------------

@pytest.fixture(scope="module")
def proxy(op):
    p = tamperkit.Proxy(op)
    yield p
    p.stop()


CASES = {"forged": "signature", "expired": "exp",
         "wrong_aud": "aud", "wrong_nonce": "nonce"}


# A forged signature with each algorithm; the claims' checks (and the
# proxy passing an answer untouched) do not depend on the algorithm, so
# each runs once, the algorithms taken in turn.
TAMPERINGS = [("forged", alg) for alg in rpkit.ALGS] + [
    (case, rpkit.ALGS[i % len(rpkit.ALGS)])
    for i, case in enumerate(["untouched", "expired", "wrong_aud",
                              "wrong_nonce"])]


@pytest.mark.parametrize("case,alg", TAMPERINGS)
def test_tampered_id_token_refused(op, proxy, case, alg):
    app, other = app_for(op, alg), app_for(op, alg)
    person = rpkit.Person(op, "o4w-" + case)
    nonce = "n-" + os.urandom(8).hex()
    # The swapped-in answers are real ones keygate gave the same person
    # (another browser session of the account): for another app with the
    # RP's nonce, or for this app with another nonce.
    if case == "forged":
        proxy.tamper_next(tamperkit.forged)
    elif case == "wrong_aud":
        proxy.tamper_next(tamperkit.substituted(
            rpkit.code_answer(person, other, nonce)))
    elif case == "wrong_nonce":
        proxy.tamper_next(tamperkit.substituted(
            rpkit.code_answer(person, app, nonce + "-other")))
    seen = len(proxy.answers)
    # Expired: keygate's honest 10-minute id_token, the RP 11 minutes ahead.
    out = run_rp(op, app, person, alg=alg, nonce=nonce,
                 token_via=proxy.base,
                 ahead=660 if case == "expired" else 0)
    assert len(proxy.answers) == seen + 1 and not proxy.pending(), out
    if case == "untouched":
        assert out["ok"] and out["claims"]["nonce"] == nonce, out
        return
    assert not out["ok"], out
    assert CASES[case] in out["message"], out


# --- key rotation -----------------------------------------------------------------

def test_key_rotation_no_login_fails(tmp_path_factory):
    op = rpkit.start_op(tmp_path_factory.mktemp("keygate"))
    try:
        app = app_for(op)
        cache = os.path.join(op.workdir, "jwks-cache.json")

        def login(who, ahead=0):
            out = run_rp(op, app, rpkit.Person(op, who), jwks_cache=cache,
                         ahead=ahead)
            assert out["ok"], (who, out)
            return out["header"]["kid"]

        old = rpkit.jwks_kids(op)
        assert login("rot-before") in old
        rpkit.rotate_keys(op)
        new = [k for k in rpkit.jwks_kids(op) if k not in old]
        assert new, "the new key is published at once"
        assert login("rot-during") in old
        rpkit.past_publish_delay(op)
        # the hour passed for the RP too: its clock moves along
        assert login("rot-after", ahead=rpkit.clock_offset(op)) in new
    finally:
        assert op.stop() == 0, op.log()[-3000:]


# --- the device flow (RFC 8628) -------------------------------------------------

class Device:
    """oauth4webapi as a device (rp_oauth4webapi.mjs in device mode): it
    starts, then waits for the test before each poll."""

    def __init__(self, op, app, scope="openid email", client_auth="basic"):
        cfg = dict(mode="device", issuer=op.base, client_id=app.key,
                   client_secret=app.secret, scope=scope,
                   client_auth=client_auth)
        self.op = op
        self.p = subprocess.Popen(["node", SCRIPT, json.dumps(cfg)],
                                  stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)
        self.next = None
        first = self.line()
        assert "started" in first, first
        self.started = first["started"]

    def line(self):
        out = self.p.stdout.readline()
        assert out, (self.p.wait(timeout=10), self.p.stderr.read())
        return json.loads(out)

    def poll(self):
        """Lets the device's wait pass on keygate's test clock and the
        device poll once, and returns when the poll is answered: the
        device's next line (waiting again, or its result) is kept for
        the next call, so that nothing the test does afterwards (the
        person's decision) can reach the server before this poll."""
        waiting = self.next or self.line()
        assert "waiting" in waiting, waiting
        self.op.advance(waiting["waiting"] + 1)
        self.p.stdin.write("go\n")
        self.p.stdin.flush()
        self.next = self.line()

    def result(self):
        out = self.next or self.line()
        assert self.p.wait(timeout=10) == 0, self.p.stderr.read()
        return out

    def close(self):
        if self.p.poll() is None:
            self.p.kill()
        self.p.wait(timeout=10)
        for f in (self.p.stdin, self.p.stdout, self.p.stderr):
            f.close()


@pytest.mark.parametrize("decision", ["allow", "deny"])
def test_device_flow(op, decision):
    """deviceAuthorizationRequest, processDeviceAuthorizationResponse,
    deviceCodeGrantRequest and processDeviceCodeResponse, unmodified,
    polling while the person approves (or denies) on /device; with Allow
    the id_token's signature checked against the JWKS too. Allow runs
    with HTTP Basic (oauth4webapi then sends client_id in the body as
    well), Deny with client_secret_post."""
    app = rpkit.make_app(op, [REDIRECT])
    r = kgtest.patch_app(op, app.dev.pat, app.key, {"device_flow": True})
    assert r.status_code == 200, (r.status_code, r.text)
    person = oauthkit.User(op, "o4w-device")
    dev = Device(op, app,
                 client_auth="basic" if decision == "allow" else "post")
    try:
        s = dev.started
        assert s["verification_uri"] == op.base + "/device", s
        complete = urlsplit(s["verification_uri_complete"])
        page = person.get(complete.path + "?" + complete.query).text
        assert kgtest.input_value(page, "user_code") == s["user_code"]
        dev.poll()                        # before the person: pending
        devicekit.approve(person, s["user_code"], decision)
        dev.poll()
        out = dev.result()
    finally:
        dev.close()
    if decision == "deny":
        assert not out["ok"] and out["error"] == "access_denied", out
        return
    assert out["ok"] and out["polls"] == 2 and out["has_refresh_token"], out
    c = out["claims"]
    assert c["iss"] == op.base and c["aud"] in (app.key, [app.key]), c
    assert c["email"] == person.email and c["amr"] == ["pwd"], c
