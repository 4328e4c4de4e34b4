/* core/usage_table.c's table and merge, and core/usage.c's shards: counts
 * from many threads, drained and merged, reach the store exactly once
 * (docs/REFERENCE.md §21); an hour without a row reads as zeros; a bad
 * range is refused. */
#include "core/usage.h"

#include <criterion/criterion.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/err.h"
#include "core/apps.h"
#include "core/usage_table.h"
#include "store_fixture.h"

#define H	3600

Test(usage_table, adds_grows_and_drains_every_entry_once)
{
	struct usage_table t = { 0 };
	struct usage_add *out = NULL;
	size_t n = 0, cap = 0;
	int64_t sum = 0;

	/* 500 (app, hour) pairs: the table grows past its first 64 */
	for (int64_t app = 1; app <= 100; app++)
		for (int64_t h = 0; h < 5; h++)
			for (int64_t i = 0; i <= app % 3; i++)
				usage_table_add(&t, app, h * H, USAGE_CHECK_OK);
	usage_table_add(&t, 7, 2 * H, USAGE_REFRESHED);
	cr_assert_eq(t.n, 500);
	usage_table_drain(&t, &out, &n, &cap);
	cr_assert_eq(n, 500);
	cr_assert_eq(t.n, 0);
	for (size_t i = 0; i < n; i++) {
		cr_assert_eq(out[i].n[USAGE_CHECK_OK], out[i].app_id % 3 + 1);
		sum += out[i].n[USAGE_REFRESHED];
	}
	cr_assert_eq(sum, 1);
	/* drained means empty: nothing is drained twice; a table held
	 * nearly empty shrinks, an idle one keeps its first size (the next
	 * count allocates nothing) */
	cr_assert_eq(t.cap, 1024);
	usage_table_add(&t, 3, 0, USAGE_API_OK);
	usage_table_drain(&t, &out, &n, &cap);
	cr_assert_eq(n, 501);
	cr_expect_eq(out[500].app_id, 3);
	cr_expect_eq(t.cap, 64, "shrunk: %zu", t.cap);
	usage_table_drain(&t, &out, &n, &cap);
	cr_assert_eq(n, 501);
	cr_expect_eq(t.cap, 64, "idle: %zu", t.cap);
	void *slots = t.slots;
	usage_table_add(&t, 4, 0, USAGE_API_OK);
	cr_expect_eq(t.n, 1, "and used again");
	cr_expect_eq(t.slots, slots, "in the same slots");
	usage_table_free(&t);
	free(out);
}

Test(usage_table, merge_sorts_and_adds_up_one_app_hour)
{
	struct usage_add rows[5];

	memset(rows, 0, sizeof(rows));
	rows[0] = (struct usage_add){ .app_id = 2, .hour = H };
	rows[1] = (struct usage_add){ .app_id = 1, .hour = 2 * H };
	rows[2] = (struct usage_add){ .app_id = 2, .hour = H };
	rows[3] = (struct usage_add){ .app_id = 1, .hour = H };
	rows[4] = (struct usage_add){ .app_id = 2, .hour = H };
	for (int i = 0; i < 5; i++)
		rows[i].n[USAGE_ISSUED] = i + 1;
	cr_assert_eq(usage_merge(rows, 5), 3);
	cr_assert(rows[0].app_id == 1 && rows[0].hour == H);
	cr_assert_eq(rows[0].n[USAGE_ISSUED], 4);
	cr_assert(rows[1].app_id == 1 && rows[1].hour == 2 * H);
	cr_assert_eq(rows[1].n[USAGE_ISSUED], 2);
	cr_assert(rows[2].app_id == 2 && rows[2].hour == H);
	cr_assert_eq(rows[2].n[USAGE_ISSUED], 1 + 3 + 5);
	cr_assert_eq(usage_merge(rows, 0), 0);
}

static struct config cfg;
static struct keygate kg;
static struct app_row app;

static void
setup(void)
{
	struct app_fields f;
	struct app_errors errs;
	int64_t owner;

	fixture_config("usage", &cfg);
	cfg.test_clock = true;
	fixture_open(&cfg, &kg);
	owner = fixture_account(&kg, "owner@example.com");
	memset(&f, 0, sizeof(f));
	f.has_name = true;
	f.name = STR_LIT("Counted App");
	cr_assert_eq(apps_create(&kg, owner, NULL, &f, &app, &errs), 0);
	kg.usage = usage_new();
}

static void
teardown(void)
{
	usage_free(kg.usage);
	kg.usage = NULL;
	fixture_close(&cfg, &kg);
}

#define THREADS	24		/* more than the shards: some share */
#define EACH	5000

static int64_t base;

static void *
count(void *arg)
{
	enum usage_kind k = (enum usage_kind)(intptr_t)arg % USAGE_KINDS;

	for (int i = 0; i < EACH; i++) {
		usage_count(&kg, app.id, k, base + (i % 2) * H);
		/* flushes meanwhile take what is there, never twice */
		if (i % 1000 == 0 && k == USAGE_CHECK_OK)
			cr_assert_eq(usage_flush(&kg, true), 0);
	}
	return NULL;
}

TestSuite(usage, .init = setup, .fini = teardown);

Test(usage, counts_from_many_threads_are_stored_exactly_once)
{
	pthread_t t[THREADS];
	struct usage_hour *hours;
	int64_t want[USAGE_KINDS] = { 0 };
	size_t n;

	base = clock_now(kg.clock);
	base -= base % H;
	for (intptr_t i = 0; i < THREADS; i++)
		cr_assert_eq(pthread_create(&t[i], NULL, count, (void *)i), 0);
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	cr_assert_eq(usage_settle(&kg), 0);
	for (int i = 0; i < THREADS; i++)
		want[i % USAGE_KINDS] += EACH / 2;
	/* an hour before, the two counted, an hour after */
	cr_assert_eq(usage_hours(&kg, app.id, base - H, base + 2 * H + 59,
	    &hours, &n), 0);
	cr_assert_eq(n, 4);
	for (int k = 0; k < USAGE_KINDS; k++) {
		cr_expect_eq(hours[0].n[k], 0);
		cr_expect_eq(hours[1].n[k], want[k], "kind %d: %lld", k,
		    (long long)hours[1].n[k]);
		cr_expect_eq(hours[2].n[k], want[k]);
		cr_expect_eq(hours[3].n[k], 0);
	}
	cr_expect_eq(hours[0].hour, base - H);
	cr_expect_eq(hours[3].hour, base + 2 * H);
	free(hours);
	/* written once: settling again adds nothing */
	cr_assert_eq(usage_settle(&kg), 0);
	cr_assert_eq(usage_hours(&kg, app.id, base, base, &hours, &n), 0);
	cr_assert_eq(n, 1);
	cr_expect_eq(hours[0].n[USAGE_CHECK_OK], want[USAGE_CHECK_OK]);
	free(hours);
}

Test(usage, ranges_out_of_bounds_are_refused)
{
	struct usage_hour *hours;
	size_t n;

	cr_expect_eq(usage_hours(&kg, app.id, 10 * H, 9 * H, &hours, &n),
	    ERR_INVALID);
	cr_expect_eq(usage_hours(&kg, app.id, 0, USAGE_MAX_HOURS * H,
	    &hours, &n), ERR_INVALID);
	cr_expect_null(hours);
	cr_assert_eq(usage_hours(&kg, app.id, 0, (USAGE_MAX_HOURS - 1) * H,
	    &hours, &n), 0);
	cr_expect_eq(n, USAGE_MAX_HOURS);
	free(hours);
}
