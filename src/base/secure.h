#ifndef KEYGATE_BASE_SECURE_H
#define KEYGATE_BASE_SECURE_H

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"
#include "base/limits.h"
#include "base/str.h"

#define SECURE_HASH_BYTES	32	/* SHA-256 */
#define SECURE_KEY_BYTES	32	/* HMAC-SHA-256 key */
#define SECURE_PWHASH_MAX	128	/* argon2id encoded string incl. NUL */

/* Must be called once before any other function here; returns 0 or -1. */
int	secure_init(void);

/* Writes `prefix` followed by TOKEN_RANDOM_BYTES of CSPRNG output in
 * base64url (no padding) into out (size >= TOKEN_MAX_BYTES + 1). */
void	secure_token(const char *prefix, char out[TOKEN_MAX_BYTES + 1]);

/* An OAuth token whose storage key sorts by minting time: `prefix`, the
 * wall clock in nanoseconds (8 bytes, base64url), then TOKEN_RANDOM_BYTES
 * of CSPRNG output (base64url). The key (secure_token_key()) begins with
 * that time, so tokens minted together are stored on the same pages and
 * a store's B-trees grow at one end instead of at a random page each. */
void	secure_token_sorted(const char *prefix,
	    char out[TOKEN_MAX_BYTES + 1],
	    unsigned char key[SECURE_HASH_BYTES]);

/* The storage key of a presented token (after its `plen`-byte prefix):
 * for secure_token_sorted()'s form, its time (8 bytes, big-endian) and
 * the first 24 bytes of the whole token's SHA-256; for any other, the
 * SHA-256 (tokens minted before the sorted form). Only the hash part
 * vouches for the token: a forger who picks the time still has to match
 * 192 bits of SHA-256. */
void	secure_token_key(struct str token, size_t plen,
	    unsigned char key[SECURE_HASH_BYTES]);

/* SHA-256 of `s`: how secrets, codes and session ids are stored (access
 * and refresh tokens: secure_token_key()). */
void	secure_hash(struct str s, unsigned char out[SECURE_HASH_BYTES]);

/* HMAC-SHA-256 of `msg` under `key`, base64url (43 chars) into out. */
void	secure_mac_b64(const unsigned char key[SECURE_KEY_BYTES],
	    struct str msg, char out[64]);

/* Constant-time equality of two equal-purpose strings. */
bool	secure_equal(struct str a, struct str b);

/* Fills `key` with CSPRNG bytes. */
void	secure_random(void *p, size_t n);

/* argon2id password hashing (libsodium crypto_pwhash_str). out receives the
 * encoded string with its parameters. Returns 0, or ERR_STORE-like -1 when
 * memory could not be had. */
int	secure_password_hash(struct str password,
	    char out[SECURE_PWHASH_MAX]);
/* True when `password` matches `encoded`. */
bool	secure_password_verify(const char *encoded, struct str password);

/* A hash that exists only to spend the same time as a real verification
 * when the account does not exist (no user enumeration by timing). */
void	secure_password_dummy_verify(struct str password);

#endif
