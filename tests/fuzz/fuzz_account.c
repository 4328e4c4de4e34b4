/* Sign-up and log-in fields: email normalization (idempotent, within its
 * limit) and the password rule. */
#include "fuzz.h"

#include "core/accounts.h"
#include "base/limits.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = fuzz_exact((struct str){ (const char *)data, size });
	struct str in = { copy, size };
	char email[ACCOUNT_EMAIL_MAX_BYTES + 1];
	char again[ACCOUNT_EMAIL_MAX_BYTES + 1];
	const char *why;

	if (accounts_normalize_email(in, email, &why) == 0) {
		FUZZ_CHECK(strlen(email) <= ACCOUNT_EMAIL_MAX_BYTES);
		FUZZ_CHECK(accounts_normalize_email(str_from(email), again,
		    &why) == 0);
		FUZZ_CHECK(strcmp(email, again) == 0);
	}
	accounts_check_password(in, &why);
	free(copy);
	return 0;
}
