#include "core/jws_alg.h"

#include "base/err.h"

static const char *const names[JWS_ALG_COUNT] = {
	[JWS_RS256] = "RS256",
	[JWS_ES256] = "ES256",
	[JWS_EDDSA] = "EdDSA",
};

const char *
jws_alg_name(enum jws_alg alg)
{
	return (unsigned)alg < JWS_ALG_COUNT ? names[alg] : "?";
}

/* Exact and case-sensitive (RFC 7515 §4.1.1): "none", "rs256" and every
 * other name are refused. */
int
jws_alg_parse(struct str name, enum jws_alg *alg)
{
	for (int i = 0; i < JWS_ALG_COUNT; i++)
		if (str_eq_lit(name, names[i])) {
			*alg = (enum jws_alg)i;
			return 0;
		}
	return ERR_INVALID;
}
