#ifndef KEYGATE_HTTP_REQUEST_H
#define KEYGATE_HTTP_REQUEST_H

#include <jansson.h>
#include <stdbool.h>

#include "base/arena.h"
#include "core/keygate.h"
#include "base/limits.h"
#include "base/str.h"
#include "http/form.h"

enum http_method {
	HTTP_GET, HTTP_HEAD, HTTP_POST, HTTP_PUT, HTTP_PATCH, HTTP_DELETE,
	HTTP_OPTIONS, HTTP_OTHER
};

/* One request as handlers see it. Everything lives until the response is
 * sent; per-request memory comes from `arena`. */
struct request {
	struct keygate		*kg;
	struct arena		*arena;
	enum http_method	 method;
	const char		*method_name;
	struct str		 path;		/* raw, without the query */
	struct str		 query;		/* raw, without the '?' */
	struct str		 body;
	struct str		 route_params[HTTP_MAX_ROUTE_PARAMS];
	const char		*client_addr;	/* numeric IP */
	void			*conn;		/* the server's connection */
};

/* A request header's value (first of repeats), or the empty slice. */
struct str	request_header(const struct request *req, const char *name);
/* How many times the header `name` came (a DPoP proof must come once). */
size_t		request_header_count(const struct request *req,
		    const char *name);

/* The query string's parameters. Returns form_parse()'s codes. */
int	request_query(struct request *req, struct params *out);
/* Route parameter i percent-decoded (into the arena): an app's key that
 * is a client metadata document's URL comes as one encoded segment
 * (docs/REFERENCE.md §22.2). The raw one when it does not decode. */
struct str request_route_param(struct request *req, size_t i);

/* The body as a form: ERR_INVALID unless the Content-Type is
 * application/x-www-form-urlencoded; else form_parse()'s codes. */
int	request_form(struct request *req, struct params *out);

/* The body as a JSON object (duplicate keys refused): ERR_INVALID unless
 * the Content-Type is application/json, ERR_MALFORMED when it does not
 * parse or is not an object. The caller json_decref()s *out. */
int	request_json(struct request *req, json_t **out);

/* The value of cookie `name`, a base name: read under cookie_name()'s
 * name for this server (__Host-name with an https issuer), as
 * response_cookie() writes it. cookie_get()'s codes. */
int	request_cookie(struct request *req, const char *name, struct str *out);

struct response;

/* The second half of a handler that answers later (request_later()). */
typedef void (*http_later_fn)(struct request *req, struct response *res,
    void *ctx);

/* For a handler whose answer waits on another thread (a commit): it calls
 * this, starts the work and returns without answering. The connection
 * then waits without holding a server thread until http_later_ready() is
 * called with the handle returned here (once, from any thread, possibly
 * before the handler returns); then `then` runs on a server thread, with
 * the same request, and answers. Defined by http/server.c, which owns
 * the connection. */
void	*request_later(struct request *req, http_later_fn then, void *ctx);
void	 http_later_ready(void *handle);

#endif
