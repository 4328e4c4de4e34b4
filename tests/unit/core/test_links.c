/* The shape of a mailed link's token, judged before the store is asked. */
#include "core/links.h"

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
