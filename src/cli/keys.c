/* keygate keys list|rotate: the OpenID Provider's signing keys
 * (docs/OPERATIONS.md "Signing keys"). */
#include "cli/cli.h"
#include "cli/help.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/err.h"
#include "core/signing_keys.h"

static void
usage(FILE *out)
{
	fprintf(out,
	    "usage: keygate keys list [--json] [settings]\n"
	    "       keygate keys rotate [--alg RS256|ES256|EdDSA] [settings]\n\n"
	    "list shows every signing key: kid, alg, when it was made, when "
	    "it signs\nfrom, and its state (next: published, not signing "
	    "yet; current: signs;\nretired: replaced, still published; "
	    "expired: no longer published).\nrotate makes a new key of each "
	    "alg (or of --alg): published at once, it\nsigns after "
	    "--key-publish-delay, and the key it replaces stays published\n"
	    "--key-retire-delay longer. Running servers pick it up within a "
	    "second.\n\nsettings (each also from its variable or --config, "
	    "as serve reads them):\n");
	config_usage(out, CONFIG_KEYS_CLI);
}

/* Takes --json and --alg out of argv; the rest are settings. */
static int
take_own(int *argc, char **argv, bool *json, const char **alg)
{
	int out = 0;

	*json = false;
	*alg = NULL;
	for (int i = 0; i < *argc; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			*json = true;
		} else if (strcmp(argv[i], "--alg") == 0) {
			if (i + 1 >= *argc)
				return ERR_MISSING;
			*alg = argv[++i];
		} else if (strncmp(argv[i], "--alg=", 6) == 0) {
			*alg = argv[i] + 6;
		} else {
			argv[out++] = argv[i];
		}
	}
	*argc = out;
	return 0;
}

static void
print_time(int64_t t, const char *sep)
{
	char when[32];

	clock_rfc3339(t, when);
	printf("%s%s", when, sep);
}

static int
cmd_list(struct keygate *kg, bool json)
{
	struct key_info *k;
	size_t n;

	if (signing_keys_list(kg, &k, &n) != 0)
		return 1;
	if (json)
		printf("[");
	else
		printf("%-24s %-6s %-21s %-21s %s\n", "kid", "alg", "created",
		    "active from", "state");
	for (size_t i = 0; i < n; i++) {
		char c[32], a[32];

		clock_rfc3339(k[i].created_at, c);
		clock_rfc3339(k[i].active_from, a);
		if (json) {
			printf("%s\n  {\"kid\": \"%s\", \"alg\": \"%s\", "
			    "\"created\": \"%s\", \"active_from\": \"%s\", "
			    "\"state\": \"%s\"", i > 0 ? "," : "", k[i].kid,
			    jws_alg_name(k[i].alg), c, a,
			    key_state_name(k[i].state));
			if (k[i].dropped_at != 0) {
				printf(", \"unpublished_at\": \"");
				print_time(k[i].dropped_at, "\"");
			}
			printf("}");
		} else {
			printf("%-24s %-6s %-21s %-21s %s\n", k[i].kid,
			    jws_alg_name(k[i].alg), c, a,
			    key_state_name(k[i].state));
		}
	}
	if (json)
		printf("%s]\n", n > 0 ? "\n" : "");
	free(k);
	return 0;
}

static int
cmd_rotate(struct keygate *kg, const char *only)
{
	enum jws_alg want;
	char kid[SIGNING_KID_MAX];

	if (only != NULL && jws_alg_parse(str_from(only), &want) != 0) {
		fprintf(stderr, "keygate keys rotate: --alg wants RS256, "
		    "ES256 or EdDSA\n");
		return 2;
	}
	for (int a = 0; a < JWS_ALG_COUNT; a++) {
		if (only != NULL && (enum jws_alg)a != want)
			continue;
		if (signing_keys_rotate(kg, (enum jws_alg)a, kid) != 0) {
			fprintf(stderr, "keygate keys rotate: cannot store "
			    "a new %s key\n", jws_alg_name((enum jws_alg)a));
			return 1;
		}
		printf("%s %s signs from ", kid,
		    jws_alg_name((enum jws_alg)a));
		print_time(clock_now(kg->clock) +
		    kg->cfg->key_publish_delay_s, "\n");
	}
	return 0;
}

int
cli_keys(int argc, char **argv)
{
	struct config cfg;
	struct keygate kg;
	const char *verb, *alg;
	char err[512];
	bool json;
	int rc;

	if (cli_help_asked(argc, argv)) {
		usage(stdout);
		return 0;
	}
	if (argc < 1 || take_own(&argc, argv, &json, &alg) != 0 ||
	    (strcmp(argv[0], "list") != 0 && strcmp(argv[0], "rotate") != 0) ||
	    (alg != NULL && strcmp(argv[0], "rotate") != 0) ||
	    (json && strcmp(argv[0], "list") != 0)) {
		usage(stderr);
		return 2;
	}
	verb = argv[0];
	config_init(&cfg);
	if (config_parse(&cfg, argc - 1, argv + 1, CONFIG_KEYS_CLI, err,
	    sizeof(err)) != 0) {
		fprintf(stderr, "keygate keys: %s\n", err);
		config_release(&cfg);
		return 2;
	}
	if (cli_open(&kg, &cfg) != 0) {
		config_release(&cfg);
		return 1;
	}
	if (signing_keys_open(&kg, err, sizeof(err)) != 0) {
		fprintf(stderr, "keygate keys: %s\n", err);
		rc = 1;
	} else if (strcmp(verb, "list") == 0) {
		rc = cmd_list(&kg, json);
	} else {
		rc = cmd_rotate(&kg, alg);
	}
	signing_keys_close(&kg);
	cli_close(&kg);
	config_release(&cfg);
	return rc;
}
