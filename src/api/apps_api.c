#include "api/api.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "core/app_json.h"
#include "core/apps.h"
#include "base/err.h"
#include "base/mem.h"

static const char *const app_members[] = { "api_key", "name",
	"redirect_uris", "public_name", "logo_url", "description",
	"implicit_flow", "id_token_signed_response_alg",
	"post_logout_redirect_uris", "device_flow", "dpop_bound_access_tokens",
	"require_pushed_authorization_requests", "has_secret",
	"created_at", "secrets", NULL };

/* A boolean member into *has and *value; a type error into fields. */
static void
take_bool(json_t *obj, const char *name, json_t *fields, bool *has,
    bool *value)
{
	json_t *v = json_object_get(obj, name);

	if (v == NULL)
		return;
	*has = true;
	*value = json_is_true(v);
	if (!json_is_boolean(v))
		json_object_set_new(fields, name,
		    json_string("must be true or false"));
}

/* A list of URIs (member `name`) into uris and *n; *has when given. */
static void
take_uris(json_t *obj, const char *name, json_t *fields, bool *has,
    struct str uris[APP_MAX_REDIRECT_URIS], size_t *n)
{
	json_t *v = json_object_get(obj, name), *u;
	size_t i;

	if (v == NULL)
		return;
	*has = true;
	if (!json_is_array(v)) {
		json_object_set_new(fields, name,
		    json_string("must be an array of strings"));
		return;
	}
	*n = json_array_size(v);
	json_array_foreach(v, i, u) {
		if (!json_is_string(u)) {
			json_object_set_new(fields, name,
			    json_string("must be an array of strings"));
			return;
		}
		if (i < APP_MAX_REDIRECT_URIS)
			uris[i] = (struct str){
			    json_string_value(u), json_string_length(u) };
	}
}

/* Reads an app's members from a JSON body. Type errors go into fields. */
static void
read_fields(json_t *obj, json_t *fields, struct app_fields *f)
{
	json_t *logo = json_object_get(obj, "logo_url");

	memset(f, 0, sizeof(*f));
	api_take_string(obj, "name", fields, &f->name, &f->has_name);
	api_take_string(obj, "public_name", fields, &f->public_name,
	    &f->has_public_name);
	api_take_string(obj, "description", fields, &f->description,
	    &f->has_description);
	if (json_is_null(logo))
		f->has_logo_url = true;	/* null removes the logo */
	else
		api_take_string(obj, "logo_url", fields, &f->logo_url,
		    &f->has_logo_url);
	take_uris(obj, "redirect_uris", fields, &f->has_redirect_uris,
	    f->redirect_uris, &f->n_redirect_uris);
	take_uris(obj, "post_logout_redirect_uris", fields,
	    &f->has_post_logout_redirect_uris, f->post_logout_redirect_uris,
	    &f->n_post_logout_redirect_uris);
	api_take_string(obj, "id_token_signed_response_alg", fields,
	    &f->id_token_alg, &f->has_id_token_alg);
	take_bool(obj, "implicit_flow", fields, &f->has_implicit_flow,
	    &f->implicit_flow);
	take_bool(obj, "device_flow", fields, &f->has_device_flow,
	    &f->device_flow);
	take_bool(obj, "dpop_bound_access_tokens", fields, &f->has_dpop_bound,
	    &f->dpop_bound);
	take_bool(obj, "require_pushed_authorization_requests", fields,
	    &f->has_require_par, &f->require_par);
	api_refuse_unknown(obj, app_members, fields);
}

static void
errors_into(json_t *fields, const struct app_errors *e)
{
	const struct { const char *key, *why; } all[] = {
		{ "name", e->name }, { "redirect_uris", e->redirect_uris },
		{ "public_name", e->public_name }, { "logo_url", e->logo_url },
		{ "description", e->description },
		{ "id_token_signed_response_alg", e->id_token_alg },
		{ "post_logout_redirect_uris", e->post_logout_redirect_uris },
	};

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (all[i].why != NULL)
			json_object_set_new(fields, all[i].key,
			    json_string(all[i].why));
}

static json_t *
app_item(const void *row)
{
	return app_json(row);
}

static int64_t
app_key(const void *row)
{
	return ((const struct app_row *)row)->id;
}

/* GET /api/v1/apps?limit=&cursor= → [app, ...], oldest first */
void
api_apps_list(struct request *req, struct response *res)
{
	struct app_row *rows = NULL;
	struct store_page page;
	int64_t account_id;
	size_t n = 0;

	if (!api_account(req, res, &account_id) ||
	    !api_page_read(req, res, &page))
		return;
	if (apps_list(req->kg, account_id, &page, &rows, &n) != 0) {
		api_unavailable(res);
		return;
	}
	api_page_answer(req, res, &page, &(struct api_list){ "/api/v1/apps",
	    rows, sizeof(*rows), n, app_item, app_key, NULL });
	free(rows);
}

/* Reads the body of a create or a change into f; answers and returns false
 * when it cannot be used. *body must be json_decref()'d by the caller. */
static bool
read_body(struct request *req, struct response *res, json_t **body,
    struct app_fields *f, json_t **fields)
{
	*body = NULL;
	if (!api_json_body(req, res, body))
		return false;
	*fields = json_object();
	read_fields(*body, *fields, f);
	/* Read-only members are accepted back unchanged (a GET's answer can
	 * be sent as a PATCH) and otherwise ignored, except the key. */
	return true;
}

static void
answer(struct response *res, int rc, int ok_status, const struct app_row *row,
    json_t *fields, const struct app_errors *errs)
{
	if (rc == 0) {
		response_json(res, ok_status, app_json(row));
		json_decref(fields);
	} else if (rc == ERR_INVALID) {
		errors_into(fields, errs);
		api_invalid(res, fields);
	} else if (rc == ERR_NOTFOUND) {
		api_app_not_found(res);
		json_decref(fields);
	} else if (rc == ERR_FORBIDDEN) {
		api_unverified(res);
		json_decref(fields);
	} else {
		api_unavailable(res);
		json_decref(fields);
	}
}

/* POST /api/v1/apps → 201 app */
void
api_apps_create(struct request *req, struct response *res)
{
	struct app_row *row = xmalloc(sizeof(*row));
	struct app_errors errs = { 0 };
	struct app_fields f;
	json_t *body = NULL, *fields = NULL;
	int64_t account_id;
	int rc;

	if (!api_account(req, res, &account_id) ||
	    !read_body(req, res, &body, &f, &fields))
		goto out;
	if (json_object_get(body, "api_key") != NULL)
		json_object_set_new(fields, "api_key",
		    json_string("is assigned by the server"));
	if (!f.has_name && json_object_get(fields, "name") == NULL)
		json_object_set_new(fields, "name", json_string("is required"));
	rc = json_object_size(fields) > 0 ? ERR_INVALID :
	    apps_create(req->kg, account_id, req->client_addr, &f, row, &errs);
	if (rc == ERR_TOOBIG) {
		char why[160];

		api_too_many(res, fields, apps_too_many(req->kg, why,
		    sizeof(why)));
	} else {
		answer(res, rc, 201, row, fields, &errs);
	}
out:
	json_decref(body);
	free(row);
}

/* GET /api/v1/apps/{api_key} */
void
api_apps_get(struct request *req, struct response *res)
{
	struct app_row *row = xmalloc(sizeof(*row));
	int64_t account_id;
	int rc;

	if (api_account(req, res, &account_id)) {
		rc = apps_get(req->kg, account_id, req->route_params[0], row);
		answer(res, rc, 200, row, json_object(), NULL);
	}
	free(row);
}

/* PATCH /api/v1/apps/{api_key}: the members given change, all or nothing */
void
api_apps_patch(struct request *req, struct response *res)
{
	struct app_row *row = xmalloc(sizeof(*row));
	struct app_errors errs = { 0 };
	struct app_fields f;
	json_t *body = NULL, *fields = NULL, *key;
	int64_t account_id;
	int rc;

	if (!api_account(req, res, &account_id) ||
	    !read_body(req, res, &body, &f, &fields))
		goto out;
	key = json_object_get(body, "api_key");
	if (key != NULL && !(json_is_string(key) &&
	    str_eq(str_from(json_string_value(key)), req->route_params[0])))
		json_object_set_new(fields, "api_key",
		    json_string("can never be changed"));
	if (json_object_size(fields) > 0) {
		/* Still 404 for an app that is not the caller's. */
		rc = apps_get(req->kg, account_id, req->route_params[0], row);
		if (rc == 0)
			rc = ERR_INVALID;
	} else {
		rc = apps_update(req->kg, account_id, req->client_addr,
		    req->route_params[0], &f,
		    row, &errs);
	}
	answer(res, rc, 200, row, fields, &errs);
out:
	json_decref(body);
	free(row);
}

/* DELETE /api/v1/apps/{api_key} → 204 */
void
api_apps_delete(struct request *req, struct response *res)
{
	int64_t account_id;
	int rc;

	if (!api_account(req, res, &account_id))
		return;
	rc = apps_delete(req->kg, account_id, req->client_addr,
	    req->route_params[0]);
	if (rc == 0) {
		res->status = 204;
		res->content_type = NULL;
	} else if (rc == ERR_NOTFOUND) {
		api_app_not_found(res);
	} else {
		api_unavailable(res);
	}
}

/* The optional body of POST .../secret: {"previous_valid_for": N}, N one
 * of APP_KEEP_CHOICES; none is 0. Answers 400 and returns false else. */
static bool
read_keep(struct request *req, struct response *res, int64_t *keep_s)
{
	static const char *const known[] = { "previous_valid_for", NULL };
	json_t *body = NULL, *fields, *v;
	bool ok;

	*keep_s = 0;
	if (req->body.len == 0)
		return true;
	if (!api_json_body(req, res, &body))
		return false;
	fields = json_object();
	v = json_object_get(body, "previous_valid_for");
	if (v != NULL && (!json_is_integer(v) ||
	    !apps_keep_ok(json_integer_value(v))))
		json_object_set_new(fields, "previous_valid_for", json_string(
		    "must be 0, 3600, 86400 or 604800 (seconds)"));
	else if (v != NULL)
		*keep_s = json_integer_value(v);
	api_refuse_unknown(body, known, fields);
	ok = json_object_size(fields) == 0;
	if (ok)
		json_decref(fields);
	else
		response_json(res, 400, json_pack("{s:s, s:s, s:o}", "error",
		    "invalid_request", "error_description",
		    "previous_valid_for must be 0, 3600, 86400 or 604800.",
		    "fields", fields));
	json_decref(body);
	return ok;
}

/* POST /api/v1/apps/{api_key}/secret {"previous_valid_for"} → 201
 * {"secret"}, shown this once */
void
api_apps_secret(struct request *req, struct response *res)
{
	char secret[TOKEN_MAX_BYTES + 1];
	int64_t account_id, keep_s;
	int rc;

	if (!api_account(req, res, &account_id) ||
	    !read_keep(req, res, &keep_s))
		return;
	rc = apps_new_secret(req->kg, account_id, req->route_params[0],
	    keep_s, req->client_addr, secret);
	if (rc == 0) {
		response_json(res, 201, json_pack("{s:s}", "secret", secret));
		sodium_memzero(secret, sizeof(secret));
	} else if (rc == ERR_NOTFOUND) {
		api_app_not_found(res);
	} else if (rc == ERR_CONFLICT) {
		response_json_error(res, 409, "old_secret_valid", "The app "
		    "has two valid secrets already: revoke the old secret "
		    "first (DELETE /api/v1/apps/{api_key}/secrets/{id}).");
	} else if (rc == ERR_FORBIDDEN) {
		api_unverified(res);
	} else {
		api_unavailable(res);
	}
}

/* DELETE /api/v1/apps/{api_key}/secrets/{id} → 204: the old secret
 * stops working now. */
void
api_apps_secret_revoke(struct request *req, struct response *res)
{
	int64_t account_id;
	long long id;
	int rc;

	if (!api_account(req, res, &account_id))
		return;
	rc = str_to_i64(req->route_params[1], 1, INT64_MAX, &id) != 0 ?
	    ERR_NOTFOUND : apps_revoke_secret(req->kg, account_id,
	    req->client_addr,
	    req->route_params[0], id);
	if (rc == 0) {
		res->status = 204;
		res->content_type = NULL;
	} else if (rc == ERR_NOTFOUND) {
		response_json_error(res, 404, "not_found",
		    "No such application, or no such valid secret of it.");
	} else if (rc == ERR_CONFLICT) {
		response_json_error(res, 409, "current_secret", "This is the "
		    "current secret: it cannot be revoked; generate a new "
		    "secret instead.");
	} else {
		api_unavailable(res);
	}
}
