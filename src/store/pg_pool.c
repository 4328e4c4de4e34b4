/* The PostgreSQL backend's connection pool and statement runner.
 *
 * A node keeps up to PG_POOL_SIZE connections, opened on demand, each with
 * its statements prepared on first use. A request that finds every one
 * busy waits up to PG_ACQUIRE_WAIT_MS. When the database is unreachable,
 * requests fail at once (ERR_STORE, hence 503) rather than each waiting
 * for a connect timeout, and one attempt to reconnect is made at most
 * every PG_RETRY_MS: the node recovers by itself when the database
 * returns. */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/clock.h"
#include "base/err.h"
#include "base/log.h"
#include "base/mem.h"
#include "store/pg_stmt.h"
#include "store/pg_url.h"

#define PG_POOL_SIZE		16
#define PG_ACQUIRE_WAIT_MS	5000
#define PG_RETRY_MS		250

struct pg_conn {
	PGconn		*pg;
	bool		 prepared[STMT_COUNT];
	bool		 warned;	/* a WARNING since its statement
					 * began (on_notice()) */
	struct pg_conn	*next_idle;
};

struct store_backend {
	char		*url;
	pthread_mutex_t	 lock;		/* guards what follows */
	pthread_cond_t	 released;
	struct pg_conn	*idle;
	int64_t		 retry_at_ms;	/* fail fast until then */
	int64_t		 connected_at_ms; /* the last connect that worked */
	struct pg_conn	 conns[PG_POOL_SIZE];
	struct pg_group	*group;		/* pg_group.c's; set before any
					 * request, cleared after the last */
};

PGconn *
pg_connect(const char *url, char *err, size_t errlen)
{
	/* Later keywords override earlier ones, so the URL's own
	 * connect_timeout, if any, wins over ours. */
	/* A dead network path is noticed within seconds, not after TCP's
	 * retransmission timeout: the node then answers 503 and the cache
	 * stops being trusted. With several hosts, target_session_attrs
	 * comes before the URL too (pg_url.c: only added when the URL says
	 * nothing), so every connection, first or after a failover, walks
	 * the host list to the server that takes writes. */
	const char *keys[] = { "connect_timeout", "application_name",
	    "keepalives_idle", "keepalives_interval", "keepalives_count",
	    "tcp_user_timeout", "dbname", NULL, NULL };
	const char *values[] = { "3", "keygate", "5", "2", "2", "5000",
	    url, NULL, NULL };
	bool add_read_write;
	PGconn *pg;

	if (pg_url_check(url, &add_read_write, err, errlen) != 0)
		return NULL;
	if (add_read_write) {
		/* dbname=URL expands in place: what follows it overrides */
		keys[6] = "target_session_attrs";
		values[6] = "read-write";
		keys[7] = "dbname";
		values[7] = url;
	}
	pg = PQconnectdbParams(keys, values, 1);
	if (pg != NULL && PQstatus(pg) == CONNECTION_OK) {
		/* Only the primary message reaches the log: a DETAIL may
		 * quote stored values. */
		PQsetErrorVerbosity(pg, PQERRORS_TERSE);
		return pg;
	}
	snprintf(err, errlen, "%s", pg != NULL ? PQerrorMessage(pg) :
	    "out of memory");
	err[strcspn(err, "\n")] = '\0';
	PQfinish(pg);
	return NULL;
}

struct store_backend *
pg_pool_open(const char *url)
{
	struct store_backend *b = xcalloc(1, sizeof(*b));

	b->url = xstrdup(url);
	pthread_mutex_init(&b->lock, NULL);
	pthread_cond_init(&b->released, NULL);
	for (int i = PG_POOL_SIZE - 1; i >= 0; i--) {
		b->conns[i].next_idle = b->idle;
		b->idle = &b->conns[i];
	}
	return b;
}

struct pg_group *
pg_pool_group(const struct store_backend *b)
{
	return b->group;
}

void
pg_pool_set_group(struct store_backend *b, struct pg_group *g)
{
	b->group = g;
}

PGconn *
pg_pool_connect(struct store_backend *b, char *err, size_t errlen)
{
	return pg_connect(b->url, err, errlen);
}

void
pg_pool_close(struct store_backend *b)
{
	if (b == NULL)
		return;
	for (int i = 0; i < PG_POOL_SIZE; i++)
		PQfinish(b->conns[i].pg);
	pthread_cond_destroy(&b->released);
	pthread_mutex_destroy(&b->lock);
	free(b->url);
	free(b);
}

/* An idle connection has nothing to read; when it has, the server has
 * closed it (restart, failover, idle timeout) and said so. Checking costs
 * one poll() and spares the request a failure on a dead socket. */
static bool
conn_usable(const struct pg_conn *c)
{
	struct pollfd pfd;

	if (c->pg == NULL || PQstatus(c->pg) != CONNECTION_OK)
		return false;
	pfd.fd = PQsocket(c->pg);
	pfd.events = POLLIN;
	pfd.revents = 0;
	return poll(&pfd, 1, 0) == 0;
}

static void
conn_drop(struct pg_conn *c)
{
	PQfinish(c->pg);
	c->pg = NULL;
	memset(c->prepared, 0, sizeof(c->prepared));
}

/* Under b->lock: takes an idle connection, waiting for one if need be. */
static struct pg_conn *
take_idle(struct store_backend *b)
{
	struct timespec until;
	struct pg_conn *c;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += PG_ACQUIRE_WAIT_MS / 1000;
	while (b->idle == NULL)
		if (pthread_cond_timedwait(&b->released, &b->lock,
		    &until) == ETIMEDOUT && b->idle == NULL)
			return NULL;
	c = b->idle;
	b->idle = c->next_idle;
	return c;
}

/* A COMMIT whose wait for the synchronous standby is cancelled (by our
 * statement_timeout, the standby being gone) has committed here and may
 * not have reached the standby: PostgreSQL still reports success and says
 * so only in a WARNING (01000). Answered as done, it could be lost by a
 * failover; pg_exec() answers 503 instead, its outcome unknown. The
 * severity is read unlocalized, so any server language is understood. */
static void
on_notice(void *arg, const PGresult *res)
{
	struct pg_conn *c = arg;
	const char *sev = PQresultErrorField(res,
	    PG_DIAG_SEVERITY_NONLOCALIZED);
	const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);

	if (sev != NULL && strcmp(sev, "WARNING") == 0 && state != NULL &&
	    strcmp(state, "01000") == 0) {
		c->warned = true;
		log_msg("error", "postgres: %s", PQresultErrorField(res,
		    PG_DIAG_MESSAGE_PRIMARY));
	}
}

struct pg_conn *
pg_acquire(struct store_backend *b)
{
	struct pg_conn *c;
	char err[256];
	int64_t started;
	bool wait;

	pthread_mutex_lock(&b->lock);
	c = take_idle(b);
	wait = clock_monotonic_ms() < b->retry_at_ms;
	pthread_mutex_unlock(&b->lock);
	if (c == NULL) {
		log_msg("warn", "postgres: every pooled connection stayed busy "
		    "for %d ms", PG_ACQUIRE_WAIT_MS);
		return NULL;
	}
	if (conn_usable(c))
		return c;
	conn_drop(c);
	started = clock_monotonic_ms();
	if (!wait && (c->pg = pg_connect(b->url, err, sizeof(err))) != NULL) {
		/* no request waits on a stuck statement for long */
		PQclear(PQexec(c->pg, "SET statement_timeout = '10s'"));
		PQsetNoticeReceiver(c->pg, on_notice, c);
		pthread_mutex_lock(&b->lock);
		b->connected_at_ms = clock_monotonic_ms();
		b->retry_at_ms = 0;
		pthread_mutex_unlock(&b->lock);
		return c;
	}
	pthread_mutex_lock(&b->lock);
	/* An attempt that began before another one worked says nothing
	 * of the database now: it must not make the others fail fast. */
	if (!wait && b->connected_at_ms < started)
		b->retry_at_ms = clock_monotonic_ms() + PG_RETRY_MS;
	pthread_mutex_unlock(&b->lock);
	if (!wait)
		log_msg("error", "postgres: cannot connect: %s", err);
	pg_release(b, c);
	return NULL;
}

void
pg_release(struct store_backend *b, struct pg_conn *c)
{
	/* A connection left inside a transaction (a ROLLBACK that failed)
	 * must not carry its state into the next request. */
	if (c->pg != NULL && PQtransactionStatus(c->pg) != PQTRANS_IDLE)
		conn_drop(c);
	pthread_mutex_lock(&b->lock);
	c->next_idle = b->idle;
	b->idle = c;
	pthread_cond_signal(&b->released);
	pthread_mutex_unlock(&b->lock);
}

/* An error after which the connection's server is no place for a node's
 * writes: it became a standby or read-only (25006: a node never writes to
 * a standby), or it is shutting down, crashed or not yet accepting
 * (class 57P), or the link broke (class 08). The connection is dropped as
 * a lost one is, and the next one walks the URL's host list again
 * (pg_connect()) to whichever server takes writes now. */
static bool
server_gone(const char *state)
{
	return state != NULL && (strcmp(state, "25006") == 0 ||
	    strncmp(state, "57P", 3) == 0 || strncmp(state, "08", 2) == 0);
}

static int
result_err(struct pg_conn *c, PGresult *res)
{
	const char *state = res != NULL ?
	    PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	bool gone;

	/* Class 23, integrity constraint violation: a taken unique key or a
	 * row that went away under a reference. */
	if (state != NULL && strncmp(state, "23", 2) == 0) {
		PQclear(res);
		return ERR_EXISTS;
	}
	gone = server_gone(state);	/* state lives in res */
	log_msg("error", "postgres: %s", PQerrorMessage(c->pg));
	PQclear(res);
	if (PQstatus(c->pg) != CONNECTION_OK || gone)
		conn_drop(c);
	return ERR_STORE;
}

static bool
prepare(struct pg_conn *c, enum stmt_id id)
{
	char name[16];
	PGresult *res;
	bool ok;

	snprintf(name, sizeof(name), "kg%d", (int)id);
	res = PQprepare(c->pg, name, pg_sql[id], 0, NULL);
	ok = PQresultStatus(res) == PGRES_COMMAND_OK;
	if (!ok) {
		result_err(c, res);
		return false;
	}
	PQclear(res);
	c->prepared[id] = true;
	return true;
}

int
pg_exec(struct pg_conn *c, enum stmt_id id, const struct pg_params *p,
    PGresult **res)
{
	static const struct pg_params none;
	char name[16];
	ExecStatusType status;

	if (p == NULL)
		p = &none;
	if (c->pg == NULL || (!c->prepared[id] && !prepare(c, id)))
		return ERR_STORE;
	snprintf(name, sizeof(name), "kg%d", (int)id);
	c->warned = false;
	*res = PQexecPrepared(c->pg, name, p->n, p->values, p->lengths,
	    p->formats, 0);
	status = PQresultStatus(*res);
	if (c->warned && (status == PGRES_COMMAND_OK ||
	    status == PGRES_TUPLES_OK)) {
		/* done here, perhaps not on the standby (on_notice()) */
		PQclear(*res);
		*res = NULL;
		return ERR_STORE;
	}
	/* COMMIT of a transaction that an error spoiled succeeds as a
	 * ROLLBACK: nothing was written, so no answer may say it was */
	if (status == PGRES_COMMAND_OK && id == STMT_COMMIT &&
	    strcmp(PQcmdStatus(*res), "COMMIT") != 0) {
		log_msg("error", "postgres: a transaction rolled back at its "
		    "COMMIT");
		PQclear(*res);
		*res = NULL;
		return ERR_STORE;
	}
	if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK)
		return 0;
	return result_err(c, *res);
}

/* Reads a pipeline's n results (and its sync): the first error's ERR_*
 * code, 0 when every one succeeded. */
static int
pipeline_results(struct pg_conn *c, size_t n, pg_each *each, void *arg)
{
	PGresult *res;
	int rc = 0;

	for (size_t i = 0; i < n && c->pg != NULL; i++) {
		while ((res = PQgetResult(c->pg)) != NULL) {
			ExecStatusType status = PQresultStatus(res);

			if (status == PGRES_TUPLES_OK ||
			    status == PGRES_COMMAND_OK)
				each(arg, i, res);
			else if (status != PGRES_PIPELINE_ABORTED && rc == 0) {
				rc = result_err(c, res);	/* frees res */
				if (c->pg == NULL)
					return rc;
				continue;
			} else if (rc == 0)
				rc = ERR_STORE;
			PQclear(res);
		}
	}
	if (c->pg == NULL)
		return rc != 0 ? rc : ERR_STORE;
	res = PQgetResult(c->pg);
	if (PQresultStatus(res) != PGRES_PIPELINE_SYNC && rc == 0)
		rc = ERR_STORE;
	PQclear(res);
	if (PQexitPipelineMode(c->pg) != 1) {
		log_msg("error", "postgres: %s", PQerrorMessage(c->pg));
		conn_drop(c);
		return ERR_STORE;
	}
	return rc;
}

int
pg_pipeline(struct pg_conn *c, enum stmt_id id, size_t n, pg_fill *fill,
    pg_each *each, void *arg)
{
	char name[16];
	size_t sent = 0;
	int rc;

	if (n == 0)
		return 0;
	if (c->pg == NULL || (!c->prepared[id] && !prepare(c, id)))
		return ERR_STORE;
	if (PQenterPipelineMode(c->pg) != 1) {
		log_msg("error", "postgres: %s", PQerrorMessage(c->pg));
		return ERR_STORE;
	}
	snprintf(name, sizeof(name), "kg%d", (int)id);
	for (; sent < n; sent++) {
		struct pg_params p = { 0 };

		fill(arg, sent, &p);
		if (PQsendQueryPrepared(c->pg, name, p.n, p.values, p.lengths,
		    p.formats, 0) != 1) {
			log_msg("error", "postgres: %s",
			    PQerrorMessage(c->pg));
			break;
		}
	}
	if (PQpipelineSync(c->pg) != 1) {
		log_msg("error", "postgres: %s", PQerrorMessage(c->pg));
		conn_drop(c);
		return ERR_STORE;
	}
	rc = pipeline_results(c, sent, each, arg);
	return rc == 0 && sent < n ? ERR_STORE : rc;
}

/* Runs one statement on a connection of its own; *res as pg_exec(). A
 * `read` that fails because its connection was lost (a database restarted
 * since the connection was last used, which the idle check cannot always
 * tell) runs again on another: each try drops a dead connection, so the
 * pool bounds the tries. A write is never sent twice. */
static int
query(struct store_backend *b, enum stmt_id id, const struct pg_params *p,
    PGresult **res, bool read)
{
	for (int tries = 0;; tries++) {
		struct pg_conn *c = pg_acquire(b);
		bool lost;
		int rc;

		if (c == NULL)
			return ERR_STORE;
		rc = pg_exec(c, id, p, res);
		lost = rc == ERR_STORE && c->pg == NULL;
		pg_release(b, c);
		if (!read || !lost || tries + 1 >= PG_POOL_SIZE)
			return rc;
	}
}

int
pg_run_on(struct pg_conn *c, enum stmt_id id, const struct pg_params *p,
    int *changes)
{
	PGresult *res;
	int rc = pg_exec(c, id, p, &res);

	if (rc != 0)
		return rc;
	if (changes != NULL)
		*changes = (int)strtol(PQcmdTuples(res), NULL, 10);
	PQclear(res);
	return 0;
}

int
pg_run(struct store_backend *b, enum stmt_id id, const struct pg_params *p,
    int *changes)
{
	struct pg_conn *c = pg_acquire(b);
	int rc;

	if (c == NULL)
		return ERR_STORE;
	rc = pg_run_on(c, id, p, changes);
	pg_release(b, c);
	return rc;
}

int
pg_run_one(struct store_backend *b, enum stmt_id id,
    const struct pg_params *p)
{
	int changes = 0, rc = pg_run(b, id, p, &changes);

	return rc == 0 && changes == 0 ? ERR_NOTFOUND : rc;
}

/* pg_row(); `reading` says the statement writes nothing (query()). */
static int
row(struct store_backend *b, enum stmt_id id, const struct pg_params *p,
    pg_reader *read, void *out, bool reading)
{
	PGresult *res;
	int rc = query(b, id, p, &res, reading);

	if (rc != 0)
		return rc;
	if (PQntuples(res) == 0)
		rc = ERR_NOTFOUND;
	else
		read(res, 0, out);
	PQclear(res);
	return rc;
}

int
pg_id_on(struct pg_conn *c, enum stmt_id id, const struct pg_params *p,
    int64_t *out)
{
	PGresult *res;
	int rc = pg_exec(c, id, p, &res);

	if (rc != 0)
		return rc;
	if (PQntuples(res) == 1)
		*out = pg_int(res, 0, 0);
	else
		rc = ERR_NOTFOUND;
	PQclear(res);
	return rc;
}

int
pg_row(struct store_backend *b, enum stmt_id id, const struct pg_params *p,
    pg_reader *read, void *out)
{
	/* it also serves INSERT ... RETURNING: never sent twice */
	return row(b, id, p, read, out, false);
}

int
pg_row_by_hash(struct store_backend *b, enum stmt_id id,
    const unsigned char *hash, pg_reader *read, void *out)
{
	struct pg_params p = { 0 };

	pgp_hash(&p, hash);
	return row(b, id, &p, read, out, true);
}

int
pg_run_hash(struct store_backend *b, enum stmt_id id,
    const unsigned char *hash, int64_t now)
{
	struct pg_params p = { 0 };

	pgp_hash(&p, hash);
	if (now >= 0)
		pgp_int(&p, now);
	return pg_run(b, id, &p, NULL);
}

int
pg_begin(struct store_backend *b, struct pg_conn **c)
{
	if ((*c = pg_acquire(b)) == NULL)
		return ERR_STORE;
	return pg_run_on(*c, STMT_BEGIN, NULL, NULL);
}

int
pg_finish(struct store_backend *b, struct pg_conn *c, int rc)
{
	if (rc == 0)
		rc = pg_run_on(c, STMT_COMMIT, NULL, NULL);
	if (rc != 0 && pg_run_on(c, STMT_ROLLBACK, NULL, NULL) != 0)
		log_msg("error", "postgres: a failed transaction could not "
		    "roll back");
	pg_release(b, c);
	return rc;
}

int
pg_rows(struct store_backend *b, enum stmt_id id, const struct pg_params *p,
    pg_reader *read, size_t size, void **rows, size_t *n)
{
	PGresult *res;
	unsigned char *v;
	int count, rc = query(b, id, p, &res, true);

	if (rc != 0)
		return rc;
	count = PQntuples(res);
	v = xcalloc(count > 0 ? (size_t)count : 1, size);
	for (int i = 0; i < count; i++)
		read(res, i, v + (size_t)i * size);
	PQclear(res);
	*rows = v;
	*n = (size_t)count;
	return 0;
}
