#ifndef KEYGATE_API_API_H
#define KEYGATE_API_API_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/json_time.h"
#include "http/form.h"
#include "http/request.h"
#include "http/response.h"
#include "store/store.h"

/* Shared pieces of the JSON API handlers: errors are
 * {"error": code, "error_description": text}, validation failures 422
 * {"error":"invalid_request","fields":{...}} (docs/REFERENCE.md §6). */

/* Reads the body as a JSON object; answers 415 or 400 itself and returns
 * false when it cannot. */
bool	api_json_body(struct request *req, struct response *res, json_t **out);

/* Authenticates a personal access token (Authorization: Bearer). Answers
 * 401 (with a Bearer challenge), 429 or 503 itself and returns false when
 * the caller is not authenticated. */
bool	api_account(struct request *req, struct response *res,
	    int64_t *account_id);

/* 503 when the store fails; used for every ERR_STORE. */
void	api_unavailable(struct response *res);

/* 404 for an api key that names no app of the caller's. */
void	api_app_not_found(struct response *res);

/* 403 {"error":"email_unverified"}: --require-verified-email holds and
 * the account's address is not verified yet. */
void	api_unverified(struct response *res);

/* The 429 of the failure throttles (log-in, personal tokens). */
#define API_TOO_MANY_FAILURES	"Too many failed attempts; wait before " \
	"trying again."
/* 429 with Retry-After and `why` as the error_description. */
void	api_throttled(struct response *res, int64_t retry_after_s,
	    const char *why);

/* The decimal string form of an identifier (docs/REFERENCE.md §6: ids are
 * strings). */
json_t	*api_id(int64_t id);

/* Takes the string member `key` of obj: *present says whether it was
 * there; a member of another type records "must be a string" in fields. */
void	api_take_string(json_t *obj, const char *key, json_t *fields,
	    struct str *out, bool *present);

/* Records "is not a field" in fields for every member of obj not named in
 * the NULL-terminated list `known`. */
void	api_refuse_unknown(json_t *obj, const char *const *known,
	    json_t *fields);

/* 422 {"error":"invalid_request","fields":fields} (reference taken). */
void	api_invalid(struct response *res, json_t *fields);

/* 422 for an account that holds the most of something it may hold:
 * {"error":"invalid_request","error_description":why,
 * "fields":{"account":why}} (fields' reference taken). */
void	api_too_many(struct response *res, json_t *fields, const char *why);

/* Lists (api/paging.c). Reads ?limit= (1 to LIST_MAX_LIMIT, default
 * LIST_DEFAULT_LIMIT) and ?cursor= (from a Link header), refusing any
 * other parameter, into page: page->max is the limit plus one, so that the
 * store's answer tells whether more remain. Answers 400 itself and returns
 * false when the query is not well formed. */
bool	api_page_read(struct request *req, struct response *res,
	    struct store_page *page);
/* api_page_read() for a list that also takes the filters of spec (at most
 * API_PAGE_FILTERS_MAX): values[i] gets filter i (p == NULL when absent);
 * `only` is the 400's text for a parameter it does not take. */
#define API_PAGE_FILTERS_MAX	4
bool	api_page_read_filtered(struct request *req, struct response *res,
	    struct store_page *page, const struct param_spec *filters,
	    size_t nf, struct str *values, const char *only);

/* What a list read: n rows (up to page->max) of `size` bytes each, the
 * JSON of one (a new reference) and its id, the key of the list's order;
 * `path` is the list's own (the Link's, never the request's raw path). */
struct api_list {
	const char	*path;
	const void	*rows;
	size_t		 size;
	size_t		 n;
	json_t		*(*item)(const void *row);
	int64_t		 (*key)(const void *row);
	/* the filters the next page keeps, encoded ("kind=login"), or
	 * NULL */
	const char	*query;
};

/* Answers 200 with the first page->max - 1 rows as a JSON array and, when
 * more remain, Link: <...?limit=&cursor=>; rel="next". Should items ever
 * outgrow the answer's cap, the page ends early and the Link goes on. */
void	api_page_answer(struct request *req, struct response *res,
	    const struct store_page *page, const struct api_list *list);

/* Handlers, one file per resource. */
void	api_accounts_create(struct request *req, struct response *res);
void	api_account_get(struct request *req, struct response *res);
void	api_access_tokens_create(struct request *req, struct response *res);
void	api_access_tokens_list(struct request *req, struct response *res);
void	api_access_tokens_delete(struct request *req, struct response *res);
void	api_apps_list(struct request *req, struct response *res);
void	api_apps_create(struct request *req, struct response *res);
void	api_apps_get(struct request *req, struct response *res);
void	api_apps_patch(struct request *req, struct response *res);
void	api_apps_delete(struct request *req, struct response *res);
void	api_apps_secret(struct request *req, struct response *res);
void	api_apps_secret_revoke(struct request *req, struct response *res);
void	api_apps_usage(struct request *req, struct response *res);
void	api_connections_list(struct request *req, struct response *res);
void	api_connections_delete(struct request *req, struct response *res);
void	api_events_list(struct request *req, struct response *res);
void	api_healthz(struct request *req, struct response *res);
void	api_openapi(struct request *req, struct response *res);
void	api_ping(struct request *req, struct response *res);
void	api_test_clock(struct request *req, struct response *res);
void	api_test_mail(struct request *req, struct response *res);

#endif
