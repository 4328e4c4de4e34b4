/* Rotations claimed by a group commit (claims.h). */
#include "store/claims.h"

#include <string.h>

bool
claims_raced(const struct rotation_claims *c,
    const unsigned char parent[SECURE_HASH_BYTES], uint64_t after)
{
	for (int k = 0; k < 2; k++) {
		if (k != c->cur && after >= c->committed)
			continue;
		for (size_t i = 0; i < c->n[k]; i++)
			if (memcmp(c->key[k][i], parent,
			    SECURE_HASH_BYTES) == 0)
				return true;
	}
	return false;
}

void
claims_add(struct rotation_claims *c,
    const unsigned char parent[SECURE_HASH_BYTES])
{
	if (c->n[c->cur] < STORE_GROUP_MAX)
		memcpy(c->key[c->cur][c->n[c->cur]++], parent,
		    SECURE_HASH_BYTES);
}

size_t
claims_mark(const struct rotation_claims *c)
{
	return c->n[c->cur];
}

void
claims_undo(struct rotation_claims *c, size_t mark)
{
	if (mark < c->n[c->cur])
		c->n[c->cur] = mark;
}

void
claims_close(struct rotation_claims *c, bool committed)
{
	if (committed) {
		c->committed++;
		c->cur ^= 1;
	}
	c->n[c->cur] = 0;
}
