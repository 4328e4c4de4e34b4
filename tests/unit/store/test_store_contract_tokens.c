/* The store contract, OAuth tokens: reads, touches and revocation, the
 * cascades of deleting a grant or an app, and the compare-and-sets (code
 * and refresh token) under concurrency. */
#include "store_contract.h"

#include <criterion/criterion.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "core/scopes.h"

#define RACERS	8	/* threads in one race */
#define FULL_ROUNDS	10	/* races per case */

OAUTH_TEST(tokens, unknown_is_notfound)
{
	struct issue is;
	struct token_row t;
	unsigned char ghost[SECURE_HASH_BYTES];

	contract_ann_family(T0, &is);
	contract_hash(ghost);
	cr_expect_eq(store_access_get(st, ghost, &t), ERR_NOTFOUND);
	cr_expect_eq(store_refresh_get(st, ghost, &t), ERR_NOTFOUND);
	cr_expect_eq(store_refresh_get(st, is.access_hash, &t), ERR_NOTFOUND,
	    "an access token is not a refresh token");
	cr_expect_eq(store_access_get(st, is.refresh_hash, &t), ERR_NOTFOUND,
	    "nor the other way round");
}

/* Uses may be recorded out of order (threads, nodes): last_used only
 * moves forward. */
OAUTH_TEST(tokens, access_touch_never_moves_back)
{
	struct issue is, other;
	struct token_row t;
	int64_t g = contract_grant(fx.ann, &fx.app, SCOPE_BUILTIN);

	contract_issue_new(g, SCOPE_BUILTIN, T0, &is);
	contract_issue_new(g, SCOPE_BUILTIN, T0, &other);
	cr_assert_eq(store_access_touch(st, is.access_hash, T0 + 50), 0);
	cr_assert_eq(store_access_get(st, is.access_hash, &t), 0);
	contract_expect_token(&t, &is, T0 + 50, false);
	cr_assert_eq(store_access_touch(st, is.access_hash, T0 + 40), 0);
	cr_assert_eq(store_access_get(st, is.access_hash, &t), 0);
	cr_expect_eq(t.last_used, T0 + 50, "an older use leaves it");
	cr_assert_eq(store_access_touch(st, is.access_hash, T0 + 50), 0);
	cr_assert_eq(store_access_touch(st, is.access_hash, T0 + 60), 0);
	cr_assert_eq(store_access_get(st, is.access_hash, &t), 0);
	contract_expect_token(&t, &is, T0 + 60, false);
	cr_assert_eq(store_access_get(st, other.access_hash, &t), 0);
	cr_expect_eq(t.last_used, 0, "only that token");
	cr_assert_eq(store_refresh_get(st, is.refresh_hash, &t), 0);
	cr_expect_eq(t.last_used, 0, "a use of the access token is not a "
	    "use of the refresh token");
}

/* RFC 7009: an access token revokes itself only. */
OAUTH_TEST(tokens, access_revoke_is_that_token)
{
	struct issue is, rot;
	struct token_row t;

	contract_ann_family(T0, &is);
	contract_rotation(&is, SCOPE_BUILTIN, T0 + 1, &rot);
	cr_assert_eq(store_issue(st, &rot), 0);
	cr_assert_eq(store_access_revoke(st, is.access_hash), 0);
	cr_assert_eq(store_access_get(st, is.access_hash, &t), 0);
	contract_expect_token(&t, &is, 0, true);
	cr_assert_eq(store_access_get(st, rot.access_hash, &t), 0);
	cr_expect(!t.revoked, "a sibling in the family");
	cr_assert_eq(store_refresh_get(st, rot.refresh_hash, &t), 0);
	cr_expect(!t.revoked);
	cr_assert_eq(store_access_revoke(st, is.access_hash), 0, "again");
	cr_assert_eq(store_access_get(st, is.access_hash, &t), 0);
	cr_expect(t.revoked);
}

OAUTH_TEST(tokens, family_revoke_reaches_every_token)
{
	struct issue is, rot, other;
	struct token_row t;
	int64_t g = contract_grant(fx.ann, &fx.app, SCOPE_BUILTIN);

	contract_issue_new(g, SCOPE_BUILTIN, T0, &is);
	contract_rotation(&is, SCOPE_BUILTIN, T0 + 1, &rot);
	cr_assert_eq(store_issue(st, &rot), 0);
	contract_issue_new(g, SCOPE_BUILTIN, T0 + 2, &other);
	cr_assert_eq(store_family_revoke(st, is.family_id, NULL), 0);
	cr_assert_eq(store_access_get(st, is.access_hash, &t), 0);
	contract_expect_token(&t, &is, 0, true);
	cr_assert_eq(store_refresh_get(st, is.refresh_hash, &t), 0);
	contract_expect_token(&t, &is, T0 + 1, true);
	cr_assert_eq(store_access_get(st, rot.access_hash, &t), 0);
	contract_expect_token(&t, &rot, 0, true);
	cr_assert_eq(store_refresh_get(st, rot.refresh_hash, &t), 0);
	contract_expect_token(&t, &rot, 0, true);
	cr_assert_eq(store_access_get(st, other.access_hash, &t), 0);
	contract_expect_token(&t, &other, 0, false);
	cr_assert_eq(store_refresh_get(st, other.refresh_hash, &t), 0);
	contract_expect_token(&t, &other, 0, false);
	cr_assert_eq(store_family_revoke(st, is.family_id, NULL), 0, "again");
}

/* Everything a grant can own: an exchanged code with its family, that
 * family rotated once, and a code not exchanged yet. */
struct owned {
	unsigned char	 code[SECURE_HASH_BYTES];
	unsigned char	 pending[SECURE_HASH_BYTES];
	struct issue	 family;
	struct issue	 rot;
};

static void
populate(int64_t g, int64_t app_id, struct owned *o)
{
	contract_hash(o->code);
	contract_insert_code(o->code, g, SCOPE_BUILTIN);
	contract_family(g, SCOPE_BUILTIN, T0, &o->family);
	o->family.code_hash = o->code;
	o->family.app_id = app_id;
	cr_assert_eq(store_issue(st, &o->family), 0);
	contract_rotation(&o->family, SCOPE_BUILTIN, T0 + 1, &o->rot);
	cr_assert_eq(store_issue(st, &o->rot), 0);
	contract_hash(o->pending);
	contract_insert_code(o->pending, g, SCOPE_BUILTIN);
}

static void
expect_gone(const struct owned *o)
{
	struct code_row c;

	cr_expect_eq(store_code_get(st, o->code, &c), ERR_NOTFOUND,
	    "the exchanged code");
	cr_expect_eq(store_code_get(st, o->pending, &c), ERR_NOTFOUND,
	    "the pending code");
	contract_expect_no_pair(&o->family, "its family");
	contract_expect_no_pair(&o->rot, "its rotated pair");
}

static void
expect_alive(const struct owned *o)
{
	struct token_row t;
	struct code_row c;

	cr_expect_eq(store_access_get(st, o->family.access_hash, &t), 0);
	cr_expect_eq(store_refresh_get(st, o->family.refresh_hash, &t), 0);
	cr_expect_eq(store_access_get(st, o->rot.access_hash, &t), 0);
	cr_expect_eq(store_refresh_get(st, o->rot.refresh_hash, &t), 0);
	cr_expect_eq(store_code_get(st, o->code, &c), 0);
	cr_expect_eq(c.family_id, o->family.family_id);
	cr_expect_eq(store_code_get(st, o->pending, &c), 0);
}

OAUTH_TEST(cascade, grant_delete_takes_codes_families_tokens)
{
	struct owned anns, bobs;
	struct grant_row *rows = NULL;
	int64_t id = 0;
	unsigned scope = 0;
	size_t n = 99;

	populate(contract_grant(fx.ann, &fx.app, SCOPE_BUILTIN),
	    fx.app.id, &anns);
	populate(contract_grant(fx.bob, &fx.app, SCOPE_BUILTIN),
	    fx.app.id, &bobs);
	cr_assert_eq(store_grant_delete(st, fx.ann, fx.app.id, NULL), 0);
	cr_expect_eq(store_grant_get(st, fx.ann, fx.app.id, &id, &scope),
	    ERR_NOTFOUND);
	cr_assert_eq(store_grant_list(st, fx.ann, ALL, &rows, &n), 0);
	cr_expect_eq(n, 0);
	free(rows);
	expect_gone(&anns);
	expect_alive(&bobs);
	cr_expect_eq(store_grant_delete(st, fx.ann, fx.app.id, NULL),
	    ERR_NOTFOUND);
	/* consent given again starts from nothing */
	cr_assert_eq(store_grant_upsert(st, fx.ann, fx.app.id,
	    SCOPE_ACCOUNT_READ, T0 + 9, &id), 0);
	cr_assert_eq(store_grant_get(st, fx.ann, fx.app.id, &id, &scope), 0);
	cr_expect_eq(scope, SCOPE_ACCOUNT_READ);
	expect_gone(&anns);
}

/* DECISIONS: deleting an app takes its grants and tokens with it. */
OAUTH_TEST(cascade, app_delete_takes_grants_and_tokens)
{
	struct owned anns, bobs, other;
	struct grant_row *rows = NULL;
	int64_t id = 0;
	unsigned scope = 0;
	size_t n = 99;

	populate(contract_grant(fx.ann, &fx.app, SCOPE_BUILTIN),
	    fx.app.id, &anns);
	populate(contract_grant(fx.bob, &fx.app, SCOPE_BUILTIN),
	    fx.app.id, &bobs);
	populate(contract_grant(fx.ann, &fx.app2, SCOPE_BUILTIN),
	    fx.app2.id, &other);
	cr_assert_eq(store_app_delete(st, fx.dev, fx.app.api_key, NULL), 0);
	cr_expect_eq(store_grant_get(st, fx.ann, fx.app.id, &id, &scope),
	    ERR_NOTFOUND);
	cr_expect_eq(store_grant_get(st, fx.bob, fx.app.id, &id, &scope),
	    ERR_NOTFOUND);
	expect_gone(&anns);
	expect_gone(&bobs);
	cr_assert_eq(store_grant_list(st, fx.ann, ALL, &rows, &n), 0);
	cr_assert_eq(n, 1, "the other app's grant stays");
	cr_expect_eq(rows[0].app_id, fx.app2.id);
	free(rows);
	cr_expect_eq(store_grant_get(st, fx.ann, fx.app2.id, &id, &scope), 0);
	expect_alive(&other);
}

/* One thread of a race: a code take when `take`, else store_issue(is). */
struct racer {
	pthread_barrier_t	*start;
	struct store		*store;
	bool			 take;
	struct issue		 is;
	const unsigned char	*code;
	struct code_row		 row;
	int			 rc;
};

static void *
run_racer(void *p)
{
	struct racer *r = p;

	pthread_barrier_wait(r->start);
	r->rc = r->take ? store_code_take(r->store, r->code, fx.app.id,
	    &r->row) :
	    store_issue(r->store, &r->is);
	return NULL;
}

/* Starts RACERS threads at once, half on the case's store and half on a
 * second handle (another node), and waits for them. Returns how many won
 * (0) and which one did last; any answer but 0 or ERR_CONFLICT fails. */
static int
race(struct racer *r, struct store *other, int round, int *winner)
{
	pthread_barrier_t start;
	pthread_t t[RACERS];
	int wins = 0;

	cr_assert_eq(pthread_barrier_init(&start, NULL, RACERS), 0);
	for (int i = 0; i < RACERS; i++) {
		r[i].start = &start;
		r[i].store = i % 2 ? other : st;
		cr_assert_eq(pthread_create(&t[i], NULL, run_racer, &r[i]), 0);
	}
	for (int i = 0; i < RACERS; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&start);
	for (int i = 0; i < RACERS; i++) {
		cr_expect(r[i].rc == 0 || r[i].rc == ERR_CONFLICT,
		    "round %d, racer %d: %d", round, i, r[i].rc);
		if (r[i].rc == 0) {
			wins++;
			*winner = i;
		}
	}
	return wins;
}

/* DECISIONS: of concurrent refreshes with one token, one wins and the
 * others get ERR_CONFLICT (a race, not a store failure), writing nothing. */
OAUTH_TEST(race, rotation_has_one_winner, .timeout = 120)
{
	static struct racer r[RACERS];
	struct store *other = contract_reopen();
	struct issue first;
	struct token_row t;
	int64_t g = contract_grant(fx.ann, &fx.app, SCOPE_BUILTIN);
	int wins, w = -1;

	for (int round = 0; round < contract_rounds(FULL_ROUNDS); round++) {
		contract_issue_new(g, SCOPE_BUILTIN, T0 + round, &first);
		memset(r, 0, sizeof(r));
		for (int i = 0; i < RACERS; i++)
			contract_rotation(&first, SCOPE_BUILTIN, T0 + 100 + i,
			    &r[i].is);
		wins = race(r, other, round, &w);
		cr_assert_eq(wins, 1, "round %d: %d winners", round, wins);
		for (int i = 0; i < RACERS; i++)
			if (i != w)
				contract_expect_no_pair(&r[i].is, "a loser");
		cr_expect_eq(store_access_get(st, r[w].is.access_hash, &t), 0);
		cr_expect_eq(store_refresh_get(st, r[w].is.refresh_hash, &t),
		    0);
		cr_assert_eq(store_refresh_get(st, first.refresh_hash, &t), 0);
		cr_expect_eq(t.last_used, r[w].is.now, "the winner's use");
	}
	store_close(other);
}

OAUTH_TEST(race, code_take_has_one_winner, .timeout = 120)
{
	static struct racer r[RACERS];
	unsigned char code[SECURE_HASH_BYTES];
	struct store *other = contract_reopen();
	int64_t g = contract_grant(fx.ann, &fx.app, SCOPE_BUILTIN);
	int wins, w = -1;

	for (int round = 0; round < contract_rounds(FULL_ROUNDS); round++) {
		contract_hash(code);
		contract_insert_code(code, g, SCOPE_BUILTIN);
		memset(r, 0, sizeof(r));
		for (int i = 0; i < RACERS; i++) {
			r[i].take = true;
			r[i].code = code;
		}
		wins = race(r, other, round, &w);
		cr_assert_eq(wins, 1, "round %d: %d winners", round, wins);
		for (int i = 0; i < RACERS; i++) {
			cr_expect_eq(r[i].row.grant_id, g, "out is filled");
			cr_expect_eq(r[i].row.family_id, 0);
		}
	}
	store_close(other);
}

OAUTH_TEST(race, code_exchange_has_one_winner, .timeout = 120)
{
	static struct racer r[RACERS];
	unsigned char code[SECURE_HASH_BYTES];
	struct store *other = contract_reopen();
	struct code_row c;
	int64_t g = contract_grant(fx.ann, &fx.app, SCOPE_BUILTIN);
	int wins, w = -1;

	for (int round = 0; round < contract_rounds(FULL_ROUNDS); round++) {
		contract_hash(code);
		contract_insert_code(code, g, SCOPE_BUILTIN);
		memset(r, 0, sizeof(r));
		for (int i = 0; i < RACERS; i++) {
			contract_family(g, SCOPE_BUILTIN, T0 + i, &r[i].is);
			r[i].is.code_hash = code;
			r[i].is.app_id = fx.app.id;
		}
		wins = race(r, other, round, &w);
		cr_assert_eq(wins, 1, "round %d: %d winners", round, wins);
		for (int i = 0; i < RACERS; i++)
			if (i != w)
				contract_expect_no_pair(&r[i].is, "a loser");
		cr_assert_eq(store_code_get(st, code, &c), 0);
		cr_expect_eq(c.family_id, r[w].is.family_id);
	}
	store_close(other);
}

/* store.h: a take racing an exchange sees the exchange's family if that
 * committed first, else the exchange fails. */
OAUTH_TEST(race, code_take_against_exchange, .timeout = 120)
{
	static struct racer r[RACERS];
	unsigned char code[SECURE_HASH_BYTES];
	struct store *other = contract_reopen();
	int64_t g = contract_grant(fx.ann, &fx.app, SCOPE_BUILTIN);
	int64_t family;
	int wins, w = -1;

	for (int round = 0; round < contract_rounds(FULL_ROUNDS); round++) {
		contract_hash(code);
		contract_insert_code(code, g, SCOPE_BUILTIN);
		memset(r, 0, sizeof(r));
		for (int i = 0; i < RACERS; i++) {
			/* both kinds on both handles */
			r[i].take = i % 4 >= 2;
			r[i].code = code;
			contract_family(g, SCOPE_BUILTIN, T0 + i, &r[i].is);
			r[i].is.code_hash = code;
			r[i].is.app_id = fx.app.id;
		}
		wins = race(r, other, round, &w);
		cr_assert_eq(wins, 1, "round %d: %d winners", round, wins);
		family = r[w].take ? 0 : r[w].is.family_id;
		for (int i = 0; i < RACERS; i++) {
			if (!r[i].take && i != w)
				contract_expect_no_pair(&r[i].is, "a loser");
			if (r[i].take && i != w)
				cr_expect_eq(r[i].row.family_id, family,
				    "round %d: take %d after %s %d", round, i,
				    r[w].take ? "take" : "exchange", w);
		}
	}
	store_close(other);
}

/* Group commit: the items of one store_issue_many() succeed or fail one by
 * one, in one transaction. */
OAUTH_TEST(issue_many, each_item_stands_alone)
{
	struct issue first, items[3];
	struct token_row t;
	int rcs[3] = { -1, -1, -1 };

	contract_ann_family(T0, &first);
	contract_rotation(&first, SCOPE_BUILTIN, T0 + 10, &items[0]);
	contract_rotation(&first, SCOPE_BUILTIN, T0 + 11, &items[1]);
	contract_family(first.grant_id, SCOPE_ACCOUNT_READ, T0 + 12,
	    &items[2]);
	cr_assert_eq(store_issue_many(st, items, rcs, 3), 0);
	cr_expect_eq(rcs[0], 0);
	cr_expect_eq(rcs[1], ERR_CONFLICT, "the parent was used by item 0");
	cr_expect_eq(rcs[2], 0);
	cr_assert_eq(store_access_get(st, items[0].access_hash, &t), 0);
	contract_expect_token(&t, &items[0], 0, false);
	contract_expect_no_pair(&items[1], "a lost item writes nothing");
	cr_assert_eq(store_refresh_get(st, items[2].refresh_hash, &t), 0);
	cr_expect_neq(items[2].family_id, first.family_id, "a new family");
	cr_expect_eq(t.family_id, items[2].family_id);
	cr_assert_eq(store_refresh_get(st, first.refresh_hash, &t), 0);
	cr_expect_eq(t.last_used, T0 + 10, "item 0's use stays");
}

OAUTH_TEST(issue_many, empty_and_large_batches)
{
	enum { N = 300 };
	struct issue first, *items = calloc(N, sizeof(*items));
	struct token_row t;
	int *rcs = calloc(N, sizeof(*rcs));

	cr_assert_not_null(items);
	cr_assert_not_null(rcs);
	cr_expect_eq(store_issue_many(st, items, rcs, 0), 0);
	contract_ann_family(T0, &first);
	for (size_t i = 0; i < N; i++)
		contract_family(first.grant_id, SCOPE_BUILTIN, T0 + 1, &items[i]);
	cr_assert_eq(store_issue_many(st, items, rcs, N), 0);
	for (size_t i = 0; i < N; i++) {
		cr_expect_eq(rcs[i], 0, "item %zu", i);
		cr_expect_eq(store_access_get(st, items[i].access_hash, &t),
		    0, "item %zu", i);
	}
	free(items);
	free(rcs);
}

/* The revision counter moves on every write that takes something away,
 * and on nothing else. */
OAUTH_TEST(tokens, revision_moves_on_what_takes_away)
{
	struct issue is, rot;
	int64_t r0, r1, g;
	unsigned char h[SECURE_HASH_BYTES];

	cr_assert_eq(store_revision(st, &r0), 0);
	g = contract_grant(fx.ann, &fx.app, SCOPE_BUILTIN);
	contract_issue_new(g, SCOPE_BUILTIN, T0, &is);
	contract_rotation(&is, SCOPE_BUILTIN, T0 + 1, &rot);
	cr_assert_eq(store_issue(st, &rot), 0);
	cr_assert_eq(store_access_touch(st, rot.access_hash, T0 + 2), 0);
	cr_assert_eq(store_revision(st, &r1), 0);
	cr_expect_eq(r1, r0, "issuing and using take nothing away");

	cr_assert_eq(store_access_revoke(st, is.access_hash), 0);
	cr_assert_eq(store_revision(st, &r1), 0);
	cr_expect_gt(r1, r0, "an access token revoked");
	r0 = r1;
	cr_assert_eq(store_family_revoke(st, is.family_id, NULL), 0);
	cr_assert_eq(store_revision(st, &r1), 0);
	cr_expect_gt(r1, r0, "a family revoked");
	r0 = r1;
	contract_hash(h);
	cr_assert_eq(store_app_set_secret(st, fx.dev, fx.app2.api_key, h,
	    T0, NULL), 0);
	cr_assert_eq(store_revision(st, &r1), 0);
	cr_expect_gt(r1, r0, "a secret replaced");
	r0 = r1;
	cr_assert_eq(store_grant_delete(st, fx.ann, fx.app.id, NULL), 0);
	cr_assert_eq(store_revision(st, &r1), 0);
	cr_expect_gt(r1, r0, "a grant withdrawn");
	r0 = r1;
	cr_assert_eq(store_app_delete(st, fx.dev, fx.app2.api_key, NULL), 0);
	cr_assert_eq(store_revision(st, &r1), 0);
	cr_expect_gt(r1, r0, "an app deleted");
}
