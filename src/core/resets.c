#include "core/resets.h"

#include <stdio.h>
#include <stdlib.h>

#include "base/limits.h"
#include "base/mem.h"
#include "base/workq.h"

struct resets {
	struct keygate	*kg;
	resets_deliver_fn deliver;
	struct workq	*q;
};

/* an item of the queue: one normalized address */
struct reset_item {
	char	 email[ACCOUNT_EMAIL_MAX_BYTES + 1];
};

static void
run(void *ctx, void *item)
{
	struct resets *r = ctx;

	r->deliver(r->kg, ((struct reset_item *)item)->email);
}

struct resets *
resets_start(struct keygate *kg, resets_deliver_fn deliver)
{
	struct resets *r = xcalloc(1, sizeof(*r));

	r->kg = kg;
	r->deliver = deliver;
	r->q = workq_start(sizeof(struct reset_item), RESETS_QUEUE_MAX, run,
	    r);
	return r;
}

void
resets_stop(struct resets *r)
{
	if (r == NULL)
		return;
	workq_stop(r->q);
	free(r);
}

bool
resets_submit(struct resets *r, const char *email)
{
	/* zeroed so that no stack bytes past the address are copied */
	struct reset_item it = { { 0 } };

	snprintf(it.email, sizeof(it.email), "%s", email);
	return workq_submit(r->q, &it) == 0;
}
