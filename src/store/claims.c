/* Rotations claimed by a group commit (claims.h). The claims of the
 * commits the oldest waiting rotation may race are kept: usually the last
 * one or two, a few hundred entries, scanned in order. */
#include "store/claims.h"

#include <stdlib.h>
#include <string.h>

#include "base/mem.h"

void
claims_free(struct rotation_claims *c)
{
	free(c->v);
	memset(c, 0, sizeof(*c));
}

bool
claims_raced(const struct rotation_claims *c,
    const unsigned char parent[SECURE_HASH_BYTES], uint64_t after)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->v[i].commit > after && memcmp(c->v[i].parent, parent,
		    SECURE_HASH_BYTES) == 0)
			return true;
	return false;
}

void
claims_add(struct rotation_claims *c,
    const unsigned char parent[SECURE_HASH_BYTES])
{
	if (c->n == c->cap) {
		c->cap = c->cap > 0 ? 2 * c->cap : STORE_GROUP_MAX;
		c->v = xrealloc(c->v, c->cap * sizeof(*c->v));
	}
	memcpy(c->v[c->n].parent, parent, SECURE_HASH_BYTES);
	c->v[c->n++].commit = c->committed + 1;
}

size_t
claims_mark(const struct rotation_claims *c)
{
	return c->n;
}

void
claims_undo(struct rotation_claims *c, size_t mark)
{
	if (mark < c->n)
		c->n = mark;
}

void
claims_close(struct rotation_claims *c, bool committed)
{
	if (committed) {
		c->committed++;
		return;
	}
	while (c->n > 0 && c->v[c->n - 1].commit > c->committed)
		c->n--;
}

void
claims_prune(struct rotation_claims *c, uint64_t oldest_after)
{
	size_t keep = 0;

	/* claims are in commit order */
	while (keep < c->n && c->v[keep].commit <= oldest_after)
		keep++;
	if (keep == 0)
		return;
	memmove(c->v, c->v + keep, (c->n - keep) * sizeof(*c->v));
	c->n -= keep;
}
