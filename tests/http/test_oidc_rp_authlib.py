"""A real relying party in Python: Debian's python3-authlib (1.2), its
OAuth2Session for the code flow with PKCE and its OpenID Connect id_token
validation (authlib.oidc.core.CodeIDToken: iss, aud, exp, nonce, at_hash;
the signature against the JWKS of the discovery document's jwks_uri),
for apps signing with RS256, ES256 and EdDSA (authlib 1.2 has EdDSA:
authlib.jose.rfc8037) — docs/REFERENCE.md.

A forged, expired, wrong-audience or wrong-nonce id_token, swapped in by
tamperkit's proxy on the token request, makes authlib raise. Across
`keygate keys rotate` the RP's JWKS cache (max-age from Cache-Control,
fetched again for a kid it does not know) keeps every log-in working."""

import hashlib
import os
import re
import time

import pytest

# authlib refuses http token endpoints unless told: keygate runs on loopback
os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"

import requests  # noqa: E402

try:
    import authlib  # noqa: F401
except ImportError:
    raise ImportError("the authlib relying party needs Debian's "
                      "python3-authlib (scripts/setup.sh installs it)")
from authlib.common.security import generate_token  # noqa: E402
from authlib.integrations.requests_client import OAuth2Session  # noqa: E402
from authlib.jose import JsonWebKey, jwt  # noqa: E402
from authlib.jose.errors import (BadSignatureError,  # noqa: E402
                                 ExpiredTokenError, InvalidClaimError)
from authlib.oidc.core import CodeIDToken  # noqa: E402

import rpkit  # noqa: E402
import tamperkit  # noqa: E402

REDIRECT = "https://rp.example.org/cb"


@pytest.fixture(scope="module")
def op(tmp_path_factory):
    srv = rpkit.start_op(tmp_path_factory.mktemp("keygate"))
    yield srv
    assert srv.stop() == 0, srv.log()[-4000:]


class JwksCache:
    """The keys of a jwks_uri, kept for the max-age of its Cache-Control
    (not at all without one), and fetched again for an unknown kid."""

    def __init__(self, uri):
        self.uri = uri
        self.fetches = 0
        self.keys = None
        self.until = 0

    def _fetch(self):
        r = requests.get(self.uri, timeout=10)
        assert r.status_code == 200, (r.status_code, r.text[:300])
        self.fetches += 1
        self.keys = r.json()
        m = re.search(r"max-age=(\d+)", r.headers.get("Cache-Control", ""))
        self.until = time.monotonic() + (int(m.group(1)) if m else 0)

    def key_for(self, header, payload):
        if self.keys is None or time.monotonic() >= self.until:
            self._fetch()
        kids = [k.get("kid") for k in self.keys["keys"]]
        if header.get("kid") not in kids:
            self._fetch()
        return JsonWebKey.import_key_set(self.keys).find_by_kid(
            header.get("kid"))


class AuthlibRP:
    """One app's relying party. `token_endpoint`: where it sends the token
    request (the proxy's, to tamper); `ahead`: how many seconds its clock
    runs ahead of the wall clock."""

    def __init__(self, op, app, token_endpoint=None):
        self.meta = rpkit.metadata(op)
        self.app = app
        self.jwks = JwksCache(self.meta["jwks_uri"])
        self.token_endpoint = token_endpoint or self.meta["token_endpoint"]
        self.ahead = 0

    def session(self):
        return OAuth2Session(self.app.key, self.app.secret,
                             scope=rpkit.OIDC_SCOPE,
                             redirect_uri=self.app.redirect_uri,
                             code_challenge_method="S256")

    def login(self, person):
        """The whole log-in; returns (claims, token answer, session)."""
        client = self.session()
        nonce, verifier = generate_token(20), generate_token(48)
        uri, _ = client.create_authorization_url(
            self.meta["authorization_endpoint"], nonce=nonce,
            code_verifier=verifier)
        r = person.go(uri, stop=lambda u: u.startswith(REDIRECT))
        assert r.status_code in (302, 303), (r.status_code, r.text[:500])
        self.on_callback(person)
        token = client.fetch_token(self.token_endpoint,
                                   authorization_response=r.headers["Location"],
                                   code_verifier=verifier)
        return self.validate(token, nonce), token, client

    def on_callback(self, person):
        """Between the browser's return and the token request."""

    def validate(self, token, nonce):
        """authlib's checks of the id_token. authlib 1.2 takes at_hash's
        hash from the alg's name (shaDSA for EdDSA: none), so it refuses
        every EdDSA at_hash: for EdDSA this RP checks at_hash itself, with
        SHA-512 as OpenID Connect Core (errata set 2, §3.1.3.6) says for
        Ed25519."""
        eddsa = tamperkit.jwt_parts(token["id_token"])[0].get("alg") == "EdDSA"
        params = {"nonce": nonce, "client_id": self.app.key}
        if not eddsa:
            params["access_token"] = token["access_token"]
        claims = jwt.decode(
            token["id_token"], key=self.jwks.key_for, claims_cls=CodeIDToken,
            claims_options={
                "iss": {"essential": True, "value": self.meta["issuer"]},
                "aud": {"essential": True, "value": self.app.key},
                "sub": {"essential": True}, "exp": {"essential": True}},
            claims_params=params)
        claims.validate(now=int(time.time()) + self.ahead)
        if eddsa:
            half = hashlib.sha512(token["access_token"].encode()).digest()
            if claims.get("at_hash") != tamperkit.b64e(half[:32]):
                raise InvalidClaimError("at_hash")
        return claims


def oidc_app(op, alg=None):
    return rpkit.make_app(op, [REDIRECT], alg=alg)


@pytest.mark.parametrize("alg", rpkit.ALGS)
def test_logs_in_with_each_algorithm(op, alg):
    app = oidc_app(op, alg)
    rp = AuthlibRP(op, app)
    person = rpkit.Person(op, "authlib-" + alg.lower())
    claims, token, client = rp.login(person)
    assert tamperkit.jwt_parts(token["id_token"])[0]["alg"] == alg
    assert claims["email"] == person.email
    assert claims["email_verified"] in (True, False)
    assert claims["amr"] == ["pwd"], claims
    assert claims["exp"] - claims["iat"] == 600, claims
    assert claims["sub"] and isinstance(claims["sub"], str)
    assert "at_hash" in claims and "auth_time" in claims, claims
    # a refresh answer carries a new id_token, without nonce
    new = client.refresh_token(rp.token_endpoint)
    again = rp.validate(new, None)
    assert "nonce" not in again and again["sub"] == claims["sub"], again


def test_default_algorithm_is_rs256(op):
    rp = AuthlibRP(op, oidc_app(op))
    _, token, _ = rp.login(rpkit.Person(op, "authlib-default"))
    assert tamperkit.jwt_parts(token["id_token"])[0]["alg"] == "RS256"


# --- tampered token answers -----------------------------------------------------

@pytest.fixture(scope="module")
def proxy(op):
    p = tamperkit.Proxy(op)
    yield p
    p.stop()


class Tampering(AuthlibRP):
    """The RP with a hook between the browser's return and the token
    request, where the test prepares the answer to swap in."""

    def __init__(self, op, app, proxy, prepare):
        super().__init__(op, app, proxy.token_endpoint)
        self.proxy, self.prepare = proxy, prepare

    def on_callback(self, person):
        fn = self.prepare(person, person.last_nonce())
        if fn is not None:
            self.proxy.tamper_next(fn)


CASES = {"forged": BadSignatureError, "expired": ExpiredTokenError,
         "wrong_aud": InvalidClaimError, "wrong_nonce": InvalidClaimError}


@pytest.mark.parametrize("alg", rpkit.ALGS)
@pytest.mark.parametrize("case", ["untouched", *CASES])
def test_tampered_id_token_refused(op, proxy, case, alg):
    app = oidc_app(op, alg)
    other = oidc_app(op, alg)

    def prepare(person, nonce):
        if case == "forged":
            return tamperkit.forged
        if case == "wrong_aud":        # another app's, same person, nonce
            return tamperkit.substituted(
                rpkit.code_answer(person, other, nonce))
        if case == "wrong_nonce":      # this app's, another log-in's nonce
            return tamperkit.substituted(
                rpkit.code_answer(person, app, nonce + "-other"))
        return None

    rp = Tampering(op, app, proxy, prepare)
    # Expired: keygate signs a 10-minute id_token honestly; the RP's clock
    # runs 11 minutes ahead (authlib's validate(now=...)).
    rp.ahead = 660 if case == "expired" else 0
    person = rpkit.Person(op, "authlib-" + case)
    seen = len(proxy.answers)
    if case == "untouched":
        claims, _, _ = rp.login(person)
        assert claims["email"] == person.email
    else:
        with pytest.raises(CASES[case]) as e:
            rp.login(person)
        if case in ("wrong_aud", "wrong_nonce"):
            # authlib 1.2's InvalidClaimError names the claim only in
            # its description
            claim = case.split("_")[1]
            assert f'Invalid claim "{claim}"' in e.value.description, e.value
    assert len(proxy.answers) == seen + 1 and not proxy.pending()


# --- key rotation -----------------------------------------------------------------

def test_key_rotation_no_login_fails(tmp_path_factory):
    op = rpkit.start_op(tmp_path_factory.mktemp("keygate"))
    try:
        rp = AuthlibRP(op, oidc_app(op))
        kid = lambda token: tamperkit.jwt_parts(token["id_token"])[0]["kid"]
        _, t1, _ = rp.login(rpkit.Person(op, "rot-before"))
        old = rpkit.jwks_kids(op)
        rpkit.rotate_keys(op)
        new = [k for k in rpkit.jwks_kids(op) if k not in old]
        assert new, "the new key is published at once"
        _, t2, _ = rp.login(rpkit.Person(op, "rot-during"))
        assert kid(t1) == kid(t2)                   # the old key still signs
        rpkit.past_publish_delay(op)
        # keygate's clock is an hour ahead now; the RP's moves along
        rp.ahead = rpkit.clock_offset(op)
        _, t3, _ = rp.login(rpkit.Person(op, "rot-after"))
        assert kid(t3) in new, (kid(t3), new)
    finally:
        assert op.stop() == 0, op.log()[-3000:]
