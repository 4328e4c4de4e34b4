#include "base/clock.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "base/err.h"
#include "base/mem.h"

/* Ten years: far beyond any lifetime rule, small enough never to overflow. */
#define CLOCK_MAX_ADVANCE_S	(10LL * 366 * 24 * 3600)

struct clock {
	bool		 test_mode;
	_Atomic int64_t	 offset_s;
};

struct clock *
clock_new(bool test_mode)
{
	struct clock *c = xcalloc(1, sizeof(*c));

	c->test_mode = test_mode;
	atomic_init(&c->offset_s, 0);
	return c;
}

void
clock_free(struct clock *c)
{
	free(c);
}

int64_t
clock_now(const struct clock *c)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec + atomic_load_explicit(&c->offset_s,
	    memory_order_relaxed);
}

int
clock_advance(struct clock *c, int64_t seconds)
{
	if (!c->test_mode)
		return ERR_FORBIDDEN;
	if (seconds <= 0 || seconds > CLOCK_MAX_ADVANCE_S)
		return ERR_INVALID;
	if (atomic_fetch_add(&c->offset_s, seconds) + seconds >
	    CLOCK_MAX_ADVANCE_S) {
		atomic_fetch_sub(&c->offset_s, seconds);
		return ERR_INVALID;
	}
	return 0;
}

int64_t
clock_monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
clock_rfc3339(int64_t t, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, 32, "1970-01-01T00:00:00Z");
}
