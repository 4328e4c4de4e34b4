/* PKCE: the code_challenge at authorization, the code_verifier at the
 * token endpoint. Input: challenge NUL verifier. */
#include "fuzz.h"

#include <sodium.h>

#include "core/pkce.h"
#include "base/secure.h"

static bool
verifier_chars(struct str v)
{
	for (size_t i = 0; i < v.len; i++)
		if (strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		    "0123456789-._~", v.p[i]) == NULL || v.p[i] == '\0')
			return false;
	return v.len >= 43 && v.len <= 128;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	struct str in = { (const char *)data, size };
	struct str challenge = fuzz_piece(&in), verifier = fuzz_piece(&in);
	unsigned char h[crypto_hash_sha256_BYTES];
	char own[PKCE_CHALLENGE_LEN + 1];
	char *c = fuzz_exact(challenge), *v = fuzz_exact(verifier);

	if (!ready)
		ready = secure_init() == 0;
	challenge.p = c;
	verifier.p = v;
	pkce_challenge_valid(challenge);
	if (pkce_verify(verifier, challenge))
		FUZZ_CHECK(pkce_challenge_valid(challenge) &&
		    verifier_chars(verifier));
	/* a well-formed verifier verifies against its own S256 */
	if (verifier_chars(verifier)) {
		crypto_hash_sha256(h, (const unsigned char *)verifier.p,
		    verifier.len);
		sodium_bin2base64(own, sizeof(own), h, sizeof(h),
		    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
		FUZZ_CHECK(pkce_verify(verifier, str_from(own)));
	}
	free(c);
	free(v);
	return 0;
}
