#include "core/upkeep.h"

#include "base/clock.h"
#include "base/err.h"
#include "base/limits.h"

void
upkeep_horizon(const struct keygate *kg, int64_t now, int64_t grace_s,
    struct store_horizon *out)
{
	out->at = now - grace_s;
	out->unused_ttl_s = kg->cfg->token_unused_ttl_s;
	out->idle_ttl_s = kg->cfg->token_idle_ttl_s;
	out->max_ttl_s = kg->cfg->token_max_ttl_s;
	out->usage_before = now - kg->cfg->usage_retention_days * 86400;
	out->codes_before = now - UPKEEP_CODES_KEEP_S;
	out->seen_before = now - SESSION_IDLE_TTL_S;
	out->created_before = now - SESSION_MAX_TTL_S;
	out->reveals_before = now;
	out->events_before = now - kg->cfg->event_retention_days * 86400;
}

static int
sweep(struct keygate *kg, enum store_gc_kind kind, const char *name,
    const struct store_horizon *h, upkeep_progress_fn progress, void *ctx,
    size_t *total)
{
	size_t removed, sum = 0;
	int rc;

	do {
		if ((rc = store_gc(kg->store, kind, h, UPKEEP_BATCH,
		    &removed)) != 0)
			return rc;
		sum += removed;
		if (progress != NULL)
			progress(ctx, name, sum, removed < UPKEEP_BATCH);
	} while (removed == UPKEEP_BATCH);
	*total += sum;
	return 0;
}

int
upkeep_gc(struct keygate *kg, upkeep_progress_fn progress, void *ctx,
    size_t *total)
{
	struct store_horizon h;
	int rc;

	*total = 0;
	/* uses still in the log would make live tokens look dead */
	if ((rc = store_use_log_fold(kg->store, NULL)) != 0)
		return rc;
	upkeep_horizon(kg, clock_now(kg->clock), UPKEEP_GRACE_S, &h);
	if ((rc = sweep(kg, STORE_GC_USAGE, "usage hours", &h, progress, ctx,
	    total)) != 0 ||
	    (rc = sweep(kg, STORE_GC_ACCESS, "access tokens", &h, progress,
	    ctx, total)) != 0 ||
	    (rc = sweep(kg, STORE_GC_CODES, "authorization codes", &h,
	    progress, ctx, total)) != 0 ||
	    (rc = sweep(kg, STORE_GC_SESSIONS, "sessions", &h, progress, ctx,
	    total)) != 0 ||
	    (rc = sweep(kg, STORE_GC_REVEALS, "unshown secrets", &h, progress,
	    ctx, total)) != 0 ||
	    (rc = sweep(kg, STORE_GC_DEVICE, "device grants", &h, progress,
	    ctx, total)) != 0 ||
	    (rc = sweep(kg, STORE_GC_DPOP, "DPoP proofs", &h, progress,
	    ctx, total)) != 0 ||
	    (rc = sweep(kg, STORE_GC_PAR, "pushed authorization requests",
	    &h, progress, ctx, total)) != 0 ||
	    (rc = sweep(kg, STORE_GC_EVENTS, "security events", &h, progress,
	    ctx, total)) != 0)
		return rc;
	return 0;
}

int
upkeep_stats(struct keygate *kg, struct store_counts *out)
{
	struct store_horizon h;
	int rc;

	if ((rc = store_use_log_fold(kg->store, NULL)) != 0)
		return rc;
	upkeep_horizon(kg, clock_now(kg->clock), 0, &h);
	return store_stats(kg->store, &h, out);
}
