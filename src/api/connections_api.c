#include "api/api.h"

#include <stdlib.h>

#include "base/err.h"
#include "core/grants.h"
#include "core/scopes.h"

static json_t *
grant_json(const void *p)
{
	const struct grant_row *row = p;
	char scope[SCOPES_TEXT_MAX];

	scopes_format(row->scope, scope);
	return json_pack("{s:s, s:s, s:s, s:o}", "api_key", row->api_key,
	    "public_name", row->public_name, "scope", scope,
	    "granted_at", json_time(row->created_at));
}

static int64_t
grant_key(const void *row)
{
	return ((const struct grant_row *)row)->id;
}

/* GET /api/v1/connections?limit=&cursor= →
 * [{"api_key","public_name","scope","granted_at"}], oldest grant first */
void
api_connections_list(struct request *req, struct response *res)
{
	struct grant_row *rows = NULL;
	struct store_page page;
	int64_t account_id;
	size_t n = 0;

	if (!api_account(req, res, &account_id) ||
	    !api_page_read(req, res, &page))
		return;
	if (grants_list(req->kg, account_id, &page, &rows, &n) != 0) {
		api_unavailable(res);
		return;
	}
	api_page_answer(req, res, &page, &(struct api_list){
	    "/api/v1/connections", rows, sizeof(*rows), n, grant_json,
	    grant_key, NULL });
	free(rows);
}

/* DELETE /api/v1/connections/{api_key} → 204; 404 without a grant */
void
api_connections_delete(struct request *req, struct response *res)
{
	int64_t account_id;
	int rc;

	if (!api_account(req, res, &account_id))
		return;
	rc = grants_revoke(req->kg, account_id, req->client_addr,
	    request_route_param(req, 0));
	if (rc == 0) {
		res->status = 204;
		res->content_type = NULL;
	} else if (rc == ERR_NOTFOUND) {
		response_json_error(res, 404, "not_found",
		    "This application has no grant from your account.");
	} else {
		api_unavailable(res);
	}
}
