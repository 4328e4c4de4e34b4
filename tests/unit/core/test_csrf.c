#include "core/csrf.h"

#include <criterion/criterion.h>
#include <string.h>

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static unsigned char key[SECURE_KEY_BYTES];
static unsigned char other_key[SECURE_KEY_BYTES];

static void
setup(void)
{
	cr_assert_eq(secure_init(), 0);
	secure_random(key, sizeof(key));
	secure_random(other_key, sizeof(other_key));
}

static const struct str bindings[] = {
	STR_LIT("kg_ss_AAAABBBBCCCCDDDDEEEEFFFFGGGGHHHHIIIIJJJ"),
	STR_LIT("x"),
	STR_LIT("pre-session-cookie-value"),
	STR_LIT("with\0nul"),
};

Test(csrf, round_trip, .init = setup)
{
	for (size_t i = 0; i < NELEM(bindings); i++) {
		char tok[CSRF_TOKEN_BYTES], again[CSRF_TOKEN_BYTES];

		csrf_token(key, bindings[i], tok);
		cr_expect_eq(strlen(tok), 43, "case %zu: '%s'", i, tok);
		cr_expect(csrf_verify(key, bindings[i], str_from(tok)),
		    "case %zu", i);
		/* deterministic: nothing is stored per form */
		csrf_token(key, bindings[i], again);
		cr_expect_str_eq(tok, again, "case %zu", i);
	}
}

Test(csrf, refused, .init = setup)
{
	for (size_t i = 0; i < NELEM(bindings); i++) {
		char tok[CSRF_TOKEN_BYTES], t2[CSRF_TOKEN_BYTES];
		struct str b = bindings[i];

		csrf_token(key, b, tok);
		/* another binding: the other bindings, and a prefix */
		for (size_t k = 0; k < NELEM(bindings); k++)
			if (k != i)
				cr_expect(!csrf_verify(key, bindings[k],
				    str_from(tok)), "case %zu vs %zu", i, k);
		if (b.len > 1)
			cr_expect(!csrf_verify(key, (struct str){ b.p,
			    b.len - 1 }, str_from(tok)), "case %zu", i);
		/* another key */
		cr_expect(!csrf_verify(other_key, b, str_from(tok)),
		    "case %zu", i);
		/* empty binding or token */
		cr_expect(!csrf_verify(key, STR_LIT(""), str_from(tok)));
		cr_expect(!csrf_verify(key, STR_NULL, str_from(tok)));
		cr_expect(!csrf_verify(key, b, STR_LIT("")));
		cr_expect(!csrf_verify(key, b, STR_NULL));
		/* tampered: each position changed, truncated, extended */
		for (size_t k = 0; k < strlen(tok); k++) {
			memcpy(t2, tok, sizeof(t2));
			t2[k] = t2[k] == 'A' ? 'B' : 'A';
			cr_expect(!csrf_verify(key, b, str_from(t2)),
			    "case %zu: byte %zu changed", i, k);
		}
		cr_expect(!csrf_verify(key, b, (struct str){ tok,
		    strlen(tok) - 1 }), "case %zu: truncated", i);
		memcpy(t2, tok, sizeof(t2));
		t2[43] = 'A';
		t2[44] = '\0';
		cr_expect(!csrf_verify(key, b, str_from(t2)),
		    "case %zu: extended", i);
	}
}

Test(csrf, empty_binding_never_verifies, .init = setup)
{
	char tok[CSRF_TOKEN_BYTES];

	/* even with the token made for the empty binding */
	csrf_token(key, STR_LIT(""), tok);
	cr_expect(!csrf_verify(key, STR_LIT(""), str_from(tok)));
	cr_expect(!csrf_verify(key, STR_NULL, str_from(tok)));
}
