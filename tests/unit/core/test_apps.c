/* core/apps.c against a real SQLite store in a temporary folder: the
 * secret rules of docs/REFERENCE.md §2 and the all-or-nothing update. */
#include "core/apps.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/err.h"
#include "store_fixture.h"

static struct config cfg;
static struct keygate kg;
static int64_t owner, stranger;

static void
setup(void)
{
	fixture_config("apps", &cfg);
	fixture_open(&cfg, &kg);
	owner = fixture_account(&kg, "owner@example.com");
	stranger = fixture_account(&kg, "stranger@example.com");
}

static void
teardown(void)
{
	fixture_close(&cfg, &kg);
}

static void
create(struct app_row *row)
{
	struct app_fields f = { .has_name = true, .name = STR_LIT("Printer"),
	    .has_redirect_uris = true, .n_redirect_uris = 1,
	    .redirect_uris = { STR_LIT("https://app.example.com/cb") } };
	struct app_errors errs;

	cr_assert_eq(apps_create(&kg, owner, NULL, &f, row, &errs), 0);
}

/* What client authentication checks (clients.c): the stored app's secret,
 * compared in constant time. 0 or ERR_AUTH. */
static int
verifies(struct str key, struct str secret)
{
	struct app_row *row = calloc(1, sizeof(*row));
	int rc;

	cr_assert_not_null(row);
	rc = apps_get(&kg, STORE_ANY_ACCOUNT, key, row);
	rc = rc == 0 && apps_secret_which(row, secret, clock_now(kg.clock)) !=
	    0 ? 0 : ERR_AUTH;
	free(row);
	return rc;
}

Test(apps, old_secret_fails_at_once, .init = setup, .fini = teardown)
{
	struct app_row row;
	char first[TOKEN_MAX_BYTES + 1], second[TOKEN_MAX_BYTES + 1];
	struct str key;

	create(&row);
	key = str_from(row.api_key);
	cr_expect_eq(verifies(key, STR_LIT("anything")),
	    ERR_AUTH, "no secret yet: nothing verifies");
	cr_assert_eq(apps_new_secret(&kg, owner, key, 0, NULL, first), 0);
	cr_expect(strncmp(first, APP_SECRET_PREFIX, 6) == 0);
	cr_expect_eq(strspn(first, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmn"
	    "opqrstuvwxyz0123456789_-"), strlen(first));
	cr_expect_geq(strlen(first) - strlen(APP_SECRET_PREFIX), 43);
	cr_expect_eq(verifies(key, str_from(first)), 0);
	cr_assert_eq(apps_new_secret(&kg, owner, key, 0, NULL, second), 0);
	cr_expect_str_neq(first, second);
	cr_expect_eq(verifies(key, str_from(first)), ERR_AUTH,
	    "the old secret must die at once");
	cr_expect_eq(verifies(key, str_from(second)), 0);
	cr_expect_eq(verifies(STR_LIT("kg_ak_nope"),
	    str_from(second)), ERR_AUTH);
	/* the store holds a hash, never the secret */
	cr_assert_eq(apps_get(&kg, owner, key, &row), 0);
	cr_expect(row.has_secret);
	cr_expect_null(memmem(&row, sizeof(row), second, strlen(second)));
}

Test(apps, strangers_cannot_reach, .init = setup, .fini = teardown)
{
	struct app_row row, other;
	struct app_fields f = { .has_description = true,
	    .description = STR_LIT("mine now") };
	struct app_errors errs;
	char secret[TOKEN_MAX_BYTES + 1];
	struct str key;

	create(&row);
	key = str_from(row.api_key);
	cr_expect_eq(apps_get(&kg, stranger, key, &other), ERR_NOTFOUND);
	cr_expect_eq(apps_update(&kg, stranger, NULL, key, &f, &other, &errs),
	    ERR_NOTFOUND);
	cr_expect_eq(apps_new_secret(&kg, stranger, key, 0, NULL,
	    secret), ERR_NOTFOUND);
	cr_expect_eq(apps_delete(&kg, stranger, NULL, key), ERR_NOTFOUND);
	cr_assert_eq(apps_get(&kg, owner, key, &other), 0);
	cr_expect_str_eq(other.description, "");
	cr_expect(!other.has_secret);
}

Test(apps, update_is_all_or_nothing, .init = setup, .fini = teardown)
{
	struct app_row row, after;
	struct app_fields f = { .has_description = true,
	    .description = STR_LIT("changed"), .has_logo_url = true,
	    .logo_url = STR_LIT("http://not-https.example.com/x.png") };
	struct app_errors errs;

	create(&row);
	cr_expect_eq(apps_update(&kg, owner, NULL, str_from(row.api_key), &f,
	    &after, &errs), ERR_INVALID);
	cr_expect_not_null(errs.logo_url);
	cr_assert_eq(apps_get(&kg, owner, str_from(row.api_key), &after), 0);
	cr_expect_str_eq(after.description, "");
	f.has_logo_url = false;
	f.has_name = true;
	f.name = STR_LIT("Printer");	/* the same name is accepted */
	cr_expect_eq(apps_update(&kg, owner, NULL, str_from(row.api_key), &f,
	    &after, &errs), 0);
	cr_expect_str_eq(after.description, "changed");
	f.name = STR_LIT("Renamed");
	cr_expect_eq(apps_update(&kg, owner, NULL, str_from(row.api_key), &f,
	    &after, &errs), ERR_INVALID);
	cr_expect_not_null(errs.name);
}

Test(apps, public_name_defaults_to_name, .init = setup, .fini = teardown)
{
	struct app_fields f = { .has_name = true,
	    .name = STR_LIT("Keygate Helper") };
	struct app_row row;
	struct app_errors errs;

	create(&row);
	cr_expect_str_eq(row.public_name, "Printer");
	/* a name holding the brand gives no public name until one is set */
	cr_assert_eq(apps_create(&kg, owner, NULL, &f, &row, &errs), 0);
	cr_expect_str_eq(row.public_name, "");
}
