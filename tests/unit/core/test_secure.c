#include "base/secure.h"

#include <criterion/criterion.h>
#include <string.h>

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static void
setup(void)
{
	cr_assert_eq(secure_init(), 0);
}

static void
hex(const unsigned char *p, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * n] = '\0';
}

static bool
token_alphabet(const char *s)
{
	for (; *s != '\0'; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		    (*s >= '0' && *s <= '9') || *s == '_' || *s == '-'))
			return false;
	return true;
}

Test(secure, hash, .init = setup)
{
	/* FIPS 180-2 test vectors */
	static const struct {
		struct str	 in;
		const char	*want;
	} cases[] = {
		{ STR_LIT("abc"), "ba7816bf8f01cfea414140de5dae2223"
		  "b00361a396177a9cb410ff61f20015ad" },
		{ STR_LIT(""), "e3b0c44298fc1c149afbf4c8996fb924"
		  "27ae41e4649b934ca495991b7852b855" },
		{ STR_LIT("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmno"
		  "mnopnopq"),
		  "248d6a61d20638b8e5c026930c3e6039"
		  "a33ce45964ff2167f6ecedd419db06c1" },
		{ STR_NULL, "e3b0c44298fc1c149afbf4c8996fb924"
		  "27ae41e4649b934ca495991b7852b855" },
	};

	for (size_t i = 0; i < NELEM(cases); i++) {
		unsigned char h[SECURE_HASH_BYTES];
		char got[2 * SECURE_HASH_BYTES + 1];

		secure_hash(cases[i].in, h);
		hex(h, sizeof(h), got);
		cr_expect_str_eq(got, cases[i].want, "case %zu", i);
	}
}

Test(secure, token, .init = setup)
{
	static const char *const prefixes[] = { "", "kg_ss_", "kg_pat_",
	    "x" };

	for (size_t i = 0; i < NELEM(prefixes); i++) {
		char a[TOKEN_MAX_BYTES + 1], b[TOKEN_MAX_BYTES + 1];
		size_t plen = strlen(prefixes[i]);

		memset(a, 'Z', sizeof(a));
		memset(b, 'Z', sizeof(b));
		secure_token(prefixes[i], a);
		secure_token(prefixes[i], b);
		/* 32 random bytes are 43 base64url chars without padding */
		cr_expect_eq(strlen(a), plen + 43, "'%s': length %zu", a,
		    strlen(a));
		cr_expect_eq(strncmp(a, prefixes[i], plen), 0, "'%s'", a);
		cr_expect(token_alphabet(a + plen), "'%s': bad char", a);
		cr_expect_null(strchr(a, '='), "'%s': padding", a);
		cr_expect_str_neq(a, b, "two tokens are equal");
		cr_expect_eq(strncmp(b, prefixes[i], plen), 0);
		cr_expect(token_alphabet(b + plen));
	}
}

Test(secure, tokens_differ, .init = setup)
{
	enum { N = 200 };
	static char tokens[N][TOKEN_MAX_BYTES + 1];

	for (size_t i = 0; i < N; i++) {
		secure_token("kg_", tokens[i]);
		for (size_t k = 0; k < i; k++)
			if (strcmp(tokens[i], tokens[k]) == 0)
				cr_expect_fail("tokens %zu and %zu are equal",
				    k, i);
	}
}

Test(secure, mac_b64, .init = setup)
{
	/* RFC 4231 test case 2 uses a short key; here the 32-byte key is
	 * "Jefe" padded with zeros, which HMAC treats the same way. */
	unsigned char key[SECURE_KEY_BYTES] = { 'J', 'e', 'f', 'e' };
	char out[64];

	secure_mac_b64(key, STR_LIT("what do ya want for nothing?"), out);
	/* 5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843 */
	cr_expect_str_eq(out, "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM");
}

Test(secure, equal, .init = setup)
{
	static const struct {
		struct str	 a, b;
		bool		 want;
	} cases[] = {
		{ STR_LIT(""), STR_LIT(""), true },
		{ STR_NULL, STR_LIT(""), true },
		{ STR_LIT("abc"), STR_LIT("abc"), true },
		{ STR_LIT("abc"), STR_LIT("abd"), false },
		{ STR_LIT("abc"), STR_LIT("ab"), false },
		{ STR_LIT("abc"), STR_LIT("abcd"), false },
		{ STR_LIT("abc"), STR_LIT("ABC"), false },
		{ STR_LIT(""), STR_LIT("a"), false },
		{ STR_LIT("a\0b"), STR_LIT("a\0c"), false },
		{ STR_LIT("a\0"), STR_LIT("a"), false },
	};

	for (size_t i = 0; i < NELEM(cases); i++) {
		cr_expect_eq(secure_equal(cases[i].a, cases[i].b),
		    cases[i].want, "case %zu", i);
		cr_expect_eq(secure_equal(cases[i].b, cases[i].a),
		    cases[i].want, "case %zu (swapped)", i);
	}
}

Test(secure, random, .init = setup)
{
	unsigned char a[32], b[32], zero[32] = { 0 };

	secure_random(a, sizeof(a));
	secure_random(b, sizeof(b));
	cr_expect_neq(memcmp(a, b, sizeof(a)), 0);
	cr_expect_neq(memcmp(a, zero, sizeof(a)), 0);
	secure_random(a, 0);
}

Test(secure, password, .init = setup, .timeout = 120)
{
	static const struct str pws[] = {
		STR_LIT("correct horse battery staple"),
		STR_LIT("\xc3\xa9t\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80!"),
		STR_LIT("p"),
	};

	for (size_t i = 0; i < NELEM(pws); i++) {
		char enc[SECURE_PWHASH_MAX], enc2[SECURE_PWHASH_MAX];

		cr_assert_eq(secure_password_hash(pws[i], enc), 0);
		cr_expect_eq(strncmp(enc, "$argon2id$", 10), 0, "'%s'", enc);
		cr_expect_lt(strlen(enc), SECURE_PWHASH_MAX);
		cr_expect(secure_password_verify(enc, pws[i]), "case %zu",
		    i);
		/* a near miss is refused */
		struct str shorter = { pws[i].p, pws[i].len - 1 };
		cr_expect(!secure_password_verify(enc, shorter), "case %zu",
		    i);
		cr_expect(!secure_password_verify(enc,
		    STR_LIT("wrong password")), "case %zu", i);
		/* salted: the same password hashes differently */
		cr_assert_eq(secure_password_hash(pws[i], enc2), 0);
		cr_expect_str_neq(enc, enc2);
		cr_expect(secure_password_verify(enc2, pws[i]));
	}
	/* garbage encodings never verify */
	cr_expect(!secure_password_verify("", STR_LIT("x")));
	cr_expect(!secure_password_verify("$argon2id$v=19$m=1,t=1,p=1$",
	    STR_LIT("x")));
	secure_password_dummy_verify(STR_LIT("anything"));
}

Test(secure, sorted_tokens_sort_by_minting_and_key_back, .init = setup)
{
	char tok[4][TOKEN_MAX_BYTES + 1];
	unsigned char key[4][SECURE_HASH_BYTES], again[SECURE_HASH_BYTES];
	unsigned char sha[SECURE_HASH_BYTES];

	for (int i = 0; i < 4; i++) {
		secure_token_sorted("kg_t_", tok[i], key[i]);
		cr_assert_eq(strlen(tok[i]), 5 + 11 + 43, "%s", tok[i]);
		cr_assert(token_alphabet(tok[i]), "%s", tok[i]);
		secure_token_key(str_from(tok[i]), 5, again);
		cr_assert_eq(memcmp(again, key[i], sizeof(again)), 0);
		/* the hash part is the whole token's SHA-256 */
		secure_hash(str_from(tok[i]), sha);
		cr_assert_eq(memcmp(key[i] + 8, sha, 24), 0);
	}
	for (int i = 1; i < 4; i++)
		cr_assert_leq(memcmp(key[i - 1], key[i], 8), 0,
		    "minted later, sorted no earlier");
}

Test(secure, a_token_not_in_sorted_form_keys_by_its_sha256, .init = setup)
{
	char tok[TOKEN_MAX_BYTES + 1];
	unsigned char key[SECURE_HASH_BYTES], sha[SECURE_HASH_BYTES];
	/* the sorted form's length, but a time part that cannot decode
	 * (its last character carries bits that do not exist) */
	const char *odd = "kg_t_AAAAAAAAAA_"
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

	secure_token("kg_t_", tok);
	secure_token_key(str_from(tok), 5, key);
	secure_hash(str_from(tok), sha);
	cr_assert_eq(memcmp(key, sha, sizeof(sha)), 0);
	cr_assert_eq(strlen(odd), 5 + 11 + 43);
	secure_token_key(str_from(odd), 5, key);
	secure_hash(str_from(odd), sha);
	cr_assert_eq(memcmp(key, sha, sizeof(sha)), 0);
}

Test(secure, a_forged_time_part_changes_the_key, .init = setup)
{
	char tok[TOKEN_MAX_BYTES + 1];
	unsigned char key[SECURE_HASH_BYTES], forged[SECURE_HASH_BYTES];

	secure_token_sorted("kg_t_", tok, key);
	tok[5] = tok[5] == 'A' ? 'B' : 'A';
	secure_token_key(str_from(tok), 5, forged);
	cr_assert_neq(memcmp(key, forged, 8), 0);
	cr_assert_neq(memcmp(key + 8, forged + 8, 24), 0);
}
