#ifndef KEYGATE_CORE_IDTOKEN_H
#define KEYGATE_CORE_IDTOKEN_H

#include <stdint.h>

#include "core/keygate.h"
#include "core/signing.h"
#include "core/tokens.h"
#include "base/buf.h"
#include "base/str.h"

/* OpenID Connect's id_token (docs/REFERENCE.md §14.2): the claims of a token
 * answer whose scope holds openid, signed with the app's algorithm, and
 * the reading of one sent back as /oauth2/logout's id_token_hint. */

#define IDTOKEN_LIFETIME_S	600
/* The most an id_token_hint may be (claims of a few hundred bytes, an RSA
 * signature, base64url): far more than any keygate signs. */
#define IDTOKEN_MAX_BYTES	8192

/* The app's id_token_signed_response_alg; RS256 for a row that has none. */
enum jws_alg	idtoken_alg(const char *name);

/* Appends the compact JWS of the id_token for `pair`, issued to the app
 * whose API key is `aud` and which signs with `alg`, to out. The email
 * claims are read through the accounts memo. Returns 0, ERR_NOTFOUND (the
 * account is gone) or ERR_STORE. */
int	idtoken_make(struct keygate *kg, const char *aud, enum jws_alg alg,
	    const struct token_pair *pair, struct buf *out);

/* An id_token_hint, read: signed by one of keygate's published keys, iss
 * this issuer, with an aud and a decimal sub. exp is not checked (an
 * expired token is still a fine hint, OpenID RP-Initiated Logout §2). */
struct idtoken_hint {
	char	 aud[APP_API_KEY_MAX_BYTES + 1];
	int64_t	 sub;
};
/* Returns 0 or ERR_AUTH. */
int	idtoken_read_hint(struct keygate *kg, struct str jws,
	    struct idtoken_hint *out);

#endif
