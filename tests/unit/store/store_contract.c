/* The harness of the store contract suite: a fresh store per case on the
 * backend KEYGATE_TEST_STORE names, and the builders the cases share. */
#include "store_contract.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <sodium.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "base/limits.h"
#include "core/scopes.h"
#include "base/secure.h"

#define PG_HELP	"KEYGATE_TEST_STORE=postgres needs KEYGATE_TEST_PG, an " \
	"admin URL such as postgres://postgres@127.0.0.1:PORT/postgres " \
	"(scripts/pg_cluster.sh start DIR prints one)"

struct store *st;
struct contract_oauth fx;

static bool on_pg;
static char url[1024];		/* what store_open() gets */
static char sqlite_dir[64];
static char pg_admin[1024];
static char pg_shown[1024];	/* pg_admin without its password */
static char pg_db[32];

static void	store_open_url(void);
static bool	template_copy(void);

/* Runs one statement on the cluster's admin database. Returns 0, or -1
 * with the reason in why. */
static int
pg_exec(const char *sql, char *why, size_t whylen)
{
	PGconn *c = PQconnectdb(pg_admin);
	PGresult *r = NULL;
	int rc = -1;

	if (PQstatus(c) != CONNECTION_OK)
		snprintf(why, whylen, "cannot connect to %s: %s", pg_shown,
		    PQerrorMessage(c));
	else if (PQresultStatus(r = PQexec(c, sql)) != PGRES_COMMAND_OK)
		snprintf(why, whylen, "%s: %s", sql, PQerrorMessage(c));
	else
		rc = 0;
	PQclear(r);
	PQfinish(c);
	return rc;
}

/* The admin URL with its database replaced: scheme://authority/db?query */
static void
pg_url_for(const char *db)
{
	const char *auth = strstr(pg_admin, "://"), *query, *path;
	int n;

	cr_assert(auth != NULL, "KEYGATE_TEST_PG is not a URL: %s",
	    pg_shown);
	auth += 3;
	/* A query may hold slashes (host=/run/...); the path ends before. */
	if ((query = strchr(auth, '?')) == NULL)
		query = auth + strlen(auth);
	if ((path = memchr(auth, '/', (size_t)(query - auth))) == NULL)
		path = query;
	n = snprintf(url, sizeof(url), "%.*s/%s%s", (int)(path - pg_admin),
	    pg_admin, db, query);
	cr_assert(n > 0 && (size_t)n < sizeof(url), "KEYGATE_TEST_PG is "
	    "too long");
}

/* The run's migrated database on PostgreSQL, made by its first case and
 * copied by the others: a case's migrations cost about a second there,
 * its copy a twentieth. Named like the SQLite one (template_path()). */
static void
pg_template_name(char *out, size_t n, long runner)
{
	struct stat sb;
	long when = stat("/proc/self/exe", &sb) == 0 ? (long)sb.st_mtime : 0;

	snprintf(out, n, "kg_unit_tpl_%ld_%ld", runner, when);
}

/* Makes pg_db on the cluster: a copy of the run's template when asked and
 * there is one (true), else empty from template0 (false). A copy that
 * fails for any reason (no template yet, or one still being made; FILE_COPY
 * is new in PostgreSQL 15) leaves the case to migrate an empty one. */
static bool
pg_create(bool copy)
{
	const char *admin = getenv("KEYGATE_TEST_PG");
	unsigned char rnd[8];
	char sql[200], tpl[64], why[2048];
	int n;

	cr_assert(admin != NULL && admin[0] != '\0', "%s", PG_HELP);
	n = snprintf(pg_admin, sizeof(pg_admin), "%s", admin);
	cr_assert(n > 0 && (size_t)n < sizeof(pg_admin), "KEYGATE_TEST_PG "
	    "is too long");
	store_url_redacted(pg_admin, pg_shown, sizeof(pg_shown));
	secure_random(rnd, sizeof(rnd));
	memcpy(pg_db, "kg_unit_", 8);
	for (size_t i = 0; i < sizeof(rnd); i++)
		snprintf(pg_db + 8 + 2 * i, 3, "%02x", rnd[i]);
	pg_url_for(pg_db);
	pg_template_name(tpl, sizeof(tpl), (long)getppid());
	snprintf(sql, sizeof(sql), "CREATE DATABASE %s TEMPLATE %s "
	    "STRATEGY FILE_COPY", pg_db, tpl);
	if (copy && pg_exec(sql, why, sizeof(why)) == 0)
		return true;
	/* template0 with UTF8 and the C locale: text round-trips byte for
	 * byte whatever the cluster's defaults are. */
	snprintf(sql, sizeof(sql), "CREATE DATABASE %s TEMPLATE template0 "
	    "ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'", pg_db);
	cr_assert(pg_exec(sql, why, sizeof(why)) == 0, "%s", why);
	return false;
}

/* Copies the freshly migrated pg_db as the run's template. The store lets
 * go of it first: PostgreSQL copies no database with sessions on it. Of
 * two first cases one wins; the other's CREATE fails, and is let be. */
static void
pg_template_save(void)
{
	char sql[200], tpl[64], why[2048];

	store_close(st);
	st = NULL;
	pg_template_name(tpl, sizeof(tpl), (long)getppid());
	snprintf(sql, sizeof(sql), "CREATE DATABASE %s TEMPLATE %s "
	    "STRATEGY FILE_COPY", tpl, pg_db);
	(void)pg_exec(sql, why, sizeof(why));
	store_open_url();
}

const char *
contract_sqlite_path(void)
{
	return on_pg ? NULL : url;
}

const char *
contract_pg_url(void)
{
	return on_pg ? url : NULL;
}

static void
sqlite_create(void)
{
	memcpy(sqlite_dir, "/tmp/kg-unit-store-XXXXXX", 26);
	cr_assert(mkdtemp(sqlite_dir) != NULL, "mkdtemp: %s",
	    strerror(errno));
	snprintf(url, sizeof(url), "%s/keygate.db", sqlite_dir);
}

/* The backend KEYGATE_TEST_STORE names, and a new place on it: a copy of
 * the run's migrated template when `copy` and there is one (true), else an
 * empty one (false). */
static bool
backend_create(bool copy)
{
	const char *backend = getenv("KEYGATE_TEST_STORE");

	/* secure_random() needs libsodium only; secure_init() would also
	 * spend an argon2 hash on every case. */
	cr_assert(sodium_init() >= 0, "sodium_init failed");
	/* Never a default: a runner that drops the variable must not pass
	 * the postgres registration on SQLite. */
	cr_assert(backend != NULL, "set KEYGATE_TEST_STORE to sqlite or "
	    "postgres");
	on_pg = strcmp(backend, "postgres") == 0;
	cr_assert(on_pg || strcmp(backend, "sqlite") == 0,
	    "KEYGATE_TEST_STORE=%s: want sqlite or postgres", backend);
	if (on_pg)
		return pg_create(copy);
	sqlite_create();
	return copy && template_copy();
}

static void
store_open_url(void)
{
	char err[512] = "", shown[sizeof(url)];

	store_url_redacted(url, shown, sizeof(shown));
	cr_assert(store_open(url, &st, err, sizeof(err)) == 0,
	    "store_open(%s): %s", shown, err);
}

void
contract_setup_bare(void)
{
	(void)backend_create(false);
	store_open_url();
}

/* SQLite: the run's migrated database, made by its first case and copied
 * by the others, since the migrations cost seconds a case under valgrind.
 * Named by the Criterion runner (every case's parent) and the test
 * binary's time, so that no other run or build ever reads it; the runner
 * removes it at the end (template_remove()). */
static void
template_path(char *out, size_t n)
{
	struct stat sb;
	long when = stat("/proc/self/exe", &sb) == 0 ? (long)sb.st_mtime : 0;

	snprintf(out, n, "/tmp/kg-unit-store-template-%ld-%ld.db",
	    (long)getppid(), when);
}

/* Copies the template to url; false when there is none yet. */
static bool
template_copy(void)
{
	char tpl[128], buf[65536];
	int in, out;
	ssize_t n;

	template_path(tpl, sizeof(tpl));
	if ((in = open(tpl, O_RDONLY)) < 0)
		return false;
	out = open(url, O_WRONLY | O_CREAT | O_EXCL, 0600);
	cr_assert(out >= 0, "create %s: %s", url, strerror(errno));
	while ((n = read(in, buf, sizeof(buf))) > 0)
		cr_assert_eq(write(out, buf, (size_t)n), n, "write %s", url);
	cr_assert_eq(n, 0, "read %s: %s", tpl, strerror(errno));
	close(in);
	cr_assert_eq(close(out), 0);
	return true;
}

/* Writes the freshly migrated store as the template: a snapshot through
 * a connection of its own (VACUUM INTO), put in place by link() so that
 * of two first cases one wins and nobody reads half a file. */
static void
template_save(void)
{
	char tpl[128], tmp[160], sql[256];
	sqlite3 *db = NULL;

	template_path(tpl, sizeof(tpl));
	snprintf(tmp, sizeof(tmp), "%s.%ld", tpl, (long)getpid());
	snprintf(sql, sizeof(sql), "VACUUM INTO '%s'", tmp);
	cr_assert_eq(sqlite3_open(url, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK,
	    "%s: %s", sql, sqlite3_errmsg(db));
	sqlite3_close(db);
	(void)link(tmp, tpl);
	unlink(tmp);
}

/* The runner's PostgreSQL template, dropped like the SQLite one. */
static void
pg_template_remove(void)
{
	const char *admin = getenv("KEYGATE_TEST_PG");
	const char *backend = getenv("KEYGATE_TEST_STORE");
	char sql[128], tpl[64], why[2048];

	if (admin == NULL || backend == NULL || strcmp(backend, "postgres") ||
	    snprintf(pg_admin, sizeof(pg_admin), "%s", admin) >=
	    (int)sizeof(pg_admin))
		return;
	pg_template_name(tpl, sizeof(tpl), (long)getpid());
	snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)",
	    tpl);
	if (pg_exec(sql, why, sizeof(why)) != 0)
		fprintf(stderr, "%s\n", why);
}

ReportHook(POST_ALL)(struct criterion_global_stats *stats)
{
	char pattern[128];
	glob_t g;

	(void)stats;
	pg_template_remove();
	/* the runner: its pid is what its cases' getppid() gave */
	snprintf(pattern, sizeof(pattern),
	    "/tmp/kg-unit-store-template-%ld-*.db", (long)getpid());
	if (glob(pattern, 0, NULL, &g) != 0)
		return;
	for (size_t i = 0; i < g.gl_pathc; i++)
		unlink(g.gl_pathv[i]);
	globfree(&g);
}

void
contract_setup(void)
{
	int applied = -1;
	bool copied;

	copied = backend_create(true);
	store_open_url();
	cr_assert(store_migrate(st, &applied) == 0, "store_migrate failed");
	if (copied) {
		cr_assert_eq(applied, 0, "the template lacked %d migrations",
		    applied);
		return;
	}
	cr_assert(applied > 0, "a fresh store applied %d migrations",
	    applied);
	if (on_pg)
		pg_template_save();
	else
		template_save();
}

void
contract_teardown(void)
{
	static const char *const ext[] = { "", "-wal", "-shm", "-journal" };
	char path[sizeof(url) + 16], sql[96], why[2048];

	store_close(st);
	st = NULL;
	if (on_pg && pg_db[0] != '\0') {
		/* WITH (FORCE): a connection the backend failed to close
		 * must not keep the database alive. */
		snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s "
		    "WITH (FORCE)", pg_db);
		if (pg_exec(sql, why, sizeof(why)) != 0)
			cr_log_warn("%s", why);
	}
	if (on_pg || sqlite_dir[0] == '\0')
		return;
	for (size_t i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
		snprintf(path, sizeof(path), "%s%s", url, ext[i]);
		unlink(path);
	}
	rmdir(sqlite_dir);
}

struct store *
contract_reopen(void)
{
	struct store *other = NULL;
	char err[512] = "";

	cr_assert_eq(store_open(url, &other, err, sizeof(err)), 0,
	    "second store_open: %s", err);
	return other;
}

int
contract_rounds(int full)
{
	const char *light = getenv("KEYGATE_TEST_LIGHT");

	return light != NULL && light[0] != '\0' && full > 3 ? 3 : full;
}

void
contract_hash(unsigned char h[SECURE_HASH_BYTES])
{
	static atomic_uint counter;
	unsigned n = atomic_fetch_add(&counter, 1) + 1;

	/* The counter alone makes them distinct; the random rest keeps a
	 * backend from passing on hashes that are mostly zero. */
	secure_random(h, SECURE_HASH_BYTES);
	memcpy(h, &n, sizeof(n));
}

int64_t
contract_account(const char *email)
{
	int64_t id = 0;

	cr_assert_eq(store_account_insert(st, email, "$argon2id$stub", T0,
	    &id, NULL), 0, "insert account %s", email);
	cr_assert_gt(id, 0);
	return id;
}

void
contract_app(int64_t owner, const char *api_key, int64_t now,
    struct app_row *row)
{
	memset(row, 0, sizeof(*row));
	row->account_id = owner;
	SET(row->api_key, api_key);
	snprintf(row->name, sizeof(row->name), "App %s", api_key);
	SET(row->redirect_uris, "https://app.example.com/cb");
	row->created_at = now;
	cr_assert_eq(store_app_insert(st, row, NO_CAP, NULL), 0,
	    "insert app %s",
	    api_key);
	cr_assert_gt(row->id, 0);
}

void
contract_fill(char *dst, const char *ch, size_t n)
{
	size_t len = strlen(ch);

	cr_assert_eq(n % len, 0);
	for (size_t i = 0; i < n; i += len)
		memcpy(dst + i, ch, len);
	dst[n] = '\0';
}

void
contract_oauth_setup(void)
{
	contract_setup();
	fx.dev = contract_account("dev@example.com");
	fx.ann = contract_account("ann@example.com");
	fx.bob = contract_account("bob@example.com");
	contract_app(fx.dev, "kg_ak_printer", T0, &fx.app);
	SET(fx.app.public_name, "Printer Co \xe2\x9c\x93");
	cr_assert_eq(store_app_update(st, &fx.app, NULL), 0);
	contract_app(fx.dev, "kg_ak_scanner", T0, &fx.app2);
}

int64_t
contract_grant(int64_t account_id, const struct app_row *a, unsigned scope)
{
	int64_t id = 0;

	cr_assert_eq(store_grant_upsert(st, account_id, a->id, scope, T0,
	    &id), 0);
	cr_assert_gt(id, 0);
	return id;
}

void
contract_insert_code(const unsigned char hash[SECURE_HASH_BYTES],
    int64_t grant_id, unsigned scope)
{
	struct code_row c;

	memset(&c, 0, sizeof(c));
	c.grant_id = grant_id;
	SET(c.redirect_uri, "https://app.example.com/cb");
	c.scope = scope;
	c.expires_at = T0 + OAUTH_CODE_TTL_S;
	cr_assert_eq(store_code_insert(st, hash, &c, NULL), 0);
}

void
contract_family(int64_t grant_id, unsigned scope, int64_t now,
    struct issue *is)
{
	memset(is, 0, sizeof(*is));
	is->grant_id = grant_id;
	is->family_scope = is->scope = scope;
	is->now = now;
	contract_hash(is->access_hash);
	is->with_refresh = true;
	contract_hash(is->refresh_hash);
}

void
contract_issue_new(int64_t grant_id, unsigned scope, int64_t now,
    struct issue *is)
{
	contract_family(grant_id, scope, now, is);
	cr_assert_eq(store_issue(st, is), 0);
	cr_assert_gt(is->family_id, 0);
}

void
contract_ann_family(int64_t now, struct issue *is)
{
	contract_issue_new(contract_grant(fx.ann, &fx.app, SCOPE_BUILTIN),
	    SCOPE_BUILTIN, now, is);
}

void
contract_rotation(const struct issue *from, unsigned scope, int64_t now,
    struct issue *is)
{
	contract_family(from->grant_id, scope, now, is);
	is->family_id = from->family_id;
	is->family_scope = from->family_scope;
	is->parent_hash = from->refresh_hash;
}

void
contract_expect_token(const struct token_row *t, const struct issue *is,
    int64_t last_used, bool revoked)
{
	cr_expect_eq(t->family_id, is->family_id);
	cr_expect_eq(t->grant_id, is->grant_id);
	cr_expect_eq(t->account_id, fx.ann);
	cr_expect_eq(t->app_id, fx.app.id);
	cr_expect_str_eq(t->api_key, fx.app.api_key);
	cr_expect_eq(t->scope, is->scope);
	cr_expect_eq(t->family_scope, is->family_scope);
	cr_expect_eq(t->iat, is->now);
	cr_expect_eq(t->last_used, last_used);
	cr_expect_eq(t->revoked, revoked);
}

void
contract_expect_no_pair(const struct issue *is, const char *why)
{
	struct token_row t;

	cr_expect_eq(store_access_get(st, is->access_hash, &t), ERR_NOTFOUND,
	    "access token: %s", why);
	cr_expect_eq(store_refresh_get(st, is->refresh_hash, &t),
	    ERR_NOTFOUND, "refresh token: %s", why);
}

struct waiter {
	pthread_mutex_t	 lock;
	pthread_cond_t	 cond;
	bool		 done;
	int		 rc;
};

static void
waiter_done(void *arg, int rc)
{
	struct waiter *w = arg;

	pthread_mutex_lock(&w->lock);
	w->rc = rc;
	w->done = true;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
}

int
contract_refresh_wait(struct issue *is, store_refresh_judge judge, void *ctx,
    struct token_row *parent)
{
	struct waiter w = { .done = false };

	pthread_mutex_init(&w.lock, NULL);
	pthread_cond_init(&w.cond, NULL);
	store_refresh(st, is, judge, ctx, parent, waiter_done, &w);
	pthread_mutex_lock(&w.lock);
	while (!w.done)
		pthread_cond_wait(&w.cond, &w.lock);
	pthread_mutex_unlock(&w.lock);
	pthread_cond_destroy(&w.cond);
	pthread_mutex_destroy(&w.lock);
	return w.rc;
}
