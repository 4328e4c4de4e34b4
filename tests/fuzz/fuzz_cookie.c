/* The Cookie header: cookie_get() for the names keygate reads. */
#include "fuzz.h"

#include "base/limits.h"
#include "http/cookie.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "kg_session", "kg_csrf", "a", "" };
	struct str in = { NULL, size };
	char *copy = fuzz_exact((struct str){ (const char *)data, size });

	in.p = copy;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct str v = STR_NULL;

		if (cookie_get(in, names[i], &v) == 0) {
			FUZZ_CHECK(size <= HTTP_MAX_COOKIE_BYTES);
			FUZZ_CHECK(fuzz_within(v, copy, size));
		}
	}
	free(copy);
	return 0;
}
