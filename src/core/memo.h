#ifndef KEYGATE_CORE_MEMO_H
#define KEYGATE_CORE_MEMO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A small direct-mapped memo of store reads: a key's slot is chosen by its
 * hash, and a newer key replaces an older one there. Each entry carries
 * the epoch it was read under and hits only under that epoch (0 never
 * hits): token_cache_vouched() gives one that moves whenever the store's
 * revision does. A NULL memo is valid: every lookup misses. */
struct memo;

struct memo *memo_new(size_t slots, size_t key_max, size_t value_max);
void	memo_free(struct memo *m);

/* True on a hit: the value is copied to value (value_max bytes), its
 * length to *len. */
bool	memo_get(struct memo *m, const void *key, size_t klen, uint64_t epoch,
	    void *value, size_t *len);
/* Keys or values longer than the memo's maxima are not kept. */
void	memo_put(struct memo *m, const void *key, size_t klen, uint64_t epoch,
	    const void *value, size_t len);

#endif
