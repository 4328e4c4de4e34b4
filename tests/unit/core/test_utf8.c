#include "base/utf8.h"

#include <criterion/criterion.h>

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

struct utf8_case {
	struct str	 s;
	bool		 valid;
	const char	*what;
};

#define C(lit, v)	{ STR_LIT(lit), (v), #lit }

Test(utf8, valid)
{
	static const struct utf8_case cases[] = {
		/* valid */
		C("", true),
		C("a", true),
		C("hello, world", true),
		C("\x01\x7f", true),
		C("\xc2\x80", true),			/* U+0080 */
		C("\xc3\xa9", true),			/* é */
		C("\xdf\xbf", true),			/* U+07FF */
		C("\xe0\xa0\x80", true),		/* U+0800 */
		C("\xe2\x82\xac", true),		/* € */
		C("\xed\x9f\xbf", true),		/* U+D7FF */
		C("\xee\x80\x80", true),		/* U+E000 */
		C("\xef\xbf\xbd", true),		/* U+FFFD */
		C("\xef\xbf\xbf", true),		/* U+FFFF */
		C("\xf0\x90\x80\x80", true),		/* U+10000 */
		C("\xf0\x9f\x98\x80", true),		/* 😀 */
		C("\xf4\x8f\xbf\xbf", true),		/* U+10FFFF */
		C("a\xc3\xa9z\xe2\x82\xac\xf0\x9f\x98\x80!", true),
		/* overlong forms */
		C("\xc0\x80", false),
		C("\xc0\xaf", false),
		C("\xc1\xbf", false),
		C("\xe0\x80\x80", false),
		C("\xe0\x9f\xbf", false),
		C("\xf0\x80\x80\x80", false),
		C("\xf0\x8f\xbf\xbf", false),
		/* surrogates */
		C("\xed\xa0\x80", false),		/* U+D800 */
		C("\xed\xaf\xbf", false),
		C("\xed\xb0\x80", false),
		C("\xed\xbf\xbf", false),		/* U+DFFF */
		C("\xed\xa0\xbd\xed\xb8\x80", false),	/* CESU pair */
		/* past U+10FFFF */
		C("\xf4\x90\x80\x80", false),
		C("\xf4\xbf\xbf\xbf", false),
		C("\xf5\x80\x80\x80", false),
		C("\xf7\xbf\xbf\xbf", false),
		C("\xf8\x88\x80\x80\x80", false),
		C("\xfc\x84\x80\x80\x80\x80", false),
		/* truncated sequences, at the end and in the middle */
		C("\xc3", false),
		C("a\xc3", false),
		C("\xe2\x82", false),
		C("a\xe2", false),
		C("\xf0\x9f\x98", false),
		C("\xf0\x9f", false),
		C("\xf0", false),
		C("\xc3z", false),
		C("\xe2\x82z", false),
		C("\xf0\x9f\x98z", false),
		C("\xe2z\xac", false),
		/* lone continuation bytes */
		C("\x80", false),
		C("\xbf", false),
		C("a\x80z", false),
		C("\xc3\xa9\xa9", false),
		C("\xe2\x82\xac\x80", false),
		/* NUL */
		C("\0", false),
		C("a\0", false),
		C("\0a", false),
		C("ab\0cd", false),
		/* bytes that never appear */
		C("\xf5", false),
		C("\xf6", false),
		C("\xf7", false),
		C("\xf8", false),
		C("\xfb", false),
		C("\xfc", false),
		C("\xfd", false),
		C("\xfe", false),
		C("\xff", false),
		C("a\xffz", false),
		C("\xfe\xff", false),
		C("\xc0", false),
		C("\xc1", false),
	};

	for (size_t i = 0; i < NELEM(cases); i++)
		cr_expect_eq(utf8_valid(cases[i].s), cases[i].valid,
		    "case %zu: %s should be %s", i, cases[i].what,
		    cases[i].valid ? "valid" : "invalid");
}

Test(utf8, every_single_byte)
{
	for (unsigned c = 0; c < 256; c++) {
		char b = (char)c;
		bool want = c >= 0x01 && c <= 0x7f;

		cr_expect_eq(utf8_valid((struct str){ &b, 1 }), want,
		    "byte 0x%02x", c);
	}
}

Test(utf8, slice_bounds)
{
	/* Only the slice counts: a sequence cut by the slice's end is
	 * truncated even though the bytes after it would complete it. */
	const char *s = "a\xe2\x82\xac";

	cr_expect(utf8_valid((struct str){ s, 4 }));
	cr_expect(!utf8_valid((struct str){ s, 3 }));
	cr_expect(!utf8_valid((struct str){ s, 2 }));
	cr_expect(utf8_valid((struct str){ s, 1 }));
	cr_expect(utf8_valid((struct str){ s, 0 }));
	cr_expect(utf8_valid(STR_NULL));
}

Test(utf8, chars)
{
	static const struct {
		struct str	 s;
		size_t		 want;
	} cases[] = {
		{ STR_LIT(""), 0 },
		{ STR_NULL, 0 },
		{ STR_LIT("a"), 1 },
		{ STR_LIT("abcdefghij"), 10 },
		{ STR_LIT("\xc3\xa9"), 1 },
		{ STR_LIT("\xe2\x82\xac"), 1 },
		{ STR_LIT("\xf0\x9f\x98\x80"), 1 },
		{ STR_LIT("a\xc3\xa9z\xe2\x82\xac\xf0\x9f\x98\x80!"), 6 },
		{ STR_LIT("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"), 5 },
		{ STR_LIT("\xf4\x8f\xbf\xbf\xf0\x90\x80\x80"), 2 },
	};

	for (size_t i = 0; i < NELEM(cases); i++) {
		cr_expect(utf8_valid(cases[i].s), "case %zu", i);
		cr_expect_eq(utf8_chars(cases[i].s), cases[i].want,
		    "case %zu: %zu chars, want %zu", i,
		    utf8_chars(cases[i].s), cases[i].want);
	}
}
