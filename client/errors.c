/* libkeygate-client: errors (a message per thread), strings, the token
 * pair's copy and release. Every other file of the library calls down
 * into these; they call nothing of it. */
#include "client_int.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

/* Each thread sees its own latest error, so that threads sharing one
 * client never read each other's messages. */
static _Thread_local char errmsg[512];

static const char *const messages[] = {
	[KG_CLIENT_OK] = "success",
	[KG_CLIENT_ERR_USAGE] = "bad argument or missing setting",
	[KG_CLIENT_ERR_NO_TOKENS] = "not logged in",
	[KG_CLIENT_ERR_NETWORK] = "the server could not be reached",
	[KG_CLIENT_ERR_PROTOCOL] = "the server's answer was not understood",
	[KG_CLIENT_ERR_REVOKED] = "the grant was revoked or the refresh "
	    "token is no longer valid; log in again",
	[KG_CLIENT_ERR_CLIENT_AUTH] = "the API key or secret was refused",
	[KG_CLIENT_ERR_DENIED] = "the authorization was refused",
	[KG_CLIENT_ERR_STATE] = "the redirect did not match this log-in",
	[KG_CLIENT_ERR_TIMEOUT] = "no redirect arrived in time",
	[KG_CLIENT_ERR_UNAUTHORIZED] = "the API refused the token even after "
	    "a refresh",
	[KG_CLIENT_ERR_FILE] = "the token file cannot be used",
	[KG_CLIENT_ERR_SERVER] = "the token endpoint refused the request",
	[KG_CLIENT_ERR_EXPIRED] = "the device code expired before access "
	    "was granted",
	[KG_CLIENT_ERR_CANCELLED] = "the log-in was cancelled",
};

const char *
kg_client_strerror(int code)
{
	if (code < 0 || (size_t)code >= sizeof(messages) / sizeof(*messages))
		return "unknown error";
	return messages[code];
}

const char *
kg_client_errmsg(void)
{
	return errmsg[0] != '\0' ? errmsg : "no error";
}

int
kg_err(int code, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(errmsg, sizeof(errmsg), "%s: ", kg_client_strerror(code));
	if (n < 0 || (size_t)n >= sizeof(errmsg))
		return code;
	va_start(ap, fmt);
	vsnprintf(errmsg + n, sizeof(errmsg) - (size_t)n, fmt, ap);
	va_end(ap);
	return code;
}

char *
kg_strdup(const char *s)
{
	char *d;

	if (s == NULL)
		return NULL;
	d = strdup(s);
	if (d == NULL)
		abort();	/* as keygate's xstrdup: no half-built state */
	return d;
}

void
kg_free_secret(char *s)
{
	if (s == NULL)
		return;
	sodium_memzero(s, strlen(s));
	free(s);
}

/* Zeroes the string values of a tree nothing else holds. jansson's
 * string values are its own heap copies, which nothing reads once the
 * last reference goes: writing through json_string_value() is safe. */
void
kg_json_wipe(json_t *j)
{
	const char *name;
	json_t *v;
	size_t i;

	if (j == NULL || j->refcount > 1)
		return;
	if (json_is_string(j))
		sodium_memzero((void *)(uintptr_t)json_string_value(j),
		    json_string_length(j));
	else if (json_is_object(j))
		json_object_foreach(j, name, v)
			kg_json_wipe(v);
	else if (json_is_array(j))
		json_array_foreach(j, i, v)
			kg_json_wipe(v);
}

void
kg_json_free_secret(json_t *j)
{
	kg_json_wipe(j);
	json_decref(j);
}

void
kg_tokens_release(struct kg_tokens *t)
{
	kg_free_secret(t->access_token);
	kg_free_secret(t->refresh_token);
	free(t->scope);
	sodium_memzero(t, sizeof(*t));	/* the DPoP key with it */
}

void
kg_cred_release(struct kg_cred *cr)
{
	kg_free_secret(cr->token);
	sodium_memzero(cr, sizeof(*cr));
}

int
kg_tokens_copy(struct kg_tokens *dst, const struct kg_tokens *src)
{
	*dst = *src;
	dst->access_token = kg_strdup(src->access_token);
	dst->refresh_token = kg_strdup(src->refresh_token);
	dst->scope = kg_strdup(src->scope);
	return 0;
}
