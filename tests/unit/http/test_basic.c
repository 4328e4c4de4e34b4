#include "http/basic.h"

#include <criterion/criterion.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/limits.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* "<scheme> <base64 of raw>", heap-allocated. */
static char *
basic_header(const char *scheme, struct str raw)
{
	size_t n = sodium_base64_ENCODED_LEN(raw.len,
	    sodium_base64_VARIANT_ORIGINAL);
	char *b64 = malloc(n);
	struct buf b;

	sodium_bin2base64(b64, n, (const unsigned char *)raw.p, raw.len,
	    sodium_base64_VARIANT_ORIGINAL);
	buf_init(&b, 1 << 20);
	buf_printf(&b, "%s %s", scheme, b64);
	free(b64);
	return buf_detach(&b, NULL);
}

struct basic_case {
	const char	*scheme;	/* NULL: `header` is used as it is */
	struct str	 raw;		/* what is base64-encoded */
	const char	*header;
	bool		 form_decoded;
	int		 rc;
	struct str	 user, password;
};

#define RAW(scheme, lit, fd, rc, u, p) \
	{ (scheme), STR_LIT(lit), NULL, (fd), (rc), u, p }
#define HDR(h, fd, rc) \
	{ NULL, STR_NULL, (h), (fd), (rc), STR_NULL, STR_NULL }
#define U(lit)	STR_LIT(lit)

Test(basic, parse)
{
	static const struct basic_case cases[] = {
		RAW("Basic", "user:pass", false, 0, U("user"), U("pass")),
		/* RFC 7617 §2: the scheme is case-insensitive */
		RAW("basic", "user:pass", false, 0, U("user"), U("pass")),
		RAW("BASIC", "user:pass", false, 0, U("user"), U("pass")),
		RAW("bAsIc", "user:pass", false, 0, U("user"), U("pass")),
		/* the user ends at the first colon */
		RAW("Basic", "user:pa:ss", false, 0, U("user"), U("pa:ss")),
		RAW("Basic", "user::", false, 0, U("user"), U(":")),
		RAW("Basic", ":pass", false, 0, U(""), U("pass")),
		RAW("Basic", "user:", false, 0, U("user"), U("")),
		RAW("Basic", ":", false, 0, U(""), U("")),
		RAW("Basic", "\xc3\xa9l\xc3\xa8ve:m\xc3\xb8t", false, 0,
		    U("\xc3\xa9l\xc3\xa8ve"), U("m\xc3\xb8t")),
		/* without form decoding, '%' and '+' are plain bytes */
		RAW("Basic", "a%3Ab+c:p%41+", false, 0, U("a%3Ab+c"),
		    U("p%41+")),
		/* RFC 6749 §2.3.1: form-encoded client id and secret */
		RAW("Basic", "a%3Ab+c:p%41+", true, 0, U("a:b c"), U("pA ")),
		RAW("Basic", "my%20app:s%2Bcret", true, 0, U("my app"),
		    U("s+cret")),
		RAW("Basic", "app:%zz", true, ERR_MALFORMED, U(""), U("")),
		RAW("Basic", "ap%4:x", true, ERR_MALFORMED, U(""), U("")),
		RAW("Basic", "app:x%", true, ERR_MALFORMED, U(""), U("")),
		RAW("Basic", "app:%ff", true, ERR_UTF8, U(""), U("")),
		RAW("Basic", "app:%00", true, ERR_UTF8, U(""), U("")),
		RAW("Basic", "%C3%A9:x", true, 0, U("\xc3\xa9"), U("x")),
		/* no colon */
		RAW("Basic", "userpass", false, ERR_MALFORMED, U(""), U("")),
		RAW("Basic", "u", false, ERR_MALFORMED, U(""), U("")),
		/* text must be UTF-8 without NUL */
		RAW("Basic", "\xff:pass", false, ERR_UTF8, U(""), U("")),
		RAW("Basic", "user:\xc3", false, ERR_UTF8, U(""), U("")),
		RAW("Basic", "user:\xed\xa0\x80", false, ERR_UTF8, U(""),
		    U("")),
		RAW("Basic", "us\0er:pass", false, ERR_UTF8, U(""), U("")),
		RAW("Basic", "user:pa\0ss", false, ERR_UTF8, U(""), U("")),
		/* other schemes */
		RAW("Bearer", "user:pass", false, ERR_NOTFOUND, U(""), U("")),
		RAW("Digest", "user:pass", false, ERR_NOTFOUND, U(""), U("")),
		RAW("Basicx", "user:pass", false, ERR_NOTFOUND, U(""), U("")),
		RAW("Basi", "user:pass", false, ERR_NOTFOUND, U(""), U("")),
		HDR("", false, ERR_NOTFOUND),
		HDR("Basic", false, ERR_NOTFOUND),
		HDR("Basic\tdXNlcjpwYXNz", false, ERR_NOTFOUND),
		HDR("dXNlcjpwYXNz", false, ERR_NOTFOUND),
		/* bad base64 */
		HDR("Basic ", false, ERR_MALFORMED),
		HDR("Basic    ", false, ERR_MALFORMED),
		HDR("Basic !!!!", false, ERR_MALFORMED),
		HDR("Basic dXNlcjpwYXNz!", false, ERR_MALFORMED),
		HDR("Basic dXNl cjpwYXNz", false, ERR_MALFORMED),
		HDR("Basic dXNlcjpwYXNz extra", false, ERR_MALFORMED),
		HDR("Basic dXNlcjpwYX-z", false, ERR_MALFORMED),
		HDR("Basic dXNlcjpwYX_z", false, ERR_MALFORMED),
		HDR("Basic dXNlcjpwYXNz=", false, ERR_MALFORMED),
		HDR("Basic =dXNlcjpwYXNz", false, ERR_MALFORMED),
		/* surrounding spaces are fine */
		{ NULL, STR_NULL, "Basic   dXNlcjpwYXNz  ", false, 0,
		  U("user"), U("pass") },
		{ NULL, STR_NULL, "Basic dXNlcjpwYXNzMQ==", false, 0,
		  U("user"), U("pass1") },
	};

	for (size_t i = 0; i < NELEM(cases); i++) {
		const struct basic_case *c = &cases[i];
		struct arena *a = arena_new();
		char *h = c->scheme != NULL ? basic_header(c->scheme, c->raw) :
		    NULL;
		const char *hs = h != NULL ? h : c->header;
		struct str user = STR_LIT("untouched");
		struct str pass = STR_LIT("untouched");
		int rc = basic_parse(a, str_from(hs), c->form_decoded, &user,
		    &pass);

		cr_expect_eq(rc, c->rc, "case %zu '%s': rc %d, want %d", i, hs,
		    rc, c->rc);
		if (rc == 0 && c->rc == 0) {
			cr_expect(str_eq(user, c->user), "case %zu: user "
			    "'%.*s'", i, (int)user.len, user.p);
			cr_expect(str_eq(pass, c->password), "case %zu: "
			    "password '%.*s'", i, (int)pass.len, pass.p);
			cr_expect_eq(user.p[user.len], '\0', "case %zu", i);
			cr_expect_eq(pass.p[pass.len], '\0', "case %zu", i);
		}
		free(h);
		arena_free(a);
	}
}

Test(basic, size_limit)
{
	static const struct {
		size_t	 b64_len;
		int	 rc;
	} cases[] = {
		{ HTTP_MAX_PARAM_VALUE_BYTES, 0 },
		{ HTTP_MAX_PARAM_VALUE_BYTES + 4, ERR_TOOBIG },
		{ 4 * HTTP_MAX_PARAM_VALUE_BYTES, ERR_TOOBIG },
	};

	for (size_t i = 0; i < NELEM(cases); i++) {
		/* base64 of "u:" followed by 'A's: every 4 chars are 3
		 * bytes */
		size_t raw_len = cases[i].b64_len / 4 * 3;
		char *raw = malloc(raw_len);
		struct arena *a = arena_new();
		struct str user, pass;
		char *h;
		int rc;

		memset(raw, 'A', raw_len);
		memcpy(raw, "u:", 2);
		h = basic_header("Basic", (struct str){ raw, raw_len });
		cr_assert_eq(strlen(h), 6 + cases[i].b64_len);
		rc = basic_parse(a, str_from(h), false, &user, &pass);
		cr_expect_eq(rc, cases[i].rc, "case %zu: rc %d", i, rc);
		if (rc == 0) {
			cr_expect(str_eq_lit(user, "u"));
			cr_expect_eq(pass.len, raw_len - 2);
		}
		free(h);
		free(raw);
		arena_free(a);
	}
}

struct bearer_case {
	struct str	 header;
	int		 rc;
	const char	*want;
};

Test(bearer, parse)
{
	static const struct bearer_case cases[] = {
		{ STR_LIT("Bearer abc"), 0, "abc" },
		{ STR_LIT("Bearer kg_pat_AbC-123_xyz"), 0,
		  "kg_pat_AbC-123_xyz" },
		/* RFC 6750 §2.1: the scheme is case-insensitive */
		{ STR_LIT("bearer abc"), 0, "abc" },
		{ STR_LIT("BEARER abc"), 0, "abc" },
		{ STR_LIT("Bearer   abc  "), 0, "abc" },
		/* b64token: ALPHA DIGIT - . _ ~ + / then '=' padding */
		{ STR_LIT("Bearer a-b.c_d~e+f/g"), 0, "a-b.c_d~e+f/g" },
		{ STR_LIT("Bearer abc="), 0, "abc=" },
		{ STR_LIT("Bearer abc=="), 0, "abc==" },
		{ STR_LIT("Bearer 0"), 0, "0" },
		/* '=' only at the end, after at least one other char */
		{ STR_LIT("Bearer ab=c"), ERR_MALFORMED, NULL },
		{ STR_LIT("Bearer ab==c="), ERR_MALFORMED, NULL },
		{ STR_LIT("Bearer ="), ERR_MALFORMED, NULL },
		{ STR_LIT("Bearer =abc"), ERR_MALFORMED, NULL },
		/* empty */
		{ STR_LIT("Bearer "), ERR_MALFORMED, NULL },
		{ STR_LIT("Bearer    "), ERR_MALFORMED, NULL },
		/* spaces and illegal chars */
		{ STR_LIT("Bearer abc def"), ERR_MALFORMED, NULL },
		{ STR_LIT("Bearer abc\tdef"), ERR_MALFORMED, NULL },
		{ STR_LIT("Bearer abc,def"), ERR_MALFORMED, NULL },
		{ STR_LIT("Bearer abc;"), ERR_MALFORMED, NULL },
		{ STR_LIT("Bearer \"abc\""), ERR_MALFORMED, NULL },
		{ STR_LIT("Bearer ab%20"), ERR_MALFORMED, NULL },
		{ STR_LIT("Bearer ab\xc3\xa9"), ERR_MALFORMED, NULL },
		{ STR_LIT("Bearer ab\0cd"), ERR_MALFORMED, NULL },
		{ STR_LIT("Bearer ab\r\n"), ERR_MALFORMED, NULL },
		/* another scheme, or none */
		{ STR_LIT(""), ERR_NOTFOUND, NULL },
		{ STR_NULL, ERR_NOTFOUND, NULL },
		{ STR_LIT("Basic abc"), ERR_NOTFOUND, NULL },
		{ STR_LIT("Bearerabc"), ERR_NOTFOUND, NULL },
		{ STR_LIT("Bearer"), ERR_NOTFOUND, NULL },
		{ STR_LIT("Bearer\tabc"), ERR_NOTFOUND, NULL },
		{ STR_LIT("abc"), ERR_NOTFOUND, NULL },
		{ STR_LIT("MAC abc"), ERR_NOTFOUND, NULL },
	};

	for (size_t i = 0; i < NELEM(cases); i++) {
		const struct bearer_case *c = &cases[i];
		struct str tok = STR_LIT("untouched");
		int rc = bearer_parse(c->header, &tok);

		cr_expect_eq(rc, c->rc, "case %zu '%.*s': rc %d, want %d", i,
		    (int)c->header.len, c->header.p != NULL ? c->header.p :
		    "", rc, c->rc);
		if (rc == 0 && c->rc == 0)
			cr_expect(str_eq_lit(tok, c->want), "case %zu: got "
			    "'%.*s'", i, (int)tok.len, tok.p);
	}
}

Test(bearer, size_limit)
{
	static const struct {
		size_t	 len;
		int	 rc;
	} cases[] = {
		{ HTTP_MAX_PARAM_VALUE_BYTES, 0 },
		{ HTTP_MAX_PARAM_VALUE_BYTES + 1, ERR_MALFORMED },
	};

	for (size_t i = 0; i < NELEM(cases); i++) {
		size_t n = 7 + cases[i].len;
		char *h = malloc(n);
		struct str tok;

		memcpy(h, "Bearer ", 7);
		memset(h + 7, 'a', cases[i].len);
		cr_expect_eq(bearer_parse((struct str){ h, n }, &tok),
		    cases[i].rc, "case %zu", i);
		free(h);
	}
}
