#include "core/config.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/limits.h"
#include "base/mem.h"
#include "base/str.h"
#include "store/store.h"

/* OPT_SECRET: a string from its variable or the file, never a flag, which
 * `ps` shows to every user of the machine; wiped when replaced */
enum opt_kind { OPT_STRING, OPT_BOOL, OPT_INT, OPT_SECRET };

struct opt {
	const char	*flag;		/* without the leading dashes */
	const char	*env;
	enum opt_kind	 kind;
	size_t		 offset;
	long long	 min, max;
	const char	*help;
};

#define OFF(f)	offsetof(struct config, f)
#define DAY	86400LL
#define YEAR	(366 * DAY)

static const struct opt opts[] = {
	{ "db", "KEYGATE_DB", OPT_STRING, OFF(db), 0, 0,
	  "SQLite file, or postgres://... (default keygate.db), several "
	  "hosts as postgres://h1,h2/db (only the primary used); a URL with "
	  "a password only in KEYGATE_DB" },
	{ "listen", "KEYGATE_LISTEN", OPT_STRING, OFF(listen), 0, 0,
	  "address and port to serve on (default 127.0.0.1:8080)" },
	{ "metrics-listen", "KEYGATE_METRICS_LISTEN", OPT_STRING,
	  OFF(metrics_listen), 0, 0, "address and port of GET /metrics, a "
	  "listener of its own, or off (default 127.0.0.1:9464)" },
	{ "issuer", "KEYGATE_ISSUER", OPT_STRING, OFF(issuer), 0, 0,
	  "public base URL (default http://127.0.0.1:8080)" },
	{ "brand", "KEYGATE_BRAND", OPT_STRING, OFF(brand), 0, 0,
	  "server's brand, refused in public names (default keygate)" },
	{ "no-signup", "KEYGATE_NO_SIGNUP", OPT_BOOL, OFF(no_signup), 0, 1,
	  "refuse new sign-ups" },
	{ "require-verified-email", "KEYGATE_REQUIRE_VERIFIED_EMAIL",
	  OPT_BOOL, OFF(require_verified_email), 0, 1,
	  "creating apps, generating secrets and granting access need an "
	  "account whose email is verified (default off)" },
	{ "signup-rate", "KEYGATE_SIGNUP_RATE", OPT_INT, OFF(signup_rate),
	  0, 1000000, "sign-ups per client address per hour, 0 = no limit "
	  "(default 20)" },
	{ "open-registration", "KEYGATE_OPEN_REGISTRATION", OPT_BOOL,
	  OFF(open_registration), 0, 1, "POST /oauth2/register without a "
	  "token registers a public client, throttled by --signup-rate "
	  "(default off)" },
	{ "max-apps", "KEYGATE_MAX_APPS", OPT_INT, OFF(max_apps), 1,
	  APPS_PER_ACCOUNT_MAX, "applications one account may own "
	  "(default 100)" },
	{ "dpop-nonce", "KEYGATE_DPOP_NONCE", OPT_BOOL, OFF(dpop_nonce), 0, 1,
	  "DPoP proofs must carry a server nonce (use_dpop_nonce), always "
	  "rather than only when the proof memory is full (default off)" },
	{ "test-clock", "KEYGATE_TEST_CLOCK", OPT_BOOL, OFF(test_clock), 0, 1,
	  "enable POST /_test/clock (loopback only)" },
	{ "token-unused-ttl", "KEYGATE_TOKEN_UNUSED_TTL", OPT_INT,
	  OFF(token_unused_ttl_s), 1, YEAR,
	  "seconds an unused access token lives (default 3600)" },
	{ "token-idle-ttl", "KEYGATE_TOKEN_IDLE_TTL", OPT_INT,
	  OFF(token_idle_ttl_s), 1, YEAR,
	  "seconds a used access token lives after its last use "
	  "(default 7200)" },
	{ "token-max-ttl", "KEYGATE_TOKEN_MAX_TTL", OPT_INT,
	  OFF(token_max_ttl_s), 1, YEAR,
	  "seconds no access token outlives (default 86400)" },
	{ "refresh-retry-window", "KEYGATE_REFRESH_RETRY_WINDOW", OPT_INT,
	  OFF(refresh_retry_window_s), 0, 3600,
	  "seconds a lost refresh response may be retried (default 0)" },
	{ "refresh-idle-ttl", "KEYGATE_REFRESH_IDLE_TTL", OPT_INT,
	  OFF(refresh_idle_ttl_s), 0, 100 * YEAR,
	  "seconds an unused refresh token lives, 0 = forever (default 0)" },
	{ "event-retention-days", "KEYGATE_EVENT_RETENTION_DAYS", OPT_INT,
	  OFF(event_retention_days), 1, 36500,
	  "days `keygate gc` keeps security events (default 90)" },
	{ "trusted-proxy", "KEYGATE_TRUSTED_PROXY", OPT_STRING,
	  OFF(trusted_proxy), 0, 0, "addresses of proxies whose "
	  "X-Forwarded-For names the client, comma-separated (default none)" },
	{ "use-coalesce", "KEYGATE_USE_COALESCE", OPT_INT,
	  OFF(use_coalesce_s), 0, 3600,
	  "seconds between two writes of one token's use; a token may die "
	  "this much early after a crash, 0 = every use written at once "
	  "(default 60)" },
	{ "token-cache", "KEYGATE_TOKEN_CACHE", OPT_INT, OFF(token_cache), 0,
	  1 << 26, "access tokens kept in memory, 44 bytes each, 0 = none "
	  "(default 1050000)" },
	{ "threads", "KEYGATE_THREADS", OPT_INT, OFF(threads), 0, 256,
	  "HTTP worker threads, 0 = one per core (default 0)" },
	{ "hash-threads", "KEYGATE_HASH_THREADS", OPT_INT, OFF(hash_threads),
	  0, HTTP_MAX_HASH_THREADS, "threads that check and hash passwords "
	  "(log-ins, sign-ups, personal tokens) apart from the HTTP workers, "
	  "0 = one per core (default 0)" },
	{ "hash-queue", "KEYGATE_HASH_QUEUE", OPT_INT, OFF(hash_queue), 0,
	  HTTP_MAX_CONNECTIONS, "requests that may wait for a free "
	  "--hash-threads thread; past them 503 with Retry-After "
	  "(default 256)" },
	{ "connection-timeout", "KEYGATE_CONNECTION_TIMEOUT", OPT_INT,
	  OFF(connection_timeout_s), 1, 3600,
	  "seconds a connection may send nothing before it is closed "
	  "(default 30)" },
	{ "connections-per-address", "KEYGATE_CONNECTIONS_PER_ADDRESS",
	  OPT_INT, OFF(connections_per_address), 0, HTTP_MAX_CONNECTIONS,
	  "open connections one peer address may hold, 0 = no limit; behind "
	  "a proxy every peer is the proxy (default 1024)" },
	{ "access-log", "KEYGATE_ACCESS_LOG", OPT_BOOL, OFF(access_log), 0, 1,
	  "one logfmt line per request on stderr (default on; "
	  "--access-log=0 turns it off)" },
	{ "usage-counting", "KEYGATE_USAGE_COUNTING", OPT_BOOL,
	  OFF(usage_counting), 0, 1, "count checks, API calls and tokens "
	  "per app and hour (default on; --usage-counting=off turns it off)" },
	{ "usage-retention-days", "KEYGATE_USAGE_RETENTION_DAYS", OPT_INT,
	  OFF(usage_retention_days), 1, 36500,
	  "days `keygate gc` keeps the usage counts by hour (default 90)" },
	{ "metrics-apps", "KEYGATE_METRICS_APPS", OPT_STRING,
	  OFF(metrics_apps), 0, 0, "API keys of at most 100 apps whose usage "
	  "/metrics shows per app, comma-separated (default none)" },
	{ "smtp-url", "KEYGATE_SMTP_URL", OPT_STRING, OFF(smtp_url), 0, 0,
	  "mail server: smtp://HOST[:PORT] (STARTTLS when offered) or "
	  "smtps://HOST[:PORT] (default none: mail goes into --mail-dir)" },
	{ "smtp-user", "KEYGATE_SMTP_USER", OPT_STRING, OFF(smtp_user), 0, 0,
	  "user name at the mail server (default none: no log-in); its "
	  "password in KEYGATE_SMTP_PASSWORD or the file, never a flag" },
	{ "smtp-password", "KEYGATE_SMTP_PASSWORD", OPT_SECRET,
	  OFF(smtp_password), 0, 0, "the password of --smtp-user" },
	{ "mail-from", "KEYGATE_MAIL_FROM", OPT_STRING, OFF(mail_from), 0, 0,
	  "sender of keygate's mail (default keygate@ the issuer's host)" },
	{ "mail-dir", "KEYGATE_MAIL_DIR", OPT_STRING, OFF(mail_dir), 0, 0,
	  "Maildir that takes the mail without --smtp-url (default mail "
	  "beside the SQLite file, else in the working directory)" },
	{ "key-file", "KEYGATE_KEY_FILE", OPT_STRING, OFF(key_file), 0, 0,
	  "file of the key that seals the signing keys in the store, made "
	  "(0600) when absent (default DB.key beside the SQLite file, else "
	  "keygate.key in the working directory)" },
	{ "key-publish-delay", "KEYGATE_KEY_PUBLISH_DELAY", OPT_INT,
	  OFF(key_publish_delay_s), 0, YEAR, "seconds a new signing key is "
	  "published before it signs (default 3600)" },
	{ "key-retire-delay", "KEYGATE_KEY_RETIRE_DELAY", OPT_INT,
	  OFF(key_retire_delay_s), 0, YEAR, "seconds a replaced signing key "
	  "stays published after its last use (default 86400)" },
	{ "no-cimd", "KEYGATE_NO_CIMD", OPT_BOOL, OFF(no_cimd), 0, 1,
	  "an https client_id is an unknown client, not a client metadata "
	  "document to fetch (default off)" },
	{ "cimd-allow-hosts", "KEYGATE_CIMD_ALLOW_HOSTS", OPT_STRING,
	  OFF(cimd_allow_hosts), 0, 0, "hosts whose client metadata "
	  "documents may be fetched from loopback, private or other special "
	  "addresses, comma-separated (default none)" },
	{ "cimd-ca-file", "KEYGATE_CIMD_CA_FILE", OPT_STRING,
	  OFF(cimd_ca_file), 0, 0, "PEM file of CA certificates trusted "
	  "beside the system's when fetching client metadata documents "
	  "(default none)" },
};

#define NOPTS	(sizeof(opts) / sizeof(opts[0]))

const char *const CONFIG_ONLY_DB[] = { "db", NULL };
const char *const CONFIG_DB_AND_BRAND[] = { "db", "brand", NULL };
/* commands that queue notices (core/notices.h) need what a mail's links
 * and sender are made of */
const char *const CONFIG_APP_CLI[] = { "db", "brand", "max-apps", "issuer",
    "mail-from", NULL };
const char *const CONFIG_ACCOUNT_CLI[] = { "db", "brand", "issuer",
    "mail-from", NULL };
const char *const CONFIG_RESOURCE_CLI[] = { "db", "brand", "issuer",
    NULL };
const char *const CONFIG_KEYS_CLI[] = { "db", "key-file",
    "key-publish-delay", "key-retire-delay", NULL };

static bool
allowed(const struct opt *o, const char *const *only)
{
	if (only == NULL)
		return true;
	for (; *only != NULL; only++)
		if (strcmp(*only, o->flag) == 0)
			return true;
	return false;
}

void
config_init(struct config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->listen = xstrdup("127.0.0.1:8080");
	cfg->metrics_listen = xstrdup("127.0.0.1:9464");
	cfg->db = xstrdup("keygate.db");
	cfg->issuer = xstrdup("http://127.0.0.1:8080");
	cfg->brand = xstrdup("keygate");
	cfg->trusted_proxy = xstrdup("");
	cfg->signup_rate = 20;
	cfg->max_apps = APPS_PER_ACCOUNT_DEFAULT;
	cfg->token_unused_ttl_s = 3600;
	cfg->token_idle_ttl_s = 7200;
	cfg->token_max_ttl_s = 86400;
	cfg->use_coalesce_s = 60;
	cfg->event_retention_days = 90;
	cfg->token_cache = 1050000;
	cfg->access_log = true;
	cfg->usage_counting = true;
	cfg->usage_retention_days = 90;
	cfg->connection_timeout_s = HTTP_CONNECTION_TIMEOUT_S;
	cfg->connections_per_address = HTTP_MAX_CONNECTIONS_PER_ADDRESS;
	cfg->hash_queue = HTTP_HASH_QUEUE_DEFAULT;
	cfg->key_publish_delay_s = 3600;
	cfg->key_retire_delay_s = DAY;
}

void
config_release(struct config *cfg)
{
	free(cfg->listen);
	free(cfg->metrics_listen);
	free(cfg->db);
	free(cfg->trusted_proxy);
	free(cfg->issuer);
	free(cfg->brand);
	free(cfg->config_file);
	free(cfg->smtp_url);
	free(cfg->smtp_user);
	if (cfg->smtp_password != NULL)
		explicit_bzero(cfg->smtp_password, strlen(cfg->smtp_password));
	free(cfg->smtp_password);
	free(cfg->mail_from);
	free(cfg->mail_dir);
	free(cfg->metrics_apps);
	free(cfg->key_file);
	free(cfg->cimd_allow_hosts);
	free(cfg->cimd_ca_file);
	memset(cfg, 0, sizeof(*cfg));
}

static int
set_value(struct config *cfg, const struct opt *o, const char *value,
    const char *from, char *err, size_t errlen)
{
	char *base = (char *)cfg + o->offset;
	long long v;

	switch (o->kind) {
	case OPT_SECRET:
		if (*(char **)base != NULL)
			explicit_bzero(*(char **)base, strlen(*(char **)base));
		/* FALLTHROUGH */
	case OPT_STRING:
		if (value == NULL || *value == '\0')
			goto bad;
		free(*(char **)base);
		*(char **)base = xstrdup(value);
		return 0;
	case OPT_BOOL:
		if (value == NULL || strcmp(value, "1") == 0 ||
		    strcmp(value, "true") == 0 || strcmp(value, "yes") == 0 ||
		    strcmp(value, "on") == 0)
			*(bool *)base = true;
		else if (strcmp(value, "0") == 0 ||
		    strcmp(value, "false") == 0 || strcmp(value, "no") == 0 ||
		    strcmp(value, "off") == 0)
			*(bool *)base = false;
		else
			goto bad;
		return 0;
	case OPT_INT:
		if (value == NULL ||
		    str_to_i64(str_from(value), o->min, o->max, &v) != 0)
			goto bad;
		*(int64_t *)base = v;
		return 0;
	}
bad:
	if (o->kind == OPT_INT)
		snprintf(err, errlen, "%s: --%s wants a whole number from %lld "
		    "to %lld", from, o->flag, o->min, o->max);
	else
		snprintf(err, errlen, "%s: --%s wants %s", from, o->flag,
		    o->kind == OPT_BOOL ? "1/0, true/false or yes/no" :
		    "a value");
	return ERR_INVALID;
}

static const struct opt *
find_flag(const char *name, size_t len, const char *const *only)
{
	for (size_t i = 0; i < NOPTS; i++)
		if (strlen(opts[i].flag) == len &&
		    memcmp(opts[i].flag, name, len) == 0 &&
		    allowed(&opts[i], only))
			return &opts[i];
	return NULL;
}

int
config_set(struct config *cfg, const char *name, const char *value,
    const char *from, const char *const *only, char *err, size_t errlen)
{
	const struct opt *o = find_flag(name, strlen(name), NULL);

	if (o == NULL)
		return ERR_NOTFOUND;
	if (!allowed(o, only))
		return 0;
	return set_value(cfg, o, value, from, err, errlen);
}

/* The file named by the last --config in argv, else by KEYGATE_CONFIG;
 * NULL for none. "" is an error of its own. */
static int
config_path(int argc, char **argv, const char **path, char *err,
    size_t errlen)
{
	*path = getenv("KEYGATE_CONFIG");
	for (int i = 0; i < argc; i++) {
		if (strncmp(argv[i], "--config=", 9) == 0)
			*path = argv[i] + 9;
		else if (strcmp(argv[i], "--config") == 0) {
			if (i + 1 >= argc) {
				snprintf(err, errlen, "--config needs a file");
				return ERR_INVALID;
			}
			*path = argv[++i];
		}
	}
	if (*path != NULL && **path == '\0') {
		snprintf(err, errlen, "--config needs a file");
		return ERR_INVALID;
	}
	return 0;
}

/* A password in a flag (the SMTP password, a database URL holding one) is
 * on the command line, where `ps` shows it to every user of the machine
 * and shells keep it in their history: refused, as the client's --secret
 * is, before it is stored anywhere. */
static bool
password_in_flag(const struct opt *o, const char *value, char *err,
    size_t errlen)
{
	char redacted[4096];

	if (o->kind == OPT_SECRET) {
		snprintf(err, errlen, "--%s: a password on the command line is "
		    "visible to every user (ps); give it in %s or as %s in the "
		    "configuration file", o->flag, o->env, o->flag);
		return true;
	}
	if (o->offset != OFF(db) || value == NULL)
		return false;
	store_url_redacted(value, redacted, sizeof(redacted));
	if (strcmp(redacted, value) == 0)
		return false;
	snprintf(err, errlen, "--db: a password on the command line is "
	    "visible to every user (ps); give the URL in KEYGATE_DB, or the "
	    "password in ~/.pgpass or PGPASSWORD");
	return true;
}

/* What config_file_parse() hands each setting to. */
struct file_target {
	struct config		*cfg;
	const char *const	*only;
};

static int
file_setting(void *target, const char *name, const char *value,
    const char *from, char *err, size_t errlen)
{
	struct file_target *t = target;

	return config_set(t->cfg, name, value, from, t->only, err, errlen);
}

int
config_file_read(struct config *cfg, const char *path,
    const char *const *only, config_report_fn report, void *ctx)
{
	struct file_target t = { cfg, only };

	return config_file_parse(path, file_setting, &t, report, ctx);
}

struct first {
	char	*err;
	size_t	 errlen;
	bool	 set;
};

static void
keep_first(void *ctx, const char *message)
{
	struct first *f = ctx;

	if (!f->set)
		snprintf(f->err, f->errlen, "%s", message);
	f->set = true;
}

int
config_file_load(struct config *cfg, const char *path,
    const char *const *only, char *err, size_t errlen)
{
	struct first f = { err, errlen, false };

	if (config_file_read(cfg, path, only, keep_first, &f) != 0)
		return ERR_INVALID;
	return 0;
}

/* Precedence, lowest first: defaults, the file, KEYGATE_* variables,
 * flags. Flags come last so that one run can override what the unit file
 * or the environment set. */
int
config_parse(struct config *cfg, int argc, char **argv,
    const char *const *only, char *err, size_t errlen)
{
	const char *path;

	if (config_path(argc, argv, &path, err, errlen) != 0)
		return ERR_INVALID;
	if (path != NULL) {
		if (config_file_load(cfg, path, only, err, errlen) != 0)
			return ERR_INVALID;
		free(cfg->config_file);
		cfg->config_file = xstrdup(path);
	}
	for (size_t i = 0; i < NOPTS; i++) {
		const char *v = getenv(opts[i].env);

		if (v != NULL && allowed(&opts[i], only) &&
		    set_value(cfg, &opts[i], v, opts[i].env, err, errlen) != 0)
			return ERR_INVALID;
	}
	for (int i = 0; i < argc; i++) {
		const char *arg = argv[i], *eq, *value = NULL;
		const struct opt *o;

		if (strncmp(arg, "--", 2) != 0) {
			snprintf(err, errlen, "unexpected argument '%s'", arg);
			return ERR_INVALID;
		}
		if (strcmp(arg, "--config") == 0) {
			i++;	/* read above */
			continue;
		}
		if (strncmp(arg, "--config=", 9) == 0)
			continue;
		arg += 2;
		eq = strchr(arg, '=');
		o = find_flag(arg,
		    eq != NULL ? (size_t)(eq - arg) : strlen(arg), only);
		if (o == NULL) {
			snprintf(err, errlen, "unknown flag '%s' (see --help)",
			    argv[i]);
			return ERR_INVALID;
		}
		if (eq != NULL)
			value = eq + 1;
		else if (o->kind != OPT_BOOL) {
			if (i + 1 >= argc) {
				snprintf(err, errlen, "--%s needs a value",
				    o->flag);
				return ERR_INVALID;
			}
			value = argv[++i];
		}
		if (password_in_flag(o, value, err, errlen) ||
		    set_value(cfg, o, value, "flag", err, errlen) != 0)
			return ERR_INVALID;
	}
	return 0;
}

/* The settings without a flag, after the list: no line of theirs starts
 * with "--" or names an "env". */
static void
usage_no_flag(FILE *out, const char *const *only)
{
	for (size_t i = 0; i < NOPTS; i++) {
		const struct opt *o = &opts[i];

		if (allowed(o, only) && o->kind == OPT_SECRET)
			fprintf(out, "  %-28s %s, or %s in the file of "
			    "--config; never a flag\n", o->env, o->help,
			    o->flag);
	}
}

void
config_usage(FILE *out, const char *const *only)
{
	fprintf(out, "  %-28s %s\n  %-28s   env %s\n", "--config FILE",
	    "INI file of these settings, named as the flags (below "
	    "variables and flags)", "", "KEYGATE_CONFIG");
	for (size_t i = 0; i < NOPTS; i++) {
		const struct opt *o = &opts[i];
		char left[64];

		if (!allowed(o, only) || o->kind == OPT_SECRET)
			continue;
		snprintf(left, sizeof(left), "--%s%s", o->flag,
		    o->kind == OPT_BOOL ? "" :
		    o->kind == OPT_INT ? " N" : " VALUE");
		fprintf(out, "  %-28s %s\n  %-28s   env %s\n", left, o->help,
		    "", o->env);
	}
	usage_no_flag(out, only);
}
