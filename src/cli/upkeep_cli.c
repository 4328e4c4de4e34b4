/* Operator commands on the store: keygate gc, keygate token revoke,
 * keygate stats. */
#include "cli/cli.h"
#include "cli/help.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "base/limits.h"
#include "core/tokens.h"
#include "core/upkeep.h"

/* The settings these commands read: the store, and the lifetime rule
 * that says which tokens are dead (give them as serve gets them, e.g.
 * with the same --config). */
static const char *const UPKEEP_FLAGS[] = { "db", "token-unused-ttl",
    "token-idle-ttl", "token-max-ttl", "event-retention-days",
    "usage-retention-days", NULL };

/* Parses flags (after `json`, when given, takes out --json) and opens the
 * store. Returns 0, or the exit status. */
static int
open_store(const char *cmd, int argc, char **argv, bool *json,
    struct config *cfg, struct keygate *kg)
{
	char err[512];

	if (json != NULL) {
		*json = false;
		for (int i = 0; i < argc; i++)
			if (strcmp(argv[i], "--json") == 0) {
				*json = true;
				memmove(&argv[i], &argv[i + 1],
				    (size_t)(argc - i - 1) * sizeof(char *));
				argc--;
				break;
			}
	}
	config_init(cfg);
	if (config_parse(cfg, argc, argv, UPKEEP_FLAGS, err,
	    sizeof(err)) != 0 || config_finish(cfg, err, sizeof(err)) != 0) {
		fprintf(stderr, "keygate %s: %s\n", cmd, err);
		config_release(cfg);
		return 2;
	}
	if (cli_open(kg, cfg) != 0) {
		config_release(cfg);
		return 1;
	}
	return 0;
}

static void
close_store(struct config *cfg, struct keygate *kg)
{
	cli_close(kg);
	config_release(cfg);
}

/* One line per batch on stderr for a sweep that takes several, so that a
 * long run on a large store shows it is moving; the totals on stdout. */
static void
progress(void *ctx, const char *kind, size_t removed, bool done)
{
	(void)ctx;
	if (done)
		printf("%-20s %zu removed\n", kind, removed);
	else
		fprintf(stderr, "keygate gc: %s: %zu removed so far...\n",
		    kind, removed);
	fflush(stdout);
}

int
cli_gc(int argc, char **argv)
{
	struct config cfg;
	struct keygate kg;
	size_t total;
	int rc;

	if (cli_help_asked(argc, argv)) {
		printf("usage: keygate gc [--config FILE] [--db PATH] "
		    "[--token-*-ttl N]\n\n"
		    "Removes access tokens dead for over an hour, "
		    "authorization codes a day\npast their expiry, ended "
		    "sessions and usage counts past\n--usage-retention-days, "
		    "%d rows a transaction. Refresh tokens stay:\nreuse "
		    "detection needs every used one. Safe while keygate "
		    "serves; give\nit the lifetime flags serve has.\n\n",
		    UPKEEP_BATCH);
		config_usage(stdout, UPKEEP_FLAGS);
		return 0;
	}
	if ((rc = open_store("gc", argc, argv, NULL, &cfg, &kg)) != 0)
		return rc;
	rc = upkeep_gc(&kg, progress, NULL, &total);
	if (rc != 0)
		fprintf(stderr, "keygate gc: the store failed (%s); what was "
		    "removed so far stays removed\n", err_name(rc));
	else
		printf("%-20s %zu removed\n", "in all", total);
	close_store(&cfg, &kg);
	return rc == 0 ? 0 : 1;
}

static void
print_counts(const struct store_counts *c, bool json)
{
	if (json) {
		printf("{\"accounts\": %lld, \"apps\": %lld, \"grants\": %lld, "
		    "\"live_access_tokens\": %lld, \"live_refresh_tokens\": "
		    "%lld, \"live_sessions\": %lld}\n", (long long)c->accounts,
		    (long long)c->apps, (long long)c->grants,
		    (long long)c->live_access, (long long)c->live_refresh,
		    (long long)c->sessions);
		return;
	}
	printf("accounts             %lld\napps                 %lld\n"
	    "grants               %lld\nlive access tokens   %lld\n"
	    "live refresh tokens  %lld\nlive sessions        %lld\n",
	    (long long)c->accounts, (long long)c->apps, (long long)c->grants,
	    (long long)c->live_access, (long long)c->live_refresh,
	    (long long)c->sessions);
}

int
cli_stats(int argc, char **argv)
{
	struct config cfg;
	struct keygate kg;
	struct store_counts c;
	bool json;
	int rc;

	if (cli_help_asked(argc, argv)) {
		printf("usage: keygate stats [--json] [--config FILE] "
		    "[--db PATH] [--token-*-ttl N]\n\n"
		    "Counts accounts, apps, grants, and the access tokens, "
		    "refresh tokens\n(unused, family unrevoked) and browser "
		    "sessions alive now.\n\n");
		config_usage(stdout, UPKEEP_FLAGS);
		return 0;
	}
	if ((rc = open_store("stats", argc, argv, &json, &cfg, &kg)) != 0)
		return rc;
	rc = upkeep_stats(&kg, &c);
	if (rc == 0)
		print_counts(&c, json);
	else
		fprintf(stderr, "keygate stats: the store failed (%s)\n",
		    err_name(rc));
	close_store(&cfg, &kg);
	return rc == 0 ? 0 : 1;
}

/* The token, from one line of standard input: a command line is visible
 * to every user of the machine (ps) and kept in shell histories. */
static int
read_token(char *tok, size_t len)
{
	size_t n;

	if (fgets(tok, (int)len, stdin) == NULL)
		return ERR_MISSING;
	n = strcspn(tok, "\r\n");
	if (tok[n] == '\0' && n == len - 1)
		return ERR_TOOBIG;
	tok[n] = '\0';
	return n == 0 ? ERR_MISSING : 0;
}

static int
token_revoke(int argc, char **argv)
{
	char tok[TOKEN_MAX_BYTES + 3];
	struct config cfg;
	struct keygate kg;
	const char *kind;
	int rc;

	if ((rc = read_token(tok, sizeof(tok))) != 0) {
		fprintf(stderr, "keygate token revoke: %s\n", rc == ERR_TOOBIG ?
		    "that is too long to be a keygate token" : "give the "
		    "token on standard input, e.g. keygate token revoke < "
		    "FILE");
		return 2;
	}
	if ((rc = open_store("token revoke", argc, argv, NULL, &cfg,
	    &kg)) != 0) {
		sodium_memzero(tok, sizeof(tok));
		return rc;
	}
	rc = tokens_revoke_any(&kg, str_from(tok), &kind);
	sodium_memzero(tok, sizeof(tok));
	if (rc == 0)
		printf("revoked the %s%s\n", kind,
		    strcmp(kind, "refresh token") == 0 ?
		    " and every token of its family" : "");
	else if (rc == ERR_NOTFOUND)
		fprintf(stderr, "keygate token revoke: no such %s in the "
		    "store\n", kind);
	else
		fprintf(stderr, "keygate token revoke: the store failed "
		    "(%s)\n", err_name(rc));
	close_store(&cfg, &kg);
	return rc == 0 ? 0 : 1;
}

int
cli_token(int argc, char **argv)
{
	bool help = cli_help_asked(argc, argv);

	if (argc > 0 && strcmp(argv[0], "revoke") == 0 && !help)
		return token_revoke(argc - 1, argv + 1);
	fprintf(help ? stdout : stderr,
	    "usage: keygate token revoke [--config FILE] [--db PATH] "
	    "< TOKEN-FILE\n\n"
	    "Revokes the access or refresh token read from standard input, "
	    "whichever\napp holds it; a refresh token takes its whole "
	    "family along.\n");
	return help ? 0 : 2;
}
