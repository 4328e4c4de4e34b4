/* Log-in by the authorization-code flow for native apps (RFC 8252):
 * state and PKCE S256 (RFC 7636), the redirect received by a one-shot
 * listener on the loopback interface, iss checked (RFC 9207), the code
 * exchanged at the token endpoint (client/tokens.c). */
#include "client_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sodium.h>

struct kg_client_login {
	int	 fd;
	char	 state[64];
	char	 verifier[64];
	char	*redirect_uri;	/* with the listener's port */
	char	*path;		/* the redirect URI's path */
	char	*url;
};

static void
random_b64(char *out, size_t outlen)
{
	unsigned char raw[32];

	randombytes_buf(raw, sizeof(raw));
	sodium_bin2base64(out, outlen, raw, sizeof(raw),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof(raw));
}

/* RFC 7636 §4.2: BASE64URL(SHA256(ASCII(code_verifier))). */
static void
s256(const char *verifier, char *out, size_t outlen)
{
	unsigned char h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, (const unsigned char *)verifier,
	    strlen(verifier));
	sodium_bin2base64(out, outlen, h, sizeof(h),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

/* Splits "http://HOST[:PORT]/PATH" with a loopback HOST; binds the
 * listener there (port 0: any) and fills l->redirect_uri with the port
 * actually bound. */
static int
open_listener(struct kg_client_login *l, const char *uri)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t alen = sizeof(a);
	const char *host = uri + 7, *path;
	unsigned port = 0;
	char buf[600];

	if (strncmp(host, "127.0.0.1", 9) != 0 || (host[9] != ':' &&
	    host[9] != '/'))
		return kg_err(KG_CLIENT_ERR_USAGE, "the redirect URI must be "
		    "http://127.0.0.1[:PORT]/PATH");
	if (host[9] == ':' && sscanf(host + 10, "%5u", &port) != 1)
		return kg_err(KG_CLIENT_ERR_USAGE, "bad port in %s", uri);
	path = strchr(host, '/');
	if (path == NULL || port > 65535)
		return kg_err(KG_CLIENT_ERR_USAGE, "bad redirect URI %s", uri);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons((uint16_t)port);
	l->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (l->fd < 0 || bind(l->fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
	    listen(l->fd, 8) != 0 ||
	    getsockname(l->fd, (struct sockaddr *)&a, &alen) != 0)
		return kg_err(KG_CLIENT_ERR_USAGE, "cannot listen on "
		    "127.0.0.1:%u: %s", port, strerror(errno));
	/* RFC 8252 §7.3: the port of a loopback IP redirect may vary. */
	snprintf(buf, sizeof(buf), "http://127.0.0.1:%u%s",
	    (unsigned)ntohs(a.sin_port), path);
	l->redirect_uri = kg_strdup(buf);
	l->path = kg_strdup(path);
	return 0;
}

static void
append_param(char *url, size_t n, const char *name, const char *value)
{
	char *v;
	size_t len = strlen(url);

	if (value == NULL)
		return;
	v = kg_http_escape(value);
	snprintf(url + len, n - len, "%s%s=%s", strchr(url, '?') ? "&" : "?",
	    name, v);
	free(v);
}

static void
build_url(struct kg_client *c, struct kg_client_login *l)
{
	char url[8192], challenge[64];

	s256(l->verifier, challenge, sizeof(challenge));
	snprintf(url, sizeof(url), "%s/oauth2/authorize", c->issuer);
	append_param(url, sizeof(url), "response_type", "code");
	append_param(url, sizeof(url), "client_id", c->api_key);
	append_param(url, sizeof(url), "redirect_uri", l->redirect_uri);
	append_param(url, sizeof(url), "scope", c->scope);
	append_param(url, sizeof(url), "state", l->state);
	append_param(url, sizeof(url), "code_challenge", challenge);
	append_param(url, sizeof(url), "code_challenge_method", "S256");
	l->url = kg_strdup(url);
}

int
kg_client_login_start(struct kg_client *c, struct kg_client_login **out)
{
	struct kg_client_login *l;
	int rc;

	*out = NULL;
	rc = kg_dpop_prepare(c);
	if (rc != 0)
		return rc;
	l = calloc(1, sizeof(*l));
	if (l == NULL)
		abort();
	l->fd = -1;
	pthread_mutex_lock(&c->mu);
	rc = open_listener(l, c->redirect_uri);
	if (rc == 0) {
		random_b64(l->state, sizeof(l->state));
		random_b64(l->verifier, sizeof(l->verifier));
		build_url(c, l);
	}
	pthread_mutex_unlock(&c->mu);
	if (rc != 0) {
		kg_client_login_free(l);
		return rc;
	}
	*out = l;
	return 0;
}

const char *
kg_client_login_url(const struct kg_client_login *l)
{
	return l->url;
}

void
kg_client_login_free(struct kg_client_login *l)
{
	if (l == NULL)
		return;
	if (l->fd >= 0)
		close(l->fd);
	sodium_memzero(l->verifier, sizeof(l->verifier));
	free(l->redirect_uri);
	free(l->path);
	free(l->url);
	free(l);
}

/* RFC 6749 §4.1.2 and RFC 9207 §2.4: state first, then iss, then the
 * outcome. */
static int
check_redirect(struct kg_client *c, struct kg_client_login *l,
    const struct kg_redirect *r)
{
	size_t n = strlen(l->state);

	if (r->state == NULL || strlen(r->state) != n ||
	    sodium_memcmp(r->state, l->state, n) != 0)
		return kg_err(KG_CLIENT_ERR_STATE, "the redirect's state is "
		    "not this log-in's");
	if (r->iss == NULL || strcmp(r->iss, c->issuer) != 0)
		return kg_err(KG_CLIENT_ERR_STATE, "the redirect's iss is not "
		    "%s", c->issuer);
	if (r->error != NULL)
		return kg_err(KG_CLIENT_ERR_DENIED, "%.64s%s%.200s", r->error,
		    r->error_description != NULL ? ": " : "",
		    r->error_description != NULL ? r->error_description : "");
	if (r->code == NULL || r->code[0] == '\0')
		return kg_err(KG_CLIENT_ERR_PROTOCOL, "the redirect carries "
		    "no code");
	return 0;
}

static char *
exchange_form(struct kg_client_login *l, const char *code)
{
	char *ec = kg_http_escape(code), *er = kg_http_escape(l->redirect_uri);
	char *form;
	size_t n = strlen(ec) + strlen(er) + strlen(l->verifier) + 128;

	form = malloc(n);
	if (form == NULL)
		abort();
	snprintf(form, n, "grant_type=authorization_code&code=%s"
	    "&redirect_uri=%s&code_verifier=%s", ec, er, l->verifier);
	kg_free_secret(ec);
	free(er);
	return form;
}

int
kg_client_login_finish(struct kg_client *c, struct kg_client_login *l,
    int timeout_s)
{
	struct kg_redirect r = { 0 };
	char *form;
	int rc;

	rc = kg_loopback_wait(l->fd, l->path, timeout_s, &r);
	if (rc == 0)
		rc = check_redirect(c, l, &r);
	if (rc == 0) {
		form = exchange_form(l, r.code);
		rc = kg_token_exchange(c, form, NULL, 0);
		kg_free_secret(form);
	}
	kg_redirect_release(&r);
	/* One-shot: nothing more is received once a redirect came. */
	close(l->fd);
	l->fd = -1;
	return rc;
}
