/* The store contract, registered resources (docs/REFERENCE.md §22.1): a
 * resource added with its bits all or nothing, listed by URI and bit, and
 * deleted with what carried its bits (families revoked, codes gone,
 * consents narrowed or, left with no audience, deleted); both move the
 * revision counter. */
#include "store_contract.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "core/scopes.h"

#define R_URI	"https://api.example/v1"
#define R_AUD	(1u << 8)
#define R_SCOPE	(1u << 9)

static void
bit_row(struct resource_bit_row *r, const char *uri, unsigned bit,
    const char *scope)
{
	memset(r, 0, sizeof(*r));
	SET(r->uri, uri);
	SET(r->name, "An API");
	r->created_at = T0;
	r->bit = bit;
	SET(r->scope, scope);
	SET(r->description, scope[0] != '\0' ? "Read things" : "");
}

static void
add_api(void)
{
	struct resource_bit_row rows[2];

	bit_row(&rows[0], R_URI, 8, "");
	bit_row(&rows[1], R_URI, 9, "api:read");
	cr_assert_eq(store_resource_add(st, rows, 2, SCOPE_AUD_BUILTIN), 0);
}

STORE_TEST(resources, added_all_or_nothing_and_listed, contract_setup)
{
	struct resource_bit_row rows[2], *got;
	int64_t before, after;
	size_t n;

	cr_assert_eq(store_revision(st, &before), 0);
	add_api();
	cr_assert_eq(store_revision(st, &after), 0);
	cr_expect_gt(after, before, "a resource moves the revision");
	/* a taken bit, a taken scope name, a taken URI: nothing written */
	bit_row(&rows[0], "https://b.example", 10, "");
	bit_row(&rows[1], "https://b.example", 9, "b:read");
	cr_expect_eq(store_resource_add(st, rows, 2, SCOPE_AUD_BUILTIN), ERR_EXISTS);
	bit_row(&rows[1], "https://b.example", 11, "api:read");
	cr_expect_eq(store_resource_add(st, rows, 2, SCOPE_AUD_BUILTIN), ERR_EXISTS);
	bit_row(&rows[0], R_URI, 12, "");
	cr_expect_eq(store_resource_add(st, rows, 1, SCOPE_AUD_BUILTIN), ERR_EXISTS);
	cr_assert_eq(store_resource_list(st, &got, &n), 0);
	cr_assert_eq(n, 2, "the failed adds left nothing");
	cr_expect_str_eq(got[0].uri, R_URI);
	cr_expect_eq(got[0].bit, 8);
	cr_expect_str_eq(got[0].scope, "");
	cr_expect_eq(got[1].bit, 9);
	cr_expect_str_eq(got[1].scope, "api:read");
	cr_expect_str_eq(got[1].description, "Read things");
	cr_expect_str_eq(got[1].name, "An API");
	cr_expect_eq(got[1].created_at, T0);
	free(got);
}

OAUTH_TEST(resources, delete_takes_what_carried_its_bits)
{
	unsigned char code[SECURE_HASH_BYTES];
	struct issue for_r, builtin;
	struct code_row c;
	struct token_row t;
	int64_t g_ann, g_bob, id;
	unsigned have;
	int rc;

	add_api();
	/* ann: the resource and the built-in API; bob: the resource alone */
	g_ann = contract_grant(fx.ann, &fx.app, SCOPE_ACCOUNT_READ |
	    SCOPE_AUD_BUILTIN | R_AUD | R_SCOPE);
	g_bob = contract_grant(fx.bob, &fx.app, R_AUD | R_SCOPE);
	contract_issue_new(g_bob, R_AUD | R_SCOPE, T0, &for_r);
	contract_issue_new(g_ann, SCOPE_ACCOUNT_READ, T0, &builtin);
	contract_hash(code);
	contract_insert_code(code, g_ann, R_AUD | R_SCOPE);
	cr_assert_eq(store_resource_delete(st, R_URI, R_AUD | R_SCOPE,
	    SCOPE_AUD_BUILTIN), 0);
	cr_expect_eq(store_resource_delete(st, R_URI, R_AUD | R_SCOPE,
	    SCOPE_AUD_BUILTIN), ERR_NOTFOUND);
	rc = store_access_get(st, for_r.access_hash, &t);
	cr_expect(rc == ERR_NOTFOUND || (rc == 0 && t.revoked),
	    "the resource's token is revoked (rc %d)", rc);
	cr_assert_eq(store_access_get(st, builtin.access_hash, &t), 0);
	cr_expect(!t.revoked, "the built-in API's token lives on");
	cr_expect_eq(store_code_get(st, code, &c), ERR_NOTFOUND);
	cr_assert_eq(store_grant_get(st, fx.ann, fx.app.id, &id, &have), 0);
	cr_expect_eq(have, SCOPE_ACCOUNT_READ | SCOPE_AUD_BUILTIN,
	    "ann's consent narrowed to the built-in API");
	cr_expect_eq(store_grant_get(st, fx.bob, fx.app.id, &id, &have),
	    ERR_NOTFOUND, "bob's consent, left with no audience, is gone");
	(void)g_bob;
}

/* Rows a node wrote with bits it still believed a deleted resource's: a
 * resource that takes those bits inherits none of them. */
OAUTH_TEST(resources, add_clears_what_carried_its_bits_before)
{
	unsigned char code[SECURE_HASH_BYTES];
	struct issue stale;
	struct code_row c;
	struct token_row t;
	int64_t g_bob, id;
	unsigned have;
	int rc;

	g_bob = contract_grant(fx.bob, &fx.app, R_AUD | R_SCOPE);
	contract_issue_new(g_bob, R_AUD | R_SCOPE, T0, &stale);
	contract_hash(code);
	contract_insert_code(code, g_bob, R_AUD | R_SCOPE);
	add_api();
	rc = store_access_get(st, stale.access_hash, &t);
	cr_expect(rc == ERR_NOTFOUND || (rc == 0 && t.revoked),
	    "the stale token is revoked (rc %d)", rc);
	cr_expect_eq(store_code_get(st, code, &c), ERR_NOTFOUND);
	cr_expect_eq(store_grant_get(st, fx.bob, fx.app.id, &id, &have),
	    ERR_NOTFOUND);
}
