#include "base/arena.h"

#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"

#define ARENA_CHUNK_BYTES	4096

struct chunk {
	struct chunk	*next;
	size_t		 used;
	size_t		 size;
	alignas(max_align_t) unsigned char data[];
};

struct arena {
	struct chunk	*head;
};

struct arena *
arena_new(void)
{
	return xcalloc(1, sizeof(struct arena));
}

void
arena_free(struct arena *a)
{
	struct chunk *c, *next;

	if (a == NULL)
		return;
	for (c = a->head; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	free(a);
}

void *
arena_alloc(struct arena *a, size_t n)
{
	const size_t align = alignof(max_align_t);
	struct chunk *c = a->head;
	size_t size;

	n = (n + align - 1) & ~(align - 1);
	if (c == NULL || c->size - c->used < n) {
		size = n > ARENA_CHUNK_BYTES ? n : ARENA_CHUNK_BYTES;
		c = xmalloc(sizeof(*c) + size);
		c->size = size;
		c->used = 0;
		c->next = a->head;
		a->head = c;
	}
	c->used += n;
	return c->data + c->used - n;
}

char *
arena_strdup(struct arena *a, struct str s)
{
	char *d = arena_alloc(a, s.len + 1);

	if (s.len > 0)
		memcpy(d, s.p, s.len);
	d[s.len] = '\0';
	return d;
}
