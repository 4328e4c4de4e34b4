#ifndef KEYGATE_STORE_PG_STMT_H
#define KEYGATE_STORE_PG_STMT_H

/* Internal to the PostgreSQL backend: the connection pool, the statement
 * runner and the row readers the per-entity files share. */

#include <libpq-fe.h>
#include <stdbool.h>

#include "store/stmt.h"
#include "store/store_impl.h"

#define PG_MAX_PARAMS	20

extern const char *const pg_sql[STMT_COUNT];

/* Parameters of one statement: numbers and text go as text, hashes as
 * binary bytea (no escaping). */
struct pg_params {
	int		 n;
	const char	*values[PG_MAX_PARAMS];
	int		 lengths[PG_MAX_PARAMS];
	int		 formats[PG_MAX_PARAMS];
	char		 num[PG_MAX_PARAMS][24];
};

void	pgp_int(struct pg_params *p, int64_t v);
void	pgp_text(struct pg_params *p, const char *s);
void	pgp_hash(struct pg_params *p, const unsigned char *hash);
/* A hash, or SQL NULL when hash is NULL. */
void	pgp_hash_or_null(struct pg_params *p, const unsigned char *hash);
/* `len` raw bytes as a binary bytea. */
void	pgp_bytes(struct pg_params *p, const unsigned char *bytes,
	    size_t len);

struct pg_conn;

/* One connection outside the pool (start-up checks, migrations); NULL with
 * a reason in err when the database cannot be reached. */
PGconn		*pg_connect(const char *url, char *err, size_t errlen);
/* The pool of one store; connections open on demand. */
struct store_backend *pg_pool_open(const char *url);
void		 pg_pool_close(struct store_backend *b);
/* pg_connect() to the pool's database, outside the pool. */
PGconn		*pg_pool_connect(struct store_backend *b, char *err,
		    size_t errlen);

/* A pooled connection, connected and ready, for a transaction; NULL when
 * the database cannot be reached (the caller answers ERR_STORE). */
struct pg_conn	*pg_acquire(struct store_backend *b);
void		 pg_release(struct store_backend *b, struct pg_conn *c);
/* Runs statement `id` on c. Returns 0 with *res set (PQclear() it), or
 * ERR_EXISTS for a constraint violation, or ERR_STORE. */
int		 pg_exec(struct pg_conn *c, enum stmt_id id,
		    const struct pg_params *p, PGresult **res);
/* Runs a write on c (inside the caller's transaction); *changes (if not
 * NULL) gets the rows it changed. */
int		 pg_run_on(struct pg_conn *c, enum stmt_id id,
		    const struct pg_params *p, int *changes);
/* A pooled connection with a transaction begun: *c is NULL (and ERR_STORE
 * returned) when none can be had; otherwise BEGIN's outcome is returned
 * and the caller ends with pg_finish(), whatever it was. */
int		 pg_begin(struct store_backend *b, struct pg_conn **c);
/* Ends the transaction on c: COMMIT when rc is 0, else ROLLBACK; returns
 * the outcome and gives c back to the pool. */
int		 pg_finish(struct store_backend *b, struct pg_conn *c, int rc);
/* pg_run_on() on a connection of its own. */
int		 pg_run(struct store_backend *b, enum stmt_id id,
		    const struct pg_params *p, int *changes);
/* Runs a statement that gives one row (INSERT ... RETURNING id) on c: its
 * first column into *out; ERR_NOTFOUND when it gives none. */
int		 pg_id_on(struct pg_conn *c, enum stmt_id id,
		    const struct pg_params *p, int64_t *out);
/* pg_write.c: pg_run() (pg_run_one() when `one`) with ev written in the
 * same transaction when the write succeeds and changed a row (none
 * changed is no change to record). */
int		 pg_run_event(struct store_backend *b, enum stmt_id id,
		    const struct pg_params *p, const struct event_new *ev,
		    bool one);
/* pg_write.c: an insert capped per account: in one transaction, the
 * account's row locked (STMT_ACCOUNT_LOCK), then `id`, an INSERT ...
 * SELECT ... WHERE <count below the cap> RETURNING id. *new_id gets the
 * id; ERR_TOOBIG when the count was at the cap (nothing stored). ev
 * (NULL: none) is written in the same transaction, about the new app
 * when new_app. */
int		 pg_insert_capped(struct store_backend *b, int64_t account_id,
		    enum stmt_id id, const struct pg_params *p,
		    int64_t *new_id, const struct event_new *ev, bool new_app);
/* pg_run() for a write that must touch a row: else ERR_NOTFOUND. */
int		 pg_run_one(struct store_backend *b, enum stmt_id id,
		    const struct pg_params *p);

typedef void	 pg_reader(const PGresult *res, int row, void *out);
/* Runs a statement and reads its first row into out; ERR_NOTFOUND when it
 * gives none. Also serves INSERT ... RETURNING. */
int		 pg_row(struct store_backend *b, enum stmt_id id,
		    const struct pg_params *p, pg_reader *read, void *out);
/* Runs statement `id` n times on c, inside its transaction, in one round
 * trip (libpq's pipeline mode): fill(arg, i, p) gives the i-th run's
 * parameters, each(arg, i, res) reads its result. Returns 0, or ERR_*
 * when one failed (the transaction is then spoiled). */
typedef void	 pg_fill(void *arg, size_t i, struct pg_params *p);
typedef void	 pg_each(void *arg, size_t i, const PGresult *res);
int		 pg_pipeline(struct pg_conn *c, enum stmt_id id, size_t n,
		    pg_fill *fill, pg_each *each, void *arg);
/* pg_row() keyed by one hash (tokens, sessions), for reads only: tried
 * again on another connection when its own was lost. */
int		 pg_row_by_hash(struct store_backend *b, enum stmt_id id,
		    const unsigned char *hash, pg_reader *read, void *out);
/* Runs a write keyed by one hash, with `now` as $2 unless it is -1. */
int		 pg_run_hash(struct store_backend *b, enum stmt_id id,
		    const unsigned char *hash, int64_t now);
/* Reads every row into a malloc'd array of `size`-byte slots; a read,
 * tried again as pg_row_by_hash(). */
int		 pg_rows(struct store_backend *b, enum stmt_id id,
		    const struct pg_params *p, pg_reader *read, size_t size,
		    void **rows, size_t *n);
/* Reads the first column of the first row as an id (for RETURNING id). */
void		 pg_read_id(const PGresult *res, int row, void *out);

int64_t		 pg_int(const PGresult *res, int row, int col);
bool		 pg_bool(const PGresult *res, int row, int col);
/* Copies a text column into dst (size dstlen), cut if needed. */
void		 pg_copy_text(char *dst, size_t dstlen, const PGresult *res,
		    int row, int col);
/* Decodes a bytea column of exactly `len` bytes into dst; false when it is
 * NULL or of another length. */
bool		 pg_copy_bytes(unsigned char *dst, size_t len,
		    const PGresult *res, int row, int col);
/* A DPoP binding (a SHA-256 thumbprint): *bound false, jkt zeroed, when
 * the column is NULL. */
void		 pg_read_jkt(const PGresult *res, int row, int col,
		    bool *bound, unsigned char jkt[SECURE_HASH_BYTES]);

int	pg_throttle_add(struct store_backend *b, const unsigned char *key,
	    int64_t now, int64_t window_s, int64_t *count, int64_t *window_end);
int	pg_throttle_undo(struct store_backend *b, const unsigned char *key,
	    int64_t window_end);
int	pg_throttle_clear(struct store_backend *b, const unsigned char *key);
int	pg_throttle_expire(struct store_backend *b, int64_t now, size_t batch,
	    size_t *removed);
int	pg_dpop_jti_claim(struct store_backend *b, const unsigned char *hash,
	    int64_t expires_at, int64_t now);
int	pg_gc(struct store_backend *b, enum store_gc_kind kind,
	    const struct store_horizon *h, size_t batch, size_t *removed);
int	pg_stats(struct store_backend *b, const struct store_horizon *h,
	    struct store_counts *out);
int	pg_account_insert(struct store_backend *b, const char *email,
	    const char *password_hash, int64_t now, int64_t *id,
	    const struct event_new *ev);
int	pg_account_by_email(struct store_backend *b, const char *email,
	    struct account *out);
int	pg_account_by_id(struct store_backend *b, int64_t id,
	    struct account *out);
/* Reads a row of ACCOUNT_COLUMNS (pg_sql.c) into a struct account. */
void	pg_read_account(const PGresult *res, int row, void *out);
int	pg_account_list(struct store_backend *b, const struct store_page *page,
	    struct account **rows, size_t *n);
int	pg_account_counts(struct store_backend *b, int64_t id,
	    const struct store_horizon *h, struct account_counts *out);
int	pg_account_disable(struct store_backend *b, int64_t id, int64_t now,
	    const struct event_new *ev);
int	pg_account_enable(struct store_backend *b, int64_t id);
int	pg_account_delete(struct store_backend *b, int64_t id);
int	pg_session_insert(struct store_backend *b, const unsigned char *hash,
	    int64_t account_id, int64_t now,
	    const struct session_origin *from, const struct event_new *ev);
/* pg_links.c: one-time links, verification, passwords, session lists */
int	pg_session_list(struct store_backend *b, int64_t account_id,
	    size_t max, struct session_row **rows, size_t *n);
int	pg_session_end(struct store_backend *b, int64_t account_id,
	    const unsigned char *hash, const struct event_new *ev);
int	pg_session_end_others(struct store_backend *b, int64_t account_id,
	    const unsigned char *keep, const struct event_new *ev);
int	pg_account_verify(struct store_backend *b, int64_t account_id,
	    const char *email);
int	pg_account_set_email(struct store_backend *b, int64_t account_id,
	    const char *email, const struct event_new *ev);
int	pg_account_set_password(struct store_backend *b, int64_t account_id,
	    const char *password_hash, const unsigned char *keep,
	    const struct event_new *ev);
int	pg_link_insert(struct store_backend *b, const unsigned char *hash,
	    const struct link_row *row);
int	pg_link_get(struct store_backend *b, const unsigned char *hash,
	    int purpose, struct link_row *out);
int	pg_link_take(struct store_backend *b, const unsigned char *hash,
	    int purpose, struct link_row *out);
int	pg_session_get(struct store_backend *b, const unsigned char *hash,
	    struct session_row *out);
int	pg_session_reauth(struct store_backend *b,
	    const unsigned char *hash, int64_t auth_time, unsigned amr);
int	pg_session_touch(struct store_backend *b, const unsigned char *hash,
	    int64_t now);
int	pg_session_delete(struct store_backend *b, const unsigned char *hash);
int	pg_session_trim(struct store_backend *b, int64_t account_id,
	    const unsigned char *keep, int64_t max);
int	pg_pat_insert(struct store_backend *b, int64_t account_id,
	    const unsigned char *hash, int64_t now, int64_t max, int64_t *id,
	    const struct event_new *ev);
int	pg_pat_by_hash(struct store_backend *b, const unsigned char *hash,
	    struct pat_row *out);
int	pg_pat_list(struct store_backend *b, int64_t account_id,
	    const struct store_page *page, struct pat_row **rows, size_t *n);
int	pg_pat_delete(struct store_backend *b, int64_t account_id,
	    int64_t id, const struct event_new *ev);
int	pg_pat_touch(struct store_backend *b, int64_t id, int64_t now);

int	pg_app_insert(struct store_backend *b, struct app_row *row,
	    int64_t max, const struct event_new *ev);
int	pg_app_get(struct store_backend *b, int64_t account_id,
	    const char *api_key, struct app_row *out);
int	pg_app_list(struct store_backend *b, int64_t account_id,
	    const struct store_page *page, struct app_row **rows, size_t *n);
int	pg_app_update(struct store_backend *b, const struct app_row *row,
	    const struct event_new *ev);
int	pg_app_delete(struct store_backend *b, int64_t account_id,
	    const char *api_key, const struct event_new *ev);
int	pg_app_set_secret(struct store_backend *b, int64_t account_id,
	    const char *api_key, const unsigned char *hash, int64_t now,
	    int64_t keep_s, const struct event_new *ev);
int	pg_app_revoke_old_secret(struct store_backend *b,
	    int64_t account_id, const char *api_key, int64_t secret_id,
	    int64_t now, const struct event_new *ev);
int	pg_cimd_app_put(struct store_backend *b, const struct app_row *row,
	    int64_t now);
int	pg_app_secret_used(struct store_backend *b, int64_t app_id,
	    int64_t secret_id, int64_t at);
int	pg_app_reuse_notice(struct store_backend *b, int64_t app_id,
	    int64_t now, int64_t gap_s);
int	pg_reveal_insert(struct store_backend *b, const unsigned char *hash,
	    int64_t expires_at);
int	pg_reveal_take(struct store_backend *b, const unsigned char *hash,
	    int64_t *expires_at);
int	pg_totp_get(struct store_backend *b, int64_t account_id,
	    struct totp_row *out);
int	pg_totp_insert(struct store_backend *b, int64_t account_id,
	    const struct totp_row *row,
	    const unsigned char (*hashes)[SECURE_HASH_BYTES], size_t n,
	    const struct event_new *ev);
int	pg_totp_step(struct store_backend *b, int64_t account_id,
	    int64_t step);
int	pg_totp_delete(struct store_backend *b, int64_t account_id,
	    const struct event_new *ev);
int	pg_recovery_list(struct store_backend *b, int64_t account_id,
	    unsigned char (*hashes)[SECURE_HASH_BYTES], size_t max, size_t *n);
int	pg_recovery_take(struct store_backend *b, int64_t account_id,
	    const unsigned char *hash);

int	pg_grant_upsert(struct store_backend *b, int64_t account_id,
	    int64_t app_id, unsigned scope, int64_t now, int64_t *grant_id);
int	pg_grant_get(struct store_backend *b, int64_t account_id,
	    int64_t app_id, int64_t *grant_id, unsigned *scope);
int	pg_grant_delete(struct store_backend *b, int64_t account_id,
	    int64_t app_id, const struct event_new *ev);
int	pg_grant_list(struct store_backend *b, int64_t account_id,
	    const struct store_page *page, struct grant_row **rows,
	    size_t *n);
/* The consent of row->account_id to row->app_id and the code, inside the
 * transaction on c (sets row->grant_id). */
int	pg_code_insert_on(struct pg_conn *c, const unsigned char *hash,
	    struct code_row *row, const struct event_new *ev);
int	pg_code_insert(struct store_backend *b, const unsigned char *hash,
	    struct code_row *row, const struct event_new *ev);
int	pg_code_get(struct store_backend *b, const unsigned char *hash,
	    struct code_row *out);
int	pg_code_take(struct store_backend *b, const unsigned char *hash,
	    int64_t app_id, struct code_row *out);
int	pg_issue(struct store_backend *b, struct issue *is);
int	pg_issue_in(struct pg_conn *c, struct issue *is);
/* The group commit of pg_group.c: issues and rotations that queue while
 * a transaction commits go together into the next one. */
struct pg_group;
struct pg_group *pg_group_start(struct store_backend *b);
void	pg_group_stop(struct pg_group *g);
/* The store's group, kept by the pool's struct (pg_pool.c) */
struct pg_group *pg_pool_group(const struct store_backend *b);
void	pg_pool_set_group(struct store_backend *b, struct pg_group *g);
int	pg_issue_grouped(struct store_backend *b, struct issue *is);
void	pg_refresh(struct store_backend *b, struct issue *is,
	    store_refresh_judge judge, void *ctx, struct token_row *parent,
	    store_done_fn done, void *arg);
int	pg_issue_many(struct store_backend *b, struct issue *is, int *rcs,
	    size_t n);
int	pg_family_revoke(struct store_backend *b, int64_t family_id,
	    const struct event_new *ev);
int	pg_access_get(struct store_backend *b, const unsigned char *hash,
	    struct token_row *out);
int	pg_access_touch(struct store_backend *b, const unsigned char *hash,
	    int64_t now);
/* pg_usage.c */
int	pg_usage_write(struct store_backend *b, const struct use_entry *uses,
	    size_t n, const struct usage_add *adds, size_t m,
	    int64_t live_hour);
int	pg_usage_read(struct store_backend *b, int64_t app_id, int64_t from,
	    int64_t to, struct usage_hour **rows, size_t *n);
int	pg_use_log_append(struct store_backend *b,
	    const struct use_entry *uses, size_t n);
/* The same inside the transaction on c (the usage write's). */
int	pg_use_log_append_on(struct pg_conn *c,
	    const struct use_entry *uses, size_t n);
int	pg_use_log_read(struct store_backend *b, int64_t after,
	    int64_t upto, struct use_fold *f,
	    int64_t **ids, size_t *nids);
int	pg_access_touch_many(struct store_backend *b,
	    const struct use_entry *uses, size_t n);
int	pg_use_log_delete(struct store_backend *b, const int64_t *ids,
	    size_t n);
int	pg_revision(struct store_backend *b, int64_t *n);
int	pg_access_page(struct store_backend *b, const unsigned char *after,
	    int64_t since, size_t max, struct live_token **rows, size_t *n);
int	pg_access_revoke(struct store_backend *b, const unsigned char *hash);
int	pg_refresh_get(struct store_backend *b, const unsigned char *hash,
	    struct token_row *out);
/* n parents' rows at once, inside the transaction on c (the group
 * commit's): rcs[i] 0 with rows[i] read, or ERR_NOTFOUND. Returns 0 or
 * the ERR_* code that spoiled the transaction. */
int	pg_refresh_get_many(struct pg_conn *c, const unsigned char **hashes,
	    size_t n, struct token_row **rows, int *rcs);
/* A rotation whose writes are its compare-and-set and the new pair (the
 * parent read and judged, the family known) */
bool	pg_plain_rotation(const struct issue *is);
/* n such rotations at once, inside the transaction on c: rcs[i] 0, or
 * ERR_CONFLICT when the parent was used (nothing written). Returns 0 or
 * the ERR_* code that spoiled the transaction. */
int	pg_rotate_many(struct pg_conn *c, struct issue **is, size_t n,
	    int *rcs);
int	pg_mail_add(struct store_backend *b, const char *recipient,
	    const char *message, int64_t now, int64_t *id);
int	pg_mail_claim(struct store_backend *b, int64_t now,
	    int64_t lease_until, struct mail_row *out);
int	pg_mail_delete(struct store_backend *b, int64_t id);
/* pg_par.c: pushed authorization requests (RFC 9126) */
int	pg_par_insert(struct store_backend *b, const unsigned char *hash,
	    const struct par_row *row);
int	pg_par_get(struct store_backend *b, const unsigned char *hash,
	    int64_t now, struct par_row *out);
int	pg_par_use(struct store_backend *b, const unsigned char *hash,
	    int64_t app_id, int64_t now);
/* pg_device.c: device grants (RFC 8628) */
int	pg_device_insert(struct store_backend *b, const unsigned char *hash,
	    const struct device_row *row);
int	pg_device_find(struct store_backend *b, const char *user_code,
	    int64_t now, struct device_row *out);
int	pg_device_decide(struct store_backend *b, const char *user_code,
	    const struct device_decision *d, const struct event_new *ev);
int	pg_device_poll(struct store_backend *b, const unsigned char *hash,
	    int64_t app_id, int64_t now, int64_t step_s,
	    struct device_row *out);
int	pg_signing_key_add(struct store_backend *b,
	    const struct signing_key_row *row);
int	pg_signing_key_list(struct store_backend *b,
	    struct signing_key_row **rows, size_t *n);
int	pg_resource_add(struct store_backend *b,
	    const struct resource_bit_row *rows, size_t n, unsigned keep);
int	pg_resource_list(struct store_backend *b,
	    struct resource_bit_row **rows, size_t *n);
int	pg_resource_delete(struct store_backend *b, const char *uri,
	    unsigned bits, unsigned keep);
int	pg_mail_retry(struct store_backend *b, int64_t id, int64_t attempts,
	    int64_t next_at, const char *error);
/* pg_events.c: security events. Put writes ev (nothing when NULL) inside
 * the transaction on c. */
int	pg_event_put(struct pg_conn *c, const struct event_new *ev);
/* pg_event_put() with the account and the app a write just made (0: ev's
 * own). */
int	pg_event_put_as(struct pg_conn *c, const struct event_new *ev,
	    int64_t account_id, int64_t app_id);
int	pg_event_add(struct store_backend *b, const struct event_new *ev);
int	pg_event_list(struct store_backend *b, int64_t account_id, int kind,
	    int64_t app_id, int64_t before, size_t max, struct event_row **rows,
	    size_t *n);

#endif
