#include "core/token_bind.h"

#include <sodium.h>
#include <string.h>

static void
bind(struct issue *is, bool refresh, const struct token_proof *proof)
{
	is->access_bound = proof != NULL;
	is->refresh_bound = proof != NULL && refresh;
	if (proof != NULL)
		memcpy(is->jkt, proof->jkt, sizeof(is->jkt));
	else
		memset(is->jkt, 0, sizeof(is->jkt));
}

/* An issue bound to `jkt` (when bound) goes on only with a proof by that
 * key. Thumbprints are public: no need for a constant-time compare, but
 * it costs nothing. */
static bool
key_proved(bool bound, const unsigned char jkt[SECURE_HASH_BYTES],
    const struct token_proof *proof)
{
	return !bound || (proof != NULL &&
	    sodium_memcmp(jkt, proof->jkt, SECURE_HASH_BYTES) == 0);
}

void
token_bind_new(struct issue *is, const struct app_row *app,
    const struct token_proof *proof)
{
	bind(is, !app->has_secret, proof);
}

const char *
token_bind_rotation(struct issue *is, bool public_client,
    const struct token_row *parent, const struct token_proof *proof)
{
	if (!key_proved(parent->bound, parent->jkt, proof))
		return proof == NULL ? "The refresh token is DPoP-bound: send "
		    "a DPoP proof by its key." : "The DPoP proof key does not "
		    "match the refresh token's.";
	/* a binding, once made, stays for the family's refresh tokens; a
	 * public client's refresh token is bound from its first proof on */
	bind(is, parent->bound || public_client, proof);
	return NULL;
}

const char *
token_bind_code(const struct code_row *c, const struct token_proof *proof)
{
	return key_proved(c->bound, c->jkt, proof) ? NULL : "The code is "
	    "bound to a DPoP key: send a DPoP proof by that key (the one "
	    "dpop_jkt or the pushed request's proof named).";
}
