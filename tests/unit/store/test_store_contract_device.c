/* Device grants (RFC 8628) on every backend: insert and find by user
 * code, the poll's slow_down in one statement, the decision's
 * compare-and-set with its code and consent, races to decide and to
 * exchange, gc, and the app's device_flow switch. */
#include <pthread.h>
#include <string.h>

#include "base/err.h"
#include "base/limits.h"
#include "core/scopes.h"
#include "store_contract.h"

#define RACERS	8
#define TTL	600
#define STEP	5

/* Inserts a pending grant of fx.app under hash and `code`, made at T0. */
static void
insert_grant(const unsigned char *hash, const char *code, unsigned scope)
{
	struct device_row d;

	memset(&d, 0, sizeof(d));
	SET(d.user_code, code);
	d.app_id = fx.app.id;
	d.scope = scope;
	d.created_at = T0;
	d.expires_at = T0 + TTL;
	d.interval_s = 5;
	cr_assert_eq(store_device_insert(st, hash, &d), 0);
}

static struct device_decision
decision(bool approve, int64_t account_id, int64_t now)
{
	return (struct device_decision){ .approve = approve,
	    .account_id = account_id, .auth_time = T0 - 30,
	    .amr = AMR_PWD | AMR_OTP, .now = now };
}

static struct device_row
polled(const unsigned char *hash, int64_t now)
{
	struct device_row d;

	cr_assert_eq(store_device_poll(st, hash, fx.app.id, now, STEP, &d), 0);
	return d;
}

OAUTH_TEST(device, insert_and_find_by_user_code)
{
	unsigned char h[SECURE_HASH_BYTES], h2[SECURE_HASH_BYTES];
	struct device_row d;

	contract_hash(h);
	insert_grant(h, "BCDFGHJK", SCOPE_OPENID | SCOPE_ACCOUNT_READ);
	cr_assert_eq(store_device_find(st, "BCDFGHJK", T0 + 1, &d), 0);
	cr_expect_str_eq(d.user_code, "BCDFGHJK");
	cr_expect_eq(d.app_id, fx.app.id);
	cr_expect_str_eq(d.api_key, fx.app.api_key);
	cr_expect_eq(d.scope, SCOPE_OPENID | SCOPE_ACCOUNT_READ);
	cr_expect_eq(d.created_at, T0);
	cr_expect_eq(d.expires_at, T0 + TTL);
	cr_expect_eq(d.interval_s, 5);
	cr_expect_eq(d.state, STORE_DEVICE_PENDING);
	cr_expect_eq(d.account_id, 0);
	/* unknown, and expired */
	cr_expect_eq(store_device_find(st, "BCDFGHJL", T0 + 1, &d),
	    ERR_NOTFOUND);
	cr_expect_eq(store_device_find(st, "BCDFGHJK", T0 + TTL, &d),
	    ERR_NOTFOUND);
	/* a taken user code is refused, and nothing is stored */
	contract_hash(h2);
	d.app_id = fx.app.id;
	cr_expect_eq(store_device_insert(st, h2, &d), ERR_EXISTS);
	cr_expect_eq(store_device_poll(st, h2, fx.app.id, T0 + 1, STEP, &d),
	    ERR_NOTFOUND);
}

OAUTH_TEST(device, poll_grows_the_interval_when_too_soon)
{
	unsigned char h[SECURE_HASH_BYTES];
	struct device_row d;

	contract_hash(h);
	insert_grant(h, "BCDFGHJK", SCOPE_DEFAULT);
	d = polled(h, T0 + 1);		/* the first poll is never too soon */
	cr_expect(!d.slow_down);
	cr_expect_eq(d.interval_s, 5);
	cr_expect_eq(d.state, STORE_DEVICE_PENDING);
	d = polled(h, T0 + 5);		/* 4 s after */
	cr_expect(d.slow_down);
	cr_expect_eq(d.interval_s, 10);
	d = polled(h, T0 + 15);		/* 10 s after: in time */
	cr_expect(!d.slow_down);
	cr_expect_eq(d.interval_s, 10);
	/* another client's poll is not found and changes nothing: the
	 * owner's next poll is measured from its own last one */
	cr_expect_eq(store_device_poll(st, h, fx.app2.id, T0 + 24, STEP, &d),
	    ERR_NOTFOUND);
	d = polled(h, T0 + 25);
	cr_expect(!d.slow_down, "app2's poll counted as the owner's");
	cr_expect_eq(d.interval_s, 10);
	/* past its expiry a grant no longer slows down */
	d = polled(h, T0 + TTL);
	d = polled(h, T0 + TTL + 1);
	cr_expect(!d.slow_down);
	cr_expect_eq(d.interval_s, 10);
}

OAUTH_TEST(device, approval_writes_the_code_and_the_consent)
{
	unsigned char h[SECURE_HASH_BYTES];
	struct device_decision dd = decision(true, fx.ann, T0 + 60);
	struct device_row d;
	struct code_row c;
	int64_t gid;
	unsigned scope;

	contract_hash(h);
	insert_grant(h, "BCDFGHJK", SCOPE_OPENID | SCOPE_ACCOUNT_READ);
	cr_expect_eq(store_code_get(st, h, &c), ERR_NOTFOUND);
	cr_assert_eq(store_device_decide(st, "BCDFGHJK", &dd, NULL), 0);
	d = polled(h, T0 + 61);
	cr_expect_eq(d.state, STORE_DEVICE_APPROVED);
	cr_expect_eq(d.account_id, fx.ann);
	cr_expect_eq(d.auth_time, T0 - 30);
	cr_expect_eq(d.amr, AMR_PWD | AMR_OTP);
	cr_assert_eq(store_code_get(st, h, &c), 0);
	cr_expect_eq(c.account_id, fx.ann);
	cr_expect_eq(c.app_id, fx.app.id);
	cr_expect_eq(c.scope, SCOPE_OPENID | SCOPE_ACCOUNT_READ);
	cr_expect_eq(c.expires_at, T0 + TTL);
	cr_expect_str_eq(c.redirect_uri, "");
	cr_expect_str_eq(c.challenge, "");
	cr_expect_str_eq(c.nonce, "");
	cr_expect_eq(c.auth_time, T0 - 30);
	cr_expect_eq(c.amr, AMR_PWD | AMR_OTP);
	cr_expect(!c.used);
	cr_assert_eq(store_grant_get(st, fx.ann, fx.app.id, &gid, &scope), 0);
	cr_expect_eq(gid, c.grant_id);
	cr_expect_eq(scope, SCOPE_OPENID | SCOPE_ACCOUNT_READ);
	/* decided: no longer found, not decided twice */
	cr_expect_eq(store_device_find(st, "BCDFGHJK", T0 + 62, &d),
	    ERR_NOTFOUND);
	dd = decision(false, fx.bob, T0 + 62);
	cr_expect_eq(store_device_decide(st, "BCDFGHJK", &dd, NULL),
	    ERR_NOTFOUND);
	d = polled(h, T0 + 70);
	cr_expect_eq(d.state, STORE_DEVICE_APPROVED);
	cr_expect_eq(d.account_id, fx.ann);
}

OAUTH_TEST(device, denial_and_expiry_write_no_code)
{
	unsigned char h[SECURE_HASH_BYTES], h2[SECURE_HASH_BYTES];
	struct device_decision dd = decision(false, fx.bob, T0 + 60);
	struct device_row d;
	struct code_row c;
	int64_t gid;
	unsigned scope;

	contract_hash(h);
	contract_hash(h2);
	insert_grant(h, "BCDFGHJK", SCOPE_DEFAULT);
	insert_grant(h2, "ZXWVTSRQ", SCOPE_DEFAULT);
	cr_assert_eq(store_device_decide(st, "BCDFGHJK", &dd, NULL), 0);
	cr_expect_eq(polled(h, T0 + 61).state, STORE_DEVICE_DENIED);
	cr_expect_eq(store_code_get(st, h, &c), ERR_NOTFOUND);
	cr_expect_eq(store_grant_get(st, fx.bob, fx.app.id, &gid, &scope),
	    ERR_NOTFOUND);
	/* expired: neither decision lands */
	dd = decision(true, fx.ann, T0 + TTL);
	cr_expect_eq(store_device_decide(st, "ZXWVTSRQ", &dd, NULL),
	    ERR_NOTFOUND);
	d = polled(h2, T0 + TTL + 1);
	cr_expect_eq(d.state, STORE_DEVICE_PENDING);
	cr_expect_eq(d.account_id, 0);
	cr_expect_eq(store_code_get(st, h2, &c), ERR_NOTFOUND);
	cr_expect_eq(store_grant_get(st, fx.ann, fx.app.id, &gid, &scope),
	    ERR_NOTFOUND);
}

/* One thread of a race: a decision, or an exchange of the device's code. */
struct racer {
	pthread_barrier_t	*start;
	struct store		*store;
	struct device_decision	 d;
	struct issue		 is;
	bool			 exchange;
	int			 rc;
};

static void *
run_racer(void *p)
{
	struct racer *r = p;

	pthread_barrier_wait(r->start);
	r->rc = r->exchange ? store_issue(r->store, &r->is) :
	    store_device_decide(r->store, "BCDFGHJK", &r->d, NULL);
	return NULL;
}

/* Runs the racers at once, half on a second handle (another node);
 * returns the index of the one winner, failing on anything else. */
static int
race(struct racer *r, int lose)
{
	struct store *other = contract_reopen();
	pthread_barrier_t start;
	pthread_t t[RACERS];
	int winner = -1;

	cr_assert_eq(pthread_barrier_init(&start, NULL, RACERS), 0);
	for (int i = 0; i < RACERS; i++) {
		r[i].start = &start;
		r[i].store = i % 2 ? other : st;
		cr_assert_eq(pthread_create(&t[i], NULL, run_racer, &r[i]), 0);
	}
	for (int i = 0; i < RACERS; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&start);
	store_close(other);
	for (int i = 0; i < RACERS; i++) {
		cr_expect(r[i].rc == 0 || r[i].rc == lose, "racer %d: %d", i,
		    r[i].rc);
		if (r[i].rc == 0) {
			cr_expect_eq(winner, -1, "two winners");
			winner = i;
		}
	}
	cr_assert_neq(winner, -1, "no winner");
	return winner;
}

OAUTH_TEST(device, racing_decisions_and_exchanges_have_one_winner,
    .timeout = 120)
{
	static struct racer r[RACERS];
	unsigned char h[SECURE_HASH_BYTES], h2[SECURE_HASH_BYTES];
	struct device_decision dd;
	struct device_row d;
	struct code_row c;
	int w;

	contract_hash(h);
	insert_grant(h, "BCDFGHJK", SCOPE_BUILTIN);
	memset(r, 0, sizeof(r));
	for (int i = 0; i < RACERS; i++)
		r[i].d = decision(i % 3 != 0, i % 2 ? fx.ann : fx.bob,
		    T0 + 10);
	w = race(r, ERR_NOTFOUND);
	d = polled(h, T0 + 11);
	cr_expect_eq(d.state, r[w].d.approve ? STORE_DEVICE_APPROVED :
	    STORE_DEVICE_DENIED);
	cr_expect_eq(d.account_id, r[w].d.account_id);
	cr_expect_eq(store_code_get(st, h, &c), r[w].d.approve ? 0 :
	    ERR_NOTFOUND);
	if (r[w].d.approve)
		cr_expect_eq(c.account_id, r[w].d.account_id);
	/* the device polling from two nodes: one family, once */
	contract_hash(h2);
	insert_grant(h2, "ZXWVTSRQ", SCOPE_BUILTIN);
	dd = decision(true, fx.ann, T0 + 11);
	cr_assert_eq(store_device_decide(st, "ZXWVTSRQ", &dd, NULL), 0);
	cr_assert_eq(store_code_get(st, h2, &c), 0);
	memset(r, 0, sizeof(r));
	for (int i = 0; i < RACERS; i++) {
		contract_family(c.grant_id, SCOPE_BUILTIN, T0 + 12, &r[i].is);
		r[i].is.app_id = fx.app.id;
		r[i].is.code_hash = h2;
		r[i].exchange = true;
	}
	w = race(r, ERR_CONFLICT);
	cr_assert_eq(store_code_get(st, h2, &c), 0);
	cr_expect(c.used);
	cr_expect_eq(c.family_id, r[w].is.family_id);
}

OAUTH_TEST(device, gc_removes_expired_grants_only)
{
	unsigned char h[SECURE_HASH_BYTES], h2[SECURE_HASH_BYTES];
	struct store_horizon hz = { .at = T0 + TTL, .codes_before = T0 + TTL };
	struct device_row d;
	size_t removed = 0;

	contract_hash(h);
	contract_hash(h2);
	insert_grant(h, "BCDFGHJK", SCOPE_DEFAULT);
	memset(&d, 0, sizeof(d));
	SET(d.user_code, "ZXWVTSRQ");
	d.app_id = fx.app.id;
	d.scope = SCOPE_DEFAULT;
	d.created_at = T0 + 100;
	d.expires_at = T0 + 100 + TTL;
	d.interval_s = 5;
	cr_assert_eq(store_device_insert(st, h2, &d), 0);
	cr_assert_eq(store_gc(st, STORE_GC_DEVICE, &hz, 100, &removed), 0);
	cr_expect_eq(removed, 1);
	cr_expect_eq(store_device_poll(st, h, fx.app.id, T0 + 1, STEP, &d),
	    ERR_NOTFOUND);
	cr_expect_eq(store_device_poll(st, h2, fx.app.id, T0 + 1, STEP, &d),
	    0);
}

OAUTH_TEST(device, deleting_the_app_deletes_its_grants)
{
	unsigned char h[SECURE_HASH_BYTES];
	struct device_row d;

	contract_hash(h);
	insert_grant(h, "BCDFGHJK", SCOPE_DEFAULT);
	cr_assert_eq(store_app_delete(st, fx.dev, fx.app.api_key, NULL), 0);
	cr_expect_eq(store_device_find(st, "BCDFGHJK", T0 + 1, &d),
	    ERR_NOTFOUND);
	cr_expect_eq(store_device_poll(st, h, fx.app.id, T0 + 1, STEP, &d),
	    ERR_NOTFOUND);
}

/* The switch is stored, and changing it moves the revision (the client
 * memo of every node holds it). */
OAUTH_TEST(device, the_apps_switch_round_trips_and_moves_the_revision)
{
	struct app_row a;
	int64_t r0, r1, r2;

	cr_assert_eq(store_app_get(st, STORE_ANY_ACCOUNT, fx.app.api_key, &a),
	    0);
	cr_expect(!a.device_flow, "off by default");
	cr_assert_eq(store_revision(st, &r0), 0);
	a.device_flow = true;
	cr_assert_eq(store_app_update(st, &a, NULL), 0);
	cr_assert_eq(store_app_get(st, STORE_ANY_ACCOUNT, fx.app.api_key, &a),
	    0);
	cr_expect(a.device_flow);
	cr_assert_eq(store_revision(st, &r1), 0);
	cr_expect_gt(r1, r0);
	/* the same value again: nothing to drop */
	cr_assert_eq(store_app_update(st, &a, NULL), 0);
	cr_assert_eq(store_revision(st, &r2), 0);
	cr_expect_eq(r2, r1);
	/* and on insert */
	a = fx.app;
	SET(a.api_key, "kg_ak_devflow");
	SET(a.name, "Device app");
	a.device_flow = true;
	cr_assert_eq(store_app_insert(st, &a, NO_CAP, NULL), 0);
	memset(&a, 0, sizeof(a));
	cr_assert_eq(store_app_get(st, STORE_ANY_ACCOUNT, "kg_ak_devflow", &a),
	    0);
	cr_expect(a.device_flow);
}
