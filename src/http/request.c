#include "http/request.h"

#include <microhttpd.h>
#include <string.h>
#include <strings.h>

#include "base/err.h"
#include "http/cookie.h"

struct str
request_header(const struct request *req, const char *name)
{
	const char *v = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND,
	    name);

	return v == NULL ? STR_NULL : str_from(v);
}

struct header_count {
	const char	*name;
	size_t		 n;
};

static enum MHD_Result
count_header(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *value)
{
	struct header_count *c = cls;

	(void)kind;
	(void)value;
	if (strcasecmp(key, c->name) == 0)
		c->n++;
	return MHD_YES;
}

size_t
request_header_count(const struct request *req, const char *name)
{
	struct header_count c = { name, 0 };

	MHD_get_connection_values(req->conn, MHD_HEADER_KIND, count_header,
	    &c);
	return c.n;
}

int
request_query(struct request *req, struct params *out)
{
	return form_parse(req->arena, req->query, out);
}

/* True when the Content-Type's media type (before any ';') is `type`. */
static bool
content_type_is(const struct request *req, const char *type)
{
	struct str ct = request_header(req, "Content-Type");
	const char *semi = ct.len == 0 ? NULL : memchr(ct.p, ';', ct.len);

	if (semi != NULL)
		ct.len = (size_t)(semi - ct.p);
	return str_eq_nocase(str_trim(ct), type);
}

int
request_form(struct request *req, struct params *out)
{
	out->v = NULL;
	out->n = 0;
	if (!content_type_is(req, "application/x-www-form-urlencoded"))
		return ERR_INVALID;
	return form_parse(req->arena, req->body, out);
}

int
request_json(struct request *req, json_t **out)
{
	json_error_t e;
	json_t *j;

	if (!content_type_is(req, "application/json"))
		return ERR_INVALID;
	/* jansson refuses invalid UTF-8 and, with this flag, repeated keys. */
	j = json_loadb(req->body.p, req->body.len, JSON_REJECT_DUPLICATES, &e);
	if (j == NULL)
		return ERR_MALFORMED;
	if (!json_is_object(j)) {
		json_decref(j);
		return ERR_MALFORMED;
	}
	*out = j;
	return 0;
}

int
request_cookie(struct request *req, const char *name, struct str *out)
{
	char full[COOKIE_NAME_MAX_BYTES];

	cookie_name(name, req->kg->cfg->secure_cookies, full);
	return cookie_get(request_header(req, "Cookie"), full, out);
}

struct str
request_route_param(struct request *req, size_t i)
{
	struct str raw = req->route_params[i];
	char *out;
	size_t len;

	if (raw.len == 0 || memchr(raw.p, '%', raw.len) == NULL)
		return raw;
	out = arena_alloc(req->arena, raw.len + 1);
	if (form_decode(raw, false, out, &len) != 0)
		return raw;
	out[len] = '\0';
	return (struct str){ out, len };
}
