#ifndef KEYGATE_STORE_STORE_IMPL_H
#define KEYGATE_STORE_STORE_IMPL_H

/* Seen only by the files of store/: the table of operations a backend
 * implements. Each operation has the contract of its store_* wrapper in
 * store.h. */

#include "store/rows.h"
#include "store/use_log.h"

struct store_backend;
struct usage_add;		/* store.h */

/* ev with the ids its write learned (each only when not 0): a new
 * account's, a new app's. Both backends' event_put_as() take it. */
static inline struct event_new
store_event_as(const struct event_new *ev, int64_t account_id,
    int64_t app_id)
{
	struct event_new e = *ev;

	if (account_id != 0)
		e.account_id = account_id;
	if (app_id != 0)
		e.app_id = app_id;
	return e;
}

struct store_ops {
	const char *name;
	/* NULL when any URL of its scheme will do until opened */
	int	(*check_url)(const char *url, char *err, size_t errlen);
	int	(*open)(const char *url, struct store_backend **out,
		    char *err, size_t errlen);
	void	(*close)(struct store_backend *b);
	int	(*migrate)(struct store_backend *b, int *applied);
	int	(*ping)(struct store_backend *b);
	int	(*durable)(struct store_backend *b);
	int	(*server_key)(struct store_backend *b, const char *name,
		    unsigned char key[SECURE_KEY_BYTES]);

	int	(*throttle_add)(struct store_backend *b,
		    const unsigned char *key, int64_t now, int64_t window_s,
		    int64_t *count, int64_t *window_end);
	int	(*throttle_undo)(struct store_backend *b,
		    const unsigned char *key, int64_t window_end);
	int	(*throttle_clear)(struct store_backend *b,
		    const unsigned char *key);
	int	(*throttle_expire)(struct store_backend *b, int64_t now,
		    size_t batch, size_t *removed);
	int	(*dpop_jti_claim)(struct store_backend *b,
		    const unsigned char *hash, int64_t expires_at,
		    int64_t now);

	int	(*account_insert)(struct store_backend *b, const char *email,
		    const char *password_hash, int64_t now, int64_t *id,
		    const struct event_new *ev);
	int	(*account_by_email)(struct store_backend *b,
		    const char *email, struct account *out);
	int	(*account_by_id)(struct store_backend *b, int64_t id,
		    struct account *out);
	int	(*account_list)(struct store_backend *b,
		    const struct store_page *page, struct account **rows,
		    size_t *n);
	int	(*account_counts)(struct store_backend *b, int64_t id,
		    const struct store_horizon *h, struct account_counts *out);
	int	(*account_disable)(struct store_backend *b, int64_t id,
		    int64_t now, const struct event_new *ev);
	int	(*account_enable)(struct store_backend *b, int64_t id);
	int	(*account_delete)(struct store_backend *b, int64_t id);

	int	(*session_insert)(struct store_backend *b,
		    const unsigned char *hash, int64_t account_id, int64_t now,
		    const struct session_origin *from,
		    const struct event_new *ev);
	int	(*session_get)(struct store_backend *b,
		    const unsigned char *hash, struct session_row *out);
	int	(*session_touch)(struct store_backend *b,
		    const unsigned char *hash, int64_t now);
	int	(*session_reauth)(struct store_backend *b,
		    const unsigned char *hash, int64_t auth_time, unsigned amr);
	int	(*session_delete)(struct store_backend *b,
		    const unsigned char *hash);
	int	(*session_trim)(struct store_backend *b, int64_t account_id,
		    const unsigned char *keep, int64_t max);

	int	(*session_list)(struct store_backend *b, int64_t account_id,
		    size_t max, struct session_row **rows, size_t *n);
	int	(*session_end)(struct store_backend *b, int64_t account_id,
		    const unsigned char *hash, const struct event_new *ev);
	int	(*session_end_others)(struct store_backend *b,
		    int64_t account_id, const unsigned char *keep,
		    const struct event_new *ev);
	int	(*account_verify)(struct store_backend *b, int64_t account_id,
		    const char *email);
	int	(*account_set_email)(struct store_backend *b,
		    int64_t account_id, const char *email,
		    const struct event_new *ev);
	int	(*account_set_password)(struct store_backend *b,
		    int64_t account_id, const char *password_hash,
		    const unsigned char *keep, const struct event_new *ev);
	int	(*link_insert)(struct store_backend *b,
		    const unsigned char *hash, const struct link_row *row);
	int	(*link_get)(struct store_backend *b, const unsigned char *hash,
		    int purpose, struct link_row *out);
	int	(*link_take)(struct store_backend *b,
		    const unsigned char *hash, int purpose,
		    struct link_row *out);

	int	(*pat_insert)(struct store_backend *b, int64_t account_id,
		    const unsigned char *hash, int64_t now, int64_t max,
		    int64_t *id, const struct event_new *ev);
	int	(*pat_by_hash)(struct store_backend *b,
		    const unsigned char *hash, struct pat_row *out);
	int	(*pat_list)(struct store_backend *b, int64_t account_id,
		    const struct store_page *page, struct pat_row **rows,
		    size_t *n);
	int	(*pat_delete)(struct store_backend *b, int64_t account_id,
		    int64_t id, const struct event_new *ev);
	int	(*pat_touch)(struct store_backend *b, int64_t id, int64_t now);

	int	(*app_insert)(struct store_backend *b, struct app_row *row,
		    int64_t max, const struct event_new *ev);
	int	(*app_get)(struct store_backend *b, int64_t account_id,
		    const char *api_key, struct app_row *out);
	int	(*app_list)(struct store_backend *b, int64_t account_id,
		    const struct store_page *page, struct app_row **rows,
		    size_t *n);
	int	(*app_update)(struct store_backend *b,
		    const struct app_row *row, const struct event_new *ev);
	int	(*app_delete)(struct store_backend *b, int64_t account_id,
		    const char *api_key, const struct event_new *ev);
	int	(*app_set_secret)(struct store_backend *b, int64_t account_id,
		    const char *api_key, const unsigned char *hash,
		    int64_t now, int64_t keep_s, const struct event_new *ev);
	int	(*app_revoke_old_secret)(struct store_backend *b,
		    int64_t account_id, const char *api_key, int64_t secret_id,
		    int64_t now, const struct event_new *ev);
	int	(*cimd_app_put)(struct store_backend *b,
		    const struct app_row *row, int64_t now);
	int	(*app_secret_used)(struct store_backend *b, int64_t app_id,
		    int64_t secret_id, int64_t at);
	int	(*app_reuse_notice)(struct store_backend *b, int64_t app_id,
		    int64_t now, int64_t gap_s);
	int	(*reveal_insert)(struct store_backend *b,
		    const unsigned char *hash, int64_t expires_at);
	int	(*reveal_take)(struct store_backend *b,
		    const unsigned char *hash, int64_t *expires_at);

	int	(*totp_get)(struct store_backend *b, int64_t account_id,
		    struct totp_row *out);
	int	(*totp_insert)(struct store_backend *b, int64_t account_id,
		    const struct totp_row *row,
		    const unsigned char (*hashes)[SECURE_HASH_BYTES],
		    size_t n, const struct event_new *ev);
	int	(*totp_step)(struct store_backend *b, int64_t account_id,
		    int64_t step);
	int	(*totp_delete)(struct store_backend *b, int64_t account_id,
		    const struct event_new *ev);
	int	(*recovery_list)(struct store_backend *b, int64_t account_id,
		    unsigned char (*hashes)[SECURE_HASH_BYTES], size_t max,
		    size_t *n);
	int	(*recovery_take)(struct store_backend *b, int64_t account_id,
		    const unsigned char *hash);

	int	(*grant_upsert)(struct store_backend *b, int64_t account_id,
		    int64_t app_id, unsigned scope, int64_t now,
		    int64_t *grant_id);
	int	(*grant_get)(struct store_backend *b, int64_t account_id,
		    int64_t app_id, int64_t *grant_id, unsigned *scope);
	int	(*grant_delete)(struct store_backend *b, int64_t account_id,
		    int64_t app_id, const struct event_new *ev);
	int	(*grant_list)(struct store_backend *b, int64_t account_id,
		    const struct store_page *page, struct grant_row **rows,
		    size_t *n);
	int	(*code_insert)(struct store_backend *b,
		    const unsigned char *hash, struct code_row *row,
		    const struct event_new *ev);
	int	(*code_get)(struct store_backend *b,
		    const unsigned char *hash, struct code_row *out);
	/* the compare-and-set with app_id, then the row whatever its
	 * client: store_code_take() hides another client's */
	int	(*code_take)(struct store_backend *b, const unsigned char *hash,
		    int64_t app_id, struct code_row *out);
	int	(*issue)(struct store_backend *b, struct issue *is);
	int	(*issue_many)(struct store_backend *b, struct issue *is,
		    int *rcs, size_t n);
	/* NULL: store_refresh() reads, judges and issues in turn */
	void	(*refresh)(struct store_backend *b, struct issue *is,
		    store_refresh_judge judge, void *ctx,
		    struct token_row *parent, store_done_fn done, void *arg);
	int	(*family_revoke)(struct store_backend *b, int64_t family_id,
		    const struct event_new *ev);
	int	(*access_get)(struct store_backend *b,
		    const unsigned char *hash, struct token_row *out);
	int	(*access_touch)(struct store_backend *b,
		    const unsigned char *hash, int64_t now);
	int	(*use_log_append)(struct store_backend *b,
		    const struct use_entry *uses, size_t n);
	/* the oldest USE_LOG_READ rows of the log with after < id <= upto:
	 * their uses added to f, their ids to a malloc'd *ids */
	int	(*use_log_read)(struct store_backend *b, int64_t after,
		    int64_t upto, struct use_fold *f, int64_t **ids,
		    size_t *nids);
	/* one transaction of store_access_touch() */
	int	(*access_touch_many)(struct store_backend *b,
		    const struct use_entry *uses, size_t n);
	/* one transaction */
	int	(*use_log_delete)(struct store_backend *b, const int64_t *ids,
		    size_t n);
	int	(*revision)(struct store_backend *b, int64_t *n);
	int	(*access_page)(struct store_backend *b,
		    const unsigned char *after, int64_t since, size_t max,
		    struct live_token **rows, size_t *n);
	int	(*access_revoke)(struct store_backend *b,
		    const unsigned char *hash);
	int	(*refresh_get)(struct store_backend *b,
		    const unsigned char *hash, struct token_row *out);
	int	(*gc)(struct store_backend *b, enum store_gc_kind kind,
		    const struct store_horizon *h, size_t batch,
		    size_t *removed);
	int	(*stats)(struct store_backend *b,
		    const struct store_horizon *h, struct store_counts *out);

	int	(*mail_add)(struct store_backend *b, const char *recipient,
		    const char *message, int64_t now, int64_t *id);
	int	(*mail_claim)(struct store_backend *b, int64_t now,
		    int64_t lease_until, struct mail_row *out);
	int	(*mail_delete)(struct store_backend *b, int64_t id);
	int	(*device_insert)(struct store_backend *b,
		    const unsigned char *hash, const struct device_row *row);
	int	(*device_find)(struct store_backend *b, const char *user_code,
		    int64_t now, struct device_row *out);
	int	(*device_decide)(struct store_backend *b,
		    const char *user_code, const struct device_decision *d,
		    const struct event_new *ev);
	int	(*device_poll)(struct store_backend *b,
		    const unsigned char *hash, int64_t app_id, int64_t now,
		    int64_t step_s, struct device_row *out);
	int	(*par_insert)(struct store_backend *b,
		    const unsigned char *hash, const struct par_row *row);
	int	(*par_get)(struct store_backend *b, const unsigned char *hash,
		    int64_t now, struct par_row *out);
	int	(*par_use)(struct store_backend *b, const unsigned char *hash,
		    int64_t app_id, int64_t now);
	int	(*signing_key_add)(struct store_backend *b,
		    const struct signing_key_row *row);
	int	(*signing_key_list)(struct store_backend *b,
		    struct signing_key_row **rows, size_t *n);
	int	(*resource_add)(struct store_backend *b,
		    const struct resource_bit_row *rows, size_t n,
		    unsigned keep);
	int	(*resource_list)(struct store_backend *b,
		    struct resource_bit_row **rows, size_t *n);
	int	(*resource_delete)(struct store_backend *b, const char *uri,
		    unsigned bits, unsigned keep);
	int	(*mail_retry)(struct store_backend *b, int64_t id,
		    int64_t attempts, int64_t next_at, const char *error);
	int	(*event_add)(struct store_backend *b,
		    const struct event_new *ev);
	int	(*event_list)(struct store_backend *b, int64_t account_id,
		    int kind, int64_t app_id, int64_t before, size_t max,
		    struct event_row **rows, size_t *n);
	int	(*usage_write)(struct store_backend *b,
		    const struct use_entry *uses, size_t n,
		    const struct usage_add *adds, size_t m, int64_t live_hour);
	int	(*usage_read)(struct store_backend *b, int64_t app_id,
		    int64_t from, int64_t to, struct usage_hour **rows,
		    size_t *n);
};

extern const struct store_ops store_sqlite_ops;
extern const struct store_ops store_postgres_ops;

#endif
