/* core/events.c: the kinds' names (docs/REFERENCE.md §20) both ways, the
 * facts of a new event (an operator's command has no address, a detail
 * never outgrows its column), and the cap on failed log-ins per account
 * per hour, against a real SQLite store on the test clock. */
#include "core/events.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "store/store.h"
#include "store_fixture.h"

/* The documented names, in the enum's order. */
static const char *const names[] = {
	"signup", "login", "login_failed", "password_changed",
	"email_changed", "two_step_on", "two_step_off", "session_ended",
	"pat_created", "pat_revoked", "app_created", "app_changed",
	"app_deleted", "secret_generated", "secret_revoked", "grant_given",
	"grant_withdrawn", "refresh_reuse", "code_replay", "account_disabled",
};

_Static_assert(sizeof(names) / sizeof(names[0]) == EVENT_KINDS,
    "a name for every kind");

Test(event_kinds, names_round_trip)
{
	for (int i = 0; i < EVENT_KINDS; i++) {
		enum event_kind k = EVENT_KINDS;

		cr_expect_str_eq(event_kind_name((enum event_kind)i), names[i]);
		cr_expect(event_kind_parse(names[i], &k), "%s", names[i]);
		cr_expect_eq((int)k, i, "%s", names[i]);
	}
	cr_expect_str_eq(event_kind_name(EVENT_KINDS), "unknown");
	cr_expect_str_eq(event_kind_name((enum event_kind)-1), "unknown");
}

Test(event_kinds, other_names_are_refused)
{
	static const char *const bad[] = { "", "LOGIN", "login ", " login",
	    "log", "logins", "unknown", "login\n", "two-step-on" };
	enum event_kind k = EVENT_LOGIN;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_expect(!event_kind_parse(bad[i], &k), "\"%s\"", bad[i]);
	cr_expect(!event_kind_parse(NULL, &k));
	cr_expect_eq(k, EVENT_LOGIN, "left as it was");
}

static struct config cfg;
static struct keygate kg;

static void
setup(void)
{
	fixture_config("events", &cfg);
	cfg.test_clock = true;
	fixture_open(&cfg, &kg);
}

static void
teardown(void)
{
	fixture_close(&cfg, &kg);
}

TestSuite(events, .init = setup, .fini = teardown);

Test(events, facts_of_a_new_event)
{
	static const char *const fields[] = { "description", "logo_url" };
	struct event_new ev;
	char long_addr[SESSION_ADDRESS_MAX_BYTES + 8];

	int64_t before = clock_now(kg.clock);

	event_make(&ev, &kg, EVENT_APP_CHANGED, 7, "192.0.2.9");
	/* a range: the test clock runs on real time and may tick between */
	cr_expect_geq(ev.at, before);
	cr_expect_leq(ev.at, clock_now(kg.clock));
	cr_expect_eq(ev.account_id, 7);
	cr_expect_str_eq(ev.address, "192.0.2.9");
	cr_expect_str_eq(ev.detail, "{}");
	event_app(&ev, 3, "kg_ak_x");
	event_detail_list(&ev, "fields", fields, 2);
	event_detail_bool(&ev, "flag", true);
	cr_expect_eq(ev.app_id, 3);
	cr_expect_str_eq(ev.app, "kg_ak_x");
	cr_expect_str_eq(ev.detail,
	    "{\"fields\":[\"description\",\"logo_url\"],\"flag\":true}");
	/* an operator's command */
	event_make(&ev, &kg, EVENT_ACCOUNT_DISABLED, 7, NULL);
	cr_expect_str_eq(ev.address, "");
	cr_expect_str_eq(ev.detail, "{\"by\":\"cli\"}");
	/* an address too long for its column is none */
	memset(long_addr, 'a', sizeof(long_addr) - 1);
	long_addr[sizeof(long_addr) - 1] = '\0';
	event_make(&ev, &kg, EVENT_LOGIN, 7, long_addr);
	cr_expect_str_eq(ev.address, "");
}

Test(events, a_detail_never_outgrows_its_column)
{
	char big[EVENT_DETAIL_MAX_BYTES];
	struct event_new ev;

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	event_make(&ev, &kg, EVENT_LOGIN, 7, "");
	event_detail_str(&ev, "via", "link");
	event_detail_str(&ev, "huge", big);
	cr_expect_str_eq(ev.detail, "{\"via\":\"link\"}", "kept as it was");
}

static size_t
failed(int64_t account_id)
{
	struct event_filter f = { EVENT_LOGIN_FAILED, 0 };
	struct event_row *rows = NULL;
	size_t n = 0;

	cr_assert_eq(events_list(&kg, account_id, &f, 0, 100, &rows, &n), 0);
	for (size_t i = 0; i < n; i++)
		cr_expect_str_eq(rows[i].detail, "{\"reason\":\"password\"}");
	free(rows);
	return n;
}

Test(events, failed_log_ins_are_capped_per_account_per_hour)
{
	int64_t ann = fixture_account(&kg, "ann@example.com");
	int64_t bob = fixture_account(&kg, "bob@example.com");

	for (int i = 0; i < EVENTS_LOGIN_FAILED_PER_HOUR + 5; i++)
		events_login_failed(&kg, ann, "192.0.2.1", "password");
	events_login_failed(&kg, bob, "192.0.2.1", "password");
	cr_expect_eq(failed(ann), EVENTS_LOGIN_FAILED_PER_HOUR);
	cr_expect_eq(failed(bob), 1, "each account counts alone");
	cr_assert_eq(clock_advance(kg.clock, 3600), 0);
	events_login_failed(&kg, ann, "192.0.2.1", "password");
	cr_expect_eq(failed(ann), EVENTS_LOGIN_FAILED_PER_HOUR + 1);
}
