#ifndef KEYGATE_CORE_CIMD_CLIENT_H
#define KEYGATE_CORE_CIMD_CLIENT_H

#include <stdbool.h>

#include "core/keygate.h"
#include "base/str.h"

/* A client_id that is a document's URL, before its app is read
 * (docs/REFERENCE.md §22.2): its document from the node's cache
 * (core/cimd.h) or fetched, and a fetched one written into its app's row
 * (store_cimd_app_put()), so that the row a request reads next says what
 * the document says. Returns 0 (client_id is no URL, or its app is
 * ready), ERR_NOTFOUND (a URL under --no-cimd: an unknown client, *why
 * NULL), ERR_INVALID (*why: the document's refusal, for the developer)
 * or ERR_STORE. */
int	cimd_client_ready(struct keygate *kg, struct str client_id,
	    const char **why);

/* A document client whose app row is missing (an operator deleted it,
 * or its owner account) while this node still holds the document: the
 * row written again from it. 0, ERR_NOTFOUND (no document client),
 * ERR_INVALID (its document is refused now) or ERR_STORE. */
int	cimd_client_restore(struct keygate *kg, struct str client_id);

/* True when client_id is a document's URL whose document this node would
 * fetch now (not in its cache): work for the slow lane (http/router.h). */
bool	cimd_client_pending(struct keygate *kg, struct str client_id);
/* cimd_client_ready() on the slow lane, its outcome left in the cache for
 * the request's own call (core/cimd.h, CIMD_HANDOFF_S). */
void	cimd_client_prefetch(struct keygate *kg, struct str client_id);

/* The host of a document client's URL (client_id), for the Grant Access
 * page; STR_NULL when client_id is no URL. */
struct str cimd_client_host(struct str client_id);

#endif
