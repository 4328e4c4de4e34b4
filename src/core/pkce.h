#ifndef KEYGATE_CORE_PKCE_H
#define KEYGATE_CORE_PKCE_H

#include <stdbool.h>

#include "base/str.h"

/* PKCE (RFC 7636), S256 only. */

#define PKCE_CHALLENGE_LEN	43	/* base64url of SHA-256, no padding */

/* True for a challenge of exactly 43 base64url characters. */
bool	pkce_challenge_valid(struct str challenge);

/* True when `verifier` is well formed (43–128 of A-Z a-z 0-9 - . _ ~,
 * RFC 7636 §4.1) and its S256 transform equals `challenge` (constant
 * time). */
bool	pkce_verify(struct str verifier, struct str challenge);

#endif
