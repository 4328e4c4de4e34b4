/* Pushed authorization requests (RFC 9126) on every backend: insert, get
 * while unused and unexpired, one use by its own app only (a race of
 * several users has one winner), gc of the expired. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/limits.h"
#include "store_contract.h"

#define RACERS	8

static void
insert_par(const unsigned char *hash, int64_t created, const char *params)
{
	struct par_row *r = calloc(1, sizeof(*r));

	cr_assert_not_null(r);
	r->app_id = fx.app.id;
	r->created_at = created;
	r->expires_at = created + PAR_TTL_S;
	SET(r->params, params);
	cr_assert_eq(store_par_insert(st, hash, r), 0);
	/* a taken hash is refused */
	cr_expect_eq(store_par_insert(st, hash, r), ERR_EXISTS);
	free(r);
}

OAUTH_TEST(par, get_while_unused_and_unexpired)
{
	unsigned char h[SECURE_HASH_BYTES], other[SECURE_HASH_BYTES];
	struct par_row *r = calloc(1, sizeof(*r));

	contract_hash(h);
	contract_hash(other);
	insert_par(h, T0, "response_type=code&client_id=x&scope=openid");
	cr_assert_eq(store_par_get(st, h, T0 + PAR_TTL_S - 1, r), 0);
	cr_expect_eq(r->app_id, fx.app.id);
	cr_expect_str_eq(r->params,
	    "response_type=code&client_id=x&scope=openid");
	cr_expect_eq(r->created_at, T0);
	cr_expect_eq(r->expires_at, T0 + PAR_TTL_S);
	cr_expect_eq(store_par_get(st, h, T0 + PAR_TTL_S, r), ERR_NOTFOUND);
	cr_expect_eq(store_par_get(st, other, T0, r), ERR_NOTFOUND);
	free(r);
}

OAUTH_TEST(par, used_once_by_its_own_app)
{
	unsigned char h[SECURE_HASH_BYTES], late[SECURE_HASH_BYTES];
	struct par_row *r = calloc(1, sizeof(*r));

	contract_hash(h);
	contract_hash(late);
	insert_par(h, T0, "a=1");
	insert_par(late, T0, "a=2");
	cr_expect_eq(store_par_use(st, h, fx.app2.id, T0 + 1), ERR_NOTFOUND);
	cr_expect_eq(store_par_use(st, h, fx.app.id, T0 + 1), 0);
	cr_expect_eq(store_par_use(st, h, fx.app.id, T0 + 2), ERR_NOTFOUND);
	cr_expect_eq(store_par_get(st, h, T0 + 2, r), ERR_NOTFOUND);
	cr_expect_eq(store_par_use(st, late, fx.app.id, T0 + PAR_TTL_S),
	    ERR_NOTFOUND);
	free(r);
}

struct racer {
	unsigned char	*hash;
	int		 rc;
};

static void *
race(void *p)
{
	struct racer *r = p;

	r->rc = store_par_use(st, r->hash, fx.app.id, T0 + 1);
	return NULL;
}

OAUTH_TEST(par, a_race_to_use_has_one_winner)
{
	unsigned char h[SECURE_HASH_BYTES];
	struct racer rs[RACERS];
	pthread_t th[RACERS];
	int won = 0;

	contract_hash(h);
	insert_par(h, T0, "a=1");
	for (int i = 0; i < RACERS; i++) {
		rs[i] = (struct racer){ h, -1 };
		cr_assert_eq(pthread_create(&th[i], NULL, race, &rs[i]), 0);
	}
	for (int i = 0; i < RACERS; i++) {
		pthread_join(th[i], NULL);
		cr_expect(rs[i].rc == 0 || rs[i].rc == ERR_NOTFOUND, "rc %d",
		    rs[i].rc);
		won += rs[i].rc == 0;
	}
	cr_expect_eq(won, 1);
}

OAUTH_TEST(par, gc_removes_expired_requests_only)
{
	unsigned char h[SECURE_HASH_BYTES], h2[SECURE_HASH_BYTES];
	struct store_horizon hz = { .at = T0 + PAR_TTL_S,
	    .codes_before = T0 + PAR_TTL_S };
	struct par_row *r = calloc(1, sizeof(*r));
	size_t removed = 0;

	contract_hash(h);
	contract_hash(h2);
	insert_par(h, T0, "a=1");
	insert_par(h2, T0 + 10, "a=2");
	cr_assert_eq(store_gc(st, STORE_GC_PAR, &hz, 100, &removed), 0);
	cr_expect_eq(removed, 1);
	cr_expect_eq(store_par_get(st, h2, T0 + 11, r), 0);
	cr_assert_eq(store_gc(st, STORE_GC_PAR, &hz, 100, &removed), 0);
	cr_expect_eq(removed, 0);
	free(r);
}
