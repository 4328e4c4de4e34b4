#ifndef KEYGATE_HTTP_COOKIE_H
#define KEYGATE_HTTP_COOKIE_H

#include "core/str.h"

/* Finds cookie `name` in a Cookie header value (RFC 6265 §5.4 form:
 * `a=1; b=2`). Returns 0 with *value pointing into `header`, ERR_NOTFOUND,
 * ERR_DUPLICATE when the name appears twice (ambiguous: refuse), or
 * ERR_TOOBIG for a header past HTTP_MAX_COOKIE_BYTES. */
int	cookie_get(struct str header, const char *name, struct str *value);

#endif
