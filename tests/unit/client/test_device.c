/* client/device.c: the device log-in's polling schedule (RFC 8628 §3.5)
 * as pure functions: the server's interval, 5 s more for good after each
 * slow_down, no poll at or past the expiry, and which errors end it. */
#include "client_int.h"

#include <criterion/criterion.h>

#define T0	1700000000LL

Test(device, waits_the_servers_interval_until_the_expiry)
{
	struct kg_device_sched s;
	int64_t now = T0, wait, polls = 0;

	kg_device_sched_init(&s, T0, 600, 5);
	while ((wait = kg_device_wait(&s, now)) >= 0) {
		cr_expect_eq(wait, 5);
		now += wait;
		cr_expect_lt(now, T0 + 600, "a poll at %lld", (long long)now);
		polls++;
	}
	/* 5, 10, ... 595: the poll at 600 would be past it */
	cr_expect_eq(polls, 119);
}

Test(device, slow_down_adds_five_seconds_for_good)
{
	struct kg_device_sched s;

	kg_device_sched_init(&s, T0, 600, 5);
	kg_device_slowed(&s);
	cr_expect_eq(kg_device_wait(&s, T0 + 5), 10);
	cr_expect_eq(kg_device_wait(&s, T0 + 15), 10);
	kg_device_slowed(&s);
	cr_expect_eq(kg_device_wait(&s, T0 + 25), 15);
}

Test(device, no_interval_means_five_seconds)
{
	struct kg_device_sched s;

	kg_device_sched_init(&s, T0, 600, 0);
	cr_expect_eq(kg_device_wait(&s, T0), 5);
}

Test(device, never_polls_at_or_past_the_expiry)
{
	struct kg_device_sched s;

	kg_device_sched_init(&s, T0, 600, 5);
	cr_expect_eq(kg_device_wait(&s, T0 + 594), 5);
	cr_expect_eq(kg_device_wait(&s, T0 + 595), -1);
	cr_expect_eq(kg_device_wait(&s, T0 + 700), -1);
	/* an interval longer than the code lives: no poll at all */
	kg_device_sched_init(&s, T0, 4, 5);
	cr_expect_eq(kg_device_wait(&s, T0), -1);
}

Test(device, outcomes_of_the_token_endpoint)
{
	cr_expect_eq(kg_device_outcome("authorization_pending"),
	    KG_POLL_PENDING);
	cr_expect_eq(kg_device_outcome("slow_down"), KG_POLL_SLOW_DOWN);
	cr_expect_eq(kg_device_outcome("access_denied"), KG_POLL_DENIED);
	cr_expect_eq(kg_device_outcome("expired_token"), KG_POLL_EXPIRED);
	cr_expect_eq(kg_device_outcome("invalid_grant"), KG_POLL_STOP);
	cr_expect_eq(kg_device_outcome("invalid_client"), KG_POLL_STOP);
	cr_expect_eq(kg_device_outcome("authorization_pending "),
	    KG_POLL_STOP);
	cr_expect_eq(kg_device_outcome(""), KG_POLL_STOP);
	cr_expect_eq(kg_device_outcome(NULL), KG_POLL_STOP);
}
