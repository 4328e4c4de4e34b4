#include "store/store.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/mem.h"
#include "base/metrics.h"
#include "store/store_call.h"
#include "store/store_fold.h"
#include "store/store_impl.h"

void
store_on_taken(struct store *st, void (*fn)(void *arg), void *arg)
{
	st->taken = fn;
	st->taken_arg = arg;
}

bool
store_is_postgres(const char *url)
{
	return strncmp(url, "postgres://", 11) == 0 ||
	    strncmp(url, "postgresql://", 13) == 0;
}

void
store_url_redacted(const char *url, char *out, size_t len)
{
	const char *scheme = strstr(url, "://"), *auth, *at = NULL, *colon;
	char *query;
	size_t n;

	snprintf(out, len, "%s", url);
	if (!store_is_postgres(url) || scheme == NULL)
		return;
	/* postgres://user:password@host/db: keep everything but the
	 * password. The user part ends at the authority's last '@' (an '@'
	 * of the query, as in ?user=a@b, is none of it). */
	auth = scheme + 3;
	n = strcspn(auth, "/?#");
	for (size_t i = 0; i < n; i++)
		if (auth[i] == '@')
			at = auth + i;
	colon = at != NULL ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
	if (colon != NULL)
		snprintf(out, len, "%.*s:***%s", (int)(colon - url), url, at);
	/* A query that may name a password (libpq decodes %-escapes in
	 * its keys too) is dropped whole. */
	if ((query = strchr(out, '?')) != NULL &&
	    (strcasestr(query, "password") != NULL ||
	    strchr(query, '%') != NULL))
		*query = '\0';
}

int
store_url_check(const char *url, char *err, size_t errlen)
{
	const struct store_ops *ops = store_is_postgres(url) ?
	    &store_postgres_ops : &store_sqlite_ops;

	return ops->check_url != NULL ? ops->check_url(url, err, errlen) : 0;
}

int
store_open(const char *url, struct store **out, char *err, size_t errlen)
{
	struct store *st = xcalloc(1, sizeof(*st));
	int rc;

	pthread_mutex_init(&st->folding, NULL);
	st->ops = store_is_postgres(url) ? &store_postgres_ops :
	    &store_sqlite_ops;
	rc = st->ops->open(url, &st->backend, err, errlen);
	if (rc != 0) {
		pthread_mutex_destroy(&st->folding);
		free(st);
		return rc;
	}
	*out = st;
	return 0;
}

void
store_close(struct store *st)
{
	if (st == NULL)
		return;
	st->ops->close(st->backend);
	pthread_mutex_destroy(&st->folding);
	free(st);
}

int
store_migrate(struct store *st, int *applied)
{
	return CALL(migrate, applied);
}

int
store_ping(struct store *st)
{
	call_start_us = metrics_now_us();
	return counted(st->ops->ping(st->backend));
}

int
store_durable(struct store *st)
{
	int rc = st->ops->durable(st->backend);

	return rc == ERR_NOTFOUND ? ERR_INVALID : rc;
}

int
store_server_key(struct store *st, const char *name,
    unsigned char key[SECURE_KEY_BYTES])
{
	return CALL(server_key, name, key);
}

int
store_throttle_add(struct store *st,
    const unsigned char key[STORE_THROTTLE_KEY_BYTES], int64_t now,
    int64_t window_s, int64_t *count, int64_t *window_end)
{
	return CALL(throttle_add, key, now, window_s, count, window_end);
}

int
store_throttle_undo(struct store *st,
    const unsigned char key[STORE_THROTTLE_KEY_BYTES], int64_t window_end)
{
	return CALL(throttle_undo, key, window_end);
}

int
store_throttle_clear(struct store *st,
    const unsigned char key[STORE_THROTTLE_KEY_BYTES])
{
	return CALL(throttle_clear, key);
}

int
store_throttle_expire(struct store *st, int64_t now, size_t batch,
    size_t *removed)
{
	return CALL(throttle_expire, now, batch, removed);
}

int
store_dpop_jti_claim(struct store *st,
    const unsigned char hash[SECURE_HASH_BYTES], int64_t expires_at,
    int64_t now)
{
	return CALL(dpop_jti_claim, hash, expires_at, now);
}

int
store_app_insert(struct store *st, struct app_row *row, int64_t max,
    const struct event_new *ev)
{
	return CALL(app_insert, row, max, ev);
}

int
store_app_get(struct store *st, int64_t account_id, const char *api_key,
    struct app_row *out)
{
	return CALL(app_get, account_id, api_key, out);
}

int
store_app_list(struct store *st, int64_t account_id,
    const struct store_page *page, struct app_row **rows, size_t *n)
{
	return CALL(app_list, account_id, page, rows, n);
}

int
store_app_update(struct store *st, const struct app_row *row,
    const struct event_new *ev)
{
	return CALL(app_update, row, ev);
}

int
store_app_delete(struct store *st, int64_t account_id, const char *api_key,
    const struct event_new *ev)
{
	return store_taken(st, CALL(app_delete, account_id, api_key, ev));
}

int
store_app_set_secret(struct store *st, int64_t account_id,
    const char *api_key, const unsigned char hash[SECURE_HASH_BYTES],
    int64_t now, const struct event_new *ev)
{
	return store_app_rotate_secret(st, account_id, api_key, hash, now, 0,
	    ev);
}

int
store_app_rotate_secret(struct store *st, int64_t account_id,
    const char *api_key, const unsigned char hash[SECURE_HASH_BYTES],
    int64_t now, int64_t keep_s, const struct event_new *ev)
{
	struct app_row *row;
	int rc = CALL(app_set_secret, account_id, api_key, hash, now, keep_s,
	    ev);

	if (rc == 0)
		return store_taken(st, rc);
	if (rc != ERR_NOTFOUND)
		return rc;
	/* the statement's guard refused, or there is no such app: a read
	 * tells them apart (it may race a delete: then ERR_NOTFOUND, right
	 * as well) */
	row = xmalloc(sizeof(*row));
	rc = CALL(app_get, account_id, api_key, row);
	free(row);
	return rc == 0 ? ERR_CONFLICT : rc;
}

int
store_app_revoke_old_secret(struct store *st, int64_t account_id,
    const char *api_key, int64_t secret_id, int64_t now,
    const struct event_new *ev)
{
	return store_taken(st, CALL(app_revoke_old_secret, account_id,
	    api_key, secret_id, now, ev));
}

int
store_cimd_app_put(struct store *st, const struct app_row *row, int64_t now)
{
	return CALL(cimd_app_put, row, now);
}

int
store_app_secret_used(struct store *st, int64_t app_id, int64_t secret_id,
    int64_t at)
{
	return CALL(app_secret_used, app_id, secret_id, at);
}

int
store_app_reuse_notice(struct store *st, int64_t app_id, int64_t now,
    int64_t gap_s)
{
	return CALL(app_reuse_notice, app_id, now, gap_s);
}

int
store_grant_upsert(struct store *st, int64_t account_id, int64_t app_id,
    unsigned scope, int64_t now, int64_t *grant_id)
{
	return CALL(grant_upsert, account_id, app_id, scope, now, grant_id);
}

int
store_grant_get(struct store *st, int64_t account_id, int64_t app_id,
    int64_t *grant_id, unsigned *scope)
{
	return CALL(grant_get, account_id, app_id, grant_id, scope);
}

int
store_grant_delete(struct store *st, int64_t account_id, int64_t app_id,
    const struct event_new *ev)
{
	return store_taken(st, CALL(grant_delete, account_id, app_id, ev));
}

int
store_grant_list(struct store *st, int64_t account_id,
    const struct store_page *page, struct grant_row **rows, size_t *n)
{
	return CALL(grant_list, account_id, page, rows, n);
}

int
store_code_insert(struct store *st, const unsigned char hash[SECURE_HASH_BYTES],
    struct code_row *row, const struct event_new *ev)
{
	return CALL(code_insert, hash, row, ev);
}

int
store_code_get(struct store *st,
    const unsigned char hash[SECURE_HASH_BYTES], struct code_row *out)
{
	return CALL(code_get, hash, out);
}

int
store_code_take(struct store *st, const unsigned char hash[SECURE_HASH_BYTES],
    int64_t app_id, struct code_row *out)
{
	int rc = CALL(code_take, hash, app_id, out);

	if ((rc == 0 || rc == ERR_CONFLICT) && out->app_id != app_id) {
		/* another client's code: as if there were none */
		memset(out, 0, sizeof(*out));
		return ERR_NOTFOUND;
	}
	return rc;
}

int
store_issue(struct store *st, struct issue *is)
{
	int rc = CALL(issue, is);

	/* a retry deletes the unused pair it replaces */
	return is->retry ? store_taken(st, rc) : rc;
}

void
store_refresh(struct store *st, struct issue *is,
    store_refresh_judge judge, void *ctx, struct token_row *parent,
    store_done_fn done, void *arg)
{
	int rc;

	if (st->ops->refresh != NULL) {
		/* not through CALL(): it returns before the work is done, so
		 * its time would say nothing */
		st->ops->refresh(st->backend, is, judge, ctx, parent, done,
		    arg);
		return;
	}
	/* the parent's compare-and-set in store_issue() still guards
	 * against a concurrent rotation between the read and the write */
	if ((rc = CALL(refresh_get, is->parent_hash, parent)) == 0 &&
	    (rc = judge(ctx, parent, is)) == 0)
		rc = store_issue(st, is);
	done(arg, rc);
}

int
store_issue_many(struct store *st, struct issue *is, int *rcs, size_t n)
{
	int rc = CALL(issue_many, is, rcs, n);

	for (size_t i = 0; i < n; i++)
		if (is[i].retry)
			return store_taken(st, rc);
	return rc;
}

int
store_family_revoke(struct store *st, int64_t family_id,
    const struct event_new *ev)
{
	return store_taken(st, CALL(family_revoke, family_id, ev));
}

int
store_access_get(struct store *st, const unsigned char hash[SECURE_HASH_BYTES],
    struct token_row *out)
{
	return CALL(access_get, hash, out);
}

int
store_access_touch(struct store *st,
    const unsigned char hash[SECURE_HASH_BYTES], int64_t now)
{
	return CALL(access_touch, hash, now);
}

bool
store_is_shared(const struct store *st)
{
	return st->ops == &store_postgres_ops;
}

int
store_use_log_append(struct store *st, const struct use_entry *uses,
    size_t n)
{
	return n == 0 ? 0 : CALL(use_log_append, uses, n);
}

int
store_use_log_fold(struct store *st, size_t *folded)
{
	size_t total = 0;
	int rc;

	/* one fold at a time per handle: two would write the same tokens
	 * twice, for nothing */
	pthread_mutex_lock(&st->folding);
	rc = store_fold_log(st, &total);
	pthread_mutex_unlock(&st->folding);
	if (folded != NULL)
		*folded = total;
	return rc;
}

int
store_access_page(struct store *st,
    const unsigned char after[SECURE_HASH_BYTES], int64_t since,
    size_t max, struct live_token **rows, size_t *n)
{
	return CALL(access_page, after, since, max, rows, n);
}

int
store_revision(struct store *st, int64_t *n)
{
	return CALL(revision, n);
}

int
store_access_revoke(struct store *st,
    const unsigned char hash[SECURE_HASH_BYTES])
{
	return store_taken(st, CALL(access_revoke, hash));
}

int
store_refresh_get(struct store *st,
    const unsigned char hash[SECURE_HASH_BYTES], struct token_row *out)
{
	return CALL(refresh_get, hash, out);
}

int
store_gc(struct store *st, enum store_gc_kind kind,
    const struct store_horizon *h, size_t batch, size_t *removed)
{
	return CALL(gc, kind, h, batch, removed);
}

int
store_stats(struct store *st, const struct store_horizon *h,
    struct store_counts *out)
{
	return CALL(stats, h, out);
}
