#ifndef KEYGATE_CORE_CSRF_H
#define KEYGATE_CORE_CSRF_H

#include <stdbool.h>

#include "base/secure.h"
#include "base/str.h"

/* CSRF tokens are an HMAC of the browser's binding value under a server key
 * kept in the store: the session cookie value once logged in, else a random
 * pre-session cookie. Nothing per form is stored, and every node sharing the
 * store accepts every other node's tokens. */

#define CSRF_TOKEN_BYTES	64	/* buffer size, NUL included */

/* Writes the token for `binding` into out. */
void	csrf_token(const unsigned char key[SECURE_KEY_BYTES],
	    struct str binding, char out[CSRF_TOKEN_BYTES]);
/* True when `token` is the one for `binding` (constant time). An empty
 * binding never verifies. */
bool	csrf_verify(const unsigned char key[SECURE_KEY_BYTES],
	    struct str binding, struct str token);

#endif
