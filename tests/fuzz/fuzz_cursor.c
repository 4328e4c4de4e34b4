/* The cursor of a list page (?cursor= on the API and the portal): any
 * string a client sends. Input: the cursor. */
#include "fuzz.h"

#include "core/cursor.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct str in = { (const char *)data, size };
	char *exact = fuzz_exact(in), again[CURSOR_TEXT_BYTES];
	int64_t id = 0, back = 0;

	in.p = exact;
	if (cursor_decode(in, &id) == 0) {
		/* one id, one cursor: what decodes is what encode writes */
		FUZZ_CHECK(id > 0);
		cursor_encode(id, again);
		FUZZ_CHECK(in.len == strlen(again) &&
		    memcmp(in.p, again, in.len) == 0);
	}
	/* every positive id goes there and back */
	if (size >= sizeof(id)) {
		memcpy(&id, data, sizeof(id));
		if (id > 0) {
			cursor_encode(id, again);
			FUZZ_CHECK(cursor_decode(str_from(again), &back) == 0 &&
			    back == id);
		}
	}
	free(exact);
	return 0;
}
