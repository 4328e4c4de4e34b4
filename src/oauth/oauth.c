#include "oauth/oauth.h"

#include <stdio.h>
#include <string.h>

#include "core/cimd_client.h"
#include "core/clients.h"
#include "base/err.h"
#include "http/basic.h"

void
oauth_no_store(struct response *res)
{
	response_header(res, "Cache-Control", "no-store");
	response_header(res, "Pragma", "no-cache");
}

void
oauth_error(struct response *res, int status, const char *error,
    const char *description)
{
	response_json_error(res, status, error, description);
	oauth_no_store(res);
	if (status == 401)
		response_header(res, "WWW-Authenticate",
		    "Basic realm=\"keygate\", charset=\"UTF-8\"");
}

bool
oauth_client(struct request *req, struct response *res, struct str body_id,
    struct str body_secret, struct app_row *app)
{
	struct str id, secret;
	bool secret_given;
	const char *why;
	int64_t wait = 0;
	char num[24];
	int rc;

	rc = basic_parse(req->arena, request_header(req, "Authorization"),
	    true, &id, &secret);
	/* RFC 6749 §2.3: one authentication method per request. A body
	 * client_id naming the Basic client is no second method but a
	 * name said twice, which RFC 8628 §3.1 clients (oauth4webapi) send
	 * with every request: accepted; another name, or a body secret, is
	 * refused. */
	if (rc == 0 && (body_secret.p != NULL || (body_id.p != NULL &&
	    !str_eq(body_id, id)))) {
		oauth_error(res, 400, "invalid_request", body_secret.p != NULL ?
		    "Authenticate with HTTP Basic or with the body, not both." :
		    "client_id differs from the HTTP Basic client.");
		return false;
	}
	if (rc != 0 && rc != ERR_NOTFOUND) {
		oauth_error(res, 401, "invalid_client", "The Basic "
		    "credentials are not well formed.");
		return false;
	}
	if (rc == ERR_NOTFOUND) {
		id = body_id;
		secret = body_secret;
	}
	secret_given = secret.p != NULL;
	/* a document's URL: refused with the document's reason, else its
	 * app written from the document before it is read */
	if ((rc = cimd_client_ready(req->kg, id, &why)) == ERR_INVALID) {
		oauth_error(res, 401, "invalid_client", why);
		return false;
	}
	if (rc == ERR_STORE) {
		oauth_error(res, 503, "temporarily_unavailable",
		    "The data store cannot be reached; try again soon.");
		return false;
	}
	rc = clients_authenticate(req->kg, req->client_addr, id, secret_given,
	    secret, app, &wait);
	if (rc == ERR_AUTH)
		oauth_error(res, 401, "invalid_client", "Client "
		    "authentication failed.");
	else if (rc == ERR_THROTTLED) {
		oauth_error(res, 429, "slow_down", "Too many failed client "
		    "authentications; wait before trying again.");
		snprintf(num, sizeof(num), "%lld", (long long)wait);
		response_header(res, "Retry-After", num);
	} else if (rc != 0)
		oauth_error(res, 503, "temporarily_unavailable",
		    "The data store cannot be reached; try again soon.");
	return rc == 0;
}

bool
oauth_form(struct request *req, struct response *res,
    const struct param_spec *spec, size_t n, struct str *in)
{
	struct params ps;
	const char *bad = NULL;
	int rc = request_form(req, &ps);

	if (rc == ERR_INVALID) {
		oauth_error(res, 400, "invalid_request", "Send the parameters "
		    "as application/x-www-form-urlencoded.");
		return false;
	}
	if (rc == 0) {
		params_join(req->arena, &ps, "resource");
		rc = params_bind(&ps, spec, n, true, in, &bad);
	}
	if (rc != 0) {
		oauth_error(res, 400, "invalid_request", rc == ERR_DUPLICATE ?
		    "A parameter is repeated." : rc == ERR_TOOBIG ?
		    "A parameter is too long." :
		    "The form is malformed (bad escape or not UTF-8).");
		return false;
	}
	return true;
}

static void
append_pair(struct buf *b, bool *first, const char *name, struct str value)
{
	if (!*first)
		buf_puts(b, "&");
	*first = false;
	buf_puts(b, name);
	buf_puts(b, "=");
	form_encode(b, value);
}

void
oauth_redirect(struct request *req, struct response *res, int status,
    const struct authz_request *r, const char *const *pairs)
{
	struct str uri = r->redirect_uri;
	bool fragment = r->flow == AUTHZ_TOKEN, first = true;
	struct buf b;

	buf_init(&b, 16 * 1024);
	buf_putstr(&b, uri);
	if (fragment)
		buf_puts(&b, "#");
	else if (memchr(uri.p, '?', uri.len) == NULL)
		buf_puts(&b, "?");
	else if (uri.p[uri.len - 1] != '?' && uri.p[uri.len - 1] != '&')
		buf_puts(&b, "&");	/* keep the registered query */
	for (size_t i = 0; pairs[i] != NULL; i += 2)
		append_pair(&b, &first, pairs[i], str_from(pairs[i + 1]));
	if (r->state.p != NULL)
		append_pair(&b, &first, "state", r->state);
	append_pair(&b, &first, "iss", str_from(req->kg->cfg->issuer));
	response_redirect(res, status, b.err == 0 ? b.p : "/");
	oauth_no_store(res);
	buf_release(&b);
}

void
oauth_redirect_error(struct request *req, struct response *res, int status,
    const struct authz_request *r, const struct authz_error *err)
{
	const char *pairs[] = { "error", err->error, "error_description",
	    err->description, NULL };

	oauth_redirect(req, res, status, r, pairs);
}

/* The client_id a request names: the query's, the form body's, else the
 * HTTP Basic user's. STR_NULL when none. */
static struct str
named_client(struct request *req)
{
	struct params ps;
	struct str id = STR_NULL, secret;

	if ((req->method == HTTP_GET ? request_query(req, &ps) :
	    request_form(req, &ps)) == 0)
		id = params_get(&ps, "client_id");
	if (id.p == NULL && basic_parse(req->arena, request_header(req,
	    "Authorization"), true, &id, &secret) != 0)
		id = STR_NULL;
	return id;
}

bool
oauth_cimd_prefetch(struct request *req, bool run)
{
	struct str id = named_client(req);

	if (!run)
		return cimd_client_pending(req->kg, id);
	cimd_client_prefetch(req->kg, id);
	return true;
}
