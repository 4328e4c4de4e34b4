/* keygate resource add|list|show|delete: the APIs keygate guards besides
 * its own (docs/REFERENCE.md §22.1). */
#include "cli/cli.h"
#include "cli/help.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/err.h"
#include "core/resources.h"

#define MAX_SCOPES	23	/* every bit but the resource's own */

static void
usage(FILE *out)
{
	fprintf(out,
	    "usage: keygate resource add URI --name TEXT "
	    "[--scope \"NAME description\"]... [settings]\n"
	    "       keygate resource list [--json] [settings]\n"
	    "       keygate resource show URI [--json] [settings]\n"
	    "       keygate resource delete URI [settings]\n\n"
	    "add registers an API this server issues tokens for (RFC 8707): "
	    "an https URI\n(http only on a loopback host) without query or "
	    "fragment, a name, and its\nscopes, each a name (no spaces) and "
	    "the description the Grant Access page\nshows. Clients ask for "
	    "it with resource=URI; its tokens pass /oauth2/check\nonly with "
	    "X-Keygate-Resource: URI. The resources share 24 bits: one each,"
	    "\nand one for each scope.\n"
	    "delete revokes every token, code and consent for the resource "
	    "and removes it.\nRunning servers pick changes up within a "
	    "second.\n\nsettings (each also from its variable or --config, "
	    "as serve reads them):\n");
	config_usage(out, CONFIG_RESOURCE_CLI);
}

struct own {
	bool		 json;
	const char	*name;
	const char	*scopes[MAX_SCOPES + 1];
	size_t		 nscopes;
};

/* Takes --json, --name and --scope out of argv; the rest are settings. */
static int
take_own(int *argc, char **argv, struct own *o)
{
	int out = 0;

	for (int i = 0; i < *argc; i++) {
		const char **to = NULL;

		if (strcmp(argv[i], "--json") == 0)
			o->json = true;
		else if (strcmp(argv[i], "--name") == 0)
			to = &o->name;
		else if (strcmp(argv[i], "--scope") == 0) {
			if (o->nscopes == MAX_SCOPES + 1)
				return ERR_TOOBIG;
			to = &o->scopes[o->nscopes++];
		} else
			argv[out++] = argv[i];
		if (to != NULL && i + 1 >= *argc)
			return ERR_MISSING;
		if (to != NULL)
			*to = argv[++i];
	}
	*argc = out;
	return 0;
}

/* The resources of rows (sorted by URI) as JSON, `only` alone if set. */
static json_t *
as_json(const struct resource_bit_row *rows, size_t n, const char *only)
{
	json_t *all = json_array(), *r = NULL;
	char when[32];

	for (size_t k = 0; k < n; k++) {
		if (only != NULL && strcmp(rows[k].uri, only) != 0)
			continue;
		if (r == NULL || strcmp(rows[k].uri, rows[k - 1].uri) != 0) {
			clock_rfc3339(rows[k].created_at, when);
			r = json_pack("{s:s, s:s, s:s, s:[]}", "uri",
			    rows[k].uri, "name", rows[k].name, "created",
			    when, "scopes");
			json_array_append_new(all, r);
		}
		if (rows[k].scope[0] != '\0')
			json_array_append_new(json_object_get(r, "scopes"),
			    json_pack("{s:s, s:s}", "name", rows[k].scope,
			    "description", rows[k].description));
	}
	return all;
}

static void
print_text(json_t *all)
{
	size_t i, j;
	json_t *r, *s;

	json_array_foreach(all, i, r) {
		printf("%s  %s  (since %s)\n",
		    json_string_value(json_object_get(r, "uri")),
		    json_string_value(json_object_get(r, "name")),
		    json_string_value(json_object_get(r, "created")));
		json_array_foreach(json_object_get(r, "scopes"), j, s)
			printf("  %s  %s\n",
			    json_string_value(json_object_get(s, "name")),
			    json_string_value(json_object_get(s,
			    "description")));
	}
}

static int
cmd_show(struct keygate *kg, const char *only, bool json)
{
	struct resource_bit_row *rows;
	json_t *all;
	size_t n;

	if (resources_list(kg, &rows, &n) != 0) {
		fprintf(stderr, "keygate resource: the store cannot be read\n");
		return 1;
	}
	all = as_json(rows, n, only);
	free(rows);
	if (only != NULL && json_array_size(all) == 0) {
		fprintf(stderr, "keygate resource: no resource at %s\n", only);
		json_decref(all);
		return 1;
	}
	if (json) {
		json_t *one = only != NULL ? json_array_get(all, 0) : all;

		json_dumpf(one, stdout, JSON_INDENT(2));
		printf("\n");
	} else {
		print_text(all);
	}
	json_decref(all);
	return 0;
}

static int
cmd_add(struct keygate *kg, const char *uri, const struct own *o)
{
	const char *why = NULL;
	int rc;

	if (o->name == NULL) {
		fprintf(stderr, "keygate resource add: --name is required\n");
		return 2;
	}
	if (o->nscopes > MAX_SCOPES) {
		fprintf(stderr, "keygate resource add: at most %d scopes\n",
		    MAX_SCOPES);
		return 2;
	}
	rc = resources_add(kg, uri, o->name, o->scopes, o->nscopes, &why);
	if (rc == ERR_STORE) {
		fprintf(stderr, "keygate resource add: the store cannot be "
		    "written\n");
		return 1;
	}
	if (rc != 0) {
		fprintf(stderr, "keygate resource add: %s\n", why != NULL ?
		    why : err_name(rc));
		return rc == ERR_EXISTS ? 1 : 2;
	}
	printf("%s registered\n", uri);
	return 0;
}

static int
cmd_delete(struct keygate *kg, const char *uri)
{
	int rc = resources_delete(kg, uri);

	if (rc == ERR_NOTFOUND) {
		fprintf(stderr, "keygate resource delete: no resource at %s\n",
		    uri);
		return 1;
	}
	if (rc != 0) {
		fprintf(stderr, "keygate resource delete: the store cannot be "
		    "written\n");
		return 1;
	}
	printf("%s deleted; its tokens are revoked\n", uri);
	return 0;
}

static int
run(struct keygate *kg, const char *verb, const char *uri,
    const struct own *o)
{
	if (resources_load(kg) != 0) {
		fprintf(stderr, "keygate resource: the store cannot be read\n");
		return 1;
	}
	if (strcmp(verb, "add") == 0)
		return cmd_add(kg, uri, o);
	if (strcmp(verb, "delete") == 0)
		return cmd_delete(kg, uri);
	return cmd_show(kg, uri, o->json);
}

int
cli_resource(int argc, char **argv)
{
	struct own o = { 0 };
	struct config cfg;
	struct keygate kg;
	const char *verb, *uri = NULL;
	char err[512];
	bool needs_uri;
	int rc;

	if (cli_help_asked(argc, argv)) {
		usage(stdout);
		return 0;
	}
	if (argc < 1 || take_own(&argc, argv, &o) != 0) {
		usage(stderr);
		return 2;
	}
	verb = argv[0];
	needs_uri = strcmp(verb, "list") != 0;
	if ((strcmp(verb, "add") != 0 && strcmp(verb, "list") != 0 &&
	    strcmp(verb, "show") != 0 && strcmp(verb, "delete") != 0) ||
	    (needs_uri && (argc < 2 || argv[1][0] == '-')) ||
	    ((o.name != NULL || o.nscopes > 0) && strcmp(verb, "add") != 0) ||
	    (o.json && strcmp(verb, "list") != 0 && strcmp(verb, "show") != 0)) {
		usage(stderr);
		return 2;
	}
	if (needs_uri)
		uri = argv[1];
	config_init(&cfg);
	if (config_parse(&cfg, argc - 1 - needs_uri, argv + 1 + needs_uri,
	    CONFIG_RESOURCE_CLI, err, sizeof(err)) != 0) {
		fprintf(stderr, "keygate resource: %s\n", err);
		config_release(&cfg);
		return 2;
	}
	if (cli_open(&kg, &cfg) != 0) {
		config_release(&cfg);
		return 1;
	}
	rc = run(&kg, verb, uri, &o);
	cli_close(&kg);
	config_release(&cfg);
	return rc;
}
