/* The token endpoint (docs/REFERENCE.md §3.3) and the refresh discipline: a
 * pair is refreshed under the client's mutex and the token file's lock, so the
 * threads of a process and the processes sharing a file make one refresh
 * between them; the rotated pair is on disk before its access token is
 * handed out. A pair bound by DPoP (RFC 9449) carries its key, and every
 * token request made for it carries a proof by that key. */
#include "client_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>
#include <sodium.h>

/* Server text for a message: printable ASCII, cut short. */
static void
clean_text(const char *in, char *out, size_t n)
{
	size_t i;

	for (i = 0; in != NULL && in[i] != '\0' && i + 1 < n; i++)
		out[i] = isprint((unsigned char)in[i]) ? in[i] : '?';
	out[i] = '\0';
}

/* RFC 6749 §5.2 errors, each to the code a caller can act on. */
int
kg_token_error(long status, const char *body, char *name, size_t name_n)
{
	char err[64], desc[200];
	json_t *j;

	j = json_loads(body != NULL ? body : "", 0, NULL);
	clean_text(json_string_value(json_object_get(j, "error")), err,
	    sizeof(err));
	clean_text(json_string_value(json_object_get(j,
	    "error_description")), desc, sizeof(desc));
	json_decref(j);
	if (name != NULL)
		snprintf(name, name_n, "%s", err);
	if (strcmp(err, "invalid_grant") == 0)
		return kg_err(KG_CLIENT_ERR_REVOKED, "invalid_grant (%s)", desc);
	if (strcmp(err, "invalid_client") == 0)
		return kg_err(KG_CLIENT_ERR_CLIENT_AUTH, "invalid_client (%s)",
		    desc);
	if (err[0] != '\0')
		return kg_err(KG_CLIENT_ERR_SERVER, "%s (%s)", err, desc);
	if (status == 429)
		return kg_err(KG_CLIENT_ERR_SERVER, "too many requests (429)");
	return kg_err(status >= 500 ? KG_CLIENT_ERR_SERVER :
	    KG_CLIENT_ERR_PROTOCOL, "HTTP %ld from the token endpoint",
	    status);
}

/* RFC 6749 §5.1: an access token and, from keygate, always a new refresh
 * token (docs/REFERENCE.md §3.3); token_type DPoP only when the request
 * carried a proof (RFC 9449 §5). The pair keeps the key either way: the
 * next refresh proves it too. */
static int
parse_success(json_t *j, int64_t t0, int64_t dflt_ttl,
    const struct kg_dpop_key *key, struct kg_tokens *out)
{
	const char *at, *rt, *type, *scope;
	json_t *exp;
	bool dpop;

	at = json_string_value(json_object_get(j, "access_token"));
	rt = json_string_value(json_object_get(j, "refresh_token"));
	type = json_string_value(json_object_get(j, "token_type"));
	scope = json_string_value(json_object_get(j, "scope"));
	exp = json_object_get(j, "expires_in");
	dpop = type != NULL && strcasecmp(type, "DPoP") == 0;
	if (at == NULL || rt == NULL || type == NULL || (!dpop &&
	    strcasecmp(type, "Bearer") != 0) || at[0] == '\0' ||
	    rt[0] == '\0')
		return kg_err(KG_CLIENT_ERR_PROTOCOL, "the token response "
		    "lacks a Bearer or DPoP access token or a refresh token");
	if (dpop && (key == NULL || !key->set))
		return kg_err(KG_CLIENT_ERR_PROTOCOL, "the token response "
		    "is of type DPoP, but no DPoP proof was sent");
	memset(out, 0, sizeof(*out));
	out->access_token = kg_strdup(at);
	out->refresh_token = kg_strdup(rt);
	out->scope = kg_strdup(scope);
	out->issued_at = t0;
	out->unused_ttl_s = json_is_integer(exp) && json_integer_value(exp) > 0
	    ? (int64_t)json_integer_value(exp) : dflt_ttl;
	out->dpop = dpop;
	if (key != NULL)
		out->key = *key;
	return 0;
}

static char *
with_client_id(const struct kg_client *c, const char *form)
{
	char *id = kg_http_escape(c->api_key), *out;
	size_t n = strlen(form) + strlen(id) + 16;

	out = malloc(n);
	if (out == NULL)
		abort();
	snprintf(out, n, "%s%sclient_id=%s", form, form[0] != '\0' ? "&" : "",
	    id);
	free(id);
	return out;
}

int
kg_client_post(struct kg_client *c, const char *path, const char *form,
    const char *proof, struct kg_http_res *rs)
{
	struct kg_http_req rq = { .method = "POST", .max_body =
	    KG_TOKEN_BODY_MAX };
	char url[2200], *user = NULL, *pass = NULL, *body = NULL;
	int rc;

	snprintf(url, sizeof(url), "%s%s", c->issuer, path);
	rq.url = url;
	rq.proof = proof;
	if (c->secret != NULL) {
		rq.basic_user = user = kg_http_escape(c->api_key);
		rq.basic_pass = pass = kg_http_escape(c->secret);
		rq.form = form;
	} else {
		rq.form = body = with_client_id(c, form);
	}
	rc = kg_http_perform(&rq, rs);
	free(user);
	kg_free_secret(pass);
	free(body);
	return rc;
}

static bool
is_use_dpop_nonce(const struct kg_http_res *rs)
{
	const char *err;
	json_t *j;
	bool yes;

	if (rs->status != 400 || rs->dpop_nonce == NULL)
		return false;
	j = json_loads(rs->body != NULL ? rs->body : "", 0, NULL);
	err = json_string_value(json_object_get(j, "error"));
	yes = err != NULL && strcmp(err, "use_dpop_nonce") == 0;
	json_decref(j);
	return yes;
}

/* One POST to the token endpoint, with a fresh proof by `key` when it is
 * set; the server's nonce is kept for the next proof. */
static int
token_send(struct kg_client *c, const char *form, const struct kg_dpop_key *key,
    int64_t t0, struct kg_http_res *rs)
{
	struct kg_dpop_claims cl = { .htm = "POST", .iat = t0 };
	char url[2200], *proof = NULL, *nonce = NULL;
	int rc;

	if (key != NULL && key->set) {
		snprintf(url, sizeof(url), "%s/oauth2/token", c->issuer);
		cl.url = url;
		cl.nonce = nonce = kg_dpop_nonce_get(c, url);
		proof = kg_dpop_proof(key, &cl);
	}
	rc = kg_client_post(c, "/oauth2/token", form, proof, rs);
	if (rc == 0 && proof != NULL)
		kg_dpop_nonce_set(c, url, rs->dpop_nonce);
	free(proof);
	free(nonce);
	return rc;
}

/* POSTs `form` to the token endpoint. `t0` is when the request left;
 * an error's RFC 6749 §5.2 name goes to `name` (when not NULL). */
static int
token_post(struct kg_client *c, const char *form, const struct kg_dpop_key *key,
    int64_t t0, struct kg_tokens *out, char *name, size_t name_n)
{
	struct kg_http_res rs;
	json_t *j;
	int rc;

	rc = token_send(c, form, key, t0, &rs);
	/* RFC 9449 §8: a server demanding a nonce names it; one retry with
	 * it, never more. */
	if (rc == 0 && key != NULL && key->set && is_use_dpop_nonce(&rs)) {
		kg_http_res_release(&rs);
		rc = token_send(c, form, key, t0, &rs);
	}
	if (rc != 0)
		return rc;
	j = rs.status == 200 ? json_loads(rs.body != NULL ? rs.body : "", 0,
	    NULL) : NULL;
	if (rs.status != 200)
		rc = kg_token_error(rs.status, rs.body, name, name_n);
	else if (!json_is_object(j))
		rc = kg_err(KG_CLIENT_ERR_PROTOCOL, "the token response is "
		    "not a JSON object");
	else
		rc = parse_success(j, t0, c->default_unused_ttl_s, key, out);
	kg_json_free_secret(j);
	kg_free_secret(rs.body);
	rs.body = NULL;
	kg_http_res_release(&rs);
	return rc;
}

int
kg_client_write_locked(struct kg_client *c)
{
	struct kg_file f = {
		.issuer = c->issuer, .api_key = c->api_key,
		.secret = c->secret, .redirect_uri = c->redirect_uri,
		.idle_ttl_s = c->idle_ttl_s, .max_ttl_s = c->max_ttl_s,
		.saves = c->saves + 1, .tok = c->tok,
	};
	int rc;

	if (c->path == NULL) {
		c->unsaved = false;
		return 0;
	}
	rc = kg_file_save(c->path, &f);
	if (rc == 0) {
		c->saves++;
		c->unsaved = false;
		c->saved_last_used = c->tok.last_used;
	}
	return rc;
}

/* Brings what another process saved into c (c->mu and the file lock
 * held). The file wins unless c holds a pair it could not save yet: every
 * rotation is saved under the lock, so the file has the newest pair. */
static int
sync_from_file(struct kg_client *c)
{
	struct kg_file f;
	int rc;

	if (c->path == NULL || c->unsaved)
		return 0;
	rc = kg_file_load(c->path, &f);
	if (rc == KG_CLIENT_ERR_NO_TOKENS)
		return 0;
	if (rc != 0)
		return rc;
	c->saves = f.saves;
	if (f.tok.access_token == NULL) {
		kg_tokens_release(&c->tok);
	} else if (c->tok.access_token != NULL &&
	    strcmp(f.tok.access_token, c->tok.access_token) == 0) {
		if (f.tok.last_used > c->tok.last_used)
			c->tok.last_used = f.tok.last_used;
		c->saved_last_used = f.tok.last_used;
	} else {
		kg_tokens_release(&c->tok);
		c->tok = f.tok;
		memset(&f.tok, 0, sizeof(f.tok));
		c->saved_last_used = c->tok.last_used;
	}
	kg_file_release(&f);
	return 0;
}

/* Installs a new pair and saves it; until the save succeeds the pair is
 * held as unsaved and its access token is not handed out. */
static int
install(struct kg_client *c, struct kg_tokens *fresh)
{
	kg_tokens_release(&c->tok);
	c->tok = *fresh;
	memset(fresh, 0, sizeof(*fresh));
	c->unsaved = true;
	return kg_client_write_locked(c);
}

/* c->mu and the file lock held. */
static int
refresh_locked(struct kg_client *c)
{
	struct kg_tokens fresh;
	char *rt, *form;
	size_t n;
	int rc;

	rt = kg_http_escape(c->tok.refresh_token);
	n = strlen(rt) + 64;
	form = malloc(n);
	if (form == NULL)
		abort();
	snprintf(form, n, "grant_type=refresh_token&refresh_token=%s", rt);
	kg_free_secret(rt);
	rc = token_post(c, form, &c->tok.key, kg_now(c), &fresh, NULL, 0);
	kg_free_secret(form);
	if (rc != 0)
		return rc;
	c->refreshes++;
	return install(c, &fresh);
}

/* Takes c->mu and, with a token file, its lock, and brings the file's
 * state in. Returns the lock's fd (or -1) in *fd. */
static int
enter(struct kg_client *c, int *fd)
{
	int rc = 0;

	pthread_mutex_lock(&c->mu);
	*fd = -1;
	if (c->path != NULL)
		rc = kg_file_lock(c->path, fd);
	if (rc == 0)
		rc = sync_from_file(c);
	if (rc == 0 && c->unsaved)
		rc = kg_client_write_locked(c);
	return rc;
}

static void
leave(struct kg_client *c, int fd)
{
	kg_file_unlock(fd);
	pthread_mutex_unlock(&c->mu);
}

static bool
needs_refresh(struct kg_client *c, const char *failed)
{
	struct kg_timers tm;

	/* A 401 with a token another caller has replaced meanwhile: the
	 * retry takes the new one, without a second refresh. */
	if (failed != NULL)
		return strcmp(failed, c->tok.access_token) == 0;
	kg_timers_compute(&c->tok, c->idle_ttl_s, c->max_ttl_s, &tm);
	return kg_timers_due(&tm, kg_now(c), c->margin_s);
}

int
kg_tokens_ensure(struct kg_client *c, const char *failed, struct kg_cred *out)
{
	int fd, rc;

	memset(out, 0, sizeof(*out));
	rc = enter(c, &fd);
	if (rc == 0 && c->tok.access_token == NULL)
		rc = kg_err(KG_CLIENT_ERR_NO_TOKENS, "no tokens yet: log in "
		    "first");
	if (rc == 0 && needs_refresh(c, failed))
		rc = refresh_locked(c);
	if (rc == 0) {
		out->token = kg_strdup(c->tok.access_token);
		out->dpop = c->tok.dpop;
		out->key = c->tok.key;
	}
	leave(c, fd);
	return rc;
}

void
kg_tokens_used(struct kg_client *c, const char *token, int64_t at)
{
	int fd;

	pthread_mutex_lock(&c->mu);
	if (c->tok.access_token == NULL ||
	    strcmp(c->tok.access_token, token) != 0 || at <= c->tok.last_used) {
		pthread_mutex_unlock(&c->mu);
		return;
	}
	c->tok.last_used = at;
	/* A use missing from the file only makes the next reader refresh
	 * earlier (the unused and older-use timers end sooner), so uses
	 * are written at most once a minute, and a failure is harmless. */
	if (c->path == NULL || (c->saved_last_used != 0 &&
	    at - c->saved_last_used < KG_USE_SAVE_INTERVAL_S)) {
		pthread_mutex_unlock(&c->mu);
		return;
	}
	pthread_mutex_unlock(&c->mu);
	if (enter(c, &fd) == 0 && c->tok.access_token != NULL &&
	    strcmp(c->tok.access_token, token) == 0 &&
	    c->tok.last_used > c->saved_last_used)
		(void)kg_client_write_locked(c);
	leave(c, fd);
}

int
kg_token_exchange(struct kg_client *c, const char *form, char *name,
    size_t name_n)
{
	struct kg_tokens fresh;
	struct kg_dpop_key key;
	int fd, rc;

	if (name != NULL && name_n > 0)
		name[0] = '\0';
	/* The key drawn for this log-in (kg_dpop_prepare()), if any. */
	pthread_mutex_lock(&c->mu);
	key = c->login_key;
	pthread_mutex_unlock(&c->mu);
	rc = token_post(c, form, &key, kg_now(c), &fresh, name, name_n);
	sodium_memzero(&key, sizeof(key));
	if (rc != 0)
		return rc;
	pthread_mutex_lock(&c->mu);
	fd = -1;
	if (c->path != NULL)
		rc = kg_file_lock(c->path, &fd);
	if (rc == 0)
		rc = install(c, &fresh);
	else
		kg_tokens_release(&fresh);
	leave(c, fd);
	return rc;
}

int
kg_client_refresh(struct kg_client *c)
{
	int fd, rc;

	rc = enter(c, &fd);
	if (rc == 0 && c->tok.refresh_token == NULL)
		rc = kg_err(KG_CLIENT_ERR_NO_TOKENS, "no tokens yet: log in "
		    "first");
	if (rc == 0)
		rc = refresh_locked(c);
	leave(c, fd);
	return rc;
}

int
kg_client_set_tokens(struct kg_client *c, const char *access_token,
    const char *refresh_token, const char *scope, int64_t issued_at)
{
	struct kg_tokens t = { 0 };
	int fd, rc = 0;

	if (access_token == NULL || refresh_token == NULL || issued_at <= 0)
		return kg_err(KG_CLIENT_ERR_USAGE, "both tokens and their "
		    "issue time are needed");
	pthread_mutex_lock(&c->mu);
	fd = -1;
	if (c->path != NULL)
		rc = kg_file_lock(c->path, &fd);
	t.access_token = kg_strdup(access_token);
	t.refresh_token = kg_strdup(refresh_token);
	t.scope = kg_strdup(scope);
	t.issued_at = issued_at;
	t.unused_ttl_s = c->default_unused_ttl_s;
	if (rc == 0)
		rc = install(c, &t);
	kg_tokens_release(&t);
	leave(c, fd);
	return rc;
}

int
kg_client_save(struct kg_client *c)
{
	int fd = -1, rc = 0;

	pthread_mutex_lock(&c->mu);
	if (c->path == NULL)
		rc = kg_err(KG_CLIENT_ERR_USAGE, "no token file set");
	if (rc == 0)
		rc = kg_file_lock(c->path, &fd);
	if (rc == 0)
		rc = kg_client_write_locked(c);
	leave(c, fd);
	return rc;
}
