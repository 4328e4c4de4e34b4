#ifndef KEYGATE_TESTS_STORE_CONTRACT_H
#define KEYGATE_TESTS_STORE_CONTRACT_H

/* The store contract suite runs the same cases against every backend: each
 * case gets a fresh, migrated store on the backend KEYGATE_TEST_STORE names
 * (sqlite, or postgres on a new database of the cluster at KEYGATE_TEST_PG)
 * and reaches it only through store/store.h. */

#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>

#include "store/store.h"

/* a fixed clock: the store takes every time as an argument */
#define T0	1800000000LL
/* a page that holds every row of a small list, and a cap never reached */
#define ALL	(&(struct store_page){ 0, 1000 })
#define NO_CAP	1000000
/* a session begun nowhere in particular */
#define NOWHERE	(&(struct session_origin){ "", "", AMR_PWD })

/* Copies a string into a char array field, cut to fit. */
#define SET(field, text) \
	snprintf((field), sizeof(field), "%s", (text))

/* The store of the running case, opened and migrated by contract_setup(). */
extern struct store *st;

/* Makes the fresh store of a case (st), and removes it. The bare one is
 * not migrated yet. */
void	contract_setup(void);
void	contract_setup_bare(void);
void	contract_teardown(void);

/* A case that runs `fixture` (contract_setup() or one that calls it)
 * first. The store is made in the body rather than in .init because
 * Criterion's TAP report gives a failing .init no message, and "set
 * KEYGATE_TEST_PG" has to be read there. */
#define STORE_TEST(suite, name, fixture, ...)				\
	static void suite##_##name##_case(void);			\
	Test(suite, name, .fini = contract_teardown, ##__VA_ARGS__)	\
	{								\
		fixture();						\
		suite##_##name##_case();				\
	}								\
	static void suite##_##name##_case(void)

/* Opens a second handle on the running case's database; the caller closes
 * it with store_close(). */
struct store *contract_reopen(void);
/* The running case's SQLite file, or NULL on PostgreSQL. */
const char *contract_sqlite_path(void);
/* The running case's PostgreSQL URL, or NULL on SQLite. */
const char *contract_pg_url(void);
/* How many rounds a racing case runs: `full`, or 3 where the runner set
 * KEYGATE_TEST_LIGHT (tests/run.py under valgrind, which runs one thread
 * at a time and costs each round seconds; the full count still runs on
 * the release and ASan builds). */
int	contract_rounds(int full);

/* Fills h with a hash no other call of this process gave. */
void	contract_hash(unsigned char h[SECURE_HASH_BYTES]);

/* Inserts an account with `email` at T0; returns its id. */
int64_t	contract_account(const char *email);

/* Inserts an app of `owner` under `api_key` at `now` into *row (zeroed
 * first, name "App <api_key>", one redirect URI). */
void	contract_app(int64_t owner, const char *api_key, int64_t now,
	    struct app_row *row);

/* The world of the OAuth cases: a developer with two apps (app has a public
 * name, app2 none), and two people who may connect to them. */
struct contract_oauth {
	int64_t		 dev, ann, bob;
	struct app_row	 app, app2;
};
extern struct contract_oauth fx;

/* contract_setup() plus fx, and the cases that start with it. */
void	contract_oauth_setup(void);
#define OAUTH_TEST(suite, name, ...)					\
	STORE_TEST(suite, name, contract_oauth_setup, ##__VA_ARGS__)

/* Upserts the grant of account_id to a with scope at T0; returns its id. */
int64_t	contract_grant(int64_t account_id, const struct app_row *a,
	    unsigned scope);

/* Inserts a code of grant_id (redirect URI https://app.example.com/cb,
 * expiring after OAUTH_CODE_TTL_S). */
void	contract_insert_code(const unsigned char hash[SECURE_HASH_BYTES],
	    int64_t grant_id, unsigned scope);

/* Prepares into *is a new family of grant_id at `now` with an access and a
 * refresh token; contract_issue_new() also issues it (is->family_id gets
 * its id). */
void	contract_family(int64_t grant_id, unsigned scope, int64_t now,
	    struct issue *is);
void	contract_issue_new(int64_t grant_id, unsigned scope, int64_t now,
	    struct issue *is);

/* Grants fx.ann SCOPE_BUILTIN on fx.app and issues a new family of it at
 * `now` into *is (SCOPE_BUILTIN, access and refresh token). */
void	contract_ann_family(int64_t now, struct issue *is);

/* Prepares into *is the rotation of `from`'s refresh token at `now`: a
 * fresh pair in the same family, with `scope`. */
void	contract_rotation(const struct issue *from, unsigned scope,
	    int64_t now, struct issue *is);

/* Expects t to be a token of fx.ann's grant on fx.app written by `is`. */
void	contract_expect_token(const struct token_row *t,
	    const struct issue *is, int64_t last_used, bool revoked);

/* Expects both tokens `is` names to be absent (never written, or gone). */
void	contract_expect_no_pair(const struct issue *is, const char *why);

/* store_refresh() waited for, as a blocking caller would: its answer. */
int	contract_refresh_wait(struct issue *is, store_refresh_judge judge,
	    void *ctx, struct token_row *parent);

/* Fills `n` bytes of dst with copies of the UTF-8 character `ch` (its
 * length must divide n) and terminates it. */
void	contract_fill(char *dst, const char *ch, size_t n);

#endif
