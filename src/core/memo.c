#include "core/memo.h"

#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"

struct slot {
	uint64_t	 epoch;		/* 0: empty */
	size_t		 klen, vlen;
	/* then key_max + value_max bytes */
};

struct memo {
	pthread_mutex_t	 lock;
	size_t		 slots, key_max, value_max, stride;
	unsigned char	*mem;
};

struct memo *
memo_new(size_t slots, size_t key_max, size_t value_max)
{
	struct memo *m = xcalloc(1, sizeof(*m));

	pthread_mutex_init(&m->lock, NULL);
	m->slots = slots;
	m->key_max = key_max;
	m->value_max = value_max;
	m->stride = (sizeof(struct slot) + key_max + value_max + 7) & ~7u;
	m->mem = xcalloc(slots, m->stride);
	return m;
}

void
memo_free(struct memo *m)
{
	if (m == NULL)
		return;
	pthread_mutex_destroy(&m->lock);
	/* values may be secrets' hashes */
	sodium_memzero(m->mem, m->slots * m->stride);
	free(m->mem);
	free(m);
}

static struct slot *
slot_of(const struct memo *m, const void *key, size_t klen)
{
	const unsigned char *k = key;
	uint64_t h = 1469598103934665603ULL;	/* FNV-1a */

	for (size_t i = 0; i < klen; i++)
		h = (h ^ k[i]) * 1099511628211ULL;
	return (struct slot *)(m->mem + (h % m->slots) * m->stride);
}

bool
memo_get(struct memo *m, const void *key, size_t klen, uint64_t epoch,
    void *value, size_t *len)
{
	struct slot *s;
	unsigned char *bytes;
	bool hit;

	if (m == NULL || epoch == 0 || klen > m->key_max)
		return false;
	s = slot_of(m, key, klen);
	bytes = (unsigned char *)(s + 1);
	pthread_mutex_lock(&m->lock);
	hit = s->epoch == epoch && s->klen == klen &&
	    memcmp(bytes, key, klen) == 0;
	if (hit) {
		memcpy(value, bytes + m->key_max, s->vlen);
		*len = s->vlen;
	}
	pthread_mutex_unlock(&m->lock);
	return hit;
}

void
memo_put(struct memo *m, const void *key, size_t klen, uint64_t epoch,
    const void *value, size_t len)
{
	struct slot *s;
	unsigned char *bytes;

	if (m == NULL || epoch == 0 || klen > m->key_max ||
	    len > m->value_max)
		return;
	s = slot_of(m, key, klen);
	bytes = (unsigned char *)(s + 1);
	pthread_mutex_lock(&m->lock);
	s->epoch = epoch;
	s->klen = klen;
	s->vlen = len;
	memcpy(bytes, key, klen);
	memcpy(bytes + m->key_max, value, len);
	pthread_mutex_unlock(&m->lock);
}
