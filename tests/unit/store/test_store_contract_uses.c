/* The store contract, the use log: appends count once folded, a fold
 * keeps the latest use of each token and never moves one back, spans
 * many transactions, and two handles folding at once lose nothing. Also
 * the page reader that fills the token cache. */
#include "store_contract.h"

#include <criterion/criterion.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "core/scopes.h"
#include "store/use_log.h"

static struct use_entry
use_of(const unsigned char *hash, int64_t at)
{
	struct use_entry u;

	memcpy(u.hash, hash, SECURE_HASH_BYTES);
	u.at = at;
	return u;
}

static int64_t
last_used(const unsigned char *hash)
{
	struct token_row t;

	cr_assert_eq(store_access_get(st, hash, &t), 0);
	return t.last_used;
}

OAUTH_TEST(use_log, appends_count_once_folded)
{
	struct issue a, b;
	unsigned char ghost[SECURE_HASH_BYTES];
	struct use_entry u[4];
	int64_t g = contract_grant(fx.ann, &fx.app, SCOPE_BUILTIN);
	size_t folded = 99;

	contract_issue_new(g, SCOPE_BUILTIN, T0, &a);
	contract_issue_new(g, SCOPE_BUILTIN, T0, &b);
	contract_hash(ghost);
	u[0] = use_of(a.access_hash, T0 + 30);
	u[1] = use_of(b.access_hash, T0 + 20);
	u[2] = use_of(a.access_hash, T0 + 10);
	u[3] = use_of(ghost, T0 + 5);	/* a token since deleted */
	cr_expect_eq(store_use_log_append(st, u, 0), 0);
	cr_assert_eq(store_use_log_append(st, u, 2), 0);
	cr_assert_eq(store_use_log_append(st, u + 2, 2), 0);
	cr_expect_eq(last_used(a.access_hash), 0, "not before the fold");
	cr_assert_eq(store_use_log_fold(st, &folded), 0);
	cr_expect_eq(folded, 3, "three tokens named");
	cr_expect_eq(last_used(a.access_hash), T0 + 30, "the later use");
	cr_expect_eq(last_used(b.access_hash), T0 + 20);
	cr_assert_eq(store_use_log_fold(st, &folded), 0);
	cr_expect_eq(folded, 0, "the log was emptied");
}

OAUTH_TEST(use_log, a_fold_never_moves_a_use_back)
{
	struct issue a;
	struct use_entry u;
	int64_t g = contract_grant(fx.ann, &fx.app, SCOPE_BUILTIN);

	contract_issue_new(g, SCOPE_BUILTIN, T0, &a);
	cr_assert_eq(store_access_touch(st, a.access_hash, T0 + 50), 0);
	u = use_of(a.access_hash, T0 + 40);
	cr_assert_eq(store_use_log_append(st, &u, 1), 0);
	cr_assert_eq(store_use_log_fold(st, NULL), 0);
	cr_expect_eq(last_used(a.access_hash), T0 + 50);
}

/* More rows than one pass reads, and more tokens than one transaction
 * writes (uses of tokens since deleted among them). */
/* n uses at T0 + 1 of tokens that were never issued (a fold drops
 * them), calloc'd. */
static struct use_entry *
ghost_uses(size_t n)
{
	struct use_entry *u = calloc(n, sizeof(*u));

	for (size_t i = 0; u != NULL && i < n; i++) {
		contract_hash(u[i].hash);
		u[i].at = T0 + 1;
	}
	return u;
}

OAUTH_TEST(use_log, a_long_log_folds_whole, .timeout = 60)
{
	enum { ROWS = USE_LOG_READ * 2 + 5, TOKENS = 20 };
	enum { GHOSTS = USE_LOG_WRITE + 100 };
	struct issue is[TOKENS];
	struct use_entry u[TOKENS], *ghosts = ghost_uses(GHOSTS);
	int64_t g = contract_grant(fx.ann, &fx.app, SCOPE_BUILTIN);
	size_t folded;

	cr_assert_not_null(ghosts);
	for (int i = 0; i < TOKENS; i++)
		contract_issue_new(g, SCOPE_BUILTIN, T0, &is[i]);
	cr_assert_eq(store_use_log_append(st, ghosts, GHOSTS), 0);
	free(ghosts);
	for (int r = 0; r < ROWS; r++) {
		for (int i = 0; i < TOKENS; i++)
			u[i] = use_of(is[i].access_hash, T0 + r * 100 + i);
		cr_assert_eq(store_use_log_append(st, u, TOKENS), 0);
	}
	cr_assert_eq(store_use_log_fold(st, &folded), 0);
	cr_expect_geq(folded, TOKENS + GHOSTS, "folded %zu", folded);
	for (int i = 0; i < TOKENS; i++)
		cr_expect_eq(last_used(is[i].access_hash),
		    T0 + (ROWS - 1) * 100 + i, "token %d", i);
}

/* More uses than one pass holds: the fold splits them by key, and each
 * token is written once, in the one pass whose range holds it. `folded`
 * is the count of writes: the tokens the passes hand to the backend, summed
 * over passes, so a token in two ranges counts twice (passes that overlap
 * fold some 295000 here). The rows cannot show it: a second write of the
 * same latest use changes nothing (a use never moves back). */
OAUTH_TEST(use_log, a_log_longer_than_a_pass_writes_each_token_once)
{
	enum { TOKENS = 30, GHOSTS = USE_LOG_PASS + USE_LOG_PASS / 2 };
	enum { ROW = 4096 };
	struct issue is[TOKENS];
	struct use_entry u[TOKENS], *ghosts = ghost_uses(GHOSTS);
	int64_t g = contract_grant(fx.ann, &fx.app, SCOPE_BUILTIN);
	size_t folded;

	cr_assert_not_null(ghosts);
	for (int i = 0; i < TOKENS; i++)
		contract_issue_new(g, SCOPE_BUILTIN, T0, &is[i]);
	/* the real tokens' uses spread over the log, the latest last */
	for (int done = 0, r = 0; done < GHOSTS; done += ROW, r++) {
		cr_assert_eq(store_use_log_append(st, ghosts + done,
		    GHOSTS - done < ROW ? GHOSTS - done : ROW), 0);
		for (int i = 0; i < TOKENS; i++)
			u[i] = use_of(is[i].access_hash, T0 + r * 100 + i);
		cr_assert_eq(store_use_log_append(st, u, TOKENS), 0);
	}
	free(ghosts);
	cr_assert_eq(store_use_log_fold(st, &folded), 0);
	cr_expect_eq(folded, TOKENS + GHOSTS, "each token written once, "
	    "not %zu writes", folded);
	for (int i = 0; i < TOKENS; i++)
		cr_expect_eq(last_used(is[i].access_hash),
		    T0 + ((GHOSTS + ROW - 1) / ROW - 1) * 100 + i,
		    "token %d", i);
	cr_assert_eq(store_use_log_fold(st, &folded), 0);
	cr_expect_eq(folded, 0, "the log was emptied");
}

struct folder {
	pthread_barrier_t	*start;
	struct store		*store;
	int			 rc;
};

static void *
run_folder(void *p)
{
	struct folder *f = p;

	pthread_barrier_wait(f->start);
	f->rc = store_use_log_fold(f->store, NULL);
	return NULL;
}

/* Two nodes folding the same log at once: no deadlock, no use lost. */
OAUTH_TEST(use_log, concurrent_folds_lose_nothing, .timeout = 120)
{
	enum { FOLDERS = 4, TOKENS = 50, ROWS = USE_LOG_READ + 20 };
	static struct issue is[TOKENS];
	struct use_entry u[TOKENS];
	struct folder f[FOLDERS];
	pthread_t t[FOLDERS];
	pthread_barrier_t start;
	struct store *other = contract_reopen();
	int64_t g = contract_grant(fx.ann, &fx.app, SCOPE_BUILTIN);

	for (int i = 0; i < TOKENS; i++)
		contract_issue_new(g, SCOPE_BUILTIN, T0, &is[i]);
	for (int r = 0; r < ROWS; r++) {
		/* every row names every token, in a shuffled order */
		for (int i = 0; i < TOKENS; i++)
			u[i] = use_of(is[(i * 7 + r) % TOKENS].access_hash,
			    T0 + r * 100 + (i * 7 + r) % TOKENS);
		cr_assert_eq(store_use_log_append(st, u, TOKENS), 0);
	}
	cr_assert_eq(pthread_barrier_init(&start, NULL, FOLDERS), 0);
	for (int i = 0; i < FOLDERS; i++) {
		f[i].start = &start;
		f[i].store = i % 2 ? other : st;
		cr_assert_eq(pthread_create(&t[i], NULL, run_folder, &f[i]),
		    0);
	}
	for (int i = 0; i < FOLDERS; i++) {
		pthread_join(t[i], NULL);
		cr_expect_eq(f[i].rc, 0, "folder %d: %d", i, f[i].rc);
	}
	pthread_barrier_destroy(&start);
	for (int i = 0; i < TOKENS; i++)
		cr_expect_eq(last_used(is[i].access_hash),
		    T0 + (ROWS - 1) * 100 + i, "token %d", i);
	store_close(other);
}

/* The pages that fill the token cache: live, unrevoked, each once. */
OAUTH_TEST(access_page, lists_live_tokens_once_in_pages)
{
	enum { TOKENS = 23 };
	struct issue is[TOKENS], old, gone;
	unsigned char after[SECURE_HASH_BYTES] = { 0 };
	struct live_token *rows;
	int64_t g = contract_grant(fx.ann, &fx.app, SCOPE_BUILTIN);
	int seen[TOKENS] = { 0 }, total = 0;
	size_t n;

	for (int i = 0; i < TOKENS; i++)
		contract_issue_new(g, SCOPE_BUILTIN, T0 + 100, &is[i]);
	contract_issue_new(g, SCOPE_BUILTIN, T0, &old);	/* issued too early */
	contract_issue_new(g, SCOPE_BUILTIN, T0 + 100, &gone);
	cr_assert_eq(store_access_revoke(st, gone.access_hash), 0);
	do {
		cr_assert_eq(store_access_page(st, after, T0 + 50, 5, &rows,
		    &n), 0);
		cr_assert_leq(n, 5);
		for (size_t k = 0; k < n; k++) {
			cr_expect_gt(memcmp(rows[k].hash, after,
			    SECURE_HASH_BYTES), 0, "in hash order");
			memcpy(after, rows[k].hash, SECURE_HASH_BYTES);
			cr_expect_eq(rows[k].row.account_id, fx.ann);
			cr_expect_eq(rows[k].row.app_id, fx.app.id);
			cr_expect_str_eq(rows[k].row.api_key, fx.app.api_key);
			cr_expect_eq(rows[k].row.iat, T0 + 100);
			for (int i = 0; i < TOKENS; i++)
				if (memcmp(rows[k].hash, is[i].access_hash,
				    SECURE_HASH_BYTES) == 0)
					seen[i]++;
			total++;
		}
		free(rows);
	} while (n == 5);
	cr_expect_eq(total, TOKENS, "neither the early nor the revoked one");
	for (int i = 0; i < TOKENS; i++)
		cr_expect_eq(seen[i], 1, "token %d", i);
}
