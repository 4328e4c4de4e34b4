#include "base/str.h"

#include <criterion/criterion.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>

#include "base/err.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* A slice over a literal that may hold NUL bytes. */
#define S(lit)		STR_LIT(lit)

Test(str, from)
{
	struct str s = str_from("abc");

	cr_expect_eq(s.len, 3);
	cr_expect_eq(memcmp(s.p, "abc", 3), 0);
	s = str_from(NULL);
	cr_expect_eq(s.len, 0);
	s = str_from("");
	cr_expect_eq(s.len, 0);
}

Test(str, eq)
{
	static const struct {
		struct str	 a, b;
		bool		 want;
	} cases[] = {
		{ S(""), S(""), true },
		{ STR_NULL, S(""), true },
		{ STR_NULL, STR_NULL, true },
		{ S("a"), S("a"), true },
		{ S("abc"), S("abc"), true },
		{ S("abc"), S("abd"), false },
		{ S("abc"), S("ab"), false },
		{ S("ab"), S("abc"), false },
		{ S("abc"), S("ABC"), false },
		{ S(""), S("a"), false },
		{ STR_NULL, S("a"), false },
		{ S("a\0b"), S("a\0b"), true },
		{ S("a\0b"), S("a\0c"), false },
	};

	for (size_t i = 0; i < NELEM(cases); i++) {
		cr_expect_eq(str_eq(cases[i].a, cases[i].b), cases[i].want,
		    "case %zu", i);
		cr_expect_eq(str_eq(cases[i].b, cases[i].a), cases[i].want,
		    "case %zu (swapped)", i);
	}
}

Test(str, eq_lit)
{
	cr_expect(str_eq_lit(S("abc"), "abc"));
	cr_expect(!str_eq_lit(S("abc"), "ab"));
	cr_expect(!str_eq_lit(S("ab"), "abc"));
	cr_expect(str_eq_lit(STR_NULL, ""));
	/* The slice's embedded NUL is not the literal's end. */
	cr_expect(!str_eq_lit(S("ab\0"), "ab"));
}

Test(str, eq_nocase)
{
	static const struct {
		struct str	 a;
		const char	*lit;
		bool		 want;
	} cases[] = {
		{ S(""), "", true },
		{ STR_NULL, "", true },
		{ S("basic"), "Basic", true },
		{ S("BASIC"), "Basic", true },
		{ S("bAsIc"), "BaSiC", true },
		{ S("Basic"), "Basi", false },
		{ S("Basi"), "Basic", false },
		{ S("Basid"), "Basic", false },
		{ S("a1-_"), "A1-_", true },
		/* Only ASCII letters fold: '[' is not '{', '@' is not '`'. */
		{ S("["), "{", false },
		{ S("@"), "`", false },
		{ S("\xc3\xa9"), "\xc3\x89", false },
		{ S("a\0"), "a", false },
	};

	for (size_t i = 0; i < NELEM(cases); i++)
		cr_expect_eq(str_eq_nocase(cases[i].a, cases[i].lit),
		    cases[i].want, "case %zu: '%s'", i, cases[i].lit);
}

Test(str, starts_with)
{
	static const struct {
		struct str	 s;
		const char	*prefix;
		bool		 want;
	} cases[] = {
		{ S("kg_ss_abc"), "kg_ss_", true },
		{ S("kg_ss_"), "kg_ss_", true },
		{ S("kg_ss"), "kg_ss_", false },
		{ S("kg_pat_x"), "kg_ss_", false },
		{ S("abc"), "", true },
		{ S(""), "", true },
		{ STR_NULL, "", true },
		{ S(""), "a", false },
		{ STR_NULL, "a", false },
		{ S("Abc"), "abc", false },
		{ S("abc"), "abcd", false },
	};

	for (size_t i = 0; i < NELEM(cases); i++)
		cr_expect_eq(str_starts_with(cases[i].s, cases[i].prefix),
		    cases[i].want, "case %zu: prefix '%s'", i,
		    cases[i].prefix);
}

Test(str, trim)
{
	static const struct {
		struct str	 in;
		const char	*want;
	} cases[] = {
		{ S(""), "" },
		{ S(" "), "" },
		{ S(" \t \t"), "" },
		{ S("abc"), "abc" },
		{ S("  abc"), "abc" },
		{ S("abc  "), "abc" },
		{ S("\tabc\t"), "abc" },
		{ S(" \t a b \t "), "a b" },
		{ S("a\t\tb"), "a\t\tb" },
		/* Only spaces and tabs are trimmed. */
		{ S("\nabc\r"), "\nabc\r" },
		{ S("\vabc\f"), "\vabc\f" },
		{ S(" x"), "x" },
	};

	for (size_t i = 0; i < NELEM(cases); i++) {
		struct str got = str_trim(cases[i].in);

		cr_expect(str_eq_lit(got, cases[i].want),
		    "case %zu: got '%.*s', want '%s'", i, (int)got.len,
		    got.p != NULL ? got.p : "", cases[i].want);
		/* The result is a sub-slice of the input. */
		if (got.len > 0)
			cr_expect(got.p >= cases[i].in.p && got.p + got.len <=
			    cases[i].in.p + cases[i].in.len, "case %zu", i);
	}
	cr_expect_eq(str_trim(STR_NULL).len, 0);
}

struct i64_case {
	const char	*in;
	long long	 min, max;
	int		 rc;
	long long	 want;
};

Test(str, to_i64)
{
	static const struct i64_case cases[] = {
		/* plain values and bounds */
		{ "0", 0, 100, 0, 0 },
		{ "1", 0, 100, 0, 1 },
		{ "42", 0, 100, 0, 42 },
		{ "100", 0, 100, 0, 100 },
		{ "101", 0, 100, ERR_INVALID, 0 },
		{ "1000", 0, 100, ERR_INVALID, 0 },
		{ "007", 0, 100, 0, 7 },
		{ "0", 1, 100, ERR_INVALID, 0 },
		{ "1", 1, 100, 0, 1 },
		{ "9", 10, 100, ERR_INVALID, 0 },
		{ "65535", 1, 65535, 0, 65535 },
		{ "65536", 1, 65535, ERR_INVALID, 0 },
		{ "99999", 1, 65535, ERR_INVALID, 0 },
		/* a maximum below 10: every digit above it is refused */
		{ "5", 0, 5, 0, 5 },
		{ "6", 0, 5, ERR_INVALID, 0 },
		{ "7", 0, 5, ERR_INVALID, 0 },
		{ "9", 0, 5, ERR_INVALID, 0 },
		{ "09", 0, 5, ERR_INVALID, 0 },
		{ "1", 0, 0, ERR_INVALID, 0 },
		{ "9", 0, 0, ERR_INVALID, 0 },
		{ "2", 0, 1, ERR_INVALID, 0 },
		/* signs */
		{ "-1", 0, 100, ERR_INVALID, 0 },
		{ "-0", 0, 100, ERR_INVALID, 0 },
		{ "-1", -10, 10, 0, -1 },
		{ "-10", -10, 10, 0, -10 },
		{ "-11", -10, 10, ERR_INVALID, 0 },
		{ "-5", -5, 5, 0, -5 },
		{ "-6", -5, 5, ERR_INVALID, 0 },
		{ "-9", -5, 5, ERR_INVALID, 0 },
		{ "10", -10, 10, 0, 10 },
		{ "11", -10, 10, ERR_INVALID, 0 },
		{ "-7", -10, -5, 0, -7 },
		{ "-3", -10, -5, ERR_INVALID, 0 },
		{ "3", -10, -5, ERR_INVALID, 0 },
		{ "-", -10, 10, ERR_INVALID, 0 },
		{ "--1", -10, 10, ERR_INVALID, 0 },
		{ "+1", 0, 100, ERR_INVALID, 0 },
		{ "+1", -10, 10, ERR_INVALID, 0 },
		{ "+", 0, 100, ERR_INVALID, 0 },
		/* spaces and junk */
		{ "", 0, 100, ERR_INVALID, 0 },
		{ " 1", 0, 100, ERR_INVALID, 0 },
		{ "1 ", 0, 100, ERR_INVALID, 0 },
		{ "1 2", 0, 100, ERR_INVALID, 0 },
		{ "\t1", 0, 100, ERR_INVALID, 0 },
		{ "- 1", -10, 10, ERR_INVALID, 0 },
		{ "1a", 0, 100, ERR_INVALID, 0 },
		{ "0x10", 0, 100, ERR_INVALID, 0 },
		{ "1.0", 0, 100, ERR_INVALID, 0 },
		{ "1e2", 0, 1000, ERR_INVALID, 0 },
		/* INT64 limits */
		{ "9223372036854775807", LLONG_MIN, LLONG_MAX, 0, LLONG_MAX },
		{ "9223372036854775808", LLONG_MIN, LLONG_MAX, ERR_INVALID,
		  0 },
		{ "9223372036854775810", LLONG_MIN, LLONG_MAX, ERR_INVALID,
		  0 },
		{ "18446744073709551615", LLONG_MIN, LLONG_MAX, ERR_INVALID,
		  0 },
		{ "18446744073709551616", LLONG_MIN, LLONG_MAX, ERR_INVALID,
		  0 },
		{ "99999999999999999999", LLONG_MIN, LLONG_MAX, ERR_INVALID,
		  0 },
		{ "-9223372036854775808", LLONG_MIN, LLONG_MAX, 0, LLONG_MIN },
		{ "-9223372036854775807", LLONG_MIN, LLONG_MAX, 0,
		  -LLONG_MAX },
		{ "-9223372036854775809", LLONG_MIN, LLONG_MAX, ERR_INVALID,
		  0 },
		{ "-9999999999999999999", LLONG_MIN, LLONG_MAX, ERR_INVALID,
		  0 },
		{ "9223372036854775807", 0, LLONG_MAX, 0, LLONG_MAX },
		{ "9223372036854775807", 0, LLONG_MAX - 1, ERR_INVALID, 0 },
		{ "00000000000000000001", 0, LLONG_MAX, 0, 1 },
		/* 21 digits, even with a small value */
		{ "000000000000000000001", 0, LLONG_MAX, ERR_INVALID, 0 },
		{ "100000000000000000000", 0, LLONG_MAX, ERR_INVALID, 0 },
		{ "-0000000000000000001", LLONG_MIN, 0, 0, -1 },
	};

	for (size_t i = 0; i < NELEM(cases); i++) {
		const struct i64_case *c = &cases[i];
		long long got = 12345;
		int rc = str_to_i64(str_from(c->in), c->min, c->max, &got);

		cr_expect_eq(rc, c->rc, "case %zu: '%s' in [%lld, %lld]: "
		    "rc %d, want %d (got %lld)", i, c->in, c->min, c->max, rc,
		    c->rc, got);
		if (rc == 0 && c->rc == 0)
			cr_expect_eq(got, c->want, "case %zu: '%s': got %lld, "
			    "want %lld", i, c->in, got, c->want);
	}
}

Test(str, to_i64_not_nul_terminated)
{
	long long v = 0;

	/* Only the slice is read, not what follows it. */
	cr_expect_eq(str_to_i64((struct str){ "12345", 2 }, 0, 100, &v), 0);
	cr_expect_eq(v, 12);
	cr_expect_eq(str_to_i64((struct str){ "-12x", 3 }, -100, 100, &v),
	    0);
	cr_expect_eq(v, -12);
}
