#ifndef KEYGATE_CORE_SIGNING_H
#define KEYGATE_CORE_SIGNING_H

#include <stdbool.h>
#include <stdint.h>

#include "core/jws_alg.h"
#include "core/keygate.h"
#include "base/buf.h"
#include "base/str.h"

/* The OpenID Provider's signing keys (docs/REFERENCE.md §9): JWS compact
 * serialization of id_tokens with OpenSSL 3's EVP, one current key per
 * algorithm, the JWKS that publishes them, and the keys' life (published
 * at once, used after --key-publish-delay, kept --key-retire-delay after
 * their last use). The private keys sit in the store encrypted under the
 * --key-file key; every node of one store signs with the same key. */

/* enum jws_alg, jws_alg_name() and jws_alg_parse() are in core/jws_alg.h,
 * which the modules below this one share. */

/* OpenID Connect's at_hash of `token` for `alg`: base64url of the left
 * half of its hash (SHA-256; SHA-512 for EdDSA over Ed25519) into out.
 * Returns the length written. */
#define SIGNING_HALF_HASH_MAX	44	/* 32 bytes, base64url, NUL */
size_t		 signing_half_hash(enum jws_alg alg, struct str token,
		    char out[SIGNING_HALF_HASH_MAX]);

/* Signs `claims` (a JSON object's text) with the current key for alg:
 * header {"alg","kid","typ":"JWT"}; the compact JWS is appended to out.
 * Returns 0, or ERR_STORE when no key could be read or made. */
int		 signing_sign(struct keygate *kg, enum jws_alg alg,
		    struct str claims, struct buf *out);

/* Checks a compact JWS made by signing_sign() against every key the JWKS
 * still holds, and appends its payload (JSON text) to out. Claims such as
 * exp are the caller's to check. Returns 0, or ERR_AUTH for anything
 * malformed, forged or signed by an unknown key. */
int		 signing_verify(struct keygate *kg, struct str jws,
		    struct buf *payload);

/* The JWKS document (RFC 7517) of every published key: those waiting for
 * their publish delay, the current ones, and retired ones still inside
 * their retire delay. Appends the JSON to out; returns 0 or ERR_STORE. */
int		 signing_jwks(struct keygate *kg, struct buf *out);

#endif
