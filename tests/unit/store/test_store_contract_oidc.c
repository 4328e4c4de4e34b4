/* The store contract, OpenID Connect's log-in facts (§9): a session's
 * auth_time and amr, moved by a fresh password entry; a code's nonce,
 * auth_time and amr; a family keeping auth_time and amr from its code
 * through every rotation. */
#include "store_contract.h"

#include <criterion/criterion.h>
#include <stdbool.h>
#include <string.h>

#include "base/err.h"
#include "core/scopes.h"

STORE_TEST(oidc, session_log_in_moves, contract_setup)
{
	int64_t ann = contract_account("ann@example.com");
	struct session_origin two = { "", "", AMR_PWD | AMR_OTP };
	unsigned char h[SECURE_HASH_BYTES], other[SECURE_HASH_BYTES];
	struct session_row s;

	contract_hash(h);
	contract_hash(other);
	cr_assert_eq(store_session_insert(st, h, ann, T0 + 10, &two, NULL), 0);
	cr_assert_eq(store_session_get(st, h, &s), 0);
	cr_expect_eq(s.auth_time, T0 + 10, "begun by its log-in");
	cr_expect_eq(s.amr, AMR_PWD | AMR_OTP);
	cr_assert_eq(store_session_reauth(st, h, T0 + 500, AMR_PWD), 0);
	cr_assert_eq(store_session_get(st, h, &s), 0);
	cr_expect_eq(s.auth_time, T0 + 500);
	cr_expect_eq(s.amr, AMR_PWD);
	cr_expect_eq(s.created_at, T0 + 10, "the session stays the same");
	cr_expect_eq(store_session_reauth(st, other, T0 + 600, AMR_PWD),
	    ERR_NOTFOUND, "no such session");
	cr_assert_eq(store_session_delete(st, h), 0);
	cr_expect_eq(store_session_reauth(st, h, T0 + 700, AMR_PWD),
	    ERR_NOTFOUND, "an ended session is not brought back");
}

/* As core/tokens.c's judge_refresh() does, keeping what it was shown. */
static int
judge(void *ctx, const struct token_row *parent, struct issue *is)
{
	*(struct token_row *)ctx = *parent;
	is->grant_id = parent->grant_id;
	is->family_id = parent->family_id;
	is->family_scope = is->scope = parent->family_scope;
	return 0;
}

static void
rotate(const struct issue *from, int64_t now, struct issue *is,
    struct token_row *seen)
{
	struct token_row parent;

	contract_rotation(from, SCOPE_BUILTIN, now, is);
	cr_assert_eq(contract_refresh_wait(is, judge, seen, &parent), 0);
	cr_expect_eq(parent.auth_time, seen->auth_time);
}

OAUTH_TEST(oidc, code_log_in_reaches_the_family_and_its_refreshes)
{
	unsigned char code[SECURE_HASH_BYTES];
	struct code_row c;
	struct issue first, second, third;
	struct token_row seen, t;
	const char *nonce = "n-0S6_WzA2Mj \xe2\x98\x83";

	memset(&c, 0, sizeof(c));
	c.account_id = fx.ann;
	c.app_id = fx.app.id;
	c.issued_at = T0;
	c.scope = SCOPE_OPENID | SCOPE_EMAIL;
	c.expires_at = T0 + OAUTH_CODE_TTL_S;
	SET(c.redirect_uri, "https://app.example.com/cb");
	SET(c.nonce, nonce);
	c.auth_time = T0 - 42;
	c.amr = AMR_PWD | AMR_OTP;
	contract_hash(code);
	cr_assert_eq(store_code_insert(st, code, &c, NULL), 0);
	memset(&c, 0, sizeof(c));
	cr_assert_eq(store_code_get(st, code, &c), 0);
	cr_expect_str_eq(c.nonce, nonce);
	cr_expect_eq(c.auth_time, T0 - 42);
	cr_expect_eq(c.amr, AMR_PWD | AMR_OTP);

	/* the exchange, as tokens_exchange_code() writes it */
	contract_family(c.grant_id, c.scope, T0 + 1, &first);
	first.app_id = fx.app.id;
	first.code_hash = code;
	first.auth_time = c.auth_time;
	first.amr = c.amr;
	cr_assert_eq(store_issue(st, &first), 0);
	cr_assert_eq(store_refresh_get(st, first.refresh_hash, &t), 0);
	cr_expect_eq(t.auth_time, T0 - 42);
	cr_expect_eq(t.amr, AMR_PWD | AMR_OTP);

	rotate(&first, T0 + 100, &second, &seen);
	cr_expect_eq(seen.auth_time, T0 - 42, "the parent read says it");
	cr_expect_eq(seen.amr, AMR_PWD | AMR_OTP);
	rotate(&second, T0 + 200, &third, &seen);
	cr_expect_eq(seen.auth_time, T0 - 42, "and again");
	cr_expect_eq(seen.amr, AMR_PWD | AMR_OTP);
	cr_assert_eq(store_refresh_get(st, third.refresh_hash, &t), 0);
	cr_expect_eq(t.auth_time, T0 - 42, "after two refreshes");
	cr_expect_eq(t.amr, AMR_PWD | AMR_OTP);
}

OAUTH_TEST(oidc, a_code_without_them_gives_nothing)
{
	unsigned char code[SECURE_HASH_BYTES];
	struct code_row c;
	struct issue is;
	struct token_row t;

	contract_hash(code);
	contract_insert_code(code, contract_grant(fx.ann, &fx.app,
	    SCOPE_DEFAULT), SCOPE_DEFAULT);
	memset(&c, 'x', sizeof(c));
	cr_assert_eq(store_code_get(st, code, &c), 0);
	cr_expect_str_eq(c.nonce, "");
	cr_expect_eq(c.auth_time, 0);
	cr_expect_eq(c.amr, 0u);
	contract_ann_family(T0, &is);
	cr_assert_eq(store_refresh_get(st, is.refresh_hash, &t), 0);
	cr_expect_eq(t.auth_time, 0);
	cr_expect_eq(t.amr, 0u);
}
