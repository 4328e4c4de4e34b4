/* The token cache. Sized to hold every live token a node serves, so a slot
 * is kept small: 44 bytes, the app's API key held once per app in a side
 * table. A token may live in either of two sets of WAYS slots, both
 * chosen by its hash; when both are full, the slot least recently active
 * (issued or used) is replaced. Two choices keep a cache that is 90% full
 * from losing rows to crowded sets. The two sets of a token always fall
 * under the same lock stripe. Invalidation is an epoch: a slot read from
 * the store under an older epoch no longer hits.
 * A DPoP-bound token (docs/REFERENCE.md §17.2) has BOUND_BIT in its slot
 * and its thumbprint in its stripe's map of bound tokens, by tag: the
 * slot stays 44 bytes, a Bearer check pays one bit test, a bound one one
 * probe of a small map under the lock it holds anyway. A bound slot
 * whose map entry is missing is a miss, never an unbound hit. */
#include "core/token_cache.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/mem.h"
#include "core/scopes.h"

#define WAYS		8
#define LOCKS		64
#define TAG_BYTES	16	/* 128 bits of SHA-256: no forgeable match */

#define APP_BITS	23
#define APP_MASK	((1u << APP_BITS) - 1)
#define BOUND_BIT	(1u << APP_BITS)
#define REVOKED_BIT	(1u << 31)

struct slot {
	unsigned char	 tag[TAG_BYTES];
	uint32_t	 account;
	uint32_t	 meta;		/* app index + 1 | bound | revoked;
					 * 0: the slot is empty */
	uint32_t	 scope;		/* scopes and audiences (scopes.h) */
	uint32_t	 epoch;		/* when read from the store */
	uint32_t	 iat;		/* seconds, as are the next two */
	uint32_t	 last_used;
	uint32_t	 written;
};

_Static_assert(sizeof(struct slot) == 44, "a slot is 44 bytes");

struct app_key {
	int64_t		 id;
	char		 api_key[APP_API_KEY_MAX_BYTES + 1];
};

/* A bound token's thumbprint, under its slot's tag. */
struct bound_entry {
	unsigned char	 tag[TAG_BYTES];
	unsigned char	 jkt[SECURE_HASH_BYTES];
	bool		 used;
};

/* Open addressing with linear probing; cap a power of two (0: none yet),
 * at most half full. */
struct bound_map {
	struct bound_entry *e;
	uint32_t	 cap, n;
};

struct token_cache {
	size_t		 nsets;		/* a multiple of LOCKS */
	struct slot	*slots;		/* nsets * WAYS */
	pthread_mutex_t	 locks[LOCKS];
	struct bound_map bound[LOCKS];	/* each under its stripe's lock */
	_Atomic uint64_t epoch;	/* slots keep its low 32 bits */
	_Atomic int64_t	 trusted_until_ms;
	/* apps by index; ids found through a small open-addressed table */
	pthread_rwlock_t apps_lock;
	struct app_key	*apps;
	uint32_t	 napps, apps_cap;
	uint32_t	*app_index;	/* index + 1, 0: empty */
	uint32_t	 index_size;	/* a power of two */
};

struct token_cache *
token_cache_new(size_t capacity)
{
	struct token_cache *c;
	size_t per = (size_t)LOCKS * WAYS;

	if (capacity == 0)
		return NULL;
	c = xcalloc(1, sizeof(*c));
	c->nsets = (capacity + per - 1) / per * LOCKS;
	if (c->nsets < 2 * LOCKS)
		c->nsets = 2 * LOCKS;	/* room for a second choice */
	/* calloc'd pages are only resident once written: an empty cache
	 * costs no memory */
	c->slots = xcalloc(c->nsets * WAYS, sizeof(*c->slots));
	for (int i = 0; i < LOCKS; i++)
		pthread_mutex_init(&c->locks[i], NULL);
	pthread_rwlock_init(&c->apps_lock, NULL);
	atomic_init(&c->epoch, 1);
	atomic_init(&c->trusted_until_ms, 0);
	return c;
}

void
token_cache_free(struct token_cache *c)
{
	if (c == NULL)
		return;
	for (int i = 0; i < LOCKS; i++) {
		pthread_mutex_destroy(&c->locks[i]);
		free(c->bound[i].e);
	}
	pthread_rwlock_destroy(&c->apps_lock);
	free(c->slots);
	free(c->apps);
	free(c->app_index);
	free(c);
}

static uint64_t
mix64(uint64_t x)
{
	/* splitmix64's finalizer: hashes with structure (tests, sorted
	 * lists) spread as well as random ones */
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* The part of a storage key a slot keeps: its last TAG_BYTES, which are
 * SHA-256 output in both key forms (secure_token_key(); the first bytes
 * of a sorted key are a time that any forger may choose). */
static const unsigned char *
tag_of(const unsigned char hash[SECURE_HASH_BYTES])
{
	return hash + SECURE_HASH_BYTES - TAG_BYTES;
}

static uint32_t
bound_home(const struct bound_map *m, const unsigned char *tag)
{
	uint64_t a;

	memcpy(&a, tag, sizeof(a));
	return (uint32_t)mix64(a) & (m->cap - 1);
}

/* The entry of `tag`, or the empty one where it would go. */
static struct bound_entry *
bound_pos(const struct bound_map *m, const unsigned char *tag)
{
	uint32_t i = bound_home(m, tag);

	while (m->e[i].used && memcmp(m->e[i].tag, tag, TAG_BYTES) != 0)
		i = (i + 1) & (m->cap - 1);
	return &m->e[i];
}

static const unsigned char *
bound_get(const struct bound_map *m, const unsigned char *tag)
{
	const struct bound_entry *e;

	if (m->cap == 0)
		return NULL;
	e = bound_pos(m, tag);
	return e->used ? e->jkt : NULL;
}

static void
bound_put(struct bound_map *m, const unsigned char *tag,
    const unsigned char *jkt)
{
	struct bound_entry *e, *old = m->e;
	uint32_t ocap = m->cap;

	if ((m->n + 1) * 2 > m->cap) {
		m->cap = ocap ? ocap * 2 : 16;
		m->e = xcalloc(m->cap, sizeof(*m->e));
		for (uint32_t i = 0; i < ocap; i++)
			if (old[i].used)
				*bound_pos(m, old[i].tag) = old[i];
		free(old);
	}
	e = bound_pos(m, tag);
	if (!e->used) {
		memcpy(e->tag, tag, TAG_BYTES);
		e->used = true;
		m->n++;
	}
	memcpy(e->jkt, jkt, SECURE_HASH_BYTES);
}

/* Removes `tag`, shifting back the entries after it that it displaced,
 * so that no probe stops early at the hole. */
static void
bound_del(struct bound_map *m, const unsigned char *tag)
{
	uint32_t mask = m->cap - 1, hole, i, home;

	if (m->cap == 0 || !bound_pos(m, tag)->used)
		return;
	hole = (uint32_t)(bound_pos(m, tag) - m->e);
	for (i = (hole + 1) & mask; m->e[i].used; i = (i + 1) & mask) {
		home = bound_home(m, m->e[i].tag);
		/* stays when its home lies cyclically in (hole, i] */
		if (((i - home) & mask) < ((i - hole) & mask))
			continue;
		m->e[hole] = m->e[i];
		hole = i;
	}
	memset(&m->e[hole], 0, sizeof(m->e[hole]));
	m->n--;
}

/* The two sets a tag may live in, and the stripe both fall under. */
struct place {
	size_t	 set[2];
	size_t	 stripe;
};

static struct place
place_of(const struct token_cache *c, const unsigned char *tag)
{
	struct place p;
	uint64_t a, b, h;
	size_t groups = c->nsets / LOCKS;

	memcpy(&a, tag, sizeof(a));
	memcpy(&b, tag + 8, sizeof(b));
	h = mix64(a ^ mix64(b));
	p.set[0] = (size_t)(((h & 0xffffffffu) * c->nsets) >> 32);
	p.stripe = p.set[0] % LOCKS;
	/* the second set: another group, same stripe */
	p.set[1] = (p.set[0] + LOCKS * (1 + (size_t)(((h >> 32) *
	    (groups - 1)) >> 32))) % c->nsets;
	return p;
}

static struct slot *
find(struct token_cache *c, const struct place *p,
    const unsigned char *tag)
{
	uint64_t lo, hi, a, b;

	memcpy(&lo, tag, 8);
	memcpy(&hi, tag + 8, 8);
	for (int k = 0; k < 2; k++) {
		struct slot *s = &c->slots[p->set[k] * WAYS];

		for (int i = 0; i < WAYS; i++) {
			memcpy(&a, s[i].tag, 8);
			memcpy(&b, s[i].tag + 8, 8);
			if (a == lo && b == hi && s[i].meta != 0)
				return &s[i];
		}
	}
	return NULL;
}

static uint32_t
active_at(const struct slot *s)
{
	return s->last_used > s->iat ? s->last_used : s->iat;
}

static struct slot *
empty_in(struct token_cache *c, size_t set, int *count)
{
	struct slot *s = &c->slots[set * WAYS], *e = NULL;

	*count = 0;
	for (int i = 0; i < WAYS; i++)
		if (s[i].meta == 0) {
			e = &s[i];
			(*count)++;
		}
	return e;
}

/* A resident of `set` moved to its other set, if that has room: the slot
 * it leaves, else NULL. One step of cuckoo hashing keeps a nearly full
 * cache from evicting. */
static struct slot *
make_room(struct token_cache *c, size_t set)
{
	struct slot *s = &c->slots[set * WAYS], *to;
	struct place q;
	int n;

	for (int i = 0; i < WAYS; i++) {
		q = place_of(c, s[i].tag);
		to = empty_in(c, q.set[q.set[0] == set ? 1 : 0], &n);
		if (to != NULL) {
			*to = s[i];
			/* empty now: its bound entry went along with it */
			s[i].meta = 0;
			return &s[i];
		}
	}
	return NULL;
}

/* A slot for a new row: an empty one in the emptier of the two sets, else
 * one made by moving a resident, else the least recently active. */
static struct slot *
victim(struct token_cache *c, const struct place *p)
{
	struct slot *e0, *e1, *best = NULL;
	int n0, n1;

	e0 = empty_in(c, p->set[0], &n0);
	e1 = empty_in(c, p->set[1], &n1);
	if (e0 != NULL || e1 != NULL)
		return n0 >= n1 ? e0 : e1;
	for (int k = 0; k < 2; k++)
		if ((best = make_room(c, p->set[k])) != NULL)
			return best;
	for (int k = 0; k < 2; k++) {
		struct slot *s = &c->slots[p->set[k] * WAYS];

		for (int i = 0; i < WAYS; i++)
			if (best == NULL || active_at(&s[i]) < active_at(best))
				best = &s[i];
	}
	return best;
}

static uint32_t
secs(int64_t t)
{
	return t <= 0 ? 0 : t >= UINT32_MAX ? UINT32_MAX : (uint32_t)t;
}

static uint32_t
app_hash(int64_t id, const char *api_key)
{
	uint64_t h = mix64((uint64_t)id);

	for (const char *p = api_key; *p != '\0'; p++)
		h = mix64(h ^ (unsigned char)*p);
	return (uint32_t)h;
}

/* Where (id, api_key) is, or would go, in the app index; under
 * apps_lock. */
static uint32_t *
app_pos(struct token_cache *c, int64_t id, const char *api_key)
{
	uint32_t mask = c->index_size - 1;
	uint32_t i = app_hash(id, api_key) & mask;

	while (c->app_index[i] != 0) {
		const struct app_key *a = &c->apps[c->app_index[i] - 1];

		if (a->id == id && strcmp(a->api_key, api_key) == 0)
			break;
		i = (i + 1) & mask;
	}
	return &c->app_index[i];
}

/* Doubles the app index; under apps_lock, held for writing. */
static void
app_index_grow(struct token_cache *c)
{
	uint32_t size = c->index_size ? c->index_size * 2 : 64;

	free(c->app_index);
	c->app_index = xcalloc(size, sizeof(*c->app_index));
	c->index_size = size;
	for (uint32_t k = 0; k < c->napps; k++)
		*app_pos(c, c->apps[k].id, c->apps[k].api_key) = k + 1;
}

/* The index + 1 of an app in the side table, added if new; 0 when the
 * table is full. Entries are never rewritten: an id that comes back with
 * another key (SQLite reuses a deleted app's id) is another entry, so a
 * row read late can never lend its key to another app's tokens. */
static uint32_t
app_ref(struct token_cache *c, int64_t id, const char *api_key)
{
	uint32_t ref = 0, *pos;

	if (strlen(api_key) > APP_API_KEY_MAX_BYTES)
		return 0;
	pthread_rwlock_rdlock(&c->apps_lock);
	if (c->index_size != 0)
		ref = *app_pos(c, id, api_key);
	pthread_rwlock_unlock(&c->apps_lock);
	if (ref != 0)
		return ref;
	pthread_rwlock_wrlock(&c->apps_lock);
	if (c->napps * 2 >= c->index_size)
		app_index_grow(c);
	pos = app_pos(c, id, api_key);
	if (*pos == 0 && c->napps < APP_MASK) {
		if (c->napps == c->apps_cap) {
			c->apps_cap = c->apps_cap ? c->apps_cap * 2 : 16;
			c->apps = xrealloc(c->apps, c->apps_cap *
			    sizeof(*c->apps));
		}
		c->apps[c->napps].id = id;
		snprintf(c->apps[c->napps].api_key,
		    sizeof(c->apps[c->napps].api_key), "%s", api_key);
		*pos = ++c->napps;
	}
	ref = *pos;
	pthread_rwlock_unlock(&c->apps_lock);
	return ref;
}

/* The row a slot stands for. Family, grant and family scope are not
 * kept: the checks a cache serves do not need them. False when the slot
 * is bound and its thumbprint is not known. */
static bool
row_of(struct token_cache *c, const struct slot *s, size_t stripe,
    struct token_row *row)
{
	const struct app_key *app;
	const unsigned char *jkt = NULL;

	memset(row, 0, sizeof(*row));
	if ((s->meta & BOUND_BIT) != 0) {
		if ((jkt = bound_get(&c->bound[stripe], s->tag)) == NULL)
			return false;
		row->bound = true;
		memcpy(row->jkt, jkt, SECURE_HASH_BYTES);
	}
	row->account_id = s->account;
	row->scope = s->scope;
	row->revoked = (s->meta & REVOKED_BIT) != 0;
	row->iat = s->iat;
	row->last_used = s->last_used;
	pthread_rwlock_rdlock(&c->apps_lock);
	app = &c->apps[(s->meta & APP_MASK) - 1];
	row->app_id = app->id;
	/* the key and its NUL only: an app key may now be a client metadata
	 * document's URL (256 bytes), and a check copies it on every hit */
	memcpy(row->api_key, app->api_key, strlen(app->api_key) + 1);
	pthread_rwlock_unlock(&c->apps_lock);
	return true;
}

bool
token_cache_get(struct token_cache *c,
    const unsigned char hash[SECURE_HASH_BYTES],
    struct cache_lookup *out)
{
	struct place p;
	struct slot *s;
	bool hit = false;

	out->known_use = 0;
	out->epoch = 0;
	if (c == NULL)
		return false;
	p = place_of(c, tag_of(hash));
	pthread_mutex_lock(&c->locks[p.stripe]);
	out->epoch = atomic_load(&c->epoch);
	if ((s = find(c, &p, tag_of(hash))) != NULL) {
		hit = s->epoch == (uint32_t)out->epoch &&
		    clock_monotonic_ms() < atomic_load(&c->trusted_until_ms) &&
		    row_of(c, s, p.stripe, &out->row);
		if (hit)
			out->written = s->written;
		out->known_use = s->last_used;
	}
	pthread_mutex_unlock(&c->locks[p.stripe]);
	return hit;
}

static bool
fits(const struct token_row *row)
{
	return row->account_id >= 0 && row->account_id <= UINT32_MAX &&
	    row->iat >= 0 &&
	    row->iat < UINT32_MAX && row->last_used < UINT32_MAX;
}

void
token_cache_put(struct token_cache *c,
    const unsigned char hash[SECURE_HASH_BYTES],
    const struct token_row *row, int64_t written, uint64_t epoch)
{
	struct place p;
	struct slot *s;
	uint32_t ref, last_used = secs(row->last_used);

	if (c == NULL || !fits(row) ||
	    (ref = app_ref(c, row->app_id, row->api_key)) == 0)
		return;
	p = place_of(c, tag_of(hash));
	pthread_mutex_lock(&c->locks[p.stripe]);
	if ((s = find(c, &p, tag_of(hash))) != NULL) {
		/* keep the later of two uses noted meanwhile */
		if (s->last_used > last_used)
			last_used = s->last_used;
		if (s->written > secs(written))
			written = s->written;
	} else {
		s = victim(c, &p);
		/* the row it replaces takes its thumbprint along */
		if ((s->meta & BOUND_BIT) != 0)
			bound_del(&c->bound[p.stripe], s->tag);
		s->meta = 0;
		memcpy(s->tag, tag_of(hash), TAG_BYTES);
	}
	if (row->bound)
		bound_put(&c->bound[p.stripe], s->tag, row->jkt);
	else if ((s->meta & BOUND_BIT) != 0)
		bound_del(&c->bound[p.stripe], s->tag);
	s->account = (uint32_t)row->account_id;
	s->meta = ref | (row->bound ? BOUND_BIT : 0) |
	    (row->revoked ? REVOKED_BIT : 0);
	s->scope = row->scope;
	s->epoch = (uint32_t)epoch;
	s->iat = secs(row->iat);
	s->last_used = last_used;
	s->written = secs(written);
	pthread_mutex_unlock(&c->locks[p.stripe]);
}

void
token_cache_note_use(struct token_cache *c,
    const unsigned char hash[SECURE_HASH_BYTES],
    int64_t now, int64_t written)
{
	struct place p;
	struct slot *s;

	if (c == NULL)
		return;
	p = place_of(c, tag_of(hash));
	pthread_mutex_lock(&c->locks[p.stripe]);
	if ((s = find(c, &p, tag_of(hash))) != NULL) {
		if (secs(now) > s->last_used)
			s->last_used = secs(now);
		if (secs(written) > s->written)
			s->written = secs(written);
	}
	pthread_mutex_unlock(&c->locks[p.stripe]);
}

uint64_t
token_cache_epoch(struct token_cache *c)
{
	return c != NULL ? atomic_load(&c->epoch) : 0;
}

uint64_t
token_cache_vouched(struct token_cache *c)
{
	if (c == NULL ||
	    clock_monotonic_ms() >= atomic_load(&c->trusted_until_ms))
		return 0;
	return atomic_load(&c->epoch);
}

void
token_cache_invalidate(struct token_cache *c)
{
	if (c == NULL || (uint32_t)(atomic_fetch_add(&c->epoch, 1) + 1) != 0)
		return;
	/* Slots keep 32 bits of the epoch: after 2^32 invalidations an old
	 * slot would match again. Empty them all, and skip 0. */
	for (int i = 0; i < LOCKS; i++)
		pthread_mutex_lock(&c->locks[i]);
	memset(c->slots, 0, c->nsets * WAYS * sizeof(*c->slots));
	for (int i = 0; i < LOCKS; i++) {
		free(c->bound[i].e);
		c->bound[i] = (struct bound_map){ 0 };
	}
	atomic_fetch_add(&c->epoch, 1);
	for (int i = LOCKS - 1; i >= 0; i--)
		pthread_mutex_unlock(&c->locks[i]);
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
