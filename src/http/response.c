#include "http/response.h"

#include <stdio.h>
#include <stdlib.h>

#include "base/str.h"
#include "http/cookie.h"

void
response_init(struct response *res, struct arena *arena)
{
	res->status = 500;
	res->content_type = "text/plain; charset=utf-8";
	buf_init(&res->body, RESPONSE_MAX_BODY_BYTES);
	res->html = false;
	res->nheaders = 0;
	res->arena = arena;
	res->after = NULL;
	res->after_ctx = NULL;
}

void
response_after(struct response *res, response_after_fn fn, void *ctx)
{
	res->after = fn;
	res->after_ctx = ctx;
}

void
response_release(struct response *res)
{
	buf_release(&res->body);
}

void
response_header(struct response *res, const char *name, const char *value)
{
	if (res->nheaders == RESPONSE_MAX_HEADERS)
		abort();	/* a handler bug, not client input */
	res->headers[res->nheaders].name = arena_strdup(res->arena,
	    str_from(name));
	res->headers[res->nheaders].value = arena_strdup(res->arena,
	    str_from(value));
	res->nheaders++;
}

void
response_json(struct response *res, int status, json_t *j)
{
	char *text = json_dumps(j, JSON_COMPACT);

	json_decref(j);
	response_json_text(res, status, text != NULL ? text : "");
	free(text);
}

struct buf *
response_json_body(struct response *res, int status)
{
	res->status = status;
	res->content_type = "application/json";
	res->html = false;
	buf_reset(&res->body);
	return &res->body;
}

struct buf *
response_body(struct response *res, int status, const char *content_type)
{
	res->status = status;
	res->content_type = content_type;
	res->html = false;
	buf_reset(&res->body);
	return &res->body;
}

void
response_json_text(struct response *res, int status, const char *json)
{
	buf_puts(response_json_body(res, status), json);
}

void
response_json_error(struct response *res, int status, const char *code,
    const char *description)
{
	json_t *j = json_pack("{s:s}", "error", code);

	if (description != NULL)
		json_object_set_new(j, "error_description",
		    json_string(description));
	response_json(res, status, j);
}

void
response_html(struct response *res, int status, struct str html)
{
	res->status = status;
	res->content_type = "text/html; charset=utf-8";
	res->html = true;
	buf_reset(&res->body);
	buf_putstr(&res->body, html);
}

void
response_redirect(struct response *res, int status, const char *location)
{
	res->status = status;
	buf_reset(&res->body);
	response_header(res, "Location", location);
}

void
response_cookie(struct response *res, const char *name, const char *value,
    const char *path, int64_t max_age_s, bool secure)
{
	char line[768], full[COOKIE_NAME_MAX_BYTES];
	char age[40] = "";

	cookie_name(name, secure, full);
	if (max_age_s >= 0)
		snprintf(age, sizeof(age), "; Max-Age=%lld",
		    (long long)max_age_s);
	/* __Host- demands Path=/ (http/cookie.h) */
	snprintf(line, sizeof(line), "%s=%s; Path=%s; HttpOnly; "
	    "SameSite=Lax%s%s", full, value, secure ? "/" : path, age,
	    secure ? "; Secure" : "");
	response_header(res, "Set-Cookie", line);
}
