/* The apps of client metadata documents (docs/REFERENCE.md §22.2) on every
 * backend: written on first use with their owner account, rewritten by a
 * later document, never over an ordinary app. */
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "store/stmt.h"
#include "store_contract.h"

#define URL	"https://client.example/meta.json"

static void
doc_row(struct app_row *row, const char *url, const char *name,
    const char *uris)
{
	memset(row, 0, sizeof(*row));
	SET(row->api_key, url);
	SET(row->public_name, name);
	SET(row->logo_url, "https://client.example/logo.png");
	SET(row->redirect_uris, uris);
}

STORE_TEST(cimd, written_then_rewritten, contract_setup)
{
	struct app_row *row = calloc(1, sizeof(*row));
	struct app_row *got = calloc(1, sizeof(*got));
	int64_t owner;

	doc_row(row, URL, "Sync", "https://client.example/cb");
	cr_assert_eq(store_cimd_app_put(st, row, T0), 0);
	cr_assert_eq(store_app_get(st, STORE_ANY_ACCOUNT, URL, got), 0);
	cr_expect_str_eq(got->public_name, "Sync");
	cr_expect_str_eq(got->name, "Sync");
	cr_expect_str_eq(got->redirect_uris, "https://client.example/cb");
	cr_expect(!got->has_secret);
	cr_expect_eq(got->created_at, T0);
	owner = got->account_id;
	cr_expect_gt(owner, 0);
	/* a later document replaces what it says; the row and owner stay */
	doc_row(row, URL, "Sync 2", "http://127.0.0.1/cb\nhttps://c.example/x");
	cr_assert_eq(store_cimd_app_put(st, row, T0 + 60), 0);
	cr_assert_eq(store_app_get(st, STORE_ANY_ACCOUNT, URL, row), 0);
	cr_expect_eq(row->id, got->id);
	cr_expect_eq(row->account_id, owner);
	cr_expect_str_eq(row->public_name, "Sync 2");
	cr_expect_str_eq(row->redirect_uris,
	    "http://127.0.0.1/cb\nhttps://c.example/x");
	cr_expect_eq(row->created_at, T0);
	/* a second document's app has the same owner */
	doc_row(row, "https://other.example/m", "Other", "https://o.example/");
	cr_assert_eq(store_cimd_app_put(st, row, T0), 0);
	cr_assert_eq(store_app_get(st, owner, "https://other.example/m", got),
	    0);
	free(row);
	free(got);
}

STORE_TEST(cimd, never_over_an_ordinary_app, contract_setup)
{
	struct app_row *app = calloc(1, sizeof(*app));
	struct app_row *row = calloc(1, sizeof(*row));
	int64_t dev = contract_account("dev@example.com");

	contract_app(dev, URL, T0, app);
	doc_row(row, URL, "Hijack", "https://evil.example/cb");
	cr_expect_eq(store_cimd_app_put(st, row, T0 + 1), ERR_EXISTS);
	cr_assert_eq(store_app_get(st, STORE_ANY_ACCOUNT, URL, row), 0);
	cr_expect_eq(row->account_id, dev);
	cr_expect_str_eq(row->redirect_uris, "https://app.example.com/cb");
	free(app);
	free(row);
}
