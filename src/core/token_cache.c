/* The token cache: a set-associative table (WAYS entries per set, the
 * oldest replaced), sets chosen by the token hash, which is uniform
 * already. Locks are striped over the sets. Invalidation is an epoch: an
 * entry read from the store under an older epoch no longer hits. */
#include "core/token_cache.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/mem.h"

#define WAYS	4
#define LOCKS	64

struct entry {
	unsigned char	 hash[SECURE_HASH_BYTES];
	bool		 full;
	uint64_t	 epoch;		/* when read from the store */
	uint64_t	 stamp;		/* higher is newer, for replacement */
	int64_t		 written;
	struct token_row row;
};

struct token_cache {
	size_t		 nsets;		/* a power of two */
	struct entry	*entries;	/* nsets * WAYS */
	pthread_mutex_t	 locks[LOCKS];
	_Atomic uint64_t epoch;
	_Atomic uint64_t stamp;
	_Atomic int64_t	 trusted_until_ms;
};

struct token_cache *
token_cache_new(size_t capacity)
{
	struct token_cache *c;
	size_t nsets = 1;

	if (capacity == 0)
		return NULL;
	while (nsets * WAYS < capacity)
		nsets <<= 1;
	c = xcalloc(1, sizeof(*c));
	c->nsets = nsets;
	c->entries = xcalloc(nsets * WAYS, sizeof(*c->entries));
	for (int i = 0; i < LOCKS; i++)
		pthread_mutex_init(&c->locks[i], NULL);
	atomic_init(&c->epoch, 1);
	atomic_init(&c->stamp, 1);
	atomic_init(&c->trusted_until_ms, 0);
	return c;
}

void
token_cache_free(struct token_cache *c)
{
	if (c == NULL)
		return;
	for (int i = 0; i < LOCKS; i++)
		pthread_mutex_destroy(&c->locks[i]);
	free(c->entries);
	free(c);
}

static int64_t
monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static size_t
set_of(const struct token_cache *c, const unsigned char *hash)
{
	uint64_t h;

	memcpy(&h, hash, sizeof(h));
	return (size_t)h & (c->nsets - 1);
}

/* The entry of `hash` in its set, or NULL; the set's lock is held. */
static struct entry *
find(struct token_cache *c, size_t set, const unsigned char *hash)
{
	struct entry *e = &c->entries[set * WAYS];

	for (int i = 0; i < WAYS; i++)
		if (e[i].full && memcmp(e[i].hash, hash,
		    SECURE_HASH_BYTES) == 0)
			return &e[i];
	return NULL;
}

static pthread_mutex_t *
lock_of(struct token_cache *c, size_t set)
{
	return &c->locks[set % LOCKS];
}

bool
token_cache_get(struct token_cache *c,
    const unsigned char hash[SECURE_HASH_BYTES],
    struct cache_lookup *out)
{
	struct entry *e;
	size_t set;
	bool hit = false;

	out->known_use = 0;
	out->epoch = 0;
	if (c == NULL)
		return false;
	set = set_of(c, hash);
	pthread_mutex_lock(lock_of(c, set));
	out->epoch = atomic_load(&c->epoch);
	if ((e = find(c, set, hash)) != NULL) {
		hit = e->epoch == out->epoch && monotonic_ms() <
		    atomic_load(&c->trusted_until_ms);
		if (hit) {
			out->row = e->row;
			out->written = e->written;
		}
		out->known_use = e->row.last_used;
	}
	pthread_mutex_unlock(lock_of(c, set));
	return hit;
}

void
token_cache_put(struct token_cache *c,
    const unsigned char hash[SECURE_HASH_BYTES],
    const struct token_row *row, int64_t written, uint64_t epoch)
{
	struct entry *e, *set_entries;
	int64_t last_used = 0;
	size_t set;

	if (c == NULL)
		return;
	set = set_of(c, hash);
	pthread_mutex_lock(lock_of(c, set));
	if ((e = find(c, set, hash)) != NULL) {
		/* keep the later of two uses noted meanwhile */
		last_used = e->row.last_used;
		if (e->written > written)
			written = e->written;
	} else {
		set_entries = &c->entries[set * WAYS];
		e = &set_entries[0];
		for (int i = 1; i < WAYS && e->full; i++)
			if (!set_entries[i].full ||
			    set_entries[i].stamp < e->stamp)
				e = &set_entries[i];
		memcpy(e->hash, hash, SECURE_HASH_BYTES);
		e->full = true;
	}
	e->row = *row;
	if (last_used > e->row.last_used)
		e->row.last_used = last_used;
	e->written = written;
	e->epoch = epoch;
	e->stamp = atomic_fetch_add(&c->stamp, 1);
	pthread_mutex_unlock(lock_of(c, set));
}

void
token_cache_note_use(struct token_cache *c,
    const unsigned char hash[SECURE_HASH_BYTES],
    int64_t now, int64_t written)
{
	struct entry *e;
	size_t set;

	if (c == NULL)
		return;
	set = set_of(c, hash);
	pthread_mutex_lock(lock_of(c, set));
	if ((e = find(c, set, hash)) != NULL) {
		if (now > e->row.last_used)
			e->row.last_used = now;
		if (written > e->written)
			e->written = written;
	}
	pthread_mutex_unlock(lock_of(c, set));
}

void
token_cache_invalidate(struct token_cache *c)
{
	if (c != NULL)
		atomic_fetch_add(&c->epoch, 1);
}

void
token_cache_drop(void *c)
{
	token_cache_invalidate(c);
}

void
token_cache_trust_until(struct token_cache *c, int64_t until_ms)
{
	if (c != NULL)
		atomic_store(&c->trusted_until_ms, until_ms);
}
