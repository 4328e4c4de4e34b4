/* client/timers.c: the client's two timers agree with the server's rule
 * (core/lifetime.c) whenever the client's times are the server's, and are
 * never later when the client's times are earlier (which is how it takes
 * them: before each request leaves). */
#include "client_int.h"
#include "core/lifetime.h"

#include <criterion/criterion.h>

#define IAT	1700000000LL
#define H	3600LL

static const struct lifetime server = { 3600, 7200, 86400 };

static struct kg_tokens
tokens(int64_t iat, int64_t last_used)
{
	struct kg_tokens t = { .issued_at = iat, .last_used = last_used,
	    .unused_ttl_s = 3600 };

	return t;
}

Test(timers, same_times_same_expiry_as_the_server)
{
	static const int64_t uses[] = { -1, 0, 1, 1800, 3599, 3600, 7200,
	    20 * H, 22 * H, 22 * H + 1, 23 * H, 24 * H - 1 };
	struct kg_timers tm;
	struct kg_tokens t;
	size_t i;

	for (i = 0; i < sizeof(uses) / sizeof(*uses); i++) {
		int64_t lu = uses[i] < 0 ? 0 : IAT + uses[i];

		t = tokens(IAT, lu);
		kg_timers_compute(&t, 7200, 86400, &tm);
		cr_expect_eq(tm.expires_at, lifetime_expiry(&server, IAT, lu),
		    "use at %lld", (long long)uses[i]);
	}
}

Test(timers, earlier_client_times_never_give_a_later_expiry)
{
	struct kg_timers tm;
	struct kg_tokens t;
	int64_t lag, u;

	/* The server saw issue and use up to `lag` seconds later. */
	for (lag = 0; lag <= 3; lag++) {
		for (u = -1; u < 24 * H; u += 997) {
			int64_t lu = u < 0 ? 0 : IAT + u;
			int64_t srv_lu = u < 0 ? 0 : lu + lag;

			t = tokens(IAT, lu);
			kg_timers_compute(&t, 7200, 86400, &tm);
			cr_expect_leq(tm.expires_at, lifetime_expiry(&server,
			    IAT + lag, srv_lu));
		}
	}
}

Test(timers, names_the_timer_that_runs_out_first)
{
	struct kg_timers tm;
	struct kg_tokens t = tokens(IAT, 0);

	kg_timers_compute(&t, 7200, 86400, &tm);
	cr_expect_str_eq(tm.timer, "unused");
	t.last_used = IAT + 10;
	kg_timers_compute(&t, 7200, 86400, &tm);
	cr_expect_str_eq(tm.timer, "idle");
	t.last_used = IAT + 23 * H;
	kg_timers_compute(&t, 7200, 86400, &tm);
	cr_expect_str_eq(tm.timer, "max");
	cr_expect_eq(tm.expires_at, IAT + 24 * H);
}

Test(timers, due_a_margin_before_expiry)
{
	struct kg_timers tm = { IAT + H, "unused" };

	cr_expect_not(kg_timers_due(&tm, IAT + H - 121, 120));
	cr_expect(kg_timers_due(&tm, IAT + H - 120, 120));
	cr_expect(kg_timers_due(&tm, IAT + H, 0));
	cr_expect_not(kg_timers_due(&tm, IAT + H - 1, 0));
}
