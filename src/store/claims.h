#ifndef KEYGATE_STORE_CLAIMS_H
#define KEYGATE_STORE_CLAIMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/secure.h"

/* most jobs in one group commit, on either backend */
#define STORE_GROUP_MAX	256

/* The parents rotated by a group commit's thread, each with the number of
 * the commit that rotated it. Two rotations of one parent that overlap in
 * time are a race (the loser is refused, the family lives on), not a
 * replay (which ends the family): when each request read its parent
 * itself, the loser had read it unused. Inside the group commit the
 * loser reads the winner's write; so a rotation queued when `after`
 * commits had finished races every rotation of its parent by a later
 * commit, however many groups the queue held between them. */
struct rotation_claim {
	unsigned char	 parent[SECURE_HASH_BYTES];
	uint64_t	 commit;
};

struct rotation_claims {
	struct rotation_claim	*v;
	size_t			 n, cap;
	uint64_t		 committed;	/* commits finished so far */
};

void	claims_free(struct rotation_claims *c);
/* Whether a rotation of `parent` queued when `after` commits had finished
 * races one already claimed. */
bool	claims_raced(const struct rotation_claims *c,
	    const unsigned char parent[SECURE_HASH_BYTES], uint64_t after);
/* Records a rotation of `parent` by the commit being built. */
void	claims_add(struct rotation_claims *c,
	    const unsigned char parent[SECURE_HASH_BYTES]);
/* A mark of the claims so far, and the undoing of those made after it
 * (their transaction wrote nothing). */
size_t	claims_mark(const struct rotation_claims *c);
void	claims_undo(struct rotation_claims *c, size_t mark);
/* Closes the commit being built: `committed` false when it wrote nothing
 * (its claims undone). */
void	claims_close(struct rotation_claims *c, bool committed);
/* Forgets the claims no waiting rotation can race: those of commits that
 * had finished when the oldest one waiting (queued after `oldest_after`
 * commits) was queued. */
void	claims_prune(struct rotation_claims *c, uint64_t oldest_after);

#endif
