/* A DPoP header's value (core/dpop.c, core/dpop_jwk.c): any bytes a
 * client sends, checked as at /oauth2/userinfo at a fixed time, with a
 * replay memory and nonces demanded for every other input. Input: the
 * proof. The seeds (tests/fuzz/corpus/dpop/) are real proofs of each
 * alg for that request and time, made with tests/http/dpopkit.py. */
#include "fuzz.h"

#include "core/dpop.h"
#include "core/keygate.h"

#define NOW	1700000000LL
#define HTU	"https://id.example.com/oauth2/userinfo"
#define TOKEN	"kga_fuzz-access-token"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct keygate kg;
	static struct config cfg;
	static const struct dpop_want want = { "GET", { HTU, sizeof(HTU) - 1 },
	    { TOKEN, sizeof(TOKEN) - 1 }, DPOP_AT_RESOURCE, NULL };
	unsigned char jkt[DPOP_JKT_BYTES];
	const char *why = NULL;
	int rc;

	if (kg.dpop == NULL) {
		FUZZ_CHECK(secure_init() == 0);
		kg.cfg = &cfg;
		kg.dpop = dpop_replay_new(4096);
	}
	cfg.dpop_nonce = size % 2 == 1;
	rc = dpop_check(&kg, (struct str){ (const char *)data, size }, &want,
	    NOW, jkt, &why);
	/* no store: never its failure; every refusal says why */
	FUZZ_CHECK(rc == 0 || rc == DPOP_INVALID || rc == DPOP_NONCE);
	FUZZ_CHECK(rc == 0 || why != NULL);
	return 0;
}
