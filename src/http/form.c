#include "http/form.h"

#include <string.h>

#include "base/err.h"
#include "base/limits.h"
#include "base/utf8.h"

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
form_decode(struct str in, bool plus_is_space, char *out, size_t *len)
{
	size_t o = 0;

	for (size_t i = 0; i < in.len; i++) {
		char c = in.p[i];

		if (c == '%') {
			int hi, lo;

			if (in.len - i < 3 || (hi = hexval(in.p[i + 1])) < 0 ||
			    (lo = hexval(in.p[i + 2])) < 0)
				return ERR_MALFORMED;
			out[o++] = (char)(hi << 4 | lo);
			i += 2;
		} else if (c == '+' && plus_is_space) {
			out[o++] = ' ';
		} else {
			out[o++] = c;
		}
	}
	*len = o;
	return 0;
}

void
form_encode(struct buf *b, struct str s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (size_t i = 0; i < s.len; i++) {
		unsigned char c = (unsigned char)s.p[i];
		char esc[3] = { '%', hex[c >> 4], hex[c & 15] };

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		    c == '_' || c == '~')
			buf_append(b, &s.p[i], 1);
		else
			buf_append(b, esc, 3);
	}
}

static int
decode_piece(struct arena *a, struct str in, size_t max, struct str *out)
{
	char *d;
	size_t n;

	/* Decoding only shrinks, so the raw length bounds the result. */
	if (in.len > 3 * max)
		return ERR_TOOBIG;
	d = arena_alloc(a, in.len + 1);
	if (form_decode(in, true, d, &n) != 0)
		return ERR_MALFORMED;
	d[n] = '\0';
	if (n > max)
		return ERR_TOOBIG;
	*out = (struct str){ d, n };
	return utf8_valid(*out) ? 0 : ERR_UTF8;
}

int
form_parse(struct arena *a, struct str in, struct params *out)
{
	size_t count = 0, i = 0;
	int rc;

	out->v = NULL;
	out->n = 0;
	for (size_t k = 0; k < in.len; k++)
		if (in.p[k] == '&')
			count++;
	if (count + 1 > HTTP_MAX_PARAMS * 4)
		return ERR_TOOBIG;
	out->v = arena_alloc(a, (count + 1) * sizeof(struct param));
	while (i < in.len) {
		const char *amp = memchr(in.p + i, '&', in.len - i);
		size_t end = amp == NULL ? in.len : (size_t)(amp - in.p);
		struct str piece = { in.p + i, end - i };
		const char *eq = memchr(piece.p, '=', piece.len);
		struct str name = piece, value = STR_NULL;
		struct param *p;

		i = end + 1;
		if (piece.len == 0)
			continue;
		if (out->n == HTTP_MAX_PARAMS)
			return ERR_TOOBIG;
		if (eq != NULL) {
			name.len = (size_t)(eq - piece.p);
			value = (struct str){ eq + 1,
			    piece.len - name.len - 1 };
		}
		if (name.len == 0)
			return ERR_MALFORMED;
		p = &out->v[out->n];
		if ((rc = decode_piece(a, name, HTTP_MAX_PARAM_NAME_BYTES,
		    &p->name)) != 0 ||
		    (rc = decode_piece(a, value, HTTP_MAX_PARAM_VALUE_BYTES,
		    &p->value)) != 0)
			return rc;
		out->n++;
	}
	return 0;
}

struct str
params_get(const struct params *ps, const char *name)
{
	for (size_t i = 0; i < ps->n; i++)
		if (str_eq_lit(ps->v[i].name, name))
			return ps->v[i].value;
	return STR_NULL;
}

void
params_join(struct arena *a, struct params *ps, const char *name)
{
	size_t first = ps->n, len = 0, kept = 0;
	char *joined, *w;

	for (size_t i = 0; i < ps->n; i++)
		if (str_eq_lit(ps->v[i].name, name)) {
			if (first == ps->n)
				first = i;
			len += ps->v[i].value.len + 1;
		}
	if (first == ps->n)
		return;
	w = joined = arena_alloc(a, len);
	for (size_t i = 0; i < ps->n; i++) {
		if (!str_eq_lit(ps->v[i].name, name)) {
			ps->v[kept++] = ps->v[i];
			continue;
		}
		if (w != joined)
			*w++ = ' ';
		memcpy(w, ps->v[i].value.p, ps->v[i].value.len);
		w += ps->v[i].value.len;
		if (i == first)
			kept++;
	}
	*w = '\0';
	ps->v[first].value = (struct str){ joined, (size_t)(w - joined) };
	ps->n = kept;
}

int
params_bind(const struct params *ps, const struct param_spec *spec,
    size_t nspec, bool ignore_unknown, struct str *values, const char **bad)
{
	for (size_t k = 0; k < nspec; k++)
		values[k] = STR_NULL;
	for (size_t i = 0; i < ps->n; i++) {
		const struct param *p = &ps->v[i];
		size_t k;

		for (k = 0; k < nspec; k++)
			if (str_eq_lit(p->name, spec[k].name))
				break;
		if (k == nspec) {
			if (ignore_unknown)
				continue;
			*bad = p->name.p; /* NUL-terminated by form_parse */
			return ERR_UNKNOWN;
		}
		*bad = spec[k].name;
		if (values[k].p != NULL)
			return ERR_DUPLICATE;
		if (p->value.len > spec[k].max_bytes)
			return ERR_TOOBIG;
		values[k] = p->value;
	}
	for (size_t k = 0; k < nspec; k++)
		if (spec[k].required && values[k].len == 0) {
			*bad = spec[k].name;
			return ERR_MISSING;
		}
	return 0;
}
