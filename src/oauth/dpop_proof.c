/* The DPoP proof of a token request (RFC 9449 §5, §8; docs/REFERENCE.md
 * §17.2). */
#include "oauth/oauth.h"

#include <string.h>

#include "base/clock.h"
#include "core/dpop.h"

bool
oauth_dpop_proof(struct request *req, struct response *res,
    const struct app_row *app, const char *path, struct token_proof *buf,
    const struct token_proof **proof)
{
	struct keygate *kg = req->kg;
	char nonce[DPOP_NONCE_MAX_BYTES + 1], *htu;
	size_t ilen = strlen(kg->cfg->issuer), plen = strlen(path);
	struct dpop_want want = { .htm = "POST", .where = DPOP_AT_TOKEN };
	const char *why = NULL;
	size_t n = request_header_count(req, "DPoP");
	int64_t now = clock_now(kg->clock);
	int rc;

	*proof = NULL;
	if (n == 0 && !app->dpop_bound)
		return true;
	/* RFC 9449 §5.2 leaves the error of a missing proof open: the
	 * client's proof is what is wrong, so it is the proof's error */
	if (n == 0) {
		oauth_error(res, 400, "invalid_dpop_proof", "This application "
		    "requires DPoP: send a DPoP proof.");
		return false;
	}
	if (n > 1) {
		oauth_error(res, 400, "invalid_dpop_proof", "Send one DPoP "
		    "header.");
		return false;
	}
	htu = arena_alloc(req->arena, ilen + plen);
	memcpy(htu, kg->cfg->issuer, ilen);
	memcpy(htu + ilen, path, plen);
	want.htu = (struct str){ htu, ilen + plen };
	rc = dpop_check(kg, request_header(req, "DPoP"), &want, now,
	    buf->jkt, &why);
	if (rc == 0) {
		*proof = buf;
		return true;
	}
	if (rc == DPOP_NONCE) {
		dpop_nonce(kg, now, nonce);
		response_header(res, "DPoP-Nonce", nonce);
		oauth_error(res, 400, "use_dpop_nonce", "Send a DPoP proof "
		    "with the nonce of the DPoP-Nonce header.");
	} else if (rc == DPOP_INVALID) {
		oauth_error(res, 400, "invalid_dpop_proof", why);
	} else {
		oauth_error(res, 503, "temporarily_unavailable",
		    "The data store cannot be reached; try again soon.");
	}
	return false;
}
