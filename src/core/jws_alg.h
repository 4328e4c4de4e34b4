#ifndef KEYGATE_CORE_JWS_ALG_H
#define KEYGATE_CORE_JWS_ALG_H

#include "base/str.h"

/* The JWS algorithms of id_tokens (docs/REFERENCE.md §9), apart from
 * signing.h so that the modules below it (signing_keys.c, jose.c) name
 * them without depending on it. */
enum jws_alg { JWS_RS256, JWS_ES256, JWS_EDDSA, JWS_ALG_COUNT };

/* "RS256", "ES256", "EdDSA". */
const char	*jws_alg_name(enum jws_alg alg);
/* Returns 0 (*alg set) or ERR_INVALID for a name not above. */
int		 jws_alg_parse(struct str name, enum jws_alg *alg);

#endif
