#ifndef KEYGATE_HTTP_RESPONSE_H
#define KEYGATE_HTTP_RESPONSE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/buf.h"

#define RESPONSE_MAX_HEADERS	16
/* Room for a full page of the largest list (LIST_MAX_LIMIT apps of
 * APP_JSON_MAX_BYTES each, about 2.7 MB; asserted in api/page.c). A
 * buffer grows as it is written: small answers stay small. */
#define RESPONSE_MAX_BODY_BYTES	(4 * 1024 * 1024)

struct header {
	const char	*name;
	const char	*value;
};

/* What a handler answers. The server adds the common headers: the security
 * set on HTML, `Cache-Control: no-store` unless a handler set its own. */
struct keygate;

/* Work a handler leaves until its answer has gone out (response_after()). */
typedef void (*response_after_fn)(struct keygate *kg, void *ctx);

struct response {
	int		 status;
	const char	*content_type;
	struct buf	 body;
	bool		 html;
	struct header	 headers[RESPONSE_MAX_HEADERS];
	size_t		 nheaders;
	struct arena	*arena;
	response_after_fn after;	/* response_after() */
	void		*after_ctx;
};

void	response_init(struct response *res, struct arena *arena);
void	response_release(struct response *res);

/* Runs fn(kg, ctx) once the answer has been sent (or the client has gone),
 * on the server's thread, before the request's arena is freed: work whose
 * time must not show in the answer's (whether an address is an account's).
 * One per response; ctx lives in the arena or is static. */
void	response_after(struct response *res, response_after_fn fn, void *ctx);

/* Adds a header (name and value copied into the arena). */
void	response_header(struct response *res, const char *name,
	    const char *value);
/* Serializes j (reference taken over) as the body. */
void	response_json(struct response *res, int status, json_t *j);
/* A JSON body known in advance (no jansson on a hot path). */
void	response_json_text(struct response *res, int status, const char *json);
/* A JSON answer whose text the caller prints into the returned buffer
 * (buf_put_json_string() for strings): hot paths, without jansson. */
struct buf *response_json_body(struct response *res, int status);
/* A body of another type (e.g. Prometheus text) printed into the returned
 * buffer. */
struct buf *response_body(struct response *res, int status,
	    const char *content_type);
/* {"error": code, "error_description": description}. */
void	response_json_error(struct response *res, int status,
	    const char *code, const char *description);
/* Sets an HTML body; the page gets the security headers. */
void	response_html(struct response *res, int status, struct str html);
void	response_redirect(struct response *res, int status,
	    const char *location);
/* Sets cookie name=value; Path=path; HttpOnly; SameSite=Lax. `name` is a
 * base name (http/cookie.h). With `secure` (pass cfg->secure_cookies: the
 * issuer is https) the cookie is __Host-name; Path=/; Secure, whatever
 * `path` says. max_age_s < 0 leaves it a browser-session cookie; 0
 * deletes it. */
void	response_cookie(struct response *res, const char *name,
	    const char *value, const char *path, int64_t max_age_s,
	    bool secure);

#endif
