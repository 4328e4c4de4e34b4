#include "api/api.h"

#include <stdlib.h>

#include "core/err.h"
#include "core/grants.h"
#include "core/scopes.h"

/* GET /api/v1/connections → [{"api_key","public_name","scope","granted_at"}] */
void
api_connections_list(struct request *req, struct response *res)
{
	struct grant_row *rows = NULL;
	int64_t account_id;
	size_t n = 0;
	json_t *list;

	if (!api_account(req, res, &account_id))
		return;
	if (grants_list(req->kg, account_id, &rows, &n) != 0) {
		api_unavailable(res);
		return;
	}
	list = json_array();
	for (size_t i = 0; i < n; i++) {
		char scope[SCOPES_TEXT_MAX];

		scopes_format(rows[i].scope, scope);
		json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:o}",
		    "api_key", rows[i].api_key,
		    "public_name", rows[i].public_name, "scope", scope,
		    "granted_at", api_time(rows[i].created_at)));
	}
	free(rows);
	response_json(res, 200, list);
}

/* DELETE /api/v1/connections/{api_key} → 204; 404 without a grant */
void
api_connections_delete(struct request *req, struct response *res)
{
	int64_t account_id;
	int rc;

	if (!api_account(req, res, &account_id))
		return;
	rc = grants_revoke(req->kg, account_id, req->route_params[0]);
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
