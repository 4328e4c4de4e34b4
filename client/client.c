/* libkeygate-client: the client object, its settings and clock. */
#include "client_int.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

static int64_t
system_clock(void *arg)
{
	(void)arg;
	return (int64_t)time(NULL);
}

int64_t
kg_client_clock_file(void *arg)
{
	const char *path = arg;
	long long offset = 0;
	FILE *f;

	f = fopen(path, "re");
	if (f != NULL) {
		if (fscanf(f, "%lld", &offset) != 1)
			offset = 0;
		fclose(f);
	}
	return (int64_t)time(NULL) + (int64_t)offset;
}

int64_t
kg_now(const struct kg_client *c)
{
	return c->clock(c->clock_arg);
}

static bool
is_http_url(const char *s)
{
	return s != NULL && (strncmp(s, "http://", 7) == 0 ||
	    strncmp(s, "https://", 8) == 0) && strlen(s) < 2048;
}

int
kg_client_new(const char *issuer, const char *api_key, const char *secret,
    struct kg_client **out)
{
	struct kg_client *c;
	size_t n;

	*out = NULL;
	if (!is_http_url(issuer))
		return kg_err(KG_CLIENT_ERR_USAGE, "the issuer must be an "
		    "http:// or https:// URL");
	if (api_key == NULL || api_key[0] == '\0' || strlen(api_key) > 256)
		return kg_err(KG_CLIENT_ERR_USAGE, "an API key is required");
	if (sodium_init() < 0 || kg_http_init() != 0)
		return kg_err(KG_CLIENT_ERR_USAGE, "cannot initialize "
		    "libsodium or libcurl");
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		abort();
	pthread_mutex_init(&c->mu, NULL);
	pthread_mutex_init(&c->nonce_mu, NULL);
	c->issuer = kg_strdup(issuer);
	/* The endpoints are appended to it (docs/REFERENCE.md §3): no trailing
	 * slash. */
	n = strlen(c->issuer);
	while (n > 0 && c->issuer[n - 1] == '/')
		c->issuer[--n] = '\0';
	c->api_key = kg_strdup(api_key);
	c->secret = secret != NULL && secret[0] != '\0' ?
	    kg_strdup(secret) : NULL;
	c->redirect_uri = kg_strdup(KG_DEFAULT_REDIRECT);
	c->clock = system_clock;
	c->idle_ttl_s = KG_DEFAULT_IDLE_TTL_S;
	c->max_ttl_s = KG_DEFAULT_MAX_TTL_S;
	c->default_unused_ttl_s = KG_DEFAULT_UNUSED_TTL_S;
	c->margin_s = KG_DEFAULT_MARGIN_S;
	*out = c;
	return KG_CLIENT_OK;
}

int
kg_client_open(const char *path, struct kg_client **out)
{
	struct kg_file f;
	int rc;

	*out = NULL;
	if (path == NULL)
		return kg_err(KG_CLIENT_ERR_USAGE, "no token file named");
	rc = kg_file_load(path, &f);
	if (rc != 0)
		return rc;
	rc = kg_client_new(f.issuer, f.api_key, f.secret, out);
	kg_file_release(&f);
	if (rc == 0)
		rc = kg_client_set_token_file(*out, path);
	if (rc != 0) {
		kg_client_free(*out);
		*out = NULL;
	}
	return rc;
}

void
kg_client_free(struct kg_client *c)
{
	if (c == NULL)
		return;
	kg_tokens_release(&c->tok);
	free(c->issuer);
	free(c->api_key);
	kg_free_secret(c->secret);
	free(c->scope);
	free(c->redirect_uri);
	free(c->path);
	sodium_memzero(&c->login_key, sizeof(c->login_key));
	kg_dpop_nonces_free(c);
	pthread_mutex_destroy(&c->nonce_mu);
	pthread_mutex_destroy(&c->mu);
	free(c);
}

/* Takes the file's settings and tokens into c (c->mu held). */
static int
adopt_file(struct kg_client *c, struct kg_file *f, const char *path)
{
	if (strcmp(f->issuer, c->issuer) != 0 ||
	    strcmp(f->api_key, c->api_key) != 0)
		return kg_err(KG_CLIENT_ERR_FILE, "%s belongs to another "
		    "issuer or API key", path);
	kg_tokens_release(&c->tok);
	c->tok = f->tok;
	memset(&f->tok, 0, sizeof(f->tok));
	c->saved_last_used = c->tok.last_used;
	c->saves = f->saves;
	c->idle_ttl_s = f->idle_ttl_s;
	c->max_ttl_s = f->max_ttl_s;
	if (f->redirect_uri != NULL) {
		free(c->redirect_uri);
		c->redirect_uri = kg_strdup(f->redirect_uri);
	}
	return 0;
}

int
kg_client_set_token_file(struct kg_client *c, const char *path)
{
	struct kg_file f;
	int rc = 0;

	if (path == NULL || path[0] == '\0')
		return kg_err(KG_CLIENT_ERR_USAGE, "empty token file name");
	pthread_mutex_lock(&c->mu);
	free(c->path);
	c->path = kg_strdup(path);
	rc = kg_file_load(path, &f);
	if (rc == 0) {
		rc = adopt_file(c, &f, path);
		kg_file_release(&f);
	} else if (rc == KG_CLIENT_ERR_NO_TOKENS) {
		rc = 0;		/* a first log-in creates it */
	}
	pthread_mutex_unlock(&c->mu);
	return rc;
}

void
kg_client_set_clock(struct kg_client *c, kg_client_clock_fn fn, void *arg)
{
	pthread_mutex_lock(&c->mu);
	c->clock = fn != NULL ? fn : system_clock;
	c->clock_arg = arg;
	pthread_mutex_unlock(&c->mu);
}

void
kg_client_set_dpop(struct kg_client *c, bool on)
{
	pthread_mutex_lock(&c->mu);
	c->dpop_off = !on;
	pthread_mutex_unlock(&c->mu);
}

int
kg_client_set_lifetimes(struct kg_client *c, int64_t unused_ttl_s,
    int64_t idle_ttl_s, int64_t max_ttl_s)
{
	if (unused_ttl_s <= 0 || idle_ttl_s <= 0 || max_ttl_s <= 0)
		return kg_err(KG_CLIENT_ERR_USAGE, "lifetimes must be "
		    "positive");
	pthread_mutex_lock(&c->mu);
	c->default_unused_ttl_s = unused_ttl_s;
	c->idle_ttl_s = idle_ttl_s;
	c->max_ttl_s = max_ttl_s;
	pthread_mutex_unlock(&c->mu);
	return 0;
}

int
kg_client_set_margin(struct kg_client *c, int64_t margin_s)
{
	if (margin_s < 0 || margin_s > 3600)
		return kg_err(KG_CLIENT_ERR_USAGE, "the margin must be 0 to "
		    "3600 seconds");
	pthread_mutex_lock(&c->mu);
	c->margin_s = margin_s;
	pthread_mutex_unlock(&c->mu);
	return 0;
}

int
kg_client_set_scope(struct kg_client *c, const char *scope)
{
	if (scope != NULL && strlen(scope) > 1024)
		return kg_err(KG_CLIENT_ERR_USAGE, "the scope is too long");
	pthread_mutex_lock(&c->mu);
	free(c->scope);
	c->scope = scope != NULL && scope[0] != '\0' ? kg_strdup(scope) : NULL;
	pthread_mutex_unlock(&c->mu);
	return 0;
}

int
kg_client_set_redirect_uri(struct kg_client *c, const char *uri)
{
	if (uri == NULL || strncmp(uri, "http://", 7) != 0 ||
	    strlen(uri) > 512)
		return kg_err(KG_CLIENT_ERR_USAGE, "the redirect URI must be a "
		    "loopback http:// URI");
	pthread_mutex_lock(&c->mu);
	free(c->redirect_uri);
	c->redirect_uri = kg_strdup(uri);
	pthread_mutex_unlock(&c->mu);
	return 0;
}

int
kg_client_status(struct kg_client *c, struct kg_client_status *st)
{
	struct kg_timers tm;

	memset(st, 0, sizeof(*st));
	pthread_mutex_lock(&c->mu);
	st->now = kg_now(c);
	if (c->tok.access_token != NULL) {
		kg_timers_compute(&c->tok, c->idle_ttl_s, c->max_ttl_s, &tm);
		st->has_tokens = true;
		st->issued_at = c->tok.issued_at;
		st->last_used = c->tok.last_used;
		st->unused_ends_at = c->tok.issued_at + c->tok.unused_ttl_s;
		st->idle_ends_at = c->tok.last_used != 0 ?
		    c->tok.last_used + c->idle_ttl_s : 0;
		st->max_ends_at = c->tok.issued_at + c->max_ttl_s;
		st->expires_at = tm.expires_at;
		st->refresh_at = tm.expires_at - c->margin_s;
		st->timer = tm.timer;
		st->token_type = c->tok.dpop ? "DPoP" : "Bearer";
		if (c->tok.key.set)
			kg_dpop_jkt(&c->tok.key, st->dpop_jkt,
			    sizeof(st->dpop_jkt));
	}
	pthread_mutex_unlock(&c->mu);
	return st->has_tokens ? 0 : kg_err(KG_CLIENT_ERR_NO_TOKENS,
	    "no tokens yet: log in first");
}

uint64_t
kg_client_refresh_count(struct kg_client *c)
{
	uint64_t n;

	pthread_mutex_lock(&c->mu);
	n = c->refreshes;
	pthread_mutex_unlock(&c->mu);
	return n;
}
