#ifndef KEYGATE_STORE_SQLITE_STMT_H
#define KEYGATE_STORE_SQLITE_STMT_H

/* Internal to the SQLite backend: the statement table and the helpers the
 * per-entity files share. */

#include <sqlite3.h>

#include "store/claims.h"
#include "store/stmt.h"
#include "store/store_impl.h"

extern const char *const stmt_sql[STMT_COUNT];

/* This thread's prepared statement `id`, reset and unbound; *db gets its
 * connection. NULL when the store cannot be opened. */
sqlite3_stmt	*sqlite_stmt(struct store_backend *b, enum stmt_id id,
		    sqlite3 **db);
/* Maps a failed step's code: constraint violations give ERR_EXISTS. */
int		 sqlite_err(sqlite3 *db, int rc);
/* Steps a write statement once; resets it. Returns 0 or an ERR_* code;
 * *changes (if not NULL) gets the number of rows changed. */
int		 sqlite_run(sqlite3 *db, sqlite3_stmt *st, int *changes);
/* sqlite_run() for a write that must touch a row: ERR_NOTFOUND when it
 * changed none (no such row, or not the caller's). */
int		 sqlite_run_one(sqlite3 *db, sqlite3_stmt *st);
/* Ends a read: resets and unbinds, passes `rc` through. */
int		 sqlite_end(sqlite3_stmt *st, int rc);
/* Steps a one-row read: on a row calls read(st, out) and returns 0; no row
 * gives ERR_NOTFOUND. Resets the statement either way. */
int		 sqlite_row(sqlite3 *db, sqlite3_stmt *st,
		    void (*read)(sqlite3_stmt *, void *), void *out);
/* sqlite_row() for a write with RETURNING that finds at most one row (a
 * DELETE ... RETURNING that takes it): after the row, steps on to DONE,
 * since the write commits only when the statement is done. */
int		 sqlite_take_row(sqlite3 *db, sqlite3_stmt *st,
		    void (*read)(sqlite3_stmt *, void *), void *out);

int	sqlite_account_insert(struct store_backend *b, const char *email,
	    const char *password_hash, int64_t now, int64_t *id,
		    const struct event_new *ev);
int	sqlite_account_by_email(struct store_backend *b, const char *email,
	    struct account *out);
int	sqlite_account_by_id(struct store_backend *b, int64_t id,
	    struct account *out);
/* Reads a row of ACCOUNT_COLUMNS (sqlite_sql.c) into a struct account. */
void	sqlite_read_account(sqlite3_stmt *st, void *out);
int	sqlite_account_list(struct store_backend *b,
	    const struct store_page *page, struct account **rows, size_t *n);
int	sqlite_account_counts(struct store_backend *b, int64_t id,
	    const struct store_horizon *h, struct account_counts *out);
int	sqlite_account_disable(struct store_backend *b, int64_t id,
	    int64_t now, const struct event_new *ev);
int	sqlite_account_enable(struct store_backend *b, int64_t id);
int	sqlite_account_delete(struct store_backend *b, int64_t id);
int	sqlite_session_insert(struct store_backend *b,
	    const unsigned char *hash, int64_t account_id, int64_t now,
	    const struct session_origin *from, const struct event_new *ev);
/* sqlite_links.c: one-time links, verification, passwords, session lists */
int	sqlite_session_list(struct store_backend *b, int64_t account_id,
	    size_t max, struct session_row **rows, size_t *n);
int	sqlite_session_end(struct store_backend *b, int64_t account_id,
	    const unsigned char *hash, const struct event_new *ev);
int	sqlite_session_end_others(struct store_backend *b, int64_t account_id,
	    const unsigned char *keep, const struct event_new *ev);
int	sqlite_account_verify(struct store_backend *b, int64_t account_id,
	    const char *email);
int	sqlite_account_set_email(struct store_backend *b, int64_t account_id,
	    const char *email, const struct event_new *ev);
int	sqlite_account_set_password(struct store_backend *b, int64_t account_id,
	    const char *password_hash, const unsigned char *keep,
	    const struct event_new *ev);
int	sqlite_link_insert(struct store_backend *b, const unsigned char *hash,
	    const struct link_row *row);
int	sqlite_link_get(struct store_backend *b, const unsigned char *hash,
	    int purpose, struct link_row *out);
int	sqlite_link_take(struct store_backend *b, const unsigned char *hash,
	    int purpose, struct link_row *out);
int	sqlite_session_get(struct store_backend *b, const unsigned char *hash,
	    struct session_row *out);
int	sqlite_session_reauth(struct store_backend *b,
	    const unsigned char *hash, int64_t auth_time, unsigned amr);
int	sqlite_session_touch(struct store_backend *b,
	    const unsigned char *hash, int64_t now);
int	sqlite_session_delete(struct store_backend *b,
	    const unsigned char *hash);
int	sqlite_session_trim(struct store_backend *b, int64_t account_id,
	    const unsigned char *keep, int64_t max);
int	sqlite_pat_insert(struct store_backend *b, int64_t account_id,
	    const unsigned char *hash, int64_t now, int64_t max, int64_t *id,
	    const struct event_new *ev);
int	sqlite_pat_by_hash(struct store_backend *b, const unsigned char *hash,
	    struct pat_row *out);
int	sqlite_pat_list(struct store_backend *b, int64_t account_id,
	    const struct store_page *page, struct pat_row **rows, size_t *n);
int	sqlite_pat_delete(struct store_backend *b, int64_t account_id,
	    int64_t id, const struct event_new *ev);
int	sqlite_pat_touch(struct store_backend *b, int64_t id, int64_t now);

int	sqlite_app_insert(struct store_backend *b, struct app_row *row,
	    int64_t max, const struct event_new *ev);
int	sqlite_app_get(struct store_backend *b, int64_t account_id,
	    const char *api_key, struct app_row *out);
int	sqlite_app_list(struct store_backend *b, int64_t account_id,
	    const struct store_page *page, struct app_row **rows, size_t *n);
int	sqlite_app_update(struct store_backend *b, const struct app_row *row,
	    const struct event_new *ev);
int	sqlite_app_delete(struct store_backend *b, int64_t account_id,
	    const char *api_key, const struct event_new *ev);
int	sqlite_app_set_secret(struct store_backend *b, int64_t account_id,
	    const char *api_key, const unsigned char *hash, int64_t now,
	    int64_t keep_s, const struct event_new *ev);
int	sqlite_app_revoke_old_secret(struct store_backend *b,
	    int64_t account_id, const char *api_key, int64_t secret_id,
	    int64_t now, const struct event_new *ev);
int	sqlite_cimd_app_put(struct store_backend *b,
	    const struct app_row *row, int64_t now);
int	sqlite_app_secret_used(struct store_backend *b, int64_t app_id,
	    int64_t secret_id, int64_t at);
int	sqlite_app_reuse_notice(struct store_backend *b, int64_t app_id,
	    int64_t now, int64_t gap_s);
int	sqlite_reveal_insert(struct store_backend *b,
	    const unsigned char *hash, int64_t expires_at);
int	sqlite_reveal_take(struct store_backend *b, const unsigned char *hash,
	    int64_t *expires_at);
int	sqlite_totp_get(struct store_backend *b, int64_t account_id,
	    struct totp_row *out);
int	sqlite_totp_insert(struct store_backend *b, int64_t account_id,
	    const struct totp_row *row,
	    const unsigned char (*hashes)[SECURE_HASH_BYTES], size_t n,
	    const struct event_new *ev);
int	sqlite_totp_step(struct store_backend *b, int64_t account_id,
	    int64_t step);
int	sqlite_totp_delete(struct store_backend *b, int64_t account_id,
	    const struct event_new *ev);
int	sqlite_recovery_list(struct store_backend *b, int64_t account_id,
	    unsigned char (*hashes)[SECURE_HASH_BYTES], size_t max, size_t *n);
int	sqlite_recovery_take(struct store_backend *b, int64_t account_id,
	    const unsigned char *hash);
/* Runs one-row read `id` keyed by a SHA-256 hash (tokens, sessions). */
int	sqlite_access_page(struct store_backend *b, const unsigned char *after,
	    int64_t since, size_t max, struct live_token **rows, size_t *n);
int	sqlite_row_by_hash(struct store_backend *b, enum stmt_id id,
	    const unsigned char *hash, void (*read)(sqlite3_stmt *, void *),
	    void *out);
/* Steps a many-row read: each row is read by read(st, slot) into a grown
 * array of `size`-byte slots; *rows (malloc'd, free() it) and *n get the
 * result. Resets the statement. */
int	sqlite_rows(sqlite3 *db, sqlite3_stmt *st,
	    void (*read)(sqlite3_stmt *, void *), size_t size, void **rows,
	    size_t *n);
int	sqlite_grant_upsert(struct store_backend *b, int64_t account_id,
	    int64_t app_id, unsigned scope, int64_t now, int64_t *grant_id);
int	sqlite_grant_get(struct store_backend *b, int64_t account_id,
	    int64_t app_id, int64_t *grant_id, unsigned *scope);
int	sqlite_grant_delete(struct store_backend *b, int64_t account_id,
	    int64_t app_id, const struct event_new *ev);
int	sqlite_grant_list(struct store_backend *b, int64_t account_id,
	    const struct store_page *page, struct grant_row **rows,
	    size_t *n);
/* The consent of row->account_id to row->app_id and the code, inside the
 * caller's transaction (sets row->grant_id). */
/* The consent of account_id to app_id, widened by scope, inside the
 * caller's transaction; ev (grant_given) written when it is new or
 * wider. */
int	sqlite_grant_consent(struct store_backend *b, int64_t account_id,
	    int64_t app_id, unsigned scope, int64_t now, int64_t *grant_id,
	    const struct event_new *ev);
int	sqlite_code_insert_in(struct store_backend *b,
	    const unsigned char *hash, struct code_row *row,
	    const struct event_new *ev);
int	sqlite_code_insert(struct store_backend *b, const unsigned char *hash,
	    struct code_row *row, const struct event_new *ev);
int	sqlite_code_get(struct store_backend *b, const unsigned char *hash,
	    struct code_row *out);
int	sqlite_code_take(struct store_backend *b, const unsigned char *hash,
	    int64_t app_id, struct code_row *out);
int	sqlite_issue(struct store_backend *b, struct issue *is);
int	sqlite_throttle_add(struct store_backend *b, const unsigned char *key,
	    int64_t now, int64_t window_s, int64_t *count, int64_t *window_end);
int	sqlite_throttle_undo(struct store_backend *b, const unsigned char *key,
	    int64_t window_end);
int	sqlite_throttle_clear(struct store_backend *b,
	    const unsigned char *key);
int	sqlite_throttle_expire(struct store_backend *b, int64_t now,
	    size_t batch, size_t *removed);
int	sqlite_dpop_jti_claim(struct store_backend *b,
	    const unsigned char *hash, int64_t expires_at, int64_t now);
int	sqlite_gc(struct store_backend *b, enum store_gc_kind kind,
	    const struct store_horizon *h, size_t batch, size_t *removed);
int	sqlite_stats(struct store_backend *b, const struct store_horizon *h,
	    struct store_counts *out);
int	sqlite_issue_many(struct store_backend *b, struct issue *is, int *rcs,
	    size_t n);
void	sqlite_refresh(struct store_backend *b, struct issue *is,
	    store_refresh_judge judge, void *ctx, struct token_row *parent,
	    store_done_fn done, void *arg);

/* One request of a group commit: an issue and, for a rotation
 * (store_refresh()), the judge of its parent's row. */
struct sqlite_job {
	struct issue		*is;
	store_refresh_judge	 judge;		/* NULL: a plain issue */
	void			*ctx;
	struct token_row	*parent;
	/* commits the group had made when it was queued (claims.h);
	 * the group sets it */
	uint64_t		 after;
};

/* Runs n jobs in one transaction, a savepoint each (see
 * store_issue_many); the group commit thread's work. `claims` (NULL:
 * none) records and checks rotations across commits. */
int	sqlite_issue_batch(struct store_backend *b,
	    const struct sqlite_job *jobs, int *rcs, size_t n,
	    struct rotation_claims *claims);

/* The group commit of sqlite_group.c: one thread per store runs the
 * jobs (issues, rotations) that queued meanwhile in one transaction,
 * through `batch` (sqlite_issue_batch(), handed in by sqlite.c: the
 * tokens' file calls the group, so the group does not call it back). */
typedef int (*sqlite_batch_fn)(struct store_backend *b,
    const struct sqlite_job *jobs, int *rcs, size_t n,
    struct rotation_claims *claims);
struct sqlite_group;
struct sqlite_group *sqlite_group_start(struct store_backend *b,
	    sqlite_batch_fn batch);
void	sqlite_group_stop(struct sqlite_group *g);
/* Queues a job and waits until its transaction committed (or failed). */
int	sqlite_group_run(struct sqlite_group *g, const struct sqlite_job *job);
/* Queues a job and returns; the group's thread calls done(arg, rc) once
 * its transaction committed (or failed). */
void	sqlite_group_submit(struct sqlite_group *g,
	    const struct sqlite_job *job, store_done_fn done, void *arg);
/* The group of a store. */
struct sqlite_group *sqlite_group(struct store_backend *b);
int	sqlite_family_revoke(struct store_backend *b, int64_t family_id,
	    const struct event_new *ev);
int	sqlite_access_get(struct store_backend *b, const unsigned char *hash,
	    struct token_row *out);
int	sqlite_access_touch(struct store_backend *b, const unsigned char *hash,
	    int64_t now);
/* sqlite_usage.c */
int	sqlite_usage_write(struct store_backend *b,
	    const struct use_entry *uses, size_t n,
	    const struct usage_add *adds, size_t m, int64_t live_hour);
int	sqlite_usage_read(struct store_backend *b, int64_t app_id, int64_t from,
	    int64_t to, struct usage_hour **rows, size_t *n);
int	sqlite_use_log_append(struct store_backend *b,
	    const struct use_entry *uses, size_t n);
int	sqlite_use_log_read(struct store_backend *b, int64_t after,
	    int64_t upto, struct use_fold *f,
	    int64_t **ids, size_t *nids);
int	sqlite_access_touch_many(struct store_backend *b,
	    const struct use_entry *uses, size_t n);
int	sqlite_use_log_delete(struct store_backend *b, const int64_t *ids,
	    size_t n);
int	sqlite_revision(struct store_backend *b, int64_t *n);
int	sqlite_access_revoke(struct store_backend *b,
	    const unsigned char *hash);
int	sqlite_refresh_get(struct store_backend *b, const unsigned char *hash,
	    struct token_row *out);
/* Runs statement `id` with nothing bound (BEGIN, COMMIT, ROLLBACK). */
int	sqlite_simple(struct store_backend *b, enum stmt_id id);
/* Ends a transaction: COMMIT when rc is 0, else ROLLBACK; returns the
 * outcome. */
int	sqlite_finish(struct store_backend *b, int rc);

int	sqlite_mail_add(struct store_backend *b, const char *recipient,
	    const char *message, int64_t now, int64_t *id);
int	sqlite_mail_claim(struct store_backend *b, int64_t now,
	    int64_t lease_until, struct mail_row *out);
int	sqlite_mail_delete(struct store_backend *b, int64_t id);
/* sqlite_par.c: pushed authorization requests (RFC 9126) */
int	sqlite_par_insert(struct store_backend *b, const unsigned char *hash,
	    const struct par_row *row);
int	sqlite_par_get(struct store_backend *b, const unsigned char *hash,
	    int64_t now, struct par_row *out);
int	sqlite_par_use(struct store_backend *b, const unsigned char *hash,
	    int64_t app_id, int64_t now);
/* sqlite_device.c: device grants (RFC 8628) */
int	sqlite_device_insert(struct store_backend *b, const unsigned char *hash,
	    const struct device_row *row);
int	sqlite_device_find(struct store_backend *b, const char *user_code,
	    int64_t now, struct device_row *out);
int	sqlite_device_decide(struct store_backend *b, const char *user_code,
	    const struct device_decision *d, const struct event_new *ev);
int	sqlite_device_poll(struct store_backend *b, const unsigned char *hash,
	    int64_t app_id, int64_t now, int64_t step_s,
	    struct device_row *out);
int	sqlite_signing_key_add(struct store_backend *b,
	    const struct signing_key_row *row);
int	sqlite_signing_key_list(struct store_backend *b,
	    struct signing_key_row **rows, size_t *n);
int	sqlite_resource_add(struct store_backend *b,
	    const struct resource_bit_row *rows, size_t n, unsigned keep);
int	sqlite_resource_list(struct store_backend *b,
	    struct resource_bit_row **rows, size_t *n);
int	sqlite_resource_delete(struct store_backend *b, const char *uri,
	    unsigned bits, unsigned keep);
int	sqlite_mail_retry(struct store_backend *b, int64_t id,
	    int64_t attempts, int64_t next_at, const char *error);
/* sqlite_events.c: security events. Put writes ev (nothing when NULL) in
 * the transaction open on this thread's connection. A single-statement
 * write that takes an event runs between begin and end, the event put
 * once it succeeded: with ev, begin opens a transaction and end commits
 * it when rc is 0 (else rolls back); without, both pass rc through and
 * the statement is its own transaction. */
int	sqlite_event_put(struct store_backend *b, const struct event_new *ev);
/* sqlite_event_put() with the account and the app a write just made (0:
 * ev's own). */
int	sqlite_event_put_as(struct store_backend *b,
	    const struct event_new *ev, int64_t account_id, int64_t app_id);
int	sqlite_event_begin(struct store_backend *b,
	    const struct event_new *ev);
int	sqlite_event_end(struct store_backend *b, const struct event_new *ev,
	    int rc);
int	sqlite_event_add(struct store_backend *b, const struct event_new *ev);
int	sqlite_event_list(struct store_backend *b, int64_t account_id,
	    int kind, int64_t app_id, int64_t before, size_t max,
	    struct event_row **rows, size_t *n);

/* Copies column `col` as text into dst (size dstlen), cut if needed. */
void	sqlite_copy_text(char *dst, size_t dstlen, sqlite3_stmt *st, int col);
/* A DPoP binding (a SHA-256 thumbprint) in column `col`: *bound false,
 * jkt zeroed, when it is NULL. */
void	sqlite_read_jkt(sqlite3_stmt *st, int col, bool *bound,
	    unsigned char jkt[SECURE_HASH_BYTES]);

#endif
