/* keygate app list|create|show|set|secret|revoke-old-secret|delete:
 * operators' access to
 * every account's applications, through the same rules as the portal. */
#include "cli/cli.h"
#include "cli/help.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/accounts.h"
#include "core/app_json.h"
#include "core/apps.h"
#include "base/err.h"
#include "base/mem.h"

/* the settings it takes: --db, --brand, --max-apps, and for the notice of
 * `secret` --issuer and --mail-from (core/config.c CONFIG_APP_CLI) */
#define APP_CLI_SETTINGS	5

struct app_args {
	const char		*verb;
	const char		*key;		/* the app's API key */
	const char		*email;
	bool			 json;
	bool			 has_keep;	/* secret --keep-old */
	int64_t			 keep_s;
	struct app_fields	 f;
	int			 cfg_argc;	/* APP_CLI_SETTINGS of them */
	char			*cfg_argv[APP_CLI_SETTINGS * 2];
};

static void
usage(FILE *out)
{
	fprintf(out,
	    "usage: keygate app list [--email OWNER] [--json] [--db PATH]\n"
	    "       keygate app create --email OWNER --name NAME [settings] "
	    "[--json]\n"
	    "       keygate app show KEY [--json]\n"
	    "       keygate app set KEY [settings] [--json]\n"
	    "       keygate app secret KEY [--keep-old 0|1h|24h|7d]   (prints "
	    "the new secret\n"
	    "         once; --keep-old: how long the current one stays valid, "
	    "0 by default)\n"
	    "       keygate app revoke-old-secret KEY   (the one --keep-old "
	    "kept, now)\n"
	    "       keygate app delete KEY\n\n"
	    "settings: --redirect-uri URI (repeat for several), --public-name "
	    "TEXT,\n          --logo-url URL, --description TEXT, "
	    "--implicit-flow on|off,\n          --device-flow on|off, --dpop-bound on|off, "
	    "--require-par on|off,\n"
	    "          --id-token-signed-response-alg RS256|ES256|EdDSA,\n"
	    "          --post-logout-redirect-uri URI (repeat for several; "
	    "\"\" empties\n          the list)\n"
	    "Every command also takes --db PATH (or KEYGATE_DB) and --brand "
	    "NAME\n(or KEYGATE_BRAND): give it the server's brand, which "
	    "public names may\nnot contain. create also takes --max-apps N "
	    "(or KEYGATE_MAX_APPS, default 100):\nthe server's cap on an "
	    "account's applications.\nsecret mails the app's owner a notice, "
	    "sent by the server: --issuer URL and\n--mail-from ADDRESS (or "
	    "KEYGATE_ISSUER, KEYGATE_MAIL_FROM) as the server's\nmake its "
	    "links and sender right.\n");
}

/* A switch's on|off into *has and *value. */
static int
on_off(const char *v, bool *has, bool *value)
{
	if (strcmp(v, "on") != 0 && strcmp(v, "off") != 0)
		return ERR_INVALID;
	*has = true;
	*value = strcmp(v, "on") == 0;
	return 0;
}

static int
take_setting(struct app_args *a, const char *flag, const char *v)
{
	struct app_fields *f = &a->f;

	if (strcmp(flag, "--name") == 0) {
		f->has_name = true;
		f->name = str_from(v);
	} else if (strcmp(flag, "--redirect-uri") == 0) {
		f->has_redirect_uris = true;
		if (f->n_redirect_uris < APP_MAX_REDIRECT_URIS)
			f->redirect_uris[f->n_redirect_uris] = str_from(v);
		f->n_redirect_uris++;
	} else if (strcmp(flag, "--public-name") == 0) {
		f->has_public_name = true;
		f->public_name = str_from(v);
	} else if (strcmp(flag, "--logo-url") == 0) {
		f->has_logo_url = true;
		f->logo_url = str_from(v);
	} else if (strcmp(flag, "--description") == 0) {
		f->has_description = true;
		f->description = str_from(v);
	} else if (strcmp(flag, "--implicit-flow") == 0) {
		return on_off(v, &f->has_implicit_flow, &f->implicit_flow);
	} else if (strcmp(flag, "--device-flow") == 0) {
		return on_off(v, &f->has_device_flow, &f->device_flow);
	} else if (strcmp(flag, "--dpop-bound") == 0) {
		return on_off(v, &f->has_dpop_bound, &f->dpop_bound);
	} else if (strcmp(flag, "--require-par") == 0) {
		return on_off(v, &f->has_require_par, &f->require_par);
	} else if (strcmp(flag, "--id-token-signed-response-alg") == 0) {
		f->has_id_token_alg = true;
		f->id_token_alg = str_from(v);
	} else if (strcmp(flag, "--post-logout-redirect-uri") == 0) {
		/* "" alone empties the list, which may be empty */
		f->has_post_logout_redirect_uris = true;
		if (*v != '\0' && f->n_post_logout_redirect_uris <
		    APP_MAX_REDIRECT_URIS)
			f->post_logout_redirect_uris[
			    f->n_post_logout_redirect_uris] = str_from(v);
		if (*v != '\0')
			f->n_post_logout_redirect_uris++;
	} else if (strcmp(flag, "--keep-old") == 0) {
		static const char *const names[] = { "0", "1h", "24h", "7d" };
		static const int64_t secs[] = APP_KEEP_CHOICES;
		size_t i = 0;

		while (i < 4 && strcmp(v, names[i]) != 0)
			i++;
		if (i == 4)
			return ERR_INVALID;
		a->has_keep = true;
		a->keep_s = secs[i];
	} else if (strcmp(flag, "--email") == 0) {
		a->email = v;
	} else if ((strcmp(flag, "--db") == 0 ||
	    strcmp(flag, "--brand") == 0 ||
	    strcmp(flag, "--max-apps") == 0 ||
	    strcmp(flag, "--issuer") == 0 ||
	    strcmp(flag, "--mail-from") == 0) &&
	    a->cfg_argc < APP_CLI_SETTINGS * 2) {
		a->cfg_argv[a->cfg_argc++] = (char *)flag;
		a->cfg_argv[a->cfg_argc++] = (char *)v;
	} else {
		return ERR_UNKNOWN;
	}
	return 0;
}

static int
parse_args(int argc, char **argv, struct app_args *a)
{
	memset(a, 0, sizeof(*a));
	if (argc < 1)
		return ERR_MISSING;
	a->verb = argv[0];
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			a->json = true;
		} else if (strncmp(argv[i], "--", 2) == 0) {
			if (i + 1 >= argc ||
			    take_setting(a, argv[i], argv[i + 1]) != 0) {
				/* the name alone: --db=URL may hold a
				 * password */
				fprintf(stderr, "keygate app: bad or "
				    "incomplete flag %.*s\n",
				    (int)strcspn(argv[i], "="), argv[i]);
				return ERR_INVALID;
			}
			i++;
		} else if (a->key == NULL) {
			a->key = argv[i];
		} else {
			fprintf(stderr, "keygate app: unexpected '%s'\n",
			    argv[i]);
			return ERR_INVALID;
		}
	}
	return 0;
}

static void
print_list(const char *title, json_t *list)
{
	printf("%s\n", title);
	for (size_t i = 0; i < json_array_size(list); i++)
		printf("  %s\n", json_string_value(json_array_get(list, i)));
}

/* One line a valid secret: its number, created, last used, expiry. */
static void
print_secrets(json_t *list)
{
	json_t *s, *used, *exp;
	size_t i;

	printf("secrets\n");
	json_array_foreach(list, i, s) {
		used = json_object_get(s, "last_used_at");
		exp = json_object_get(s, "expires_at");
		printf("  #%lld %s created %s, last used %s%s%s\n",
		    (long long)json_integer_value(json_object_get(s, "id")),
		    i == 0 ? "current" : "old",
		    json_string_value(json_object_get(s, "created_at")),
		    json_is_string(used) ? json_string_value(used) : "never",
		    json_is_string(exp) ? ", valid until " : "",
		    json_is_string(exp) ? json_string_value(exp) : "");
	}
}

static void
print_app(const struct app_row *row, bool json)
{
	json_t *j = app_json(row);

	if (json) {
		json_dumpf(j, stdout, JSON_INDENT(2));
		fputc('\n', stdout);
	} else {
		printf("api key        %s\nname           %s\n"
		    "public name    %s\nlogo url       %s\ndescription    %s\n"
		    "implicit flow  %s\ndevice flow    %s\ndpop bound     %s\n"
		    "require par    %s\nid_token alg   %s\n"
		    "secret         %s\ncreated        %s\n", row->api_key,
		    row->name, row->public_name, row->logo_url,
		    row->description, row->implicit_flow ? "on" : "off",
		    row->device_flow ? "on" : "off",
		    row->dpop_bound ? "on" : "off",
		    row->require_par ? "on" : "off",
		    json_string_value(json_object_get(j,
		    "id_token_signed_response_alg")),
		    row->has_secret ? "set" : "none",
		    json_string_value(json_object_get(j, "created_at")));
		print_list("redirect uris", json_object_get(j,
		    "redirect_uris"));
		print_list("post-logout redirect uris", json_object_get(j,
		    "post_logout_redirect_uris"));
		print_secrets(json_object_get(j, "secrets"));
	}
	json_decref(j);
}

static void
print_errors(const struct app_errors *e)
{
	const struct { const char *field, *why; } all[] = {
		{ "name", e->name }, { "redirect_uris", e->redirect_uris },
		{ "public_name", e->public_name }, { "logo_url", e->logo_url },
		{ "description", e->description },
		{ "id_token_signed_response_alg", e->id_token_alg },
		{ "post_logout_redirect_uris", e->post_logout_redirect_uris },
	};

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (all[i].why != NULL)
			fprintf(stderr, "%s: %s\n", all[i].field, all[i].why);
}

/* Maps a failed call to its message and exit status. */
static int
failed(int rc, const struct app_args *a, const struct app_errors *e)
{
	if (rc == ERR_INVALID)
		print_errors(e);
	else if (rc == ERR_NOTFOUND)
		fprintf(stderr, "keygate app: no application %s\n",
		    a->key != NULL ? a->key : "");
	else
		fprintf(stderr, "keygate app: the store failed\n");
	return 1;
}

static void
print_row(const struct app_row *row, bool json, bool first)
{
	json_t *j = app_json(row);
	char *text;

	if (json) {
		/* one item at a time: the array is never whole in memory */
		text = json_dumps(j, JSON_INDENT(2));
		printf("%s%s", first ? "" : ",\n", text != NULL ? text : "");
		free(text);
	} else {
		printf("%-50s %-7s %-21s %s\n", row->api_key,
		    row->has_secret ? "yes" : "no",
		    json_string_value(json_object_get(j, "created_at")),
		    row->name);
	}
	json_decref(j);
}

/* Every app (of one owner, or of all), read a page at a time. */
static int
print_all(struct keygate *kg, int64_t account_id, bool json)
{
	struct store_page page = { 0, LIST_MAX_LIMIT };
	struct app_row *rows;
	size_t n, seen = 0;

	do {
		rows = NULL;
		n = 0;
		if (apps_list(kg, account_id, &page, &rows, &n) != 0) {
			free(rows);
			return ERR_STORE;
		}
		for (size_t i = 0; i < n; i++)
			print_row(&rows[i], json, seen++ == 0);
		if (n > 0)
			page.after = rows[n - 1].id;
		free(rows);
	} while (n == page.max);
	return 0;
}

static int
cmd_list(struct keygate *kg, const struct app_args *a)
{
	struct account owner;
	int64_t account_id = STORE_ANY_ACCOUNT;

	if (a->email != NULL) {
		if (accounts_find(kg, str_from(a->email), &owner) != 0) {
			fprintf(stderr, "keygate app: no account %s\n",
			    a->email);
			return 1;
		}
		account_id = owner.id;
	}
	if (a->json)
		printf("[\n");
	else
		printf("%-50s %-7s %-21s %s\n", "API KEY", "SECRET", "CREATED",
		    "NAME");
	if (print_all(kg, account_id, a->json) != 0)
		return failed(ERR_STORE, a, NULL);
	if (a->json)
		printf("\n]\n");
	return 0;
}

static int
cmd_write(struct keygate *kg, const struct app_args *a, struct app_row *row)
{
	struct app_errors errs = { 0 };
	struct account owner;
	int rc;

	if (strcmp(a->verb, "create") == 0) {
		if (a->email == NULL || a->key != NULL || !a->f.has_name) {
			usage(stderr);
			return 2;
		}
		rc = accounts_find(kg, str_from(a->email), &owner);
		if (rc != 0) {
			fprintf(stderr, "keygate app: no account %s\n",
			    a->email);
			return 1;
		}
		rc = apps_create(kg, owner.id, NULL, &a->f, row, &errs);
		if (rc == ERR_TOOBIG) {
			char why[160];

			fprintf(stderr, "keygate app: %s\n", apps_too_many(kg,
			    why, sizeof(why)));
			return 1;
		}
	} else {
		rc = apps_update(kg, STORE_ANY_ACCOUNT, NULL, str_from(a->key),
		    &a->f, row, &errs);
	}
	if (rc != 0)
		return failed(rc, a, &errs);
	print_app(row, a->json);
	return 0;
}

static int
cmd_one(struct keygate *kg, const struct app_args *a, struct app_row *row)
{
	char secret[TOKEN_MAX_BYTES + 1];
	struct str key = str_from(a->key);
	int rc;

	if (strcmp(a->verb, "show") == 0) {
		rc = apps_get(kg, STORE_ANY_ACCOUNT, key, row);
		if (rc == 0)
			print_app(row, a->json);
	} else if (strcmp(a->verb, "secret") == 0) {
		rc = apps_new_secret(kg, STORE_ANY_ACCOUNT, key, a->keep_s,
		    NULL, secret);
		if (rc == 0) {
			printf("%s\n", secret);
			fprintf(stderr, "Store this secret now: it is not "
			    "shown again. %s\n", a->keep_s == 0 ?
			    "The previous one no longer works." :
			    "The previous one stays valid for the time you "
			    "chose (keygate app revoke-old-secret ends it "
			    "sooner).");
			sodium_memzero(secret, sizeof(secret));
		}
		if (rc == ERR_CONFLICT) {
			fprintf(stderr, "keygate app: %s has two valid secrets "
			    "already: revoke the old secret first (keygate app "
			    "revoke-old-secret %s)\n", a->key, a->key);
			return 1;
		}
	} else if (strcmp(a->verb, "revoke-old-secret") == 0) {
		rc = apps_get(kg, STORE_ANY_ACCOUNT, key, row);
		if (rc == 0 && !row->has_old_secret) {
			fprintf(stderr, "keygate app: %s has no valid old "
			    "secret\n", a->key);
			return 1;
		}
		if (rc == 0)
			rc = apps_revoke_secret(kg, STORE_ANY_ACCOUNT, NULL,
			    key, row->old_secret_id);
	} else {
		rc = apps_delete(kg, STORE_ANY_ACCOUNT, NULL, key);
	}
	return rc == 0 ? 0 : failed(rc, a, NULL);
}

/* Which verbs take an API key, which take settings. */
static bool
verb_known(const struct app_args *a, bool *needs_key, bool *writes)
{
	static const char *const verbs[] = { "list", "create", "show", "set",
	    "secret", "delete", "revoke-old-secret" };
	size_t i;

	for (i = 0; i < 7; i++)
		if (strcmp(a->verb, verbs[i]) == 0)
			break;
	*needs_key = i >= 2 && i != 1;
	*writes = i == 1 || i == 3;
	/* --keep-old belongs to secret alone */
	return i < 7 && (!a->has_keep || i == 4);
}

int
cli_app(int argc, char **argv)
{
	struct app_args a;
	struct config cfg;
	struct keygate kg;
	struct app_row *row;
	bool needs_key, writes;
	char err[256];
	int rc;

	if (cli_help_asked(argc, argv)) {
		usage(stdout);
		return 0;
	}
	if (parse_args(argc, argv, &a) != 0 ||
	    !verb_known(&a, &needs_key, &writes) ||
	    needs_key != (a.key != NULL)) {
		usage(stderr);
		return 2;
	}
	config_init(&cfg);
	if (config_parse(&cfg, a.cfg_argc, a.cfg_argv, CONFIG_APP_CLI,
	    err, sizeof(err)) != 0) {
		fprintf(stderr, "keygate app: %s\n", err);
		config_release(&cfg);
		return 2;
	}
	if (cli_open(&kg, &cfg) != 0) {
		config_release(&cfg);
		return 1;
	}
	row = xmalloc(sizeof(*row));
	if (strcmp(a.verb, "list") == 0)
		rc = cmd_list(&kg, &a);
	else if (writes)
		rc = cmd_write(&kg, &a, row);
	else
		rc = cmd_one(&kg, &a, row);
	free(row);
	cli_close(&kg);
	config_release(&cfg);
	return rc;
}
