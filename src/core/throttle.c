#include "core/throttle.h"

#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/metrics.h"
#include "core/limits.h"
#include "core/mem.h"

/* Twice the key limit keeps linear probing short. */
#define SLOTS	(2 * THROTTLE_MAX_KEYS)
/* How many occupied slots an eviction compares. */
#define EVICT_SAMPLE	16

struct slot {
	uint64_t	 h;		/* 0 = empty */
	int64_t		 window_end;
	int64_t		 count;
};

struct throttle {
	pthread_mutex_t	 lock;
	unsigned char	 key[crypto_shorthash_KEYBYTES];
	size_t		 used;
	int64_t		 next_sweep;	/* while full: no sweep before this */
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
		metrics_inc(METRIC_THROTTLED);
	}
	pthread_mutex_unlock(&t->lock);
	return rc;
}

/* Removes slot i, shifting later members of its probe run back so every
 * key stays reachable (deletion for linear probing, no tombstones). */
static void
remove_slot(struct throttle *t, size_t i)
{
	size_t j = i;

	for (;;) {
		size_t home;

		t->slots[i].h = 0;
		for (;;) {
			j = (j + 1) % SLOTS;
			if (t->slots[j].h == 0) {
				t->used--;
				return;
			}
			home = t->slots[j].h % SLOTS;
			/* Stay if home lies cyclically in (i, j]. */
			if (i <= j ? (i < home && home <= j) :
			    (i < home || home <= j))
				continue;
			break;
		}
		t->slots[i] = t->slots[j];
		i = j;
	}
}

/* Under a flood of live keys: evicts the lowest count among a few slots
 * picked by h. Flood keys hold a count of one or two, while accounts under
 * attack hold more, so theirs survive. */
static void
evict_one(struct throttle *t, uint64_t h)
{
	size_t best = SLOTS;

	for (size_t k = 0, j = (h >> 17) % SLOTS; k < SLOTS &&
	    (best == SLOTS || k < EVICT_SAMPLE); k++, j = (j + 1) % SLOTS)
		if (t->slots[j].h != 0 && (best == SLOTS ||
		    t->slots[j].count < t->slots[best].count))
			best = j;
	remove_slot(t, best);
}

/* A slot for new key h: the table never holds more than THROTTLE_MAX_KEYS. */
static struct slot *
claim(struct throttle *t, uint64_t h, int64_t now)
{
	if (t->used >= THROTTLE_MAX_KEYS && now >= t->next_sweep) {
		sweep(t, now);
		/* A sweep costs a pass over the table: once a second at
		 * most while a flood keeps it full. */
		if (t->used >= THROTTLE_MAX_KEYS)
			t->next_sweep = now + 1;
	}
	if (t->used >= THROTTLE_MAX_KEYS)
		evict_one(t, h);
	t->used++;
	return find(t, h);
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
		s = claim(t, h, now);
		s->h = h;
		s->count = 0;
		s->window_end = 0;
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
