#include "core/throttle.h"

#include <arpa/inet.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/log.h"
#include "base/metrics.h"
#include "base/limits.h"
#include "base/mem.h"

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
	struct store	*shared;	/* NULL: memory is the authority */
	unsigned char	 shared_key[SECURE_KEY_BYTES];
	int64_t		 next_expire;	/* shared: no expiry before this */
	size_t		 used;
	int64_t		 next_sweep;	/* while full: no sweep before this */
	struct slot	 slots[SLOTS];
};

struct throttle *
throttle_new(struct store *shared, const unsigned char key[SECURE_KEY_BYTES])
{
	struct throttle *t = xcalloc(1, sizeof(*t));

	pthread_mutex_init(&t->lock, NULL);
	crypto_shorthash_keygen(t->key);
	t->shared = shared;
	if (shared != NULL)
		memcpy(t->shared_key, key, sizeof(t->shared_key));
	return t;
}

void
throttle_free(struct throttle *t)
{
	if (t == NULL)
		return;
	pthread_mutex_destroy(&t->lock);
	sodium_memzero(t->shared_key, sizeof(t->shared_key));
	free(t);
}

void
throttle_addr(const char *addr, char out[THROTTLE_ADDR_BYTES])
{
	unsigned char a[16];
	char text[INET6_ADDRSTRLEN];

	snprintf(out, THROTTLE_ADDR_BYTES, "%s", addr);
	if (inet_pton(AF_INET6, addr, a) != 1)
		return;
	if (IN6_IS_ADDR_V4MAPPED((const struct in6_addr *)a)) {
		if (inet_ntop(AF_INET, a + 12, text, sizeof(text)) != NULL)
			snprintf(out, THROTTLE_ADDR_BYTES, "%s", text);
		return;
	}
	/* One subscriber gets a whole /64 and picks addresses in it at
	 * will: counting addresses would count nothing. */
	memset(a + THROTTLE_IPV6_PREFIX_BITS / 8, 0,
	    16 - THROTTLE_IPV6_PREFIX_BITS / 8);
	if (inet_ntop(AF_INET6, a, text, sizeof(text)) != NULL)
		snprintf(out, THROTTLE_ADDR_BYTES, "%s/%d", text,
		    THROTTLE_IPV6_PREFIX_BITS);
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

/* The slot for h, claimed (empty, window 0) if h has none. Under the
 * lock. */
static struct slot *
slot_for(struct throttle *t, uint64_t h, int64_t now)
{
	struct slot *s = find(t, h);

	if (s->h == 0) {
		s = claim(t, h, now);
		s->h = h;
		s->count = 0;
		s->window_end = 0;
	}
	return s;
}

/* Counts one event in memory; *s_out gets the slot's count and window. */
static void
hit_local(struct throttle *t, uint64_t h, int64_t window_s, int64_t now,
    struct slot *out)
{
	struct slot *s;

	pthread_mutex_lock(&t->lock);
	s = slot_for(t, h, now);
	if (s->window_end <= now) {
		s->window_end = now + window_s;
		s->count = 0;
	}
	s->count++;
	*out = *s;
	pthread_mutex_unlock(&t->lock);
}

/* Memory learns what the store answered for h. */
static void
mirror(struct throttle *t, uint64_t h, int64_t count, int64_t window_end,
    int64_t now)
{
	struct slot *s;

	pthread_mutex_lock(&t->lock);
	s = slot_for(t, h, now);
	s->count = count;
	s->window_end = window_end;
	pthread_mutex_unlock(&t->lock);
}

static void
store_key(const struct throttle *t, struct str key,
    unsigned char out[STORE_THROTTLE_KEY_BYTES])
{
	crypto_generichash(out, STORE_THROTTLE_KEY_BYTES,
	    (const unsigned char *)key.p, key.len, t->shared_key,
	    sizeof(t->shared_key));
}

/* Shared counters whose window ended are deleted by whichever node writes
 * first once THROTTLE_EXPIRE_INTERVAL_S has passed: no node's clock or
 * upkeep job has to be relied on, and the table stays near the live
 * keys. */
static void
expire(struct throttle *t, int64_t now)
{
	size_t removed;
	bool due;

	pthread_mutex_lock(&t->lock);
	due = now >= t->next_expire;
	if (due)
		t->next_expire = now + THROTTLE_EXPIRE_INTERVAL_S;
	pthread_mutex_unlock(&t->lock);
	if (due)
		store_throttle_expire(t->shared, now, THROTTLE_EXPIRE_BATCH,
		    &removed);
}

/* One event in the shared store; ERR_STORE leaves *c unset. */
static int
add_shared(struct throttle *t, struct throttle_ticket *tk, int64_t window_s,
    int64_t now, struct slot *c)
{
	int rc;

	expire(t, now);
	rc = store_throttle_add(t->shared, tk->key, now, window_s, &c->count,
	    &c->window_end);
	if (rc == 0)
		mirror(t, tk->h, c->count, c->window_end, now);
	return rc;
}

int
throttle_take(struct throttle *t, struct str key, int64_t limit,
    int64_t window_s, int64_t now, int64_t *retry_after_s,
    struct throttle_ticket *tk)
{
	struct slot c;
	int rc;

	memset(tk, 0, sizeof(*tk));
	tk->h = hash_key(t, key);
	if (t->shared != NULL) {
		store_key(t, key, tk->key);
		if ((rc = add_shared(t, tk, window_s, now, &c)) != 0)
			return rc;
	} else {
		hit_local(t, tk->h, window_s, now, &c);
	}
	tk->window_end = c.window_end;
	tk->held = true;
	if (c.count <= limit)
		return 0;
	/* Over the limit: this attempt is refused, so it is not one. */
	throttle_give_back(t, tk);
	*retry_after_s = c.window_end - now;
	metrics_inc(METRIC_THROTTLED);
	return ERR_THROTTLED;
}

void
throttle_give_back(struct throttle *t, struct throttle_ticket *tk)
{
	struct slot *s;

	if (!tk->held)
		return;
	tk->held = false;
	if (t->shared != NULL && store_throttle_undo(t->shared, tk->key,
	    tk->window_end) != 0)
		log_msg("warn", "throttle: a counted attempt could not be "
		    "taken back");
	pthread_mutex_lock(&t->lock);
	s = find(t, tk->h);
	if (s->h == tk->h && s->window_end == tk->window_end && s->count > 0)
		s->count--;
	pthread_mutex_unlock(&t->lock);
}

void
throttle_hit(struct throttle *t, struct str key, int64_t window_s,
    int64_t now)
{
	struct throttle_ticket tk;
	struct slot c;

	tk.h = hash_key(t, key);
	if (t->shared == NULL) {
		hit_local(t, tk.h, window_s, now, &c);
		return;
	}
	store_key(t, key, tk.key);
	/* The store out of reach: this node still counts on its own. */
	if (add_shared(t, &tk, window_s, now, &c) != 0)
		hit_local(t, tk.h, window_s, now, &c);
}

void
throttle_clear(struct throttle *t, struct str key)
{
	unsigned char skey[STORE_THROTTLE_KEY_BYTES];
	uint64_t h = hash_key(t, key);
	struct slot *s;

	if (t->shared != NULL) {
		store_key(t, key, skey);
		store_throttle_clear(t->shared, skey);
	}
	pthread_mutex_lock(&t->lock);
	s = find(t, h);
	/* Keep the slot (deleting would break probe chains); zero its count. */
	if (s->h == h)
		s->count = 0;
	pthread_mutex_unlock(&t->lock);
}
