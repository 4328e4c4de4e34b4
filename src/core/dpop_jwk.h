#ifndef KEYGATE_CORE_DPOP_JWK_H
#define KEYGATE_CORE_DPOP_JWK_H

#include <jansson.h>
#include <stdbool.h>
#include <openssl/types.h>

#include "base/secure.h"
#include "core/jws_alg.h"

/* The public key a DPoP proof carries in its header's `jwk` (RFC 9449
 * §4.2), apart from the proof's other checks so that what a client may
 * send as a key is read in one place: kty and crv must fit alg (EC P-256
 * for ES256, OKP Ed25519 for EdDSA, RSA of 2048 to 4096 bits for RS256),
 * no private member, the members strict base64url of their exact size.
 * On 0, *key is the key (EVP_PKEY_free() it) and jkt its RFC 7638
 * thumbprint (SHA-256); otherwise ERR_INVALID and *why says what. */
int	dpop_jwk_key(const json_t *jwk, enum jws_alg alg, EVP_PKEY **key,
	    unsigned char jkt[SECURE_HASH_BYTES], const char **why);

/* dpop_jwk_key() in two steps, so that a caller holding keys by their
 * thumbprint builds a key only for one it has not seen: the members read
 * and checked, the thumbprint taken (0 or ERR_INVALID and *why), then
 * the OpenSSL key made of them (NULL and *why when OpenSSL refuses it:
 * an EC point off the curve, ...). */
#define DPOP_JWK_RAW_MAX	512	/* RSA 4096's n */
struct dpop_jwk {
	enum jws_alg	 alg;
	/* EC: 04||x||y; OKP: x; RSA: n */
	unsigned char	 a[DPOP_JWK_RAW_MAX];
	size_t		 alen;
	unsigned char	 e[8];		/* RSA: e */
	size_t		 elen;
};
/* v is a JSON string equal to want, byte for byte (no NUL inside): the
 * test of every fixed member of a proof (typ, htm, kty, crv). */
bool	dpop_json_is(const json_t *v, const char *want);

int	dpop_jwk_read(const json_t *jwk, enum jws_alg alg, struct dpop_jwk *raw,
	    unsigned char jkt[SECURE_HASH_BYTES], const char **why);
EVP_PKEY *dpop_jwk_make(const struct dpop_jwk *raw, const char **why);

#endif
