/* core/tokens.c's tokens_use_key() against a real SQLite store: an access
 * token bound to a DPoP key (docs/REFERENCE.md §17.1) is refused as
 * Bearer and with another key's thumbprint, and no use is recorded by
 * the refusal; with its key it passes; an unbound token passes either
 * way (RFC 9449 §7.2). */
#include "core/tokens.h"

#include <criterion/criterion.h>
#include <string.h>

#include "base/clock.h"
#include "base/err.h"
#include "core/apps.h"
#include "core/scopes.h"
#include "store_fixture.h"

static struct config cfg;
static struct keygate kg;
static struct app_row app;
static int64_t owner;

static void
setup(void)
{
	struct app_fields f;
	struct app_errors errs;

	fixture_config("token_key", &cfg);
	cfg.test_clock = true;
	fixture_open(&cfg, &kg);
	owner = fixture_account(&kg, "owner@example.com");
	memset(&f, 0, sizeof(f));
	f.has_name = true;
	f.name = STR_LIT("Bound App");
	cr_assert_eq(apps_create(&kg, owner, NULL, &f, &app, &errs), 0);
}

static void
teardown(void)
{
	fixture_close(&cfg, &kg);
}

TestSuite(token_key, .init = setup, .fini = teardown);

/* An access token issued now, bound to jkt unless it is NULL. */
static void
issued(const unsigned char *jkt, char token[TOKEN_MAX_BYTES + 1])
{
	struct issue is;

	memset(&is, 0, sizeof(is));
	is.account_id = owner;
	is.app_id = app.id;
	is.scope = is.family_scope = SCOPE_ACCOUNT_READ;
	is.now = clock_now(kg.clock);
	secure_token_sorted(TOKENS_ACCESS_PREFIX, token, is.access_hash);
	if (jkt != NULL) {
		is.access_bound = true;
		memcpy(is.jkt, jkt, SECURE_HASH_BYTES);
	}
	cr_assert_eq(store_issue(kg.store, &is), 0);
}

static int64_t
last_used(const char *token)
{
	struct token_row row;

	cr_assert_eq(tokens_use_key(&kg, str_from(token), false, SCOPE_AUD_BUILTIN,
	    (const unsigned char *)"kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk", &row),
	    0);
	return row.last_used;
}

Test(token_key, bound_token_needs_its_key)
{
	unsigned char jkt[SECURE_HASH_BYTES], other[SECURE_HASH_BYTES];
	char bound[TOKEN_MAX_BYTES + 1];
	struct token_row row;
	int64_t before;

	memset(jkt, 'k', sizeof(jkt));
	memset(other, 'o', sizeof(other));
	issued(jkt, bound);
	clock_advance(kg.clock, 10);
	cr_expect_eq(tokens_use_key(&kg, str_from(bound), true, SCOPE_AUD_BUILTIN, NULL, &row),
	    ERR_FORBIDDEN, "as Bearer");
	cr_expect_eq(tokens_use_key(&kg, str_from(bound), true, SCOPE_AUD_BUILTIN, other, &row),
	    ERR_FORBIDDEN, "with another key");
	cr_expect_lt(last_used(bound), clock_now(kg.clock),
	    "a refusal is no use");
	before = clock_now(kg.clock);
	cr_assert_eq(tokens_use_key(&kg, str_from(bound), true, SCOPE_AUD_BUILTIN, jkt, &row), 0);
	cr_expect(row.bound);
	cr_expect_eq(memcmp(row.jkt, jkt, sizeof(jkt)), 0);
	/* a range: the test clock runs on real time and may tick between */
	cr_expect_geq(last_used(bound), before,
	    "the accepted use is recorded, so the refusals' check can fail");
	cr_expect_leq(last_used(bound), clock_now(kg.clock));
}

Test(token_key, unbound_token_either_way)
{
	unsigned char jkt[SECURE_HASH_BYTES];
	char plain[TOKEN_MAX_BYTES + 1];
	struct token_row row;

	memset(jkt, 'k', sizeof(jkt));
	issued(NULL, plain);
	cr_expect_eq(tokens_use_key(&kg, str_from(plain), true, SCOPE_AUD_BUILTIN, NULL, &row), 0);
	cr_expect_eq(tokens_use_key(&kg, str_from(plain), true, SCOPE_AUD_BUILTIN, jkt, &row), 0);
	cr_expect(!row.bound);
}
