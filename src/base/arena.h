#ifndef KEYGATE_BASE_ARENA_H
#define KEYGATE_BASE_ARENA_H

#include <stddef.h>

#include "base/str.h"

/* A per-request bump allocator: many small allocations, one free at the end.
 * Allocation aborts on out-of-memory, like xmalloc. */
struct arena;

struct arena	*arena_new(void);
void		 arena_free(struct arena *a);
void		*arena_alloc(struct arena *a, size_t n);
/* Copies `s` into the arena with a terminating NUL. */
char		*arena_strdup(struct arena *a, struct str s);

#endif
