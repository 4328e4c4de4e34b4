/* Token and code formats: a presented credential's storage key as
 * tokens.c computes it (prefix and length first), the plain SHA-256 of
 * codes, secrets and personal tokens, and CSRF tokens against their
 * binding. Input: token NUL binding. */
#include "fuzz.h"

#include "core/apps.h"
#include "core/csrf.h"
#include "core/pats.h"
#include "base/secure.h"
#include "core/sessions.h"
#include "core/tokens.h"

static const char *const prefixes[] = { TOKENS_ACCESS_PREFIX,
	TOKENS_REFRESH_PREFIX, TOKENS_CODE_PREFIX, PAT_PREFIX,
	APP_SECRET_PREFIX, SESSION_TOKEN_PREFIX, "" };

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned char key[SECURE_KEY_BYTES] = { 1, 2, 3 };
	static bool ready;
	struct str in = { (const char *)data, size };
	struct str token = fuzz_piece(&in), binding = fuzz_piece(&in);
	unsigned char h[SECURE_HASH_BYTES], again[SECURE_HASH_BYTES];
	char csrf[CSRF_TOKEN_BYTES];
	char *t = fuzz_exact(token);

	if (!ready)
		ready = secure_init() == 0;
	token.p = t;
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		if (token.len > TOKEN_MAX_BYTES ||
		    !str_starts_with(token, prefixes[i]))
			continue;
		/* the key is a function of the token alone */
		secure_token_key(token, strlen(prefixes[i]), h);
		secure_token_key(token, strlen(prefixes[i]), again);
		FUZZ_CHECK(memcmp(h, again, sizeof(h)) == 0);
	}
	secure_hash(token, h);
	csrf_verify(key, binding, token);
	if (binding.len > 0) {
		csrf_token(key, binding, csrf);
		FUZZ_CHECK(csrf_verify(key, binding, str_from(csrf)));
	}
	free(t);
	return 0;
}
