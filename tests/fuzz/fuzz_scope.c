/* The scope parameter (RFC 6749 §3.3): what parses formats back to the
 * same set. */
#include "fuzz.h"

#include "core/scopes.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = fuzz_exact((struct str){ (const char *)data, size });
	char text[SCOPES_TEXT_MAX];
	unsigned mask, again;

	if (scopes_parse((struct str){ copy, size }, &mask) == 0) {
		scopes_format(mask, text);
		FUZZ_CHECK(scopes_parse(str_from(text), &again) == 0);
		FUZZ_CHECK(again == mask);
	}
	free(copy);
	return 0;
}
