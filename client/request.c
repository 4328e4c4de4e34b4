/* API calls with the access token (RFC 6750 §2.1 as Bearer, RFC 9449 §7
 * as DPoP with a proof): refreshed before a timer runs out, and once
 * more, with one retry, on a 401 invalid_token. */
#include "client_int.h"

#include <stdlib.h>
#include <string.h>

int
kg_client_access_token(struct kg_client *c, char **out)
{
	struct kg_cred cr;
	int rc;

	rc = kg_tokens_ensure(c, NULL, &cr);
	*out = cr.token;
	cr.token = NULL;
	kg_cred_release(&cr);
	return rc;
}

/* One exchange with the credential, a proof made for it when the token
 * is DPoP-bound (RFC 9449 §7: ath, and the origin's latest nonce). */
static int
send_once(struct kg_client *c, const struct kg_http_req *base,
    const struct kg_cred *cr, int64_t t0, struct kg_http_res *rs)
{
	struct kg_http_req rq = *base;
	struct kg_dpop_claims cl = { .htm = base->method, .url = base->url,
	    .access_token = cr->token, .iat = t0 };
	char *proof = NULL, *nonce = NULL;
	int rc;

	rq.token = cr->token;
	rq.dpop = cr->dpop;
	if (cr->dpop) {
		cl.nonce = nonce = kg_dpop_nonce_get(c, base->url);
		rq.proof = proof = kg_dpop_proof(&cr->key, &cl);
	}
	rc = kg_http_perform(&rq, rs);
	if (rc == 0 && cr->dpop)
		kg_dpop_nonce_set(c, base->url, rs->dpop_nonce);
	free(proof);
	free(nonce);
	return rc;
}

/* One call with `cr`; records the use when the token was taken. */
static int
call_once(struct kg_client *c, const struct kg_http_req *base,
    const struct kg_cred *cr, struct kg_http_res *rs)
{
	int64_t t0;
	int rc;

	/* The start of the call: the server saw the use later, never
	 * earlier, so the idle timer counted from here ends no later. */
	t0 = kg_now(c);
	rc = send_once(c, base, cr, t0, rs);
	/* RFC 9449 §9: a resource demanding a nonce gets the same call
	 * once more with it; the token is not at fault. */
	if (rc == 0 && cr->dpop && rs->status == 401 && rs->use_dpop_nonce &&
	    rs->dpop_nonce != NULL) {
		kg_http_res_release(rs);
		rc = send_once(c, base, cr, kg_now(c), rs);
	}
	/* Only a 2xx proves the token was accepted, and so used; a 403 for
	 * scope is no use (docs/DECISIONS.md), other answers may be the
	 * API's own. Counting fewer uses only refreshes earlier. */
	if (rc == 0 && rs->status >= 200 && rs->status < 300)
		kg_tokens_used(c, cr->token, t0);
	return rc;
}

static void
hand_over(struct kg_http_res *rs, struct kg_client_response *res)
{
	res->status = rs->status;
	res->body = rs->body != NULL ? rs->body : kg_strdup("");
	res->body_len = rs->body_len;
	res->content_type = rs->content_type;
	free(rs->dpop_nonce);
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
	struct kg_cred cr, again;
	int rc;

	memset(res, 0, sizeof(*res));
	memset(&again, 0, sizeof(again));
	if (method == NULL || url == NULL || (strncmp(url, "http://", 7) != 0 &&
	    strncmp(url, "https://", 8) != 0))
		return kg_err(KG_CLIENT_ERR_USAGE, "an http:// or https:// URL "
		    "and a method are needed");
	rc = kg_tokens_ensure(c, NULL, &cr);
	if (rc == 0)
		rc = call_once(c, &rq, &cr, &rs);
	/* Exactly one refresh and one retry: a token refused again is
	 * reported, never retried in a loop. */
	if (rc == 0 && rs.status == 401 && rs.invalid_token) {
		kg_http_res_release(&rs);
		rc = kg_tokens_ensure(c, cr.token, &again);
		if (rc == 0)
			rc = call_once(c, &rq, &again, &rs);
		if (rc == 0 && rs.status == 401 && rs.invalid_token)
			rc = kg_err(KG_CLIENT_ERR_UNAUTHORIZED, "%s %s answered "
			    "401 invalid_token with a fresh token", method,
			    url);
	}
	if (rc == 0 || rc == KG_CLIENT_ERR_UNAUTHORIZED)
		hand_over(&rs, res);
	kg_cred_release(&cr);
	kg_cred_release(&again);
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
