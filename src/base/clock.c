#include "base/clock.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

static bool
digits(const char *s, size_t n, int *out)
{
	*out = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		*out = *out * 10 + (s[i] - '0');
	}
	return true;
}

bool
clock_parse_rfc3339(const char *s, size_t len, int64_t *out)
{
	struct tm tm;
	int y, mo, d, h, mi, sec;

	if (len != 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' ||
	    s[13] != ':' || s[16] != ':' || s[19] != 'Z' ||
	    !digits(s, 4, &y) || !digits(s + 5, 2, &mo) ||
	    !digits(s + 8, 2, &d) || !digits(s + 11, 2, &h) ||
	    !digits(s + 14, 2, &mi) || !digits(s + 17, 2, &sec) ||
	    y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 ||
	    mi > 59 || sec > 59)
		return false;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	*out = (int64_t)timegm(&tm);
	/* timegm() moves 31 April to 1 May: refuse what it had to move */
	return gmtime_r(&(time_t){ (time_t)*out }, &tm) != NULL &&
	    tm.tm_mday == d;
}
