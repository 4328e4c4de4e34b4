#ifndef KEYGATE_CORE_USES_H
#define KEYGATE_CORE_USES_H

#include <stdint.h>

#include "store/store.h"

/* Uses of access tokens waiting to be written: a bearer check records its
 * use here instead of writing it at once, and the keeper thread writes
 * them in batches (one transaction each, in hash order). At most
 * USES_MAX_PENDING wait; beyond that a use is written on the spot, so
 * none is ever dropped for want of room. */
struct uses;

#define USES_MAX_PENDING	65536

struct uses	*uses_new(struct store *st);
/* Writes what is pending, then frees. */
void		 uses_free(struct uses *u);

/* Queues the use of token `hash` at `now`. Returns 0, or an ERR_* code
 * when the queue was full and writing it on the spot failed. */
int		 uses_record(struct uses *u,
		    const unsigned char hash[SECURE_HASH_BYTES], int64_t now);
/* Writes every pending use (a NULL u has none). On failure they stay queued (as room allows)
 * for the next flush and the ERR_* code is returned. */
int		 uses_flush(struct uses *u);

#endif
