#ifndef KEYGATE_CORE_CIMD_H
#define KEYGATE_CORE_CIMD_H

#include <stdbool.h>
#include <stdint.h>

#include "core/cimd_fetch.h"
#include "core/cimd_rules.h"

/* The documents of one node (docs/REFERENCE.md §22.2): fetched and
 * checked on first use, then kept in memory by URL as long as their
 * answer's headers allow (cimd_lifetime(), at most 24 h; no-store: never
 * kept), at most CIMD_CACHE_ENTRIES of them, the one closest to expiry
 * making room. A refusal is kept CIMD_FAILURE_TTL_S, so that a dead or
 * bad URL is not fetched on every request. Times are the injected
 * clock's (base/clock.h): the test clock moves them. Thread-safe; a
 * fetch runs outside the lock. */
#define CIMD_CACHE_ENTRIES	256
#define CIMD_FAILURE_TTL_S	60
/* An answer not to be kept (no-store, or a fetch refused because
 * max_inflight were running) that a prefetch fetched is still kept for one
 * more lookup within this many seconds: the request the prefetch ran for
 * reads it (http/router.h). */
#define CIMD_HANDOFF_S		10

struct cimd;

/* Takes the fetcher; brand is the server's (app_rules.h); at most
 * max_inflight fetches run at once, past them a request is refused (and
 * may try again) rather than waiting. */
struct cimd	*cimd_new(struct cimd_fetcher *f, const char *brand,
		    int max_inflight);
void		 cimd_free(struct cimd *c);

/* The checked document of url into out. Returns NULL, or why the
 * client is refused (cimd_rule_url(), cimd_fetch(),
 * cimd_rule_document(), too many fetches at once). *fetched (unless
 * NULL) says whether this call went to the network. `handoff`: a
 * prefetch's call, whose answer the request's next call must find even
 * when it is not to be kept (CIMD_HANDOFF_S). */
const char	*cimd_get(struct cimd *c, struct str url, int64_t now,
		    struct cimd_doc *out, bool *fetched, bool handoff);

/* True when cimd_get() would answer url without fetching. */
bool		 cimd_cached(struct cimd *c, struct str url, int64_t now);

#endif
