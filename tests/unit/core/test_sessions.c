#include "core/sessions.h"

#include <criterion/criterion.h>
#include <string.h>

#include "base/limits.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

#define T0	1800000000LL	/* created */
#define IDLE	SESSION_IDLE_TTL_S
#define MAX	SESSION_MAX_TTL_S

Test(sessions, ttl_constants)
{
	cr_expect_eq(SESSION_IDLE_TTL_S, 12 * 3600);
	cr_expect_eq(SESSION_MAX_TTL_S, 7 * 24 * 3600);
}

/* A session lives for [created, created + MAX) and, within that, for
 * [last_seen, last_seen + IDLE): at exactly either limit it is over. */
Test(sessions, alive)
{
	static const struct {
		int64_t	 last_seen, now;	/* relative to T0 */
		bool	 alive;
	} cases[] = {
		{ 0, 0, true },
		{ 0, 1, true },
		/* idle limit */
		{ 0, IDLE - 1, true },
		{ 0, IDLE, false },
		{ 0, IDLE + 1, false },
		{ 3600, 3600 + IDLE - 1, true },
		{ 3600, 3600 + IDLE, false },
		{ MAX - IDLE, MAX - 1, true },
		/* absolute limit, however recent the last activity */
		{ MAX - 10, MAX - 1, true },
		{ MAX - 10, MAX, false },
		{ MAX - 1, MAX, false },
		{ MAX - 1, MAX + 1, false },
		{ MAX, MAX, false },
		{ MAX + 100, MAX + 100, false },
		{ MAX - 3600, MAX - 1, true },
		{ MAX - 3600, MAX, false },
		{ MAX - IDLE + 1, MAX - 1, true },
		/* both long over */
		{ 0, 30 * 86400, false },
	};

	for (size_t i = 0; i < NELEM(cases); i++) {
		int64_t last = T0 + cases[i].last_seen;
		int64_t now = T0 + cases[i].now;

		cr_expect_eq(sessions_alive(T0, last, now), cases[i].alive,
		    "case %zu: last_seen +%lld, now +%lld: want %s", i,
		    (long long)cases[i].last_seen, (long long)cases[i].now,
		    cases[i].alive ? "alive" : "ended");
	}
}

Test(sessions, alive_touched_every_hour)
{
	/* Activity every hour keeps a session alive right up to its
	 * absolute limit, and not a second past it. */
	int64_t last = T0;

	for (int64_t now = T0; now < T0 + MAX; now += 3600) {
		cr_expect(sessions_alive(T0, last, now), "now +%lld",
		    (long long)(now - T0));
		last = now;
	}
	cr_expect(!sessions_alive(T0, T0 + MAX - 1, T0 + MAX));
}

/* what a session keeps of where it began */
Test(sessions, clean_keeps_text_and_replaces_the_rest)
{
	char out[16];

	sessions_clean(STR_LIT("Firefox/1 \xe2\x98\x83"), out, 15);
	cr_expect_str_eq(out, "Firefox/1 \xe2\x98\x83");
	sessions_clean(STR_LIT("a\tb\nc\x01\x7f"), out, 15);
	cr_expect_str_eq(out, "a?b?c??");
	sessions_clean(STR_LIT("x\xff\xc3(\xe2\x98"), out, 15);
	cr_expect_str_eq(out, "x?" "?(?" "?");
	/* cut at 4 bytes: the snowman (3 bytes) at 3 does not fit */
	sessions_clean(STR_LIT("abc\xe2\x98\x83"), out, 4);
	cr_expect_str_eq(out, "abc");
	sessions_clean(STR_LIT("abcdefghijklmnopqrstuvwxyz"), out, 15);
	cr_expect_eq(strlen(out), 15);
}
