/* The store contract, signing keys: added and listed by alg and seq,
 * one key per (alg, seq) however many nodes race for it, the revision
 * counter moved by a new key. */
#include "store_contract.h"

#include <criterion/criterion.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"

static void
key_row(struct signing_key_row *r, const char *kid, const char *alg,
    int64_t seq, int64_t active_from)
{
	memset(r, 0, sizeof(*r));
	SET(r->kid, kid);
	SET(r->alg, alg);
	r->seq = seq;
	snprintf(r->public_jwk, sizeof(r->public_jwk), "{\"kid\":\"%s\"}",
	    kid);
	contract_fill(r->private_sealed, "s", SIGNING_SEALED_MAX - 1);
	r->created_at = T0;
	r->active_from = active_from;
}

STORE_TEST(keys, added_and_listed, contract_setup)
{
	struct signing_key_row r, *rows;
	int64_t before, after;
	size_t n;

	cr_assert_eq(store_signing_key_list(st, &rows, &n), 0);
	cr_expect_eq(n, 0);
	free(rows);
	cr_assert_eq(store_revision(st, &before), 0);
	key_row(&r, "kid-rs-2", "RS256", 2, T0 + 3600);
	cr_assert_eq(store_signing_key_add(st, &r), 0);
	key_row(&r, "kid-rs-1", "RS256", 1, T0);
	cr_assert_eq(store_signing_key_add(st, &r), 0);
	key_row(&r, "kid-ed-1", "EdDSA", 1, T0);
	cr_assert_eq(store_signing_key_add(st, &r), 0);
	cr_assert_eq(store_revision(st, &after), 0);
	cr_expect_gt(after, before, "a new key moves the revision");
	cr_assert_eq(store_signing_key_list(st, &rows, &n), 0);
	cr_assert_eq(n, 3);
	cr_expect_str_eq(rows[0].kid, "kid-ed-1");
	cr_expect_str_eq(rows[1].kid, "kid-rs-1");
	cr_expect_str_eq(rows[2].kid, "kid-rs-2");
	cr_expect_eq(rows[2].seq, 2);
	cr_expect_eq(rows[2].active_from, T0 + 3600);
	cr_expect_eq(rows[2].created_at, T0);
	cr_expect_str_eq(rows[2].alg, "RS256");
	cr_expect_str_eq(rows[2].public_jwk, "{\"kid\":\"kid-rs-2\"}");
	cr_expect_eq(strlen(rows[2].private_sealed), SIGNING_SEALED_MAX - 1,
	    "the longest sealed key is kept whole");
	free(rows);
}

STORE_TEST(keys, one_key_per_step, contract_setup)
{
	struct signing_key_row r, *rows;
	size_t n;

	key_row(&r, "first", "ES256", 1, T0);
	cr_assert_eq(store_signing_key_add(st, &r), 0);
	key_row(&r, "second", "ES256", 1, T0 + 5);
	cr_expect_eq(store_signing_key_add(st, &r), ERR_EXISTS,
	    "the seq was taken");
	key_row(&r, "first", "EdDSA", 1, T0);
	cr_expect_eq(store_signing_key_add(st, &r), ERR_EXISTS,
	    "the kid was taken");
	cr_assert_eq(store_signing_key_list(st, &rows, &n), 0);
	cr_expect_eq(n, 1, "nothing of the refused rows written");
	cr_expect_eq(rows[0].active_from, T0);
	free(rows);
}

/* Nodes starting together on an empty table: each tries seq 1 of one
 * alg on a handle of its own. */
struct racer {
	struct store	*st;
	int		 i;
	int		 rc;
};

static void *
race(void *arg)
{
	struct racer *r = arg;
	struct signing_key_row row;
	char kid[16];

	snprintf(kid, sizeof(kid), "node-%d", r->i);
	key_row(&row, kid, "RS256", 1, T0);
	r->rc = store_signing_key_add(r->st, &row);
	return NULL;
}

STORE_TEST(keys, racing_nodes_agree, contract_setup)
{
	enum { NODES = 6 };
	struct racer r[NODES];
	pthread_t t[NODES];
	struct signing_key_row *rows;
	size_t n;
	int won = 0;

	for (int i = 0; i < NODES; i++) {
		r[i] = (struct racer){ contract_reopen(), i, -1 };
		pthread_create(&t[i], NULL, race, &r[i]);
	}
	for (int i = 0; i < NODES; i++) {
		pthread_join(t[i], NULL);
		cr_expect(r[i].rc == 0 || r[i].rc == ERR_EXISTS, "node %d: %d",
		    i, r[i].rc);
		won += r[i].rc == 0;
		store_close(r[i].st);
	}
	cr_expect_eq(won, 1, "one node's key is written");
	cr_assert_eq(store_signing_key_list(st, &rows, &n), 0);
	cr_expect_eq(n, 1);
	free(rows);
}
