#ifndef KEYGATE_CORE_CIMD_H
#define KEYGATE_CORE_CIMD_H

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

struct cimd;

/* Takes the fetcher; brand is the server's (app_rules.h). */
struct cimd	*cimd_new(struct cimd_fetcher *f, const char *brand);
void		 cimd_free(struct cimd *c);

/* The checked document of url into out. Returns NULL, or why the
 * client is refused (cimd_rule_url(), cimd_fetch(),
 * cimd_rule_document()). *fetched (unless NULL) says whether this call
 * went to the network. */
const char	*cimd_get(struct cimd *c, struct str url, int64_t now,
		    struct cimd_doc *out, bool *fetched);

/* How many fetches this node made: the tests' and /metrics' view. */
uint64_t	 cimd_fetches(const struct cimd *c);

#endif
