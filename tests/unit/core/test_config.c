#include "core/config.h"

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static const char *const env_names[] = {
	"KEYGATE_DB", "KEYGATE_LISTEN", "KEYGATE_ISSUER", "KEYGATE_BRAND",
	"KEYGATE_NO_SIGNUP", "KEYGATE_SIGNUP_RATE", "KEYGATE_TEST_CLOCK",
	"KEYGATE_TOKEN_UNUSED_TTL", "KEYGATE_TOKEN_IDLE_TTL",
	"KEYGATE_TOKEN_MAX_TTL", "KEYGATE_REFRESH_RETRY_WINDOW",
	"KEYGATE_REFRESH_IDLE_TTL", "KEYGATE_THREADS", "KEYGATE_ACCESS_LOG",
	"KEYGATE_CONNECTION_TIMEOUT", "KEYGATE_CONNECTIONS_PER_ADDRESS",
	"KEYGATE_METRICS_LISTEN",
	"KEYGATE_HASH_THREADS", "KEYGATE_HASH_QUEUE",
	"KEYGATE_MAX_APPS",
};

static void
clear_env(void)
{
	for (size_t i = 0; i < NELEM(env_names); i++)
		unsetenv(env_names[i]);
}

/* A field of cfg as text, so one table can check any of them. */
static void
field(const struct config *cfg, const char *name, char *out, size_t len)
{
	if (strcmp(name, "db") == 0)
		snprintf(out, len, "%s", cfg->db);
	else if (strcmp(name, "listen") == 0)
		snprintf(out, len, "%s", cfg->listen);
	else if (strcmp(name, "metrics_listen") == 0)
		snprintf(out, len, "%s", cfg->metrics_listen);
	else if (strcmp(name, "issuer") == 0)
		snprintf(out, len, "%s", cfg->issuer);
	else if (strcmp(name, "brand") == 0)
		snprintf(out, len, "%s", cfg->brand);
	else if (strcmp(name, "no_signup") == 0)
		snprintf(out, len, "%d", cfg->no_signup);
	else if (strcmp(name, "signup_rate") == 0)
		snprintf(out, len, "%lld", (long long)cfg->signup_rate);
	else if (strcmp(name, "max_apps") == 0)
		snprintf(out, len, "%lld", (long long)cfg->max_apps);
	else if (strcmp(name, "test_clock") == 0)
		snprintf(out, len, "%d", cfg->test_clock);
	else if (strcmp(name, "access_log") == 0)
		snprintf(out, len, "%d", cfg->access_log);
	else if (strcmp(name, "threads") == 0)
		snprintf(out, len, "%lld", (long long)cfg->threads);
	else if (strcmp(name, "token_unused_ttl_s") == 0)
		snprintf(out, len, "%lld", (long long)cfg->token_unused_ttl_s);
	else if (strcmp(name, "token_max_ttl_s") == 0)
		snprintf(out, len, "%lld", (long long)cfg->token_max_ttl_s);
	else if (strcmp(name, "refresh_idle_ttl_s") == 0)
		snprintf(out, len, "%lld", (long long)cfg->refresh_idle_ttl_s);
	else if (strcmp(name, "connection_timeout_s") == 0)
		snprintf(out, len, "%lld",
		    (long long)cfg->connection_timeout_s);
	else if (strcmp(name, "connections_per_address") == 0)
		snprintf(out, len, "%lld",
		    (long long)cfg->connections_per_address);
	else if (strcmp(name, "hash_threads") == 0)
		snprintf(out, len, "%lld", (long long)cfg->hash_threads);
	else if (strcmp(name, "hash_queue") == 0)
		snprintf(out, len, "%lld", (long long)cfg->hash_queue);
	else
		cr_assert_fail("no field '%s'", name);
}

Test(config, defaults, .init = clear_env)
{
	static const struct {
		const char	*field, *want;
	} cases[] = {
		{ "db", "keygate.db" },
		{ "listen", "127.0.0.1:8080" },
		{ "metrics_listen", "127.0.0.1:9464" },
		{ "issuer", "http://127.0.0.1:8080" },
		{ "brand", "keygate" },
		{ "no_signup", "0" },
		{ "signup_rate", "20" },
		{ "max_apps", "100" },
		{ "test_clock", "0" },
		{ "access_log", "1" },
		{ "threads", "0" },
		{ "token_unused_ttl_s", "3600" },
		{ "token_max_ttl_s", "86400" },
		{ "refresh_idle_ttl_s", "0" },
		{ "connection_timeout_s", "30" },
		{ "connections_per_address", "1024" },
		{ "hash_threads", "0" },
		{ "hash_queue", "256" },
	};
	struct config cfg;
	char err[256] = "", got[512];

	config_init(&cfg);
	cr_assert_eq(config_parse(&cfg, 0, NULL, NULL, err, sizeof(err)),
	    0, "%s", err);
	for (size_t i = 0; i < NELEM(cases); i++) {
		field(&cfg, cases[i].field, got, sizeof(got));
		cr_expect_str_eq(got, cases[i].want, "%s is '%s'",
		    cases[i].field, got);
	}
	config_release(&cfg);
}

struct parse_case {
	const char	*argv[6];	/* NULL-terminated */
	const char	*env[3];	/* "NAME=value", NULL-terminated */
	bool		 only_db;
	int		 rc;
	const char	*field;		/* checked on success */
	const char	*want;
};

#define ARGS(...)	{ __VA_ARGS__, NULL }
#define NOENV		{ NULL }
#define ENV(...)	{ __VA_ARGS__, NULL }

Test(config, parse, .init = clear_env)
{
	static const struct parse_case cases[] = {
		/* string flags */
		{ ARGS("--db", "x.db"), NOENV, false, 0, "db", "x.db" },
		{ ARGS("--db=x.db"), NOENV, false, 0, "db", "x.db" },
		{ ARGS("--db=a=b"), NOENV, false, 0, "db", "a=b" },
		{ ARGS("--db", "--listen"), NOENV, false, 0, "db",
		  "--listen" },
		{ ARGS("--db", "x", "--db", "y"), NOENV, false, 0, "db", "y" },
		{ ARGS("--brand", "Acme"), NOENV, false, 0, "brand", "Acme" },
		{ ARGS("--listen", "[::1]:80"), NOENV, false, 0, "listen",
		  "[::1]:80" },
		{ ARGS("--issuer=https://a.example"), NOENV, false, 0,
		  "issuer", "https://a.example" },
		{ ARGS("--metrics-listen", "off"), NOENV, false, 0,
		  "metrics_listen", "off" },
		{ ARGS(NULL), ENV("KEYGATE_METRICS_LISTEN=[::1]:9000"), false,
		  0, "metrics_listen", "[::1]:9000" },
		{ ARGS("--metrics-listen=10.0.0.1:1"),
		  ENV("KEYGATE_METRICS_LISTEN=off"), false, 0,
		  "metrics_listen", "10.0.0.1:1" },
		{ ARGS("--metrics-listen"), NOENV, false, ERR_INVALID, NULL,
		  NULL },
		{ ARGS("--db"), NOENV, false, ERR_INVALID, NULL, NULL },
		{ ARGS("--db="), NOENV, false, ERR_INVALID, NULL, NULL },
		{ ARGS("--db", ""), NOENV, false, ERR_INVALID, NULL, NULL },
		{ ARGS("--listen"), NOENV, false, ERR_INVALID, NULL, NULL },
		/* bool flags */
		{ ARGS("--no-signup"), NOENV, false, 0, "no_signup", "1" },
		{ ARGS("--no-signup=1"), NOENV, false, 0, "no_signup", "1" },
		{ ARGS("--no-signup=true"), NOENV, false, 0, "no_signup",
		  "1" },
		{ ARGS("--no-signup=yes"), NOENV, false, 0, "no_signup", "1" },
		{ ARGS("--no-signup=0"), NOENV, false, 0, "no_signup", "0" },
		{ ARGS("--no-signup=false"), NOENV, false, 0, "no_signup",
		  "0" },
		{ ARGS("--no-signup=no"), NOENV, false, 0, "no_signup", "0" },
		{ ARGS("--test-clock"), NOENV, false, 0, "test_clock", "1" },
		{ ARGS("--access-log=0"), NOENV, false, 0, "access_log", "0" },
		{ ARGS("--no-signup=maybe"), NOENV, false, ERR_INVALID, NULL,
		  NULL },
		{ ARGS("--no-signup="), NOENV, false, ERR_INVALID, NULL,
		  NULL },
		{ ARGS("--no-signup=TRUE"), NOENV, false, ERR_INVALID, NULL,
		  NULL },
		/* a bool takes no separate value */
		{ ARGS("--no-signup", "1"), NOENV, false, ERR_INVALID, NULL,
		  NULL },
		/* numbers */
		{ ARGS("--signup-rate", "5"), NOENV, false, 0, "signup_rate",
		  "5" },
		{ ARGS("--signup-rate=5"), NOENV, false, 0, "signup_rate",
		  "5" },
		{ ARGS("--signup-rate", "0"), NOENV, false, 0, "signup_rate",
		  "0" },
		{ ARGS("--signup-rate", "1000000"), NOENV, false, 0,
		  "signup_rate", "1000000" },
		{ ARGS("--threads", "256"), NOENV, false, 0, "threads",
		  "256" },
		{ ARGS("--max-apps", "1"), NOENV, false, 0, "max_apps", "1" },
		{ ARGS("--max-apps", "100000"), NOENV, false, 0, "max_apps",
		  "100000" },
		{ ARGS("--max-apps", "0"), NOENV, false, ERR_INVALID, NULL,
		  NULL },
		{ ARGS("--max-apps", "100001"), NOENV, false, ERR_INVALID,
		  NULL, NULL },
		{ ARGS(NULL), ENV("KEYGATE_MAX_APPS=7"), false, 0, "max_apps",
		  "7" },
		{ ARGS("--token-max-ttl", "31622400"), NOENV, false, 0,
		  "token_max_ttl_s", "31622400" },
		{ ARGS("--refresh-idle-ttl", "3162240000"), NOENV, false, 0,
		  "refresh_idle_ttl_s", "3162240000" },
		{ ARGS("--connection-timeout", "2"), NOENV, false, 0,
		  "connection_timeout_s", "2" },
		{ ARGS("--connections-per-address", "0"), NOENV, false, 0,
		  "connections_per_address", "0" },
		{ ARGS(NULL), ENV("KEYGATE_CONNECTIONS_PER_ADDRESS=64"), false,
		  0, "connections_per_address", "64" },
		{ ARGS("--hash-threads", "3"), NOENV, false, 0, "hash_threads",
		  "3" },
		{ ARGS(NULL), ENV("KEYGATE_HASH_THREADS=256"), false, 0,
		  "hash_threads", "256" },
		{ ARGS("--hash-queue", "0"), NOENV, false, 0, "hash_queue",
		  "0" },
		{ ARGS(NULL), ENV("KEYGATE_HASH_QUEUE=4096"), false, 0,
		  "hash_queue", "4096" },
		{ ARGS("--hash-threads", "257"), NOENV, false, ERR_INVALID,
		  NULL, NULL },
		{ ARGS("--hash-queue", "4097"), NOENV, false, ERR_INVALID,
		  NULL, NULL },
		{ ARGS("--hash-queue", "-1"), NOENV, false, ERR_INVALID,
		  NULL, NULL },
		{ ARGS("--connection-timeout", "0"), NOENV, false, ERR_INVALID,
		  NULL, NULL },
		{ ARGS("--connections-per-address", "4097"), NOENV, false,
		  ERR_INVALID, NULL, NULL },
		{ ARGS("--signup-rate", "1000001"), NOENV, false, ERR_INVALID,
		  NULL, NULL },
		{ ARGS("--signup-rate", "-1"), NOENV, false, ERR_INVALID,
		  NULL, NULL },
		{ ARGS("--signup-rate", "+5"), NOENV, false, ERR_INVALID,
		  NULL, NULL },
		{ ARGS("--signup-rate", " 5"), NOENV, false, ERR_INVALID,
		  NULL, NULL },
		{ ARGS("--signup-rate", "5 "), NOENV, false, ERR_INVALID,
		  NULL, NULL },
		{ ARGS("--signup-rate", "abc"), NOENV, false, ERR_INVALID,
		  NULL, NULL },
		{ ARGS("--signup-rate", "5x"), NOENV, false, ERR_INVALID,
		  NULL, NULL },
		{ ARGS("--signup-rate", "0x10"), NOENV, false, ERR_INVALID,
		  NULL, NULL },
		{ ARGS("--signup-rate", "1e3"), NOENV, false, ERR_INVALID,
		  NULL, NULL },
		{ ARGS("--signup-rate", ""), NOENV, false, ERR_INVALID, NULL,
		  NULL },
		{ ARGS("--signup-rate="), NOENV, false, ERR_INVALID, NULL,
		  NULL },
		{ ARGS("--signup-rate"), NOENV, false, ERR_INVALID, NULL,
		  NULL },
		{ ARGS("--signup-rate", "99999999999999999999999"), NOENV,
		  false, ERR_INVALID, NULL, NULL },
		{ ARGS("--threads", "257"), NOENV, false, ERR_INVALID, NULL,
		  NULL },
		{ ARGS("--token-unused-ttl", "0"), NOENV, false, ERR_INVALID,
		  NULL, NULL },
		{ ARGS("--token-max-ttl", "31622401"), NOENV, false,
		  ERR_INVALID, NULL, NULL },
		/* unknown flags and stray arguments */
		{ ARGS("--bogus"), NOENV, false, ERR_INVALID, NULL, NULL },
		{ ARGS("--bogus=1"), NOENV, false, ERR_INVALID, NULL, NULL },
		{ ARGS("--DB", "x"), NOENV, false, ERR_INVALID, NULL, NULL },
		{ ARGS("--d", "x"), NOENV, false, ERR_INVALID, NULL, NULL },
		{ ARGS("--dbx", "x"), NOENV, false, ERR_INVALID, NULL, NULL },
		{ ARGS("-db", "x"), NOENV, false, ERR_INVALID, NULL, NULL },
		{ ARGS("db", "x"), NOENV, false, ERR_INVALID, NULL, NULL },
		{ ARGS("--"), NOENV, false, ERR_INVALID, NULL, NULL },
		{ ARGS("--db", "x", "extra"), NOENV, false, ERR_INVALID, NULL,
		  NULL },
		/* only --db for store-only commands */
		{ ARGS("--db", "x"), NOENV, true, 0, "db", "x" },
		{ ARGS("--listen", "127.0.0.1:1"), NOENV, true, ERR_INVALID,
		  NULL, NULL },
		{ ARGS("--no-signup"), NOENV, true, ERR_INVALID, NULL, NULL },
		/* environment fallbacks */
		{ ARGS(NULL), ENV("KEYGATE_SIGNUP_RATE=7"), false, 0,
		  "signup_rate", "7" },
		{ ARGS(NULL), ENV("KEYGATE_DB=/tmp/env.db"), false, 0, "db",
		  "/tmp/env.db" },
		{ ARGS(NULL), ENV("KEYGATE_NO_SIGNUP=yes"), false, 0,
		  "no_signup", "1" },
		{ ARGS(NULL), ENV("KEYGATE_ACCESS_LOG=0"), false, 0,
		  "access_log", "0" },
		{ ARGS(NULL), ENV("KEYGATE_SIGNUP_RATE=abc"), false,
		  ERR_INVALID, NULL, NULL },
		{ ARGS(NULL), ENV("KEYGATE_SIGNUP_RATE=-3"), false,
		  ERR_INVALID, NULL, NULL },
		{ ARGS(NULL), ENV("KEYGATE_NO_SIGNUP=maybe"), false,
		  ERR_INVALID, NULL, NULL },
		/* flags take precedence over the environment */
		{ ARGS("--signup-rate", "5"), ENV("KEYGATE_SIGNUP_RATE=7"),
		  false, 0, "signup_rate", "5" },
		{ ARGS("--signup-rate=0"), ENV("KEYGATE_SIGNUP_RATE=7"),
		  false, 0, "signup_rate", "0" },
		{ ARGS("--db", "flag.db"), ENV("KEYGATE_DB=env.db"), false, 0,
		  "db", "flag.db" },
		{ ARGS("--no-signup=0"), ENV("KEYGATE_NO_SIGNUP=1"), false, 0,
		  "no_signup", "0" },
		{ ARGS("--db", "x"), ENV("KEYGATE_SIGNUP_RATE=7"), false, 0,
		  "signup_rate", "7" },
		/* store-only commands read only KEYGATE_DB */
		{ ARGS(NULL), ENV("KEYGATE_DB=env.db"), true, 0, "db",
		  "env.db" },
		{ ARGS(NULL), ENV("KEYGATE_SIGNUP_RATE=abc"), true, 0,
		  "signup_rate", "20" },
	};

	for (size_t i = 0; i < NELEM(cases); i++) {
		const struct parse_case *c = &cases[i];
		struct config cfg;
		char err[256] = "", got[512];
		char *argv[6];
		int argc = 0, rc;

		clear_env();
		for (size_t k = 0; c->env[k] != NULL; k++) {
			char name[64];
			const char *eq = strchr(c->env[k], '=');

			snprintf(name, sizeof(name), "%.*s",
			    (int)(eq - c->env[k]), c->env[k]);
			setenv(name, eq + 1, 1);
		}
		while (c->argv[argc] != NULL) {
			argv[argc] = (char *)c->argv[argc];
			argc++;
		}
		argv[argc] = NULL;
		config_init(&cfg);
		rc = config_parse(&cfg, argc, argv,
		    c->only_db ? CONFIG_ONLY_DB : NULL, err,
		    sizeof(err));
		cr_expect_eq(rc, c->rc, "case %zu (%s%s): rc %d, want %d: %s",
		    i, argc > 0 ? argv[0] : "", c->env[0] != NULL ? " env" :
		    "", rc, c->rc, err);
		if (rc != 0)
			cr_expect_neq(err[0], '\0', "case %zu: no message", i);
		if (rc == 0 && c->rc == 0 && c->field != NULL) {
			field(&cfg, c->field, got, sizeof(got));
			cr_expect_str_eq(got, c->want, "case %zu: %s is '%s', "
			    "want '%s'", i, c->field, got, c->want);
		}
		config_release(&cfg);
	}
	clear_env();
}

struct finish_case {
	const char	*listen;
	const char	*issuer;
	bool		 test_clock;
	int		 rc;
	int		 family;
	int		 port;
	bool		 loopback;
	bool		 secure_cookies;
};

#define HTTP	"http://127.0.0.1:8080"
#define HTTPS	"https://auth.example.com"

Test(config, finish, .init = clear_env)
{
	static const struct finish_case cases[] = {
		{ "127.0.0.1:8080", HTTP, false, 0, AF_INET, 8080, true,
		  false },
		{ "[::1]:80", HTTP, false, 0, AF_INET6, 80, true, false },
		{ "localhost:1", HTTP, false, 0, AF_INET, 1, true, false },
		{ "127.9.8.7:65535", HTTP, false, 0, AF_INET, 65535, true,
		  false },
		{ "0.0.0.0:8080", HTTP, false, 0, AF_INET, 8080, false,
		  false },
		{ "192.168.1.2:443", HTTP, false, 0, AF_INET, 443, false,
		  false },
		{ "[::]:8080", HTTP, false, 0, AF_INET6, 8080, false, false },
		{ "[2001:db8::1]:443", HTTP, false, 0, AF_INET6, 443, false,
		  false },
		/* bad listen values */
		{ "127.0.0.1", HTTP, false, ERR_INVALID, 0, 0, false, false },
		{ "127.0.0.1:", HTTP, false, ERR_INVALID, 0, 0, false, false },
		{ "127.0.0.1:0", HTTP, false, ERR_INVALID, 0, 0, false,
		  false },
		{ "127.0.0.1:65536", HTTP, false, ERR_INVALID, 0, 0, false,
		  false },
		{ "127.0.0.1:-1", HTTP, false, ERR_INVALID, 0, 0, false,
		  false },
		{ "127.0.0.1:+80", HTTP, false, ERR_INVALID, 0, 0, false,
		  false },
		{ "127.0.0.1:80x", HTTP, false, ERR_INVALID, 0, 0, false,
		  false },
		{ "127.0.0.1: 80", HTTP, false, ERR_INVALID, 0, 0, false,
		  false },
		{ ":8080", HTTP, false, ERR_INVALID, 0, 0, false, false },
		{ "8080", HTTP, false, ERR_INVALID, 0, 0, false, false },
		{ "example.com:80", HTTP, false, ERR_INVALID, 0, 0, false,
		  false },
		{ "localhost", HTTP, false, ERR_INVALID, 0, 0, false, false },
		{ "localhost:0", HTTP, false, ERR_INVALID, 0, 0, false,
		  false },
		{ "256.0.0.1:80", HTTP, false, ERR_INVALID, 0, 0, false,
		  false },
		{ "1.2.3:80", HTTP, false, ERR_INVALID, 0, 0, false, false },
		{ " 127.0.0.1:80", HTTP, false, ERR_INVALID, 0, 0, false,
		  false },
		{ "[::1]", HTTP, false, ERR_INVALID, 0, 0, false, false },
		{ "[::1]:", HTTP, false, ERR_INVALID, 0, 0, false, false },
		{ "[]:80", HTTP, false, ERR_INVALID, 0, 0, false, false },
		{ "[::1:80", HTTP, false, ERR_INVALID, 0, 0, false, false },
		{ "[zz::1]:80", HTTP, false, ERR_INVALID, 0, 0, false, false },
		{ "1111111111111111111111111111111111111111111111111111111111"
		  "11111111:80", HTTP, false, ERR_INVALID, 0, 0, false,
		  false },
		/* --test-clock only on loopback */
		{ "127.0.0.1:8080", HTTP, true, 0, AF_INET, 8080, true,
		  false },
		{ "[::1]:8080", HTTP, true, 0, AF_INET6, 8080, true, false },
		{ "localhost:8080", HTTP, true, 0, AF_INET, 8080, true,
		  false },
		{ "0.0.0.0:8080", HTTP, true, ERR_INVALID, 0, 0, false,
		  false },
		{ "[::]:8080", HTTP, true, ERR_INVALID, 0, 0, false, false },
		{ "10.0.0.1:8080", HTTP, true, ERR_INVALID, 0, 0, false,
		  false },
		/* issuer */
		{ "127.0.0.1:8080", HTTPS, false, 0, AF_INET, 8080, true,
		  true },
		{ "127.0.0.1:8080", "https://a.example/", false, 0, AF_INET,
		  8080, true, true },
		{ "127.0.0.1:8080", "http://a.example", false, 0, AF_INET,
		  8080, true, false },
		{ "127.0.0.1:8080", "ftp://a.example", false, ERR_INVALID, 0,
		  0, false, false },
		{ "127.0.0.1:8080", "a.example", false, ERR_INVALID, 0, 0,
		  false, false },
		{ "127.0.0.1:8080", "https:/a.example", false, ERR_INVALID, 0,
		  0, false, false },
	};

	for (size_t i = 0; i < NELEM(cases); i++) {
		const struct finish_case *c = &cases[i];
		struct config cfg;
		char err[256] = "";
		int rc;

		config_init(&cfg);
		free(cfg.listen);
		cfg.listen = strdup(c->listen);
		free(cfg.issuer);
		cfg.issuer = strdup(c->issuer);
		cfg.test_clock = c->test_clock;
		rc = config_finish(&cfg, err, sizeof(err));
		cr_expect_eq(rc, c->rc, "case %zu (%s, %s%s): rc %d, want %d: "
		    "%s", i, c->listen, c->issuer, c->test_clock ?
		    ", test clock" : "", rc, c->rc, err);
		if (rc != 0)
			cr_expect_neq(err[0], '\0', "case %zu: no message", i);
		if (rc != 0 || c->rc != 0) {
			config_release(&cfg);
			continue;
		}
		cr_expect_eq(cfg.listen_addr.ss_family, c->family,
		    "case %zu %s", i, c->listen);
		cr_expect_eq(cfg.listen_loopback, c->loopback, "case %zu %s",
		    i, c->listen);
		cr_expect_eq(cfg.secure_cookies, c->secure_cookies,
		    "case %zu %s", i, c->issuer);
		if (c->family == AF_INET) {
			const struct sockaddr_in *v4 =
			    (const struct sockaddr_in *)&cfg.listen_addr;

			cr_expect_eq(ntohs(v4->sin_port), c->port, "case %zu",
			    i);
			cr_expect_eq(cfg.listen_addr_len, sizeof(*v4));
		} else {
			const struct sockaddr_in6 *v6 =
			    (const struct sockaddr_in6 *)&cfg.listen_addr;

			cr_expect_eq(ntohs(v6->sin6_port), c->port,
			    "case %zu", i);
			cr_expect_eq(cfg.listen_addr_len, sizeof(*v6));
		}
		config_release(&cfg);
	}
}

/* --metrics-listen: an address as --listen's, or off; never --listen's. */
Test(config, finish_metrics_listen, .init = clear_env)
{
	static const struct {
		const char	*listen, *metrics;
		int		 rc;
		bool		 on;
		int		 family, port;
		const char	*message;	/* in err when refused */
	} cases[] = {
		{ "127.0.0.1:8080", "127.0.0.1:9464", 0, true, AF_INET, 9464,
		  NULL },
		{ "127.0.0.1:8080", "localhost:9", 0, true, AF_INET, 9, NULL },
		{ "127.0.0.1:8080", "[::1]:9464", 0, true, AF_INET6, 9464,
		  NULL },
		{ "127.0.0.1:8080", "10.0.0.5:9464", 0, true, AF_INET, 9464,
		  NULL },
		{ "127.0.0.1:8080", "off", 0, false, 0, 0, NULL },
		/* the same port on another address is another address */
		{ "127.0.0.1:8080", "127.0.0.2:8080", 0, true, AF_INET, 8080,
		  NULL },
		{ "127.0.0.1:8080", "127.0.0.1:8080", ERR_INVALID, false, 0, 0,
		  "--metrics-listen must differ from --listen" },
		{ "[::1]:80", "[::1]:80", ERR_INVALID, false, 0, 0,
		  "--metrics-listen must differ from --listen" },
		{ "127.0.0.1:8080", "OFF", ERR_INVALID, false, 0, 0,
		  "--metrics-listen 'OFF' is not HOST:PORT" },
		{ "127.0.0.1:8080", "9464", ERR_INVALID, false, 0, 0,
		  "--metrics-listen '9464' is not HOST:PORT" },
		{ "127.0.0.1:8080", "[::1]", ERR_INVALID, false, 0, 0,
		  "--metrics-listen '[::1]' is not HOST:PORT" },
		{ "127.0.0.1:8080", "127.0.0.1:0", ERR_INVALID, false, 0, 0,
		  "--metrics-listen '127.0.0.1:0'" },
		/* a bad --listen is named as such */
		{ "8080", "127.0.0.1:9464", ERR_INVALID, false, 0, 0,
		  "--listen '8080' is not HOST:PORT" },
	};

	for (size_t i = 0; i < NELEM(cases); i++) {
		struct config cfg;
		char err[256] = "";
		int rc;

		config_init(&cfg);
		free(cfg.listen);
		cfg.listen = strdup(cases[i].listen);
		free(cfg.metrics_listen);
		cfg.metrics_listen = strdup(cases[i].metrics);
		rc = config_finish(&cfg, err, sizeof(err));
		cr_expect_eq(rc, cases[i].rc, "case %zu (%s): rc %d: %s", i,
		    cases[i].metrics, rc, err);
		if (cases[i].message != NULL)
			cr_expect(strstr(err, cases[i].message) != NULL,
			    "case %zu: '%s'", i, err);
		if (rc == 0 && cases[i].rc == 0) {
			const struct sockaddr_in *v4 =
			    (const struct sockaddr_in *)&cfg.metrics_addr;

			cr_expect_eq(cfg.metrics_on, cases[i].on, "case %zu",
			    i);
			if (cases[i].on)
				cr_expect_eq(cfg.metrics_addr.ss_family,
				    cases[i].family, "case %zu", i);
			/* sin_port and sin6_port share their offset */
			if (cases[i].on)
				cr_expect_eq(ntohs(v4->sin_port),
				    cases[i].port, "case %zu", i);
		}
		config_release(&cfg);
	}
}

Test(config, finish_addresses, .init = clear_env)
{
	static const struct {
		const char	*listen;
		const char	*addr;
	} cases[] = {
		{ "127.0.0.1:8080", "127.0.0.1" },
		{ "localhost:1", "127.0.0.1" },
		{ "10.1.2.3:80", "10.1.2.3" },
	};

	for (size_t i = 0; i < NELEM(cases); i++) {
		struct config cfg;
		char err[256] = "", text[INET_ADDRSTRLEN];
		const struct sockaddr_in *v4;

		config_init(&cfg);
		free(cfg.listen);
		cfg.listen = strdup(cases[i].listen);
		cr_assert_eq(config_finish(&cfg, err, sizeof(err)), 0, "%s",
		    err);
		v4 = (const struct sockaddr_in *)&cfg.listen_addr;
		inet_ntop(AF_INET, &v4->sin_addr, text, sizeof(text));
		cr_expect_str_eq(text, cases[i].addr, "case %zu", i);
		config_release(&cfg);
	}
}

Test(config, finish_issuer_and_ttls, .init = clear_env)
{
	static const struct {
		const char	*issuer;
		int64_t		 unused, idle, max;
		int		 rc;
		const char	*want_issuer;
	} cases[] = {
		{ "https://a.example/", 3600, 7200, 86400, 0,
		  "https://a.example" },
		{ "https://a.example", 3600, 7200, 86400, 0,
		  "https://a.example" },
		{ "http://a.example:8080/", 3600, 7200, 86400, 0,
		  "http://a.example:8080" },
		{ HTTP, 86400, 86400, 86400, 0, HTTP },
		{ HTTP, 86401, 7200, 86400, ERR_INVALID, NULL },
		{ HTTP, 3600, 86401, 86400, ERR_INVALID, NULL },
	};

	for (size_t i = 0; i < NELEM(cases); i++) {
		struct config cfg;
		char err[256] = "";
		int rc;

		config_init(&cfg);
		free(cfg.issuer);
		cfg.issuer = strdup(cases[i].issuer);
		cfg.token_unused_ttl_s = cases[i].unused;
		cfg.token_idle_ttl_s = cases[i].idle;
		cfg.token_max_ttl_s = cases[i].max;
		rc = config_finish(&cfg, err, sizeof(err));
		cr_expect_eq(rc, cases[i].rc, "case %zu: rc %d: %s", i, rc,
		    err);
		if (rc == 0 && cases[i].rc == 0)
			cr_expect_str_eq(cfg.issuer, cases[i].want_issuer,
			    "case %zu", i);
		config_release(&cfg);
	}
}

/* Flags, then config_finish, as `keygate serve` does. */
Test(config, parse_then_finish, .init = clear_env)
{
	static const struct {
		const char	*argv[4];
		int		 parse_rc, finish_rc;
	} cases[] = {
		{ { "--test-clock", "--listen", "0.0.0.0:8080", NULL }, 0,
		  ERR_INVALID },
		{ { "--test-clock", "--listen", "127.0.0.1:9", NULL }, 0, 0 },
		{ { "--listen", "0.0.0.0:8080", NULL }, 0, 0 },
		{ { "--listen", "nowhere", NULL }, 0, ERR_INVALID },
		{ { "--issuer", "https://id.example", NULL }, 0, 0 },
	};

	for (size_t i = 0; i < NELEM(cases); i++) {
		struct config cfg;
		char err[256] = "";
		char *argv[4];
		int argc = 0, rc;

		while (cases[i].argv[argc] != NULL) {
			argv[argc] = (char *)cases[i].argv[argc];
			argc++;
		}
		config_init(&cfg);
		rc = config_parse(&cfg, argc, argv, NULL, err, sizeof(err));
		cr_expect_eq(rc, cases[i].parse_rc, "case %zu: %s", i, err);
		if (rc == 0) {
			rc = config_finish(&cfg, err, sizeof(err));
			cr_expect_eq(rc, cases[i].finish_rc, "case %zu: %s",
			    i, err);
		}
		config_release(&cfg);
	}
}

/* --db naming several PostgreSQL hosts (docs/REFERENCE.md §7.1): taken
 * when only a server that takes writes can be picked, refused with a
 * reason naming the value when a standby could be; a SQLite path is never
 * read as a URL. */
Test(config, finish_db_hosts, .init = clear_env)
{
	static const struct {
		const char	*db;
		int		 rc;
		const char	*says;
	} cases[] = {
		{ "keygate.db", 0, NULL },
		{ "a,b.db", 0, NULL },
		{ "postgres://kg@db1/kg", 0, NULL },
		{ "postgres://kg@db1,db2/kg", 0, NULL },
		{ "postgresql://kg@db1:5432,db2:5433,db3/kg", 0, NULL },
		{ "postgres://kg@db1,db2/kg?target_session_attrs=read-write", 0,
		  NULL },
		{ "postgres://kg@db1,db2/kg?target_session_attrs=primary", 0,
		  NULL },
		{ "postgres://kg@db1/kg?target_session_attrs=any", 0, NULL },
		{ "postgres:///kg?host=db1,db2", 0, NULL },
		{ "postgres://kg@db1,db2/kg?target_session_attrs=any",
		  ERR_INVALID, "names 2 hosts with target_session_attrs=any" },
		{ "postgres:///kg?host=db1,db2,db3&target_session_attrs=any",
		  ERR_INVALID, "names 3 hosts" },
		{ "postgres:///kg?hostaddr=10.0.0.1,10.0.0.2"
		  "&target_session_attrs=any", ERR_INVALID, "names 2 hosts" },
		{ "postgres://db1,db2/kg?target_session_attrs=prefer-standby",
		  ERR_INVALID, "target_session_attrs=prefer-standby" },
		{ "postgres://kg@db1/kg?target_session_attrs=standby",
		  ERR_INVALID, "keygate needs the primary" },
		{ "postgres://kg@db1/kg?target_session_attrs=read-only",
		  ERR_INVALID, "keygate needs the primary" },
		{ "postgres://kg:50%off@db1,db2/kg", ERR_INVALID,
		  "cannot be parsed" },
	};

	for (size_t i = 0; i < NELEM(cases); i++) {
		struct config cfg;
		char err[256] = "";
		int rc;

		config_init(&cfg);
		free(cfg.db);
		cfg.db = strdup(cases[i].db);
		rc = config_finish(&cfg, err, sizeof(err));
		cr_expect_eq(rc, cases[i].rc, "%s: rc %d, want %d: %s",
		    cases[i].db, rc, cases[i].rc, err);
		if (cases[i].says != NULL)
			cr_expect(strstr(err, cases[i].says) != NULL,
			    "%s: \"%s\" does not say \"%s\"", cases[i].db, err,
			    cases[i].says);
		cr_expect(strstr(err, "50%off") == NULL, "%s", err);
		config_release(&cfg);
	}
}
