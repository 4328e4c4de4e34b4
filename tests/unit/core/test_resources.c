/* core/resources.c against a real SQLite store (docs/REFERENCE.md §22.1):
 * the bits a resource takes, what a request's `resource` values become,
 * narrowing at the token endpoint, the table published only when it
 * changes, and delete freeing the bits. */
#include "core/resources.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "core/apps.h"
#include "core/authz.h"
#include "core/scopes.h"
#include "store/store.h"
#include "store_fixture.h"

#define API	"https://api.example/v1"
#define MCP	"https://mcp.example/mcp"

static struct config cfg;
static struct keygate kg;

static void
setup(void)
{
	static const char *const api_scopes[] = { "api:read Read", "api:write" };
	static const char *const mcp_scopes[] = { "mcp:tools Use the tools" };
	const char *why = NULL;

	fixture_config("resources", &cfg);
	fixture_open(&cfg, &kg);
	cr_assert_eq(resources_load(&kg), 0);
	cr_assert_eq(resources_add(&kg, API, "API", api_scopes, 2, &why), 0,
	    "%s", why ? why : "");
	cr_assert_eq(resources_add(&kg, MCP, "Tools", mcp_scopes, 1, &why), 0,
	    "%s", why ? why : "");
	cr_assert_eq(resources_load(&kg), 0);
}

static void
teardown(void)
{
	fixture_close(&cfg, &kg);
}

TestSuite(resources, .init = setup, .fini = teardown);

static const struct resource_info *
find(const char *uri)
{
	const struct resource_info *r = scopes_resource(scopes_now(),
	    str_from(uri));

	cr_assert_not_null(r, "%s", uri);
	return r;
}

Test(resources, lowest_free_bits_audience_first)
{
	cr_expect_eq(find(API)->bit, 1u << 8);
	cr_expect_eq(find(API)->scopes, (1u << 9) | (1u << 10));
	cr_expect_eq(find(MCP)->bit, 1u << 11);
	cr_expect_eq(find(MCP)->scopes, 1u << 12);
}

Test(resources, a_request_becomes_scopes_and_audiences)
{
	const char *why = NULL;
	unsigned mask = 0;

	cr_assert_eq(scopes_parse(STR_LIT("mcp:tools"), &mask), 0);
	cr_expect_eq(resources_request(STR_LIT(MCP), &mask, &why), 0);
	cr_expect_eq(mask, find(MCP)->bit | find(MCP)->scopes);
	mask = 0;	/* no scope: every scope of the resource */
	cr_expect_eq(resources_request(STR_LIT(API " " MCP), &mask, &why), 0);
	cr_expect_eq(mask, find(API)->bit | find(API)->scopes |
	    find(MCP)->bit | find(MCP)->scopes);
	mask = 0;	/* nothing: the built-in API's default, for it */
	cr_expect_eq(resources_request(STR_NULL, &mask, &why), 0);
	cr_expect_eq(mask, SCOPE_DEFAULT | SCOPE_AUD_BUILTIN);
	mask = SCOPE_OPENID;	/* the issuer: the built-in API */
	cr_expect_eq(resources_request(STR_LIT("http://127.0.0.1:8080"),
	    &mask, &why), 0);
	cr_expect_eq(mask, SCOPE_OPENID | SCOPE_AUD_BUILTIN);
	mask = 0;	/* an empty value is as if omitted (RFC 6749 §3.1) */
	cr_expect_eq(resources_request(STR_LIT(""), &mask, &why), 0);
	cr_expect_eq(mask, SCOPE_DEFAULT | SCOPE_AUD_BUILTIN);
	mask = find(MCP)->scopes;
	cr_expect_eq(resources_request(STR_LIT(MCP " "), &mask, &why), 0);
	cr_expect_eq(mask, find(MCP)->bit | find(MCP)->scopes);
	cr_expect_eq(resources_request(STR_LIT("https://nope.example/"),
	    &mask, &why), ERR_TARGET);
	mask = find(MCP)->scopes;
	cr_expect_eq(resources_request(STR_LIT(API), &mask, &why),
	    ERR_INVALID);
}

Test(resources, narrowing_keeps_only_what_was_granted)
{
	unsigned granted = find(API)->bit | find(API)->scopes |
	    find(MCP)->bit | find(MCP)->scopes, mask = granted;
	const char *why = NULL;

	cr_expect_eq(resources_narrow(STR_LIT(MCP), &mask, &why), 0);
	cr_expect_eq(mask, find(MCP)->bit | find(MCP)->scopes);
	/* a bit this node does not know is not kept */
	mask = granted | (1u << 30);
	cr_expect_eq(resources_narrow(STR_LIT(MCP), &mask, &why), 0);
	cr_expect_eq(mask, find(MCP)->bit | find(MCP)->scopes);
	mask = find(MCP)->bit | find(MCP)->scopes;
	cr_expect_eq(resources_narrow(STR_LIT(API), &mask, &why), ERR_TARGET);
	mask = granted;
	cr_expect_eq(resources_narrow(STR_NULL, &mask, &why), 0);
	cr_expect_eq(mask, granted);
	cr_expect_eq(resources_kept(granted | SCOPE_ACCOUNT_READ),
	    find(API)->bit | find(MCP)->bit);
}

Test(resources, an_unchanged_store_publishes_no_new_table)
{
	const struct scope_table *t = scopes_now();

	cr_assert_eq(resources_load(&kg), 0);
	cr_expect_eq(scopes_now(), t);
}

Test(resources, delete_frees_the_bits)
{
	static const char *const s[] = { "x:a", "x:b", "x:c" };
	const char *why = NULL;

	cr_assert_eq(resources_delete(&kg, API), 0);
	cr_expect_eq(resources_delete(&kg, API), ERR_NOTFOUND);
	cr_assert_eq(resources_load(&kg), 0);
	cr_expect_null(scopes_resource(scopes_now(), STR_LIT(API)));
	cr_assert_eq(resources_add(&kg, "https://x.example", "X", s, 3, &why),
	    0, "%s", why ? why : "");
	cr_assert_eq(resources_load(&kg), 0);
	/* 8, 9, 10 were the API's; 13 is the next free one */
	cr_expect_eq(find("https://x.example")->bit, 1u << 8);
	cr_expect_eq(find("https://x.example")->scopes,
	    (1u << 9) | (1u << 10) | (1u << 13));
}

Test(resources, twenty_four_bits_in_all)
{
	static const char *const many[] = { "m:1", "m:2", "m:3", "m:4", "m:5",
	    "m:6", "m:7", "m:8", "m:9", "m:10", "m:11", "m:12", "m:13", "m:14",
	    "m:15", "m:16", "m:17", "m:18", "m:19" };
	const char *why = NULL;

	/* 5 taken, 19 left: a resource of 18 scopes fits, then none */
	cr_expect_eq(resources_add(&kg, "https://big.example", "Big", many, 19,
	    &why), ERR_INVALID);
	cr_expect_eq(resources_add(&kg, "https://big.example", "Big", many, 18,
	    &why), 0, "%s", why ? why : "");
	cr_expect_eq(resources_add(&kg, "https://one.example", "One", NULL, 0,
	    &why), ERR_INVALID);
}

/* authz_consented() compares audiences, not bits: a consent kept before
 * resources existed (built-in scopes, no audience bit) still covers a
 * request for the built-in API, whose mask now carries SCOPE_AUD_BUILTIN;
 * a consent to a resource alone covers no request for the built-in API. */
Test(resources, consents_compare_audiences)
{
	struct app_fields f;
	struct app_errors errs;
	struct app_row app;
	int64_t ann, bob, grant;
	unsigned mcp = find(MCP)->bit | find(MCP)->scopes;
	bool yes = false;

	ann = fixture_account(&kg, "ann@example.com");
	bob = fixture_account(&kg, "bob@example.com");
	memset(&f, 0, sizeof(f));
	f.has_name = true;
	f.name = STR_LIT("Consent App");
	cr_assert_eq(apps_create(&kg, ann, NULL, &f, &app, &errs), 0);
	cr_assert_eq(store_grant_upsert(kg.store, ann, app.id,
	    SCOPE_ACCOUNT_READ, 1, &grant), 0);
	cr_assert_eq(authz_consented(&kg, ann, &app, SCOPE_ACCOUNT_READ |
	    SCOPE_AUD_BUILTIN, &yes), 0);
	cr_expect(yes, "a consent from before resources covers the API");
	cr_assert_eq(authz_consented(&kg, ann, &app, mcp, &yes), 0);
	cr_expect(!yes, "nor does it cover a resource");
	cr_assert_eq(store_grant_upsert(kg.store, bob, app.id,
	    SCOPE_ACCOUNT_READ | mcp, 1, &grant), 0);
	cr_assert_eq(authz_consented(&kg, bob, &app, SCOPE_ACCOUNT_READ |
	    SCOPE_AUD_BUILTIN, &yes), 0);
	cr_expect(!yes, "a consent to a resource is none to the API");
	cr_assert_eq(authz_consented(&kg, bob, &app, mcp, &yes), 0);
	cr_expect(yes);
}
