/* Security events (docs/REFERENCE.md §20) on every backend: written with
 * the change they record and only when it is made, listed for an account
 * with its apps' (another account's address blanked), filtered and paged
 * newest first, kept with an app's deletion, gone with the account's, and
 * removed by gc in batches before the horizon. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "store_contract.h"

static struct event_new
ev_of(enum event_kind k, int64_t account_id, int64_t at, const char *addr)
{
	struct event_new e;

	memset(&e, 0, sizeof(e));
	e.at = at;
	e.account_id = account_id;
	e.kind = k;
	SET(e.address, addr);
	SET(e.detail, "{}");
	return e;
}

/* The account's events, newest first, into a malloc'd *rows. */
static size_t
list(int64_t account_id, int kind, int64_t app_id, int64_t before,
    size_t max, struct event_row **rows)
{
	size_t n = 0;

	cr_assert_eq(store_event_list(st, account_id, kind, app_id, before,
	    max, rows, &n), 0);
	return n;
}

static size_t
count(int64_t account_id)
{
	struct event_row *rows = NULL;
	size_t n = list(account_id, -1, 0, 0, 1000, &rows);

	free(rows);
	return n;
}

OAUTH_TEST(events, written_only_with_the_change)
{
	struct event_new e = ev_of(EVENT_APP_CHANGED, fx.dev, T0, "192.0.2.1");
	struct app_row *row = calloc(1, sizeof(*row));
	struct event_row *rows = NULL;
	size_t n;

	cr_assert_not_null(row);
	*row = fx.app;
	SET(row->description, "changed");
	cr_assert_eq(store_app_update(st, row, &e), 0);
	n = list(fx.dev, -1, 0, 0, 10, &rows);
	cr_assert_eq(n, 1);
	cr_expect_eq(rows[0].kind, EVENT_APP_CHANGED);
	cr_expect_str_eq(rows[0].address, "192.0.2.1");
	/* the app named by its id alone: the store fills in its key */
	cr_expect_str_eq(rows[0].app, "");
	free(rows);
	e.app_id = fx.app.id;
	cr_assert_eq(store_app_update(st, row, &e), 0);
	n = list(fx.dev, -1, 0, 0, 10, &rows);
	cr_assert_eq(n, 2);
	cr_expect_str_eq(rows[0].app, fx.app.api_key);
	cr_expect_gt(rows[0].id, rows[1].id, "newest first");
	free(rows);
	/* a write that changes nothing writes no event */
	row->id = 999999;
	cr_expect_eq(store_app_update(st, row, &e), ERR_NOTFOUND);
	cr_expect_eq(store_app_delete(st, fx.ann, fx.app.api_key, &e),
	    ERR_NOTFOUND);
	cr_expect_eq(store_pat_delete(st, fx.dev, 424242, &e), ERR_NOTFOUND);
	cr_expect_eq(store_app_insert(st, row, 0, &e), ERR_TOOBIG);
	cr_expect_eq(count(fx.dev), 2);
	free(row);
}

STORE_TEST(events, signup_takes_the_new_id, contract_setup)
{
	struct event_new e = ev_of(EVENT_SIGNUP, 0, T0, "192.0.2.2");
	struct event_row *rows = NULL;
	int64_t id = 0, again = 0;

	cr_assert_eq(store_account_insert(st, "new@example.com", "$x", T0, &id,
	    &e), 0);
	cr_assert_eq(list(id, EVENT_SIGNUP, 0, 0, 10, &rows), 1);
	cr_expect_eq(rows[0].account_id, id);
	free(rows);
	/* a taken email: no account, no event */
	cr_expect_eq(store_account_insert(st, "new@example.com", "$x", T0,
	    &again, &e), ERR_EXISTS);
	cr_expect_eq(count(id), 1);
}

OAUTH_TEST(events, grant_given_only_for_a_new_or_wider_consent)
{
	struct event_new e = ev_of(EVENT_GRANT_GIVEN, fx.ann, T0, "192.0.2.3");
	struct code_row c;
	unsigned char h[SECURE_HASH_BYTES];
	unsigned scopes[] = { 1, 1, 3, 2, 3 };
	size_t want[] = { 1, 1, 2, 2, 2 };

	for (size_t i = 0; i < sizeof(scopes) / sizeof(scopes[0]); i++) {
		memset(&c, 0, sizeof(c));
		c.account_id = fx.ann;
		c.app_id = fx.app.id;
		c.scope = scopes[i];
		c.issued_at = T0;
		c.expires_at = T0 + 60;
		contract_hash(h);
		cr_assert_eq(store_code_insert(st, h, &c, &e), 0);
		cr_expect_eq(count(fx.ann), want[i], "code %zu", i);
	}
}

#define RACERS	8
#define FULL_ROUNDS	12

struct racer {
	int64_t		 account_id;
	pthread_barrier_t *start;
	int		 rc;
};

static void *
consent(void *p)
{
	struct racer *r = p;
	struct event_new e = ev_of(EVENT_GRANT_GIVEN, r->account_id, T0, "");
	unsigned char h[SECURE_HASH_BYTES];
	struct code_row c;

	memset(&c, 0, sizeof(c));
	c.account_id = r->account_id;
	c.app_id = fx.app.id;
	c.scope = 1;
	c.issued_at = T0;
	c.expires_at = T0 + 60;
	contract_hash(h);
	pthread_barrier_wait(r->start);
	r->rc = store_code_insert(st, h, &c, &e);
	return NULL;
}

/* first consents racing: one grant, one event, round after round */
OAUTH_TEST(events, racing_first_consents_record_one_grant_given)
{
	pthread_barrier_t start;
	pthread_t th[RACERS];
	struct racer rs[RACERS];
	char email[64];
	int64_t who;

	for (int round = 0; round < contract_rounds(FULL_ROUNDS); round++) {
		snprintf(email, sizeof(email), "racer%d@example.com", round);
		who = contract_account(email);
		cr_assert_eq(pthread_barrier_init(&start, NULL, RACERS), 0);
		for (int i = 0; i < RACERS; i++) {
			rs[i] = (struct racer){ who, &start, -1 };
			cr_assert_eq(pthread_create(&th[i], NULL, consent,
			    &rs[i]), 0);
		}
		for (int i = 0; i < RACERS; i++) {
			pthread_join(th[i], NULL);
			cr_expect_eq(rs[i].rc, 0, "round %d racer %d", round,
			    i);
		}
		pthread_barrier_destroy(&start);
		cr_expect_eq(count(who), 1, "round %d", round);
	}
}

OAUTH_TEST(events, the_owner_sees_its_apps_without_the_users_address)
{
	struct event_new e = ev_of(EVENT_GRANT_WITHDRAWN, fx.ann, T0,
	    "192.0.2.4");
	struct event_row *rows = NULL;

	contract_grant(fx.ann, &fx.app, 1);
	e.app_id = fx.app.id;
	cr_assert_eq(store_grant_delete(st, fx.ann, fx.app.id, &e), 0);
	cr_assert_eq(list(fx.ann, -1, 0, 0, 10, &rows), 1);
	cr_expect_str_eq(rows[0].address, "192.0.2.4");
	free(rows);
	cr_assert_eq(list(fx.dev, -1, fx.app.id, 0, 10, &rows), 1);
	cr_expect_str_eq(rows[0].address, "");
	cr_expect_str_eq(rows[0].app, fx.app.api_key);
	free(rows);
	cr_expect_eq(count(fx.bob), 0, "not bob's");
	/* deleted, the app's events stay, with its key */
	cr_assert_eq(store_app_delete(st, fx.dev, fx.app.api_key, NULL), 0);
	cr_assert_eq(list(fx.ann, -1, 0, 0, 10, &rows), 1);
	cr_expect_str_eq(rows[0].app, fx.app.api_key);
	free(rows);
	/* the account's deletion takes its events */
	cr_assert_eq(store_account_delete(st, fx.ann), 0);
	cr_expect_eq(count(fx.ann), 0);
}

OAUTH_TEST(events, filtered_and_paged)
{
	struct event_row *rows = NULL;
	int64_t last;
	size_t n;

	for (int i = 0; i < 5; i++) {
		struct event_new e = ev_of(i % 2 ? EVENT_LOGIN :
		    EVENT_APP_CHANGED, fx.dev, T0 + i, "");

		if (i % 2 == 0)
			e.app_id = i == 4 ? fx.app2.id : fx.app.id;
		cr_assert_eq(store_event_add(st, &e), 0);
	}
	cr_expect_eq(list(fx.dev, EVENT_LOGIN, 0, 0, 10, &rows), 2);
	free(rows);
	cr_expect_eq(list(fx.dev, EVENT_APP_CHANGED, fx.app.id, 0, 10, &rows),
	    2);
	free(rows);
	cr_expect_eq(list(fx.dev, -1, fx.app2.id, 0, 10, &rows), 1);
	free(rows);
	n = list(fx.dev, -1, 0, 0, 2, &rows);
	cr_assert_eq(n, 2);
	cr_expect_eq(rows[0].at, T0 + 4);
	last = rows[1].id;
	free(rows);
	n = list(fx.dev, -1, 0, last, 10, &rows);
	cr_assert_eq(n, 3);
	cr_expect_eq(rows[0].at, T0 + 2);
	cr_expect_lt(rows[0].id, last);
	free(rows);
}

STORE_TEST(events, gc_in_batches_before_the_horizon, contract_setup)
{
	struct store_horizon h;
	int64_t ann = contract_account("ann@example.com");
	size_t removed = 0;

	for (int i = 0; i < 7; i++) {
		struct event_new e = ev_of(EVENT_LOGIN, ann, T0 + i, "");

		cr_assert_eq(store_event_add(st, &e), 0);
	}
	memset(&h, 0, sizeof(h));
	h.at = T0;
	h.events_before = T0 + 5;
	cr_assert_eq(store_gc(st, STORE_GC_EVENTS, &h, 3, &removed), 0);
	cr_expect_eq(removed, 3);
	cr_assert_eq(store_gc(st, STORE_GC_EVENTS, &h, 3, &removed), 0);
	cr_expect_eq(removed, 2);
	cr_assert_eq(store_gc(st, STORE_GC_EVENTS, &h, 3, &removed), 0);
	cr_expect_eq(removed, 0);
	cr_expect_eq(count(ann), 2, "those at and after the horizon stay");
}

/* An app's id given again (SQLite reuses the highest rowid once its row
 * is gone) is another app: its new owner sees none of the old one's
 * events, listed whole or filtered by the app. */
OAUTH_TEST(events, an_app_id_given_again_shows_nothing_of_the_old_app)
{
	struct event_new e = ev_of(EVENT_GRANT_GIVEN, fx.ann, T0,
	    "192.0.2.5");
	struct app_row *again = calloc(1, sizeof(*again));
	struct event_row *rows = NULL;

	cr_assert_not_null(again);
	e.app_id = fx.app2.id;
	cr_assert_eq(store_event_add(st, &e), 0);
	cr_assert_eq(list(fx.dev, -1, fx.app2.id, 0, 10, &rows), 1);
	free(rows);
	cr_assert_eq(store_app_delete(st, fx.dev, fx.app2.api_key, NULL), 0);
	contract_app(fx.bob, "bobs-app", T0 + 1, again);
	cr_expect_eq(count(fx.bob), 0, "bob's new app (id %lld, the old "
	    "%lld)", (long long)again->id, (long long)fx.app2.id);
	cr_expect_eq(list(fx.bob, -1, again->id, 0, 10, &rows), 0);
	free(rows);
	cr_expect_eq(count(fx.ann), 1, "still ann's own");
	free(again);
}

/* A change that changes nothing records nothing: an account disabled
 * again (its time kept), an address set to the one it has. */
STORE_TEST(events, no_event_for_what_was_so_already, contract_setup)
{
	int64_t ann = contract_account("ann@example.com");
	struct event_new off = ev_of(EVENT_ACCOUNT_DISABLED, ann, T0, "");
	struct event_new moved = ev_of(EVENT_EMAIL_CHANGED, ann, T0, "");

	cr_assert_eq(store_account_disable(st, ann, T0, &off), 0);
	cr_assert_eq(store_account_disable(st, ann, T0 + 1, &off), 0);
	cr_expect_eq(count(ann), 1, "one account_disabled");
	cr_expect_eq(store_account_disable(st, ann + 1000, T0, &off),
	    ERR_NOTFOUND);
	cr_assert_eq(store_account_set_email(st, ann, "new@example.com",
	    &moved), 0);
	cr_expect_eq(count(ann), 2, "and one email_changed");
	cr_assert_eq(store_account_set_email(st, ann, "new@example.com",
	    &moved), 0);
	cr_expect_eq(count(ann), 2, "not two");
}
