/* keygate-bench-fill: fills a store for the benchmark (bench/README.md)
 * through the store interface (store_issue_many(), 5,000 tokens a
 * transaction, in the order of their hashes: see mint()), and writes the
 * raw credentials, which exist nowhere else (the store keeps SHA-256
 * hashes), into files that the wrk scripts read.
 *
 *   keygate-bench-fill --db URL_OR_PATH --out DIR --tokens N
 *       [--refresh M] [--codes K] [--append] [--accounts A] [--jobs J]
 *       [--login-accounts L] [--code-scope NAMES] [--dpop-jkt JKT]
 *       [--resource URI]
 *
 * A fresh store gets A accounts, one app with a secret, one grant per
 * account with every scope, then N live access tokens, M refresh tokens
 * (each with its access token, in a family of its own) and K authorization
 * codes with a PKCE S256 challenge (the four API scopes, the plain
 * exchange; --code-scope "account_read openid email" gives them that scope
 * instead, and with openid the nonce, auth_time and amr of a password
 * log-in just before, as authorize records them), and L more accounts with nothing but
 * the password (FILL_LOGIN_EMAIL_FMT), for the log-in flood: each may make
 * only so many personal tokens an hour. --append adds to a store filled
 * before, found through DIR/client.txt. --dpop-jkt binds this run's N
 * access tokens to the DPoP key of that RFC 7638 thumbprint (base64url,
 * keygate-bench-dpop --new-key prints it) and writes them to DIR/dpop.txt
 * instead of access.txt, which holds Bearer tokens only. --resource
 * makes this run's N access tokens (and a fresh store's grants) for a
 * resource registered before (`keygate resource add URI`) as well as for
 * the built-in API: their mask gets the resource's audience bit and its
 * scopes' bits, read back from the store (docs/REFERENCE.md §22.1).
 *
 * Files (every token line has the same length, so a wrk script can pick
 * line i with one seek instead of loading millions of lines):
 *   DIR/client.txt    api_key=, secret=, redirect_uri= lines
 *   DIR/access.txt    one access token a line (appended to by --append)
 *   DIR/refresh.txt   one refresh token a line (rewritten by each run
 *                     that asks for refresh tokens)
 *   DIR/codes.txt     "code verifier" a line (likewise rewritten); the
 *                     redirect_uri is client.txt's
 *   DIR/fill.json     what this run wrote and how long it took */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "core/apps.h"
#include "base/err.h"
#include "core/scopes.h"
#include "base/secure.h"
#include "core/tokens.h"
#include "store/store.h"

#define FILL_BATCH		5000
#define FILL_MAX_ACCOUNTS	64
#define FILL_MAX_JOBS		16
#define FILL_PASSWORD		"bench-password-not-secret"
#define FILL_REDIRECT_URI	"http://127.0.0.1:9/cb"
#define FILL_EMAIL_FMT		"bench-%d@example.test"
#define FILL_LOGIN_EMAIL_FMT	"bench-login-%d@example.test"
#define FILL_MAX_LOGIN_ACCOUNTS	4096
/* The plain code exchange's scope: the API's, no OpenID Connect, so that
 * no id_token is signed unless --code-scope asks for openid. */
#define FILL_API_SCOPES		(SCOPE_ACCOUNT_READ | SCOPE_ACCOUNT_UPDATE | \
				 SCOPE_CONTACT_DATA | SCOPE_CAMPAIGN_DATA)
/* a token: prefix, 11 base64url characters of time and 43 of randomness
 * (secure_token_sorted()) */
#define FILL_TOKEN_LEN		(6 + 11 + 43)

struct fill {
	struct store	*st;
	const char	*dir;
	int64_t		 app_id;
	char		 api_key[APP_API_KEY_MAX_BYTES + 1];
	int		 naccounts;
	int		 nlogin_accounts;
	int64_t		 account_ids[FILL_MAX_ACCOUNTS];
	int64_t		 grant_ids[FILL_MAX_ACCOUNTS];
	unsigned	 code_scope;	/* the scope of the codes filled */
	unsigned	 access_scope;	/* the access tokens' mask */
	bool		 bound;		/* the access tokens bound to jkt */
	unsigned char	 jkt[SECURE_HASH_BYTES];
};

/* A token pair made before it is written: the hashes the store gets and
 * the raw token the file gets (the refresh token's when there is one). */
struct minted {
	unsigned char	 access_hash[SECURE_HASH_BYTES];
	unsigned char	 refresh_hash[SECURE_HASH_BYTES];
	char		 line[FILL_TOKEN_LEN + 1];
};

/* One kind of token being written by the jobs, with its progress. */
struct run {
	struct fill	*f;
	struct minted	*minted;
	bool		 with_refresh;
	const char	*label;
	FILE		*out;
	int64_t		 total;
	int64_t		 next;		/* the next batch starts here */
	int64_t		 done;
	int		 failed;	/* the first ERR_* a job met */
	double		 started;
	double		 reported;
	pthread_mutex_t	 lock;
};

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
die(const char *what, int rc)
{
	fprintf(stderr, "keygate-bench-fill: %s%s%s\n", what,
	    rc != 0 ? ": " : "", rc != 0 ? err_name(rc) : "");
	exit(1);
}

/* Copies a NUL-terminated string that must fit. */
static void
copy(char *dst, size_t dstlen, const char *src)
{
	size_t n = strlen(src);

	if (n >= dstlen)
		die("a value too long for its field", 0);
	memcpy(dst, src, n + 1);
}

static FILE *
open_out(const char *dir, const char *name, const char *mode)
{
	char path[4096];
	FILE *fp;

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    (int)sizeof(path))
		die("--out is too long a path", 0);
	if ((fp = fopen(path, mode)) == NULL) {
		fprintf(stderr, "keygate-bench-fill: %s: %s\n", path,
		    strerror(errno));
		exit(1);
	}
	return fp;
}

static void
close_out(FILE *fp)
{
	if (fclose(fp) != 0)
		die("cannot write an output file (disk full?)", 0);
}

static void
usage(void)
{
	fprintf(stderr, "usage: keygate-bench-fill --db URL_OR_PATH "
	    "--out DIR --tokens N\n"
	    "           [--refresh M] [--codes K] [--append] "
	    "[--accounts A] [--jobs J]\n"
	    "           [--login-accounts L] [--code-scope NAMES] "
	    "[--dpop-jkt JKT]\n"
	    "           [--resource URI]\n");
	exit(2);
}

static int64_t
parse_count(const char *flag, const char *s, int64_t max)
{
	char *end;
	double v;

	/* 1e6 reads better than 1000000 on a command line */
	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || v < 0 ||
	    v > (double)max || v != (double)(int64_t)v) {
		fprintf(stderr, "keygate-bench-fill: %s wants a whole number "
		    "from 0 to %" PRId64 "\n", flag, max);
		exit(2);
	}
	return (int64_t)v;
}

/* The bits of the resource registered at `uri` (its audience and its
 * scopes), as the store holds them: whatever core/resources.c gave it. */
static unsigned
resource_bits(struct store *st, const char *uri)
{
	struct resource_bit_row *rows;
	unsigned bits = 0, aud = 0;
	size_t n;
	int rc;

	if ((rc = store_resource_list(st, &rows, &n)) != 0)
		die("cannot read the resources", rc);
	for (size_t k = 0; k < n; k++) {
		if (strcmp(rows[k].uri, uri) != 0)
			continue;
		bits |= 1u << rows[k].bit;
		if (rows[k].scope[0] == '\0')
			aud = 1u << rows[k].bit;
	}
	free(rows);
	if (aud == 0)
		die("--resource: no resource of that URI in the store "
		    "(keygate resource add URI first)", 0);
	return bits;
}

/* A fresh store: accounts, the app and its secret, the grants. */
static void
create_world(struct fill *f, int64_t now)
{
	char pwhash[SECURE_PWHASH_MAX], email[64];
	char secret[TOKEN_MAX_BYTES + 1], key[TOKEN_MAX_BYTES + 1];
	unsigned char hash[SECURE_HASH_BYTES];
	struct account a;
	struct app_row *app;
	FILE *fp;
	int rc;

	snprintf(email, sizeof(email), FILL_EMAIL_FMT, 1);
	rc = store_account_by_email(f->st, email, &a);
	if (rc == 0)
		die("the store holds bench accounts already: give a fresh "
		    "store, or --append", 0);
	if (rc != ERR_NOTFOUND)
		die("cannot read the store", rc);
	/* argon2id takes a while; every account may share the one hash */
	if (secure_password_hash(str_from(FILL_PASSWORD), pwhash) != 0)
		die("cannot hash the password", 0);
	for (int i = 0; i < f->naccounts; i++) {
		snprintf(email, sizeof(email), FILL_EMAIL_FMT, i + 1);
		rc = store_account_insert(f->st, email, pwhash, now,
		    &f->account_ids[i], NULL);
		if (rc != 0)
			die("cannot insert an account", rc);
	}
	for (int i = 0; i < f->nlogin_accounts; i++) {
		int64_t id;

		snprintf(email, sizeof(email), FILL_LOGIN_EMAIL_FMT, i + 1);
		rc = store_account_insert(f->st, email, pwhash, now, &id, NULL);
		if (rc != 0)
			die("cannot insert a log-in account", rc);
	}
	app = calloc(1, sizeof(*app));
	if (app == NULL)
		die("out of memory", 0);
	app->account_id = f->account_ids[0];
	secure_token(APP_API_KEY_PREFIX, key);
	copy(app->api_key, sizeof(app->api_key), key);
	snprintf(app->name, sizeof(app->name), "Bench client");
	snprintf(app->public_name, sizeof(app->public_name), "Bench client");
	snprintf(app->redirect_uris, sizeof(app->redirect_uris), "%s",
	    FILL_REDIRECT_URI);
	app->created_at = now;
	if ((rc = store_app_insert(f->st, app, INT64_MAX, NULL)) != 0)
		die("cannot insert the app", rc);
	f->app_id = app->id;
	copy(f->api_key, sizeof(f->api_key), app->api_key);
	free(app);
	/* as apps_new_secret() does: only the hash is kept */
	secure_token(APP_SECRET_PREFIX, secret);
	secure_hash(str_from(secret), hash);
	rc = store_app_set_secret(f->st, f->account_ids[0], f->api_key, hash,
	    now, NULL);
	if (rc != 0)
		die("cannot set the app's secret", rc);
	for (int i = 0; i < f->naccounts; i++) {
		rc = store_grant_upsert(f->st, f->account_ids[i], f->app_id,
		    f->access_scope, now, &f->grant_ids[i]);
		if (rc != 0)
			die("cannot insert a grant", rc);
	}
	fp = open_out(f->dir, "client.txt", "w");
	fprintf(fp, "api_key=%s\nsecret=%s\nredirect_uri=%s\n", f->api_key,
	    secret, FILL_REDIRECT_URI);
	close_out(fp);
	sodium_memzero(secret, sizeof(secret));
}

/* A store filled before: finds the app through DIR/client.txt, and the
 * bench accounts and their grants. */
static void
find_world(struct fill *f)
{
	char line[512], email[64];
	struct app_row *app;
	struct account a;
	unsigned scope;
	FILE *fp = open_out(f->dir, "client.txt", "r");
	int rc;

	f->api_key[0] = '\0';
	while (fgets(line, sizeof(line), fp) != NULL)
		if (strncmp(line, "api_key=", 8) == 0) {
			line[strcspn(line, "\r\n")] = '\0';
			copy(f->api_key, sizeof(f->api_key), line + 8);
		}
	fclose(fp);
	app = calloc(1, sizeof(*app));
	if (app == NULL)
		die("out of memory", 0);
	rc = store_app_get(f->st, STORE_ANY_ACCOUNT, f->api_key, app);
	if (rc != 0)
		die("--append: the app of client.txt is not in this store",
		    rc);
	f->app_id = app->id;
	free(app);
	f->naccounts = 0;
	for (int i = 0; i < FILL_MAX_ACCOUNTS; i++) {
		snprintf(email, sizeof(email), FILL_EMAIL_FMT, i + 1);
		rc = store_account_by_email(f->st, email, &a);
		if (rc == ERR_NOTFOUND)
			break;
		if (rc != 0)
			die("cannot read an account", rc);
		rc = store_grant_get(f->st, a.id, f->app_id,
		    &f->grant_ids[i], &scope);
		if (rc != 0)
			die("a bench account has no grant", rc);
		f->account_ids[i] = a.id;
		f->naccounts++;
	}
	if (f->naccounts == 0)
		die("--append: no bench account in this store", 0);
}

/* Claims the next batch: its first index and size (0 when none is left). */
static size_t
claim(struct run *r, int64_t *first)
{
	size_t n = 0;

	pthread_mutex_lock(&r->lock);
	*first = r->next;
	if (r->failed == 0 && r->next < r->total) {
		n = r->total - r->next < FILL_BATCH ?
		    (size_t)(r->total - r->next) : FILL_BATCH;
		r->next += (int64_t)n;
	}
	pthread_mutex_unlock(&r->lock);
	return n;
}

/* Records a committed batch: its lines go out, progress is told now and
 * then (every few seconds, so a 10^7 fill shows it is alive). */
static void
commit_lines(struct run *r, const char *lines, size_t n, int rc)
{
	double t;

	pthread_mutex_lock(&r->lock);
	if (rc != 0 && r->failed == 0)
		r->failed = rc;
	if (rc == 0) {
		if (fwrite(lines, FILL_TOKEN_LEN + 1, n, r->out) != n)
			r->failed = ERR_STORE;
		r->done += (int64_t)n;
	}
	t = now_s();
	if (t - r->reported >= 5 || r->done == r->total) {
		double rate = r->done / (t - r->started + 1e-9);

		fprintf(stderr, "  %s: %" PRId64 " / %" PRId64 " (%.0f/s, "
		    "%.0f s left)\n", r->label, r->done, r->total, rate,
		    rate > 0 ? (r->total - r->done) / rate : 0);
		r->reported = t;
	}
	pthread_mutex_unlock(&r->lock);
}

static void *
job(void *arg)
{
	struct run *r = arg;
	struct fill *f = r->f;
	struct issue *is = calloc(FILL_BATCH, sizeof(*is));
	int *rcs = calloc(FILL_BATCH, sizeof(*rcs));
	char *lines = malloc((size_t)FILL_BATCH * (FILL_TOKEN_LEN + 1));
	int64_t first;
	size_t n;

	if (is == NULL || rcs == NULL || lines == NULL)
		die("out of memory", 0);
	while ((n = claim(r, &first)) > 0) {
		int64_t now = (int64_t)time(NULL);
		int rc;

		for (size_t i = 0; i < n; i++) {
			struct issue *x = &is[i];
			const struct minted *m = &r->minted[first + (int64_t)i];
			int who = (int)((first + (int64_t)i) % f->naccounts);

			memset(x, 0, sizeof(*x));
			/* a family each: as many as a real store holds */
			x->grant_id = f->grant_ids[who];
			x->account_id = f->account_ids[who];
			x->app_id = f->app_id;
			/* a refresh run's pairs hold the API's scopes, as
			 * the plain code exchange's codes do: no id_token
			 * signed per rotation (the OpenID Connect exchanges
			 * measure that); the access tokens every scope,
			 * openid's userinfo among them */
			x->family_scope = x->scope = r->with_refresh ?
			    FILL_API_SCOPES : f->access_scope;
			x->now = now;
			memcpy(x->access_hash, m->access_hash,
			    SECURE_HASH_BYTES);
			x->with_refresh = r->with_refresh;
			x->access_bound = f->bound && !r->with_refresh;
			memcpy(x->jkt, f->jkt, SECURE_HASH_BYTES);
			memcpy(x->refresh_hash, m->refresh_hash,
			    SECURE_HASH_BYTES);
			memcpy(lines + i * (FILL_TOKEN_LEN + 1), m->line,
			    FILL_TOKEN_LEN + 1);
		}
		rc = store_issue_many(f->st, is, rcs, n);
		for (size_t i = 0; rc == 0 && i < n; i++)
			rc = rcs[i];
		commit_lines(r, lines, n, rc);
	}
	free(is);
	free(rcs);
	free(lines);
	return NULL;
}

static int
by_access_hash(const void *a, const void *b)
{
	return memcmp(((const struct minted *)a)->access_hash,
	    ((const struct minted *)b)->access_hash, SECURE_HASH_BYTES);
}

/* Makes every token first and sorts them by the access token's hash, the
 * key of the table they go into: inserted in key order, each batch fills
 * a few B-tree pages one after the other. In random order each token
 * dirties a page of its own once the table outgrows the cache, and a
 * commit writes that page out whole: 10^7 tokens would write some 80 GB
 * of WAL and checkpoint (SQLite went from 31,000 tokens/s at 10^5 to
 * 6,400/s at 10^6 that way). The pages end up fuller than in a store
 * grown over time; the tree is as deep. */
static struct minted *
mint(const char *label, bool with_refresh, int64_t total)
{
	struct minted *m = calloc((size_t)(total > 0 ? total : 1),
	    sizeof(*m));
	char tok[TOKEN_MAX_BYTES + 1];
	double started = now_s();

	if (m == NULL)
		die("out of memory for the tokens", 0);
	for (int64_t i = 0; i < total; i++) {
		secure_token_sorted(TOKENS_ACCESS_PREFIX, tok,
		    m[i].access_hash);
		if (with_refresh)
			secure_token_sorted(TOKENS_REFRESH_PREFIX, tok,
			    m[i].refresh_hash);
		/* the file gets the one the bench presents */
		if (strlen(tok) != FILL_TOKEN_LEN)
			die("a token of an unexpected length", 0);
		memcpy(m[i].line, tok, FILL_TOKEN_LEN);
		m[i].line[FILL_TOKEN_LEN] = '\n';
	}
	qsort(m, (size_t)total, sizeof(*m), by_access_hash);
	if (total >= 1000000)
		fprintf(stderr, "  %s: %" PRId64 " made and sorted in %.1f s\n",
		    label, total, now_s() - started);
	return m;
}

/* Writes `total` tokens with `jobs` threads; returns the seconds taken. */
static double
fill_tokens(struct fill *f, const char *label, bool with_refresh,
    FILE *out, int64_t total, int jobs)
{
	pthread_t tids[FILL_MAX_JOBS];
	struct run r;
	double t0;

	memset(&r, 0, sizeof(r));
	r.f = f;
	r.with_refresh = with_refresh;
	r.label = label;
	r.out = out;
	r.total = total;
	t0 = now_s();
	r.minted = mint(label, with_refresh, total);
	/* the rate shown is the store's, without the minting */
	r.started = r.reported = now_s();
	pthread_mutex_init(&r.lock, NULL);
	if (total > 0) {
		for (int i = 0; i < jobs; i++)
			if (pthread_create(&tids[i], NULL, job, &r) != 0)
				die("cannot start a thread", 0);
		for (int i = 0; i < jobs; i++)
			pthread_join(tids[i], NULL);
	}
	pthread_mutex_destroy(&r.lock);
	free(r.minted);
	if (r.failed != 0)
		die("a batch failed", r.failed);
	return now_s() - t0;
}

/* Codes have no batch call: each is its own transaction (a durable commit
 * each), which bounds how many can be had in a minute. */
static double
fill_codes(struct fill *f, FILE *out, int64_t total)
{
	char code[TOKEN_MAX_BYTES + 1], verifier[TOKEN_MAX_BYTES + 1];
	unsigned char hash[SECURE_HASH_BYTES], vhash[SECURE_HASH_BYTES];
	struct code_row row;
	double started = now_s(), reported = started;

	for (int64_t i = 0; i < total; i++) {
		int who = (int)(i % f->naccounts);
		int64_t now = (int64_t)time(NULL);
		int rc;

		memset(&row, 0, sizeof(row));
		row.grant_id = f->grant_ids[who];
		row.account_id = f->account_ids[who];
		row.app_id = f->app_id;
		row.issued_at = now;
		snprintf(row.redirect_uri, sizeof(row.redirect_uri), "%s",
		    FILL_REDIRECT_URI);
		row.scope = f->code_scope;
		row.expires_at = now + OAUTH_CODE_TTL_S;
		if (row.scope & SCOPE_OPENID) {
			/* what authorize keeps of a password log-in made
			 * just before the consent, and a client's nonce */
			row.auth_time = now;
			row.amr = AMR_PWD;
			secure_token("n-", row.nonce);
		}
		/* 43 base64url characters: a valid RFC 7636 verifier */
		secure_token("", verifier);
		secure_hash(str_from(verifier), vhash);
		sodium_bin2base64(row.challenge, sizeof(row.challenge), vhash,
		    sizeof(vhash), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
		secure_token(TOKENS_CODE_PREFIX, code);
		secure_hash(str_from(code), hash);
		if ((rc = store_code_insert(f->st, hash, &row, NULL)) != 0)
			die("cannot insert a code", rc);
		fprintf(out, "%s %s\n", code, verifier);
		if (now_s() - reported >= 5) {
			reported = now_s();
			fprintf(stderr, "  codes: %" PRId64 " / %" PRId64
			    " (%.0f/s)\n", i + 1, total,
			    (i + 1) / (reported - started));
		}
	}
	return now_s() - started;
}

int
main(int argc, char **argv)
{
	const char *db = NULL, *dir = NULL, *resource = NULL;
	int64_t ntokens = -1, nrefresh = 0, ncodes = 0;
	double t_access = 0, t_refresh = 0, t_codes = 0, t_open;
	bool append = false;
	int jobs = 0, applied, rc;
	struct fill f;
	char err[512];
	FILE *fp;

	memset(&f, 0, sizeof(f));
	f.naccounts = 8;
	f.code_scope = FILL_API_SCOPES;
	f.access_scope = SCOPE_BUILTIN;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] :
		    NULL;

		if (strcmp(a, "--append") == 0) {
			append = true;
			continue;
		}
		if (v == NULL)
			usage();
		i++;
		if (strcmp(a, "--db") == 0)
			db = v;
		else if (strcmp(a, "--out") == 0)
			dir = v;
		else if (strcmp(a, "--tokens") == 0)
			ntokens = parse_count(a, v, INT64_C(1000000000));
		else if (strcmp(a, "--refresh") == 0)
			nrefresh = parse_count(a, v, INT64_C(1000000000));
		else if (strcmp(a, "--codes") == 0)
			ncodes = parse_count(a, v, INT64_C(100000000));
		else if (strcmp(a, "--accounts") == 0)
			f.naccounts = (int)parse_count(a, v,
			    FILL_MAX_ACCOUNTS);
		else if (strcmp(a, "--login-accounts") == 0)
			f.nlogin_accounts = (int)parse_count(a, v,
			    FILL_MAX_LOGIN_ACCOUNTS);
		else if (strcmp(a, "--code-scope") == 0) {
			if (scopes_parse(str_from(v), &f.code_scope) != 0 ||
			    f.code_scope == 0) {
				fprintf(stderr, "keygate-bench-fill: "
				    "--code-scope: space-separated scope "
				    "names (docs/REFERENCE.md)\n");
				return 2;
			}
		} else if (strcmp(a, "--dpop-jkt") == 0) {
			size_t len = 0;

			if (sodium_base642bin(f.jkt, sizeof(f.jkt), v,
			    strlen(v), NULL, &len, NULL,
			    sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
			    len != sizeof(f.jkt)) {
				fprintf(stderr, "keygate-bench-fill: "
				    "--dpop-jkt: a SHA-256 thumbprint in "
				    "base64url\n");
				return 2;
			}
			f.bound = true;
		} else if (strcmp(a, "--resource") == 0)
			resource = v;
		else if (strcmp(a, "--jobs") == 0)
			jobs = (int)parse_count(a, v, FILL_MAX_JOBS);
		else
			usage();
	}
	if (db == NULL || dir == NULL || ntokens < 0 || f.naccounts < 1)
		usage();
	/* SQLite has one writer at a time; PostgreSQL commits in parallel
	 * and hides the round trips of one connection behind another's */
	if (jobs == 0)
		jobs = store_is_postgres(db) ? 4 : 1;
	f.dir = dir;
	/* The files hold live tokens and the app's secret: owner only,
	 * whatever umask the bench was started with, as keygate's own. */
	umask(077);
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		fprintf(stderr, "keygate-bench-fill: %s: %s\n", dir,
		    strerror(errno));
		return 1;
	}
	if (secure_init() != 0)
		die("cannot initialize libsodium", 0);
	t_open = now_s();
	if (store_open(db, &f.st, err, sizeof(err)) != 0) {
		fprintf(stderr, "keygate-bench-fill: %s\n", err);
		return 1;
	}
	if ((rc = store_migrate(f.st, &applied)) != 0)
		die("cannot migrate the store", rc);
	/* for the built-in API too: bits past its scopes make a mask for
	 * the built-in API only with its audience bit (core/scopes.h) */
	if (resource != NULL)
		f.access_scope |= SCOPE_AUD_BUILTIN |
		    resource_bits(f.st, resource);
	if (append)
		find_world(&f);
	else
		create_world(&f, (int64_t)time(NULL));
	t_open = now_s() - t_open;

	fp = f.bound ? open_out(dir, "dpop.txt", "w") :
	    open_out(dir, "access.txt", append ? "a" : "w");
	t_access = fill_tokens(&f, "access tokens", false, fp, ntokens, jobs);
	close_out(fp);
	if (nrefresh > 0 || !append) {
		fp = open_out(dir, "refresh.txt", "w");
		t_refresh = fill_tokens(&f, "refresh tokens", true, fp,
		    nrefresh, jobs);
		close_out(fp);
	}
	if (ncodes > 0 || !append) {
		fp = open_out(dir, "codes.txt", "w");
		t_codes = fill_codes(&f, fp, ncodes);
		close_out(fp);
	}
	store_close(f.st);

	fp = open_out(dir, "fill.json", "w");
	fprintf(fp, "{\"append\": %s, \"accounts\": %d, \"jobs\": %d, "
	    "\"access_tokens\": %" PRId64 ", \"access_s\": %.3f, "
	    "\"refresh_tokens\": %" PRId64 ", \"refresh_s\": %.3f, "
	    "\"codes\": %" PRId64 ", \"codes_s\": %.3f, "
	    "\"setup_s\": %.3f, \"access_scope\": %u}\n",
	    append ? "true" : "false", f.naccounts, jobs, ntokens, t_access,
	    nrefresh, t_refresh, ncodes, t_codes, t_open, f.access_scope);
	close_out(fp);
	fprintf(stderr, "keygate-bench-fill: %" PRId64 " access tokens in "
	    "%.1f s, %" PRId64 " refresh tokens in %.1f s, %" PRId64
	    " codes in %.1f s\n", ntokens, t_access, nrefresh, t_refresh,
	    ncodes, t_codes);
	return 0;
}
