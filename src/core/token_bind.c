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
	if (parent->bound && proof == NULL)
		return "The refresh token is DPoP-bound: send a DPoP proof by "
		    "its key.";
	/* thumbprints are public: no need for a constant-time compare, but
	 * it costs nothing */
	if (parent->bound && sodium_memcmp(parent->jkt, proof->jkt,
	    sizeof(parent->jkt)) != 0)
		return "The DPoP proof key does not match the refresh "
		    "token's.";
	/* a binding, once made, stays for the family's refresh tokens; a
	 * public client's refresh token is bound from its first proof on */
	bind(is, parent->bound || public_client, proof);
	return NULL;
}
