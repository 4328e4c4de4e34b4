"""DPoP proofs (RFC 9449) for the HTTP tests, made with Python's
`cryptography` package: a key of each alg keygate takes, its public JWK
and RFC 7638 thumbprint, and a proof for one request."""

import base64
import hashlib
import json
import time
import uuid

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature)


def b64u(raw):
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _int_bytes(n, width=None):
    width = width or (n.bit_length() + 7) // 8
    return n.to_bytes(width, "big")


class DpopKey:
    """A client's key: alg "ES256", "EdDSA" or "RS256"."""

    def __init__(self, alg="ES256"):
        self.alg = alg
        if alg == "ES256":
            self.key = ec.generate_private_key(ec.SECP256R1())
        elif alg == "EdDSA":
            self.key = ed25519.Ed25519PrivateKey.generate()
        elif alg == "RS256":
            self.key = rsa.generate_private_key(65537, 2048)
        else:
            raise ValueError(alg)

    def jwk(self):
        pub = self.key.public_key()
        if self.alg == "ES256":
            nums = pub.public_numbers()
            return {"kty": "EC", "crv": "P-256",
                    "x": b64u(_int_bytes(nums.x, 32)),
                    "y": b64u(_int_bytes(nums.y, 32))}
        if self.alg == "EdDSA":
            from cryptography.hazmat.primitives import serialization
            raw = pub.public_bytes(serialization.Encoding.Raw,
                                   serialization.PublicFormat.Raw)
            return {"kty": "OKP", "crv": "Ed25519", "x": b64u(raw)}
        nums = pub.public_numbers()
        return {"kty": "RSA", "n": b64u(_int_bytes(nums.n)),
                "e": b64u(_int_bytes(nums.e))}

    def jkt(self):
        """RFC 7638: the required members, sorted, no whitespace."""
        required = {"EC": ("crv", "kty", "x", "y"), "OKP": ("crv", "kty", "x"),
                    "RSA": ("e", "kty", "n")}
        jwk = self.jwk()
        canon = json.dumps({k: jwk[k] for k in required[jwk["kty"]]},
                           sort_keys=True, separators=(",", ":"))
        return b64u(hashlib.sha256(canon.encode()).digest())

    def sign(self, data):
        if self.alg == "ES256":
            der = self.key.sign(data, ec.ECDSA(hashes.SHA256()))
            r, s = decode_dss_signature(der)
            return _int_bytes(r, 32) + _int_bytes(s, 32)
        if self.alg == "EdDSA":
            return self.key.sign(data)
        return self.key.sign(data, padding.PKCS1v15(), hashes.SHA256())

    def proof(self, htm, htu, access_token=None, nonce=None, iat=None,
              jti=None, header=None, claims=None):
        """A compact JWS; `header` and `claims` replace or add members
        (a value None removes one)."""
        h = {"typ": "dpop+jwt", "alg": self.alg, "jwk": self.jwk()}
        c = {"htm": htm, "htu": htu,
             "iat": int(time.time()) if iat is None else iat,
             "jti": jti or str(uuid.uuid4())}
        if access_token is not None:
            c["ath"] = ath(access_token)
        if nonce is not None:
            c["nonce"] = nonce
        for base, extra in ((h, header), (c, claims)):
            for k, v in (extra or {}).items():
                if v is None:
                    base.pop(k, None)
                else:
                    base[k] = v
        signing_input = (b64u(json.dumps(h).encode()) + "." +
                         b64u(json.dumps(c).encode()))
        return signing_input + "." + b64u(self.sign(signing_input.encode()))


def ath(access_token):
    return b64u(hashlib.sha256(access_token.encode()).digest())
