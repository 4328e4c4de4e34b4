#include "base/secure.h"

#include <sodium.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "base/mem.h"

/* argon2id at OWASP's recommended floor (m = 19 MiB, t = 2, p = 1): about
 * 30 ms per log-in on this hardware, and a bounded memory bill per request. */
#define PWHASH_OPSLIMIT		2
#define PWHASH_MEMLIMIT		(19u * 1024 * 1024)

/* The hash of a random password nobody kept, made with the parameters
 * above: verifying against it costs what a real verification costs. A
 * constant rather than a hash made at start, which cost every process
 * (each `keygate` command) 19 MiB and an argon2id run before its work. */
static const char dummy_hash[SECURE_PWHASH_MAX] = "$argon2id$v=19$m=19456,t=2,p=1$"
    "20KrxHeYLyzQIEHkfardAw$1/QtVteAiFop1pKIKSmFWKc9BMx610LS25i9LJpxs0c";

int
secure_init(void)
{
	if (sodium_init() < 0)
		return -1;
	/* parameters changed above but not in the dummy: its verification
	 * would no longer cost what a real one does */
	if (crypto_pwhash_str_needs_rehash(dummy_hash, PWHASH_OPSLIMIT,
	    PWHASH_MEMLIMIT) != 0)
		return -1;
	return 0;
}

void
secure_random(void *p, size_t n)
{
	randombytes_buf(p, n);
}

void
secure_token(const char *prefix, char out[TOKEN_MAX_BYTES + 1])
{
	unsigned char raw[TOKEN_RANDOM_BYTES];
	size_t plen = strlen(prefix);

	randombytes_buf(raw, sizeof(raw));
	memcpy(out, prefix, plen);
	sodium_bin2base64(out + plen, TOKEN_MAX_BYTES + 1 - plen, raw,
	    sizeof(raw), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof(raw));
}

/* base64url lengths (no padding) of the sorted form's two parts */
#define SORTED_TIME_CHARS	11	/* 8 bytes */
#define SORTED_RANDOM_CHARS	43	/* secure_token()'s TOKEN_RANDOM_BYTES */
#define SORTED_TIME_BYTES	8

static uint64_t
wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void
secure_token_sorted(const char *prefix, char out[TOKEN_MAX_BYTES + 1],
    unsigned char key[SECURE_HASH_BYTES])
{
	unsigned char at[SORTED_TIME_BYTES];
	char head[TOKEN_MAX_BYTES + 1];
	size_t plen = strlen(prefix);
	uint64_t ns = wall_ns();

	for (int i = 0; i < SORTED_TIME_BYTES; i++)
		at[i] = (unsigned char)(ns >> (56 - 8 * i));
	/* the prefix and the time, then secure_token()'s randomness */
	memcpy(head, prefix, plen);
	sodium_bin2base64(head + plen, sizeof(head) - plen, at, sizeof(at),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	secure_token(head, out);
	secure_token_key(str_from(out), plen, key);
}

void
secure_token_key(struct str token, size_t plen,
    unsigned char key[SECURE_HASH_BYTES])
{
	unsigned char at[SORTED_TIME_BYTES], hash[SECURE_HASH_BYTES];
	size_t len;

	secure_hash(token, hash);
	if (token.len != plen + SORTED_TIME_CHARS + SORTED_RANDOM_CHARS ||
	    sodium_base642bin(at, sizeof(at), token.p + plen,
	    SORTED_TIME_CHARS, NULL, &len, NULL,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    len != sizeof(at)) {
		memcpy(key, hash, SECURE_HASH_BYTES);
		return;
	}
	memcpy(key, at, sizeof(at));
	memcpy(key + sizeof(at), hash, SECURE_HASH_BYTES - sizeof(at));
}

void
secure_hash(struct str s, unsigned char out[SECURE_HASH_BYTES])
{
	crypto_hash_sha256(out, (const unsigned char *)s.p, s.len);
}

void
secure_mac_b64(const unsigned char key[SECURE_KEY_BYTES], struct str msg,
    char out[64])
{
	unsigned char mac[crypto_auth_hmacsha256_BYTES];

	crypto_auth_hmacsha256(mac, (const unsigned char *)msg.p, msg.len,
	    key);
	sodium_bin2base64(out, 64, mac, sizeof(mac),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

bool
secure_equal(struct str a, struct str b)
{
	unsigned char ha[SECURE_HASH_BYTES], hb[SECURE_HASH_BYTES];

	/* Hashing first makes the comparison length-independent. */
	secure_hash(a, ha);
	secure_hash(b, hb);
	return crypto_verify_32(ha, hb) == 0;
}

int
secure_password_hash(struct str password, char out[SECURE_PWHASH_MAX])
{
	return crypto_pwhash_str(out, password.p != NULL ? password.p : "",
	    password.len,
	    PWHASH_OPSLIMIT, PWHASH_MEMLIMIT) == 0 ? 0 : -1;
}

bool
secure_password_verify(const char *encoded, struct str password)
{
	/* An absent password is the empty one, never a NULL pointer. */
	return crypto_pwhash_str_verify(encoded, password.p != NULL ?
	    password.p : "", password.len) == 0;
}

void
secure_password_dummy_verify(struct str password)
{
	if (crypto_pwhash_str_verify(dummy_hash, password.p != NULL ?
	    password.p : "", password.len) == 0)
		return;	/* the result does not matter, the time spent does */
}
