#include "core/scopes.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/mem.h"

static const struct {
	unsigned	 bit;
	const char	*name, *description;	/* for the Grant Access page */
} builtin[] = {
	{ SCOPE_ACCOUNT_READ, "account_read",
	  "See your account's identifier and email address." },
	{ SCOPE_ACCOUNT_UPDATE, "account_update",
	  "Change your account's details." },
	{ SCOPE_CONTACT_DATA, "contact_data",
	  "Read and manage your contacts." },
	{ SCOPE_CAMPAIGN_DATA, "campaign_data",
	  "Read and manage your campaigns." },
	/* OpenID Connect (§14): who signs in, for the id_token and userinfo */
	{ SCOPE_OPENID, "openid",
	  "Know who you are when you sign in to it with your account." },
	{ SCOPE_EMAIL, "email",
	  "See your email address and whether it is verified." },
	{ SCOPE_PROFILE, "profile",
	  "See your basic profile." },
};

#define NBUILTIN	(sizeof(builtin) / sizeof(builtin[0]))

/* A published table and the one it replaced, kept for scopes_forget(). */
struct published {
	struct scope_table *t;
	struct published   *older;
};

static _Atomic(struct scope_table *) in_force;
static struct published *history;
static pthread_mutex_t history_lock = PTHREAD_MUTEX_INITIALIZER;

static void
fill_builtin(struct scope_table *t)
{
	for (size_t k = 0; k < NBUILTIN; k++) {
		t->scopes[k].bit = builtin[k].bit;
		snprintf(t->scopes[k].name, sizeof(t->scopes[k].name), "%s",
		    builtin[k].name);
		snprintf(t->scopes[k].description,
		    sizeof(t->scopes[k].description), "%s",
		    builtin[k].description);
	}
	t->nscopes = NBUILTIN;
}

struct scope_table *
scopes_table_new(const char *issuer, const char *name)
{
	struct scope_table *t = xcalloc(1, sizeof(*t));
	struct resource_info *api = &t->resources[0];

	fill_builtin(t);
	api->bit = SCOPE_AUD_BUILTIN;
	api->scopes = SCOPE_BUILTIN;
	snprintf(api->uri, sizeof(api->uri), "%s", issuer);
	snprintf(api->name, sizeof(api->name), "%s", name);
	t->nresources = 1;
	t->audiences = SCOPE_AUD_BUILTIN;
	return t;
}

static struct scope_table *
builtin_table(void)
{
	struct scope_table *t = xcalloc(1, sizeof(*t));

	fill_builtin(t);
	t->audiences = SCOPE_AUD_BUILTIN;
	return t;
}

/* Under history_lock. */
static void
publish_locked(struct scope_table *t)
{
	struct published *p = xmalloc(sizeof(*p));

	p->t = t;
	p->older = history;
	history = p;
	atomic_store_explicit(&in_force, t, memory_order_release);
}

const struct scope_table *
scopes_now(void)
{
	struct scope_table *t = atomic_load_explicit(&in_force,
	    memory_order_acquire);

	if (t != NULL)
		return t;
	/* the first reader, or one after scopes_forget() */
	pthread_mutex_lock(&history_lock);
	if ((t = atomic_load_explicit(&in_force, memory_order_acquire)) ==
	    NULL) {
		t = builtin_table();
		publish_locked(t);
	}
	pthread_mutex_unlock(&history_lock);
	return t;
}

void
scopes_publish(struct scope_table *t)
{
	pthread_mutex_lock(&history_lock);
	publish_locked(t);
	pthread_mutex_unlock(&history_lock);
}

void
scopes_forget(void)
{
	pthread_mutex_lock(&history_lock);
	while (history != NULL) {
		struct published *p = history;

		history = p->older;
		free(p->t);
		free(p);
	}
	atomic_store_explicit(&in_force, NULL, memory_order_release);
	pthread_mutex_unlock(&history_lock);
}

int
scopes_parse(struct str s, unsigned *mask)
{
	const struct scope_table *t = scopes_now();
	size_t i = 0;

	*mask = 0;
	while (i < s.len) {
		size_t start = i, k;

		while (i < s.len && s.p[i] != ' ')
			i++;
		if (i == start)
			return ERR_INVALID;	/* leading or double space */
		for (k = 0; k < t->nscopes; k++)
			if (str_eq_lit((struct str){ s.p + start, i - start },
			    t->scopes[k].name))
				break;
		if (k == t->nscopes || (*mask & t->scopes[k].bit))
			return ERR_INVALID;
		*mask |= t->scopes[k].bit;
		if (i < s.len && ++i == s.len)
			return ERR_INVALID;	/* trailing space */
	}
	return 0;
}

void
scopes_format(unsigned mask, char out[SCOPES_TEXT_MAX])
{
	const struct scope_table *t = scopes_now();
	size_t used = 0;

	out[0] = '\0';
	for (size_t k = 0; k < t->nscopes; k++) {
		size_t n;

		if (!(mask & t->scopes[k].bit))
			continue;
		n = strlen(t->scopes[k].name);
		if (used > 0)
			out[used++] = ' ';
		memcpy(out + used, t->scopes[k].name, n);
		used += n;
		out[used] = '\0';
	}
}

unsigned
scopes_audience(unsigned mask)
{
	/* Only bits past the built-in scopes make a mask for anything but
	 * the built-in API; a bit no resource holds (one this node has not
	 * loaded yet) then opens nothing. */
	if ((mask & ~SCOPE_BUILTIN) == 0)
		return SCOPE_AUD_BUILTIN;
	return mask & scopes_now()->audiences;
}

const struct resource_info *
scopes_resource(const struct scope_table *t, struct str uri)
{
	for (size_t k = 0; k < t->nresources; k++)
		if (str_eq_lit(uri, t->resources[k].uri))
			return &t->resources[k];
	return NULL;
}

bool
scopes_for_resource(unsigned mask, struct str uri)
{
	const struct resource_info *r = scopes_resource(scopes_now(), uri);

	return r != NULL && (scopes_audience(mask) & r->bit) != 0;
}
