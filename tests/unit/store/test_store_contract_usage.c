/* The store contract, usage per app and hour (docs/REFERENCE.md §21):
 * counts add up over writes (as nodes' do), live users are set, not
 * added, and count each account with a grant once, a disabled one not;
 * a write is all or nothing, the use log's batch with it; an app's rows
 * go with it, and a count for an app gone meanwhile is dropped, never
 * refused nor given to a later app of the same id. */
#include "store_contract.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "core/scopes.h"

#define H	3600
#define HOUR0	(T0 - T0 % H)

static struct usage_add
add(int64_t app_id, int64_t hour, int64_t checks, int64_t issued)
{
	struct usage_add a;

	memset(&a, 0, sizeof(a));
	a.app_id = app_id;
	a.hour = hour;
	a.n[USAGE_CHECK_OK] = checks;
	a.n[USAGE_ISSUED] = issued;
	return a;
}

/* The rows of `app_id` in the hours of T0 and the two after. */
static size_t
rows_of(int64_t app_id, struct usage_hour **rows)
{
	size_t n;

	cr_assert_eq(store_usage_read(st, app_id, HOUR0, HOUR0 + 2 * H, rows,
	    &n), 0);
	return n;
}

OAUTH_TEST(usage, counts_add_up_and_read_back_by_hour)
{
	struct usage_add a[3] = { add(fx.app.id, HOUR0, 3, 1),
	    add(fx.app.id, HOUR0 + 2 * H, 1, 0), add(fx.app2.id, HOUR0, 7, 7) };
	struct usage_hour *rows;

	cr_assert_eq(store_usage_write(st, NULL, 0, a, 3, -1), 0);
	a[0].n[USAGE_CHECK_OK] = 2;
	a[0].n[USAGE_REFRESHED] = 5;
	cr_assert_eq(store_usage_write(st, NULL, 0, a, 1, -1), 0);
	cr_assert_eq(rows_of(fx.app.id, &rows), 2);
	cr_expect_eq(rows[0].hour, HOUR0);
	cr_expect_eq(rows[0].n[USAGE_CHECK_OK], 5);
	cr_expect_eq(rows[0].n[USAGE_ISSUED], 2);
	cr_expect_eq(rows[0].n[USAGE_REFRESHED], 5);
	cr_expect_eq(rows[0].n[USAGE_API_401], 0);
	cr_expect_eq(rows[0].live_users, 0);
	cr_expect_eq(rows[1].hour, HOUR0 + 2 * H);
	cr_expect_eq(rows[1].n[USAGE_CHECK_OK], 1);
	free(rows);
	/* another app's rows are its own */
	cr_assert_eq(rows_of(fx.app2.id, &rows), 1);
	cr_expect_eq(rows[0].n[USAGE_CHECK_OK], 7);
	free(rows);
}

OAUTH_TEST(usage, live_users_are_set_once_per_account_with_a_grant)
{
	struct usage_add a = add(fx.app2.id, HOUR0, 1, 0);
	struct usage_hour *rows;

	contract_grant(fx.ann, &fx.app, SCOPE_BUILTIN);
	contract_grant(fx.bob, &fx.app, SCOPE_BUILTIN);
	contract_grant(fx.ann, &fx.app, SCOPE_BUILTIN);	/* the same grant */
	/* app2: no grant, but a row in the hour: sampled as 0 */
	cr_assert_eq(store_usage_write(st, NULL, 0, &a, 1, HOUR0), 0);
	cr_assert_eq(store_usage_write(st, NULL, 0, NULL, 0, HOUR0), 0);
	cr_assert_eq(rows_of(fx.app.id, &rows), 1);
	cr_expect_eq(rows[0].live_users, 2, "set, not added: %lld",
	    (long long)rows[0].live_users);
	free(rows);
	cr_assert_eq(rows_of(fx.app2.id, &rows), 1);
	cr_expect_eq(rows[0].live_users, 0);
	cr_expect_eq(rows[0].n[USAGE_CHECK_OK], 1, "the counts are kept");
	free(rows);
	cr_assert_eq(store_account_disable(st, fx.bob, T0, NULL), 0);
	cr_assert_eq(store_usage_write(st, NULL, 0, NULL, 0, HOUR0), 0);
	cr_assert_eq(rows_of(fx.app.id, &rows), 1);
	cr_expect_eq(rows[0].live_users, 1, "a disabled account is not live");
	free(rows);
}

OAUTH_TEST(usage, a_write_is_all_or_nothing_with_its_uses)
{
	struct usage_add a[2] = { add(fx.app.id, HOUR0, 4, 0),
	    add(fx.app2.id, HOUR0 + 1, 1, 0) };	/* not an hour */
	struct usage_hour *rows;
	struct use_entry use;
	struct issue is;
	size_t folded;

	contract_ann_family(T0, &is);
	memcpy(use.hash, is.access_hash, SECURE_HASH_BYTES);
	use.at = T0 + 5;
	cr_assert_neq(store_usage_write(st, &use, 1, a, 2, HOUR0), 0);
	cr_assert_eq(rows_of(fx.app.id, &rows), 0, "no count written");
	free(rows);
	cr_assert_eq(store_use_log_fold(st, &folded), 0);
	cr_expect_eq(folded, 0, "nor the use beside it");
	cr_assert_eq(store_usage_write(st, &use, 1, a, 1, -1), 0);
	cr_assert_eq(rows_of(fx.app.id, &rows), 1);
	cr_expect_eq(rows[0].n[USAGE_CHECK_OK], 4);
	free(rows);
	cr_assert_eq(store_use_log_fold(st, &folded), 0);
	cr_expect_eq(folded, 1, "the use went in with the counts");
}

OAUTH_TEST(usage, rows_go_with_their_app)
{
	struct usage_add a = add(fx.app.id, HOUR0, 2, 0);
	struct usage_hour *rows;

	cr_assert_eq(store_usage_write(st, NULL, 0, &a, 1, -1), 0);
	cr_assert_eq(store_app_delete(st, fx.dev, fx.app.api_key, NULL), 0);
	cr_assert_eq(rows_of(fx.app.id, &rows), 0);
	free(rows);
}

/* A count still in memory when its app went must not fail the batch it
 * rides with (every batch after it would fail too, the uses with them). */
OAUTH_TEST(usage, a_count_for_an_app_gone_is_dropped)
{
	struct usage_add a[2] = { add(fx.app2.id, HOUR0, 2, 0),
	    add(fx.app.id, HOUR0, 3, 0) };
	struct usage_hour *rows;
	struct app_row later;

	cr_assert_gt(fx.app2.id, fx.app.id);
	cr_assert_eq(store_app_delete(st, fx.dev, fx.app2.api_key, NULL),
	    0);
	cr_assert_eq(store_usage_write(st, NULL, 0, a, 2, -1), 0);
	cr_assert_eq(rows_of(fx.app2.id, &rows), 0);
	free(rows);
	cr_assert_eq(rows_of(fx.app.id, &rows), 1, "the others are written");
	cr_expect_eq(rows[0].n[USAGE_CHECK_OK], 3);
	free(rows);
	/* SQLite gives the highest id again: an app made after the hour is
	 * not the one counted (PostgreSQL never reuses an id) */
	if (strcmp(getenv("KEYGATE_TEST_STORE"), "sqlite") != 0)
		return;
	contract_app(fx.dev, "later", HOUR0 + H, &later);
	cr_assert_eq(later.id, fx.app2.id, "the id is given again");
	cr_assert_eq(store_usage_write(st, NULL, 0, a, 1, -1), 0);
	cr_assert_eq(rows_of(later.id, &rows), 0, "not the later app's");
	free(rows);
	a[0].hour = HOUR0 + H;
	cr_assert_eq(store_usage_write(st, NULL, 0, a, 1, -1), 0);
	cr_assert_eq(rows_of(later.id, &rows), 1, "its own hour is");
	free(rows);
}

/* keygate gc: the hours before usage_before go, in batches, every app's;
 * the hour at the line stays. */
OAUTH_TEST(usage, gc_removes_the_hours_before_the_line_in_batches)
{
	struct usage_add a[4] = { add(fx.app.id, HOUR0, 1, 0),
	    add(fx.app.id, HOUR0 + H, 1, 0), add(fx.app2.id, HOUR0, 1, 0),
	    add(fx.app.id, HOUR0 + 2 * H, 5, 0) };
	struct store_horizon h;
	struct usage_hour *rows;
	size_t removed;

	memset(&h, 0, sizeof(h));
	h.usage_before = HOUR0 + 2 * H;
	cr_assert_eq(store_usage_write(st, NULL, 0, a, 4, -1), 0);
	cr_assert_eq(store_gc(st, STORE_GC_USAGE, &h, 2, &removed), 0);
	cr_expect_eq(removed, 2, "a batch: %zu", removed);
	cr_assert_eq(store_gc(st, STORE_GC_USAGE, &h, 2, &removed), 0);
	cr_expect_eq(removed, 1);
	cr_assert_eq(store_gc(st, STORE_GC_USAGE, &h, 2, &removed), 0);
	cr_expect_eq(removed, 0);
	cr_assert_eq(rows_of(fx.app.id, &rows), 1, "the hour at the line "
	    "stays");
	cr_expect_eq(rows[0].hour, HOUR0 + 2 * H);
	cr_expect_eq(rows[0].n[USAGE_CHECK_OK], 5);
	free(rows);
	cr_assert_eq(rows_of(fx.app2.id, &rows), 0);
	free(rows);
}

/* A keeper's batch of many rows (PostgreSQL sends them as arrays in one
 * statement): every row lands with its own counts, large ones too. */
OAUTH_TEST(usage, a_batch_of_many_rows_lands_whole)
{
	enum { HOURS = 200 };
	struct usage_add a[2 * HOURS];
	struct usage_hour *rows;
	size_t n;

	/* the store wants them in (app_id, hour) order */
	for (int i = 0; i < HOURS; i++) {
		a[i] = add(fx.app.id, HOUR0 + i * H, i + 1, 0);
		a[HOURS + i] = add(fx.app2.id, HOUR0 + i * H, 0, 1);
	}
	a[0].n[USAGE_API_401] = INT64_MAX / 2;
	cr_assert_eq(store_usage_write(st, NULL, 0, a, 2 * HOURS, -1), 0);
	cr_assert_eq(store_usage_read(st, fx.app.id, HOUR0,
	    HOUR0 + (HOURS - 1) * H, &rows, &n), 0);
	cr_assert_eq(n, HOURS);
	for (int i = 0; i < HOURS; i++)
		cr_expect_eq(rows[i].n[USAGE_CHECK_OK], i + 1, "hour %d", i);
	cr_expect_eq(rows[0].n[USAGE_API_401], INT64_MAX / 2);
	free(rows);
	cr_assert_eq(store_usage_read(st, fx.app2.id, HOUR0,
	    HOUR0 + (HOURS - 1) * H, &rows, &n), 0);
	cr_assert_eq(n, HOURS);
	cr_expect_eq(rows[HOURS - 1].n[USAGE_ISSUED], 1);
	free(rows);
}
