/* GET /oauth2/jwks (docs/REFERENCE.md §9.2): the signing keys' JWKS,
 * answered from memory (core/signing_keys.h). */
#include "oauth/oauth.h"

#include <stdio.h>

#include "core/signing.h"

/* the longest a JWKS may be cached: an hour */
#define JWKS_MAX_AGE_S	3600

/* A relying party that cached the JWKS must fetch it again before a key
 * it has not seen signs: half the publish delay leaves it time for one
 * more fetch when the first fails. */
static long long
max_age(const struct config *cfg)
{
	long long half = (long long)cfg->key_publish_delay_s / 2;

	return half < JWKS_MAX_AGE_S ? half : JWKS_MAX_AGE_S;
}

void
oauth_jwks(struct request *req, struct response *res)
{
	struct buf *b = response_json_body(res, 200);
	char cache[64];

	if (signing_jwks(req->kg, b) != 0) {
		response_json_error(res, 503, "temporarily_unavailable",
		    "the signing keys cannot be read");
		return;
	}
	snprintf(cache, sizeof(cache), "public, max-age=%lld",
	    max_age(req->kg->cfg));
	response_header(res, "Cache-Control", cache);
}
