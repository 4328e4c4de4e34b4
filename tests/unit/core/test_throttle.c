#include "core/throttle.h"

#include <criterion/criterion.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>

#include "base/err.h"
#include "base/limits.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

#define T0	1800000000LL
#define WIN	THROTTLE_WINDOW_S

static void
setup(void)
{
	cr_assert_geq(sodium_init(), 0);
}

/* One step of a scenario on one key: hit, clear, or check expecting
 * `rc` and, when throttled, `retry`. */
enum op { HIT, CLEAR, CHECK };

struct step {
	enum op		 op;
	int64_t		 at;		/* seconds after T0 */
	int		 rc;
	int64_t		 retry;
};

struct scenario {
	const char	*what;
	int64_t		 limit;
	int64_t		 window;
	struct step	 steps[12];
	size_t		 nsteps;
};

#define H(at)		{ HIT, (at), 0, 0 }
#define CL(at)		{ CLEAR, (at), 0, 0 }
#define OK(at)		{ CHECK, (at), 0, 0 }
#define NO(at, r)	{ CHECK, (at), ERR_THROTTLED, (r) }

Test(throttle, scenarios, .init = setup)
{
	static const struct scenario cases[] = {
		{ "unknown key is fine", 1, WIN, { OK(0) }, 1 },
		{ "below the limit", 3, WIN, { H(0), H(1), OK(2) }, 3 },
		{ "at the limit", 3, WIN,
		  { H(0), H(1), H(2), NO(2, WIN - 2), NO(3, WIN - 3) }, 5 },
		{ "retry-after counts down to the window end", 1, WIN,
		  { H(100), NO(100, WIN), NO(101, WIN - 1),
		    NO(WIN + 99, 1), OK(WIN + 100), OK(WIN + 5000) }, 6 },
		{ "the window starts at the first hit", 2, 60,
		  { H(0), H(59), NO(59, 1), OK(60) }, 4 },
		{ "a hit after the window starts a new one", 2, 60,
		  { H(0), H(10), NO(30, 30), H(60), OK(60), H(61),
		    NO(61, 59), OK(120) }, 8 },
		{ "limit 0 throttles only a counted key", 0, 60,
		  { OK(0), H(0), NO(0, 60), OK(60) }, 4 },
		{ "clear forgets the count", 2, WIN,
		  { H(0), H(1), NO(2, WIN - 2), CL(3), OK(3), H(4), OK(4),
		    H(5), NO(5, WIN - 5) }, 9 },
		{ "clear of an unknown key is harmless", 1, WIN,
		  { CL(0), OK(0), H(0), NO(0, WIN) }, 4 },
		{ "signup window", 1, THROTTLE_SIGNUP_WINDOW_S,
		  { H(0), NO(1, THROTTLE_SIGNUP_WINDOW_S - 1),
		    OK(THROTTLE_SIGNUP_WINDOW_S) }, 3 },
	};

	for (size_t i = 0; i < NELEM(cases); i++) {
		const struct scenario *sc = &cases[i];
		struct throttle *t = throttle_new(NULL, NULL);
		struct str key = STR_LIT("login-acct:a@b.com");

		for (size_t k = 0; k < sc->nsteps; k++) {
			const struct step *s = &sc->steps[k];
			int64_t retry = -1;
			int rc;

			switch (s->op) {
			case HIT:
				throttle_hit(t, key, sc->window, T0 + s->at);
				break;
			case CLEAR:
				throttle_clear(t, key);
				break;
			case CHECK:
				rc = throttle_check(t, key, sc->limit,
				    T0 + s->at, &retry);
				cr_expect_eq(rc, s->rc, "%s, step %zu: rc %d, "
				    "want %d", sc->what, k, rc, s->rc);
				if (rc == ERR_THROTTLED &&
				    s->rc == ERR_THROTTLED)
					cr_expect_eq(retry, s->retry, "%s, "
					    "step %zu: retry %lld, want %lld",
					    sc->what, k, (long long)retry,
					    (long long)s->retry);
				break;
			}
		}
		throttle_free(t);
	}
}

Test(throttle, keys_are_separate, .init = setup)
{
	struct throttle *t = throttle_new(NULL, NULL);
	int64_t retry;

	for (int i = 0; i < THROTTLE_FAILS_PER_ACCOUNT; i++)
		throttle_hit(t, STR_LIT("login-acct:a@b.com"), WIN, T0);
	cr_expect_eq(throttle_check(t, STR_LIT("login-acct:a@b.com"),
	    THROTTLE_FAILS_PER_ACCOUNT, T0, &retry), ERR_THROTTLED);
	cr_expect_eq(throttle_check(t, STR_LIT("login-acct:a@b.co"),
	    THROTTLE_FAILS_PER_ACCOUNT, T0, &retry), 0);
	cr_expect_eq(throttle_check(t, STR_LIT("login-acct:a@b.comm"),
	    THROTTLE_FAILS_PER_ACCOUNT, T0, &retry), 0);
	cr_expect_eq(throttle_check(t, STR_LIT("login-addr:a@b.com"),
	    THROTTLE_FAILS_PER_ACCOUNT, T0, &retry), 0);
	cr_expect_eq(throttle_check(t, STR_LIT(""),
	    THROTTLE_FAILS_PER_ACCOUNT, T0, &retry), 0);
	throttle_clear(t, STR_LIT("login-acct:other"));
	cr_expect_eq(throttle_check(t, STR_LIT("login-acct:a@b.com"),
	    THROTTLE_FAILS_PER_ACCOUNT, T0, &retry), ERR_THROTTLED);
	throttle_free(t);
}

static struct str
numbered_key(char *buf, size_t len, const char *prefix, size_t i)
{
	int n = snprintf(buf, len, "%s%zu", prefix, i);

	return (struct str){ buf, (size_t)n };
}

/* More distinct keys than the table holds, all in live windows: no
 * crash, and the throttle keeps counting and refusing afterwards. */
Test(throttle, many_keys, .init = setup, .timeout = 120)
{
	static const size_t counts[] = {
		THROTTLE_MAX_KEYS - 1,
		THROTTLE_MAX_KEYS,
		THROTTLE_MAX_KEYS + 1,
		3 * THROTTLE_MAX_KEYS + 17,
	};

	for (size_t c = 0; c < NELEM(counts); c++) {
		struct throttle *t = throttle_new(NULL, NULL);
		char kb[64];
		int64_t retry = 0;

		for (size_t i = 0; i < counts[c]; i++)
			throttle_hit(t, numbered_key(kb, sizeof(kb), "flood:",
			    i), WIN, T0 + (int64_t)(i % 60));

		/* A fresh key is counted and refused at its limit. */
		struct str key = STR_LIT("login-acct:victim@example.com");
		for (int k = 0; k < 3; k++) {
			cr_expect_eq(throttle_check(t, key, 3, T0 + 100,
			    &retry), 0, "count %zu, hit %d", counts[c], k);
			throttle_hit(t, key, WIN, T0 + 100);
		}
		cr_expect_eq(throttle_check(t, key, 3, T0 + 100, &retry),
		    ERR_THROTTLED, "count %zu", counts[c]);
		cr_expect_eq(retry, WIN, "count %zu", counts[c]);
		cr_expect_eq(throttle_check(t, key, 3, T0 + 100 + WIN,
		    &retry), 0, "count %zu", counts[c]);

		/* Below the cap, every key of the flood is still counted
		 * (above it the table may start over). */
		if (counts[c] < THROTTLE_MAX_KEYS)
			for (size_t i = 0; i < counts[c]; i += 997)
				cr_expect_eq(throttle_check(t,
				    numbered_key(kb, sizeof(kb), "flood:", i),
				    1, T0 + 100, &retry), ERR_THROTTLED,
				    "count %zu: flood key %zu", counts[c], i);
		throttle_free(t);
	}
}

/* Once the flood's windows are over, the table makes room for new keys
 * and keeps the ones still live. */
Test(throttle, many_keys_expired, .init = setup, .timeout = 120)
{
	struct throttle *t = throttle_new(NULL, NULL);
	char kb[64];
	int64_t retry = 0;

	throttle_hit(t, STR_LIT("keep"), 10 * WIN, T0);
	for (size_t i = 0; i < THROTTLE_MAX_KEYS - 1; i++)
		throttle_hit(t, numbered_key(kb, sizeof(kb), "old:", i), 60,
		    T0);
	/* The table is full; the new keys come after the flood's windows
	 * ended. */
	for (size_t i = 0; i < 1000; i++)
		throttle_hit(t, numbered_key(kb, sizeof(kb), "new:", i), WIN,
		    T0 + 120);
	cr_expect_eq(throttle_check(t, STR_LIT("keep"), 1, T0 + 120, &retry),
	    ERR_THROTTLED, "a live key was dropped");
	cr_expect_eq(retry, 10 * WIN - 120);
	for (size_t i = 0; i < 1000; i += 111)
		cr_expect_eq(throttle_check(t, numbered_key(kb, sizeof(kb),
		    "new:", i), 1, T0 + 120, &retry), ERR_THROTTLED,
		    "new key %zu", i);
	throttle_free(t);
}

/* throttle_take() checks and counts in one step; a refusal counts
 * nothing; a give-back uncounts once, and only in its own window. */
Test(throttle, take_and_give_back, .init = setup)
{
	struct throttle *t = throttle_new(NULL, NULL);
	struct throttle_ticket tk[4], late;
	struct str key = STR_LIT("login-pair:x");
	int64_t retry = -1;

	for (int i = 0; i < 3; i++)
		cr_assert_eq(throttle_take(t, key, 3, WIN, T0 + i, &retry,
		    &tk[i]), 0, "take %d", i);
	cr_expect_eq(throttle_take(t, key, 3, WIN, T0 + 5, &retry, &tk[3]),
	    ERR_THROTTLED);
	cr_expect_eq(retry, WIN - 5);
	cr_expect(!tk[3].held, "a refused take holds nothing");
	throttle_give_back(t, &tk[3]);
	cr_expect_eq(throttle_check(t, key, 3, T0 + 5, &retry), ERR_THROTTLED,
	    "the refusal was not counted, nor its give-back");
	throttle_give_back(t, &tk[0]);
	throttle_give_back(t, &tk[0]);
	cr_expect_eq(throttle_check(t, key, 3, T0 + 6, &retry), 0);
	cr_expect_eq(throttle_check(t, key, 2, T0 + 6, &retry), ERR_THROTTLED,
	    "a ticket gives back once");
	/* a new window: the old tickets take nothing from it */
	cr_assert_eq(throttle_take(t, key, 3, WIN, T0 + WIN, &retry, &late),
	    0);
	throttle_give_back(t, &tk[1]);
	cr_expect_eq(throttle_check(t, key, 1, T0 + WIN, &retry),
	    ERR_THROTTLED);
	throttle_free(t);
}

struct taker {
	struct throttle	*t;
	int		 passed;
};

static void *
take_many(void *arg)
{
	struct taker *k = arg;
	struct throttle_ticket tk;
	int64_t retry;

	for (int i = 0; i < 200; i++)
		if (throttle_take(k->t, STR_LIT("login-acct:race"), 5, WIN, T0,
		    &retry, &tk) == 0)
			k->passed++;
	return NULL;
}

/* However many threads race, no more takes pass than the limit. */
Test(throttle, parallel_takes_never_pass_the_limit, .init = setup)
{
	struct throttle *t = throttle_new(NULL, NULL);
	struct taker k[8];
	pthread_t th[8];
	int total = 0;

	for (int i = 0; i < 8; i++) {
		k[i] = (struct taker){ t, 0 };
		pthread_create(&th[i], NULL, take_many, &k[i]);
	}
	for (int i = 0; i < 8; i++) {
		pthread_join(th[i], NULL);
		total += k[i].passed;
	}
	cr_expect_eq(total, 5);
	throttle_free(t);
}

Test(throttle, ipv6_counts_by_64, .init = setup)
{
	static const struct { const char *in, *want; } cases[] = {
		{ "2001:db8:1:2::1", "2001:db8:1:2::/64" },
		{ "2001:DB8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64" },
		{ "2001:db8::", "2001:db8::/64" },
		{ "::1", "::/64" },
		{ "::ffff:192.0.2.7", "192.0.2.7" },
		{ "192.0.2.7", "192.0.2.7" },
		{ "-", "-" },
		{ "not an address", "not an address" },
	};
	char out[THROTTLE_ADDR_BYTES];

	for (size_t i = 0; i < NELEM(cases); i++) {
		throttle_addr(cases[i].in, out);
		cr_expect_str_eq(out, cases[i].want, "%s", cases[i].in);
	}
}
