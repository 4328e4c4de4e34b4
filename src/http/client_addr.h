#ifndef KEYGATE_HTTP_CLIENT_ADDR_H
#define KEYGATE_HTTP_CLIENT_ADDR_H

#include <microhttpd.h>
#include <stddef.h>

#include "core/config.h"

/* The client's address as text (for throttles and the access log): the
 * peer's, or, when the peer is one of cfg's trusted proxies, the last
 * address of the last X-Forwarded-For header (the one that proxy added;
 * earlier ones are whatever the client claimed). A header that does not
 * end in a plain address leaves the peer's. */
void	client_addr(struct MHD_Connection *conn, const struct config *cfg,
	    char *out, size_t outlen);

#endif
