#ifndef KEYGATE_BASE_CLOCK_H
#define KEYGATE_BASE_CLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The one clock every lifetime rule reads. In test mode it can be moved
 * forward (never back) so tests never sleep. Thread-safe. */
struct clock;

struct clock	*clock_new(bool test_mode);
void		 clock_free(struct clock *c);
/* Unix seconds, including any test advance. */
int64_t		 clock_now(const struct clock *c);
/* Moves a test clock forward by `seconds` (> 0). Returns 0, or ERR_FORBIDDEN
 * when the clock is not in test mode, ERR_INVALID for a bad amount. */
int		 clock_advance(struct clock *c, int64_t seconds);

/* Milliseconds of CLOCK_MONOTONIC, for timeouts and deadlines: never set
 * back, never moved by the test clock. */
int64_t		 clock_monotonic_ms(void);

/* Writes `t` as an RFC 3339 UTC time ("2026-11-28T14:45:00Z"). */
void		 clock_rfc3339(int64_t t, char out[32]);
/* Reads what clock_rfc3339() writes (UTC only, "Z", no fraction) from
 * the `len` bytes at s into *out; false for anything else, a day the
 * month lacks included. */
bool		 clock_parse_rfc3339(const char *s, size_t len, int64_t *out);

#endif
