/* The store contract, DPoP-bound tokens (docs/REFERENCE.md §17.2): the
 * thumbprint an issue binds its access and refresh tokens to, each on its
 * own, read back by every token read; a rotation's judge sees the
 * parent's binding; a refused rotation binds nothing; a code keeps the
 * key its request named (§17.3). */
#include "store_contract.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "core/scopes.h"

static void
expect_bound(const struct token_row *t, const unsigned char *jkt,
    const char *what)
{
	static const unsigned char zero[SECURE_HASH_BYTES];

	if (jkt == NULL) {
		cr_expect(!t->bound, "%s: Bearer", what);
		cr_expect_eq(memcmp(t->jkt, zero, SECURE_HASH_BYTES), 0,
		    "%s: no thumbprint left from an earlier read", what);
		return;
	}
	cr_expect(t->bound, "%s: bound", what);
	cr_expect_eq(memcmp(t->jkt, jkt, SECURE_HASH_BYTES), 0,
	    "%s: to that thumbprint", what);
}

/* A new family with the access token bound to `jkt` and the refresh token
 * too when `refresh`. */
static void
bound_family(const unsigned char *jkt, bool refresh, struct issue *is)
{
	int64_t g = contract_grant(fx.ann, &fx.app, SCOPE_BUILTIN);

	contract_family(g, SCOPE_BUILTIN, T0, is);
	is->access_bound = true;
	is->refresh_bound = refresh;
	memcpy(is->jkt, jkt, SECURE_HASH_BYTES);
	cr_assert_eq(store_issue(st, is), 0);
}

OAUTH_TEST(dpop, each_token_bound_on_its_own)
{
	unsigned char jkt[SECURE_HASH_BYTES];
	struct issue pub, conf, plain;
	struct token_row t;

	contract_hash(jkt);
	bound_family(jkt, true, &pub);
	bound_family(jkt, false, &conf);
	contract_ann_family(T0, &plain);
	cr_assert_eq(store_access_get(st, pub.access_hash, &t), 0);
	contract_expect_token(&t, &pub, 0, false);
	expect_bound(&t, jkt, "a public client's access token");
	cr_assert_eq(store_refresh_get(st, pub.refresh_hash, &t), 0);
	expect_bound(&t, jkt, "a public client's refresh token");
	cr_assert_eq(store_access_get(st, conf.access_hash, &t), 0);
	expect_bound(&t, jkt, "a confidential client's access token");
	/* the row read last was bound: a Bearer read must clear it */
	cr_assert_eq(store_refresh_get(st, conf.refresh_hash, &t), 0);
	expect_bound(&t, NULL, "a confidential client's refresh token");
	cr_assert_eq(store_access_get(st, pub.access_hash, &t), 0);
	cr_assert_eq(store_access_get(st, plain.access_hash, &t), 0);
	expect_bound(&t, NULL, "a Bearer access token");
	cr_assert_eq(store_refresh_get(st, plain.refresh_hash, &t), 0);
	expect_bound(&t, NULL, "a Bearer refresh token");
}

/* The cache is filled from store_access_page(): it must say the binding,
 * or a bound token would be served as a Bearer one after a restart. */
OAUTH_TEST(dpop, live_page_says_the_binding)
{
	unsigned char jkt[SECURE_HASH_BYTES], after[SECURE_HASH_BYTES] = { 0 };
	struct issue bound, plain;
	struct live_token *rows;
	size_t n;
	int seen = 0;

	contract_hash(jkt);
	bound_family(jkt, false, &bound);
	contract_ann_family(T0, &plain);
	cr_assert_eq(store_access_page(st, after, 0, 10, &rows, &n), 0);
	cr_assert_eq(n, 2);
	for (size_t k = 0; k < n; k++) {
		if (memcmp(rows[k].hash, bound.access_hash,
		    SECURE_HASH_BYTES) == 0) {
			expect_bound(&rows[k].row, jkt, "the bound one");
			seen++;
		} else {
			expect_bound(&rows[k].row, NULL, "the Bearer one");
		}
	}
	cr_expect_eq(seen, 1);
	free(rows);
}

struct bind_judge {
	int		 rc;
	struct token_row seen;
	unsigned char	 jkt[SECURE_HASH_BYTES];
};

/* As core/tokens.c's judge: the new pair bound to the key the parent's
 * binding names, or refused. */
static int
judge(void *ctx, const struct token_row *parent, struct issue *is)
{
	struct bind_judge *j = ctx;

	j->seen = *parent;
	is->grant_id = parent->grant_id;
	is->family_id = parent->family_id;
	is->family_scope = is->scope = parent->family_scope;
	is->access_bound = is->refresh_bound = true;
	memcpy(is->jkt, j->jkt, SECURE_HASH_BYTES);
	return j->rc;
}

OAUTH_TEST(dpop, rotation_judged_with_the_binding)
{
	unsigned char jkt[SECURE_HASH_BYTES];
	struct bind_judge j = { 0 };
	struct issue first, refused, rot;
	struct token_row parent, t;

	contract_hash(jkt);
	bound_family(jkt, true, &first);
	memcpy(j.jkt, jkt, SECURE_HASH_BYTES);
	contract_rotation(&first, SCOPE_BUILTIN, T0 + 10, &refused);
	j.rc = ERR_INVALID;
	cr_assert_eq(contract_refresh_wait(&refused, judge, &j, &parent),
	    ERR_INVALID);
	expect_bound(&j.seen, jkt, "the judge sees the parent's binding");
	expect_bound(&parent, jkt, "and so does the caller");
	contract_expect_no_pair(&refused, "a refused rotation");
	cr_assert_eq(store_refresh_get(st, first.refresh_hash, &t), 0);
	cr_expect_eq(t.last_used, 0, "nor uses the parent up");
	j.rc = 0;
	contract_rotation(&first, SCOPE_BUILTIN, T0 + 20, &rot);
	cr_assert_eq(contract_refresh_wait(&rot, judge, &j, &parent), 0);
	cr_assert_eq(store_refresh_get(st, rot.refresh_hash, &t), 0);
	expect_bound(&t, jkt, "the new refresh token");
	cr_assert_eq(store_access_get(st, rot.access_hash, &t), 0);
	expect_bound(&t, jkt, "the new access token");
}

/* RFC 9449 §10 (§17.3): a code keeps the thumbprint its request named,
 * and an unbound one reads back unbound over a row read before. */
OAUTH_TEST(dpop, code_keeps_its_binding)
{
	unsigned char bound[SECURE_HASH_BYTES], loose[SECURE_HASH_BYTES];
	unsigned char jkt[SECURE_HASH_BYTES];
	static const unsigned char zero[SECURE_HASH_BYTES];
	struct code_row c;

	memset(jkt, 0xa5, sizeof(jkt));
	memset(&c, 0, sizeof(c));
	c.account_id = fx.ann;
	c.app_id = fx.app.id;
	c.issued_at = T0;
	c.scope = SCOPE_DEFAULT;
	c.expires_at = T0 + OAUTH_CODE_TTL_S;
	SET(c.redirect_uri, "https://app.example.com/cb");
	c.bound = true;
	memcpy(c.jkt, jkt, sizeof(jkt));
	contract_hash(bound);
	cr_assert_eq(store_code_insert(st, bound, &c, NULL), 0);
	contract_hash(loose);
	c.bound = false;
	memset(c.jkt, 0, sizeof(c.jkt));
	cr_assert_eq(store_code_insert(st, loose, &c, NULL), 0);

	memset(&c, 0, sizeof(c));
	cr_assert_eq(store_code_get(st, bound, &c), 0);
	cr_expect(c.bound, "bound");
	cr_expect_eq(memcmp(c.jkt, jkt, sizeof(jkt)), 0, "to its thumbprint");
	cr_assert_eq(store_code_get(st, loose, &c), 0);
	cr_expect(!c.bound, "unbound");
	cr_expect_eq(memcmp(c.jkt, zero, sizeof(zero)), 0,
	    "nothing left of the bound code read before");
}
