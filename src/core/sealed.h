#ifndef KEYGATE_CORE_SEALED_H
#define KEYGATE_CORE_SEALED_H

#include <stddef.h>

#include "base/buf.h"
#include "base/secure.h"
#include "base/str.h"

/* Authenticated encryption (XChaCha20-Poly1305) of short values that must
 * cross the browser without the server keeping them, such as a new secret
 * on its way from the POST that made it to the page that shows it once.
 * `context` is bound in: a value sealed for one session and app does not
 * open for another. */

#define SEALED_MAX_BYTES	256	/* encoded output, NUL included */

/* Seals plain into out (base64url). Returns 0 or ERR_TOOBIG. */
int	sealed_seal(const unsigned char key[SECURE_KEY_BYTES], struct str plain,
	    struct str context, char out[SEALED_MAX_BYTES]);

/* Opens `sealed` into plain (size plainlen, NUL-terminated). Returns 0, or
 * ERR_AUTH for anything forged, altered, mis-bound or malformed. */
int	sealed_open(const unsigned char key[SECURE_KEY_BYTES],
	    struct str sealed, struct str context, char *plain,
	    size_t plainlen);

/* The same for values of any length (a private signing key's PKCS#8 DER,
 * core/signing_keys.c): the sealed text (base64url) appended to out. */
void	sealed_seal_buf(const unsigned char key[SECURE_KEY_BYTES],
	    struct str plain, struct str context, struct buf *out);
/* Opens it into a malloc'd *plain of *len bytes (wipe and free it).
 * Returns 0 or ERR_AUTH. */
int	sealed_open_alloc(const unsigned char key[SECURE_KEY_BYTES],
	    struct str sealed, struct str context, unsigned char **plain,
	    size_t *len);

#endif
