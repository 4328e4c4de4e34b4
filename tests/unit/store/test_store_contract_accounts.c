/* The store contract, the operator's account commands: the list, the
 * counts, disabling (what it ends, what it hides, what enabling gives
 * back), deleting with everything owned, a new password. */
#include "store_contract.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "core/scopes.h"

/* What one account holds in the cases below. */
struct held {
	unsigned char	 session[SECURE_HASH_BYTES];
	unsigned char	 pat[SECURE_HASH_BYTES];
	int64_t		 pat_id;
};

static void
hold(int64_t account, struct held *h)
{
	contract_hash(h->session);
	contract_hash(h->pat);
	cr_assert_eq(store_session_insert(st, h->session, account, T0,
	    NOWHERE, NULL), 0);
	cr_assert_eq(store_pat_insert(st, account, h->pat, T0, NO_CAP,
	    &h->pat_id, NULL), 0);
}

static bool
revoked(const unsigned char *access_hash)
{
	struct token_row t;

	cr_assert_eq(store_access_get(st, access_hash, &t), 0);
	return t.revoked;
}

static bool
refresh_revoked(const unsigned char *refresh_hash)
{
	struct token_row t;

	cr_assert_eq(store_refresh_get(st, refresh_hash, &t), 0);
	return t.revoked;
}

/* Whether the warm-up's page lists the token. */
static bool
listed_live(const unsigned char *access_hash)
{
	unsigned char from[SECURE_HASH_BYTES] = { 0 };
	struct live_token *rows = NULL;
	size_t n = 0;
	bool found = false;

	cr_assert_eq(store_access_page(st, from, 0, 1000, &rows, &n), 0);
	for (size_t i = 0; i < n; i++)
		found |= memcmp(rows[i].hash, access_hash,
		    SECURE_HASH_BYTES) == 0;
	free(rows);
	return found;
}

STORE_TEST(admin, list_pages_oldest_first, contract_setup)
{
	int64_t a = contract_account("a@example.com");
	int64_t b = contract_account("b@example.com");
	int64_t c = contract_account("c@example.com");
	struct account *rows = NULL;
	size_t n = 0;

	cr_assert_eq(store_account_list(st, &(struct store_page){ 0, 2 },
	    &rows, &n), 0);
	cr_assert_eq(n, 2);
	cr_expect_eq(rows[0].id, a);
	cr_expect_str_eq(rows[0].email, "a@example.com");
	cr_expect_eq(rows[0].created_at, T0);
	cr_expect_eq(rows[0].disabled_at, 0);
	cr_expect_eq(rows[1].id, b);
	free(rows);
	cr_assert_eq(store_account_list(st, &(struct store_page){ b, 2 },
	    &rows, &n), 0);
	cr_assert_eq(n, 1, "the last page");
	cr_expect_eq(rows[0].id, c);
	free(rows);
}

OAUTH_TEST(admin, counts_what_an_account_holds)
{
	struct store_horizon h = { 0 };
	struct account_counts c;
	struct held x, y;
	unsigned char old[SECURE_HASH_BYTES];

	hold(fx.dev, &x);
	hold(fx.dev, &y);
	contract_hash(old);
	cr_assert_eq(store_session_insert(st, old, fx.dev, T0 - 100, NOWHERE,
	    NULL), 0);
	contract_grant(fx.dev, &fx.app2, SCOPE_BUILTIN);
	contract_grant(fx.ann, &fx.app, SCOPE_BUILTIN);
	h.seen_before = T0 - 50;	/* `old` is no longer alive */
	h.created_before = T0 - 1000;
	cr_assert_eq(store_account_counts(st, fx.dev, &h, &c), 0);
	cr_expect_eq(c.sessions, 2, "the live ones");
	cr_expect_eq(c.pats, 2);
	cr_expect_eq(c.grants, 1, "the grants it gave, not those to its "
	    "apps");
	cr_assert_eq(store_account_counts(st, fx.bob, &h, &c), 0);
	cr_expect(c.sessions == 0 && c.pats == 0 && c.grants == 0);
}

/* An end user disabled: its sessions, personal tokens and unused codes
 * go; its tokens read revoked until it is enabled; others' stay. */
OAUTH_TEST(admin, disabling_an_end_user)
{
	struct issue anns, bobs;
	struct held ann, dev, late;
	struct account a;
	struct session_row s;
	struct pat_row p;
	struct code_row c;
	unsigned char code[SECURE_HASH_BYTES];

	hold(fx.ann, &ann);
	hold(fx.dev, &dev);
	contract_ann_family(T0, &anns);
	contract_issue_new(contract_grant(fx.bob, &fx.app, SCOPE_BUILTIN),
	    SCOPE_BUILTIN, T0, &bobs);
	contract_hash(code);
	contract_insert_code(code, anns.grant_id, SCOPE_BUILTIN);
	cr_assert(!revoked(anns.access_hash));

	cr_assert_eq(store_account_disable(st, fx.ann, T0 + 5, NULL), 0);
	cr_assert_eq(store_account_by_id(st, fx.ann, &a), 0);
	cr_expect_eq(a.disabled_at, T0 + 5);
	cr_expect_eq(store_session_get(st, ann.session, &s), ERR_NOTFOUND);
	cr_expect_eq(store_pat_by_hash(st, ann.pat, &p), ERR_NOTFOUND);
	cr_expect_eq(store_code_get(st, code, &c), ERR_NOTFOUND,
	    "an unused code of its grant");
	cr_expect(revoked(anns.access_hash));
	cr_expect(refresh_revoked(anns.refresh_hash));
	cr_expect(!listed_live(anns.access_hash), "not warmed");
	cr_expect(!revoked(bobs.access_hash), "another user's token");
	cr_expect(listed_live(bobs.access_hash));
	cr_expect_eq(store_session_get(st, dev.session, &s), 0);
	cr_expect_eq(store_pat_by_hash(st, dev.pat, &p), 0);

	cr_assert_eq(store_account_disable(st, fx.ann, T0 + 9, NULL), 0,
	    "again");
	cr_assert_eq(store_account_by_id(st, fx.ann, &a), 0);
	cr_expect_eq(a.disabled_at, T0 + 5, "the first time stays");
	/* a log-in or a new token racing the disabling: written after it,
	 * refused all the same */
	hold(fx.ann, &late);
	cr_expect_eq(store_session_get(st, late.session, &s), ERR_NOTFOUND,
	    "a session made after the disabling");
	cr_expect_eq(store_pat_by_hash(st, late.pat, &p), ERR_NOTFOUND,
	    "a personal token made after the disabling");

	cr_assert_eq(store_account_enable(st, fx.ann), 0);
	cr_assert_eq(store_account_by_id(st, fx.ann, &a), 0);
	cr_expect_eq(a.disabled_at, 0);
	cr_expect_eq(store_session_get(st, ann.session, &s), ERR_NOTFOUND,
	    "what disabling ended stays ended");
	cr_expect(revoked(anns.access_hash), "its tokens as an end user died");
	cr_expect(refresh_revoked(anns.refresh_hash));
	cr_expect(!listed_live(anns.access_hash));
	cr_expect(!revoked(bobs.access_hash), "another user's token");
	cr_expect_eq(store_pat_by_hash(st, ann.pat, &p), ERR_NOTFOUND);
	cr_assert_eq(store_account_enable(st, fx.ann), 0, "again");
}

/* A developer disabled: its apps say so, every token issued to them
 * reads revoked, whoever granted it, and their unused codes go. */
OAUTH_TEST(admin, disabling_an_app_owner)
{
	struct issue anns, bobs;
	struct app_row app;
	struct held dev, ann;
	struct session_row s;
	struct code_row c;
	unsigned char code[SECURE_HASH_BYTES];

	hold(fx.dev, &dev);
	hold(fx.ann, &ann);
	contract_ann_family(T0, &anns);
	contract_hash(code);
	contract_insert_code(code, anns.grant_id, SCOPE_BUILTIN);
	contract_issue_new(contract_grant(fx.bob, &fx.app, SCOPE_BUILTIN),
	    SCOPE_BUILTIN, T0, &bobs);
	cr_assert_eq(store_app_get(st, STORE_ANY_ACCOUNT, fx.app.api_key,
	    &app), 0);
	cr_expect(!app.owner_disabled);

	cr_assert_eq(store_account_disable(st, fx.dev, T0, NULL), 0);
	cr_assert_eq(store_app_get(st, STORE_ANY_ACCOUNT, fx.app.api_key,
	    &app), 0, "the app stays");
	cr_expect(app.owner_disabled);
	cr_expect(revoked(anns.access_hash));
	cr_expect(revoked(bobs.access_hash));
	cr_expect(refresh_revoked(bobs.refresh_hash));
	cr_expect_eq(store_session_get(st, ann.session, &s), 0,
	    "its users' sessions stay");
	cr_expect_eq(store_code_get(st, code, &c), ERR_NOTFOUND,
	    "an unused code of a grant to its app");

	cr_assert_eq(store_account_enable(st, fx.dev), 0);
	cr_assert_eq(store_app_get(st, STORE_ANY_ACCOUNT, fx.app.api_key,
	    &app), 0);
	cr_expect(!app.owner_disabled);
	cr_expect(!revoked(anns.access_hash));
	cr_expect(!revoked(bobs.access_hash));
}

/* What else an account may hold, each a table whose rows must go with it
 * (or block its deletion): two-step log-in with a recovery code, a link
 * mailed to it, the last notice of a reuse on its app. */
static unsigned char link[SECURE_HASH_BYTES];

static void
owns_the_rest(int64_t account, int64_t app_id)
{
	struct totp_row row;
	struct link_row l = { .account_id = account,
	    .purpose = STORE_LINK_RESET, .email = "dev@example.com",
	    .expires_at = T0 + 3600 };
	unsigned char code[1][SECURE_HASH_BYTES];

	memset(&row, 0, sizeof(row));
	memset(row.secret, 'S', 16);
	row.enabled_at = T0;
	contract_hash(code[0]);
	cr_assert_eq(store_totp_insert(st, account, &row,
	    (const unsigned char (*)[SECURE_HASH_BYTES])code, 1, NULL), 0);
	contract_hash(link);
	cr_assert_eq(store_link_insert(st, link, &l), 0);
	cr_assert_eq(store_app_reuse_notice(st, app_id, T0, 3600), 0);
}

OAUTH_TEST(admin, deleting_takes_everything_owned)
{
	struct totp_row totp;
	struct link_row l;
	struct issue anns, devs;
	struct held dev;
	struct app_row app, bobs;
	struct token_row t;
	struct session_row s;
	struct pat_row p;
	int64_t id = 0;
	unsigned scope = 0;

	hold(fx.dev, &dev);
	contract_ann_family(T0, &anns);
	contract_app(fx.bob, "kg_ak_bobs", T0, &bobs);
	contract_issue_new(contract_grant(fx.dev, &bobs, SCOPE_BUILTIN),
	    SCOPE_BUILTIN, T0, &devs);
	owns_the_rest(fx.dev, fx.app.id);
	cr_assert_eq(store_account_delete(st, fx.dev), 0);
	cr_expect_eq(store_totp_get(st, fx.dev, &totp), ERR_NOTFOUND);
	cr_expect_eq(store_link_get(st, link, STORE_LINK_RESET, &l),
	    ERR_NOTFOUND);
	cr_expect_eq(store_account_by_id(st, fx.dev, &(struct account){ 0 }),
	    ERR_NOTFOUND);
	cr_expect_eq(store_app_get(st, STORE_ANY_ACCOUNT, fx.app.api_key,
	    &app), ERR_NOTFOUND);
	cr_expect_eq(store_access_get(st, anns.access_hash, &t), ERR_NOTFOUND,
	    "a token of its app");
	cr_expect_eq(store_refresh_get(st, anns.refresh_hash, &t),
	    ERR_NOTFOUND);
	cr_expect_eq(store_access_get(st, devs.access_hash, &t), ERR_NOTFOUND,
	    "a token of its grant to another's app");
	cr_expect_eq(store_grant_get(st, fx.dev, bobs.id, &id, &scope),
	    ERR_NOTFOUND);
	cr_expect_eq(store_app_get(st, STORE_ANY_ACCOUNT, "kg_ak_bobs", &app),
	    0, "that app stays");
	cr_expect_eq(store_session_get(st, dev.session, &s), ERR_NOTFOUND);
	cr_expect_eq(store_pat_by_hash(st, dev.pat, &p), ERR_NOTFOUND);
	cr_expect_eq(store_account_by_id(st, fx.ann, &(struct account){ 0 }),
	    0, "its users stay");
	cr_expect_eq(store_account_delete(st, fx.dev), ERR_NOTFOUND);
	cr_expect_eq(store_account_insert(st, "dev@example.com", "$x", T0,
	    &id, NULL), 0, "the email is free again");
}

OAUTH_TEST(admin, new_password_ends_sessions_only)
{
	struct issue anns;
	struct held ann;
	struct account a;
	struct session_row s;
	struct pat_row p;

	hold(fx.ann, &ann);
	contract_ann_family(T0, &anns);
	cr_assert_eq(store_account_set_password(st, fx.ann, "$argon2id$new",
	    NULL, NULL),
	    0);
	cr_assert_eq(store_account_by_id(st, fx.ann, &a), 0);
	cr_expect_str_eq(a.password_hash, "$argon2id$new");
	cr_expect_eq(store_session_get(st, ann.session, &s), ERR_NOTFOUND);
	cr_expect_eq(store_pat_by_hash(st, ann.pat, &p), 0);
	cr_expect(!revoked(anns.access_hash));
}

STORE_TEST(admin, unknown_account_is_notfound, contract_setup)
{
	cr_expect_eq(store_account_disable(st, 4242, T0, NULL), ERR_NOTFOUND);
	cr_expect_eq(store_account_enable(st, 4242), ERR_NOTFOUND);
	cr_expect_eq(store_account_delete(st, 4242), ERR_NOTFOUND);
	cr_expect_eq(store_account_set_password(st, 4242, "$x", NULL, NULL),
	    ERR_NOTFOUND);
}

/* Other nodes learn of each through the revision counter. */
OAUTH_TEST(admin, revision_moves_on_disable_enable_delete)
{
	int64_t r0, r1;

	cr_assert_eq(store_revision(st, &r0), 0);
	cr_assert_eq(store_account_disable(st, fx.bob, T0, NULL), 0);
	cr_assert_eq(store_revision(st, &r1), 0);
	cr_expect_gt(r1, r0, "disabled");
	r0 = r1;
	cr_assert_eq(store_account_disable(st, fx.bob, T0 + 1, NULL), 0);
	cr_assert_eq(store_revision(st, &r1), 0);
	cr_expect_eq(r1, r0, "already disabled: nothing changed");
	cr_assert_eq(store_account_enable(st, fx.bob), 0);
	cr_assert_eq(store_revision(st, &r1), 0);
	cr_expect_gt(r1, r0, "enabled");
	r0 = r1;
	cr_assert_eq(store_account_delete(st, fx.bob), 0);
	cr_assert_eq(store_revision(st, &r1), 0);
	cr_expect_gt(r1, r0, "an account without apps deleted");
	r0 = r1;
	cr_assert_eq(store_account_set_password(st, fx.ann, "$x", NULL, NULL),
	    0);
	cr_assert_eq(store_revision(st, &r1), 0);
	cr_expect_eq(r1, r0, "a new password takes no token away");
}
