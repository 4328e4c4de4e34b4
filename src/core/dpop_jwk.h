#ifndef KEYGATE_CORE_DPOP_JWK_H
#define KEYGATE_CORE_DPOP_JWK_H

#include <jansson.h>
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

#endif
