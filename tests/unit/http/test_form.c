#include "http/form.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/limits.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

struct decode_case {
	struct str	 in;
	bool		 plus_is_space;
	int		 rc;
	struct str	 want;
};

Test(form, decode)
{
	static const struct decode_case cases[] = {
		{ STR_LIT(""), true, 0, STR_LIT("") },
		{ STR_LIT("abc"), true, 0, STR_LIT("abc") },
		{ STR_LIT("a+b"), true, 0, STR_LIT("a b") },
		{ STR_LIT("a+b"), false, 0, STR_LIT("a+b") },
		{ STR_LIT("+++"), true, 0, STR_LIT("   ") },
		{ STR_LIT("%41"), true, 0, STR_LIT("A") },
		{ STR_LIT("x%41y"), true, 0, STR_LIT("xAy") },
		{ STR_LIT("%4a%4A"), true, 0, STR_LIT("JJ") },
		{ STR_LIT("%ff%FF%Ff"), true, 0, STR_LIT("\xff\xff\xff") },
		{ STR_LIT("%2B"), true, 0, STR_LIT("+") },
		{ STR_LIT("%2b"), false, 0, STR_LIT("+") },
		{ STR_LIT("%20"), true, 0, STR_LIT(" ") },
		{ STR_LIT("%25"), true, 0, STR_LIT("%") },
		{ STR_LIT("%2541"), true, 0, STR_LIT("%41") },
		{ STR_LIT("%00"), true, 0, STR_LIT("\0") },
		{ STR_LIT("%C3%A9"), true, 0, STR_LIT("\xc3\xa9") },
		{ STR_LIT("a=b&c"), true, 0, STR_LIT("a=b&c") },
		/* bad escapes */
		{ STR_LIT("%zz"), true, ERR_MALFORMED, STR_NULL },
		{ STR_LIT("%4z"), true, ERR_MALFORMED, STR_NULL },
		{ STR_LIT("%z4"), true, ERR_MALFORMED, STR_NULL },
		{ STR_LIT("%4"), true, ERR_MALFORMED, STR_NULL },
		{ STR_LIT("ab%4"), true, ERR_MALFORMED, STR_NULL },
		{ STR_LIT("%"), true, ERR_MALFORMED, STR_NULL },
		{ STR_LIT("abc%"), true, ERR_MALFORMED, STR_NULL },
		{ STR_LIT("%%41"), true, ERR_MALFORMED, STR_NULL },
		{ STR_LIT("% 41"), true, ERR_MALFORMED, STR_NULL },
		{ STR_LIT("%+41"), true, ERR_MALFORMED, STR_NULL },
		{ STR_LIT("%-1"), true, ERR_MALFORMED, STR_NULL },
		{ STR_LIT("%g0"), true, ERR_MALFORMED, STR_NULL },
		{ STR_LIT("%0G"), true, ERR_MALFORMED, STR_NULL },
		{ STR_LIT("%\xc3\xa9"), true, ERR_MALFORMED, STR_NULL },
	};

	for (size_t i = 0; i < NELEM(cases); i++) {
		const struct decode_case *c = &cases[i];
		char out[64];
		size_t len = 999;
		int rc = form_decode(c->in, c->plus_is_space, out, &len);

		cr_expect_eq(rc, c->rc, "case %zu '%.*s': rc %d, want %d", i,
		    (int)c->in.len, c->in.p, rc, c->rc);
		if (rc != 0 || c->rc != 0)
			continue;
		cr_expect(str_eq((struct str){ out, len }, c->want),
		    "case %zu '%.*s': got '%.*s'", i, (int)c->in.len, c->in.p,
		    (int)len, out);
	}
}

/* Up to four expected pairs per case. */
struct parse_case {
	const char	*in;
	int		 rc;
	size_t		 n;
	struct str	 names[4];
	struct str	 values[4];
};

Test(form, parse)
{
	static const struct parse_case cases[] = {
		{ "", 0, 0, { STR_NULL }, { STR_NULL } },
		{ "a=1", 0, 1, { STR_LIT("a") }, { STR_LIT("1") } },
		{ "a=1&b=2", 0, 2, { STR_LIT("a"), STR_LIT("b") },
		  { STR_LIT("1"), STR_LIT("2") } },
		{ "a=hello+world", 0, 1, { STR_LIT("a") },
		  { STR_LIT("hello world") } },
		{ "a=%41%4a%4A", 0, 1, { STR_LIT("a") },
		  { STR_LIT("AJJ") } },
		{ "%61+b=c%2Bd", 0, 1, { STR_LIT("a b") },
		  { STR_LIT("c+d") } },
		{ "a=%C3%A9", 0, 1, { STR_LIT("a") },
		  { STR_LIT("\xc3\xa9") } },
		{ "a=\xc3\xa9", 0, 1, { STR_LIT("a") },
		  { STR_LIT("\xc3\xa9") } },
		{ "a=1=2", 0, 1, { STR_LIT("a") }, { STR_LIT("1=2") } },
		{ "a=", 0, 1, { STR_LIT("a") }, { STR_LIT("") } },
		/* a piece without '=' has an empty value */
		{ "flag", 0, 1, { STR_LIT("flag") }, { STR_LIT("") } },
		{ "a=1&flag&b=2", 0, 3,
		  { STR_LIT("a"), STR_LIT("flag"), STR_LIT("b") },
		  { STR_LIT("1"), STR_LIT(""), STR_LIT("2") } },
		/* empty pieces are skipped */
		{ "&", 0, 0, { STR_NULL }, { STR_NULL } },
		{ "&&&", 0, 0, { STR_NULL }, { STR_NULL } },
		{ "a=1&&b=2", 0, 2, { STR_LIT("a"), STR_LIT("b") },
		  { STR_LIT("1"), STR_LIT("2") } },
		{ "&a=1&", 0, 1, { STR_LIT("a") }, { STR_LIT("1") } },
		/* repeats are kept, in order: params_bind refuses them */
		{ "a=1&a=2", 0, 2, { STR_LIT("a"), STR_LIT("a") },
		  { STR_LIT("1"), STR_LIT("2") } },
		/* empty names */
		{ "=x", ERR_MALFORMED, 0, { STR_NULL }, { STR_NULL } },
		{ "=", ERR_MALFORMED, 0, { STR_NULL }, { STR_NULL } },
		{ "a=1&=x", ERR_MALFORMED, 0, { STR_NULL }, { STR_NULL } },
		/* bad escapes */
		{ "a=%zz", ERR_MALFORMED, 0, { STR_NULL }, { STR_NULL } },
		{ "a=%4", ERR_MALFORMED, 0, { STR_NULL }, { STR_NULL } },
		{ "a=%", ERR_MALFORMED, 0, { STR_NULL }, { STR_NULL } },
		{ "a%=1", ERR_MALFORMED, 0, { STR_NULL }, { STR_NULL } },
		{ "%zz=1", ERR_MALFORMED, 0, { STR_NULL }, { STR_NULL } },
		{ "a=1&b=%G1", ERR_MALFORMED, 0, { STR_NULL }, { STR_NULL } },
		/* decoded text must be UTF-8 without NUL */
		{ "a=%00", ERR_UTF8, 0, { STR_NULL }, { STR_NULL } },
		{ "a%00=1", ERR_UTF8, 0, { STR_NULL }, { STR_NULL } },
		{ "a=x%00y", ERR_UTF8, 0, { STR_NULL }, { STR_NULL } },
		{ "a=%ff", ERR_UTF8, 0, { STR_NULL }, { STR_NULL } },
		{ "a=%C3", ERR_UTF8, 0, { STR_NULL }, { STR_NULL } },
		{ "a=%C0%80", ERR_UTF8, 0, { STR_NULL }, { STR_NULL } },
		{ "a=%ED%A0%80", ERR_UTF8, 0, { STR_NULL }, { STR_NULL } },
		{ "a=\xff", ERR_UTF8, 0, { STR_NULL }, { STR_NULL } },
		{ "\xc3=1", ERR_UTF8, 0, { STR_NULL }, { STR_NULL } },
		{ "a=1&b=\x80", ERR_UTF8, 0, { STR_NULL }, { STR_NULL } },
	};

	for (size_t i = 0; i < NELEM(cases); i++) {
		const struct parse_case *c = &cases[i];
		struct arena *a = arena_new();
		struct params ps;
		int rc = form_parse(a, str_from(c->in), &ps);

		cr_expect_eq(rc, c->rc, "case %zu '%s': rc %d, want %d", i,
		    c->in, rc, c->rc);
		if (rc == 0 && c->rc == 0) {
			cr_expect_eq(ps.n, c->n, "case %zu '%s': n %zu", i,
			    c->in, ps.n);
			for (size_t k = 0; k < ps.n && k < c->n; k++) {
				cr_expect(str_eq(ps.v[k].name, c->names[k]),
				    "case %zu '%s': name %zu is '%.*s'", i,
				    c->in, k, (int)ps.v[k].name.len,
				    ps.v[k].name.p);
				cr_expect(str_eq(ps.v[k].value,
				    c->values[k]),
				    "case %zu '%s': value %zu is '%.*s'", i,
				    c->in, k, (int)ps.v[k].value.len,
				    ps.v[k].value.p);
				/* NUL-terminated copies, as params_bind
				 * relies on for names */
				cr_expect_eq(ps.v[k].name.p[ps.v[k].name.len],
				    '\0', "case %zu", i);
				cr_expect_not_null(ps.v[k].value.p,
				    "case %zu", i);
				cr_expect_eq(
				    ps.v[k].value.p[ps.v[k].value.len], '\0',
				    "case %zu", i);
			}
		}
		arena_free(a);
	}
}

/* Builds `count` pieces "p<i>=v" joined by '&'. */
static char *
many_params(size_t count, const char *sep)
{
	struct buf b;

	buf_init(&b, 1 << 20);
	for (size_t i = 0; i < count; i++)
		buf_printf(&b, "%sp%zu=v", i > 0 ? sep : "", i);
	return buf_detach(&b, NULL);
}

/* A piece "<name>=<value>" of the given raw sizes, filled with `fill`
 * (which may be an escape such as "%41", repeated `n` times). */
static char *
sized_piece(const char *name_fill, size_t name_n, const char *value_fill,
    size_t value_n)
{
	struct buf b;

	buf_init(&b, 1 << 20);
	for (size_t i = 0; i < name_n; i++)
		buf_puts(&b, name_fill);
	buf_puts(&b, "=");
	for (size_t i = 0; i < value_n; i++)
		buf_puts(&b, value_fill);
	return buf_detach(&b, NULL);
}

Test(form, limits)
{
	static const struct {
		size_t		 count;
		const char	*sep;
		int		 rc;
	} counts[] = {
		{ 1, "&", 0 },
		{ HTTP_MAX_PARAMS - 1, "&", 0 },
		{ HTTP_MAX_PARAMS, "&", 0 },
		{ HTTP_MAX_PARAMS + 1, "&", ERR_TOOBIG },
		{ HTTP_MAX_PARAMS * 2, "&", ERR_TOOBIG },
		{ HTTP_MAX_PARAMS * 10, "&", ERR_TOOBIG },
		/* empty pieces do not count as parameters */
		{ HTTP_MAX_PARAMS, "&&", 0 },
	};

	for (size_t i = 0; i < NELEM(counts); i++) {
		struct arena *a = arena_new();
		char *in = many_params(counts[i].count, counts[i].sep);
		struct params ps;
		int rc = form_parse(a, str_from(in), &ps);

		cr_expect_eq(rc, counts[i].rc, "count case %zu (%zu params): "
		    "rc %d", i, counts[i].count, rc);
		if (rc == 0)
			cr_expect_eq(ps.n, counts[i].count, "count case %zu",
			    i);
		free(in);
		arena_free(a);
	}

	static const struct {
		const char	*name_fill;
		size_t		 name_n;
		const char	*value_fill;
		size_t		 value_n;
		int		 rc;
	} sizes[] = {
		{ "n", HTTP_MAX_PARAM_NAME_BYTES, "v", 1, 0 },
		{ "n", HTTP_MAX_PARAM_NAME_BYTES + 1, "v", 1, ERR_TOOBIG },
		{ "%41", HTTP_MAX_PARAM_NAME_BYTES, "v", 1, 0 },
		{ "%41", HTTP_MAX_PARAM_NAME_BYTES + 1, "v", 1, ERR_TOOBIG },
		{ "n", 1, "v", HTTP_MAX_PARAM_VALUE_BYTES, 0 },
		{ "n", 1, "v", HTTP_MAX_PARAM_VALUE_BYTES + 1, ERR_TOOBIG },
		{ "n", 1, "+", HTTP_MAX_PARAM_VALUE_BYTES + 1, ERR_TOOBIG },
		{ "n", 1, "%41", HTTP_MAX_PARAM_VALUE_BYTES, 0 },
		{ "n", 1, "%41", HTTP_MAX_PARAM_VALUE_BYTES + 1, ERR_TOOBIG },
		{ "n", 1, "v", 4 * HTTP_MAX_PARAM_VALUE_BYTES, ERR_TOOBIG },
	};

	for (size_t i = 0; i < NELEM(sizes); i++) {
		struct arena *a = arena_new();
		char *in = sized_piece(sizes[i].name_fill, sizes[i].name_n,
		    sizes[i].value_fill, sizes[i].value_n);
		struct params ps;
		int rc = form_parse(a, str_from(in), &ps);

		cr_expect_eq(rc, sizes[i].rc, "size case %zu: rc %d", i, rc);
		if (rc == 0) {
			cr_expect_eq(ps.n, 1, "size case %zu", i);
			cr_expect_eq(ps.v[0].name.len, sizes[i].name_n,
			    "size case %zu", i);
			cr_expect_eq(ps.v[0].value.len, sizes[i].value_n,
			    "size case %zu", i);
		}
		free(in);
		arena_free(a);
	}
}

/* Parses `in` into ps (asserting success) for the params_bind cases. */
static void
parse_ok(struct arena *a, const char *in, struct params *ps)
{
	int rc = form_parse(a, str_from(in), ps);

	cr_assert_eq(rc, 0, "form_parse('%s') = %d", in, rc);
}

enum { B_USER, B_PASS, B_NOTE, B_COUNT };

static const struct param_spec bind_spec[B_COUNT] = {
	[B_USER] = { "user", 8, true },
	[B_PASS] = { "pass", 16, true },
	[B_NOTE] = { "note", 4, false },
};

struct bind_case {
	const char	*in;
	bool		 ignore_unknown;
	int		 rc;
	const char	*bad;		/* want *bad, when rc != 0 */
	const char	*want[B_COUNT];	/* NULL = absent */
};

Test(form, params_bind)
{
	static const struct bind_case cases[] = {
		{ "user=bob&pass=secret", false, 0, NULL,
		  { "bob", "secret", NULL } },
		{ "pass=secret&user=bob&note=hi", false, 0, NULL,
		  { "bob", "secret", "hi" } },
		{ "user=bob&pass=secret&note=", false, 0, NULL,
		  { "bob", "secret", "" } },
		{ "user=12345678&pass=1234567890123456&note=1234", false, 0,
		  NULL, { "12345678", "1234567890123456", "1234" } },
		/* duplicates, also with an empty first value */
		{ "user=bob&user=eve&pass=x", false, ERR_DUPLICATE, "user",
		  { NULL } },
		{ "user=bob&pass=x&pass=x", false, ERR_DUPLICATE, "pass",
		  { NULL } },
		{ "user=&user=bob&pass=x", false, ERR_DUPLICATE, "user",
		  { NULL } },
		{ "user&user&pass=x", false, ERR_DUPLICATE, "user",
		  { NULL } },
		{ "user=a&pass=b&note=1&note=2", true, ERR_DUPLICATE, "note",
		  { NULL } },
		/* missing required */
		{ "pass=secret", false, ERR_MISSING, "user", { NULL } },
		{ "user=bob", false, ERR_MISSING, "pass", { NULL } },
		{ "", false, ERR_MISSING, "user", { NULL } },
		{ "note=x", false, ERR_MISSING, "user", { NULL } },
		/* an empty value counts as absent */
		{ "user=&pass=secret", false, ERR_MISSING, "user", { NULL } },
		{ "user&pass=secret", false, ERR_MISSING, "user", { NULL } },
		{ "user=bob&pass=", false, ERR_MISSING, "pass", { NULL } },
		/* unknown */
		{ "user=bob&pass=x&extra=1", false, ERR_UNKNOWN, "extra",
		  { NULL } },
		{ "zzz&user=bob&pass=x", false, ERR_UNKNOWN, "zzz",
		  { NULL } },
		{ "User=bob&pass=x", false, ERR_UNKNOWN, "User", { NULL } },
		{ "user=bob&pass=x&extra=1&extra=2", true, 0, NULL,
		  { "bob", "x", NULL } },
		{ "utm_source=x&user=bob&pass=x", true, 0, NULL,
		  { "bob", "x", NULL } },
		/* too long */
		{ "user=123456789&pass=x", false, ERR_TOOBIG, "user",
		  { NULL } },
		{ "user=bob&pass=12345678901234567", false, ERR_TOOBIG, "pass",
		  { NULL } },
		{ "user=bob&pass=x&note=12345", true, ERR_TOOBIG, "note",
		  { NULL } },
		/* the limit is on decoded bytes */
		{ "user=%41%41%41%41%41%41%41%41&pass=x", false, 0, NULL,
		  { "AAAAAAAA", "x", NULL } },
		{ "user=%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9&pass=x", false,
		  ERR_TOOBIG, "user", { NULL } },
	};

	for (size_t i = 0; i < NELEM(cases); i++) {
		const struct bind_case *c = &cases[i];
		struct arena *a = arena_new();
		struct params ps;
		struct str values[B_COUNT];
		const char *bad = "(unset)";
		int rc;

		parse_ok(a, c->in, &ps);
		rc = params_bind(&ps, bind_spec, B_COUNT, c->ignore_unknown,
		    values, &bad);
		cr_expect_eq(rc, c->rc, "case %zu '%s': rc %d, want %d", i,
		    c->in, rc, c->rc);
		if (c->rc != 0 && rc == c->rc) {
			cr_expect_str_eq(bad, c->bad, "case %zu '%s': bad "
			    "'%s', want '%s'", i, c->in, bad, c->bad);
		}
		if (rc == 0 && c->rc == 0) {
			for (size_t k = 0; k < B_COUNT; k++) {
				if (c->want[k] == NULL) {
					cr_expect_null(values[k].p,
					    "case %zu: %s should be absent", i,
					    bind_spec[k].name);
					cr_expect_eq(values[k].len, 0);
				} else {
					cr_expect(str_eq_lit(values[k],
					    c->want[k]), "case %zu: %s is "
					    "'%.*s', want '%s'", i,
					    bind_spec[k].name,
					    (int)values[k].len, values[k].p,
					    c->want[k]);
				}
			}
		}
		arena_free(a);
	}
}

Test(form, params_bind_empty_spec)
{
	struct arena *a = arena_new();
	struct params ps;
	const char *bad = NULL;
	struct str dummy;

	parse_ok(a, "", &ps);
	cr_expect_eq(params_bind(&ps, NULL, 0, false, &dummy, &bad), 0);
	parse_ok(a, "x=1", &ps);
	cr_expect_eq(params_bind(&ps, NULL, 0, false, &dummy, &bad),
	    ERR_UNKNOWN);
	cr_expect_str_eq(bad, "x");
	cr_expect_eq(params_bind(&ps, NULL, 0, true, &dummy, &bad), 0);
	arena_free(a);
}
