#include "core/pkce.h"

#include <criterion/criterion.h>
#include <sodium.h>
#include <string.h>

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* RFC 7636 Appendix B. */
#define RFC_VERIFIER	"dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
#define RFC_CHALLENGE	"E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"

#define VERIFIER_MAX	160

/* RFC 7636 §4.1 unreserved characters, used to fill test verifiers. */
static const char fill[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";

static void
setup(void)
{
	cr_assert_geq(sodium_init(), 0);
}

/* The S256 challenge of `v`, computed here independently of pkce.c. */
static void
challenge_of(struct str v, char out[PKCE_CHALLENGE_LEN + 1])
{
	unsigned char h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, (const unsigned char *)v.p, v.len);
	sodium_bin2base64(out, PKCE_CHALLENGE_LEN + 1, h, sizeof(h),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

/* A verifier of `len` legal characters (offset into the alphabet by
 * `shift`), with `bad` written at `at` unless bad is 0. */
struct gen {
	const char	*what;
	size_t		 len;
	size_t		 shift;
	char		 bad;
	size_t		 at;
};

static struct str
build(const struct gen *g, char buf[VERIFIER_MAX])
{
	cr_assert_leq(g->len, (size_t)VERIFIER_MAX);
	for (size_t i = 0; i < g->len; i++)
		buf[i] = fill[(i + g->shift) % (sizeof(fill) - 1)];
	if (g->bad != 0)
		buf[g->at] = g->bad;
	return (struct str){ buf, g->len };
}

Test(pkce, rfc7636_vector, .init = setup)
{
	char c[PKCE_CHALLENGE_LEN + 1];

	/* the helper agrees with the RFC, so the generated cases hold */
	challenge_of(STR_LIT(RFC_VERIFIER), c);
	cr_assert_str_eq(c, RFC_CHALLENGE);
	cr_expect(pkce_challenge_valid(STR_LIT(RFC_CHALLENGE)));
	cr_expect(pkce_verify(STR_LIT(RFC_VERIFIER), STR_LIT(RFC_CHALLENGE)));
}

/* Well-formed verifiers of every legal length edge, each against its own
 * challenge. */
Test(pkce, verify_accepts, .init = setup)
{
	static const struct gen cases[] = {
		{ "43 chars (minimum)", 43, 0, 0, 0 },
		{ "43 chars with - . _ ~", 43, 40, 0, 0 },
		{ "44 chars", 44, 7, 0, 0 },
		{ "64 chars", 64, 3, 0, 0 },
		{ "66 chars: whole alphabet", 66, 0, 0, 0 },
		{ "127 chars", 127, 11, 0, 0 },
		{ "128 chars (maximum)", 128, 0, 0, 0 },
		{ "128 chars shifted", 128, 62, 0, 0 },
		{ "tilde first", 43, 0, '~', 0 },
		{ "dot first", 43, 0, '.', 0 },
		{ "tilde last", 128, 0, '~', 127 },
	};

	for (size_t i = 0; i < NELEM(cases); i++) {
		char buf[VERIFIER_MAX], c[PKCE_CHALLENGE_LEN + 1];
		struct str v = build(&cases[i], buf);

		challenge_of(v, c);
		cr_expect(pkce_verify(v, str_from(c)), "case %zu (%s): '%.*s'",
		    i, cases[i].what, (int)v.len, v.p);
	}
}

/* Verifiers that are not well formed, each against its own (valid)
 * challenge: only the verifier's shape can make these fail. */
Test(pkce, verify_refuses_malformed, .init = setup)
{
	static const struct gen cases[] = {
		/* RFC 7636 §4.1: 43 to 128 characters */
		{ "empty", 0, 0, 0, 0 },
		{ "1 char", 1, 0, 0, 0 },
		{ "42 chars", 42, 0, 0, 0 },
		{ "42 chars shifted", 42, 30, 0, 0 },
		{ "129 chars", 129, 0, 0, 0 },
		{ "129 chars shifted", 129, 5, 0, 0 },
		{ "150 chars", 150, 0, 0, 0 },
		/* unreserved characters only */
		{ "space", 43, 0, ' ', 10 },
		{ "space first", 43, 0, ' ', 0 },
		{ "space last", 128, 0, ' ', 127 },
		{ "plus", 43, 0, '+', 20 },
		{ "slash", 43, 0, '/', 20 },
		{ "equals (padding)", 44, 0, '=', 43 },
		{ "equals inside", 64, 0, '=', 30 },
		{ "percent", 43, 0, '%', 5 },
		{ "tab", 43, 0, '\t', 5 },
		{ "newline", 43, 0, '\n', 42 },
		{ "control 0x01", 43, 0, 0x01, 5 },
		{ "DEL", 43, 0, 0x7f, 5 },
		{ "non-ASCII byte", 43, 0, (char)0xc3, 5 },
		{ "high byte", 128, 0, (char)0xff, 100 },
		{ "comma", 43, 0, ',', 1 },
		{ "colon", 43, 0, ':', 1 },
	};

	for (size_t i = 0; i < NELEM(cases); i++) {
		char buf[VERIFIER_MAX], c[PKCE_CHALLENGE_LEN + 1];
		struct str v = build(&cases[i], buf);

		challenge_of(v, c);
		cr_expect(!pkce_verify(v, str_from(c)), "case %zu (%s)", i,
		    cases[i].what);
	}
}

Test(pkce, verify_refuses_nul, .init = setup)
{
	char buf[VERIFIER_MAX], c[PKCE_CHALLENGE_LEN + 1];
	struct gen g = { "NUL", 43, 0, 0, 0 };
	struct str v = build(&g, buf);

	buf[17] = '\0';
	challenge_of(v, c);
	cr_expect(!pkce_verify(v, str_from(c)));
}

/* A well-formed verifier that does not match, or a challenge that is not
 * the exact S256 text. */
Test(pkce, verify_refuses_mismatch, .init = setup)
{
	static const struct {
		const char	*verifier;
		const char	*challenge;
	} cases[] = {
		/* wrong verifier */
		{ "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXj",
		  RFC_CHALLENGE },
		{ "DBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
		  RFC_CHALLENGE },
		{ RFC_VERIFIER "A", RFC_CHALLENGE },
		{ "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjX", RFC_CHALLENGE },
		{ "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
		  RFC_CHALLENGE },
		/* plain method: verifier == challenge is not S256 */
		{ RFC_VERIFIER, RFC_VERIFIER },
		/* challenge altered */
		{ RFC_VERIFIER, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cN" },
		{ RFC_VERIFIER, "F9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM" },
		{ RFC_VERIFIER, "e9melhoa2owvfremtjguchaoek1t8urwbugjsstw-cm" },
		{ RFC_VERIFIER, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw+cM" },
		{ RFC_VERIFIER, RFC_CHALLENGE "=" },
		{ RFC_VERIFIER, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-c" },
		{ RFC_VERIFIER, RFC_CHALLENGE "A" },
		{ RFC_VERIFIER, "" },
		{ RFC_VERIFIER, " " RFC_CHALLENGE },
	};

	for (size_t i = 0; i < NELEM(cases); i++)
		cr_expect(!pkce_verify(str_from(cases[i].verifier),
		    str_from(cases[i].challenge)), "case %zu: '%s' / '%s'", i,
		    cases[i].verifier, cases[i].challenge);
	cr_expect(!pkce_verify(STR_LIT(RFC_VERIFIER), STR_NULL));
	cr_expect(!pkce_verify(STR_NULL, STR_LIT(RFC_CHALLENGE)));
}

Test(pkce, challenge_valid)
{
	static const struct {
		struct str	 in;
		bool		 ok;
	} cases[] = {
		{ STR_LIT(RFC_CHALLENGE), true },
		{ STR_LIT("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"), true },
		{ STR_LIT("-------------------------------------------"), true },
		{ STR_LIT("___________________________________________"), true },
		{ STR_LIT("abcdefghijklmnopqrstuvwxyz0123456789-_ABCDE"), true },
		/* exactly 43 */
		{ STR_NULL, false },
		{ STR_LIT(""), false },
		{ STR_LIT("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-c"), false },
		{ STR_LIT(RFC_CHALLENGE "A"), false },
		{ STR_LIT(RFC_CHALLENGE RFC_CHALLENGE), false },
		/* no padding, standard-alphabet or other characters */
		{ STR_LIT(RFC_CHALLENGE "="), false },
		{ STR_LIT("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-c="), false },
		{ STR_LIT("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw+cM"), false },
		{ STR_LIT("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw/cM"), false },
		{ STR_LIT("+9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"), false },
		{ STR_LIT("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-c/"), false },
		{ STR_LIT("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-c."), false },
		{ STR_LIT("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-c~"), false },
		{ STR_LIT("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-c "), false },
		{ STR_LIT(" E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-c"), false },
		{ STR_LIT("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-c\0"), false },
		{ STR_LIT("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-c\xc3"),
		  false },
		{ STR_LIT("E9Melhoa2OwvFrEMTJguCHa%eK1t8URWbuGJSstw-cM"), false },
	};

	for (size_t i = 0; i < NELEM(cases); i++)
		cr_expect_eq(pkce_challenge_valid(cases[i].in), cases[i].ok,
		    "case %zu: '%.*s' want %d", i, (int)cases[i].in.len,
		    cases[i].in.p != NULL ? cases[i].in.p : "", cases[i].ok);
}
