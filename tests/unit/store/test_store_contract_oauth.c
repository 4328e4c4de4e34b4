/* The store contract, OAuth: grants, authorization codes (insert, read,
 * take, exchange) and the issuing transaction (new family, consent,
 * rotation, retry). Tokens, cascades and races are in
 * test_store_contract_tokens.c. */
#include "store_contract.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "core/scopes.h"

OAUTH_TEST(grants, upsert_widens_to_the_union)
{
	int64_t id = 0, again = 0, other = 0;
	unsigned scope = 0;

	cr_assert_eq(store_grant_upsert(st, fx.ann, fx.app.id,
	    SCOPE_ACCOUNT_READ, T0, &id), 0);
	cr_assert_gt(id, 0);
	cr_assert_eq(store_grant_get(st, fx.ann, fx.app.id, &again, &scope), 0);
	cr_expect_eq(again, id);
	cr_expect_eq(scope, SCOPE_ACCOUNT_READ);
	cr_assert_eq(store_grant_upsert(st, fx.ann, fx.app.id,
	    SCOPE_CONTACT_DATA, T0 + 5, &again), 0);
	cr_expect_eq(again, id, "the same grant");
	cr_assert_eq(store_grant_get(st, fx.ann, fx.app.id, &again, &scope), 0);
	cr_expect_eq(scope, SCOPE_ACCOUNT_READ | SCOPE_CONTACT_DATA);
	cr_assert_eq(store_grant_upsert(st, fx.ann, fx.app.id,
	    SCOPE_ACCOUNT_READ, T0 + 6, &again), 0);
	cr_expect_eq(again, id);
	cr_assert_eq(store_grant_get(st, fx.ann, fx.app.id, &again, &scope), 0);
	cr_expect_eq(scope, SCOPE_ACCOUNT_READ | SCOPE_CONTACT_DATA,
	    "asking for less never narrows");
	cr_assert_eq(store_grant_upsert(st, fx.bob, fx.app.id, SCOPE_BUILTIN, T0,
	    &other), 0);
	cr_expect_neq(other, id, "one grant per account and app");
	cr_assert_eq(store_grant_upsert(st, fx.ann, fx.app2.id, SCOPE_BUILTIN, T0,
	    &other), 0);
	cr_expect_neq(other, id);
	cr_assert_eq(store_grant_get(st, fx.ann, fx.app.id, &again, &scope), 0);
	cr_expect_eq(scope, SCOPE_ACCOUNT_READ | SCOPE_CONTACT_DATA);
}

OAUTH_TEST(grants, none_is_notfound)
{
	int64_t id = 0;
	unsigned scope = 0;

	cr_expect_eq(store_grant_get(st, fx.ann, fx.app.id, &id, &scope),
	    ERR_NOTFOUND);
	contract_grant(fx.bob, &fx.app, SCOPE_BUILTIN);
	contract_grant(fx.ann, &fx.app2, SCOPE_BUILTIN);
	cr_expect_eq(store_grant_get(st, fx.ann, fx.app.id, &id, &scope),
	    ERR_NOTFOUND);
	/* core/grants.c passes this on: withdrawing nothing is a 404 */
	cr_expect_eq(store_grant_delete(st, fx.ann, fx.app.id, NULL),
	    ERR_NOTFOUND);
	cr_expect_eq(store_grant_get(st, fx.bob, fx.app.id, &id, &scope), 0,
	    "bob's grant stays");
}

static const struct grant_row *
find_grant(const struct grant_row *rows, size_t n, int64_t app_id)
{
	for (size_t i = 0; i < n; i++)
		if (rows[i].app_id == app_id)
			return &rows[i];
	return NULL;
}

OAUTH_TEST(grants, list_pages_by_grant)
{
	struct grant_row *rows = NULL;
	struct store_page page = { 0, 1 };
	int64_t g1, g2;
	size_t n = 0;

	g1 = contract_grant(fx.ann, &fx.app, SCOPE_ACCOUNT_READ);
	g2 = contract_grant(fx.ann, &fx.app2, SCOPE_ACCOUNT_READ);
	cr_assert_eq(store_grant_list(st, fx.ann, &page, &rows, &n), 0);
	cr_assert_eq(n, 1);
	cr_expect_eq(rows[0].id, g1 < g2 ? g1 : g2, "oldest grant first");
	page.after = rows[0].id;
	free(rows);
	rows = NULL;
	cr_assert_eq(store_grant_list(st, fx.ann, &page, &rows, &n), 0);
	cr_assert_eq(n, 1);
	cr_expect_eq(rows[0].id, g1 < g2 ? g2 : g1);
	page.after = rows[0].id;
	free(rows);
	rows = NULL;
	cr_assert_eq(store_grant_list(st, fx.ann, &page, &rows, &n), 0);
	cr_expect_eq(n, 0, "nothing after the last");
	free(rows);
}

/* The order of the list is not part of the contract; the rows are. */
OAUTH_TEST(grants, list_with_app_fields)
{
	struct grant_row *rows = NULL;
	const struct grant_row *g;
	int64_t g1, g2, id = 0;
	size_t n = 99;

	cr_assert_eq(store_grant_list(st, fx.ann, ALL, &rows, &n), 0);
	cr_expect_eq(n, 0);
	free(rows);
	g1 = contract_grant(fx.ann, &fx.app, SCOPE_ACCOUNT_READ);
	cr_assert_eq(store_grant_upsert(st, fx.ann, fx.app.id,
	    SCOPE_CAMPAIGN_DATA, T0 + 50, &id), 0);
	cr_assert_eq(store_grant_upsert(st, fx.ann, fx.app2.id, SCOPE_BUILTIN,
	    T0 + 20, &g2), 0);
	contract_grant(fx.bob, &fx.app, SCOPE_BUILTIN);
	rows = NULL;
	cr_assert_eq(store_grant_list(st, fx.ann, ALL, &rows, &n), 0);
	cr_assert_eq(n, 2, "ann's grants only");
	cr_assert_not_null(g = find_grant(rows, n, fx.app.id));
	cr_expect_eq(g->id, g1);
	cr_expect_eq(g->scope, SCOPE_ACCOUNT_READ | SCOPE_CAMPAIGN_DATA);
	cr_expect_eq(g->created_at, T0, "widening keeps the consent's date");
	cr_expect_str_eq(g->api_key, fx.app.api_key);
	cr_expect_str_eq(g->public_name, fx.app.public_name);
	cr_assert_not_null(g = find_grant(rows, n, fx.app2.id));
	cr_expect_eq(g->id, g2);
	cr_expect_eq(g->scope, SCOPE_BUILTIN);
	cr_expect_eq(g->created_at, T0 + 20);
	cr_expect_str_eq(g->api_key, fx.app2.api_key);
	cr_expect_str_eq(g->public_name, "", "unset public name");
	free(rows);
}

OAUTH_TEST(codes, insert_get_take)
{
	unsigned char h[SECURE_HASH_BYTES];
	struct code_row c, out;
	int64_t g = contract_grant(fx.ann, &fx.app, SCOPE_BUILTIN);

	contract_hash(h);
	memset(&c, 0, sizeof(c));
	c.grant_id = g;
	/* account and app are the grant's, used and family the store's */
	c.account_id = fx.bob;
	c.app_id = fx.app2.id;
	c.used = true;
	c.family_id = 4242;
	SET(c.redirect_uri, "https://app.example.com/cb?x=\xc3\xa9");
	c.scope = SCOPE_ACCOUNT_READ | SCOPE_CONTACT_DATA;
	SET(c.challenge, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
	c.expires_at = T0 + 600;
	cr_assert_eq(store_code_insert(st, h, &c, NULL), 0);
	for (int i = 0; i < 2; i++) {
		memset(&out, 0x55, sizeof(out));
		cr_assert_eq(store_code_get(st, h, &out), 0,
		    "a read uses nothing up (%d)", i);
		cr_expect_eq(out.grant_id, g);
		cr_expect_eq(out.account_id, fx.ann);
		cr_expect_eq(out.app_id, fx.app.id);
		cr_expect_str_eq(out.redirect_uri, c.redirect_uri);
		cr_expect_eq(out.scope, c.scope);
		cr_expect_str_eq(out.challenge, c.challenge);
		cr_expect_eq(out.expires_at, T0 + 600);
		cr_expect(!out.used);
		cr_expect_eq(out.family_id, 0, "not exchanged");
	}
	memset(&out, 0x55, sizeof(out));
	cr_assert_eq(store_code_take(st, h, fx.app.id, &out), 0);
	cr_expect_eq(out.grant_id, g);
	cr_expect_eq(out.account_id, fx.ann);
	cr_expect_eq(out.app_id, fx.app.id);
	cr_expect_eq(out.family_id, 0);
	cr_assert_eq(store_code_get(st, h, &out), 0);
	cr_expect(out.used, "taken is used");
	cr_expect_eq(out.family_id, 0, "used up, not exchanged");
	memset(&out, 0x55, sizeof(out));
	cr_expect_eq(store_code_take(st, h, fx.app.id, &out), ERR_CONFLICT);
	cr_expect_eq(out.grant_id, g, "out is filled on a conflict");
	cr_expect_eq(out.family_id, 0, "no family to revoke");
}

OAUTH_TEST(codes, unknown_is_notfound)
{
	unsigned char h[SECURE_HASH_BYTES], other[SECURE_HASH_BYTES];
	struct code_row out;

	contract_hash(h);
	contract_hash(other);
	contract_insert_code(h, contract_grant(fx.ann, &fx.app, SCOPE_BUILTIN),
	    SCOPE_BUILTIN);
	cr_expect_eq(store_code_get(st, other, &out), ERR_NOTFOUND);
	cr_expect_eq(store_code_take(st, other, fx.app.id, &out), ERR_NOTFOUND);
	cr_expect_eq(store_code_take(st, h, fx.app.id, &out), 0,
	    "untouched by that");
}

/* A code presented by another client is not that client's: taking or
 * exchanging it changes nothing, used or not. */
OAUTH_TEST(codes, other_client_changes_nothing)
{
	unsigned char h[SECURE_HASH_BYTES];
	struct code_row out;
	struct issue is, theirs;
	int64_t g = contract_grant(fx.ann, &fx.app, SCOPE_BUILTIN);

	contract_hash(h);
	contract_insert_code(h, g, SCOPE_BUILTIN);
	cr_expect_eq(store_code_take(st, h, fx.app2.id, &out), ERR_NOTFOUND);
	cr_expect_eq(out.family_id, 0, "nothing of the code is told");
	contract_family(g, SCOPE_BUILTIN, T0 + 1, &theirs);
	theirs.code_hash = h;
	theirs.app_id = fx.app2.id;
	cr_expect_eq(store_issue(st, &theirs), ERR_CONFLICT);
	contract_expect_no_pair(&theirs, "another client's exchange");
	cr_assert_eq(store_code_get(st, h, &out), 0);
	cr_expect(!out.used, "still unused");
	contract_family(g, SCOPE_BUILTIN, T0 + 2, &is);
	is.code_hash = h;
	is.app_id = fx.app.id;
	cr_assert_eq(store_issue(st, &is), 0, "its own client exchanges it");
	cr_expect_eq(store_code_take(st, h, fx.app2.id, &out), ERR_NOTFOUND);
	cr_expect_eq(out.family_id, 0, "the family is not named to it");
	cr_expect_eq(store_code_take(st, h, fx.app.id, &out), ERR_CONFLICT);
	cr_expect_eq(out.family_id, is.family_id);
}

OAUTH_TEST(codes, one_per_hash)
{
	unsigned char h[SECURE_HASH_BYTES];
	struct code_row c, out;
	int64_t g = contract_grant(fx.ann, &fx.app, SCOPE_BUILTIN);

	contract_hash(h);
	contract_insert_code(h, g, SCOPE_ACCOUNT_READ);
	memset(&c, 0, sizeof(c));
	c.grant_id = contract_grant(fx.bob, &fx.app, SCOPE_BUILTIN);
	SET(c.redirect_uri, "https://evil.example.com/cb");
	c.scope = SCOPE_BUILTIN;
	cr_expect_eq(store_code_insert(st, h, &c, NULL), ERR_EXISTS);
	cr_assert_eq(store_code_get(st, h, &out), 0);
	cr_expect_eq(out.grant_id, g, "the first code stays");
	cr_expect_str_eq(out.redirect_uri, "https://app.example.com/cb");
}

/* With grant_id 0 the code's insert records the consent too, in one
 * transaction. */
OAUTH_TEST(codes, insert_records_the_consent)
{
	unsigned char h[SECURE_HASH_BYTES], h2[SECURE_HASH_BYTES];
	struct code_row c, out;
	struct grant_row *rows = NULL;
	int64_t id = 0;
	unsigned scope = 0;
	size_t n = 0;

	contract_hash(h);
	contract_hash(h2);
	memset(&c, 0, sizeof(c));
	c.account_id = fx.ann;
	c.app_id = fx.app.id;
	c.issued_at = T0 + 30;
	SET(c.redirect_uri, "https://app.example.com/cb");
	c.scope = SCOPE_ACCOUNT_READ;
	c.expires_at = T0 + 630;
	cr_assert_eq(store_code_insert(st, h, &c, NULL), 0);
	cr_assert_gt(c.grant_id, 0, "the insert sets grant_id");
	cr_assert_eq(store_grant_get(st, fx.ann, fx.app.id, &id, &scope), 0);
	cr_expect_eq(id, c.grant_id);
	cr_expect_eq(scope, SCOPE_ACCOUNT_READ);
	cr_assert_eq(store_grant_list(st, fx.ann, ALL, &rows, &n), 0);
	cr_assert_eq(n, 1);
	cr_expect_eq(rows[0].created_at, T0 + 30, "issued_at: consent time");
	free(rows);
	cr_assert_eq(store_code_get(st, h, &out), 0);
	cr_expect_eq(out.grant_id, id);
	cr_expect_eq(out.account_id, fx.ann);
	cr_expect_eq(out.app_id, fx.app.id);

	/* a second consent widens the same grant */
	c.grant_id = 0;
	c.scope = SCOPE_CAMPAIGN_DATA;
	c.issued_at = T0 + 40;
	cr_assert_eq(store_code_insert(st, h2, &c, NULL), 0);
	cr_expect_eq(c.grant_id, id);
	cr_assert_eq(store_grant_get(st, fx.ann, fx.app.id, &id, &scope), 0);
	cr_expect_eq(scope, SCOPE_ACCOUNT_READ | SCOPE_CAMPAIGN_DATA);
	cr_assert_eq(store_code_get(st, h2, &out), 0);
	cr_expect_eq(out.scope, SCOPE_CAMPAIGN_DATA, "the code's own scope");
}

/* "A failure leaves neither": a code that cannot be written records no
 * consent. */
OAUTH_TEST(codes, failed_insert_records_no_consent)
{
	unsigned char h[SECURE_HASH_BYTES];
	struct code_row c;
	int64_t id = 0;
	unsigned scope = 0;

	contract_hash(h);
	contract_insert_code(h, contract_grant(fx.ann, &fx.app, SCOPE_BUILTIN),
	    SCOPE_BUILTIN);
	memset(&c, 0, sizeof(c));
	c.account_id = fx.bob;
	c.app_id = fx.app.id;
	c.issued_at = T0;
	SET(c.redirect_uri, "https://app.example.com/cb");
	c.scope = SCOPE_ACCOUNT_READ;
	cr_expect_eq(store_code_insert(st, h, &c, NULL), ERR_EXISTS);
	cr_expect_eq(store_grant_get(st, fx.bob, fx.app.id, &id, &scope),
	    ERR_NOTFOUND, "no grant for bob");
	/* and no widening of an existing grant either */
	contract_grant(fx.bob, &fx.app2, SCOPE_ACCOUNT_READ);
	c.app_id = fx.app2.id;
	c.grant_id = 0;
	c.scope = SCOPE_BUILTIN;
	cr_expect_eq(store_code_insert(st, h, &c, NULL), ERR_EXISTS);
	cr_assert_eq(store_grant_get(st, fx.bob, fx.app2.id, &id, &scope), 0);
	cr_expect_eq(scope, SCOPE_ACCOUNT_READ);
}

OAUTH_TEST(codes, longest_and_empty_fields_round_trip)
{
	unsigned char h[SECURE_HASH_BYTES], h2[SECURE_HASH_BYTES];
	static struct code_row c, out;

	contract_hash(h);
	contract_hash(h2);
	c.grant_id = contract_grant(fx.ann, &fx.app, SCOPE_BUILTIN);
	memcpy(c.redirect_uri, "https://", 8);
	contract_fill(c.redirect_uri + 8, "r", APP_URI_MAX_BYTES - 8);
	contract_fill(c.challenge, "C", sizeof(c.challenge) - 1);
	c.scope = SCOPE_BUILTIN;
	c.expires_at = T0 + 1;
	cr_assert_eq(store_code_insert(st, h, &c, NULL), 0);
	cr_assert_eq(store_code_get(st, h, &out), 0);
	cr_expect_eq(strlen(out.redirect_uri), APP_URI_MAX_BYTES);
	cr_expect_str_eq(out.redirect_uri, c.redirect_uri);
	cr_expect_str_eq(out.challenge, c.challenge);
	c.challenge[0] = '\0';
	cr_assert_eq(store_code_insert(st, h2, &c, NULL), 0);
	cr_assert_eq(store_code_get(st, h2, &out), 0);
	cr_expect_str_eq(out.challenge, "", "issued without PKCE");
}

/* The exchange: store_issue uses the code up and records the family it
 * started (docs/REFERENCE.md §3.2: a replay names that family, to revoke
 * it). */
OAUTH_TEST(codes, exchange_records_the_family)
{
	unsigned char h[SECURE_HASH_BYTES];
	struct code_row out;
	struct issue is;
	struct token_row t;
	int64_t g = contract_grant(fx.ann, &fx.app, SCOPE_BUILTIN);

	contract_hash(h);
	contract_insert_code(h, g, SCOPE_ACCOUNT_READ);
	contract_family(g, SCOPE_ACCOUNT_READ, T0 + 1, &is);
	is.code_hash = h;
	is.app_id = fx.app.id;
	cr_assert_eq(store_issue(st, &is), 0);
	cr_assert_gt(is.family_id, 0);
	cr_assert_eq(store_code_get(st, h, &out), 0);
	cr_expect(out.used);
	cr_expect_eq(out.family_id, is.family_id);
	cr_expect_eq(store_code_take(st, h, fx.app.id, &out), ERR_CONFLICT);
	cr_expect_eq(out.family_id, is.family_id, "the replay names it");
	cr_expect_eq(store_code_take(st, h, fx.app.id, &out), ERR_CONFLICT);
	cr_expect_eq(out.family_id, is.family_id, "every replay does");
	cr_assert_eq(store_access_get(st, is.access_hash, &t), 0,
	    "revoking is the caller's business");
	contract_expect_token(&t, &is, 0, false);
}

OAUTH_TEST(codes, second_exchange_writes_nothing)
{
	unsigned char h[SECURE_HASH_BYTES];
	struct code_row out;
	struct issue first, second;
	int64_t g = contract_grant(fx.ann, &fx.app, SCOPE_BUILTIN);

	contract_hash(h);
	contract_insert_code(h, g, SCOPE_BUILTIN);
	contract_family(g, SCOPE_BUILTIN, T0 + 1, &first);
	first.code_hash = h;
	first.app_id = fx.app.id;
	cr_assert_eq(store_issue(st, &first), 0);
	contract_family(g, SCOPE_BUILTIN, T0 + 2, &second);
	second.code_hash = h;
	second.app_id = fx.app.id;
	cr_expect_eq(store_issue(st, &second), ERR_CONFLICT);
	contract_expect_no_pair(&second, "a used code issues nothing");
	cr_assert_eq(store_code_get(st, h, &out), 0);
	cr_expect_eq(out.family_id, first.family_id, "the first one's");
}

/* A failed attempt used the code up: a later exchange fails, writing
 * nothing, and no family is ever attached. */
OAUTH_TEST(codes, taken_code_cannot_be_exchanged)
{
	unsigned char h[SECURE_HASH_BYTES];
	struct code_row out;
	struct issue is;
	int64_t g = contract_grant(fx.ann, &fx.app, SCOPE_BUILTIN);

	contract_hash(h);
	contract_insert_code(h, g, SCOPE_BUILTIN);
	cr_assert_eq(store_code_take(st, h, fx.app.id, &out), 0);
	cr_assert_eq(store_code_take(st, h, fx.app.id, &out), ERR_CONFLICT);
	cr_expect_eq(out.family_id, 0);
	contract_family(g, SCOPE_BUILTIN, T0 + 1, &is);
	is.code_hash = h;
	is.app_id = fx.app.id;
	cr_expect_eq(store_issue(st, &is), ERR_CONFLICT);
	contract_expect_no_pair(&is, "a replayed code issues nothing");
	cr_expect_eq(store_code_take(st, h, fx.app.id, &out), ERR_CONFLICT);
	cr_expect_eq(out.family_id, 0, "no family was attached");
}

OAUTH_TEST(issue, new_family)
{
	struct issue is, is2;
	struct token_row t;
	int64_t g = contract_grant(fx.ann, &fx.app, SCOPE_BUILTIN);

	contract_issue_new(g, SCOPE_ACCOUNT_READ | SCOPE_CONTACT_DATA, T0 + 10,
	    &is);
	memset(&t, 0x55, sizeof(t));
	cr_assert_eq(store_access_get(st, is.access_hash, &t), 0);
	contract_expect_token(&t, &is, 0, false);
	memset(&t, 0x55, sizeof(t));
	cr_assert_eq(store_refresh_get(st, is.refresh_hash, &t), 0);
	contract_expect_token(&t, &is, 0, false);
	contract_issue_new(g, SCOPE_ACCOUNT_READ, T0 + 11, &is2);
	cr_expect_neq(is2.family_id, is.family_id, "each issue its family");
}

/* A family may be narrower per token than the most a refresh may ask. */
OAUTH_TEST(issue, token_scope_within_family_scope)
{
	struct issue is;
	struct token_row t;

	contract_family(contract_grant(fx.ann, &fx.app, SCOPE_BUILTIN), SCOPE_BUILTIN,
	    T0, &is);
	is.scope = SCOPE_CAMPAIGN_DATA;
	cr_assert_eq(store_issue(st, &is), 0);
	cr_assert_eq(store_access_get(st, is.access_hash, &t), 0);
	cr_expect_eq(t.scope, SCOPE_CAMPAIGN_DATA);
	cr_expect_eq(t.family_scope, SCOPE_BUILTIN);
	cr_assert_eq(store_refresh_get(st, is.refresh_hash, &t), 0);
	cr_expect_eq(t.scope, SCOPE_CAMPAIGN_DATA);
	cr_expect_eq(t.family_scope, SCOPE_BUILTIN);
}

/* The client flow gets an access token alone. */
OAUTH_TEST(issue, without_refresh)
{
	struct issue is;
	struct token_row t;

	contract_family(contract_grant(fx.ann, &fx.app, SCOPE_BUILTIN),
	    SCOPE_ACCOUNT_READ, T0, &is);
	is.with_refresh = false;	/* refresh_hash is set: unwritten */
	cr_assert_eq(store_issue(st, &is), 0);
	cr_assert_gt(is.family_id, 0);
	cr_assert_eq(store_access_get(st, is.access_hash, &t), 0);
	contract_expect_token(&t, &is, 0, false);
	cr_expect_eq(store_refresh_get(st, is.refresh_hash, &t),
	    ERR_NOTFOUND);
}

/* With grant_id 0 the issue records the consent too (the client flow
 * answers at once), in the same transaction. */
OAUTH_TEST(issue, records_the_consent)
{
	struct issue is, more;
	struct token_row t;
	int64_t id = 0;
	unsigned scope = 0;

	contract_family(0, SCOPE_ACCOUNT_READ, T0 + 5, &is);
	is.account_id = fx.ann;
	is.app_id = fx.app.id;
	is.with_refresh = false;
	cr_assert_eq(store_issue(st, &is), 0);
	cr_assert_gt(is.grant_id, 0, "the issue sets grant_id");
	cr_assert_eq(store_grant_get(st, fx.ann, fx.app.id, &id, &scope), 0);
	cr_expect_eq(id, is.grant_id);
	cr_expect_eq(scope, SCOPE_ACCOUNT_READ);
	cr_assert_eq(store_access_get(st, is.access_hash, &t), 0);
	contract_expect_token(&t, &is, 0, false);

	contract_family(0, SCOPE_CONTACT_DATA, T0 + 6, &more);
	more.account_id = fx.ann;
	more.app_id = fx.app.id;
	cr_assert_eq(store_issue(st, &more), 0);
	cr_expect_eq(more.grant_id, id, "the same grant, widened");
	cr_assert_eq(store_grant_get(st, fx.ann, fx.app.id, &id, &scope), 0);
	cr_expect_eq(scope, SCOPE_ACCOUNT_READ | SCOPE_CONTACT_DATA);
}

/* "Nothing written" includes the consent an issue would have recorded. */
OAUTH_TEST(issue, failed_issue_records_no_consent)
{
	unsigned char h[SECURE_HASH_BYTES];
	struct code_row c;
	struct issue is;
	int64_t id = 0;
	unsigned scope = 0;

	contract_hash(h);
	contract_insert_code(h, contract_grant(fx.ann, &fx.app,
	    SCOPE_ACCOUNT_READ), SCOPE_ACCOUNT_READ);
	cr_assert_eq(store_code_take(st, h, fx.app.id, &c), 0);
	contract_family(0, SCOPE_BUILTIN, T0 + 1, &is);
	is.account_id = fx.ann;
	is.app_id = fx.app.id;
	is.code_hash = h;
	cr_expect_eq(store_issue(st, &is), ERR_CONFLICT);
	contract_expect_no_pair(&is, "the code was used");
	cr_assert_eq(store_grant_get(st, fx.ann, fx.app.id, &id, &scope), 0);
	cr_expect_eq(scope, SCOPE_ACCOUNT_READ, "not widened");
	is.account_id = fx.bob;
	contract_hash(is.access_hash);
	contract_hash(is.refresh_hash);
	is.grant_id = 0;
	is.family_id = 0;
	cr_expect_eq(store_issue(st, &is), ERR_CONFLICT);
	cr_expect_eq(store_grant_get(st, fx.bob, fx.app.id, &id, &scope),
	    ERR_NOTFOUND, "not created");
}

OAUTH_TEST(issue, rotation_first_wins)
{
	struct issue first, rot, late;
	struct token_row t;

	contract_ann_family(T0, &first);
	contract_rotation(&first, SCOPE_ACCOUNT_READ, T0 + 100, &rot);
	cr_assert_eq(store_issue(st, &rot), 0);
	cr_expect_eq(rot.family_id, first.family_id, "the same family");
	cr_assert_eq(store_access_get(st, rot.access_hash, &t), 0);
	contract_expect_token(&t, &rot, 0, false);
	cr_assert_eq(store_refresh_get(st, rot.refresh_hash, &t), 0);
	contract_expect_token(&t, &rot, 0, false);
	cr_assert_eq(store_refresh_get(st, first.refresh_hash, &t), 0);
	contract_expect_token(&t, &first, T0 + 100, false);

	/* the same parent again, without retry: the compare-and-set fails
	 * and nothing of this issue is written */
	contract_rotation(&first, SCOPE_BUILTIN, T0 + 200, &late);
	cr_expect_eq(store_issue(st, &late), ERR_CONFLICT);
	contract_expect_no_pair(&late, "a lost rotation writes nothing");
	cr_assert_eq(store_refresh_get(st, first.refresh_hash, &t), 0);
	cr_expect_eq(t.last_used, T0 + 100, "the first use stays recorded");
	cr_assert_eq(store_access_get(st, rot.access_hash, &t), 0);
	cr_assert_eq(store_refresh_get(st, rot.refresh_hash, &t), 0);
	contract_expect_token(&t, &rot, 0, false);
}

OAUTH_TEST(issue, rotation_of_unknown_parent_writes_nothing)
{
	unsigned char ghost[SECURE_HASH_BYTES];
	struct issue first, rot;
	int rc;

	contract_ann_family(T0, &first);
	contract_rotation(&first, SCOPE_BUILTIN, T0 + 1, &rot);
	contract_hash(ghost);
	rot.parent_hash = ghost;
	rc = store_issue(st, &rot);
	cr_expect(rc == ERR_CONFLICT || rc == ERR_NOTFOUND, "got %d", rc);
	contract_expect_no_pair(&rot, "no parent, no child");
}

/* Retry (--refresh-retry-window): the parent was used, the pair it gave
 * went unused (lost on the way to the client); that pair is deleted and
 * a new one issued, as often as the client retries. */
OAUTH_TEST(issue, retry_replaces_the_unused_pair)
{
	struct issue first, rot, again, third;
	struct token_row t;

	contract_ann_family(T0, &first);
	contract_rotation(&first, SCOPE_BUILTIN, T0 + 100, &rot);
	cr_assert_eq(store_issue(st, &rot), 0);
	contract_rotation(&first, SCOPE_ACCOUNT_READ, T0 + 110, &again);
	again.retry = true;
	cr_assert_eq(store_issue(st, &again), 0);
	cr_expect_eq(again.family_id, first.family_id);
	contract_expect_no_pair(&rot, "the unused pair goes");
	cr_assert_eq(store_access_get(st, again.access_hash, &t), 0);
	contract_expect_token(&t, &again, 0, false);
	cr_assert_eq(store_refresh_get(st, again.refresh_hash, &t), 0);
	contract_expect_token(&t, &again, 0, false);
	/* The window counts from the parent's use: a retry must not move
	 * it, or retries could keep a used token alive for ever. */
	cr_assert_eq(store_refresh_get(st, first.refresh_hash, &t), 0);
	cr_expect_eq(t.last_used, T0 + 100);

	contract_rotation(&first, SCOPE_BUILTIN, T0 + 120, &third);
	third.retry = true;
	cr_assert_eq(store_issue(st, &third), 0, "a second retry");
	contract_expect_no_pair(&again, "replaced in turn");
	cr_expect_eq(store_access_get(st, third.access_hash, &t), 0);
	cr_expect_eq(store_refresh_get(st, third.refresh_hash, &t), 0);

	contract_rotation(&first, SCOPE_BUILTIN, T0 + 130, &again);
	cr_expect_eq(store_issue(st, &again), ERR_CONFLICT,
	    "without retry the used parent still refuses");
	contract_expect_no_pair(&again, "refused");
}

/* Once the client used what the parent gave, a retry is a replay. */
OAUTH_TEST(issue, retry_refused_once_the_access_token_was_used)
{
	struct issue first, rot, again;
	struct token_row t;

	contract_ann_family(T0, &first);
	contract_rotation(&first, SCOPE_BUILTIN, T0 + 100, &rot);
	cr_assert_eq(store_issue(st, &rot), 0);
	cr_assert_eq(store_access_touch(st, rot.access_hash, T0 + 105), 0);
	contract_rotation(&first, SCOPE_BUILTIN, T0 + 110, &again);
	again.retry = true;
	cr_expect_eq(store_issue(st, &again), ERR_CONFLICT);
	contract_expect_no_pair(&again, "a refused retry writes nothing");
	cr_assert_eq(store_access_get(st, rot.access_hash, &t), 0,
	    "the used pair stays");
	contract_expect_token(&t, &rot, T0 + 105, false);
	cr_assert_eq(store_refresh_get(st, rot.refresh_hash, &t), 0);
	contract_expect_token(&t, &rot, 0, false);
}

OAUTH_TEST(issue, retry_refused_once_the_refresh_token_was_used)
{
	struct issue first, rot, next, again;
	struct token_row t;

	contract_ann_family(T0, &first);
	contract_rotation(&first, SCOPE_BUILTIN, T0 + 100, &rot);
	cr_assert_eq(store_issue(st, &rot), 0);
	contract_rotation(&rot, SCOPE_BUILTIN, T0 + 105, &next);
	cr_assert_eq(store_issue(st, &next), 0);
	contract_rotation(&first, SCOPE_BUILTIN, T0 + 110, &again);
	again.retry = true;
	cr_expect_eq(store_issue(st, &again), ERR_CONFLICT);
	contract_expect_no_pair(&again, "a refused retry writes nothing");
	cr_assert_eq(store_access_get(st, rot.access_hash, &t), 0,
	    "nothing was deleted");
	cr_assert_eq(store_refresh_get(st, rot.refresh_hash, &t), 0);
	contract_expect_token(&t, &rot, T0 + 105, false);
	cr_expect_eq(store_access_get(st, next.access_hash, &t), 0);
	cr_expect_eq(store_refresh_get(st, next.refresh_hash, &t), 0);
}

