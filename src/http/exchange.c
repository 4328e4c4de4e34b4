/* The server's own answers and the sending of every answer, shared by
 * http/server.c and http/later.c, which both call down into this file
 * (exchange.h) and neither of which it calls. */
#include "http/exchange.h"

#include <microhttpd.h>
#include <stdlib.h>
#include <strings.h>

#include "base/buf.h"
#include "base/log.h"
#include "base/str.h"
#include "http/html.h"

/* RFC 6797, with an https issuer: https only for a year after the latest
 * answer. Not includeSubDomains: the issuer host's subdomains are not
 * keygate's to decide (docs/SECURITY.md). */
static const char HSTS[] = "max-age=31536000";

static const char CSP[] = "default-src 'none'; style-src 'self'; "
    "img-src 'self' https:; script-src 'self'; frame-ancestors 'none'; "
    "base-uri 'none'";

/* Paths whose clients are programs answer errors in JSON, others in HTML. */
bool
exchange_wants_json(struct str path)
{
	return str_starts_with(path, "/api/") ||
	    str_starts_with(path, "/oauth2/") ||
	    str_starts_with(path, "/v3/") || str_starts_with(path, "/_test/") ||
	    str_starts_with(path, "/.well-known/") ||
	    str_eq_lit(path, "/healthz");
}

static void
plain_error_page(struct response *res, int status, const char *title,
    const char *detail)
{
	struct buf b;

	buf_init(&b, 4096);
	buf_puts(&b, "<!doctype html><html lang=\"en\"><head><meta charset="
	    "\"utf-8\"><link rel=\"stylesheet\" href=\"/static/style.css\">"
	    "<title>");
	html_escape(&b, str_from(title));
	buf_puts(&b, "</title></head><body><main><h1>");
	html_escape(&b, str_from(title));
	buf_puts(&b, "</h1><p>");
	html_escape(&b, str_from(detail));
	buf_puts(&b, "</p></main></body></html>");
	response_html(res, status, buf_str(&b));
	buf_release(&b);
}

/* An answer the server gives on its own (framing errors, 404, 405). */
void
exchange_error(struct exchange *ex, int status, const char *code,
    const char *detail)
{
	if (exchange_wants_json(ex->req.path))
		response_json_error(&ex->res, status, code, detail);
	else
		plain_error_page(&ex->res, status, code, detail);
}

static bool
has_header(const struct response *res, const char *name)
{
	for (size_t i = 0; i < res->nheaders; i++)
		if (strcasecmp(res->headers[i].name, name) == 0)
			return true;
	return false;
}

enum MHD_Result
exchange_send(struct MHD_Connection *conn, struct exchange *ex)
{
	struct response *res = &ex->res;
	struct MHD_Response *r;
	enum MHD_Result ok;
	size_t len;
	char *body;

	if (res->body.err != 0) {
		log_msg("error", "response body over its limit");
		exchange_error(ex, 500, "server_error",
		    "The answer was too big.");
	}
	body = buf_detach(&res->body, &len);
	r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	if (r == NULL) {
		free(body);
		return MHD_NO;
	}
	if (res->content_type != NULL)
		MHD_add_response_header(r, "Content-Type", res->content_type);
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	if (ex->srv->kg->cfg->secure_cookies)	/* the issuer is https */
		MHD_add_response_header(r, "Strict-Transport-Security", HSTS);
	/* Uncacheable unless a handler says otherwise; Pragma for HTTP/1.0
	 * caches, as RFC 6749 §5.1 asks of every token response. */
	if (!has_header(res, "Cache-Control")) {
		MHD_add_response_header(r, "Cache-Control", "no-store");
		MHD_add_response_header(r, "Pragma", "no-cache");
	}
	if (res->html) {
		MHD_add_response_header(r, "Content-Security-Policy", CSP);
		MHD_add_response_header(r, "X-Frame-Options", "DENY");
		MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
	}
	/* Every 503 is a passing state (the store unreachable, a failover
	 * under way, a full queue): say when to come back (RFC 9110
	 * §10.2.3), unless the handler knows better. */
	if (res->status == 503 && !has_header(res, "Retry-After"))
		MHD_add_response_header(r, "Retry-After", "1");
	for (size_t i = 0; i < res->nheaders; i++)
		MHD_add_response_header(r, res->headers[i].name,
		    res->headers[i].value);
	ok = MHD_queue_response(conn, (unsigned)res->status, r);
	MHD_destroy_response(r);
	ex->answered = true;
	return ok;
}
