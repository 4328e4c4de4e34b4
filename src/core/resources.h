#ifndef KEYGATE_CORE_RESOURCES_H
#define KEYGATE_CORE_RESOURCES_H

#include <stddef.h>

#include "base/str.h"
#include "core/keygate.h"
#include "store/rows.h"

/* The APIs keygate guards besides its own (docs/REFERENCE.md §22.1, RFC
 * 8707): registered in the store, each given an audience bit and a bit per
 * scope of the mask core/scopes.h describes, and published to this process
 * as the scope table in force. */

/* Reads every resource from the store and publishes the table: at start,
 * and whenever the revision moves (another node may have added or
 * deleted one). */
int	resources_load(struct keygate *kg);

/* Registers the resource at `uri` named `name`, with `n` scopes, each
 * "NAME description" (the description is what follows the first space).
 * Returns 0; ERR_INVALID with *why for a bad URI, name or scope (or no
 * bits left); ERR_EXISTS with *why for a URI or scope name taken;
 * ERR_STORE. */
int	resources_add(struct keygate *kg, const char *uri, const char *name,
	    const char *const *scopes, size_t n, const char **why);

/* Deletes the resource at `uri`, revoking the tokens for it
 * (store_resource_delete()). ERR_NOTFOUND, ERR_STORE. */
int	resources_delete(struct keygate *kg, const char *uri);

/* Every registered resource's bits, by URI and bit (free() *rows). */
int	resources_list(struct keygate *kg, struct resource_bit_row **rows,
	    size_t *n);

/* A request's `resource` values (space-separated: URIs hold no space)
 * against the table in force, with the scopes it asks for (`*mask` in:
 * scope bits only): *mask gets their audience bits. Every value must be
 * a registered resource (or the built-in API, the issuer), else
 * ERR_TARGET (invalid_target); each resource scope asked must belong to
 * a resource named, else ERR_INVALID (invalid_scope). Without values the
 * request is for the built-in API alone. Without scopes it asks for the
 * built-in API's default (SCOPE_DEFAULT) when that is among the resources,
 * and for every scope of the others named. The audience is always set in
 * *mask, SCOPE_AUD_BUILTIN included. An empty value is as if omitted
 * (RFC 6749 §3.1). *why says which. */
int	resources_request(struct str list, unsigned *mask, const char **why);

/* A token request's `resource` narrowing what was granted (RFC 8707
 * §2.2): `*mask` in, what the code or refresh token holds (its scopes
 * already narrowed); out, only the resources named and their scopes.
 * A resource not granted is ERR_TARGET (invalid_target). Without a
 * value (or with empty ones only) *mask is left as it is. */
int	resources_narrow(struct str list, unsigned *mask, const char **why);

/* Every scope of the resources among `mask`'s audiences. */
unsigned resources_scopes_of(unsigned mask);

/* The bits of `mask` that are not scopes in the table in force: its
 * audiences (and any bit this node does not know), which a refresh asking
 * for fewer scopes keeps. */
unsigned resources_kept(unsigned mask);

#endif
