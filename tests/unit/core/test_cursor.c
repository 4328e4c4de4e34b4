#include "core/cursor.h"

#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "base/err.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

Test(cursor, round_trips)
{
	static const int64_t ids[] = { 1, 2, 255, 256, 1 << 20,
	    4702111236471472449LL, INT64_MAX };
	char text[CURSOR_TEXT_BYTES];
	int64_t back;

	for (size_t i = 0; i < NELEM(ids); i++) {
		cursor_encode(ids[i], text);
		cr_expect_eq(strlen(text), CURSOR_TEXT_BYTES - 1);
		back = 0;
		cr_expect_eq(cursor_decode(str_from(text), &back), 0, "%s",
		    text);
		cr_expect_eq(back, ids[i]);
	}
	cursor_encode(1, text);
	cr_expect_str_eq(text, "AAAAAAAAAAE", "8 bytes, big-endian");
}

Test(cursor, refuses_what_encode_never_writes)
{
	static const char *const bad[] = {
		"", "AAAAAAAAAA", "AAAAAAAAAAEA", "AAAAAAAAAAE=",
		"AAAAAAAAAAA",		/* id 0 */
		"gAAAAAAAAAA",		/* past INT64_MAX */
		"__________8",		/* 2^64 - 1 */
		"AAAAAAAAAAF",		/* stray low bits: another spelling */
		"AAAAAAAAAA+", "AAAAAAAAAA/", "AAAAAAAAA.E", "AAA AAAAAAE",
		"AAA\xb8" "AAAAAAA",	/* a byte libsodium took */
	};
	int64_t id = 42;

	for (size_t i = 0; i < NELEM(bad); i++) {
		cr_expect_eq(cursor_decode(str_from(bad[i]), &id),
		    ERR_MALFORMED, "'%s'", bad[i]);
		cr_expect_eq(id, 42, "untouched on failure");
	}
	cr_expect_eq(cursor_decode((struct str){ "AAAAAAAAAAE\0", 11 }, &id),
	    0, "a slice, not a C string");
}
