#include "core/lifetime.h"

int64_t
lifetime_expiry(const struct lifetime *lt, int64_t iat, int64_t last_used)
{
	int64_t cap = iat + lt->max_ttl_s, idle;

	if (last_used == 0) {
		int64_t unused = iat + lt->unused_ttl_s;

		return unused < cap ? unused : cap;
	}
	idle = last_used + lt->idle_ttl_s;
	return idle < cap ? idle : cap;
}

bool
lifetime_alive(const struct lifetime *lt, int64_t iat, int64_t last_used,
    int64_t now)
{
	return now < lifetime_expiry(lt, iat, last_used);
}
