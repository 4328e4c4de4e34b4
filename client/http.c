/* One HTTP exchange on libcurl: an easy handle per call, so threads never
 * share one. Nothing here logs; the access token, the DPoP proof and the
 * secret only go into the request's headers. */
#include "client_int.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <sodium.h>

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static CURLcode init_rc;

/* curl_global_init() is not thread-safe on every libcurl: once only. */
static void
init_curl(void)
{
	init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

int
kg_http_init(void)
{
	pthread_once(&init_once, init_curl);
	return init_rc == CURLE_OK ? 0 : -1;
}

char *
kg_http_escape(const char *s)
{
	char *e, *out;

	e = curl_easy_escape(NULL, s, 0);
	if (e == NULL)
		abort();
	out = kg_strdup(e);
	curl_free(e);
	return out;
}

struct sink {
	struct kg_http_res	*rs;
	size_t			 max;
	bool			 too_big;
};

static size_t
on_body(char *p, size_t size, size_t n, void *arg)
{
	struct sink *s = arg;
	struct kg_http_res *rs = s->rs;
	size_t len = size * n;
	char *grown;

	if (len > s->max - rs->body_len) {
		s->too_big = true;
		return 0;	/* aborts the transfer */
	}
	grown = realloc(rs->body, rs->body_len + len + 1);
	if (grown == NULL)
		abort();
	memcpy(grown + rs->body_len, p, len);
	rs->body = grown;
	rs->body_len += len;
	rs->body[rs->body_len] = '\0';
	return len;
}

/* RFC 6750 §3 and RFC 9449 §7.1: the challenge names the error; only
 * invalid_token means a refresh can help (insufficient_scope would fail
 * again), and use_dpop_nonce asks for the same call with the DPoP-Nonce
 * sent along (RFC 9449 §9). */
static void
on_challenge(struct kg_http_res *rs, const char *v, size_t len)
{
	if (memmem(v, len, "invalid_token", 13) != NULL)
		rs->invalid_token = true;
	if (memmem(v, len, "use_dpop_nonce", 14) != NULL)
		rs->use_dpop_nonce = true;
}

static void
on_nonce(struct kg_http_res *rs, const char *v, size_t len)
{
	while (len > 0 && (*v == ' ' || *v == '\t')) {
		v++;
		len--;
	}
	while (len > 0 && strchr(" \t\r\n", v[len - 1]) != NULL)
		len--;
	free(rs->dpop_nonce);
	rs->dpop_nonce = strndup(v, len);
	if (rs->dpop_nonce == NULL)
		abort();
}

static size_t
on_header(char *p, size_t size, size_t n, void *arg)
{
	static const char www[] = "www-authenticate:", nonce[] = "dpop-nonce:";
	const size_t wn = sizeof(www) - 1, nn = sizeof(nonce) - 1;
	size_t len = size * n;

	if (len < 4096 && len > wn && strncasecmp(p, www, wn) == 0)
		on_challenge(arg, p + wn, len - wn);
	else if (len < 4096 && len > nn && strncasecmp(p, nonce, nn) == 0)
		on_nonce(arg, p + nn, len - nn);
	return len;
}

static struct curl_slist *
build_headers(const struct kg_http_req *rq, char **auth)
{
	struct curl_slist *h = NULL;
	char *proof;
	size_t i, n;

	*auth = NULL;
	for (i = 0; rq->headers != NULL && rq->headers[i] != NULL; i++)
		h = curl_slist_append(h, rq->headers[i]);
	if (rq->token != NULL) {
		n = strlen(rq->token) + 32;
		*auth = malloc(n);
		if (*auth == NULL)
			abort();
		snprintf(*auth, n, "Authorization: %s %s", rq->dpop ? "DPoP" :
		    "Bearer", rq->token);
		h = curl_slist_append(h, *auth);
	}
	if (rq->proof != NULL) {
		n = strlen(rq->proof) + 8;
		proof = malloc(n);
		if (proof == NULL)
			abort();
		snprintf(proof, n, "DPoP: %s", rq->proof);
		h = curl_slist_append(h, proof);	/* it copies */
		free(proof);
	}
	/* Never "Expect: 100-continue": one round trip, whatever the size. */
	h = curl_slist_append(h, "Expect:");
	return h;
}

static void
set_body(CURL *e, const struct kg_http_req *rq)
{
	if (rq->form != NULL) {
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, rq->form);
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE,
		    (long)strlen(rq->form));
	} else if (rq->body != NULL) {
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, rq->body);
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)rq->body_len);
	}
	curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, rq->method);
	if (strcmp(rq->method, "HEAD") == 0)
		curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
}

static void
set_options(CURL *e, const struct kg_http_req *rq, struct sink *s,
    struct curl_slist *h)
{
	curl_easy_setopt(e, CURLOPT_URL, rq->url);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, s);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, s->rs);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_TIMEOUT, (long)KG_HTTP_TIMEOUT_S);
	/* A redirect would carry the token to wherever it points. */
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	if (rq->basic_user != NULL) {
		curl_easy_setopt(e, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(e, CURLOPT_USERNAME, rq->basic_user);
		curl_easy_setopt(e, CURLOPT_PASSWORD, rq->basic_pass);
	}
	set_body(e, rq);
}

int
kg_http_perform(const struct kg_http_req *rq, struct kg_http_res *rs)
{
	struct sink s = { rs, rq->max_body, false };
	struct curl_slist *h;
	char *auth, *ct = NULL;
	CURLcode cc;
	CURL *e;
	int rc = 0;

	memset(rs, 0, sizeof(*rs));
	e = curl_easy_init();
	if (e == NULL)
		return kg_err(KG_CLIENT_ERR_NETWORK, "cannot start libcurl");
	h = build_headers(rq, &auth);
	set_options(e, rq, &s, h);
	cc = curl_easy_perform(e);
	if (cc != CURLE_OK && s.too_big)
		rc = kg_err(KG_CLIENT_ERR_PROTOCOL, "the answer from %s is "
		    "larger than %zu bytes", rq->url, rq->max_body);
	else if (cc != CURLE_OK)
		rc = kg_err(KG_CLIENT_ERR_NETWORK, "%s %s: %s", rq->method,
		    rq->url, curl_easy_strerror(cc));
	if (rc == 0) {
		curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &rs->status);
		curl_easy_getinfo(e, CURLINFO_CONTENT_TYPE, &ct);
		rs->content_type = kg_strdup(ct);
	}
	if (rs->status != 401) {
		rs->invalid_token = false;
		rs->use_dpop_nonce = false;
	}
	curl_easy_cleanup(e);
	curl_slist_free_all(h);
	kg_free_secret(auth);
	if (rc != 0)
		kg_http_res_release(rs);
	return rc;
}

void
kg_http_res_release(struct kg_http_res *rs)
{
	free(rs->body);
	free(rs->content_type);
	free(rs->dpop_nonce);
	memset(rs, 0, sizeof(*rs));
}
