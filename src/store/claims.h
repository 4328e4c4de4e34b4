#ifndef KEYGATE_STORE_CLAIMS_H
#define KEYGATE_STORE_CLAIMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/secure.h"

/* most jobs in one group commit, on either backend */
#define STORE_GROUP_MAX	256

/* The parents rotated by the group commit being built and by the last
 * one, kept by a group commit's thread. Two rotations of one parent that
 * overlap in time are a race (the loser is refused, the family lives on),
 * not a replay (which ends the family): when each request read its
 * parent itself, the loser had read it unused. Inside the group commit
 * the loser reads the winner's write; so a rotation queued before the
 * commit that rotated its parent had finished counts as raced. */
struct rotation_claims {
	unsigned char	 key[2][STORE_GROUP_MAX][SECURE_HASH_BYTES];
	size_t		 n[2];
	int		 cur;		/* the commit being built */
	uint64_t	 committed;	/* commits made so far */
};

/* Whether a rotation of `parent` queued when `after` commits had been
 * made races one already rotated (in the commit being built, or in the
 * last one, which had not finished when it was queued). */
bool	claims_raced(const struct rotation_claims *c,
	    const unsigned char parent[SECURE_HASH_BYTES], uint64_t after);
/* Records a rotation of `parent` in the commit being built. */
void	claims_add(struct rotation_claims *c,
	    const unsigned char parent[SECURE_HASH_BYTES]);
/* A mark of the claims so far in the commit being built, and the undoing
 * of those made after it (their transaction failed). */
size_t	claims_mark(const struct rotation_claims *c);
void	claims_undo(struct rotation_claims *c, size_t mark);
/* Closes the commit being built: one that failed rotated nothing. */
void	claims_close(struct rotation_claims *c, bool committed);

#endif
