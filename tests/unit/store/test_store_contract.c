/* The store contract (store/store.h), the same for every backend:
 * migrations, server keys, the URL helpers, accounts, sessions and
 * personal access tokens. Applications are in test_store_contract_apps.c,
 * OAuth in test_store_contract_oauth.c and test_store_contract_tokens.c. */
#include "store_contract.h"

#include <criterion/criterion.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"

#define NODES	4	/* threads in one race, over two handles */

STORE_TEST(store, migrate_is_idempotent, contract_setup)
{
	struct store *other;
	int applied = -1;

	cr_expect_eq(store_migrate(st, &applied), 0);
	cr_expect_eq(applied, 0, "a second run applies nothing");
	other = contract_reopen();
	applied = -1;
	cr_expect_eq(store_migrate(other, &applied), 0);
	cr_expect_eq(applied, 0, "another handle sees the same migrations");
	store_close(other);
}

STORE_TEST(store, ping, contract_setup)
{
	cr_expect_eq(store_ping(st), 0);
}

struct durable_probe {
	struct store	*store;
	int		 rc;
};

static void *
probe_durable(void *p)
{
	struct durable_probe *d = p;

	d->rc = store_durable(d->store);
	return NULL;
}

/* Every connection waits for the disk at COMMIT: SQLite opens one per
 * thread, so each thread here reads back its own synchronous=FULL.
 * PostgreSQL's answer is the cluster's (the throw-away test cluster runs
 * without fsync; the crash test checks a durable one), so there the
 * connections must only agree. */
STORE_TEST(store, every_connection_commits_durably, contract_setup)
{
	const char *backend = getenv("KEYGATE_TEST_STORE");
	bool pg = backend != NULL && strcmp(backend, "postgres") == 0;
	struct durable_probe d[NODES];
	pthread_t th[NODES];
	int first = store_durable(st);

	if (pg)
		cr_assert(first == 0 || first == ERR_INVALID, "rc %d", first);
	else
		cr_assert_eq(first, 0, "synchronous is not FULL");
	for (int i = 0; i < NODES; i++) {
		d[i].store = st;
		cr_assert_eq(pthread_create(&th[i], NULL, probe_durable,
		    &d[i]), 0);
	}
	for (int i = 0; i < NODES; i++) {
		pthread_join(th[i], NULL);
		cr_expect_eq(d[i].rc, first, "thread %d: rc %d", i, d[i].rc);
	}
}

/* Every node sharing a store must sign CSRF tokens and seal secrets with
 * one key, so the first creation wins and is read back everywhere. */
STORE_TEST(store, server_key_is_shared, contract_setup)
{
	unsigned char a[SECURE_KEY_BYTES], b[SECURE_KEY_BYTES];
	unsigned char c[SECURE_KEY_BYTES], d[SECURE_KEY_BYTES];
	unsigned char zero[SECURE_KEY_BYTES] = { 0 };
	struct store *other;

	cr_assert_eq(store_server_key(st, "csrf", a), 0);
	cr_expect_neq(memcmp(a, zero, sizeof(a)), 0, "a random key");
	cr_assert_eq(store_server_key(st, "csrf", b), 0);
	cr_expect_eq(memcmp(a, b, sizeof(a)), 0, "the same key twice");
	other = contract_reopen();
	cr_assert_eq(store_server_key(other, "csrf", c), 0);
	cr_expect_eq(memcmp(a, c, sizeof(a)), 0, "the same key for a second "
	    "handle on the same database");
	cr_assert_eq(store_server_key(other, "sealed", d), 0);
	cr_expect_neq(memcmp(a, d, sizeof(a)), 0, "another name, another key");
	cr_assert_eq(store_server_key(st, "sealed", b), 0);
	cr_expect_eq(memcmp(b, d, sizeof(b)), 0);
	store_close(other);
}

/* Two handles asking for a key nobody created yet still agree. */
STORE_TEST(store, server_key_first_creation_wins, contract_setup)
{
	unsigned char a[SECURE_KEY_BYTES], b[SECURE_KEY_BYTES];
	struct store *other = contract_reopen();

	cr_assert_eq(store_server_key(other, "fresh", b), 0);
	cr_assert_eq(store_server_key(st, "fresh", a), 0);
	cr_expect_eq(memcmp(a, b, sizeof(a)), 0);
	store_close(other);
}

/* One thread of a race between nodes starting at once. */
struct node {
	pthread_barrier_t	*start;
	struct store		*store;
	const char		*key_name;	/* NULL: migrate */
	unsigned char		 key[SECURE_KEY_BYTES];
	int			 applied;
	int			 rc;
};

static void *
run_node(void *p)
{
	struct node *n = p;

	pthread_barrier_wait(n->start);
	n->rc = n->key_name != NULL ?
	    store_server_key(n->store, n->key_name, n->key) :
	    store_migrate(n->store, &n->applied);
	return NULL;
}

static void
race_nodes(struct node *n, struct store *other)
{
	pthread_barrier_t start;
	pthread_t t[NODES];

	cr_assert_eq(pthread_barrier_init(&start, NULL, NODES), 0);
	for (int i = 0; i < NODES; i++) {
		n[i].start = &start;
		n[i].store = i % 2 ? other : st;
		cr_assert_eq(pthread_create(&t[i], NULL, run_node, &n[i]), 0);
	}
	for (int i = 0; i < NODES; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&start);
}

/* Nodes deployed together all migrate at start: each migration is applied
 * once, and none of them fails. */
STORE_TEST(store, nodes_migrate_together, contract_setup_bare,
    .timeout = 120)
{
	struct node n[NODES];
	struct store *other = contract_reopen();
	int total = 0, applied = -1;
	int64_t id = 0;

	memset(n, 0, sizeof(n));
	race_nodes(n, other);
	for (int i = 0; i < NODES; i++) {
		cr_expect_eq(n[i].rc, 0, "node %d", i);
		total += n[i].applied;
	}
	cr_expect_gt(total, 0);
	cr_expect_eq(store_migrate(st, &applied), 0);
	cr_expect_eq(applied, 0, "all applied by then");
	cr_expect_eq(store_account_insert(other, "ann@example.com", "h", T0,
	    &id, NULL), 0, "the schema is there");
	store_close(other);
}

STORE_TEST(store, server_key_race_agrees, contract_setup, .timeout = 120)
{
	static const char *const names[] = { "csrf", "sealed", "fresh" };
	struct node n[NODES];
	struct store *other = contract_reopen();

	for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
		memset(n, 0, sizeof(n));
		for (int i = 0; i < NODES; i++)
			n[i].key_name = names[k];
		race_nodes(n, other);
		for (int i = 0; i < NODES; i++) {
			cr_expect_eq(n[i].rc, 0, "%s, node %d", names[k], i);
			cr_expect_eq(memcmp(n[i].key, n[0].key,
			    SECURE_KEY_BYTES), 0, "%s: node %d sees another "
			    "key", names[k], i);
		}
	}
	store_close(other);
}

/* Pure functions of store.h: no store needed. */
Test(url, postgres_or_sqlite)
{
	cr_expect(store_is_postgres("postgres://kg@db.example.com/keygate"));
	cr_expect(store_is_postgres("postgresql://kg@127.0.0.1:5432/kg"));
	cr_expect(!store_is_postgres("/var/lib/keygate/keygate.db"));
	cr_expect(!store_is_postgres("keygate.db"));
	cr_expect(!store_is_postgres("postgres.db"));
	cr_expect(!store_is_postgres("file:postgres://x"));
}

Test(url, redacted_hides_the_password)
{
	static const char *const cases[][2] = {
		{ "postgres://kg:s3cret@db.example.com:5432/keygate",
		  "postgres://kg:***@db.example.com:5432/keygate" },
		{ "postgresql://kg:s3cret@db/kg?sslmode=require",
		  "postgresql://kg:***@db/kg?sslmode=require" },
		{ "postgres://kg@db.example.com:5432/keygate",
		  "postgres://kg@db.example.com:5432/keygate" },
		{ "postgres://db.example.com:5432/keygate",
		  "postgres://db.example.com:5432/keygate" },
		{ "postgres://kg@db/kg?password=s3cret", NULL },
		{ "postgres://h1:5432,h2:5432/kg?user=a@b&password=s3cret",
		  "postgres://h1:5432,h2:5432/kg" },
		{ "postgres://kg@db/kg?%70assword=s3cret",
		  "postgres://kg@db/kg" },
		{ "postgres://kg:s3cret@h1:5432,h2:5433/kg?sslmode=require",
		  "postgres://kg:***@h1:5432,h2:5433/kg?sslmode=require" },
		{ "/var/lib/keygate/key:gate@x.db",
		  "/var/lib/keygate/key:gate@x.db" },
	};
	char out[256], small[12];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		store_url_redacted(cases[i][0], out, sizeof(out));
		cr_expect_null(strstr(out, "s3cret"), "case %zu: %s", i, out);
		if (cases[i][1] != NULL)
			cr_expect_str_eq(out, cases[i][1], "case %zu", i);
	}
	store_url_redacted("postgres://kg:s3cret@db/kg", small, sizeof(small));
	cr_expect_lt(strlen(small), sizeof(small), "cut to fit");
	cr_expect_null(strstr(small, "s3c"));
}

static void
expect_account(const struct account *a, int64_t id, const char *email,
    const char *hash, int64_t created_at)
{
	cr_expect_eq(a->id, id);
	cr_expect_str_eq(a->email, email);
	cr_expect_str_eq(a->password_hash, hash);
	cr_expect_eq(a->created_at, created_at);
}

STORE_TEST(accounts, insert_and_lookup, contract_setup)
{
	struct account a;
	int64_t id = 0, id2 = 0;

	cr_assert_eq(store_account_insert(st, "ann@example.com",
	    "$argon2id$v=19$ann", T0 + 5, &id, NULL), 0);
	cr_assert_eq(store_account_insert(st, "bob@example.com",
	    "$argon2id$v=19$bob", T0 + 6, &id2, NULL), 0);
	cr_expect_gt(id, 0);
	cr_expect_neq(id, id2);
	memset(&a, 0x55, sizeof(a));
	cr_assert_eq(store_account_by_email(st, "ann@example.com", &a), 0);
	expect_account(&a, id, "ann@example.com", "$argon2id$v=19$ann",
	    T0 + 5);
	memset(&a, 0x55, sizeof(a));
	cr_assert_eq(store_account_by_id(st, id2, &a), 0);
	expect_account(&a, id2, "bob@example.com", "$argon2id$v=19$bob",
	    T0 + 6);
}

STORE_TEST(accounts, taken_email_exists, contract_setup)
{
	struct account a;
	int64_t id = 0, again = -7;

	cr_assert_eq(store_account_insert(st, "ann@example.com", "h1", T0,
	    &id, NULL), 0);
	cr_expect_eq(store_account_insert(st, "ann@example.com", "h2",
	    T0 + 1, &again, NULL), ERR_EXISTS);
	cr_assert_eq(store_account_by_email(st, "ann@example.com", &a), 0);
	cr_expect_eq(a.id, id);
	cr_expect_str_eq(a.password_hash, "h1", "the first account stays");
}

STORE_TEST(accounts, unknown_is_notfound, contract_setup)
{
	struct account a;
	int64_t id = contract_account("ann@example.com");

	cr_expect_eq(store_account_by_email(st, "nobody@example.com", &a),
	    ERR_NOTFOUND);
	cr_expect_eq(store_account_by_email(st, "", &a), ERR_NOTFOUND);
	cr_expect_eq(store_account_by_id(st, id + 1000, &a), ERR_NOTFOUND);
	cr_expect_eq(store_account_by_id(st, 0, &a), ERR_NOTFOUND);
	cr_expect_eq(store_account_by_id(st, -1, &a), ERR_NOTFOUND);
}

/* Core normalizes emails before they get here; the store compares the
 * bytes it is given, multi-byte UTF-8 included, at full length. */
STORE_TEST(accounts, utf8_and_longest_round_trip, contract_setup)
{
	static const char utf8[] = "j\xc3\xb6rg.\xe6\x97\xa5\xe6\x9c\xac"
	    "@b\xc3\xbc" "cher.example";
	char email[ACCOUNT_EMAIL_MAX_BYTES + 1];
	char hash[SECURE_PWHASH_MAX];
	struct account a;
	int64_t id = 0, id2 = 0;

	memset(email, 'e', ACCOUNT_EMAIL_MAX_BYTES);
	memcpy(email + ACCOUNT_EMAIL_MAX_BYTES - 12, "@example.com", 12);
	email[ACCOUNT_EMAIL_MAX_BYTES] = '\0';
	memset(hash, 'h', sizeof(hash) - 1);
	hash[sizeof(hash) - 1] = '\0';
	cr_assert_eq(store_account_insert(st, email, hash, T0, &id, NULL), 0);
	cr_assert_eq(store_account_insert(st, utf8, "x", T0, &id2, NULL), 0);
	cr_assert_eq(store_account_by_email(st, email, &a), 0);
	cr_expect_eq(strlen(a.email), ACCOUNT_EMAIL_MAX_BYTES);
	cr_expect_str_eq(a.email, email);
	cr_expect_eq(strlen(a.password_hash), SECURE_PWHASH_MAX - 1);
	cr_expect_str_eq(a.password_hash, hash);
	cr_assert_eq(store_account_by_id(st, id2, &a), 0);
	cr_expect_str_eq(a.email, utf8);
	cr_assert_eq(store_account_by_email(st, utf8, &a), 0);
	cr_expect_eq(a.id, id2);
	/* a different byte is a different address */
	cr_expect_eq(store_account_by_email(st, "j\xc3\xb6rg@example.com",
	    &a), ERR_NOTFOUND);
}

STORE_TEST(sessions, insert_get_touch_delete, contract_setup)
{
	unsigned char h[SECURE_HASH_BYTES], other[SECURE_HASH_BYTES];
	struct session_row s;
	int64_t ann = contract_account("ann@example.com");

	contract_hash(h);
	contract_hash(other);
	cr_assert_eq(store_session_insert(st, h, ann, T0 + 10, NOWHERE, NULL),
	    0);
	memset(&s, 0x55, sizeof(s));
	cr_assert_eq(store_session_get(st, h, &s), 0);
	cr_expect_eq(s.account_id, ann);
	cr_expect_eq(s.created_at, T0 + 10);
	cr_expect_eq(s.last_seen, T0 + 10);
	cr_expect_eq(store_session_get(st, other, &s), ERR_NOTFOUND);

	cr_assert_eq(store_session_touch(st, h, T0 + 70), 0);
	cr_assert_eq(store_session_get(st, h, &s), 0);
	cr_expect_eq(s.created_at, T0 + 10, "a touch keeps the creation");
	cr_expect_eq(s.last_seen, T0 + 70);

	cr_assert_eq(store_session_delete(st, h), 0);
	cr_expect_eq(store_session_get(st, h, &s), ERR_NOTFOUND);
	/* Logging out in two tabs: the second delete finds nothing and
	 * core/sessions.c passes its answer on, so it must not fail. */
	cr_expect_eq(store_session_delete(st, h), 0);
}

STORE_TEST(sessions, one_per_hash, contract_setup)
{
	unsigned char h[SECURE_HASH_BYTES];
	struct session_row s;
	int64_t ann = contract_account("ann@example.com");
	int64_t bob = contract_account("bob@example.com");

	contract_hash(h);
	cr_assert_eq(store_session_insert(st, h, ann, T0, NOWHERE, NULL), 0);
	cr_expect_eq(store_session_insert(st, h, bob, T0 + 1,
	    NOWHERE, NULL), ERR_EXISTS);
	cr_assert_eq(store_session_get(st, h, &s), 0);
	cr_expect_eq(s.account_id, ann);
}

STORE_TEST(sessions, trim_keeps_the_new_and_the_recently_seen,
    contract_setup)
{
	unsigned char h[6][SECURE_HASH_BYTES], bobs[SECURE_HASH_BYTES];
	struct session_row s;
	int64_t ann = contract_account("ann@example.com");
	int64_t bob = contract_account("bob@example.com");

	for (int i = 0; i < 6; i++) {
		contract_hash(h[i]);
		cr_assert_eq(store_session_insert(st, h[i], ann, T0 + i,
		    NOWHERE, NULL), 0);
	}
	contract_hash(bobs);
	cr_assert_eq(store_session_insert(st, bobs, bob, T0, NOWHERE, NULL), 0);
	/* the oldest, seen last, stays; so does the newest, seen least
	 * (the same second as another: kept because it is `keep`) */
	cr_assert_eq(store_session_touch(st, h[0], T0 + 100), 0);
	cr_assert_eq(store_session_trim(st, ann, h[5], 3), 0);
	cr_expect_eq(store_session_get(st, h[5], &s), 0);
	cr_expect_eq(store_session_get(st, h[0], &s), 0);
	cr_expect_eq(store_session_get(st, h[4], &s), 0);
	for (int i = 1; i < 4; i++)
		cr_expect_eq(store_session_get(st, h[i], &s), ERR_NOTFOUND,
		    "session %d", i);
	cr_expect_eq(store_session_get(st, bobs, &s), 0,
	    "another account's sessions are not counted");
	/* under the bound: nothing goes */
	cr_assert_eq(store_session_trim(st, ann, h[5], 3), 0);
	cr_expect_eq(store_session_get(st, h[4], &s), 0);
	cr_expect_eq(store_session_get(st, h[0], &s), 0);
}

STORE_TEST(pats, insert_and_by_hash, contract_setup)
{
	unsigned char h[SECURE_HASH_BYTES], other[SECURE_HASH_BYTES];
	struct pat_row p;
	int64_t ann = contract_account("ann@example.com");
	int64_t id = 0, id2 = 0;

	contract_hash(h);
	contract_hash(other);
	cr_assert_eq(store_pat_insert(st, ann, h, T0 + 3, NO_CAP, &id, NULL),
	    0);
	cr_expect_gt(id, 0);
	memset(&p, 0x55, sizeof(p));
	cr_assert_eq(store_pat_by_hash(st, h, &p), 0);
	cr_expect_eq(p.id, id);
	cr_expect_eq(p.account_id, ann);
	cr_expect_eq(p.created_at, T0 + 3);
	cr_expect_eq(p.last_used_at, 0, "0 = never used");
	cr_expect_eq(store_pat_by_hash(st, other, &p), ERR_NOTFOUND);
	cr_expect_eq(store_pat_insert(st, ann, h, T0 + 4, NO_CAP, &id2, NULL),
	    ERR_EXISTS, "one token per hash");
}

STORE_TEST(pats, list_newest_first_own_only, contract_setup)
{
	unsigned char h[SECURE_HASH_BYTES];
	struct pat_row *rows = NULL;
	int64_t ann = contract_account("ann@example.com");
	int64_t bob = contract_account("bob@example.com");
	int64_t ids[3], bobs = 0;
	size_t n = 99;

	cr_assert_eq(store_pat_list(st, ann, ALL, &rows, &n), 0);
	cr_expect_eq(n, 0, "no tokens yet");
	free(rows);
	for (int i = 0; i < 3; i++) {
		contract_hash(h);
		cr_assert_eq(store_pat_insert(st, ann, h, T0 + 10 * i,
		    NO_CAP, &ids[i], NULL), 0);
		if (i == 1) {
			contract_hash(h);
			cr_assert_eq(store_pat_insert(st, bob, h, T0 + 15,
			    NO_CAP, &bobs, NULL), 0);
		}
	}
	rows = NULL;
	cr_assert_eq(store_pat_list(st, ann, ALL, &rows, &n), 0);
	cr_assert_eq(n, 3);
	for (size_t i = 0; i < 3; i++) {
		cr_expect_eq(rows[i].id, ids[2 - i], "row %zu: newest first",
		    i);
		cr_expect_eq(rows[i].account_id, ann);
		cr_expect_eq(rows[i].created_at, T0 + 10 * (int64_t)(2 - i));
		cr_expect_eq(rows[i].last_used_at, 0);
	}
	free(rows);
	rows = NULL;
	cr_assert_eq(store_pat_list(st, bob, ALL, &rows, &n), 0);
	cr_assert_eq(n, 1);
	cr_expect_eq(rows[0].id, bobs);
	free(rows);
}

STORE_TEST(pats, pages_newest_first_and_cap, contract_setup)
{
	unsigned char h[SECURE_HASH_BYTES];
	struct pat_row *rows = NULL;
	struct store_page page = { 0, 2 };
	int64_t ann = contract_account("ann@example.com");
	int64_t bob = contract_account("bob@example.com");
	int64_t ids[3], id = 0;
	size_t n = 0;

	for (int i = 0; i < 3; i++) {
		contract_hash(h);
		cr_assert_eq(store_pat_insert(st, ann, h, T0, 3, &ids[i], NULL),
		    0);
	}
	contract_hash(h);
	cr_expect_eq(store_pat_insert(st, ann, h, T0, 3, &id, NULL), ERR_TOOBIG,
	    "the fourth is over the cap of 3");
	cr_expect_eq(store_pat_by_hash(st, h, &(struct pat_row){ 0 }),
	    ERR_NOTFOUND, "and nothing was stored");
	cr_expect_eq(store_pat_insert(st, bob, h, T0, 3, &id, NULL), 0,
	    "the cap is per account");
	cr_assert_eq(store_pat_list(st, ann, &page, &rows, &n), 0);
	cr_assert_eq(n, 2);
	cr_expect_eq(rows[0].id, ids[2]);
	cr_expect_eq(rows[1].id, ids[1]);
	page.after = rows[1].id;
	free(rows);
	rows = NULL;
	cr_assert_eq(store_pat_list(st, ann, &page, &rows, &n), 0);
	cr_assert_eq(n, 1, "the page after the second newest");
	cr_expect_eq(rows[0].id, ids[0]);
	free(rows);
}

STORE_TEST(pats, delete_only_by_owner, contract_setup)
{
	unsigned char h[SECURE_HASH_BYTES];
	struct pat_row p;
	int64_t ann = contract_account("ann@example.com");
	int64_t bob = contract_account("bob@example.com");
	int64_t id = 0;

	contract_hash(h);
	cr_assert_eq(store_pat_insert(st, ann, h, T0, NO_CAP, &id, NULL), 0);
	cr_expect_eq(store_pat_delete(st, bob, id, NULL), ERR_NOTFOUND,
	    "not bob's token");
	cr_expect_eq(store_pat_delete(st, ann, id + 1000, NULL), ERR_NOTFOUND);
	cr_assert_eq(store_pat_by_hash(st, h, &p), 0, "still there");
	cr_expect_eq(store_pat_delete(st, ann, id, NULL), 0);
	cr_expect_eq(store_pat_by_hash(st, h, &p), ERR_NOTFOUND);
	cr_expect_eq(store_pat_delete(st, ann, id, NULL), ERR_NOTFOUND,
	    "gone already");
}

STORE_TEST(pats, touch_records_use, contract_setup)
{
	unsigned char h[SECURE_HASH_BYTES], h2[SECURE_HASH_BYTES];
	struct pat_row p;
	int64_t ann = contract_account("ann@example.com");
	int64_t id = 0, id2 = 0;

	contract_hash(h);
	contract_hash(h2);
	cr_assert_eq(store_pat_insert(st, ann, h, T0, NO_CAP, &id, NULL), 0);
	cr_assert_eq(store_pat_insert(st, ann, h2, T0, NO_CAP, &id2, NULL), 0);
	cr_assert_eq(store_pat_touch(st, id, T0 + 120), 0);
	cr_assert_eq(store_pat_by_hash(st, h, &p), 0);
	cr_expect_eq(p.last_used_at, T0 + 120);
	cr_expect_eq(p.created_at, T0);
	cr_assert_eq(store_pat_touch(st, id, T0 + 240), 0);
	cr_assert_eq(store_pat_by_hash(st, h, &p), 0);
	cr_expect_eq(p.last_used_at, T0 + 240);
	cr_assert_eq(store_pat_by_hash(st, h2, &p), 0);
	cr_expect_eq(p.last_used_at, 0, "only the touched token");
}
