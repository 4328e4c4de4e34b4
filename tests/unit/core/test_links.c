/* The shape of a mailed link's token, judged before the store is asked,
 * and what a session keeps of where it began. */
#include "core/links.h"
#include "core/sessions.h"

#include <criterion/criterion.h>
#include <string.h>

#include "base/secure.h"

Test(links, purpose_from_a_well_formed_token)
{
	char token[TOKEN_MAX_BYTES + 1];

	cr_assert_eq(secure_init(), 0);
	secure_token(LINK_VERIFY_PREFIX, token);
	cr_expect_eq(links_purpose(str_from(token)), STORE_LINK_VERIFY);
	secure_token(LINK_RESET_PREFIX, token);
	cr_expect_eq(links_purpose(str_from(token)), STORE_LINK_RESET);
	secure_token(LINK_EMAIL_PREFIX, token);
	cr_expect_eq(links_purpose(str_from(token)), STORE_LINK_EMAIL);
}

Test(links, anything_else_is_no_link)
{
	char token[TOKEN_MAX_BYTES + 1], bad[TOKEN_MAX_BYTES + 8];
	size_t n;

	cr_assert_eq(secure_init(), 0);
	secure_token(LINK_RESET_PREFIX, token);
	n = strlen(token);
	cr_expect_eq(links_purpose(STR_NULL), 0);
	cr_expect_eq(links_purpose(STR_LIT("garbage")), 0);
	cr_expect_eq(links_purpose((struct str){ token, n - 1 }), 0,
	    "cut short");
	snprintf(bad, sizeof(bad), "%sA", token);
	cr_expect_eq(links_purpose(str_from(bad)), 0, "too long");
	memcpy(bad, token, n + 1);
	bad[n - 3] = '\xff';
	cr_expect_eq(links_purpose(str_from(bad)), 0, "not base64url");
	memcpy(bad, token, n + 1);
	bad[n - 3] = '=';
	cr_expect_eq(links_purpose(str_from(bad)), 0);
	memcpy(bad, token, n + 1);
	memcpy(bad, "kg_xx_", 6);
	cr_expect_eq(links_purpose(str_from(bad)), 0, "unknown prefix");
}

Test(sessions, clean_keeps_text_and_replaces_the_rest)
{
	char out[16];

	sessions_clean(STR_LIT("Firefox/1 \xe2\x98\x83"), out, 15);
	cr_expect_str_eq(out, "Firefox/1 \xe2\x98\x83");
	sessions_clean(STR_LIT("a\tb\nc\x01\x7f"), out, 15);
	cr_expect_str_eq(out, "a?b?c??");
	sessions_clean(STR_LIT("x\xff\xc3(\xe2\x98"), out, 15);
	cr_expect_str_eq(out, "x?" "?(?" "?");
	/* cut at 4 bytes: the snowman (3 bytes) at 3 does not fit */
	sessions_clean(STR_LIT("abc\xe2\x98\x83"), out, 4);
	cr_expect_str_eq(out, "abc");
	sessions_clean(STR_LIT("abcdefghijklmnopqrstuvwxyz"), out, 15);
	cr_expect_eq(strlen(out), 15);
}
