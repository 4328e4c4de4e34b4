/* API calls with the bearer token (RFC 6750 §2.1): refreshed before a
 * timer runs out, and once more, with one retry, on a 401 invalid_token. */
#include "client_int.h"

#include <stdlib.h>
#include <string.h>

int
kg_client_access_token(struct kg_client *c, char **out)
{
	return kg_tokens_ensure(c, NULL, out);
}

/* One exchange with `token`; records the use when the token was taken. */
static int
call_once(struct kg_client *c, const struct kg_http_req *base,
    const char *token, struct kg_http_res *rs)
{
	struct kg_http_req rq = *base;
	int64_t t0;
	int rc;

	rq.bearer = token;
	/* The start of the call: the server saw the use later, never
	 * earlier, so the idle timer counted from here ends no later. */
	t0 = kg_now(c);
	rc = kg_http_perform(&rq, rs);
	/* Only a 2xx proves the token was accepted, and so used; a 403 for
	 * scope is no use (docs/DECISIONS.md), other answers may be the
	 * API's own. Counting fewer uses only refreshes earlier. */
	if (rc == 0 && rs->status >= 200 && rs->status < 300)
		kg_tokens_used(c, token, t0);
	return rc;
}

static void
hand_over(struct kg_http_res *rs, struct kg_client_response *res)
{
	res->status = rs->status;
	res->body = rs->body != NULL ? rs->body : kg_strdup("");
	res->body_len = rs->body_len;
	res->content_type = rs->content_type;
	memset(rs, 0, sizeof(*rs));
}

int
kg_client_request(struct kg_client *c, const char *method, const char *url,
    const char *const *headers, const void *body, size_t body_len,
    struct kg_client_response *res)
{
	struct kg_http_req rq = { .method = method, .url = url,
	    .headers = headers, .body = body, .body_len = body_len,
	    .max_body = KG_API_BODY_MAX };
	struct kg_http_res rs;
	char *token = NULL, *again = NULL;
	int rc;

	memset(res, 0, sizeof(*res));
	if (method == NULL || url == NULL || (strncmp(url, "http://", 7) != 0 &&
	    strncmp(url, "https://", 8) != 0))
		return kg_err(KG_CLIENT_ERR_USAGE, "an http:// or https:// URL "
		    "and a method are needed");
	rc = kg_tokens_ensure(c, NULL, &token);
	if (rc == 0)
		rc = call_once(c, &rq, token, &rs);
	/* Exactly one refresh and one retry: a token refused again is
	 * reported, never retried in a loop. */
	if (rc == 0 && rs.status == 401 && rs.invalid_token) {
		kg_http_res_release(&rs);
		rc = kg_tokens_ensure(c, token, &again);
		if (rc == 0)
			rc = call_once(c, &rq, again, &rs);
		if (rc == 0 && rs.status == 401 && rs.invalid_token)
			rc = kg_err(KG_CLIENT_ERR_UNAUTHORIZED, "%s %s answered "
			    "401 invalid_token with a fresh token", method,
			    url);
	}
	if (rc == 0 || rc == KG_CLIENT_ERR_UNAUTHORIZED)
		hand_over(&rs, res);
	kg_free_secret(token);
	kg_free_secret(again);
	return rc;
}

void
kg_client_response_release(struct kg_client_response *res)
{
	if (res == NULL)
		return;
	free(res->body);
	free(res->content_type);
	memset(res, 0, sizeof(*res));
}
