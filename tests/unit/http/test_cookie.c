#include "http/cookie.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/limits.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

struct cookie_case {
	const char	*header;
	const char	*name;
	int		 rc;
	const char	*want;
};

Test(cookie, get)
{
	static const struct cookie_case cases[] = {
		{ "kg_session=abc", "kg_session", 0, "abc" },
		{ "a=1; kg_session=abc; b=2", "kg_session", 0, "abc" },
		{ "a=1;kg_session=abc;b=2", "kg_session", 0, "abc" },
		{ "a=1; b=2", "b", 0, "2" },
		{ "a=1; b=2", "a", 0, "1" },
		/* spaces and tabs around names and values */
		{ "  kg_session = abc  ; x=1", "kg_session", 0, "abc" },
		{ "\tkg_session=abc\t", "kg_session", 0, "abc" },
		{ "a=1 ;  b = 2 ", "b", 0, "2" },
		/* quoted values are taken unquoted */
		{ "kg=\"abc\"", "kg", 0, "abc" },
		{ "kg=\"\"", "kg", 0, "" },
		{ "kg=\"", "kg", 0, "\"" },
		{ "kg=\"abc", "kg", 0, "\"abc" },
		{ "kg= \"a b\" ; z=1", "kg", 0, "a b" },
		/* values may hold '=' and be empty */
		{ "kg=a=b==", "kg", 0, "a=b==" },
		{ "kg=", "kg", 0, "" },
		{ "kg=; x=1", "kg", 0, "" },
		/* missing */
		{ "", "kg_session", ERR_NOTFOUND, NULL },
		{ ";;;", "kg_session", ERR_NOTFOUND, NULL },
		{ "kg_session", "kg_session", ERR_NOTFOUND, NULL },
		{ "a=1; b=2", "c", ERR_NOTFOUND, NULL },
		{ "x=kg_session=1", "kg_session", ERR_NOTFOUND, NULL },
		/* names match exactly: no prefix, no suffix, case counts */
		{ "kg_session2=abc", "kg_session", ERR_NOTFOUND, NULL },
		{ "xkg_session=abc", "kg_session", ERR_NOTFOUND, NULL },
		{ "kg_sessio=abc", "kg_session", ERR_NOTFOUND, NULL },
		{ "KG_SESSION=abc", "kg_session", ERR_NOTFOUND, NULL },
		{ "kg_session2=x; kg_session=abc", "kg_session", 0, "abc" },
		{ "kg_session=abc; kg_session2=x", "kg_session", 0, "abc" },
		{ "kg_session_old=x; kg_session=abc; __kg_session=y",
		  "kg_session", 0, "abc" },
		/* twice is ambiguous */
		{ "kg_session=a; kg_session=b", "kg_session", ERR_DUPLICATE,
		  NULL },
		{ "kg_session=a; kg_session=a", "kg_session", ERR_DUPLICATE,
		  NULL },
		{ "kg_session=a;x=1;kg_session=", "kg_session", ERR_DUPLICATE,
		  NULL },
		{ "kg_session=a; kg_session2=b; kg_session=c", "kg_session",
		  ERR_DUPLICATE, NULL },
	};

	for (size_t i = 0; i < NELEM(cases); i++) {
		const struct cookie_case *c = &cases[i];
		struct str v = STR_LIT("untouched");
		int rc = cookie_get(str_from(c->header), c->name, &v);

		cr_expect_eq(rc, c->rc, "case %zu '%s' [%s]: rc %d, want %d",
		    i, c->header, c->name, rc, c->rc);
		if (rc == 0 && c->rc == 0)
			cr_expect(str_eq_lit(v, c->want), "case %zu '%s': got "
			    "'%.*s', want '%s'", i, c->header, (int)v.len, v.p,
			    c->want);
	}
}

Test(cookie, value_points_into_header)
{
	const char *h = "a=1; kg=value; b=2";
	struct str v;

	cr_assert_eq(cookie_get(str_from(h), "kg", &v), 0);
	cr_expect(v.p >= h && v.p + v.len <= h + strlen(h));
	cr_expect(str_eq_lit(v, "value"));
}

Test(cookie, not_nul_terminated)
{
	/* The slice ends before "XYZ": its last cookie is "kg=ab". */
	const char *h = "a=1; kg=abXYZ";
	struct str v;

	cr_assert_eq(cookie_get((struct str){ h, strlen(h) - 3 }, "kg", &v),
	    0);
	cr_expect(str_eq_lit(v, "ab"));
}

Test(cookie, size_limit)
{
	static const struct {
		size_t	 len;
		int	 rc;
	} cases[] = {
		{ HTTP_MAX_COOKIE_BYTES - 1, 0 },
		{ HTTP_MAX_COOKIE_BYTES, 0 },
		{ HTTP_MAX_COOKIE_BYTES + 1, ERR_TOOBIG },
		{ 4 * HTTP_MAX_COOKIE_BYTES, ERR_TOOBIG },
	};

	for (size_t i = 0; i < NELEM(cases); i++) {
		/* "kg=1; pad=xxxx..." padded to the length */
		char *h = malloc(cases[i].len + 1);
		struct str v = STR_NULL;
		int rc;

		memset(h, 'x', cases[i].len);
		memcpy(h, "kg=1; pad=", 10);
		h[cases[i].len] = '\0';
		rc = cookie_get((struct str){ h, cases[i].len }, "kg", &v);
		cr_expect_eq(rc, cases[i].rc, "case %zu (%zu bytes): rc %d",
		    i, cases[i].len, rc);
		if (rc == 0)
			cr_expect(str_eq_lit(v, "1"), "case %zu", i);
		free(h);
	}
}

/* The one place a cookie's real name is made: __Host- with https only. */
Test(cookie, name_takes_the_host_prefix_only_when_secure)
{
	char out[COOKIE_NAME_MAX_BYTES];

	cookie_name("kg_session", false, out);
	cr_expect_str_eq(out, "kg_session");
	cookie_name("kg_session", true, out);
	cr_expect_str_eq(out, "__Host-kg_session");
	cookie_name("kg_device", true, out);
	cr_expect_str_eq(out, "__Host-kg_device");
}
