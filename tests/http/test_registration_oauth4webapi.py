"""An outside check of dynamic client registration (docs/REFERENCE.md
§22.3): npm's oauth4webapi (package.json, `npm ci`), unmodified, run by
node from tests/http/register_oauth4webapi.mjs, discovers keygate, registers
through its registration_endpoint (dynamicClientRegistrationRequest with a
personal access token as the initial access token, or none under
--open-registration; processDynamicClientRegistrationResponse) and logs a
person in with the client it was given: a confidential one with its secret
(client_secret_basic), a public one with PKCE alone. On SQLite and on
PostgreSQL like the rest of this suite."""

import json
import os
import subprocess

import pytest

import kgtest
import oauthkit
import rpkit

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.join(HERE, "register_oauth4webapi.mjs")


@pytest.fixture(scope="module", autouse=True)
def _node_and_oauth4webapi():
    rpkit.require_oauth4webapi()


@pytest.fixture(scope="module")
def op(tmp_path_factory):
    srv = rpkit.start_op(tmp_path_factory.mktemp("keygate"),
                         "--open-registration")
    yield srv
    assert srv.stop() == 0, srv.log()[-4000:]


def run(op, metadata, token=None):
    person = rpkit.Person(op, "o4w-reg")
    cfg = dict(issuer=op.base, metadata=metadata, email=person.email,
               password=person.password)
    if token is not None:
        cfg["token"] = token
    p = subprocess.run(["node", SCRIPT, json.dumps(cfg)], capture_output=True,
                       text=True, timeout=30)
    assert p.returncode == 0 and p.stdout.strip(), (p.returncode, p.stdout,
                                                    p.stderr)
    out = json.loads(p.stdout.strip().splitlines()[-1])
    assert out["ok"], out
    assert out["claims"]["email"] == person.email, out
    assert out["claims"]["aud"] in (out["client"]["client_id"],
                                    [out["client"]["client_id"]]), out
    return out


def test_confidential_client_registers_and_logs_in(op):
    dev = oauthkit.Dev(op)
    out = run(op, {"client_name": "O4W Notes",
                   "redirect_uris": ["https://o4w.example.org/cb"]}, dev.pat)
    assert out["has_secret"], out
    assert out["client"]["token_endpoint_auth_method"] == \
        "client_secret_basic", out
    keys = [a["api_key"] for a in kgtest.list_apps(op, dev.pat).json()]
    assert keys == [out["client"]["client_id"]]


def test_public_client_registers_openly_and_logs_in(op):
    out = run(op, {"client_name": "O4W Desk",
                   "redirect_uris": ["http://127.0.0.1/cb"],
                   "token_endpoint_auth_method": "none"})
    assert not out["has_secret"], out
