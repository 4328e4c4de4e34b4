#include "core/dpop_jwk.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <sodium.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"

#define P256_BYTES	32
#define ED25519_BYTES	32
#define RSA_MIN_BYTES	256	/* 2048 bits */
#define RSA_MAX_BYTES	DPOP_JWK_RAW_MAX	/* 4096 bits: verification
						 * time grows with it */
#define RSA_E_MAX_BYTES	8

/* A member's base64url, decoded strictly (no padding, no bits left over)
 * into raw, of exactly `min`..`max` bytes; its text into *text for the
 * thumbprint. */
static bool
member(const json_t *jwk, const char *name, unsigned char *raw,
    size_t min, size_t max, size_t *len, struct str *text)
{
	const json_t *v = json_object_get(jwk, name);

	if (!json_is_string(v))
		return false;
	*text = (struct str){ json_string_value(v), json_string_length(v) };
	/* base64url of max bytes is at most 4 * max / 3 + 2 characters */
	if (text->len > max / 3 * 4 + 4 ||
	    sodium_base642bin(raw, max, text->p, text->len, NULL, len, NULL,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
		return false;
	return *len >= min && *len <= max;
}

bool
dpop_json_is(const json_t *v, const char *want)
{
	return json_is_string(v) && strlen(want) == json_string_length(v) &&
	    strcmp(json_string_value(v), want) == 0;
}

static bool
str_member(const json_t *jwk, const char *name, const char *want)
{
	return dpop_json_is(json_object_get(jwk, name), want);
}

static EVP_PKEY *
from_params(const char *type, OSSL_PARAM_BLD *bld)
{
	OSSL_PARAM *params = bld != NULL ? OSSL_PARAM_BLD_to_param(bld) : NULL;
	EVP_PKEY_CTX *ctx = params != NULL ?
	    EVP_PKEY_CTX_new_from_name(NULL, type, NULL) : NULL;
	EVP_PKEY *k = NULL;

	if (ctx == NULL || EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &k, EVP_PKEY_PUBLIC_KEY, params) != 1)
		k = NULL;
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	return k;
}

/* EC P-256: the point 04||x||y. */
static bool
ec_read(const json_t *jwk, struct dpop_jwk *raw, struct buf *canon,
    const char **why)
{
	struct str x, y;
	size_t n;

	if (!str_member(jwk, "kty", "EC") || !str_member(jwk, "crv", "P-256")) {
		*why = "DPoP proof alg ES256 needs a jwk of kty EC, crv P-256";
		return false;
	}
	raw->a[0] = 0x04;
	if (!member(jwk, "x", raw->a + 1, P256_BYTES, P256_BYTES, &n, &x) ||
	    !member(jwk, "y", raw->a + 1 + P256_BYTES, P256_BYTES, P256_BYTES,
	    &n, &y)) {
		*why = "DPoP proof jwk x and y must be 32 bytes of base64url";
		return false;
	}
	raw->alen = 1 + 2 * P256_BYTES;
	buf_puts(canon, "{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"");
	buf_putstr(canon, x);
	buf_puts(canon, "\",\"y\":\"");
	buf_putstr(canon, y);
	buf_puts(canon, "\"}");
	return true;
}

/* OpenSSL refuses a point off the curve here. */
static EVP_PKEY *
ec_make(const struct dpop_jwk *raw)
{
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	EVP_PKEY *k;

	if (bld == NULL || OSSL_PARAM_BLD_push_utf8_string(bld,
	    OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) != 1 ||
	    OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY,
	    raw->a, raw->alen) != 1) {
		OSSL_PARAM_BLD_free(bld);
		bld = NULL;
	}
	k = from_params("EC", bld);
	OSSL_PARAM_BLD_free(bld);
	return k;
}

static bool
okp_read(const json_t *jwk, struct dpop_jwk *raw, struct buf *canon,
    const char **why)
{
	struct str x;

	if (!str_member(jwk, "kty", "OKP") ||
	    !str_member(jwk, "crv", "Ed25519")) {
		*why = "DPoP proof alg EdDSA needs a jwk of kty OKP, "
		    "crv Ed25519";
		return false;
	}
	if (!member(jwk, "x", raw->a, ED25519_BYTES, ED25519_BYTES,
	    &raw->alen, &x)) {
		*why = "DPoP proof jwk x must be 32 bytes of base64url";
		return false;
	}
	buf_puts(canon, "{\"crv\":\"Ed25519\",\"kty\":\"OKP\",\"x\":\"");
	buf_putstr(canon, x);
	buf_puts(canon, "\"}");
	return true;
}

static bool
rsa_read(const json_t *jwk, struct dpop_jwk *raw, struct buf *canon,
    const char **why)
{
	struct str n, e;

	if (!str_member(jwk, "kty", "RSA")) {
		*why = "DPoP proof alg RS256 needs a jwk of kty RSA";
		return false;
	}
	/* no leading zero byte (RFC 7518 §6.3.1), so one key has one
	 * thumbprint, and 2048 bits at least: 256 bytes whose first has its
	 * top bit; e odd, as every RSA public exponent */
	if (!member(jwk, "n", raw->a, RSA_MIN_BYTES, RSA_MAX_BYTES,
	    &raw->alen, &n) || raw->a[0] == 0 ||
	    (raw->alen == RSA_MIN_BYTES && (raw->a[0] & 0x80) == 0) ||
	    !member(jwk, "e", raw->e, 1, RSA_E_MAX_BYTES, &raw->elen, &e) ||
	    raw->e[0] == 0 || (raw->e[raw->elen - 1] & 1) == 0) {
		*why = "DPoP proof jwk must be an RSA key of 2048 to 4096 "
		    "bits (n, e in base64url)";
		return false;
	}
	buf_puts(canon, "{\"e\":\"");
	buf_putstr(canon, e);
	buf_puts(canon, "\",\"kty\":\"RSA\",\"n\":\"");
	buf_putstr(canon, n);
	buf_puts(canon, "\"}");
	return true;
}

static EVP_PKEY *
rsa_make(const struct dpop_jwk *raw)
{
	BIGNUM *bn_n = BN_bin2bn(raw->a, (int)raw->alen, NULL);
	BIGNUM *bn_e = BN_bin2bn(raw->e, (int)raw->elen, NULL);
	OSSL_PARAM_BLD *bld = NULL;
	EVP_PKEY *k = NULL;

	if (bn_n != NULL && bn_e != NULL &&
	    (bld = OSSL_PARAM_BLD_new()) != NULL &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n) == 1 &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e) == 1)
		k = from_params("RSA", bld);
	OSSL_PARAM_BLD_free(bld);
	BN_free(bn_n);
	BN_free(bn_e);
	return k;
}

int
dpop_jwk_read(const json_t *jwk, enum jws_alg alg, struct dpop_jwk *raw,
    unsigned char jkt[SECURE_HASH_BYTES], const char **why)
{
	/* RFC 7517/7518's private members: a client that sends one has
	 * given its key away, and keygate will not bind tokens to it */
	static const char *const private[] = { "d", "p", "q", "dp", "dq",
	    "qi", "oth", "k" };
	struct buf canon;
	bool ok = false;

	if (!json_is_object(jwk)) {
		*why = "DPoP proof header jwk must be a JSON object";
		return ERR_INVALID;
	}
	for (size_t i = 0; i < sizeof(private) / sizeof(private[0]); i++)
		if (json_object_get(jwk, private[i]) != NULL) {
			*why = "DPoP proof jwk holds a private key member";
			return ERR_INVALID;
		}
	raw->alg = alg;
	raw->alen = raw->elen = 0;
	buf_init(&canon, 2048);
	if (alg == JWS_ES256)
		ok = ec_read(jwk, raw, &canon, why);
	else if (alg == JWS_EDDSA)
		ok = okp_read(jwk, raw, &canon, why);
	else if (alg == JWS_RS256)
		ok = rsa_read(jwk, raw, &canon, why);
	else
		*why = "DPoP proof alg is not ES256, EdDSA or RS256";
	/* RFC 7638 §3: the required members only, in lexicographic order,
	 * no whitespace; the values as sent, which strict decoding has shown
	 * to be their one canonical form */
	if (ok && canon.err == 0)
		secure_hash(buf_str(&canon), jkt);
	ok = ok && canon.err == 0;
	buf_release(&canon);
	return ok ? 0 : ERR_INVALID;
}

EVP_PKEY *
dpop_jwk_make(const struct dpop_jwk *raw, const char **why)
{
	EVP_PKEY *k = NULL;

	if (raw->alg == JWS_ES256)
		k = ec_make(raw);
	else if (raw->alg == JWS_EDDSA)
		k = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, raw->a,
		    raw->alen);
	else if (raw->alg == JWS_RS256)
		k = rsa_make(raw);
	if (k == NULL)
		*why = raw->alg == JWS_ES256 ?
		    "DPoP proof jwk is not a point of P-256" :
		    "DPoP proof jwk is not a key OpenSSL accepts";
	return k;
}

int
dpop_jwk_key(const json_t *jwk, enum jws_alg alg, EVP_PKEY **key,
    unsigned char jkt[SECURE_HASH_BYTES], const char **why)
{
	struct dpop_jwk raw;

	*key = NULL;
	if (dpop_jwk_read(jwk, alg, &raw, jkt, why) != 0)
		return ERR_INVALID;
	*key = dpop_jwk_make(&raw, why);
	return *key != NULL ? 0 : ERR_INVALID;
}
