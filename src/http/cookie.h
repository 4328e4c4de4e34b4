#ifndef KEYGATE_HTTP_COOKIE_H
#define KEYGATE_HTTP_COOKIE_H

#include <stdbool.h>
#include <stddef.h>

#include "base/str.h"

/* keygate's cookie names are base names (`kg_session`); each is read and
 * written under the name cookie_name() gives it, and only under that one.
 * With an https issuer that name carries the __Host- prefix
 * (draft-ietf-httpbis-rfc6265bis §4.1.3.2): a browser accepts such a
 * cookie only when it is Secure, has Path=/ and no Domain, so neither an
 * http page nor a sibling subdomain can plant or shadow it. */
#define COOKIE_HOST_PREFIX	"__Host-"
#define COOKIE_NAME_MAX_BYTES	64	/* prefix, base name, NUL */

/* Writes into out the name cookie `base` goes by: "__Host-" base when
 * `secure` (the issuer is https), else base. Aborts on a base name past
 * COOKIE_NAME_MAX_BYTES (a constant of the code, never client input). */
void	cookie_name(const char *base, bool secure,
	    char out[COOKIE_NAME_MAX_BYTES]);

/* Finds cookie `name` in a Cookie header value (RFC 6265 §5.4 form:
 * `a=1; b=2`). Returns 0 with *value pointing into `header`, ERR_NOTFOUND,
 * ERR_DUPLICATE when the name appears twice (ambiguous: refuse), or
 * ERR_TOOBIG for a header past HTTP_MAX_COOKIE_BYTES. */
int	cookie_get(struct str header, const char *name, struct str *value);

#endif
