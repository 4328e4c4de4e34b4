#ifndef KEYGATE_HTTP_BASIC_H
#define KEYGATE_HTTP_BASIC_H

#include <stdbool.h>

#include "base/arena.h"
#include "base/str.h"

/* Parses an `Authorization: Basic ...` value (RFC 7617) into user and
 * password (arena memory, NUL-terminated). With `form_decoded`, each part
 * is also percent-decoded as RFC 6749 §2.3.1 asks of OAuth clients.
 * Returns 0; ERR_NOTFOUND when the scheme is not Basic; ERR_MALFORMED for
 * bad base64, no colon, or a bad escape; ERR_UTF8 for text that is not
 * UTF-8 or holds NUL; ERR_TOOBIG past HTTP_MAX_PARAM_VALUE_BYTES. */
int	basic_parse(struct arena *a, struct str header, bool form_decoded,
	    struct str *user, struct str *password);

/* Finds a Bearer token (RFC 6750 §2.1) in an Authorization value. Returns
 * 0, ERR_NOTFOUND for another scheme or no header, ERR_MALFORMED for an
 * empty or badly formed token. */
int	bearer_parse(struct str header, struct str *token);
/* The same for the token of another scheme: "DPoP" (RFC 9449 §7.1). */
int	token_parse(struct str header, const char *scheme, struct str *token);

#endif
