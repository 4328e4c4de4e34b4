#ifndef KEYGATE_CORE_JOSE_H
#define KEYGATE_CORE_JOSE_H

#include <stdbool.h>
#include <stddef.h>
#include <openssl/types.h>

#include "base/buf.h"
#include "base/str.h"
#include "core/jws_alg.h"

/* The JOSE pieces of the signing keys over OpenSSL 3's EVP (RFC 7515,
 * 7517, 7518, 8037): making a key of an algorithm, its private half as
 * PKCS#8 DER and back, its public half as a JWK, and raw JWS signatures
 * (ES256's R||S, not DER). EVP_PKEYs are OpenSSL's, freed with
 * EVP_PKEY_free(); one may sign on several threads at once. */

/* the longest raw signature: RSA 2048's 256 bytes */
#define JOSE_SIG_MAX	256
#define JOSE_ES256_SIG	64

/* A new key for alg (RSA 2048, P-256, Ed25519); NULL if OpenSSL fails. */
EVP_PKEY	*jose_generate(enum jws_alg alg);
/* true when k is of alg's type (and size, for RSA and EC). */
bool		 jose_key_fits(EVP_PKEY *k, enum jws_alg alg);

/* k's private key as PKCS#8 DER into a malloc'd *der (wipe and free it);
 * 0 or ERR_STORE. */
int		 jose_private_der(EVP_PKEY *k, unsigned char **der,
		    size_t *len);
/* The key of PKCS#8 DER; NULL when it is no such key. */
EVP_PKEY	*jose_private_from_der(const unsigned char *der, size_t len);

/* k's public JWK: {"kty", "kid", "use":"sig", "alg", then n/e, or
 * crv/x/y, or crv/x}, appended to out. 0 or ERR_STORE. */
int		 jose_public_jwk(EVP_PKEY *k, enum jws_alg alg,
		    const char *kid, struct buf *out);

/* Signs msg with k as JWS alg wants it; the raw signature into sig
 * (JOSE_SIG_MAX bytes), its length into *siglen. 0 or ERR_STORE. */
int		 jose_sign(EVP_PKEY *k, enum jws_alg alg,
		    const unsigned char *msg, size_t len, unsigned char *sig,
		    size_t *siglen);
/* true only when sig is alg's signature of msg by k. */
bool		 jose_verify(EVP_PKEY *k, enum jws_alg alg,
		    const unsigned char *msg, size_t len,
		    const unsigned char *sig, size_t siglen);

/* The three parts of a compact JWS (RFC 7515 §7.1): exactly two dots,
 * none of the parts empty; false otherwise. */
bool		 jose_split(struct str jws, struct str part[3]);

/* base64url without padding of n bytes, appended to out. */
void		 jose_b64url(struct buf *out, const unsigned char *p,
		    size_t n);

#endif
