#ifndef KEYGATE_CORE_SCOPES_H
#define KEYGATE_CORE_SCOPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/limits.h"
#include "base/str.h"

/* What a token is for, as one mask (docs/REFERENCE.md §5, §22.1): bits 0-6
 * are the built-in API's scopes, bit 7 marks the built-in API as an
 * audience, and bits 8-31 belong to the registered resources
 * (core/resources.c): one bit each as an audience, one per scope they
 * offer. A mask of built-in scopes alone is for the built-in API: a
 * request without `resource`, or naming only the built-in API, gets one,
 * as did every token issued before resources existed. The mask travels as it is
 * through grants, codes, families and tokens, so that a refresh narrows
 * resources as it narrows scopes, and a check reads both in one word.
 * Outside keygate scopes travel as space-separated names, resources as
 * their URIs. */
enum {
	SCOPE_ACCOUNT_READ = 1u << 0,
	SCOPE_ACCOUNT_UPDATE = 1u << 1,
	SCOPE_CONTACT_DATA = 1u << 2,
	SCOPE_CAMPAIGN_DATA = 1u << 3,
	SCOPE_OPENID = 1u << 4,		/* OpenID Connect (§14) */
	SCOPE_EMAIL = 1u << 5,
	SCOPE_PROFILE = 1u << 6,
	SCOPE_AUD_BUILTIN = 1u << 7,	/* the built-in API as an audience */
};

#define SCOPE_DEFAULT		SCOPE_ACCOUNT_READ
#define SCOPE_BUILTIN		0x7fu
#define SCOPE_FIRST_RESOURCE_BIT 8
#define SCOPE_LAST_RESOURCE_BIT	31
#define SCOPES_MAX		32
#define RESOURCES_MAX		25	/* the built-in API and 24 more */
/* `resource` values joined (http/form.h's params_join()): a few URIs */
#define RESOURCES_TEXT_MAX	(8 * (RESOURCE_URI_MAX_BYTES + 1))
/* every scope's name, spaces, NUL */
#define SCOPES_TEXT_MAX		(SCOPES_MAX * (RESOURCE_SCOPE_MAX_BYTES + 1))

struct scope_info {
	unsigned	 bit;
	char		 name[RESOURCE_SCOPE_MAX_BYTES + 1];
	char		 description[RESOURCE_SCOPE_DESC_MAX_BYTES + 1];
};

struct resource_info {
	unsigned	 bit;		/* its audience bit */
	unsigned	 scopes;	/* the bits of its scopes */
	int64_t		 created_at;
	char		 uri[RESOURCE_URI_MAX_BYTES + 1];
	char		 name[RESOURCE_NAME_MAX_BYTES + 1];
};

/* What keygate offers at one moment: the built-in scopes first, then the
 * resources' in bit order; resources[0] is the built-in API. A table is
 * never changed once published: a new one replaces it. */
struct scope_table {
	size_t		 nscopes;
	struct scope_info scopes[SCOPES_MAX];
	size_t		 nresources;
	struct resource_info resources[RESOURCES_MAX];
	unsigned	 audiences;	/* every audience bit */
};

/* The table in force: the built-in scopes alone until one is published.
 * Process-wide, as the store it mirrors is one per process; reading it
 * takes no lock. */
const struct scope_table *scopes_now(void);

/* A new table with the built-in scopes and the built-in API as
 * resources[0] (at `issuer`, named `name`), for the caller to add to and
 * publish. */
struct scope_table *scopes_table_new(const char *issuer, const char *name);

/* Puts t in force (the table is the process's from then on). Tables
 * replaced stay readable until scopes_forget(), so that a reader holding
 * one is never left with freed memory; resources change rarely. */
void	scopes_publish(struct scope_table *t);

/* Frees every table published (at exit). */
void	scopes_forget(void);

/* Parses a `scope` parameter (RFC 6749 §3.3: space-delimited, case-
 * sensitive) against the table in force. Empty gives 0. Returns 0, or
 * ERR_INVALID for an unknown name, a repeated one, or stray spacing. */
int	scopes_parse(struct str s, unsigned *mask);

/* Writes the names of `mask`'s scopes into out, space-separated, in the
 * table's order (its audience bits are not scopes: they are left out). */
void	scopes_format(unsigned mask, char out[SCOPES_TEXT_MAX]);

/* The audience bits of `mask`: SCOPE_AUD_BUILTIN for a mask of built-in
 * scopes alone; none for one whose resources are not in the table. */
unsigned scopes_audience(unsigned mask);

/* The registered resource at `uri` (exactly), or NULL. */
const struct resource_info *scopes_resource(const struct scope_table *t,
	    struct str uri);

/* True when `mask` is for the resource at `uri`: a registered one among
 * its audiences. */
bool	scopes_for_resource(unsigned mask, struct str uri);

#endif
