#include "http/cookie.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/limits.h"

void
cookie_name(const char *base, bool secure, char out[COOKIE_NAME_MAX_BYTES])
{
	int n = snprintf(out, COOKIE_NAME_MAX_BYTES, "%s%s",
	    secure ? COOKIE_HOST_PREFIX : "", base);

	if (n < 0 || n >= COOKIE_NAME_MAX_BYTES)
		abort();
}

int
cookie_get(struct str header, const char *name, struct str *value)
{
	size_t i = 0;
	bool found = false;

	if (header.len > HTTP_MAX_COOKIE_BYTES)
		return ERR_TOOBIG;
	while (i < header.len) {
		const char *semi = memchr(header.p + i, ';', header.len - i);
		size_t end = semi == NULL ? header.len :
		    (size_t)(semi - header.p);
		struct str pair = str_trim((struct str){ header.p + i,
		    end - i });
		const char *eq = memchr(pair.p, '=', pair.len);

		i = end + 1;
		if (eq == NULL)
			continue;
		struct str n = str_trim((struct str){ pair.p,
		    (size_t)(eq - pair.p) });
		if (!str_eq_lit(n, name))
			continue;
		if (found)
			return ERR_DUPLICATE;
		found = true;
		*value = str_trim((struct str){ eq + 1,
		    (size_t)(pair.p + pair.len - (eq + 1)) });
		/* RFC 6265 allows a quoted value; take it unquoted. */
		if (value->len >= 2 && value->p[0] == '"' &&
		    value->p[value->len - 1] == '"') {
			value->p++;
			value->len -= 2;
		}
	}
	return found ? 0 : ERR_NOTFOUND;
}
