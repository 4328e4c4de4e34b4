#ifndef KEYGATE_CORE_TOKEN_BIND_H
#define KEYGATE_CORE_TOKEN_BIND_H

#include <stdbool.h>

#include "store/rows.h"

/* Which tokens a token request's DPoP proof binds (RFC 9449 §5;
 * docs/REFERENCE.md §17.2), as pure rules over the issue being written:
 * the access token to the proof's key whenever there is a proof; the
 * refresh token only for a public client (a confidential one proves
 * itself with its secret, and may change keys); a bound refresh token
 * rotated only with a proof by its own key, its binding kept; a code
 * bound to a key (RFC 9449 §10) exchanged only with a proof by it. */

/* The key a token request proved: the RFC 7638 thumbprint dpop_check()
 * gave. A request without a proof passes NULL. */
struct token_proof {
	unsigned char	 jkt[SECURE_HASH_BYTES];
};

/* A new family's pair (a code's, a device grant's) for `app`. */
void	token_bind_new(struct issue *is, const struct app_row *app,
	    const struct token_proof *proof);

/* A rotation of `parent` by a client public or not: NULL when it may go
 * on (`is` bound as it must be), else why not (invalid_grant's
 * error_description). */
const char *token_bind_rotation(struct issue *is, bool public_client,
	    const struct token_row *parent, const struct token_proof *proof);

/* Whether `proof` may exchange code `c`: NULL, or why not
 * (invalid_grant's error_description). */
const char *token_bind_code(const struct code_row *c,
	    const struct token_proof *proof);

#endif
