#ifndef KEYGATE_HTTP_SERVER_H
#define KEYGATE_HTTP_SERVER_H

#include <stddef.h>

#include "core/keygate.h"
#include "http/router.h"

/* The HTTP server: libmicrohttpd with its own thread pool in poll mode
 * (epoll mode stalls under connection bursts in 0.9.75), one thread per
 * core unless --threads says otherwise, fed by one accepting thread
 * (http/listener.h) so that a burst of connections alternates between
 * them. */
struct http_server;


/* Starts serving kg->cfg->listen with `routes` (kept by reference) and
 * `error_page` (NULL: a plain built-in page). On failure writes a reason
 * into err and returns NULL. */
struct http_server *http_server_start(struct keygate *kg,
	    const struct route *routes, size_t nroutes,
	    http_error_page_fn error_page, char *err, size_t errlen);

/* Stops accepting, lets in-flight requests finish (up to a few seconds),
 * then stops the threads and frees the server. */
void	http_server_stop(struct http_server *srv);

#endif
