#ifndef KEYGATE_STORE_STORE_H
#define KEYGATE_STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/secure.h"
#include "base/limits.h"

/* The store: every durable fact of keygate. Handlers never see it; core/
 * calls it. A backend (SQLite, PostgreSQL) implements store_impl.h. Every
 * function is thread-safe, returns 0 or an ERR_* code, and has committed
 * its write before it returns 0; ERR_STORE also covers "unreachable right
 * now". Times are Unix seconds from the injected clock. */
struct store;

struct account {
	int64_t	 id;
	char	 email[ACCOUNT_EMAIL_MAX_BYTES + 1];
	char	 password_hash[SECURE_PWHASH_MAX];
	int64_t	 created_at;
};

struct session_row {
	int64_t	 account_id;
	int64_t	 created_at;
	int64_t	 last_seen;
};

struct pat_row {
	int64_t	 id;
	int64_t	 account_id;
	int64_t	 created_at;
	int64_t	 last_used_at;	/* 0 = never used */
};

/* An application (docs/REFERENCE.md §2); strings are NUL-terminated, "" when
 * unset. */
struct app_row {
	int64_t	 id;
	int64_t	 account_id;
	char	 api_key[APP_API_KEY_MAX_BYTES + 1];
	char	 name[APP_NAME_MAX_BYTES + 1];
	char	 public_name[APP_NAME_MAX_BYTES + 1];
	char	 logo_url[APP_URI_MAX_BYTES + 1];
	char	 description[APP_DESCRIPTION_MAX_BYTES + 1];
	/* newline-separated */
	char	 redirect_uris[APP_MAX_REDIRECT_URIS * (APP_URI_MAX_BYTES + 1)];
	bool	 implicit_flow;
	bool	 has_secret;
	unsigned char secret_hash[SECURE_HASH_BYTES];
	int64_t	 created_at;
	int64_t	 secret_created_at;
};

/* A grant as the Connected apps page lists it. */
struct grant_row {
	int64_t	 id;
	int64_t	 app_id;
	unsigned scope;
	int64_t	 created_at;
	char	 api_key[APP_API_KEY_MAX_BYTES + 1];
	char	 public_name[APP_NAME_MAX_BYTES + 1];
};

/* An authorization code (RFC 6749 §4.1.2), as stored. */
struct code_row {
	int64_t	 grant_id;
	int64_t	 account_id;	/* the grant's */
	int64_t	 app_id;	/* the grant's */
	int64_t	 issued_at;	/* on insert only: the consent's time */
	char	 redirect_uri[APP_URI_MAX_BYTES + 1];
	unsigned scope;
	char	 challenge[48];	/* "" when issued without PKCE */
	int64_t	 expires_at;
	bool	 used;		/* an exchange was attempted */
	int64_t	 family_id;	/* 0 until exchanged */
};

/* A token with what a check needs to know about it. */
struct token_row {
	int64_t	 family_id;
	int64_t	 grant_id;
	int64_t	 account_id;
	int64_t	 app_id;
	char	 api_key[APP_API_KEY_MAX_BYTES + 1];
	unsigned scope;		/* of this token */
	unsigned family_scope;	/* the most a refresh may ask for */
	int64_t	 iat;		/* access: issued; refresh: created */
	int64_t	 last_used;	/* access: last use; refresh: used_at */
	bool	 revoked;	/* the token or its family */
};

/* What one issuing transaction writes (see store_issue). */
struct issue {
	/* the family's grant, for a new one; 0 records the consent of
	 * account_id to app_id (widened by scope) in the same transaction
	 * and sets grant_id */
	int64_t		 grant_id;
	int64_t		 account_id;
	/* with code_hash also the client exchanging the code */
	int64_t		 app_id;
	int64_t		 family_id;	/* in: 0 starts a family; out: id */
	unsigned	 family_scope;
	unsigned	 scope;
	int64_t		 now;
	unsigned char	 access_hash[SECURE_HASH_BYTES];
	bool		 with_refresh;
	unsigned char	 refresh_hash[SECURE_HASH_BYTES];
	/* the code exchanged: used up here (compare-and-set on its unused
	 * state and on its client being app_id) and recorded as this
	 * family's origin */
	const unsigned char *code_hash;
	/* the refresh token being rotated, if any */
	const unsigned char *parent_hash;
	/* rotation: the parent must still be unused (compare-and-set);
	 * retry: the parent's children must still be unused, and go */
	bool		 retry;
};

/* account_id value that lets an operator reach every account's apps */
#define STORE_ANY_ACCOUNT	0

/* One page of a list, in the list's stable order (by id): the rows that
 * follow the row whose id is `after` (0: from the first), at most `max`
 * of them (at least 1). A caller that asks one more than it shows learns
 * whether more remain. The store reads only those rows. */
struct store_page {
	int64_t	 after;
	size_t	 max;
};

/* True when `url` names a PostgreSQL database (postgres:// or
 * postgresql://); anything else is a SQLite file path. */
bool	store_is_postgres(const char *url);
/* Whether other nodes may write to st meanwhile (PostgreSQL). */
bool	store_is_shared(const struct store *st);
/* Copies url into out (size len) with any password replaced by ***, for
 * logs and messages. */
void	store_url_redacted(const char *url, char *out, size_t len);
/* Opens the store named by `url`. On failure writes a reason into err and
 * returns ERR_STORE. */
int	store_open(const char *url, struct store **out, char *err,
	    size_t errlen);
void	store_close(struct store *st);

/* Calls fn(arg) after every write that may take something away (a
 * revocation, a deleted grant or app, a new secret, a refresh retry),
 * before the write's caller sees its outcome: what this process cached
 * about it can be dropped at once. One callback per store. */
void	store_on_taken(struct store *st, void (*fn)(void *arg), void *arg);

/* Applies the migrations not yet recorded; *applied gets how many. */
int	store_migrate(struct store *st, int *applied);
/* Cheap liveness probe for /healthz. */
int	store_ping(struct store *st);

/* Gets the 32-byte server key named `name`, creating it at random the first
 * time (every node sharing the store sees the same key). */
int	store_server_key(struct store *st, const char *name,
	    unsigned char key[SECURE_KEY_BYTES]);

/* Throttle counters shared by every process of the store (core/throttle.c),
 * keyed by a keyed hash of what is counted. A fixed window: the first event
 * after a window ended opens one of window_s seconds. */
#define STORE_THROTTLE_KEY_BYTES	32
/* Counts one event for key in one atomic statement; *count and
 * *window_end get the counter after it. */
int	store_throttle_add(struct store *st,
	    const unsigned char key[STORE_THROTTLE_KEY_BYTES], int64_t now,
	    int64_t window_s, int64_t *count, int64_t *window_end);
/* Takes one event back from the window ending at window_end (none if a
 * new window began meanwhile). */
int	store_throttle_undo(struct store *st,
	    const unsigned char key[STORE_THROTTLE_KEY_BYTES],
	    int64_t window_end);
int	store_throttle_clear(struct store *st,
	    const unsigned char key[STORE_THROTTLE_KEY_BYTES]);
/* Deletes up to `batch` counters whose window ended by now. */
int	store_throttle_expire(struct store *st, int64_t now, size_t batch,
	    size_t *removed);

/* accounts; insert gives ERR_EXISTS for a taken email */
int	store_account_insert(struct store *st, const char *email,
	    const char *password_hash, int64_t now, int64_t *id);
int	store_account_by_email(struct store *st, const char *email,
	    struct account *out);
int	store_account_by_id(struct store *st, int64_t id, struct account *out);

/* browser sessions, keyed by the SHA-256 of the cookie value */
int	store_session_insert(struct store *st,
	    const unsigned char hash[SECURE_HASH_BYTES], int64_t account_id,
	    int64_t now);
int	store_session_get(struct store *st,
	    const unsigned char hash[SECURE_HASH_BYTES],
	    struct session_row *out);
int	store_session_touch(struct store *st,
	    const unsigned char hash[SECURE_HASH_BYTES], int64_t now);
int	store_session_delete(struct store *st,
	    const unsigned char hash[SECURE_HASH_BYTES]);
/* Leaves the account at most `max` sessions: `keep` (the one just
 * started) and the others most recently seen. */
int	store_session_trim(struct store *st, int64_t account_id,
	    const unsigned char keep[SECURE_HASH_BYTES], int64_t max);

/* personal access tokens, keyed by the SHA-256 of the token. Insert
 * gives ERR_TOOBIG, storing nothing, when the account holds `max`
 * already: counted and inserted in one transaction, so two inserts racing
 * at max - 1 never both succeed. */
int	store_pat_insert(struct store *st, int64_t account_id,
	    const unsigned char hash[SECURE_HASH_BYTES], int64_t now,
	    int64_t max, int64_t *id);
int	store_pat_by_hash(struct store *st,
	    const unsigned char hash[SECURE_HASH_BYTES], struct pat_row *out);
/* *rows is malloc'd (free() it), newest first: one page (`after` is the
 * id of the last token of the page before, the page the older ones). */
int	store_pat_list(struct store *st, int64_t account_id,
	    const struct store_page *page, struct pat_row **rows, size_t *n);
/* ERR_NOTFOUND unless token `id` exists and belongs to `account_id`. */
int	store_pat_delete(struct store *st, int64_t account_id, int64_t id);
int	store_pat_touch(struct store *st, int64_t id, int64_t now);

/* applications; account_id limits the lookup to that owner unless it is
 * STORE_ANY_ACCOUNT. ERR_NOTFOUND covers "exists but not yours". */
/* Insert gives ERR_TOOBIG, storing nothing, when row->account_id owns
 * `max` apps already (atomic as store_pat_insert()). */
int	store_app_insert(struct store *st, struct app_row *row, int64_t max);
int	store_app_get(struct store *st, int64_t account_id, const char *api_key,
	    struct app_row *out);
/* *rows is malloc'd (free() it), oldest first: one page. */
int	store_app_list(struct store *st, int64_t account_id,
	    const struct store_page *page, struct app_row **rows, size_t *n);
/* Writes the settable fields of row (found by row->id). */
int	store_app_update(struct store *st, const struct app_row *row);
int	store_app_delete(struct store *st, int64_t account_id,
	    const char *api_key);
/* Replaces the secret hash at once: the old secret stops working. */
int	store_app_set_secret(struct store *st, int64_t account_id,
	    const char *api_key, const unsigned char hash[SECURE_HASH_BYTES],
	    int64_t now);

/* The showing of a new secret still to come (core/reveal.c), keyed by the
 * SHA-256 of its nonce; expires_at is when it can no longer be shown. */
int	store_reveal_insert(struct store *st,
	    const unsigned char hash[SECURE_HASH_BYTES], int64_t expires_at);
/* Deletes the showing `hash` and gives its expiry in *expires_at, in one
 * statement: 0 when this call took it, ERR_NOTFOUND when there is none
 * (never recorded, or taken before: of two racing calls one wins). */
int	store_reveal_take(struct store *st,
	    const unsigned char hash[SECURE_HASH_BYTES], int64_t *expires_at);

/* OAuth grants (consent); upsert widens the scope to the union. */
int	store_grant_upsert(struct store *st, int64_t account_id, int64_t app_id,
	    unsigned scope, int64_t now, int64_t *grant_id);
/* *scope gets the consented scopes; ERR_NOTFOUND without a grant. */
int	store_grant_get(struct store *st, int64_t account_id, int64_t app_id,
	    int64_t *grant_id, unsigned *scope);
/* Deletes the grant with its codes, families and tokens. */
int	store_grant_delete(struct store *st, int64_t account_id,
	    int64_t app_id);
/* One page of the account's grants, oldest first; *rows is malloc'd. */
int	store_grant_list(struct store *st, int64_t account_id,
	    const struct store_page *page, struct grant_row **rows,
	    size_t *n);

/* Inserts a code. With row->grant_id 0 it first records the consent of
 * row->account_id to row->app_id (widened by row->scope) in the same
 * transaction, and sets row->grant_id: a failure leaves neither. */
int	store_code_insert(struct store *st,
	    const unsigned char hash[SECURE_HASH_BYTES], struct code_row *row);
int	store_code_get(struct store *st,
	    const unsigned char hash[SECURE_HASH_BYTES], struct code_row *out);
/* Uses up a code issued to app_id without exchanging it (a failed
 * attempt by its own client), atomically: the client is part of the
 * compare-and-set, so another client's attempt changes nothing.
 * Returns 0 when this call used it, ERR_CONFLICT when it was used before
 * (out filled: a family_id other than 0 is the one to revoke), or
 * ERR_NOTFOUND when app_id has no code with that hash. An exchange racing
 * with it either committed first (its family is then in out) or fails. */
int	store_code_take(struct store *st,
	    const unsigned char hash[SECURE_HASH_BYTES], int64_t app_id,
	    struct code_row *out);

/* Writes tokens in one transaction: the parent's compare-and-set (or, with
 * retry, the removal of its unused children), a new family when
 * family_id is 0, the access token, the refresh token, the code's
 * compare-and-set. Returns 0, ERR_CONFLICT when the parent or the code was
 * used meanwhile (nothing written), or ERR_STORE. */
int	store_issue(struct store *st, struct issue *is);

/* store_issue() for n requests in one transaction and one commit (group
 * commit). rcs[i] gets each one's outcome: one that fails writes nothing
 * and spoils none of the others. Returns 0 when the transaction committed;
 * otherwise an ERR_* code that holds for all n (rcs[] then says nothing). */
int	store_issue_many(struct store *st, struct issue *is, int *rcs,
	    size_t n);

/* Judges the row of the refresh token being rotated (is->parent_hash)
 * and completes `is` from it: 0 issues; anything else is
 * store_refresh()'s answer, and nothing is written. It may run on the
 * store's own thread, inside the transaction: it must not call the
 * store. */
typedef int (*store_refresh_judge)(void *ctx, const struct token_row *parent,
    struct issue *is);

/* Called once with what an asynchronous call would have returned. */
typedef void (*store_done_fn)(void *arg, int rc);

/* A rotation read and written in one transaction: the parent's row into
 * *parent (ERR_NOTFOUND when there is none), `judge`'s verdict, then
 * store_issue()'s writes. On SQLite the read joins the group commit, so
 * it costs no read transaction of its own. The caller need not wait on a
 * thread: it returns at once and calls done(arg, rc) when the
 * transaction has committed or failed, on the store's thread (SQLite),
 * or on this one before returning (a backend without one). Everything
 * passed must live until then. */
void	store_refresh(struct store *st, struct issue *is,
	    store_refresh_judge judge, void *ctx, struct token_row *parent,
	    store_done_fn done, void *arg);

int	store_family_revoke(struct store *st, int64_t family_id);

int	store_access_get(struct store *st,
	    const unsigned char hash[SECURE_HASH_BYTES], struct token_row *out);
/* Records a use at `now`. */
int	store_access_touch(struct store *st,
	    const unsigned char hash[SECURE_HASH_BYTES], int64_t now);
/* The use of an access token at a time. */
struct use_entry {
	unsigned char	 hash[SECURE_HASH_BYTES];
	int64_t		 at;
};
/* Appends n uses to the use log, in one short write whatever their
 * tokens: they count once folded. */
int	store_use_log_append(struct store *st, const struct use_entry *uses,
	    size_t n);
/* Folds the use log, as it stands when the fold begins, into the tokens'
 * last uses (use_log.h), each transaction in hash order, so two nodes
 * folding at once never lock rows in opposite orders, and deletes the
 * rows it folded. A use never moves a recorded one
 * backwards; uses of tokens no longer stored are dropped. *folded (if not
 * NULL) gets how many tokens it wrote to, each once however long the
 * log. */
int	store_use_log_fold(struct store *st, size_t *folded);
/* A live access token, as store_access_page() lists them. */
struct live_token {
	unsigned char	 hash[SECURE_HASH_BYTES];
	struct token_row row;
};

/* Unrevoked access tokens issued at or after `since`, in hash order: the
 * first `max` whose hash follows `after` (all zeros: from the start) go
 * to a malloc'd *rows (free() it), their count to *n; fewer than `max`
 * means the last page. For filling the token cache at start. */
int	store_access_page(struct store *st,
	    const unsigned char after[SECURE_HASH_BYTES], int64_t since,
	    size_t max, struct live_token **rows, size_t *n);
/* The revision counter: it moves whenever something is revoked, deleted
 * or replaced (the triggers of the 0004_revision migrations). */
int	store_revision(struct store *st, int64_t *n);
int	store_access_revoke(struct store *st,
	    const unsigned char hash[SECURE_HASH_BYTES]);
int	store_refresh_get(struct store *st,
	    const unsigned char hash[SECURE_HASH_BYTES], struct token_row *out);

/* Where store_gc() and store_stats() draw the line between dead and live
 * rows (core/upkeep.c sets it): access tokens by the docs/REFERENCE.md §4
 * rule at `at` with the three TTLs; codes expired at or before codes_before;
 * sessions last seen at or before seen_before or created at or before
 * created_before; showings of new secrets expired at or before
 * reveals_before. Refresh tokens are never dead: reuse detection needs
 * every used one. */
struct store_horizon {
	int64_t	 at;
	int64_t	 unused_ttl_s;
	int64_t	 idle_ttl_s;
	int64_t	 max_ttl_s;
	int64_t	 codes_before;
	int64_t	 seen_before;
	int64_t	 created_before;
	int64_t	 reveals_before;
};

enum store_gc_kind {
	STORE_GC_ACCESS, STORE_GC_CODES, STORE_GC_SESSIONS, STORE_GC_REVEALS
};

/* Deletes up to `batch` dead rows of one kind in one transaction;
 * *removed gets how many (fewer than batch: none are left). */
int	store_gc(struct store *st, enum store_gc_kind kind,
	    const struct store_horizon *h, size_t batch, size_t *removed);

/* Row counts; the tokens and sessions are those live by h. */
struct store_counts {
	int64_t	 accounts;
	int64_t	 apps;
	int64_t	 grants;
	int64_t	 live_access;	/* unrevoked, within docs/REFERENCE.md §4 */
	int64_t	 live_refresh;	/* unused, in an unrevoked family */
	int64_t	 sessions;
};

int	store_stats(struct store *st, const struct store_horizon *h,
	    struct store_counts *out);

#endif
