#include "http/basic.h"

#include <ctype.h>
#include <sodium.h>
#include <string.h>

#include "base/err.h"
#include "base/limits.h"
#include "base/utf8.h"
#include "http/form.h"

/* Splits "Scheme rest" and checks the scheme case-insensitively. */
static bool
scheme_is(struct str header, const char *scheme, struct str *rest)
{
	size_t n = strlen(scheme);

	if (header.len <= n || header.p[n] != ' ' ||
	    !str_eq_nocase((struct str){ header.p, n }, scheme))
		return false;
	*rest = str_trim((struct str){ header.p + n + 1, header.len - n - 1 });
	return true;
}

static int
finish_part(struct arena *a, struct str in, bool form_decoded,
    struct str *out)
{
	char *d = arena_alloc(a, in.len + 1);
	size_t n = in.len;

	if (form_decoded) {
		if (form_decode(in, true, d, &n) != 0)
			return ERR_MALFORMED;
	} else if (in.len > 0) {
		memcpy(d, in.p, in.len);
	}
	d[n] = '\0';
	*out = (struct str){ d, n };
	return utf8_valid(*out) ? 0 : ERR_UTF8;
}

int
basic_parse(struct arena *a, struct str header, bool form_decoded,
    struct str *user, struct str *password)
{
	struct str b64;
	unsigned char *raw;
	size_t rawlen;
	const char *colon;
	int rc;

	if (!scheme_is(header, "Basic", &b64))
		return ERR_NOTFOUND;
	if (b64.len == 0)
		return ERR_MALFORMED;
	if (b64.len > HTTP_MAX_PARAM_VALUE_BYTES)
		return ERR_TOOBIG;
	raw = arena_alloc(a, b64.len);
	if (sodium_base642bin(raw, b64.len, b64.p, b64.len, NULL, &rawlen,
	    NULL, sodium_base64_VARIANT_ORIGINAL) != 0)
		return ERR_MALFORMED;
	colon = memchr(raw, ':', rawlen);
	if (colon == NULL)
		return ERR_MALFORMED;
	rc = finish_part(a, (struct str){ (const char *)raw,
	    (size_t)(colon - (const char *)raw) }, form_decoded, user);
	if (rc == 0)
		rc = finish_part(a, (struct str){ colon + 1,
		    rawlen - (size_t)(colon + 1 - (const char *)raw) },
		    form_decoded, password);
	sodium_memzero(raw, rawlen);
	return rc;
}

/* RFC 6750 §2.1 b64token: ALPHA DIGIT - . _ ~ + / then '=' padding. */
static bool
b64token(struct str t)
{
	size_t i = 0;

	while (i < t.len && (isalnum((unsigned char)t.p[i]) ||
	    (t.p[i] != '\0' && strchr("-._~+/", t.p[i]) != NULL)))
		i++;
	if (i == 0)
		return false;
	while (i < t.len && t.p[i] == '=')
		i++;
	return i == t.len;
}

int
bearer_parse(struct str header, struct str *token)
{
	return token_parse(header, "Bearer", token);
}

int
token_parse(struct str header, const char *scheme, struct str *token)
{
	struct str t;

	if (header.len == 0 || !scheme_is(header, scheme, &t))
		return ERR_NOTFOUND;
	if (t.len == 0 || t.len > HTTP_MAX_PARAM_VALUE_BYTES || !b64token(t))
		return ERR_MALFORMED;
	*token = t;
	return 0;
}
