#include "base/clock.h"

#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "base/err.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

#define DAY		86400LL
/* The cap base/clock.c documents: ten years of 366 days. */
#define TEN_YEARS	(10 * 366 * DAY)

/* The same source clock_now() reads (time() may lag it slightly). */
static int64_t
wall(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec;
}

Test(clock, now_is_wall_time)
{
	struct clock *c = clock_new(false);
	int64_t before = wall(), now = clock_now(c), after = wall();

	cr_expect(now >= before && now <= after, "now %lld not in [%lld, "
	    "%lld]", (long long)now, (long long)before, (long long)after);
	clock_free(c);
	clock_free(NULL);
}

Test(clock, advance)
{
	static const struct {
		int64_t	 seconds;
		int	 rc;
	} cases[] = {
		{ 1, 0 },
		{ 60, 0 },
		{ DAY, 0 },
		{ 0, ERR_INVALID },
		{ -1, ERR_INVALID },
		{ -DAY, ERR_INVALID },
		{ INT64_MIN, ERR_INVALID },
		{ INT64_MAX, ERR_INVALID },
		{ TEN_YEARS + 1, ERR_INVALID },
		{ 100 * 366 * DAY, ERR_INVALID },
	};
	struct clock *c = clock_new(true);
	int64_t moved = 0;

	for (size_t i = 0; i < NELEM(cases); i++) {
		int64_t before = wall();
		int rc = clock_advance(c, cases[i].seconds);
		int64_t now = clock_now(c), after = wall();

		cr_expect_eq(rc, cases[i].rc, "case %zu: advance(%lld) = %d",
		    i, (long long)cases[i].seconds, rc);
		if (rc == 0)
			moved += cases[i].seconds;
		cr_expect(now >= before + moved && now <= after + moved,
		    "case %zu: clock is %lld s ahead, want %lld", i,
		    (long long)(now - before), (long long)moved);
	}
	clock_free(c);
}

Test(clock, advance_refused_outside_test_mode)
{
	static const int64_t amounts[] = { 1, 60, DAY, 0, -1, INT64_MAX };
	struct clock *c = clock_new(false);

	for (size_t i = 0; i < NELEM(amounts); i++) {
		int64_t before = wall();

		cr_expect_eq(clock_advance(c, amounts[i]), ERR_FORBIDDEN,
		    "advance(%lld)", (long long)amounts[i]);
		cr_expect_leq(clock_now(c), wall());
		cr_expect_geq(clock_now(c), before);
	}
	clock_free(c);
}

Test(clock, advance_never_goes_back)
{
	struct clock *c = clock_new(true);
	int64_t last = clock_now(c);

	for (int i = 0; i < 100; i++) {
		int64_t now;

		cr_expect_eq(clock_advance(c, 3600), 0);
		now = clock_now(c);
		cr_expect_geq(now, last + 3600);
		last = now;
	}
	clock_free(c);
}

/* The total advance is capped as well as each step: a test clock never
 * runs more than ten years ahead. */
Test(clock, advance_total_capped)
{
	struct clock *c = clock_new(true);
	int64_t before = wall();

	cr_expect_eq(clock_advance(c, TEN_YEARS), 0);
	cr_expect_eq(clock_advance(c, TEN_YEARS), ERR_INVALID,
	    "a second ten-year advance was accepted");
	cr_expect_eq(clock_advance(c, 1), ERR_INVALID,
	    "an advance past the ten-year cap was accepted");
	cr_expect_leq(clock_now(c), wall() + TEN_YEARS,
	    "clock is %lld s ahead", (long long)(clock_now(c) - before));
	clock_free(c);
}

Test(clock, rfc3339)
{
	static const struct {
		int64_t		 t;
		const char	*want;
	} cases[] = {
		{ 0, "1970-01-01T00:00:00Z" },
		{ 1, "1970-01-01T00:00:01Z" },
		{ 59, "1970-01-01T00:00:59Z" },
		{ 86399, "1970-01-01T23:59:59Z" },
		{ 86400, "1970-01-02T00:00:00Z" },
		{ -1, "1969-12-31T23:59:59Z" },
		{ 951782400, "2000-02-29T00:00:00Z" },
		{ 1000000000, "2001-09-09T01:46:40Z" },
		{ 1234567890, "2009-02-13T23:31:30Z" },
		{ 1709208000, "2024-02-29T12:00:00Z" },
		{ 1795876500, "2026-11-28T14:35:00Z" },
		{ 1795877100, "2026-11-28T14:45:00Z" },
		{ 2147483647, "2038-01-19T03:14:07Z" },
		{ 2147483648LL, "2038-01-19T03:14:08Z" },
		{ 4102444799LL, "2099-12-31T23:59:59Z" },
		{ 4102444800LL, "2100-01-01T00:00:00Z" },
		{ 253402300799LL, "9999-12-31T23:59:59Z" },
	};

	for (size_t i = 0; i < NELEM(cases); i++) {
		char out[32];

		clock_rfc3339(cases[i].t, out);
		cr_expect_str_eq(out, cases[i].want, "case %zu: %lld -> '%s', "
		    "want '%s'", i, (long long)cases[i].t, out, cases[i].want);
	}
}

/* clock_parse_rfc3339() reads back what clock_rfc3339() writes from
 * 1970 on, and nothing else. */
Test(clock, parse_rfc3339)
{
	static const char *const bad[] = { "", "2026-12-07T13:00:00",
	    "2026-12-07T13:00:00+01:00", "2026-12-07 13:00:00Z",
	    "2026-12-07T13:00:00.5Z", "1969-12-31T23:59:59Z",
	    "2026-02-29T00:00:00Z", "2026-04-31T00:00:00Z",
	    "2026-13-01T00:00:00Z", "2026-12-07T24:00:00Z",
	    "2026-12-07T13:60:00Z", "2026-12-07T13:00:60Z",
	    "2026-1a-07T13:00:00Z", "+026-12-07T13:00:00Z" };
	static const int64_t good[] = { 0, 59, 86400, 951782400, 1709208000,
	    1795877100, 2147483648LL, 253402300799LL };
	int64_t t;

	for (size_t i = 0; i < NELEM(good); i++) {
		char s[32];

		clock_rfc3339(good[i], s);
		cr_expect(clock_parse_rfc3339(s, strlen(s), &t), "%s", s);
		cr_expect_eq(t, good[i], "%s -> %lld", s, (long long)t);
	}
	for (size_t i = 0; i < NELEM(bad); i++)
		cr_expect_not(clock_parse_rfc3339(bad[i], strlen(bad[i]), &t),
		    "'%s' was taken", bad[i]);
}
