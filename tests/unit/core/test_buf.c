#include "base/buf.h"

#include <criterion/criterion.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* Checks b holds exactly `want`, NUL-terminated. */
static void
expect_contents(const struct buf *b, const char *want, size_t i)
{
	size_t n = strlen(want);

	cr_expect_eq(b->len, n, "case %zu: len %zu, want %zu", i, b->len, n);
	cr_expect(str_eq(buf_str(b), (struct str){ want, n }),
	    "case %zu: got '%.*s', want '%s'", i, (int)b->len,
	    buf_str(b).p, want);
	if (b->p != NULL)
		cr_expect_eq(b->p[b->len], '\0', "case %zu: no NUL", i);
}

Test(buf, empty)
{
	struct buf b;

	buf_init(&b, 100);
	cr_expect_eq(b.len, 0);
	cr_expect_eq(b.err, 0);
	cr_expect_eq(b.max, 100);
	cr_expect_eq(buf_str(&b).len, 0);
	cr_expect_not_null(buf_str(&b).p);
	buf_release(&b);
	cr_expect_null(b.p);
	cr_expect_eq(b.max, 100);
	buf_release(&b);	/* twice is fine */
}

Test(buf, caps)
{
	/* Appends of `n` bytes at a time, `times` times, into a buffer of
	 * `max`: either everything fits or the buffer stops at the last
	 * whole append that fit and ERR_TOOBIG sticks. */
	static const struct {
		size_t	 max, n, times;
		size_t	 want_len;
		int	 want_err;
	} cases[] = {
		{ 0, 0, 3, 0, 0 },
		{ 0, 1, 1, 0, ERR_TOOBIG },
		{ 1, 1, 1, 1, 0 },
		{ 1, 1, 2, 1, ERR_TOOBIG },
		{ 10, 5, 2, 10, 0 },
		{ 10, 5, 3, 10, ERR_TOOBIG },
		{ 10, 3, 4, 9, ERR_TOOBIG },
		{ 10, 11, 1, 0, ERR_TOOBIG },
		{ 255, 255, 1, 255, 0 },
		{ 256, 256, 1, 256, 0 },
		{ 257, 1, 257, 257, 0 },
		{ 1000, 7, 200, 994, ERR_TOOBIG },
		{ 100000, 1000, 100, 100000, 0 },
		{ 100000, 1000, 101, 100000, ERR_TOOBIG },
	};

	for (size_t i = 0; i < NELEM(cases); i++) {
		struct buf b;
		char *chunk = malloc(cases[i].n + 1);

		memset(chunk, 'x', cases[i].n);
		buf_init(&b, cases[i].max);
		for (size_t k = 0; k < cases[i].times; k++)
			buf_append(&b, chunk, cases[i].n);
		cr_expect_eq(b.len, cases[i].want_len, "case %zu: len %zu", i,
		    b.len);
		cr_expect_eq(b.err, cases[i].want_err, "case %zu: err %d", i,
		    b.err);
		cr_expect(b.len <= b.max, "case %zu", i);
		if (b.p != NULL) {
			cr_expect_eq(b.p[b.len], '\0', "case %zu", i);
			for (size_t k = 0; k < b.len; k++)
				if (b.p[k] != 'x') {
					cr_expect_fail("case %zu: byte %zu",
					    i, k);
					break;
				}
		}
		buf_release(&b);
		free(chunk);
	}
}

Test(buf, sticky_toobig)
{
	struct buf b;

	buf_init(&b, 5);
	buf_puts(&b, "abc");
	buf_puts(&b, "def");		/* does not fit: dropped */
	cr_expect_eq(b.err, ERR_TOOBIG);
	expect_contents(&b, "abc", 0);
	buf_puts(&b, "d");		/* would fit, but the error sticks */
	cr_expect_eq(b.err, ERR_TOOBIG);
	expect_contents(&b, "abc", 1);
	buf_printf(&b, "%d", 1);
	cr_expect_eq(b.err, ERR_TOOBIG);
	expect_contents(&b, "abc", 2);
	buf_putstr(&b, STR_LIT("z"));
	cr_expect_eq(b.err, ERR_TOOBIG);
	expect_contents(&b, "abc", 3);
	buf_append(&b, "", 0);
	cr_expect_eq(b.err, ERR_TOOBIG);

	/* reset clears the error and the contents */
	buf_reset(&b);
	cr_expect_eq(b.err, 0);
	expect_contents(&b, "", 4);
	buf_puts(&b, "12345");
	cr_expect_eq(b.err, 0);
	expect_contents(&b, "12345", 5);
	buf_release(&b);
}

Test(buf, append_kinds)
{
	struct buf b;

	buf_init(&b, 1024);
	buf_append(&b, "ab", 2);
	buf_append(&b, NULL, 0);
	buf_puts(&b, "cd");
	buf_putstr(&b, STR_LIT("e\0f"));
	buf_putstr(&b, STR_NULL);
	cr_expect_eq(b.err, 0);
	cr_expect_eq(b.len, 7);
	cr_expect_eq(memcmp(b.p, "abcde\0f", 7), 0);
	cr_expect_eq(b.p[6], 'f');
	cr_expect_eq(b.p[7], '\0');
	buf_release(&b);
}

Test(buf, growth_keeps_contents)
{
	struct buf b;

	buf_init(&b, 1 << 20);
	for (int i = 0; i < 10000; i++)
		buf_printf(&b, "%d,", i % 10);
	cr_expect_eq(b.err, 0);
	cr_expect_eq(b.len, 20000);
	for (size_t i = 0; i < 20000; i += 2) {
		if (b.p[i] != (char)('0' + (i / 2) % 10) || b.p[i + 1] != ',') {
			cr_expect_fail("byte %zu is '%c'", i, b.p[i]);
			break;
		}
	}
	cr_expect_eq(b.p[b.len], '\0');
	buf_release(&b);
}

Test(buf, printf)
{
	static const struct {
		size_t		 max;
		const char	*prefix;
		long long	 num;
		const char	*word;
		const char	*want;
		int		 err;
	} cases[] = {
		{ 100, "", 0, "", "[0|]", 0 },
		{ 100, "x", -42, "abc", "x[-42|abc]", 0 },
		{ 100, "", 9223372036854775807LL, "z",
		  "[9223372036854775807|z]", 0 },
		{ 8, "", 12, "abc", "[12|abc]", 0 },	/* exactly max */
		{ 7, "", 12, "abc", "", ERR_TOOBIG },	/* one byte over */
		{ 8, "ab", 1, "cde", "ab", ERR_TOOBIG },
		{ 1000, "", 1, "", "[1|]", 0 },
	};

	for (size_t i = 0; i < NELEM(cases); i++) {
		struct buf b;

		buf_init(&b, cases[i].max);
		buf_puts(&b, cases[i].prefix);
		buf_printf(&b, "[%lld|%s]", cases[i].num, cases[i].word);
		cr_expect_eq(b.err, cases[i].err, "case %zu: err %d", i,
		    b.err);
		expect_contents(&b, cases[i].want, i);
		buf_release(&b);
	}
}

Test(buf, printf_long)
{
	struct buf b;
	char big[3000];

	memset(big, 'q', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	buf_init(&b, 10000);
	buf_puts(&b, "<");
	buf_printf(&b, "%s>", big);
	cr_expect_eq(b.err, 0);
	cr_expect_eq(b.len, 3001);
	cr_expect_eq(b.p[0], '<');
	cr_expect_eq(b.p[2999], 'q');
	cr_expect_eq(b.p[3000], '>');
	cr_expect_eq(b.p[3001], '\0');
	buf_release(&b);
}

Test(buf, detach)
{
	struct buf b;
	size_t len = 99;
	char *p;

	/* an empty buffer detaches as an empty heap string */
	buf_init(&b, 50);
	p = buf_detach(&b, &len);
	cr_assert_not_null(p);
	cr_expect_str_eq(p, "");
	cr_expect_eq(len, 0);
	free(p);

	buf_puts(&b, "hello");
	buf_printf(&b, " %s", "world");
	p = buf_detach(&b, &len);
	cr_assert_not_null(p);
	cr_expect_str_eq(p, "hello world");
	cr_expect_eq(len, 11);
	/* the buffer is re-inited with the same cap */
	cr_expect_null(b.p);
	cr_expect_eq(b.len, 0);
	cr_expect_eq(b.err, 0);
	cr_expect_eq(b.max, 50);
	free(p);

	/* and can be used again; len may be NULL */
	buf_puts(&b, "again");
	p = buf_detach(&b, NULL);
	cr_expect_str_eq(p, "again");
	free(p);
	buf_release(&b);
}

Test(buf, detach_clears_error)
{
	struct buf b;
	size_t len;
	char *p;

	buf_init(&b, 3);
	buf_puts(&b, "abcd");
	cr_expect_eq(b.err, ERR_TOOBIG);
	p = buf_detach(&b, &len);
	cr_expect_eq(len, 0);
	cr_expect_str_eq(p, "");
	cr_expect_eq(b.err, 0);
	free(p);
	buf_puts(&b, "abc");
	cr_expect_eq(b.err, 0);
	cr_expect_eq(b.len, 3);
	buf_release(&b);
}

/* What buf_put_json_string() writes must parse back to the input (checked
 * with jansson, which keygate used before for these answers). */
Test(buf, json_string_escapes_what_json_requires)
{
	static const char *const in[] = { "", "plain@example.com",
	    "a\"b", "back\\slash", "tab\tnew\nline\r", "\x01\x1f",
	    "caf\xc3\xa9 \xe2\x82\xac", "\"\\\"\\" };
	struct buf b;

	for (size_t i = 0; i < sizeof(in) / sizeof(*in); i++) {
		json_error_t err;
		json_t *j;
		struct str out;

		buf_init(&b, 4096);
		buf_put_json_string(&b, in[i]);
		out = buf_str(&b);
		j = json_loadb(out.p, out.len, JSON_DECODE_ANY, &err);
		cr_assert_not_null(j, "%zu: %.*s: %s", i, (int)out.len, out.p,
		    err.text);
		cr_assert(json_is_string(j));
		cr_expect_str_eq(json_string_value(j), in[i]);
		json_decref(j);
		buf_release(&b);
	}
	buf_init(&b, 64);
	buf_put_json_string(&b, "x\x1fy");
	cr_expect_eq(memcmp(buf_str(&b).p, "\"x\\u001fy\"", 10), 0);
	cr_expect_eq(buf_str(&b).len, 10);
	buf_release(&b);
}
