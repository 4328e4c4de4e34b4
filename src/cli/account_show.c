/* keygate account list and show: what an operator reads of accounts. */
#include "cli/account_cli.h"

#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>

#include "base/clock.h"
#include "base/limits.h"
#include "core/account_admin.h"
#include "core/apps.h"
#include "core/json_time.h"

/* The columns of `list`, the email last: columns to come (a verified
 * email, two-step log-in) go before it. */
#define LIST_LINE	"%-8s %-20s %-20s %s\n"
#define SHOW_LINE	"%-18s %s\n"

/* The fields list and show share; ids are strings, as in the API. */
static json_t *
account_json(const struct account *a)
{
	char id[24], created[32];

	snprintf(id, sizeof(id), "%lld", (long long)a->id);
	clock_rfc3339(a->created_at, created);
	return json_pack("{s:s, s:s, s:s, s:b, s:o}", "account_id", id,
	    "email", a->email, "created_at", created,
	    "disabled", a->disabled_at != 0,
	    "disabled_at", json_time(a->disabled_at));
}

static void
print_json(json_t *j, const char *before)
{
	char *text = json_dumps(j, JSON_INDENT(2));

	printf("%s%s", before, text != NULL ? text : "null");
	free(text);
	json_decref(j);
}

static void
print_row(const struct account *a, bool json, bool first)
{
	char id[24], created[32], disabled[32] = "-";

	if (json) {
		print_json(account_json(a), first ? "" : ",\n");
		return;
	}
	snprintf(id, sizeof(id), "%lld", (long long)a->id);
	clock_rfc3339(a->created_at, created);
	if (a->disabled_at != 0)
		clock_rfc3339(a->disabled_at, disabled);
	printf(LIST_LINE, id, created, disabled, a->email);
}

int
account_print_list(struct keygate *kg, bool json)
{
	struct store_page page = { 0, LIST_MAX_LIMIT };
	struct account *rows;
	size_t n, seen = 0;

	if (json)
		printf("[\n");
	else
		printf(LIST_LINE, "ID", "CREATED", "DISABLED", "EMAIL");
	do {
		rows = NULL;
		n = 0;
		if (account_admin_list(kg, &page, &rows, &n) != 0) {
			free(rows);
			fflush(stdout);
			fprintf(stderr, "keygate account list: the store "
			    "failed\n");
			return 1;
		}
		for (size_t i = 0; i < n; i++)
			print_row(&rows[i], json, seen++ == 0);
		if (n > 0)
			page.after = rows[n - 1].id;
		/* the rows carry password hashes */
		sodium_memzero(rows, n * sizeof(*rows));
		free(rows);
	} while (n == page.max);
	if (json)
		printf("\n]\n");
	return 0;
}

/* The account's apps into `list`, a page at a time: an account holds at
 * most --max-apps of them. */
static int
collect_apps(struct keygate *kg, int64_t owner, json_t *list)
{
	struct store_page page = { 0, LIST_MAX_LIMIT };
	struct app_row *rows;
	size_t n;

	do {
		rows = NULL;
		n = 0;
		if (apps_list(kg, owner, &page, &rows, &n) != 0) {
			free(rows);
			return -1;
		}
		for (size_t i = 0; i < n; i++)
			json_array_append_new(list, json_pack("{s:s, s:s}",
			    "api_key", rows[i].api_key, "name", rows[i].name));
		if (n > 0)
			page.after = rows[n - 1].id;
		free(rows);
	} while (n == page.max);
	return 0;
}

static void
print_plain(const struct account *a, const struct account_counts *c,
    json_t *apps)
{
	char v[48];

	snprintf(v, sizeof(v), "%lld", (long long)a->id);
	printf(SHOW_LINE, "account id", v);
	printf(SHOW_LINE, "email", a->email);
	clock_rfc3339(a->created_at, v);
	printf(SHOW_LINE, "created", v);
	if (a->disabled_at != 0) {
		clock_rfc3339(a->disabled_at, v);
		printf("%-18s since %s\n", "disabled", v);
	} else {
		printf(SHOW_LINE, "disabled", "no");
	}
	printf("%-18s %lld\n%-18s %lld\n%-18s %lld\n%-18s %zu\n",
	    "browser sessions", (long long)c->sessions,
	    "personal tokens", (long long)c->pats, "grants",
	    (long long)c->grants, "apps", json_array_size(apps));
	for (size_t i = 0; i < json_array_size(apps); i++) {
		json_t *app = json_array_get(apps, i);

		printf("  %-50s %s\n",
		    json_string_value(json_object_get(app, "api_key")),
		    json_string_value(json_object_get(app, "name")));
	}
}

int
account_print_one(struct keygate *kg, const struct account *acct,
    bool json)
{
	struct account_counts c;
	json_t *apps = json_array(), *j;

	if (account_admin_counts(kg, acct->id, &c) != 0 ||
	    collect_apps(kg, acct->id, apps) != 0) {
		json_decref(apps);
		fprintf(stderr, "keygate account show: the store failed\n");
		return 1;
	}
	if (!json) {
		print_plain(acct, &c, apps);
		json_decref(apps);
		return 0;
	}
	j = account_json(acct);
	json_object_set_new(j, "sessions", json_integer(c.sessions));
	json_object_set_new(j, "personal_access_tokens",
	    json_integer(c.pats));
	json_object_set_new(j, "grants", json_integer(c.grants));
	json_object_set_new(j, "apps", apps);
	print_json(j, "");
	printf("\n");
	return 0;
}
