/* The store contract, store_refresh(): a rotation whose parent is read,
 * judged and written in one transaction (SQLite: inside the group
 * commit). The judge sees the stored row; its verdict stops the writes;
 * what it set in the issue survives a refusal, so the caller can go on
 * (a reused token). */
#include "store_contract.h"

#include <criterion/criterion.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "core/scopes.h"

struct verdict {
	int		 rc;		/* what the judge answers */
	int		 calls;
	struct token_row seen;
};

/* Completes the rotation from the parent's row, as core/tokens.c does. */
static int
judge(void *ctx, const struct token_row *parent, struct issue *is)
{
	struct verdict *v = ctx;

	v->calls++;
	v->seen = *parent;
	is->grant_id = parent->grant_id;
	is->family_id = parent->family_id;
	is->family_scope = parent->family_scope;
	is->scope = parent->family_scope;
	return v->rc;
}

/* Field by field: a memcmp of whole rows would read their padding and the
 * bytes after api_key's NUL, which no store writes (valgrind says so). */
static bool
same_row(const struct token_row *a, const struct token_row *b)
{
	return a->family_id == b->family_id && a->grant_id == b->grant_id &&
	    a->account_id == b->account_id && a->app_id == b->app_id &&
	    strcmp(a->api_key, b->api_key) == 0 && a->scope == b->scope &&
	    a->family_scope == b->family_scope && a->iat == b->iat &&
	    a->last_used == b->last_used && a->revoked == b->revoked;
}

/* A rotation of `from` that leaves grant, family and scope to the judge. */
static void
blank_rotation(const struct issue *from, int64_t now, struct issue *is)
{
	contract_rotation(from, SCOPE_BUILTIN, now, is);
	is->grant_id = is->family_id = 0;
	is->family_scope = is->scope = 0;
}

OAUTH_TEST(refresh, judged_row_then_written)
{
	struct issue first, rot;
	struct verdict v = { 0 };
	struct token_row parent, t;

	contract_ann_family(T0, &first);
	blank_rotation(&first, T0 + 100, &rot);
	cr_assert_eq(contract_refresh_wait(&rot, judge, &v, &parent), 0);
	cr_expect_eq(v.calls, 1);
	contract_expect_token(&v.seen, &first, 0, false);
	cr_expect(same_row(&v.seen, &parent),
	    "the caller gets the row the judge saw");
	cr_expect_eq(rot.family_id, first.family_id);
	cr_assert_eq(store_access_get(st, rot.access_hash, &t), 0);
	contract_expect_token(&t, &rot, 0, false);
	cr_assert_eq(store_refresh_get(st, rot.refresh_hash, &t), 0);
	contract_expect_token(&t, &rot, 0, false);
	cr_assert_eq(store_refresh_get(st, first.refresh_hash, &t), 0);
	cr_expect_eq(t.last_used, T0 + 100, "the parent is used up");
}

OAUTH_TEST(refresh, a_refusal_writes_nothing_and_keeps_the_judged_ids)
{
	static const int refusals[] = { ERR_INVALID, ERR_FORBIDDEN,
	    ERR_CONFLICT };
	struct issue first, rot;
	struct token_row parent, t;

	contract_ann_family(T0, &first);
	for (size_t i = 0; i < sizeof(refusals) / sizeof(*refusals); i++) {
		struct verdict v = { .rc = refusals[i] };

		blank_rotation(&first, T0 + 100, &rot);
		cr_expect_eq(contract_refresh_wait(&rot, judge, &v, &parent),
		    refusals[i]);
		cr_expect_eq(v.calls, 1);
		contract_expect_no_pair(&rot, "refused");
		cr_expect_eq(rot.family_id, first.family_id,
		    "what the judge set stays for the caller");
		cr_assert_eq(store_refresh_get(st, first.refresh_hash, &t),
		    0);
		cr_expect_eq(t.last_used, 0, "the parent stays unused");
	}
}

OAUTH_TEST(refresh, unknown_parent_is_notfound_unjudged)
{
	unsigned char ghost[SECURE_HASH_BYTES];
	struct issue first, rot;
	struct verdict v = { 0 };
	struct token_row parent;

	contract_ann_family(T0, &first);
	blank_rotation(&first, T0 + 1, &rot);
	contract_hash(ghost);
	rot.parent_hash = ghost;
	cr_expect_eq(contract_refresh_wait(&rot, judge, &v, &parent),
	    ERR_NOTFOUND);
	cr_expect_eq(v.calls, 0);
	contract_expect_no_pair(&rot, "no parent, no child");
}

OAUTH_TEST(refresh, the_judge_sees_a_used_parent_as_used)
{
	struct issue first, rot, again;
	struct verdict v = { 0 }, late = { .rc = ERR_CONFLICT };
	struct token_row parent;

	contract_ann_family(T0, &first);
	blank_rotation(&first, T0 + 100, &rot);
	cr_assert_eq(contract_refresh_wait(&rot, judge, &v, &parent), 0);
	blank_rotation(&first, T0 + 200, &again);
	cr_expect_eq(contract_refresh_wait(&again, judge, &late, &parent),
	    ERR_CONFLICT);
	cr_expect_eq(late.seen.last_used, T0 + 100,
	    "the first rotation's use is what the second judge reads");
	contract_expect_no_pair(&again, "refused");
	/* a judge that lets it through anyway meets the compare-and-set */
	late.rc = 0;
	blank_rotation(&first, T0 + 300, &again);
	cr_expect_eq(contract_refresh_wait(&again, judge, &late, &parent),
	    ERR_CONFLICT);
	contract_expect_no_pair(&again, "the parent was used");
}

/* Racing rotations of one parent: one wins, the others are refused with
 * ERR_CONFLICT and nothing written. A judge that finds its parent used
 * answers ERR_CONFLICT as core does, and notes it: core would take that
 * for a replay and end the family. On SQLite, where the group commit
 * reads the parent after the winner wrote it, a rotation of a parent
 * rotated by the same or the previous commit is refused before any judge
 * (store/claims.h); so on either backend, within one node. */
#define RACERS	6

struct racer {
	pthread_barrier_t	*start;
	const struct issue	*first;
	struct issue		 rot;
	struct verdict		 v;
	bool			 saw_used;
	int			 rc;
};

static int
judge_used(void *ctx, const struct token_row *parent, struct issue *is)
{
	struct racer *r = ctx;

	judge(&r->v, parent, is);
	r->saw_used = parent->last_used != 0;
	return r->saw_used ? ERR_CONFLICT : 0;
}

static void *
race(void *arg)
{
	struct racer *r = arg;
	struct token_row parent;

	pthread_barrier_wait(r->start);
	r->rc = contract_refresh_wait(&r->rot, judge_used, r, &parent);
	return NULL;
}

/* Another connection holds the writes back while the racers queue, so
 * that the group commit cannot finish the winner's commit before every
 * racer has queued: the racers overlap however the machine schedules them
 * (a loaded machine once started one after the commit, a replay). On
 * SQLite it holds the write lock, on PostgreSQL the parent's row. */
struct held {
	sqlite3	*db;
	PGconn	*pg;
};

static void
hold_writes(const unsigned char *parent, struct held *h)
{
	const char *path = contract_sqlite_path();
	char hex[2 * SECURE_HASH_BYTES + 1], sql[200];
	PGresult *res;

	memset(h, 0, sizeof(*h));
	if (path != NULL) {
		cr_assert_eq(sqlite3_open(path, &h->db), SQLITE_OK);
		cr_assert_eq(sqlite3_exec(h->db, "BEGIN IMMEDIATE", NULL, NULL,
		    NULL), SQLITE_OK);
		return;
	}
	h->pg = PQconnectdb(contract_pg_url());
	cr_assert_eq(PQstatus(h->pg), CONNECTION_OK, "%s",
	    PQerrorMessage(h->pg));
	for (size_t i = 0; i < SECURE_HASH_BYTES; i++)
		snprintf(hex + 2 * i, 3, "%02x", parent[i]);
	snprintf(sql, sizeof(sql), "BEGIN; SELECT 1 FROM refresh_tokens "
	    "WHERE hash = '\\x%s' FOR UPDATE", hex);
	res = PQexec(h->pg, sql);
	cr_assert_eq(PQresultStatus(res), PGRES_TUPLES_OK, "%s",
	    PQerrorMessage(h->pg));
	cr_assert_eq(PQntuples(res), 1, "the parent's row is held");
	PQclear(res);
}

static void
release_writes(struct held *h)
{
	/* well within the store's busy timeout (5 s) */
	usleep(300 * 1000);
	if (h->db != NULL) {
		sqlite3_exec(h->db, "ROLLBACK", NULL, NULL, NULL);
		sqlite3_close(h->db);
	}
	if (h->pg != NULL) {
		PQclear(PQexec(h->pg, "ROLLBACK"));
		PQfinish(h->pg);
	}
}

OAUTH_TEST(refresh, racing_rotations_one_wins_the_others_are_refused)
{
	struct held held;
	pthread_barrier_t start;
	pthread_t t[RACERS];
	struct racer r[RACERS];
	struct issue first;
	struct token_row row;
	int won = 0;

	contract_ann_family(T0, &first);
	hold_writes(first.refresh_hash, &held);
	pthread_barrier_init(&start, NULL, RACERS);
	for (int i = 0; i < RACERS; i++) {
		memset(&r[i], 0, sizeof(r[i]));
		r[i].start = &start;
		blank_rotation(&first, T0 + 10, &r[i].rot);
		cr_assert_eq(pthread_create(&t[i], NULL, race, &r[i]), 0);
	}
	release_writes(&held);
	for (int i = 0; i < RACERS; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&start);
	for (int i = 0; i < RACERS; i++) {
		if (r[i].rc == 0) {
			won++;
			cr_assert_eq(store_access_get(st, r[i].rot.access_hash,
			    &row), 0);
			continue;
		}
		cr_expect_eq(r[i].rc, ERR_CONFLICT, "racer %d: %d", i,
		    r[i].rc);
		contract_expect_no_pair(&r[i].rot, "a lost race");
		cr_expect(!r[i].saw_used, "racer %d was judged as a replay",
		    i);
	}
	cr_expect_eq(won, 1);
}
