/* Registered resources (resources.h): the rules of their URIs, names and
 * scopes, the bits they are given, and a request's `resource` values. */
#include "core/resources.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/err.h"
#include "base/mem.h"
#include "base/utf8.h"
#include "core/scopes.h"
#include "core/uri.h"
#include "store/store.h"

static void
add_row(struct scope_table *t, const struct resource_bit_row *row)
{
	struct resource_info *r = &t->resources[t->nresources - 1];
	unsigned bit = 1u << row->bit;

	if (t->nresources == 1 || strcmp(r->uri, row->uri) != 0) {
		if (t->nresources == RESOURCES_MAX)
			return;		/* bit numbers bound both */
		r = &t->resources[t->nresources++];
		snprintf(r->uri, sizeof(r->uri), "%s", row->uri);
		snprintf(r->name, sizeof(r->name), "%s", row->name);
		r->created_at = row->created_at;
	}
	if (row->scope[0] == '\0') {
		r->bit = bit;
		t->audiences |= bit;
	} else if (t->nscopes < SCOPES_MAX) {
		struct scope_info *s = &t->scopes[t->nscopes++];

		s->bit = bit;
		snprintf(s->name, sizeof(s->name), "%s", row->scope);
		snprintf(s->description, sizeof(s->description), "%s",
		    row->description);
		r->scopes |= bit;
	}
}

int
resources_load(struct keygate *kg)
{
	struct resource_bit_row *rows;
	struct scope_table *t;
	char name[RESOURCE_NAME_MAX_BYTES + 1];
	size_t n;
	int rc;

	if ((rc = store_resource_list(kg->store, &rows, &n)) != 0)
		return rc;
	snprintf(name, sizeof(name), "%s API", kg->cfg->brand);
	t = scopes_table_new(kg->cfg->issuer, name);
	for (size_t k = 0; k < n; k++)
		add_row(t, &rows[k]);
	free(rows);
	/* The revision moves on every revocation too: a table like the one
	 * in force is dropped, so that tables kept (scopes.h) stay as few
	 * as the changes of resources. Both are calloc'd and filled alike,
	 * byte for byte. */
	if (memcmp(t, scopes_now(), sizeof(*t)) == 0)
		free(t);
	else
		scopes_publish(t);
	return 0;
}

int
resources_list(struct keygate *kg, struct resource_bit_row **rows, size_t *n)
{
	return store_resource_list(kg->store, rows, n);
}

/* https, or http on a loopback host (a resource on the developer's own
 * machine); a host, no user, no query, no fragment (RFC 8707 §2). */
static const char *
uri_problem(const char *s)
{
	struct str u = str_from(s);
	struct uri p;

	if (u.len == 0 || u.len > RESOURCE_URI_MAX_BYTES)
		return "The URI must have 1 to 255 bytes.";
	if (uri_parse(u, &p) != 0 || !p.has_authority || p.host.len == 0)
		return "The URI must be absolute, with a host.";
	if (!str_eq_lit(p.scheme, "https") && !(str_eq_lit(p.scheme, "http") &&
	    uri_host_is_loopback(p.host)))
		return "The URI must be https (http only on a loopback host).";
	if (p.has_userinfo || p.has_query || p.has_fragment)
		return "The URI must have no user, query or fragment.";
	return NULL;
}

static bool
text_ok(struct str s, size_t max_chars)
{
	if (!utf8_valid(s) || utf8_chars(s) > max_chars)
		return false;
	for (size_t i = 0; i < s.len; i++)
		if ((unsigned char)s.p[i] < 0x20 || s.p[i] == 0x7f)
			return false;
	return true;
}

/* RFC 6749 §3.3: scope-token = 1*NQCHAR, %x21 / %x23-5B / %x5D-7E */
static bool
scope_name_ok(struct str s)
{
	if (s.len == 0 || s.len > RESOURCE_SCOPE_MAX_BYTES)
		return false;
	for (size_t i = 0; i < s.len; i++) {
		unsigned char c = (unsigned char)s.p[i];

		if (c < 0x21 || c > 0x7e || c == '"' || c == '\\')
			return false;
	}
	return true;
}

/* Fills rows[1..n] from "NAME description", each distinct and none a
 * name in force. */
static const char *
scope_rows(const char *const *scopes, size_t n, struct resource_bit_row *rows)
{
	for (size_t k = 0; k < n; k++) {
		const char *sp = strchr(scopes[k], ' ');
		struct str name = { scopes[k], sp != NULL ?
		    (size_t)(sp - scopes[k]) : strlen(scopes[k]) };
		struct str desc = str_from(sp != NULL ? sp + 1 : "");
		unsigned bit;

		if (!scope_name_ok(name))
			return "A scope's name must be 1 to 64 characters, "
			    "printable ASCII without spaces, quotes or "
			    "backslashes.";
		if (!text_ok(desc, RESOURCE_SCOPE_DESC_MAX_CHARS))
			return "A scope's description must be UTF-8 text of "
			    "at most 200 characters.";
		if (scopes_parse(name, &bit) == 0)
			return "A scope of that name exists already.";
		for (size_t j = 1; j <= k; j++)
			if (str_eq_lit(name, rows[j].scope))
				return "A scope is named twice.";
		memcpy(rows[k + 1].scope, name.p, name.len);
		memcpy(rows[k + 1].description, desc.p, desc.len);
	}
	return NULL;
}

/* Gives rows[0..n] the lowest bits no resource holds; *keep gets the
 * audiences that stay (the built-in API's and the other resources'). */
static int
take_bits(struct keygate *kg, struct resource_bit_row *rows, size_t n,
    unsigned *keep)
{
	struct resource_bit_row *held;
	unsigned used = 0, bit = SCOPE_FIRST_RESOURCE_BIT;
	size_t m;
	int rc;

	if ((rc = store_resource_list(kg->store, &held, &m)) != 0)
		return rc;
	*keep = SCOPE_AUD_BUILTIN;
	for (size_t k = 0; k < m; k++) {
		used |= 1u << held[k].bit;
		if (held[k].scope[0] == '\0')
			*keep |= 1u << held[k].bit;
	}
	free(held);
	for (size_t k = 0; k <= n; k++) {
		while (bit <= SCOPE_LAST_RESOURCE_BIT && (used & (1u << bit)))
			bit++;
		if (bit > SCOPE_LAST_RESOURCE_BIT)
			return ERR_INVALID;
		rows[k].bit = bit++;
	}
	return 0;
}

int
resources_add(struct keygate *kg, const char *uri, const char *name,
    const char *const *scopes, size_t n, const char **why)
{
	struct resource_bit_row *rows;
	unsigned keep = 0;
	int rc = ERR_INVALID;

	*why = NULL;
	if ((*why = uri_problem(uri)) != NULL)
		return ERR_INVALID;
	if (*name == '\0' || !text_ok(str_from(name), RESOURCE_NAME_MAX_CHARS)) {
		*why = "The name must be UTF-8 text of 1 to 100 characters.";
		return ERR_INVALID;
	}
	if (scopes_resource(scopes_now(), str_from(uri)) != NULL) {
		*why = "That URI is the built-in API's or registered already.";
		return ERR_EXISTS;
	}
	rows = xcalloc(n + 1, sizeof(*rows));
	for (size_t k = 0; k <= n; k++) {
		snprintf(rows[k].uri, sizeof(rows[k].uri), "%s", uri);
		snprintf(rows[k].name, sizeof(rows[k].name), "%s", name);
		rows[k].created_at = clock_now(kg->clock);
	}
	if ((*why = scope_rows(scopes, n, rows)) == NULL) {
		rc = take_bits(kg, rows, n, &keep);
		if (rc == ERR_INVALID)
			*why = "No bits are left: the resources hold 24 in all, "
			    "one each and one a scope.";
		else if (rc == 0 &&
		    (rc = store_resource_add(kg->store, rows, n + 1, keep)) ==
		    ERR_EXISTS)
			*why = "That URI or one of those scope names is "
			    "registered already.";
	}
	free(rows);
	return rc;
}

int
resources_delete(struct keygate *kg, const char *uri)
{
	struct resource_bit_row *rows;
	unsigned bits = 0, keep = SCOPE_AUD_BUILTIN;
	size_t n;
	int rc;

	if ((rc = store_resource_list(kg->store, &rows, &n)) != 0)
		return rc;
	for (size_t k = 0; k < n; k++)
		if (strcmp(rows[k].uri, uri) == 0)
			bits |= 1u << rows[k].bit;
		else if (rows[k].scope[0] == '\0')
			keep |= 1u << rows[k].bit;
	free(rows);
	if (bits == 0)
		return ERR_NOTFOUND;
	return store_resource_delete(kg->store, uri, bits, keep);
}

/* The audience bits of the URIs of `list`; ERR_NOTFOUND for one not in
 * the table. The built-in API counts as SCOPE_AUD_BUILTIN. */
static int
audiences(const struct scope_table *t, struct str list, unsigned *aud,
    const char **why)
{
	size_t i = 0;

	*aud = 0;
	/* RFC 6749 §3.1: a parameter sent without a value is as if
	 * omitted, so an empty value names nothing */
	while (i < list.len) {
		size_t start = i;
		const struct resource_info *r;

		while (i < list.len && list.p[i] != ' ')
			i++;
		r = scopes_resource(t, (struct str){ list.p + start,
		    i - start });
		if (i > start && r == NULL) {
			*why = "A resource is not one this server guards.";
			return ERR_TARGET;
		}
		if (r != NULL)
			*aud |= r->bit;
		i++;
	}
	return 0;
}

int
resources_request(struct str list, unsigned *mask, const char **why)
{
	const struct scope_table *t = scopes_now();
	unsigned aud;
	int rc;

	if ((rc = audiences(t, list, &aud, why)) != 0)
		return rc;
	for (size_t k = 1; k < t->nresources; k++)
		if ((*mask & t->resources[k].scopes) &&
		    !(aud & t->resources[k].bit)) {
			*why = "A scope asked for belongs to a resource the "
			    "request does not name in `resource`.";
			return ERR_INVALID;
		}
	/* Without a scope: the built-in API's default, and every scope of
	 * the other resources named. */
	if ((*mask & ~t->audiences) == 0)
		*mask |= resources_scopes_of(aud & ~SCOPE_AUD_BUILTIN) |
		    (aud == 0 || (aud & SCOPE_AUD_BUILTIN) ? SCOPE_DEFAULT : 0);
	/* The audience is always written out, the built-in API's too: a
	 * consent to one resource must not read as one to the built-in API
	 * (authz_consented()). No resource at all means the built-in API. */
	*mask |= aud != 0 ? aud : SCOPE_AUD_BUILTIN;
	return 0;
}

int
resources_narrow(struct str list, unsigned *mask, const char **why)
{
	const struct scope_table *t = scopes_now();
	unsigned aud, keep;
	int rc;

	if ((rc = audiences(t, list, &aud, why)) != 0 || aud == 0)
		return rc;
	if ((aud & ~scopes_audience(*mask)) != 0) {
		*why = "A resource was not granted.";
		return ERR_TARGET;
	}
	/* what was named, and nothing else: a bit this node does not know
	 * yet is not kept by accident */
	keep = SCOPE_BUILTIN | aud;
	for (size_t k = 1; k < t->nresources; k++)
		if (aud & t->resources[k].bit)
			keep |= t->resources[k].scopes;
	*mask &= keep;
	return 0;
}

unsigned
resources_scopes_of(unsigned mask)
{
	const struct scope_table *t = scopes_now();
	unsigned scopes = 0;

	for (size_t k = 0; k < t->nresources; k++)
		if (mask & t->resources[k].bit)
			scopes |= t->resources[k].scopes;
	return scopes;
}

unsigned
resources_kept(unsigned mask)
{
	const struct scope_table *t = scopes_now();
	unsigned scopes = 0;

	for (size_t k = 0; k < t->nscopes; k++)
		scopes |= t->scopes[k].bit;
	return mask & ~scopes;
}
