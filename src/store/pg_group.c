/* PostgreSQL: group commit for the issuing transaction, as SQLite's
 * (sqlite_group.c). With synchronous_commit=on every COMMIT waits for the
 * WAL's flush, so one pair per commit caps refreshes and code exchanges
 * at the disk's flush rate and a round trip per request. Instead, issues
 * queue here and one thread per store writes whatever has queued
 * meanwhile in one transaction, then answers them all: an answer still
 * leaves only after its commit.
 *
 * A rotation (pg_refresh) reads and judges its parent's row inside the
 * group's transaction, so the request's thread waits on no round trip;
 * claims.h tells a rotation that raced another from a replay. A plain
 * rotation's writes are one statement that starts with the
 * compare-and-set, so one that loses it has written nothing; any other
 * issue gets a savepoint of its own. A transaction that
 * fails before its COMMIT (a deadlock with another node, an error in one
 * issue) is run again one issue per transaction, so that no issue spoils
 * another; one whose COMMIT fails answers ERR_STORE to all, as a single
 * issue would. A group writes its plain rotations first, then the other
 * issues, each part in the order of the rows that decide them (a
 * parent's or a code's hash), the same rule on every node, so two
 * nodes' groups rarely take those locks in opposite orders. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/log.h"
#include "base/mem.h"
#include "store/claims.h"
#include "store/pg_stmt.h"

#define PG_GROUP_MAX	STORE_GROUP_MAX

struct pg_job {
	struct issue	*is;
	store_refresh_judge judge;	/* NULL: a plain issue */
	void		*ctx;
	struct token_row *parent;
	uint64_t	 after;		/* claims' commits when queued */
	/* the ids before the writes (after the judge), for a failure */
	int64_t		 grant_in, family_in;
	bool		 settled;	/* j->rc known before any write */
	int		 rc;
	bool		 done;
	pthread_cond_t	 finished;	/* a waiter's own */
	store_done_fn	 on_done;	/* set: submitted; the group frees it */
	void		*on_done_arg;
	struct pg_job	*next;
};

struct pg_group {
	struct store_backend	*b;
	pthread_t		 thread;
	pthread_mutex_t		 lock;		/* guards what follows */
	pthread_cond_t		 queued;
	struct pg_job		*head, *tail;
	bool			 stop;
	uint64_t		 commits;	/* claims.committed, published */
	struct rotation_claims	 claims;	/* the group thread's own */
};

/* The row whose compare-and-set decides the issue: its lock order. */
static const unsigned char *
key_of(const struct issue *is)
{
	static const unsigned char none[SECURE_HASH_BYTES];

	return is->parent_hash != NULL ? is->parent_hash :
	    is->code_hash != NULL ? is->code_hash : none;
}

static int
by_key(const void *x, const void *y)
{
	const struct pg_job *a = *(struct pg_job *const *)x;
	const struct pg_job *b = *(struct pg_job *const *)y;

	return memcmp(key_of(a->is), key_of(b->is), SECURE_HASH_BYTES);
}

/* The group's rotations' parents, read in one round trip and judged: a
 * rotation that goes no further (raced, unknown, refused) is settled,
 * having written nothing. What a judge set stays for the caller. */
static int
judge_all(struct pg_conn *c, const struct rotation_claims *claims,
    struct pg_job **jobs, size_t n)
{
	const unsigned char *hashes[PG_GROUP_MAX];
	struct token_row *rows[PG_GROUP_MAX];
	struct pg_job *asked[PG_GROUP_MAX];
	int rcs[PG_GROUP_MAX], rc;
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		struct pg_job *j = jobs[i];

		if (j->judge == NULL)
			continue;
		if (claims_raced(claims, j->is->parent_hash, j->after)) {
			/* refused as the compare-and-set refuses a race
			 * lost */
			j->rc = ERR_CONFLICT;
			j->settled = true;
			continue;
		}
		hashes[k] = j->is->parent_hash;
		rows[k] = j->parent;
		asked[k++] = j;
	}
	if ((rc = pg_refresh_get_many(c, hashes, k, rows, rcs)) != 0)
		return rc;
	for (size_t i = 0; i < k; i++) {
		struct pg_job *j = asked[i];

		j->rc = rcs[i] != 0 ? rcs[i] :
		    j->judge(j->ctx, j->parent, j->is);
		j->settled = j->rc != 0;
		j->grant_in = j->is->grant_id;
		j->family_in = j->is->family_id;
	}
	return 0;
}

/* The plain rotations judged to go ahead, in one round trip; each parent
 * rotated is claimed at once. */
static int
rotate_all(struct pg_conn *c, struct rotation_claims *claims,
    struct pg_job **jobs, size_t n)
{
	struct issue *is[PG_GROUP_MAX];
	struct pg_job *sent[PG_GROUP_MAX];
	int rcs[PG_GROUP_MAX], rc;
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		if (!jobs[i]->settled && pg_plain_rotation(jobs[i]->is)) {
			is[k] = jobs[i]->is;
			sent[k++] = jobs[i];
		}
	rc = pg_rotate_many(c, is, k, rcs);
	for (size_t i = 0; i < k; i++) {
		sent[i]->rc = rc != 0 ? rc : rcs[i];
		sent[i]->settled = true;
		if (sent[i]->rc == 0 && sent[i]->judge != NULL)
			claims_add(claims, sent[i]->is->parent_hash);
	}
	return rc;
}

/* Any other issue inside the group's transaction, in a savepoint of its
 * own, so that one that fails spoils none of the others; rc is the
 * transaction's. */
static int
job_in(struct pg_conn *c, struct rotation_claims *claims, struct pg_job *j)
{
	int rc;

	if ((rc = pg_run_on(c, STMT_SAVEPOINT, NULL, NULL)) != 0)
		return rc;
	j->rc = pg_issue_in(c, j->is);
	if (j->rc == 0 && j->judge != NULL)
		claims_add(claims, j->is->parent_hash);
	if (j->rc != 0 && (rc = pg_run_on(c, STMT_ROLLBACK_TO, NULL,
	    NULL)) != 0)
		return rc;
	return pg_run_on(c, STMT_RELEASE, NULL, NULL);
}

/* The group in one transaction: the rotations' reads, then their writes,
 * each in one round trip, then the other issues one by one. *alone set
 * when it failed before its COMMIT, so that each issue may be run again
 * by itself. A transaction that fails claimed nothing. */
static int
commit_group(struct pg_group *g, struct pg_job **jobs, size_t n,
    bool *alone)
{
	size_t mark = claims_mark(&g->claims);
	struct pg_conn *c;
	size_t i;
	int rc = pg_begin(g->b, &c);

	*alone = false;
	if (c == NULL)
		return rc;
	for (i = 0; i < n; i++) {
		jobs[i]->grant_in = jobs[i]->is->grant_id;
		jobs[i]->family_in = jobs[i]->is->family_id;
		jobs[i]->settled = false;
	}
	if (rc == 0)
		rc = judge_all(c, &g->claims, jobs, n);
	if (rc == 0)
		rc = rotate_all(c, &g->claims, jobs, n);
	for (i = 0; rc == 0 && i < n; i++)
		if (!jobs[i]->settled)
			rc = job_in(c, &g->claims, jobs[i]);
	*alone = rc != 0;
	/* a COMMIT that failed may have committed (a lost link, the
	 * standby's warning): its claims stay, so that a rotation racing
	 * one of them is refused rather than taken for a replay */
	if ((rc = pg_finish(g->b, c, rc)) != 0 && *alone)
		claims_undo(&g->claims, mark);
	for (i = 0; i < n; i++)
		if (rc != 0 || jobs[i]->rc != 0) {
			jobs[i]->is->grant_id = jobs[i]->grant_in;
			jobs[i]->is->family_id = jobs[i]->family_in;
		}
	return rc;
}

static void
answer(struct pg_group *g, struct pg_job **jobs, size_t n)
{
	struct pg_job *submitted[PG_GROUP_MAX];
	size_t ns = 0;

	pthread_mutex_lock(&g->lock);
	for (size_t i = 0; i < n; i++) {
		if (jobs[i]->on_done != NULL) {
			submitted[ns++] = jobs[i];
			continue;
		}
		/* once woken, a waiter's job (on its stack) is gone */
		jobs[i]->done = true;
		pthread_cond_signal(&jobs[i]->finished);
	}
	pthread_mutex_unlock(&g->lock);
	/* after the lock: a callback may queue the next job itself */
	for (size_t i = 0; i < ns; i++) {
		submitted[i]->on_done(submitted[i]->on_done_arg,
		    submitted[i]->rc);
		free(submitted[i]);
	}
}

/* The group, or each of its issues alone when the group's transaction
 * failed before its COMMIT; the claims close once, after either. */
static void
run_group(struct pg_group *g, struct pg_job **jobs, size_t n)
{
	bool alone, again;
	int rc;

	/* jobs[0] waited longest: none after it was queued earlier */
	claims_prune(&g->claims, jobs[0]->after);
	qsort(jobs, n, sizeof(*jobs), by_key);
	if ((rc = commit_group(g, jobs, n, &alone)) != 0)
		for (size_t i = 0; i < n; i++) {
			int one = alone ? commit_group(g, &jobs[i], 1,
			    &again) : rc;

			if (one != 0)
				jobs[i]->rc = one;
		}
	claims_close(&g->claims, true);
	pthread_mutex_lock(&g->lock);
	g->commits = g->claims.committed;
	pthread_mutex_unlock(&g->lock);
	answer(g, jobs, n);
}

static void *
run(void *arg)
{
	struct pg_group *g = arg;
	struct pg_job *jobs[PG_GROUP_MAX];
	size_t n;

	pthread_mutex_lock(&g->lock);
	for (;;) {
		while (g->head == NULL && !g->stop)
			pthread_cond_wait(&g->queued, &g->lock);
		if (g->head == NULL)
			break;
		for (n = 0; g->head != NULL && n < PG_GROUP_MAX; n++) {
			jobs[n] = g->head;
			g->head = g->head->next;
		}
		if (g->head == NULL)
			g->tail = NULL;
		pthread_mutex_unlock(&g->lock);
		run_group(g, jobs, n);
		pthread_mutex_lock(&g->lock);
	}
	pthread_mutex_unlock(&g->lock);
	return NULL;
}

struct pg_group *
pg_group_start(struct store_backend *b)
{
	struct pg_group *g = xcalloc(1, sizeof(*g));

	g->b = b;
	pthread_mutex_init(&g->lock, NULL);
	pthread_cond_init(&g->queued, NULL);
	if (pthread_create(&g->thread, NULL, run, g) != 0) {
		log_msg("error", "postgres: cannot start the commit thread");
		abort();
	}
	pg_pool_set_group(b, g);
	return g;
}

void
pg_group_stop(struct pg_group *g)
{
	if (g == NULL)
		return;
	pg_pool_set_group(g->b, NULL);
	pthread_mutex_lock(&g->lock);
	g->stop = true;
	pthread_cond_signal(&g->queued);
	pthread_mutex_unlock(&g->lock);
	pthread_join(g->thread, NULL);
	pthread_cond_destroy(&g->queued);
	pthread_mutex_destroy(&g->lock);
	claims_free(&g->claims);
	free(g);
}

/* Under g->lock. */
static void
enqueue(struct pg_group *g, struct pg_job *j)
{
	j->after = g->commits;
	if (g->tail != NULL)
		g->tail->next = j;
	else
		g->head = j;
	g->tail = j;
	pthread_cond_signal(&g->queued);
}

int
pg_issue_grouped(struct store_backend *b, struct issue *is)
{
	struct pg_group *g = pg_pool_group(b);
	struct pg_job j = { .is = is };

	if (g == NULL)
		return pg_issue(b, is);
	pthread_cond_init(&j.finished, NULL);
	pthread_mutex_lock(&g->lock);
	enqueue(g, &j);
	while (!j.done)
		pthread_cond_wait(&j.finished, &g->lock);
	pthread_mutex_unlock(&g->lock);
	pthread_cond_destroy(&j.finished);
	return j.rc;
}

/* The parent's row is read and judged in the group's transaction
 * (judge_all()): this thread only queues the rotation. */
void
pg_refresh(struct store_backend *b, struct issue *is,
    store_refresh_judge judge, void *ctx, struct token_row *parent,
    store_done_fn done, void *arg)
{
	struct pg_group *g = pg_pool_group(b);
	struct pg_job *j;
	int rc;

	if (g == NULL) {
		if ((rc = pg_refresh_get(b, is->parent_hash, parent)) == 0 &&
		    (rc = judge(ctx, parent, is)) == 0)
			rc = pg_issue(b, is);
		done(arg, rc);
		return;
	}
	j = xcalloc(1, sizeof(*j));
	*j = (struct pg_job){ .is = is, .judge = judge, .ctx = ctx,
	    .parent = parent, .on_done = done, .on_done_arg = arg };
	pthread_mutex_lock(&g->lock);
	enqueue(g, j);
	pthread_mutex_unlock(&g->lock);
}
