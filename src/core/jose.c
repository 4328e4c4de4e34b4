#include "core/jose.h"

#include <limits.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/mem.h"

#define RSA_BITS	2048
#define P256_BYTES	32

EVP_PKEY *
jose_generate(enum jws_alg alg)
{
	switch (alg) {
	case JWS_RS256:
		return EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)RSA_BITS);
	case JWS_ES256:
		return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	case JWS_EDDSA:
		return EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	default:
		return NULL;
	}
}

bool
jose_key_fits(EVP_PKEY *k, enum jws_alg alg)
{
	char group[16];
	size_t len;

	switch (alg) {
	case JWS_RS256:
		return EVP_PKEY_is_a(k, "RSA") && EVP_PKEY_get_bits(k) >= RSA_BITS;
	case JWS_ES256:
		return EVP_PKEY_is_a(k, "EC") &&
		    EVP_PKEY_get_utf8_string_param(k,
		    OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
		    &len) == 1 && strcmp(group, "prime256v1") == 0;
	case JWS_EDDSA:
		return EVP_PKEY_is_a(k, "ED25519");
	default:
		return false;
	}
}

int
jose_private_der(EVP_PKEY *k, unsigned char **der, size_t *len)
{
	PKCS8_PRIV_KEY_INFO *p8 = EVP_PKEY2PKCS8(k);
	unsigned char *ossl = NULL;
	int n;

	*der = NULL;
	*len = 0;
	if (p8 == NULL)
		return ERR_STORE;
	n = i2d_PKCS8_PRIV_KEY_INFO(p8, &ossl);
	PKCS8_PRIV_KEY_INFO_free(p8);
	if (n <= 0)
		return ERR_STORE;
	/* out of OpenSSL's allocator into ours, so the caller frees it
	 * like everything else; OpenSSL's copy is wiped */
	*der = xmalloc((size_t)n);
	memcpy(*der, ossl, (size_t)n);
	OPENSSL_clear_free(ossl, (size_t)n);
	*len = (size_t)n;
	return 0;
}

EVP_PKEY *
jose_private_from_der(const unsigned char *der, size_t len)
{
	const unsigned char *p = der;
	PKCS8_PRIV_KEY_INFO *p8;
	EVP_PKEY *k;

	if (len > LONG_MAX ||
	    (p8 = d2i_PKCS8_PRIV_KEY_INFO(NULL, &p, (long)len)) == NULL)
		return NULL;
	k = p == der + len ? EVP_PKCS82PKEY(p8) : NULL;
	PKCS8_PRIV_KEY_INFO_free(p8);
	return k;
}

void
jose_b64url(struct buf *out, const unsigned char *p, size_t n)
{
	size_t cap = sodium_base64_ENCODED_LEN(n,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	char *s = xmalloc(cap);

	sodium_bin2base64(s, cap, p, n,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	buf_puts(out, s);
	free(s);
}

/* A big number's base64url, at least `pad` bytes wide (0: its own size). */
static int
put_bn(struct buf *out, const BIGNUM *bn, int pad)
{
	unsigned char raw[RSA_BITS / 8 * 2];
	int n = pad > 0 ? pad : BN_num_bytes(bn);

	if (bn == NULL || n <= 0 || (size_t)n > sizeof(raw) ||
	    BN_bn2binpad(bn, raw, n) != n)
		return ERR_STORE;
	buf_puts(out, "\"");
	jose_b64url(out, raw, (size_t)n);
	buf_puts(out, "\"");
	return 0;
}

static int
put_bn_param(struct buf *out, EVP_PKEY *k, const char *param, int pad)
{
	BIGNUM *bn = NULL;
	int rc;

	if (EVP_PKEY_get_bn_param(k, param, &bn) != 1)
		return ERR_STORE;
	rc = put_bn(out, bn, pad);
	BN_free(bn);
	return rc;
}

/* The key's own members (RFC 7518 §6.2, §6.3; RFC 8037 §2). */
static int
put_public(struct buf *out, EVP_PKEY *k, enum jws_alg alg)
{
	unsigned char raw[32];
	size_t len = sizeof(raw);

	switch (alg) {
	case JWS_RS256:
		buf_puts(out, ",\"n\":");
		if (put_bn_param(out, k, OSSL_PKEY_PARAM_RSA_N, 0) != 0)
			return ERR_STORE;
		buf_puts(out, ",\"e\":");
		return put_bn_param(out, k, OSSL_PKEY_PARAM_RSA_E, 0);
	case JWS_ES256:
		/* x and y at the curve's full width (RFC 7518 §6.2.1.2) */
		buf_puts(out, ",\"crv\":\"P-256\",\"x\":");
		if (put_bn_param(out, k, OSSL_PKEY_PARAM_EC_PUB_X,
		    P256_BYTES) != 0)
			return ERR_STORE;
		buf_puts(out, ",\"y\":");
		return put_bn_param(out, k, OSSL_PKEY_PARAM_EC_PUB_Y,
		    P256_BYTES);
	case JWS_EDDSA:
		if (EVP_PKEY_get_raw_public_key(k, raw, &len) != 1 ||
		    len != sizeof(raw))
			return ERR_STORE;
		buf_puts(out, ",\"crv\":\"Ed25519\",\"x\":\"");
		jose_b64url(out, raw, len);
		buf_puts(out, "\"");
		return 0;
	default:
		return ERR_STORE;
	}
}

int
jose_public_jwk(EVP_PKEY *k, enum jws_alg alg, const char *kid,
    struct buf *out)
{
	static const char *const kty[JWS_ALG_COUNT] = { "RSA", "EC", "OKP" };

	if ((unsigned)alg >= JWS_ALG_COUNT || !jose_key_fits(k, alg))
		return ERR_STORE;
	buf_printf(out, "{\"kty\":\"%s\",\"kid\":", kty[alg]);
	buf_put_json_string(out, kid);
	buf_printf(out, ",\"use\":\"sig\",\"alg\":\"%s\"", jws_alg_name(alg));
	if (put_public(out, k, alg) != 0)
		return ERR_STORE;
	buf_puts(out, "}");
	return out->err != 0 ? ERR_STORE : 0;
}

/* SHA-256 for RS256 and ES256; Ed25519 hashes inside (NULL digest). */
static const EVP_MD *
digest_of(enum jws_alg alg)
{
	return alg == JWS_EDDSA ? NULL : EVP_sha256();
}

/* ECDSA's DER (SEQUENCE of two INTEGERs) into JWS's R||S, each 32 bytes
 * (RFC 7518 §3.4). */
static int
der_to_rs(unsigned char *sig, size_t *siglen)
{
	const unsigned char *p = sig;
	ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &p, (long)*siglen);
	const BIGNUM *r, *s;
	int ok;

	if (es == NULL)
		return ERR_STORE;
	ECDSA_SIG_get0(es, &r, &s);
	ok = BN_bn2binpad(r, sig, P256_BYTES) == P256_BYTES &&
	    BN_bn2binpad(s, sig + P256_BYTES, P256_BYTES) == P256_BYTES;
	ECDSA_SIG_free(es);
	*siglen = JOSE_ES256_SIG;
	return ok ? 0 : ERR_STORE;
}

/* R||S back into the DER that EVP verifies; false for a wrong length. */
static bool
rs_to_der(const unsigned char *rs, size_t len, unsigned char **der,
    int *derlen)
{
	ECDSA_SIG *es;
	BIGNUM *r, *s;

	if (len != JOSE_ES256_SIG || (es = ECDSA_SIG_new()) == NULL)
		return false;
	r = BN_bin2bn(rs, P256_BYTES, NULL);
	s = BN_bin2bn(rs + P256_BYTES, P256_BYTES, NULL);
	if (r == NULL || s == NULL || ECDSA_SIG_set0(es, r, s) != 1) {
		BN_free(r);
		BN_free(s);
		ECDSA_SIG_free(es);
		return false;
	}
	*der = NULL;
	*derlen = i2d_ECDSA_SIG(es, der);
	ECDSA_SIG_free(es);
	return *derlen > 0;
}

int
jose_sign(EVP_PKEY *k, enum jws_alg alg, const unsigned char *msg,
    size_t len, unsigned char *sig, size_t *siglen)
{
	/* DER of ECDSA is up to 72 bytes, inside JOSE_SIG_MAX */
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok;

	*siglen = JOSE_SIG_MAX;
	ok = ctx != NULL && jose_key_fits(k, alg) &&
	    EVP_DigestSignInit(ctx, NULL, digest_of(alg), NULL, k) == 1 &&
	    EVP_DigestSign(ctx, sig, siglen, msg, len) == 1;
	EVP_MD_CTX_free(ctx);
	if (!ok)
		return ERR_STORE;
	return alg == JWS_ES256 ? der_to_rs(sig, siglen) : 0;
}

bool
jose_verify(EVP_PKEY *k, enum jws_alg alg, const unsigned char *msg,
    size_t len, const unsigned char *sig, size_t siglen)
{
	unsigned char *der = NULL;
	int derlen = 0;
	EVP_MD_CTX *ctx;
	bool ok;

	if (!jose_key_fits(k, alg))
		return false;
	if (alg == JWS_ES256) {
		if (!rs_to_der(sig, siglen, &der, &derlen))
			return false;
		sig = der;
		siglen = (size_t)derlen;
	}
	ctx = EVP_MD_CTX_new();
	ok = ctx != NULL && EVP_DigestVerifyInit(ctx, NULL, digest_of(alg),
	    NULL, k) == 1 &&
	    EVP_DigestVerify(ctx, sig, siglen, msg, len) == 1;
	EVP_MD_CTX_free(ctx);
	OPENSSL_free(der);
	return ok;
}

bool
jose_split(struct str jws, struct str part[3])
{
	const char *p = jws.p, *end = jws.p + jws.len;

	for (int i = 0; i < 3; i++) {
		const char *dot = memchr(p, '.', (size_t)(end - p));

		if ((dot == NULL) != (i == 2))
			return false;
		if (dot == NULL)
			dot = end;
		part[i] = (struct str){ p, (size_t)(dot - p) };
		p = dot + 1;
	}
	return part[0].len > 0 && part[1].len > 0 && part[2].len > 0;
}
