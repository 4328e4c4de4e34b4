"""DPoP proofs (RFC 9449; docs/REFERENCE.md §17) made in Python for the
tests, with the `cryptography` package: keys of the three algorithms
keygate takes (ES256, EdDSA, RS256), their public JWKs, RFC 7638
thumbprints, and proofs with any claim changed or left out.

    key = dpopkit.Key("ES256")
    proof = key.proof("POST", server.base + "/oauth2/token")
    proof = key.proof("GET", url, access_token=tok, nonce=n)
    key.jkt        # base64url SHA-256 thumbprint, as cnf.jkt says it

A proof's header and claims can be overridden (`header=`, `claims=`; a
value None removes the member), so a test can send a wrong typ, htm,
htu, iat or ath, or a private key in the header."""

import base64
import hashlib
import json
import time
import uuid

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import \
    decode_dss_signature

ALGS = ("ES256", "EdDSA", "RS256")


def b64u(data):
    """base64url without padding, of bytes or a str."""
    if isinstance(data, str):
        data = data.encode()
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _uint(n, size=None):
    raw = n.to_bytes(size or (n.bit_length() + 7) // 8, "big")
    return b64u(raw)


def ath(access_token):
    """The `ath` claim for an access token: base64url SHA-256 of it."""
    return b64u(hashlib.sha256(access_token.encode()).digest())


class Key:
    """A private key of `alg` and what a proof needs of it."""

    def __init__(self, alg="ES256", rsa_bits=2048):
        if alg not in ALGS:
            raise ValueError(alg)
        self.alg = alg
        if alg == "ES256":
            self.private = ec.generate_private_key(ec.SECP256R1())
        elif alg == "EdDSA":
            self.private = ed25519.Ed25519PrivateKey.generate()
        else:
            self.private = rsa.generate_private_key(65537, rsa_bits)

    @property
    def jwk(self):
        """The public JWK, with the required members only (RFC 7638 §3.2
        order does not matter here: thumbprint() sorts)."""
        pub = self.private.public_key()
        if self.alg == "ES256":
            n = pub.public_numbers()
            return {"kty": "EC", "crv": "P-256", "x": _uint(n.x, 32),
                    "y": _uint(n.y, 32)}
        if self.alg == "EdDSA":
            from cryptography.hazmat.primitives import serialization
            raw = pub.public_bytes(serialization.Encoding.Raw,
                                   serialization.PublicFormat.Raw)
            return {"kty": "OKP", "crv": "Ed25519", "x": b64u(raw)}
        n = pub.public_numbers()
        return {"kty": "RSA", "e": _uint(n.e), "n": _uint(n.n)}

    @property
    def jkt(self):
        """The RFC 7638 thumbprint (SHA-256), base64url: what cnf.jkt and
        dpop_jkt carry."""
        return thumbprint(self.jwk)

    def sign(self, data):
        if self.alg == "ES256":
            der = self.private.sign(data, ec.ECDSA(hashes.SHA256()))
            r, s = decode_dss_signature(der)
            return r.to_bytes(32, "big") + s.to_bytes(32, "big")
        if self.alg == "EdDSA":
            return self.private.sign(data)
        return self.private.sign(data, padding.PKCS1v15(), hashes.SHA256())

    def proof(self, method, url, access_token=None, nonce=None, iat=None,
              jti=None, header=None, claims=None):
        """A compact DPoP proof for `method` at `url` (htu: without query
        or fragment, as RFC 9449 §4.2 says)."""
        hdr = {"typ": "dpop+jwt", "alg": self.alg, "jwk": self.jwk}
        body = {"jti": jti or str(uuid.uuid4()), "htm": method,
                "htu": url.split("?")[0].split("#")[0],
                "iat": int(time.time()) if iat is None else iat}
        if access_token is not None:
            body["ath"] = ath(access_token)
        if nonce is not None:
            body["nonce"] = nonce
        for src, dst in ((header or {}, hdr), (claims or {}, body)):
            for k, v in src.items():
                if v is None:
                    dst.pop(k, None)
                else:
                    dst[k] = v
        signing_input = (b64u(json.dumps(hdr, separators=(",", ":"))) +
                         "." +
                         b64u(json.dumps(body, separators=(",", ":"))))
        return signing_input + "." + b64u(self.sign(signing_input.encode()))


def thumbprint(jwk):
    """RFC 7638: SHA-256 of the required members, sorted, no spaces."""
    required = {"EC": ("crv", "kty", "x", "y"), "OKP": ("crv", "kty", "x"),
                "RSA": ("e", "kty", "n")}[jwk["kty"]]
    canon = json.dumps({k: jwk[k] for k in required}, sort_keys=True,
                       separators=(",", ":"))
    return b64u(hashlib.sha256(canon.encode()).digest())
