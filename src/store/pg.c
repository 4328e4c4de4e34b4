/* The PostgreSQL backend: several keygate nodes share one database and
 * behave as one server. Every durable fact lives in the database, and so
 * do the throttle counters; what a node holds in memory (keys read at
 * start, caches) is either node-local by design or immutable. Durability: a write is answered only
 * after its COMMIT returned, so with synchronous_commit=on (PostgreSQL's
 * default) it survives power loss. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/embedded.h"
#include "base/err.h"
#include "base/log.h"
#include "base/mem.h"
#include "store/pg_stmt.h"
#include "store/pg_url.h"

/* Any fixed number: nodes that start together take this advisory lock in
 * turn, so one migrates and the others find the work done. */
#define MIGRATION_LOCK		"7246911382736451"
#define CLOCK_SKEW_WARN_S	2

extern const struct embedded_file migrations_postgres[];

static bool
exec_ok(PGconn *pg, const char *sql)
{
	PGresult *res = PQexec(pg, sql);
	ExecStatusType status = PQresultStatus(res);
	bool ok = status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;

	if (!ok)
		log_msg("error", "postgres: %s", PQerrorMessage(pg));
	PQclear(res);
	return ok;
}

/* Lifetimes are computed from each node's clock (so that --test-clock and
 * the pure lifetime rule work alike on both backends); nodes must agree
 * on the time. Say so loudly when this one does not agree with the
 * database's. */
static void
check_clock(PGconn *pg)
{
	PGresult *res = PQexec(pg, "SELECT extract(epoch FROM "
	    "clock_timestamp())::bigint");
	long long db, skew;

	if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1) {
		db = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
		skew = (long long)time(NULL) - db;
		if (skew > CLOCK_SKEW_WARN_S || skew < -CLOCK_SKEW_WARN_S)
			log_msg("warn", "postgres: this node's clock is %llds "
			    "off the database's; keep every node's clock "
			    "synchronized (docs/DEPLOYMENT.md)", skew);
	}
	PQclear(res);
}

static int
pg_check_url(const char *url, char *err, size_t errlen)
{
	bool add_read_write;

	return pg_url_check(url, &add_read_write, err, errlen);
}

static int
pg_open(const char *url, struct store_backend **out, char *err,
    size_t errlen)
{
	PGconn *probe = pg_connect(url, err, errlen);

	/* Connecting once here reports a bad URL at start, not on a
	 * request. */
	if (probe == NULL)
		return ERR_STORE;
	check_clock(probe);
	PQfinish(probe);
	*out = pg_pool_open(url);
	pg_group_start(*out);
	return 0;
}

static int
migration_version(const char *name)
{
	return (int)strtol(name, NULL, 10);
}

static int
apply_migration(PGconn *pg, const struct embedded_file *m, int *applied)
{
	char sql[160], *text;
	PGresult *res;
	bool done;

	if (!exec_ok(pg, "BEGIN"))
		return ERR_STORE;
	snprintf(sql, sizeof(sql), "SELECT 1 FROM schema_migrations "
	    "WHERE version = %d", migration_version(m->name));
	res = PQexec(pg, sql);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		PQclear(res);
		goto rollback;
	}
	done = PQntuples(res) > 0;
	PQclear(res);
	if (done)
		return exec_ok(pg, "COMMIT") ? 0 : ERR_STORE;
	text = xstrndup(m->data, m->len);
	if (!exec_ok(pg, text)) {
		free(text);
		goto rollback;
	}
	free(text);
	snprintf(sql, sizeof(sql), "INSERT INTO schema_migrations(version, "
	    "applied_at) VALUES (%d, extract(epoch FROM now())::bigint)",
	    migration_version(m->name));
	if (!exec_ok(pg, sql) || !exec_ok(pg, "COMMIT"))
		goto rollback;
	(*applied)++;
	return 0;

rollback:
	exec_ok(pg, "ROLLBACK");
	log_msg("error", "migration %s failed", m->name);
	return ERR_STORE;
}

static int
pg_migrate_all(struct store_backend *b, int *applied)
{
	char err[256];
	PGconn *pg;
	int rc = 0;

	*applied = 0;
	if ((pg = pg_pool_connect(b, err, sizeof(err))) == NULL) {
		log_msg("error", "postgres: cannot connect: %s", err);
		return ERR_STORE;
	}
	if (!exec_ok(pg, "SELECT pg_advisory_lock(" MIGRATION_LOCK ")")) {
		PQfinish(pg);
		return ERR_STORE;
	}
	if (!exec_ok(pg, "SET client_min_messages = warning; "
	    "CREATE TABLE IF NOT EXISTS schema_migrations ("
	    "version integer PRIMARY KEY, applied_at bigint NOT NULL)"))
		rc = ERR_STORE;
	for (const struct embedded_file *m = migrations_postgres;
	    rc == 0 && m->name != NULL; m++)
		rc = apply_migration(pg, m, applied);
	exec_ok(pg, "SELECT pg_advisory_unlock(" MIGRATION_LOCK ")");
	PQfinish(pg);
	return rc;
}

static void
pg_close(struct store_backend *b)
{
	pg_group_stop(pg_pool_group(b));
	pg_pool_close(b);
}

static int
pg_ping(struct store_backend *b)
{
	return pg_run(b, STMT_PING, NULL, NULL);
}

static int
pg_durable(struct store_backend *b)
{
	return pg_run_one(b, STMT_DURABLE, NULL);
}

static void
read_key(const PGresult *res, int row, void *out)
{
	/* A wrong length leaves the key zeroed; the caller checks it. */
	if (!pg_copy_bytes(out, SECURE_KEY_BYTES, res, row, 0))
		memset(out, 0, SECURE_KEY_BYTES);
}

static int
pg_server_key(struct store_backend *b, const char *name,
    unsigned char key[SECURE_KEY_BYTES])
{
	static const unsigned char zero[SECURE_KEY_BYTES];
	unsigned char fresh[SECURE_KEY_BYTES];
	struct pg_params p = { 0 };
	int rc;

	/* Insert-if-absent then read: whichever node inserts first wins and
	 * every node reads that one key. */
	secure_random(fresh, sizeof(fresh));
	pgp_text(&p, name);
	pgp_bytes(&p, fresh, sizeof(fresh));
	if ((rc = pg_run(b, STMT_KEY_INSERT, &p, NULL)) != 0)
		return rc;
	p.n = 1;
	rc = pg_row(b, STMT_KEY_GET, &p, read_key, key);
	if (rc == 0 && memcmp(key, zero, SECURE_KEY_BYTES) == 0)
		rc = ERR_STORE;
	return rc == ERR_NOTFOUND ? ERR_STORE : rc;
}

const struct store_ops store_postgres_ops = {
	.name = "postgres",
	.check_url = pg_check_url,
	.open = pg_open,
	.close = pg_close,
	.migrate = pg_migrate_all,
	.ping = pg_ping,
	.durable = pg_durable,
	.server_key = pg_server_key,
	.throttle_add = pg_throttle_add,
	.throttle_undo = pg_throttle_undo,
	.throttle_clear = pg_throttle_clear,
	.throttle_expire = pg_throttle_expire,
	.dpop_jti_claim = pg_dpop_jti_claim,
	.account_insert = pg_account_insert,
	.account_by_email = pg_account_by_email,
	.account_by_id = pg_account_by_id,
	.account_list = pg_account_list,
	.account_counts = pg_account_counts,
	.account_disable = pg_account_disable,
	.account_enable = pg_account_enable,
	.account_delete = pg_account_delete,
	.session_insert = pg_session_insert,
	.session_get = pg_session_get,
	.session_touch = pg_session_touch,
	.session_reauth = pg_session_reauth,
	.session_delete = pg_session_delete,
	.session_trim = pg_session_trim,
	.session_list = pg_session_list,
	.session_end = pg_session_end,
	.session_end_others = pg_session_end_others,
	.account_verify = pg_account_verify,
	.account_set_email = pg_account_set_email,
	.account_set_password = pg_account_set_password,
	.link_insert = pg_link_insert,
	.link_get = pg_link_get,
	.link_take = pg_link_take,
	.pat_insert = pg_pat_insert,
	.pat_by_hash = pg_pat_by_hash,
	.pat_list = pg_pat_list,
	.pat_delete = pg_pat_delete,
	.pat_touch = pg_pat_touch,
	.app_insert = pg_app_insert,
	.app_get = pg_app_get,
	.app_list = pg_app_list,
	.app_update = pg_app_update,
	.app_delete = pg_app_delete,
	.app_set_secret = pg_app_set_secret,
	.app_revoke_old_secret = pg_app_revoke_old_secret,
	.app_secret_used = pg_app_secret_used,
	.cimd_app_put = pg_cimd_app_put,
	.app_reuse_notice = pg_app_reuse_notice,
	.reveal_insert = pg_reveal_insert,
	.reveal_take = pg_reveal_take,
	.totp_get = pg_totp_get,
	.totp_insert = pg_totp_insert,
	.totp_step = pg_totp_step,
	.totp_delete = pg_totp_delete,
	.recovery_list = pg_recovery_list,
	.recovery_take = pg_recovery_take,
	.grant_upsert = pg_grant_upsert,
	.grant_get = pg_grant_get,
	.grant_delete = pg_grant_delete,
	.grant_list = pg_grant_list,
	.code_insert = pg_code_insert,
	.code_get = pg_code_get,
	.code_take = pg_code_take,
	.issue = pg_issue_grouped,
	.issue_many = pg_issue_many,
	.refresh = pg_refresh,
	.family_revoke = pg_family_revoke,
	.access_get = pg_access_get,
	.access_touch = pg_access_touch,
	.use_log_append = pg_use_log_append,
	.usage_write = pg_usage_write,
	.usage_read = pg_usage_read,
	.use_log_read = pg_use_log_read,
	.access_touch_many = pg_access_touch_many,
	.use_log_delete = pg_use_log_delete,
	.revision = pg_revision,
	.access_page = pg_access_page,
	.access_revoke = pg_access_revoke,
	.refresh_get = pg_refresh_get,
	.gc = pg_gc,
	.stats = pg_stats,
	.mail_add = pg_mail_add,
	.mail_claim = pg_mail_claim,
	.mail_delete = pg_mail_delete,
	.mail_retry = pg_mail_retry,
	.device_insert = pg_device_insert,
	.device_find = pg_device_find,
	.device_decide = pg_device_decide,
	.device_poll = pg_device_poll,
	.par_insert = pg_par_insert,
	.par_get = pg_par_get,
	.par_use = pg_par_use,
	.signing_key_add = pg_signing_key_add,
	.signing_key_list = pg_signing_key_list,
	.resource_add = pg_resource_add,
	.resource_list = pg_resource_list,
	.resource_delete = pg_resource_delete,
	.event_add = pg_event_add,
	.event_list = pg_event_list,
};
