#include "core/pkce.h"

#include <sodium.h>
#include <string.h>

#include "base/secure.h"

static bool
b64url_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '_';
}

bool
pkce_challenge_valid(struct str c)
{
	if (c.len != PKCE_CHALLENGE_LEN)
		return false;
	for (size_t i = 0; i < c.len; i++)
		if (!b64url_char(c.p[i]))
			return false;
	return true;
}

bool
pkce_verify(struct str verifier, struct str challenge)
{
	unsigned char hash[SECURE_HASH_BYTES];
	char want[PKCE_CHALLENGE_LEN + 2];

	if (verifier.len < 43 || verifier.len > 128 ||
	    !pkce_challenge_valid(challenge))
		return false;
	for (size_t i = 0; i < verifier.len; i++)
		if (!b64url_char(verifier.p[i]) && verifier.p[i] != '.' &&
		    verifier.p[i] != '~')
			return false;
	secure_hash(verifier, hash);
	sodium_bin2base64(want, sizeof(want), hash, sizeof(hash),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return sodium_memcmp(want, challenge.p, PKCE_CHALLENGE_LEN) == 0;
}
