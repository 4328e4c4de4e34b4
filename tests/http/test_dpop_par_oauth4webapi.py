"""npm's oauth4webapi (package.json, `npm ci`), unmodified, through DPoP
(RFC 9449) and PAR (RFC 9126), run by node from
tests/http/dpop_oauth4webapi.mjs against keygate on SQLite and on
PostgreSQL like the rest of this suite (docs/REFERENCE.md §17, §18).

The journey: its authorization request pushed with a DPoP proof, the
person's log-in and Allow, the code exchanged for DPoP-bound tokens, a
call of /v3/account/summary with a proof, the refresh with a proof, a call
with the new token. On the way, each refusal a stolen token or proof meets:
the same proof twice, a proof sent to another URL, one sent with another
method, the bound token presented as Bearer, for a public client the
refresh by another key (which must not spend the refresh token), and a
code whose push carried a proof exchanged with another key's (RFC 9449
§10.1)."""

import json
import os
import subprocess

import pytest

import oauthkit
import rpkit

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.join(HERE, "dpop_oauth4webapi.mjs")
REDIRECT = "https://rp.example.org/cb"


@pytest.fixture(scope="module", autouse=True)
def _node_and_oauth4webapi():
    rpkit.require_oauth4webapi()


op = rpkit.op_fixture()


def journey(op, app, alg):
    person = rpkit.Person(op, "dpop-" + alg.lower())
    cfg = dict(issuer=op.base, client_id=app.key, client_secret=app.secret,
               redirect_uri=REDIRECT, email=person.email,
               password=person.password, alg=alg)
    p = subprocess.run(["node", SCRIPT, json.dumps(cfg)],
                       capture_output=True, text=True, timeout=30)
    assert p.returncode == 0 and p.stdout.strip(), (p.returncode, p.stdout,
                                                    p.stderr)
    out = json.loads(p.stdout.strip().splitlines()[-1])
    assert out["ok"], out
    return out


def dpop_refusal(seen, error="invalid_dpop_proof"):
    """A 401 whose challenges include DPoP's with `error`."""
    assert seen["status"] == 401, seen
    text = seen.get("error") or seen.get("challenge") or ""
    assert "dpop" in text.lower() and error in text, seen


def check_journey(out, alg):
    assert alg in out["metadata_algs"], out
    assert out["par_endpoint"].endswith("/oauth2/par"), out
    assert out["request_uri"].startswith(
        "urn:ietf:params:oauth:request_uri:"), out
    assert out["expires_in"] == 60, out
    assert out["token_type"].lower() == "dpop", out
    assert out["summary"]["status"] == 200, out
    assert json.loads(out["summary"]["body"])["email"], out
    dpop_refusal(out["replayed"])
    dpop_refusal(out["other_url"])
    dpop_refusal(out["other_method"])
    # RFC 9449 §7.1: a bound token presented as Bearer is no token at all
    assert out["as_bearer"]["status"] == 401, out
    assert out["refreshed_token_type"].lower() == "dpop", out
    assert out["refreshed_summary"]["status"] == 200, out
    # RFC 9449 §10.1: the proof sent with the push bound the code (and no
    # other invalid_grant, such as PKCE's, stands in for that refusal)
    other = out["code_other_key"]
    assert (other["refused"], other["error"], other["status"]) == (
        True, "invalid_grant", 400), out
    assert "bound to a DPoP key" in other["description"], out


@pytest.mark.parametrize("alg", rpkit.ALGS)
def test_public_client_with_each_key_type(op, alg):
    app = oauthkit.make_app(op, secret=False, redirect_uris=[REDIRECT])
    out = journey(op, app, alg)
    check_journey(out, alg)
    refused = out["other_key_refresh"]
    assert refused["refused"] and refused["status"] == 400, out
    assert refused["error"] in ("invalid_grant", "invalid_dpop_proof"), out


def test_confidential_client(op):
    """Its refresh token is held by a client that authenticates, so it is
    not bound (RFC 9449 §5); its access tokens are."""
    app = oauthkit.make_app(op, redirect_uris=[REDIRECT])
    assert app.secret
    out = journey(op, app, "ES256")
    check_journey(out, "ES256")
    assert "other_key_refresh" not in out, out

