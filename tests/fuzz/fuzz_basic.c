/* The Authorization header: HTTP Basic (plain and RFC 6749 §2.3.1 form
 * decoded) and Bearer. */
#include "fuzz.h"

#include "base/arena.h"
#include "base/utf8.h"
#include "http/basic.h"

static void
basic(struct arena *a, struct str in, bool form_decoded)
{
	struct str user, password;

	if (basic_parse(a, in, form_decoded, &user, &password) != 0)
		return;
	FUZZ_CHECK(utf8_valid(user) && utf8_valid(password));
	FUZZ_CHECK(user.p[user.len] == '\0' && password.p[password.len] == '\0');
	FUZZ_CHECK(strlen(user.p) == user.len);
	FUZZ_CHECK(strlen(password.p) == password.len);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct str in = { NULL, size };
	char *copy = fuzz_exact((struct str){ (const char *)data, size });
	struct arena *a = arena_new();
	struct str token;

	in.p = copy;
	basic(a, in, false);
	basic(a, in, true);
	if (bearer_parse(in, &token) == 0)
		FUZZ_CHECK(token.len > 0 && fuzz_within(token, copy, size));
	arena_free(a);
	free(copy);
	return 0;
}
