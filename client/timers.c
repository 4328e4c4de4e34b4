/* The two timers (docs/REFERENCE.md §4) as the client keeps them. Its times
 * are its own clock's, taken just before each request went out, so they are
 * never later than the server's: the client's expiry is never later either. */
#include "client_int.h"

void
kg_timers_compute(const struct kg_tokens *t, int64_t idle_ttl_s,
    int64_t max_ttl_s, struct kg_timers *out)
{
	int64_t idle_end, max_end;

	/* Never used: the 1 h timer alone. It also bounds a token whose use
	 * the client did not see (the used rule is never earlier). */
	if (t->last_used == 0) {
		out->expires_at = t->issued_at + t->unused_ttl_s;
		out->timer = "unused";
		return;
	}
	idle_end = t->last_used + idle_ttl_s;
	max_end = t->issued_at + max_ttl_s;
	if (idle_end < max_end) {
		out->expires_at = idle_end;
		out->timer = "idle";
	} else {
		out->expires_at = max_end;
		out->timer = "max";
	}
}

/* True when the token must be refreshed before a call at `now`: a call
 * must reach the server before expires_at (valid while now < exp). */
bool
kg_timers_due(const struct kg_timers *tm, int64_t now, int64_t margin_s)
{
	return now >= tm->expires_at - margin_s;
}
