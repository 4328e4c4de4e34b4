/* The store contract, upkeep: what store_gc() removes and keeps, in
 * batches (showings of new secrets included), and what store_stats()
 * counts as live. */
#include "store_contract.h"

#include <criterion/criterion.h>
#include <string.h>

#include "base/err.h"
#include "base/limits.h"
#include "core/scopes.h"

/* docs/REFERENCE.md §4's numbers, judged at T0 + 10000 */
static void
horizon(struct store_horizon *h)
{
	memset(h, 0, sizeof(*h));
	h->at = T0 + 10000;
	h->unused_ttl_s = 3600;
	h->idle_ttl_s = 7200;
	h->max_ttl_s = 86400;
	h->codes_before = T0;
	h->seen_before = T0 - 1;
	h->created_before = T0 - 1;
}

static size_t
gc_all(enum store_gc_kind kind, const struct store_horizon *h)
{
	size_t removed;

	cr_assert_eq(store_gc(st, kind, h, 100, &removed), 0);
	return removed;
}

static bool
access_exists(const struct issue *is)
{
	struct token_row t;

	return store_access_get(st, is->access_hash, &t) == 0;
}

/* Dead by the rule at the horizon: unused past the unused TTL, used and
 * idle past the idle TTL, or past the max TTL. Live ones stay, and every
 * refresh token stays, used or not. */
OAUTH_TEST(upkeep, gc_removes_dead_access_tokens_only)
{
	struct issue unused_old, unused_new, used_recently, used_long_ago,
	    ancient, rot;
	struct store_horizon h;
	struct token_row t;

	contract_ann_family(T0, &unused_old);
	contract_ann_family(T0 + 9000, &unused_new);
	contract_ann_family(T0, &used_recently);
	cr_assert_eq(store_access_touch(st, used_recently.access_hash,
	    T0 + 5000), 0);
	contract_ann_family(T0, &used_long_ago);
	cr_assert_eq(store_access_touch(st, used_long_ago.access_hash,
	    T0 + 1000), 0);
	contract_ann_family(T0 - 90000, &ancient);
	cr_assert_eq(store_access_touch(st, ancient.access_hash, T0 + 9999),
	    0);
	/* a used refresh token: what reuse detection needs */
	contract_rotation(&unused_old, SCOPE_BUILTIN, T0 + 10, &rot);
	cr_assert_eq(store_issue(st, &rot), 0);
	horizon(&h);
	cr_assert_eq(gc_all(STORE_GC_ACCESS, &h), 4);
	cr_expect_not(access_exists(&unused_old));
	cr_expect(access_exists(&unused_new));
	cr_expect(access_exists(&used_recently));
	cr_expect_not(access_exists(&used_long_ago));
	cr_expect_not(access_exists(&ancient), "past the max TTL");
	cr_expect_not(access_exists(&rot), "unused since T0 + 10");
	cr_assert_eq(store_refresh_get(st, unused_old.refresh_hash, &t), 0);
	cr_expect_neq(t.last_used, 0, "the used refresh token is kept");
	cr_expect_eq(store_refresh_get(st, ancient.refresh_hash, &t), 0);
	cr_expect_eq(gc_all(STORE_GC_ACCESS, &h), 0, "nothing left");
}

OAUTH_TEST(upkeep, gc_works_in_batches)
{
	struct issue is[5];
	struct store_horizon h;
	size_t removed;

	for (int i = 0; i < 5; i++)
		contract_ann_family(T0, &is[i]);
	horizon(&h);
	cr_assert_eq(store_gc(st, STORE_GC_ACCESS, &h, 2, &removed), 0);
	cr_expect_eq(removed, 2);
	cr_assert_eq(store_gc(st, STORE_GC_ACCESS, &h, 2, &removed), 0);
	cr_expect_eq(removed, 2);
	cr_assert_eq(store_gc(st, STORE_GC_ACCESS, &h, 2, &removed), 0);
	cr_expect_eq(removed, 1, "fewer than a batch: the last one");
}

OAUTH_TEST(upkeep, gc_removes_codes_expired_before_the_line)
{
	unsigned char code[SECURE_HASH_BYTES];
	struct store_horizon h;
	struct code_row c;
	int64_t g = contract_grant(fx.ann, &fx.app, SCOPE_BUILTIN);

	contract_hash(code);
	contract_insert_code(code, g, SCOPE_BUILTIN);
	horizon(&h);
	h.codes_before = T0 + OAUTH_CODE_TTL_S - 1;
	cr_expect_eq(gc_all(STORE_GC_CODES, &h), 0);
	cr_expect_eq(store_code_get(st, code, &c), 0);
	h.codes_before = T0 + OAUTH_CODE_TTL_S;
	cr_expect_eq(gc_all(STORE_GC_CODES, &h), 1);
	cr_expect_eq(store_code_get(st, code, &c), ERR_NOTFOUND);
}

OAUTH_TEST(upkeep, gc_removes_idle_and_old_sessions)
{
	unsigned char idle[SECURE_HASH_BYTES], old[SECURE_HASH_BYTES],
	    live[SECURE_HASH_BYTES];
	struct store_horizon h;
	struct session_row s;

	contract_hash(idle);
	contract_hash(old);
	contract_hash(live);
	cr_assert_eq(store_session_insert(st, idle, fx.ann, T0 + 100,
	    NOWHERE, NULL), 0);
	cr_assert_eq(store_session_insert(st, old, fx.ann, T0, NOWHERE, NULL),
	    0);
	cr_assert_eq(store_session_touch(st, old, T0 + 900), 0);
	cr_assert_eq(store_session_insert(st, live, fx.bob, T0 + 500,
	    NOWHERE, NULL), 0);
	horizon(&h);
	h.seen_before = T0 + 100;	/* idle since then */
	h.created_before = T0;		/* started then */
	cr_expect_eq(gc_all(STORE_GC_SESSIONS, &h), 2);
	cr_expect_eq(store_session_get(st, idle, &s), ERR_NOTFOUND);
	cr_expect_eq(store_session_get(st, old, &s), ERR_NOTFOUND);
	cr_expect_eq(store_session_get(st, live, &s), 0);
}

/* Showings of new secrets never taken go once expired. */
STORE_TEST(upkeep, gc_removes_expired_reveals, contract_setup)
{
	unsigned char old[SECURE_HASH_BYTES], live[SECURE_HASH_BYTES];
	struct store_horizon h;
	int64_t exp;

	contract_hash(old);
	contract_hash(live);
	cr_assert_eq(store_reveal_insert(st, old, T0 + REVEAL_TTL_S), 0);
	cr_assert_eq(store_reveal_insert(st, live, T0 + REVEAL_TTL_S + 1), 0);
	horizon(&h);
	h.reveals_before = T0 + REVEAL_TTL_S - 1;
	cr_expect_eq(gc_all(STORE_GC_REVEALS, &h), 0);
	h.reveals_before = T0 + REVEAL_TTL_S;
	cr_expect_eq(gc_all(STORE_GC_REVEALS, &h), 1);
	cr_expect_eq(store_reveal_take(st, old, &exp), ERR_NOTFOUND);
	cr_expect_eq(store_reveal_take(st, live, &exp), 0);
}

OAUTH_TEST(upkeep, stats_count_rows_and_what_is_live)
{
	struct issue a, b, c, rot;
	struct store_horizon h;
	struct store_counts n;
	unsigned char sess[SECURE_HASH_BYTES];

	contract_ann_family(T0 + 9000, &a);		/* live pair */
	contract_ann_family(T0, &b);			/* access dead */
	contract_ann_family(T0 + 9500, &c);		/* revoked */
	cr_assert_eq(store_family_revoke(st, c.family_id, NULL), 0);
	contract_rotation(&a, SCOPE_BUILTIN, T0 + 9100, &rot);
	cr_assert_eq(store_issue(st, &rot), 0);	/* a's refresh used */
	contract_grant(fx.bob, &fx.app2, SCOPE_BUILTIN);
	contract_hash(sess);
	cr_assert_eq(store_session_insert(st, sess, fx.bob, T0 + 9000,
	    NOWHERE, NULL), 0);
	horizon(&h);
	cr_assert_eq(store_stats(st, &h, &n), 0);
	cr_expect_eq(n.accounts, 3);
	cr_expect_eq(n.apps, 2);
	cr_expect_eq(n.grants, 2);
	cr_expect_eq(n.live_access, 2, "a's and its rotation's: %lld",
	    (long long)n.live_access);
	cr_expect_eq(n.live_refresh, 2, "b's and the rotation's: %lld",
	    (long long)n.live_refresh);
	cr_expect_eq(n.sessions, 1);
}
