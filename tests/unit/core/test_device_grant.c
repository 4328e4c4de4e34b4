/* core/device_grant.c against a real SQLite store on the test clock: a
 * grant started, found by its user code as a person types it (wrong codes
 * throttled per account and per address), approved or denied through
 * device_grant_decide(, NULL), and polled to its outcome, the tokens exchanged
 * once. */
#include "core/device_grant.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "base/clock.h"
#include "base/err.h"
#include "core/apps.h"
#include "core/scopes.h"
#include "store_fixture.h"

static struct config cfg;
static struct keygate kg;
static int64_t owner, ann;
static struct app_row app, other;

static void
make_app(const char *name, bool device_flow, struct app_row *out)
{
	struct app_fields f;
	struct app_errors errs;

	memset(&f, 0, sizeof(f));
	f.has_name = true;
	f.name = str_from(name);
	f.has_device_flow = true;
	f.device_flow = device_flow;
	cr_assert_eq(apps_create(&kg, owner, NULL, &f, out, &errs), 0);
}

static void
setup_with(bool require_verified)
{
	fixture_config("device_grant", &cfg);
	cfg.test_clock = true;
	fixture_open(&cfg, &kg);
	owner = fixture_account(&kg, "owner@example.com");
	ann = fixture_account(&kg, "ann@example.com");
	make_app("TV App", true, &app);
	make_app("Other App", true, &other);
	/* after the apps: making one asks for a verified address too */
	cfg.require_verified_email = require_verified;
}

static void
setup(void)
{
	setup_with(false);
}


static void
teardown(void)
{
	fixture_close(&cfg, &kg);
}

static void
started(const struct app_row *a, const char *scope, struct device_start *d)
{
	const char *why = NULL;

	int64_t wait = 0;

	cr_assert_eq(device_grant_start(&kg, a, "192.0.2.1", scope == NULL ?
	    STR_NULL : str_from(scope), STR_NULL, d, &why, &wait), 0, "%s",
	    why ? why : "");
}

static enum device_poll
polled(const struct app_row *a, const struct device_start *d,
    struct token_pair *out)
{
	struct token_pair scratch;
	enum device_poll p;
	const char *why = NULL;

	cr_assert_eq(device_grant_poll(&kg, a, str_from(d->device_code),
	    STR_NULL, NULL, &p, out != NULL ? out : &scratch, &why), 0);
	return p;
}

static int
find(int64_t account, const char *addr, const char *typed,
    struct device_pending *out, int64_t *wait)
{
	return device_grant_find(&kg, account, addr, str_from(typed), out,
	    wait);
}

TestSuite(device_grant, .init = setup, .fini = teardown);

Test(device_grant, start_answers_the_codes)
{
	struct device_start d;
	const char *why = NULL;
	struct app_row off;
	int64_t wait = 0;

	started(&app, "openid account_read", &d);
	cr_expect_eq(strncmp(d.device_code, DEVICE_CODE_PREFIX, 6), 0);
	cr_expect_eq(strlen(d.user_code), 9);
	cr_expect_eq(d.user_code[4], '-');
	for (int i = 0; i < 9; i++)
		if (i != 4)
			cr_expect_neq(strchr(DEVICE_USER_CODE_LETTERS,
			    d.user_code[i]), NULL, "%s", d.user_code);
	cr_expect_eq(d.expires_in, 600);
	cr_expect_eq(d.interval, 5);
	cr_expect_eq(device_grant_start(&kg, &app, "192.0.2.1",
	    STR_LIT("nope"), STR_NULL, &d, &why, &wait), ERR_INVALID);
	cr_expect_neq(why, NULL);
	make_app("Off App", false, &off);
	cr_expect_eq(device_grant_start(&kg, &off, "192.0.2.1", STR_NULL,
	    STR_NULL, &d, &why, &wait), ERR_FORBIDDEN);
}

Test(device_grant, starts_are_bounded_per_address)
{
	struct device_start d;
	const char *why = NULL;
	int64_t wait = 0;

	for (int i = 0; i < THROTTLE_DEVICE_STARTS_PER_ADDRESS; i++)
		cr_assert_eq(device_grant_start(&kg, &app, "198.51.100.7",
		    STR_NULL, STR_NULL, &d, &why, &wait), 0, "start %d", i);
	cr_expect_eq(device_grant_start(&kg, &app, "198.51.100.7", STR_NULL,
	    STR_NULL, &d, &why, &wait), ERR_THROTTLED);
	cr_expect_gt(wait, 0);
	/* another address is not held back */
	cr_expect_eq(device_grant_start(&kg, &app, "203.0.113.9", STR_NULL,
	    STR_NULL, &d, &why, &wait), 0);
}

Test(device_grant, found_as_a_person_types_it)
{
	struct device_start d;
	struct device_pending p;
	char typed[32], code[9];
	int64_t wait = 0;

	started(&app, NULL, &d);
	snprintf(code, sizeof(code), "%.4s%.4s", d.user_code,
	    d.user_code + 5);
	cr_assert_eq(find(ann, "192.0.2.1", d.user_code, &p, &wait), 0);
	cr_expect_str_eq(p.app.api_key, app.api_key);
	cr_expect_str_eq(p.app.name, "TV App");
	/* the built-in API's default, its audience written out (§22.1) */
	cr_expect_eq(p.scope, SCOPE_DEFAULT | SCOPE_AUD_BUILTIN);
	cr_expect_str_eq(p.user_code, code);
	for (size_t i = 0; i < strlen(code); i++)
		typed[i] = (char)(code[i] - 'A' + 'a');
	snprintf(typed + 8, sizeof(typed) - 8, "%s", "");
	cr_expect_eq(find(ann, "192.0.2.1", typed, &p, &wait), 0, "%s", typed);
	snprintf(typed, sizeof(typed), " %.2s %.2s-%.4s ", code, code + 2,
	    code + 4);
	cr_expect_eq(find(ann, "192.0.2.1", typed, &p, &wait), 0, "%s", typed);
	cr_expect_eq(find(ann, "192.0.2.1", "BCDF-GHJ", &p, &wait),
	    ERR_NOTFOUND);
	cr_expect_eq(find(ann, "192.0.2.1", "BCDF-GHJKL", &p, &wait),
	    ERR_NOTFOUND);
	cr_expect_eq(find(ann, "192.0.2.1", "AEIO-UAEI", &p, &wait),
	    ERR_NOTFOUND);
	/* past its expiry */
	clock_advance(kg.clock, DEVICE_CODE_TTL_S);
	cr_expect_eq(find(ann, "192.0.2.1", d.user_code, &p, &wait),
	    ERR_NOTFOUND);
}

Test(device_grant, wrong_codes_are_throttled_per_account_and_address)
{
	struct device_start d;
	struct device_pending p;
	int64_t wait = 0, bob;
	char addr[32];

	started(&app, NULL, &d);
	/* right codes never count */
	for (int i = 0; i < THROTTLE_DEVICE_CODES_PER_ACCOUNT + 5; i++)
		cr_assert_eq(find(ann, "192.0.2.1", d.user_code, &p, &wait), 0);
	for (int i = 0; i < THROTTLE_DEVICE_CODES_PER_ACCOUNT; i++) {
		snprintf(addr, sizeof(addr), "192.0.2.%d", 10 + i);
		cr_assert_eq(find(ann, addr, "BBBB-BBBB", &p, &wait),
		    ERR_NOTFOUND);
	}
	/* the account's count is spent, whatever the address, right code
	 * or not */
	cr_expect_eq(find(ann, "198.51.100.1", d.user_code, &p, &wait),
	    ERR_THROTTLED);
	cr_expect_gt(wait, 0);
	/* another account at one address: that address's count */
	bob = fixture_account(&kg, "bob@example.com");
	cr_expect_eq(find(bob, "198.51.100.1", d.user_code, &p, &wait), 0);
	for (int i = 0; i < THROTTLE_DEVICE_CODES_PER_ADDRESS; i++) {
		char email[64];
		int64_t who;

		snprintf(email, sizeof(email), "guess%d@example.com", i);
		who = fixture_account(&kg, email);
		cr_assert_eq(find(who, "203.0.113.7", "CCCC-CCCC", &p, &wait),
		    ERR_NOTFOUND, "guess %d", i);
	}
	cr_expect_eq(find(bob, "203.0.113.7", d.user_code, &p, &wait),
	    ERR_THROTTLED);
	/* a new window forgives */
	clock_advance(kg.clock, THROTTLE_WINDOW_S);
	started(&app, NULL, &d);
	cr_expect_eq(find(ann, "192.0.2.1", d.user_code, &p, &wait), 0);
}

Test(device_grant, approved_polls_to_tokens_once)
{
	struct device_start d;
	struct token_pair t, again;
	struct token_row row;
	unsigned char key[SECURE_HASH_BYTES];
	/* read once: the test clock runs on real time and may tick between */
	int64_t logged_in = clock_now(kg.clock) - 20;

	started(&app, "openid account_read", &d);
	cr_expect_eq(polled(&app, &d, NULL), DEVICE_POLL_PENDING);
	cr_assert_eq(device_grant_decide(&kg, ann, NULL, str_from(d.user_code),
	    true, logged_in, AMR_PWD), 0);
	/* decided: not decided again, nor found */
	cr_expect_eq(device_grant_decide(&kg, ann, NULL, str_from(d.user_code),
	    false, 0, 0), ERR_NOTFOUND);
	memset(&t, 0, sizeof(t));
	cr_assert_eq(polled(&app, &d, &t), DEVICE_POLL_TOKENS);
	cr_expect_eq(strncmp(t.access, "kg_at_", 6), 0);
	cr_expect_eq(strncmp(t.refresh, "kg_rt_", 6), 0);
	cr_expect_eq(t.scope, SCOPE_OPENID | SCOPE_ACCOUNT_READ |
	    SCOPE_AUD_BUILTIN);
	cr_expect_eq(t.account_id, ann);
	cr_expect_eq(t.auth_time, logged_in);
	cr_expect_eq(t.amr, AMR_PWD);
	cr_expect_str_eq(t.nonce, "");
	/* exchanged once; the first tokens stay good */
	clock_advance(kg.clock, 10);
	cr_expect_eq(polled(&app, &d, &again), DEVICE_POLL_INVALID);
	secure_token_key(str_from(t.access), 6, key);
	cr_assert_eq(store_access_get(kg.store, key, &row), 0);
	cr_expect(!row.revoked);
	secure_token_key(str_from(t.refresh), 6, key);
	cr_assert_eq(store_refresh_get(kg.store, key, &row), 0);
	cr_expect(!row.revoked);
}

Test(device_grant, denied_polls_to_access_denied)
{
	struct device_start d;

	started(&app, NULL, &d);
	cr_assert_eq(device_grant_decide(&kg, ann, NULL, str_from(d.user_code),
	    false,
	    0, 0), 0);
	cr_expect_eq(polled(&app, &d, NULL), DEVICE_POLL_DENIED);
	clock_advance(kg.clock, 10);
	cr_expect_eq(polled(&app, &d, NULL), DEVICE_POLL_DENIED);
}

Test(device_grant, polling_too_fast_slows_down_then_expires)
{
	struct device_start d;

	started(&app, NULL, &d);
	cr_expect_eq(polled(&app, &d, NULL), DEVICE_POLL_PENDING);
	cr_expect_eq(polled(&app, &d, NULL), DEVICE_POLL_SLOW_DOWN);
	clock_advance(kg.clock, 6);	/* the interval is 10 s now */
	cr_expect_eq(polled(&app, &d, NULL), DEVICE_POLL_SLOW_DOWN);
	clock_advance(kg.clock, 15);
	cr_expect_eq(polled(&app, &d, NULL), DEVICE_POLL_PENDING);
	clock_advance(kg.clock, DEVICE_CODE_TTL_S);
	cr_expect_eq(polled(&app, &d, NULL), DEVICE_POLL_EXPIRED);
	/* too late to decide */
	cr_expect_eq(device_grant_decide(&kg, ann, NULL, str_from(d.user_code),
	    true,
	    0, AMR_PWD), ERR_NOTFOUND);
}

Test(device_grant, another_clients_code_is_invalid_and_untouched)
{
	struct device_start d;

	started(&app, NULL, &d);
	cr_assert_eq(device_grant_decide(&kg, ann, NULL, str_from(d.user_code),
	    true,
	    0, AMR_PWD), 0);
	cr_expect_eq(polled(&other, &d, NULL), DEVICE_POLL_INVALID);
	cr_expect_eq(polled(&app, &d, NULL), DEVICE_POLL_TOKENS);
}

Test(device_grant, malformed_device_codes_are_invalid)
{
	const char *bad[] = { "", "kg_dc_", "kg_ac_abc", "garbage" };
	struct token_pair t;
	enum device_poll p;
	const char *why;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_expect_eq(device_grant_poll(&kg, &app, str_from(bad[i]),
		    STR_NULL, NULL, &p, &t, &why), 0);
		cr_expect_eq(p, DEVICE_POLL_INVALID, "%s", bad[i]);
	}
}

/* The suite's setup runs here too (Criterion runs a suite's init and
 * fini beside a test's own), so the setting is turned on in the test. */
Test(device_grant, approval_needs_a_verified_address_when_required)
{
	struct device_start d;

	/* after the apps: making one asks for a verified address too */
	cfg.require_verified_email = true;
	started(&app, NULL, &d);
	cr_expect_eq(device_grant_decide(&kg, ann, NULL, str_from(d.user_code),
	    true,
	    0, AMR_PWD), ERR_FORBIDDEN);
	cr_expect_eq(polled(&app, &d, NULL), DEVICE_POLL_PENDING);
	/* denying needs no verified address */
	cr_expect_eq(device_grant_decide(&kg, ann, NULL, str_from(d.user_code),
	    false, 0, 0), 0);
}
