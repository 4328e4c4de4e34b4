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
};

struct cimd {
	struct cimd_fetcher	*fetcher;
	char			*brand;
	pthread_mutex_t		 lock;
	_Atomic uint64_t	 fetches;
	struct entry		 e[CIMD_CACHE_ENTRIES];
};

struct cimd *
cimd_new(struct cimd_fetcher *f, const char *brand)
{
	struct cimd *c = xcalloc(1, sizeof(*c));

	c->fetcher = f;
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

uint64_t
cimd_fetches(const struct cimd *c)
{
	return atomic_load(&((struct cimd *)c)->fetches);
}

/* Under the lock: the live entry of url, or NULL. */
static struct entry *
find(struct cimd *c, struct str url, int64_t now)
{
	for (size_t i = 0; i < CIMD_CACHE_ENTRIES; i++) {
		struct entry *e = &c->e[i];

		if (e->expires_at > now && strlen(e->url) == url.len &&
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
		if (e->expires_at <= now)
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
	e->expires_at = now + ttl;
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
    bool *fetched)
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
		why = e->why;
		if (why == NULL)
			memcpy(out, e->doc, sizeof(*out));
		pthread_mutex_unlock(&c->lock);
		return why;
	}
	pthread_mutex_unlock(&c->lock);
	if (fetched != NULL)
		*fetched = true;
	atomic_fetch_add(&c->fetches, 1);
	a = xmalloc(sizeof(*a));
	why = cimd_fetch(c->fetcher, url, now, a);
	if (why == NULL)
		why = cimd_rule_document(a->body, a->len, url, c->brand, out);
	if (why != NULL)
		keep(c, url, now, CIMD_FAILURE_TTL_S, why, NULL);
	else if (a->ttl_s > 0)
		keep(c, url, now, a->ttl_s, NULL, out);
	free(a);
	return why;
}
