#ifndef KEYGATE_HTTP_FORM_H
#define KEYGATE_HTTP_FORM_H

#include <stdbool.h>
#include <stddef.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/str.h"

/* application/x-www-form-urlencoded, for query strings and form bodies. */

struct param {
	struct str	 name;
	struct str	 value;
};

struct params {
	struct param	*v;
	size_t		 n;
};

/* Decodes `in` into out (memory from the arena). '+' is a space; '%XX' a
 * byte. Empty pieces ("a=1&&b=2") are skipped; a piece without '=' has an
 * empty value. Returns 0; ERR_MALFORMED for a bad percent escape or an empty
 * name; ERR_UTF8 when a decoded name or value is not UTF-8 or holds NUL;
 * ERR_TOOBIG past HTTP_MAX_PARAMS pieces or a name or value past its
 * HTTP_MAX_PARAM_* limit. */
int	form_parse(struct arena *a, struct str in, struct params *out);

/* Percent-decodes `in` into out (capacity in.len); *len gets the length.
 * `plus_is_space` for form encoding. Returns 0 or ERR_MALFORMED. */
int	form_decode(struct str in, bool plus_is_space, char *out, size_t *len);

/* Appends s percent-encoded for a query or fragment value: everything but
 * RFC 3986 unreserved characters becomes %XX. */
void	form_encode(struct buf *b, struct str s);

/* The value of the first parameter named `name`, or STR_NULL. */
struct str	params_get(const struct params *ps, const char *name);

/* Makes the values of every parameter named `name` one, space-separated,
 * in the first one's place (memory from the arena): for a parameter that
 * may be repeated and whose values hold no space (RFC 8707's `resource`:
 * URIs), so that params_bind() sees it once. */
void	params_join(struct arena *a, struct params *ps, const char *name);

/* What an endpoint takes: its parameters, each with a byte limit. */
struct param_spec {
	const char	*name;
	size_t		 max_bytes;
	bool		 required;
};

/* Binds ps to spec: values[i] gets spec[i]'s value (p == NULL when absent).
 * Returns 0, or with *bad naming the parameter: ERR_DUPLICATE for one given
 * twice (RFC 6749 §3.1), ERR_MISSING for an absent required one (an empty
 * value counts as absent), ERR_TOOBIG past its limit, and unless
 * `ignore_unknown`, ERR_UNKNOWN for one not in spec. */
int	params_bind(const struct params *ps, const struct param_spec *spec,
	    size_t nspec, bool ignore_unknown, struct str *values,
	    const char **bad);

#endif
