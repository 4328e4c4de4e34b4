/* SQLite: access and refresh tokens, and the issuing transaction. */
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/log.h"
#include "base/mem.h"
#include "store/sqlite_stmt.h"

static int
run_hash(struct store_backend *b, enum stmt_id id, const unsigned char *hash,
    int *changes)
{
	sqlite3 *db;
	sqlite3_stmt *st = sqlite_stmt(b, id, &db);

	if (st == NULL)
		return ERR_STORE;
	sqlite3_bind_blob(st, 1, hash, SECURE_HASH_BYTES, SQLITE_STATIC);
	return sqlite_run(db, st, changes);
}

/* The parent's condition: unused (rotation) or with unused children that
 * go (retry). ERR_CONFLICT when it does not hold. */
static int
claim_parent(struct store_backend *b, const struct issue *is)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	int rc, access = 0, refresh = 0;

	if (is->retry) {
		rc = run_hash(b, STMT_ACCESS_DROP_CHILD, is->parent_hash,
		    &access);
		if (rc == 0)
			rc = run_hash(b, STMT_REFRESH_DROP_CHILD,
			    is->parent_hash, &refresh);
		return rc != 0 ? rc : access == 1 && refresh == 1 ? 0 :
		    ERR_CONFLICT;
	}
	if ((st = sqlite_stmt(b, STMT_REFRESH_USE, &db)) == NULL)
		return ERR_STORE;
	sqlite3_bind_int64(st, 1, is->now);
	sqlite3_bind_blob(st, 2, is->parent_hash, SECURE_HASH_BYTES,
	    SQLITE_STATIC);
	rc = sqlite_run(db, st, &refresh);
	return rc != 0 ? rc : refresh == 1 ? 0 : ERR_CONFLICT;
}

static int
insert_token(struct store_backend *b, enum stmt_id id,
    const unsigned char *hash, bool bound, const struct issue *is)
{
	sqlite3 *db;
	sqlite3_stmt *st = sqlite_stmt(b, id, &db);

	if (st == NULL)
		return ERR_STORE;
	sqlite3_bind_blob(st, 1, hash, SECURE_HASH_BYTES, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, is->family_id);
	if (is->parent_hash != NULL)
		sqlite3_bind_blob(st, 3, is->parent_hash, SECURE_HASH_BYTES,
		    SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 3);
	sqlite3_bind_int64(st, 4, is->scope);
	sqlite3_bind_int64(st, 5, is->now);
	if (bound)
		sqlite3_bind_blob(st, 6, is->jkt, SECURE_HASH_BYTES,
		    SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 6);
	return sqlite_run(db, st, NULL);
}

static int
new_family(struct store_backend *b, struct issue *is)
{
	sqlite3 *db;
	sqlite3_stmt *st = sqlite_stmt(b, STMT_FAMILY_INSERT, &db);
	int rc;

	if (st == NULL)
		return ERR_STORE;
	sqlite3_bind_int64(st, 1, is->grant_id);
	sqlite3_bind_int64(st, 2, is->family_scope);
	sqlite3_bind_int64(st, 3, is->now);
	sqlite3_bind_int64(st, 4, is->auth_time);
	sqlite3_bind_int64(st, 5, is->amr);
	rc = sqlite_run(db, st, NULL);
	if (rc == 0)
		is->family_id = sqlite3_last_insert_rowid(db);
	return rc;
}

/* Uses the code up and records the family it started; ERR_CONFLICT when
 * it was used meanwhile (the whole issue then rolls back). */
static int
take_code(struct store_backend *b, const struct issue *is)
{
	sqlite3 *db;
	sqlite3_stmt *st = sqlite_stmt(b, STMT_CODE_FAMILY, &db);
	int rc, changes = 0;

	if (st == NULL)
		return ERR_STORE;
	sqlite3_bind_int64(st, 1, is->family_id);
	sqlite3_bind_blob(st, 2, is->code_hash, SECURE_HASH_BYTES,
	    SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, is->app_id);
	rc = sqlite_run(db, st, &changes);
	return rc != 0 ? rc : changes == 1 ? 0 : ERR_CONFLICT;
}

/* The writes of one issue, inside the caller's transaction. */
static int
issue_in(struct store_backend *b, struct issue *is)
{
	int rc = 0;

	if (is->grant_id == 0)
		rc = sqlite_grant_consent(b, is->account_id, is->app_id,
		    is->scope, is->now, &is->grant_id, is->given);
	if (rc == 0 && is->parent_hash != NULL)
		rc = claim_parent(b, is);
	if (rc == 0 && is->family_id == 0)
		rc = new_family(b, is);
	if (rc == 0)
		rc = insert_token(b, STMT_ACCESS_INSERT, is->access_hash,
		    is->access_bound, is);
	if (rc == 0 && is->with_refresh)
		rc = insert_token(b, STMT_REFRESH_INSERT, is->refresh_hash,
		    is->refresh_bound, is);
	if (rc == 0 && is->code_hash != NULL)
		rc = take_code(b, is);
	return rc;
}

int
sqlite_issue(struct store_backend *b, struct issue *is)
{
	struct sqlite_job job = { .is = is };

	return sqlite_group_run(sqlite_group(b), &job);
}

void
sqlite_refresh(struct store_backend *b, struct issue *is,
    store_refresh_judge judge, void *ctx, struct token_row *parent,
    store_done_fn done, void *arg)
{
	struct sqlite_job job = { .is = is, .judge = judge, .ctx = ctx,
	    .parent = parent };

	sqlite_group_submit(sqlite_group(b), &job, done, arg);
}

/* One job's reads and writes, inside the caller's savepoint. The read
 * goes through the committing connection, whose page cache its own
 * commits leave valid. A job that fails leaves `is` as its judge left
 * it: the ids of a grant or family it made were rolled back. */
static int
job_in(struct store_backend *b, const struct sqlite_job *job,
    struct rotation_claims *claims)
{
	struct issue *is = job->is;
	int64_t grant_in, family_in;
	int rc;

	/* a race lost: refused as the compare-and-set refuses it */
	if (job->judge != NULL && claims != NULL &&
	    claims_raced(claims, is->parent_hash, job->after))
		return ERR_CONFLICT;
	if (job->judge != NULL &&
	    ((rc = sqlite_refresh_get(b, is->parent_hash,
	    job->parent)) != 0 ||
	    (rc = job->judge(job->ctx, job->parent, is)) != 0))
		return rc;
	grant_in = is->grant_id;
	family_in = is->family_id;
	if ((rc = issue_in(b, is)) != 0) {
		is->grant_id = grant_in;
		is->family_id = family_in;
	} else if (job->judge != NULL && claims != NULL)
		claims_add(claims, is->parent_hash);
	return rc;
}

int
sqlite_issue_batch(struct store_backend *b, const struct sqlite_job *jobs,
    int *rcs, size_t n, struct rotation_claims *claims)
{
	int rc = sqlite_simple(b, STMT_BEGIN);

	/* Each job in a savepoint of its own: one that fails (a lost
	 * compare-and-set) leaves nothing and spoils none of the others. */
	for (size_t i = 0; rc == 0 && i < n; i++) {
		if ((rc = sqlite_simple(b, STMT_SAVEPOINT)) != 0)
			break;
		if ((rcs[i] = job_in(b, &jobs[i], claims)) != 0)
			rc = sqlite_simple(b, STMT_ROLLBACK_TO);
		if (rc == 0)
			rc = sqlite_simple(b, STMT_RELEASE);
	}
	rc = sqlite_finish(b, rc);
	if (claims != NULL)
		claims_close(claims, rc == 0);
	return rc;
}

int
sqlite_issue_many(struct store_backend *b, struct issue *is, int *rcs,
    size_t n)
{
	struct sqlite_job *jobs = xcalloc(n > 0 ? n : 1, sizeof(*jobs));
	int rc;

	for (size_t i = 0; i < n; i++)
		jobs[i].is = &is[i];
	rc = sqlite_issue_batch(b, jobs, rcs, n, NULL);
	free(jobs);
	return rc;
}

int
sqlite_family_revoke(struct store_backend *b, int64_t family_id,
    const struct event_new *ev)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	int changes = 0, rc;

	if ((rc = sqlite_event_begin(b, ev)) != 0)
		return rc;
	if ((st = sqlite_stmt(b, STMT_FAMILY_REVOKE, &db)) == NULL)
		return sqlite_event_end(b, ev, ERR_STORE);
	sqlite3_bind_int64(st, 1, family_id);
	rc = sqlite_run(db, st, &changes);
	/* a replay of a revoked family's code ends nothing: no event */
	if (rc == 0 && changes > 0)
		rc = sqlite_event_put(b, ev);
	return sqlite_event_end(b, ev, rc);
}

static void
read_token(sqlite3_stmt *st, void *p)
{
	struct token_row *t = p;

	t->family_id = sqlite3_column_int64(st, 0);
	t->grant_id = sqlite3_column_int64(st, 1);
	t->account_id = sqlite3_column_int64(st, 2);
	t->app_id = sqlite3_column_int64(st, 3);
	sqlite_copy_text(t->api_key, sizeof(t->api_key), st, 4);
	t->scope = (unsigned)sqlite3_column_int64(st, 5);
	t->family_scope = (unsigned)sqlite3_column_int64(st, 6);
	t->iat = sqlite3_column_int64(st, 7);
	t->last_used = sqlite3_column_int64(st, 8);
	t->revoked = sqlite3_column_int(st, 9) != 0;
}

/* The DPoP binding in column `col`: NULL for a Bearer token. */
static void
read_jkt(sqlite3_stmt *st, int col, struct token_row *t)
{
	sqlite_read_jkt(st, col, &t->bound, t->jkt);
}

static void
read_access(sqlite3_stmt *st, void *p)
{
	read_token(st, p);
	read_jkt(st, 10, p);
}

int
sqlite_access_get(struct store_backend *b, const unsigned char *hash,
    struct token_row *out)
{
	return sqlite_row_by_hash(b, STMT_ACCESS_GET, hash, read_access, out);
}

/* A refresh token's row also says its family's log-in (§14). */
static void
read_refresh(sqlite3_stmt *st, void *p)
{
	struct token_row *t = p;

	read_token(st, t);
	t->auth_time = sqlite3_column_int64(st, 10);
	t->amr = (unsigned)sqlite3_column_int64(st, 11);
	read_jkt(st, 12, t);
}

int
sqlite_refresh_get(struct store_backend *b, const unsigned char *hash,
    struct token_row *out)
{
	return sqlite_row_by_hash(b, STMT_REFRESH_GET, hash, read_refresh,
	    out);
}

int
sqlite_access_touch(struct store_backend *b, const unsigned char *hash,
    int64_t now)
{
	sqlite3 *db;
	sqlite3_stmt *st = sqlite_stmt(b, STMT_ACCESS_TOUCH, &db);

	if (st == NULL)
		return ERR_STORE;
	sqlite3_bind_blob(st, 1, hash, SECURE_HASH_BYTES, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now);
	return sqlite_run(db, st, NULL);
}

static void
read_live(sqlite3_stmt *st, void *p)
{
	struct live_token *t = p;
	const void *hash = sqlite3_column_blob(st, 10);

	read_token(st, &t->row);
	if (hash != NULL &&
	    sqlite3_column_bytes(st, 10) == SECURE_HASH_BYTES)
		memcpy(t->hash, hash, SECURE_HASH_BYTES);
	read_jkt(st, 11, &t->row);
}

int
sqlite_access_page(struct store_backend *b, const unsigned char *after,
    int64_t since, size_t max, struct live_token **rows, size_t *n)
{
	sqlite3 *db;
	sqlite3_stmt *st = sqlite_stmt(b, STMT_ACCESS_PAGE, &db);

	if (st == NULL)
		return ERR_STORE;
	sqlite3_bind_blob(st, 1, after, SECURE_HASH_BYTES, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, since);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)max);
	return sqlite_rows(db, st, read_live, sizeof(**rows), (void **)rows,
	    n);
}

static void
read_revision(sqlite3_stmt *st, void *out)
{
	*(int64_t *)out = sqlite3_column_int64(st, 0);
}

int
sqlite_revision(struct store_backend *b, int64_t *n)
{
	sqlite3 *db;
	sqlite3_stmt *st = sqlite_stmt(b, STMT_REVISION, &db);

	if (st == NULL)
		return ERR_STORE;
	return sqlite_row(db, st, read_revision, n);
}

int
sqlite_access_revoke(struct store_backend *b, const unsigned char *hash)
{
	return run_hash(b, STMT_ACCESS_REVOKE, hash, NULL);
}
