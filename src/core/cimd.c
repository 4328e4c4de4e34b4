#include "core/cimd.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"

struct entry {
	char		 url[CIMD_URL_MAX_BYTES + 1];
	int64_t		 expires_at;	/* 0: free */
	const char	*why;		/* a refusal, or NULL with doc */
	struct cimd_doc	*doc;
	/* -1: any number; else the lookups left (an answer not to be
	 * kept, handed from a prefetch to its request: cimd_get()) */
	int		 uses;
};

struct cimd {
	struct cimd_fetcher	*fetcher;
	char			*brand;
	pthread_mutex_t		 lock;
	_Atomic int		 inflight;
	int			 max_inflight;
	struct entry		 e[CIMD_CACHE_ENTRIES];
};

struct cimd *
cimd_new(struct cimd_fetcher *f, const char *brand, int max_inflight)
{
	struct cimd *c = xcalloc(1, sizeof(*c));

	c->fetcher = f;
	c->max_inflight = max_inflight > 0 ? max_inflight : 1;
	c->brand = xstrdup(brand);
	pthread_mutex_init(&c->lock, NULL);
	return c;
}

void
cimd_free(struct cimd *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < CIMD_CACHE_ENTRIES; i++)
		free(c->e[i].doc);
	cimd_fetcher_free(c->fetcher);
	pthread_mutex_destroy(&c->lock);
	free(c->brand);
	free(c);
}

/* Under the lock: the live entry of url, or NULL. */
static struct entry *
find(struct cimd *c, struct str url, int64_t now)
{
	for (size_t i = 0; i < CIMD_CACHE_ENTRIES; i++) {
		struct entry *e = &c->e[i];

		if (e->expires_at > now && e->uses != 0 &&
		    strlen(e->url) == url.len &&
		    memcmp(e->url, url.p, url.len) == 0)
			return e;
	}
	return NULL;
}

/* Under the lock: the entry of url, else a free or expired one, else the
 * one closest to expiry. */
static struct entry *
slot(struct cimd *c, struct str url, int64_t now)
{
	struct entry *best = &c->e[0];

	for (size_t i = 0; i < CIMD_CACHE_ENTRIES; i++) {
		struct entry *e = &c->e[i];

		if (strlen(e->url) == url.len &&
		    memcmp(e->url, url.p, url.len) == 0)
			return e;
		if (e->expires_at <= now || e->uses == 0)
			return e;
		if (e->expires_at < best->expires_at)
			best = e;
	}
	return best;
}

static void
keep(struct cimd *c, struct str url, int64_t now, int64_t ttl,
    const char *why, const struct cimd_doc *doc)
{
	struct entry *e;

	pthread_mutex_lock(&c->lock);
	e = slot(c, url, now);
	memcpy(e->url, url.p, url.len);
	e->url[url.len] = '\0';
	/* not to be kept: once more, for the request that waits on it */
	e->expires_at = now + (ttl > 0 ? ttl : CIMD_HANDOFF_S);
	e->uses = ttl > 0 ? -1 : 1;
	e->why = why;
	if (doc != NULL) {
		if (e->doc == NULL)
			e->doc = xmalloc(sizeof(*e->doc));
		memcpy(e->doc, doc, sizeof(*doc));
	}
	pthread_mutex_unlock(&c->lock);
}

const char *
cimd_get(struct cimd *c, struct str url, int64_t now, struct cimd_doc *out,
    bool *fetched, bool handoff)
{
	struct cimd_answer *a;
	struct entry *e;
	const char *why;

	if (fetched != NULL)
		*fetched = false;
	if ((why = cimd_rule_url(url)) != NULL)
		return why;
	pthread_mutex_lock(&c->lock);
	if ((e = find(c, url, now)) != NULL) {
		if (e->uses > 0)
			e->uses--;
		why = e->why;
		if (why == NULL)
			memcpy(out, e->doc, sizeof(*out));
		pthread_mutex_unlock(&c->lock);
		return why;
	}
	pthread_mutex_unlock(&c->lock);
	if (atomic_fetch_add(&c->inflight, 1) >= c->max_inflight) {
		atomic_fetch_sub(&c->inflight, 1);
		why = "keygate is fetching too many client metadata documents "
		    "at once; try again in a moment.";
		if (handoff)
			keep(c, url, now, 0, why, NULL);
		return why;
	}
	if (fetched != NULL)
		*fetched = true;
	a = xmalloc(sizeof(*a));
	why = cimd_fetch(c->fetcher, url, now, a);
	if (why == NULL)
		why = cimd_rule_document(a->body, a->len, url, c->brand, out);
	atomic_fetch_sub(&c->inflight, 1);
	if (why != NULL || a->ttl_s > 0 || handoff)
		keep(c, url, now, why != NULL ? CIMD_FAILURE_TTL_S : a->ttl_s,
		    why, why != NULL ? NULL : out);
	free(a);
	return why;
}

bool
cimd_cached(struct cimd *c, struct str url, int64_t now)
{
	bool yes;

	pthread_mutex_lock(&c->lock);
	yes = find(c, url, now) != NULL;
	pthread_mutex_unlock(&c->lock);
	return yes;
}
