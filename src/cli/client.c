/* `keygate client login|token|call|status`: the API user's commands, on
 * libkeygate-client's public API alone (include/keygate/client.h). Only
 * `token` prints a token, on purpose; nothing else shows a secret. */
#include "cli/cli.h"
#include "cli/client_cli.h"
#include "cli/help.h"

#include <errno.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "base/limits.h"

#define CLIENT_LOGIN_TIMEOUT_S	300

static void
client_usage(FILE *out)
{
	fprintf(out, "usage: keygate client COMMAND [flags]\n\n"
	    "  login --issuer URL --api-key K [--secret-stdin] "
	    "[--scope SCOPE]\n"
	    "        [--redirect-uri http://127.0.0.1[:PORT]/PATH] "
	    "[--timeout SECONDS]\n"
	    "        [--idle-ttl SECONDS] [--max-ttl SECONDS] [--device] "
	    "[--no-dpop]\n"
	    "                 print the URL to open, wait for the redirect, "
	    "save the tokens;\n"
	    "                 --device: no browser here; print a URL and a "
	    "code to enter\n"
	    "                 there (and a QR code on a terminal), wait "
	    "for access\n"
	    "                 tokens are bound to a key by DPoP (RFC 9449) when "
	    "the server\n"
	    "                 offers it; --no-dpop: plain Bearer tokens\n"
	    "                 the app's secret, if it has one: one line of "
	    "standard input\n"
	    "                 with --secret-stdin, else KEYGATE_CLIENT_SECRET "
	    "(never on\n"
	    "                 the command line, where ps shows it)\n"
	    "  token          print a valid access token (refreshed first "
	    "when due)\n"
	    "  call URL [-X METHOD] [-d DATA] [-H 'Name: value']\n"
	    "                 one API call with the token; the body goes "
	    "to stdout\n"
	    "  status         the timers and when each runs out\n\n"
	    "every command:\n"
	    "  --file PATH    the token file (KEYGATE_CLIENT_FILE; default\n"
	    "                 $XDG_CONFIG_HOME/keygate/client.json)\n"
	    "  --test-clock-file PATH  tests only: add the seconds in PATH "
	    "to the\n"
	    "                 clock (KEYGATE_CLIENT_TEST_CLOCK_FILE)\n"
	    "exit: 0 ok, 1 failure, 2 usage, 3 log in again, 4 key or "
	    "secret refused,\n"
	    "      5 network, 6 HTTP status >= 400 (call)\n");
}

struct login_args {
	const char	*issuer;
	const char	*api_key;
	const char	*secret;
	bool		 secret_stdin;
	bool		 device;	/* --device: RFC 8628 */
	bool		 no_dpop;	/* --no-dpop: Bearer tokens */
	/* --secret-stdin's line, wiped after use */
	char		 secret_line[TOKEN_MAX_BYTES + 3];
	const char	*scope;
	const char	*redirect;
	long		 timeout_s;
	long		 idle_ttl_s;
	long		 max_ttl_s;
};

static bool
parse_long(const char *s, long lo, long hi, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

static bool
login_flag(struct login_args *a, const char *flag, const char *val)
{
	const struct {
		const char	 *name;
		const char	**str;
		long		 *num;
	} flags[] = {
		{ "--issuer", &a->issuer, NULL },
		{ "--api-key", &a->api_key, NULL },
		{ "--scope", &a->scope, NULL },
		{ "--redirect-uri", &a->redirect, NULL },
		{ "--timeout", NULL, &a->timeout_s },
		{ "--idle-ttl", NULL, &a->idle_ttl_s },
		{ "--max-ttl", NULL, &a->max_ttl_s },
	};
	size_t i;

	for (i = 0; i < sizeof(flags) / sizeof(*flags); i++) {
		if (strcmp(flag, flags[i].name) != 0)
			continue;
		if (flags[i].str != NULL) {
			*flags[i].str = val;
			return true;
		}
		return parse_long(val, 1, 100000000, flags[i].num);
	}
	return false;
}

/* The secret, from one line of standard input: a command line is visible
 * to every user of the machine (ps) and kept in shell histories. */
static int
read_secret(struct login_args *a)
{
	size_t n;

	if (fgets(a->secret_line, sizeof(a->secret_line), stdin) == NULL)
		n = 0;
	else
		n = strcspn(a->secret_line, "\r\n");
	if (n == sizeof(a->secret_line) - 1) {
		fprintf(stderr, "keygate client login: the line on standard "
		    "input is too long to be a secret\n");
		return CLIENT_EXIT_USAGE;
	}
	a->secret_line[n] = '\0';
	if (n == 0) {
		fprintf(stderr, "keygate client login: --secret-stdin: no "
		    "secret on standard input\n");
		return CLIENT_EXIT_USAGE;
	}
	a->secret = a->secret_line;
	return 0;
}

/* A flag without a value; true when argv[i] was one (*rc set on a
 * refused one). */
static bool
login_switch(struct login_args *a, const char *flag, int *rc)
{
	if (strcmp(flag, "--secret-stdin") == 0) {
		a->secret_stdin = true;
		return true;
	}
	if (strcmp(flag, "--device") == 0) {
		a->device = true;
		return true;
	}
	if (strcmp(flag, "--no-dpop") == 0) {
		a->no_dpop = true;
		return true;
	}
	if (strcmp(flag, "--secret") == 0 ||
	    strncmp(flag, "--secret=", 9) == 0) {
		fprintf(stderr, "keygate client login: --secret is not taken: "
		    "a command line is visible to every user of the machine "
		    "(ps); give the secret in KEYGATE_CLIENT_SECRET, or on "
		    "standard input with --secret-stdin\n");
		*rc = CLIENT_EXIT_USAGE;
		return true;
	}
	return false;
}

static int
parse_login(int argc, char **argv, struct client_opts *o,
    struct login_args *a)
{
	bool bad = false;
	int i, rc = 0;

	for (i = 0; i < argc && !bad; i++) {
		if (client_common_flag(o, argc, argv, &i, &bad))
			continue;
		if (login_switch(a, argv[i], &rc)) {
			if (rc != 0)
				return rc;
			continue;
		}
		if (i + 1 >= argc || !login_flag(a, argv[i], argv[i + 1])) {
			fprintf(stderr, "keygate client login: bad flag "
			    "'%s'\n", argv[i]);
			return CLIENT_EXIT_USAGE;
		}
		i++;
	}
	if (bad)
		return CLIENT_EXIT_USAGE;
	if (a->secret_stdin && (rc = read_secret(a)) != 0)
		return rc;
	if (a->secret == NULL)
		a->secret = getenv("KEYGATE_CLIENT_SECRET");
	if (a->issuer == NULL || a->api_key == NULL) {
		fprintf(stderr, "keygate client login: --issuer and --api-key "
		    "are required\n");
		return CLIENT_EXIT_USAGE;
	}
	/* The device flow has no redirect, and its code's expiry is its
	 * time limit. */
	if (a->device && (a->redirect != NULL || a->timeout_s != 0)) {
		fprintf(stderr, "keygate client login: --device takes no "
		    "--redirect-uri or --timeout\n");
		return CLIENT_EXIT_USAGE;
	}
	return client_opts_finish(o);
}

static int
configure_login(struct kg_client *c, const struct client_opts *o,
    const struct login_args *a)
{
	int rc = kg_client_set_token_file(c, o->file);

	if (rc == 0 && o->clock_file != NULL)
		kg_client_set_clock(c, kg_client_clock_file,
		    (void *)o->clock_file);
	if (rc == 0 && (a->idle_ttl_s != 0 || a->max_ttl_s != 0))
		rc = kg_client_set_lifetimes(c, 3600, a->idle_ttl_s ?
		    a->idle_ttl_s : 7200, a->max_ttl_s ? a->max_ttl_s : 86400);
	if (rc == 0)
		rc = kg_client_set_scope(c, a->scope);
	if (rc == 0 && a->redirect != NULL)
		rc = kg_client_set_redirect_uri(c, a->redirect);
	if (rc == 0 && a->no_dpop)
		kg_client_set_dpop(c, false);
	return rc;
}

static int
client_login(int argc, char **argv)
{
	struct login_args a = { 0 };
	struct client_opts o = { 0 };
	struct kg_client_login *l = NULL;
	struct kg_client *c = NULL;
	int rc;

	rc = parse_login(argc, argv, &o, &a);
	if (rc != 0) {
		sodium_memzero(a.secret_line, sizeof(a.secret_line));
		return rc;
	}
	/* the client keeps its own copy */
	rc = kg_client_new(a.issuer, a.api_key, a.secret, &c);
	sodium_memzero(a.secret_line, sizeof(a.secret_line));
	if (rc == 0)
		rc = configure_login(c, &o, &a);
	if (rc == 0 && a.device)
		rc = cli_client_device_login(c);
	else if (rc == 0)
		rc = kg_client_login_start(c, &l);
	if (rc == 0 && !a.device) {
		fprintf(stderr, "Open this URL in a browser and allow "
		    "access:\n");
		printf("%s\n", kg_client_login_url(l));
		fflush(stdout);
		rc = kg_client_login_finish(c, l, a.timeout_s != 0 ?
		    (int)a.timeout_s : CLIENT_LOGIN_TIMEOUT_S);
	}
	if (rc == 0)
		fprintf(stderr, "Logged in; the tokens are in %s\n", o.file);
	kg_client_login_free(l);
	kg_client_free(c);
	return rc == 0 ? 0 : client_fail(rc);
}

static int
parse_plain(const char *cmd, int argc, char **argv, struct client_opts *o)
{
	bool bad = false;
	int i;

	for (i = 0; i < argc && !bad; i++) {
		if (!client_common_flag(o, argc, argv, &i, &bad)) {
			fprintf(stderr, "keygate client %s: unknown argument "
			    "'%s'\n", cmd, argv[i]);
			return CLIENT_EXIT_USAGE;
		}
	}
	return bad ? CLIENT_EXIT_USAGE : client_opts_finish(o);
}

static int
client_token(int argc, char **argv)
{
	struct client_opts o = { 0 };
	struct kg_client *c = NULL;
	char *token = NULL;
	int rc;

	rc = parse_plain("token", argc, argv, &o);
	if (rc != 0)
		return rc;
	rc = client_open(&o, &c);
	if (rc == 0)
		rc = kg_client_access_token(c, &token);
	if (rc == 0)
		printf("%s\n", token);
	free(token);
	kg_client_free(c);
	return rc == 0 ? 0 : client_fail(rc);
}

static void
print_time(const char *label, int64_t t, int64_t now)
{
	char when[32];
	time_t tt = (time_t)t;
	struct tm tm;
	int64_t d = t - now;
	const char *dir = d < 0 ? "ago" : "from now";

	gmtime_r(&tt, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (d < 0)
		d = -d;
	printf("%-16s %s (%" PRId64 "h%02" PRId64 "m%02" PRId64 "s %s)\n",
	    label, when, d / 3600, d / 60 % 60, d % 60, dir);
}

static void
print_status(const struct kg_client_status *st)
{
	print_time("now", st->now, st->now);
	print_time("issued", st->issued_at, st->now);
	if (st->last_used != 0)
		print_time("last used", st->last_used, st->now);
	else
		printf("%-16s never\n", "last used");
	if (st->last_used == 0)
		print_time("unused timer", st->unused_ends_at, st->now);
	else
		print_time("idle timer", st->idle_ends_at, st->now);
	print_time("max timer", st->max_ends_at, st->now);
	print_time("expires", st->expires_at, st->now);
	print_time("refresh at", st->refresh_at, st->now);
	/* The thumbprint is public (it is the token's cnf.jkt); the key
	 * itself is never printed. */
	printf("%-16s %s\n", "token type", st->token_type);
	if (st->dpop_jkt[0] != '\0')
		printf("%-16s %s\n", "dpop key jkt", st->dpop_jkt);
	printf("%-16s %s\n", "first to run out", st->timer);
}

static int
client_status(int argc, char **argv)
{
	struct client_opts o = { 0 };
	struct kg_client_status st;
	struct kg_client *c = NULL;
	int rc;

	rc = parse_plain("status", argc, argv, &o);
	if (rc != 0)
		return rc;
	rc = client_open(&o, &c);
	if (rc == 0)
		rc = kg_client_status(c, &st);
	if (rc == 0) {
		printf("%-16s %s\n", "token file", o.file);
		print_status(&st);
	}
	kg_client_free(c);
	return rc == 0 ? 0 : client_fail(rc);
}

int
cli_client(int argc, char **argv)
{
	const char *cmd = argc > 0 ? argv[0] : NULL;

	if (cmd == NULL) {
		client_usage(stderr);
		return CLIENT_EXIT_USAGE;
	}
	if (strcmp(cmd, "help") == 0 || cli_help_asked(argc, argv)) {
		client_usage(stdout);
		return 0;
	}
	if (strcmp(cmd, "login") == 0)
		return client_login(argc - 1, argv + 1);
	if (strcmp(cmd, "token") == 0)
		return client_token(argc - 1, argv + 1);
	if (strcmp(cmd, "call") == 0)
		return cli_client_call(argc - 1, argv + 1);
	if (strcmp(cmd, "status") == 0)
		return client_status(argc - 1, argv + 1);
	fprintf(stderr, "keygate client: unknown command '%s'\n", cmd);
	client_usage(stderr);
	return CLIENT_EXIT_USAGE;
}
