#include "core/throttle.h"

#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/limits.h"
#include "core/mem.h"

/* Twice the key limit keeps linear probing short. */
#define SLOTS	(2 * THROTTLE_MAX_KEYS)

struct slot {
	uint64_t	 h;		/* 0 = empty */
	int64_t		 window_end;
	int64_t		 count;
};

struct throttle {
	pthread_mutex_t	 lock;
	unsigned char	 key[crypto_shorthash_KEYBYTES];
	size_t		 used;
	struct slot	 slots[SLOTS];
};

struct throttle *
throttle_new(void)
{
	struct throttle *t = xcalloc(1, sizeof(*t));

	pthread_mutex_init(&t->lock, NULL);
	crypto_shorthash_keygen(t->key);
	return t;
}

void
throttle_free(struct throttle *t)
{
	if (t == NULL)
		return;
	pthread_mutex_destroy(&t->lock);
	free(t);
}

static uint64_t
hash_key(const struct throttle *t, struct str key)
{
	uint64_t h;

	crypto_shorthash((unsigned char *)&h, (const unsigned char *)key.p,
	    key.len, t->key);
	return h == 0 ? 1 : h;
}

/* Empties the table of windows that have ended, by rehashing what is left.
 * Runs under the lock only when the table is full. */
static void
sweep(struct throttle *t, int64_t now)
{
	struct slot *old = xmalloc(sizeof(t->slots));

	memcpy(old, t->slots, sizeof(t->slots));
	memset(t->slots, 0, sizeof(t->slots));
	t->used = 0;
	for (size_t i = 0; i < SLOTS; i++) {
		size_t j;

		if (old[i].h == 0 || old[i].window_end <= now)
			continue;
		for (j = old[i].h % SLOTS; t->slots[j].h != 0;
		    j = (j + 1) % SLOTS)
			;
		t->slots[j] = old[i];
		t->used++;
	}
	free(old);
}

/* The slot for h, or the empty slot where it would go. */
static struct slot *
find(struct throttle *t, uint64_t h)
{
	size_t j;

	for (j = h % SLOTS; t->slots[j].h != 0 && t->slots[j].h != h;
	    j = (j + 1) % SLOTS)
		;
	return &t->slots[j];
}

int
throttle_check(struct throttle *t, struct str key, int64_t limit,
    int64_t now, int64_t *retry_after_s)
{
	uint64_t h = hash_key(t, key);
	struct slot *s;
	int rc = 0;

	pthread_mutex_lock(&t->lock);
	s = find(t, h);
	if (s->h == h && s->window_end > now && s->count >= limit) {
		*retry_after_s = s->window_end - now;
		rc = ERR_THROTTLED;
	}
	pthread_mutex_unlock(&t->lock);
	return rc;
}

void
throttle_hit(struct throttle *t, struct str key, int64_t window_s,
    int64_t now)
{
	uint64_t h = hash_key(t, key);
	struct slot *s;

	pthread_mutex_lock(&t->lock);
	s = find(t, h);
	if (s->h == 0) {
		if (t->used >= THROTTLE_MAX_KEYS) {
			sweep(t, now);
			/* Still full under a flood: start over rather than
			 * grow without bound. */
			if (t->used >= THROTTLE_MAX_KEYS) {
				memset(t->slots, 0, sizeof(t->slots));
				t->used = 0;
			}
			s = find(t, h);
		}
		s->h = h;
		s->count = 0;
		s->window_end = 0;
		t->used++;
	}
	if (s->window_end <= now) {
		s->window_end = now + window_s;
		s->count = 0;
	}
	s->count++;
	pthread_mutex_unlock(&t->lock);
}

void
throttle_clear(struct throttle *t, struct str key)
{
	uint64_t h = hash_key(t, key);
	struct slot *s;

	pthread_mutex_lock(&t->lock);
	s = find(t, h);
	/* Keep the slot (deleting would break probe chains); zero its count. */
	if (s->h == h)
		s->count = 0;
	pthread_mutex_unlock(&t->lock);
}
