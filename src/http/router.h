#ifndef KEYGATE_HTTP_ROUTER_H
#define KEYGATE_HTTP_ROUTER_H

#include <stdbool.h>
#include <stddef.h>

#include "http/request.h"
#include "http/response.h"

typedef void (*handler_fn)(struct request *req, struct response *res);

/* Where a route's handler runs. ROUTE_FAST: on the server thread that
 * read the request. ROUTE_SLOW: whole, on a slow-lane thread
 * (http/offload.c) while the connection waits without a server thread;
 * for handlers that verify or hash a password (argon2id, tens of
 * milliseconds), so that they never hold up a server thread. A ROUTE_SLOW
 * handler answers before it returns (no request_later()). */
enum route_lane { ROUTE_FAST, ROUTE_SLOW };

/* Work a ROUTE_FAST request may need before its handler, too slow for a
 * server thread (a client metadata document to fetch, docs/REFERENCE.md
 * §22.2). Called with run false on the server thread: true when this
 * request needs it; then with run true on a slow-lane thread while the
 * connection waits, after which the handler runs on the server thread as
 * usual (and may itself answer later). */
typedef bool (*prefetch_fn)(struct request *req, bool run);

/* One route: a method and a path pattern whose `{name}` segments capture one
 * non-empty segment each into req->route_params, in order; `prefetch`
 * (NULL: none) as above. */
struct route {
	enum http_method	 method;
	const char		*pattern;
	handler_fn		 handler;
	enum route_lane		 lane;
	prefetch_fn		 prefetch;
};

enum route_result { ROUTE_FOUND, ROUTE_NOT_FOUND, ROUTE_BAD_METHOD };

/* Finds the route for req's method and path (HEAD matches GET). On
 * ROUTE_FOUND sets *out and the captures; on ROUTE_BAD_METHOD writes the
 * path's methods as an Allow value into allow (size allowlen). */
enum route_result router_match(const struct route *routes, size_t n,
	    struct request *req, const struct route **out, char *allow,
	    size_t allowlen);

const char	*http_method_name(enum http_method m);

/* Draws the HTML page for an error the server answers itself (404, 405 on
 * a browser's path), so that it looks like the rest of the site; given to
 * the server (http/server.h) with the routes. */
typedef void (*http_error_page_fn)(struct request *req, struct response *res,
    int status, const char *title, const char *detail);

#endif
