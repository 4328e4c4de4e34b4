#ifndef KEYGATE_STORE_STORE_H
#define KEYGATE_STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/rows.h"

/* The store: every durable fact of keygate. Handlers never see it; core/
 * calls it. A backend (SQLite, PostgreSQL) implements store_impl.h. Every
 * function is thread-safe, returns 0 or an ERR_* code, and has committed
 * its write before it returns 0; ERR_STORE also covers "unreachable right
 * now". Times are Unix seconds from the injected clock. */
struct store;

/* True when `url` names a PostgreSQL database (postgres:// or
 * postgresql://); anything else is a SQLite file path. */
bool	store_is_postgres(const char *url);

/* Whether other nodes may write to st meanwhile (PostgreSQL). */
bool	store_is_shared(const struct store *st);

/* Copies url into out (size len) with any password replaced by ***, for
 * logs and messages. */
void	store_url_redacted(const char *url, char *out, size_t len);

/* Checks `url` without connecting: 0, or ERR_INVALID with a reason in err
 * (a PostgreSQL URL libpq cannot read, or one whose hosts or
 * target_session_attrs could leave a node on a standby). */
int	store_url_check(const char *url, char *err, size_t errlen);

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
/* Whether the connection this call uses waits for the disk at COMMIT
 * (SQLite synchronous=FULL; PostgreSQL fsync and synchronous_commit on):
 * 0 when it does, ERR_INVALID when not, ERR_STORE when unreachable. For
 * tests and operators; no request path calls it. */
int	store_durable(struct store *st);

/* Gets the 32-byte server key named `name`, creating it at random the first
 * time (every node sharing the store sees the same key). */
int	store_server_key(struct store *st, const char *name,
	    unsigned char key[SECURE_KEY_BYTES]);

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

/* Claims the DPoP proof of `hash` (core/dpop.c) until `expires_at`, in
 * one statement, so that of nodes given the same proof one has it: 0, or
 * ERR_EXISTS when a live claim holds it (a claim expired by `now` is
 * taken over). */
int	store_dpop_jti_claim(struct store *st,
	    const unsigned char hash[SECURE_HASH_BYTES], int64_t expires_at,
	    int64_t now);

/* accounts; insert gives ERR_EXISTS for a taken email */
int	store_account_insert(struct store *st, const char *email,
	    const char *password_hash, int64_t now, int64_t *id,
	    const struct event_new *ev);

int	store_account_by_email(struct store *st, const char *email,
	    struct account *out);

int	store_account_by_id(struct store *st, int64_t id, struct account *out);

/* The operator's account commands (keygate account ...). One page of
 * every account, oldest first; *rows is malloc'd (free() it). */
int	store_account_list(struct store *st, const struct store_page *page,
	    struct account **rows, size_t *n);

/* What account id holds (zeros for an unknown id); the sessions counted
 * are those alive by h's seen_before and created_before. */
int	store_account_counts(struct store *st, int64_t id,
	    const struct store_horizon *h, struct account_counts *out);

/* Disables the account at `now` (disabling it again keeps the first
 * time) and, in the same transaction, deletes its browser sessions, its
 * personal access tokens and the unused codes of its grants and of grants
 * to its apps. While it is disabled its sessions and personal tokens are
 * not found, its apps read owner_disabled, and every token of its grants
 * or of its apps reads revoked. Enabling clears it: what was not deleted
 * works again. Both move the revision counter. ERR_NOTFOUND without such
 * an account. */
int	store_account_disable(struct store *st, int64_t id, int64_t now,
	    const struct event_new *ev);
int	store_account_enable(struct store *st, int64_t id);

/* Deletes the account with everything it owns, in one transaction: its
 * apps with their grants and tokens, its own grants with theirs, its
 * sessions and personal access tokens. ERR_NOTFOUND without it. */
int	store_account_delete(struct store *st, int64_t id);

/* browser sessions, keyed by the SHA-256 of the cookie value */
int	store_session_insert(struct store *st,
	    const unsigned char hash[SECURE_HASH_BYTES], int64_t account_id,
	    int64_t now, const struct session_origin *from,
	    const struct event_new *ev);

int	store_session_get(struct store *st,
	    const unsigned char hash[SECURE_HASH_BYTES],
	    struct session_row *out);

int	store_session_touch(struct store *st,
	    const unsigned char hash[SECURE_HASH_BYTES], int64_t now);

/* A fresh password entry inside session `hash` (OpenID Connect's
 * prompt=login, max_age): its log-in is now auth_time, by amr (AMR_*).
 * ERR_NOTFOUND when the session is gone. */
int	store_session_reauth(struct store *st,
	    const unsigned char hash[SECURE_HASH_BYTES], int64_t auth_time,
	    unsigned amr);

int	store_session_delete(struct store *st,
	    const unsigned char hash[SECURE_HASH_BYTES]);

/* Leaves the account at most `max` sessions: `keep` (the one just
 * started) and the others most recently seen. */
int	store_session_trim(struct store *st, int64_t account_id,
	    const unsigned char keep[SECURE_HASH_BYTES], int64_t max);

/* The account's sessions, most recently seen first, at most `max`;
 * *rows is malloc'd (free() it). An account holds at most
 * SESSIONS_PER_ACCOUNT_MAX (store_session_trim()). */
int	store_session_list(struct store *st, int64_t account_id, size_t max,
	    struct session_row **rows, size_t *n);

/* Ends session `hash` if it is account_id's: else ERR_NOTFOUND. */
int	store_session_end(struct store *st, int64_t account_id,
	    const unsigned char hash[SECURE_HASH_BYTES],
	    const struct event_new *ev);

/* Ends every session of account_id but `keep` (NULL: every one). */
int	store_session_end_others(struct store *st, int64_t account_id,
	    const unsigned char *keep, const struct event_new *ev);

/* Marks the account's email verified, if it is still `email`: else
 * ERR_NOTFOUND. */
int	store_account_verify(struct store *st, int64_t account_id,
	    const char *email);

/* Makes `email` the account's address, verified, and drops its links
 * that verify the old one, in one transaction. ERR_EXISTS when another
 * account has that address, ERR_NOTFOUND without the account. */
int	store_account_set_email(struct store *st, int64_t account_id,
	    const char *email, const struct event_new *ev);

/* Sets the password hash and, in the same transaction, ends every
 * session of the account but `keep` (NULL: every one) and drops its
 * password reset links. ERR_NOTFOUND without the account. */
int	store_account_set_password(struct store *st, int64_t account_id,
	    const char *password_hash, const unsigned char *keep,
	    const struct event_new *ev);

/* One-time links mailed to an account (core/links.c), keyed by the
 * SHA-256 of their token. Insert replaces, in one transaction, the
 * account's other links of row->purpose: the newest link is the only
 * one. */
int	store_link_insert(struct store *st,
	    const unsigned char hash[SECURE_HASH_BYTES],
	    const struct link_row *row);

/* Reads link `hash` of `purpose` without using it up; ERR_NOTFOUND. */
int	store_link_get(struct store *st,
	    const unsigned char hash[SECURE_HASH_BYTES], int purpose,
	    struct link_row *out);

/* Deletes link `hash` of `purpose` and gives it in *out, in one
 * statement: 0 when this call took it, ERR_NOTFOUND when there is none
 * (of two racing calls one wins). Expiry is the caller's to judge. */
int	store_link_take(struct store *st,
	    const unsigned char hash[SECURE_HASH_BYTES], int purpose,
	    struct link_row *out);

/* personal access tokens, keyed by the SHA-256 of the token. Insert
 * gives ERR_TOOBIG, storing nothing, when the account holds `max`
 * already: counted and inserted in one transaction, so two inserts racing
 * at max - 1 never both succeed. */
int	store_pat_insert(struct store *st, int64_t account_id,
	    const unsigned char hash[SECURE_HASH_BYTES], int64_t now,
	    int64_t max, int64_t *id, const struct event_new *ev);

int	store_pat_by_hash(struct store *st,
	    const unsigned char hash[SECURE_HASH_BYTES], struct pat_row *out);

/* *rows is malloc'd (free() it), newest first: one page (`after` is the
 * id of the last token of the page before, the page the older ones). */
int	store_pat_list(struct store *st, int64_t account_id,
	    const struct store_page *page, struct pat_row **rows, size_t *n);

/* ERR_NOTFOUND unless token `id` exists and belongs to `account_id`. */
int	store_pat_delete(struct store *st, int64_t account_id, int64_t id,
	    const struct event_new *ev);

int	store_pat_touch(struct store *st, int64_t id, int64_t now);

/* applications; account_id limits the lookup to that owner unless it is
 * STORE_ANY_ACCOUNT. ERR_NOTFOUND covers "exists but not yours". */
/* Insert gives ERR_TOOBIG, storing nothing, when row->account_id owns
 * `max` apps already (atomic as store_pat_insert()). */
int	store_app_insert(struct store *st, struct app_row *row, int64_t max,
	    const struct event_new *ev);

int	store_app_get(struct store *st, int64_t account_id, const char *api_key,
	    struct app_row *out);

/* *rows is malloc'd (free() it), oldest first: one page. */
int	store_app_list(struct store *st, int64_t account_id,
	    const struct store_page *page, struct app_row **rows, size_t *n);

/* Writes the settable fields of row (found by row->id). */
int	store_app_update(struct store *st, const struct app_row *row,
	    const struct event_new *ev);

int	store_app_delete(struct store *st, int64_t account_id,
	    const char *api_key, const struct event_new *ev);

/* Replaces the secret hash at once: the old secret stops working. As
 * store_app_rotate_secret() with keep_s 0. */
int	store_app_set_secret(struct store *st, int64_t account_id,
	    const char *api_key, const unsigned char hash[SECURE_HASH_BYTES],
	    int64_t now, const struct event_new *ev);

/* A new secret, numbered one past the current, in one statement; with
 * keep_s > 0 the current one (if any) becomes the old secret, valid until
 * now + keep_s, else it goes. Returns 0, ERR_NOTFOUND, or ERR_CONFLICT
 * when an old secret is still valid at now (an app has at most two):
 * nothing is written then. Moves the revision. */
int	store_app_rotate_secret(struct store *st, int64_t account_id,
	    const char *api_key, const unsigned char hash[SECURE_HASH_BYTES],
	    int64_t now, int64_t keep_s, const struct event_new *ev);

/* Revokes the old secret numbered secret_id if it is still valid at now.
 * 0 or ERR_NOTFOUND (no such app, or no such valid old secret). Moves the
 * revision, so that every node's client memo drops it. */
int	store_app_revoke_old_secret(struct store *st, int64_t account_id,
	    const char *api_key, int64_t secret_id, int64_t now,
	    const struct event_new *ev);

/* The app of a client metadata document (docs/REFERENCE.md §22.2),
 * row->api_key its URL: inserted, or its name, public_name (both from
 * row->public_name), logo_url and redirect_uris replaced, owned by the
 * account CIMD_OWNER_EMAIL (made on first use); `now` is when the document
 * was fetched. ERR_EXISTS when api_key is an ordinary app's. */
int	store_cimd_app_put(struct store *st, const struct app_row *row,
	    int64_t now);

/* Records a use at `at` of app_id's secret numbered secret_id (current or
 * old), unless a later one is recorded. Does not move the revision. */
int	store_app_secret_used(struct store *st, int64_t app_id,
	    int64_t secret_id, int64_t at);

/* Claims app_id's notice of a refresh-token reuse, as a compare-and-set
 * on the time of its last one: 0 when this call set it to `now` (none
 * before, or the last at least gap_s ago), so the caller mails;
 * ERR_CONFLICT when another call (on any node) claimed one within gap_s,
 * or the app is gone. */
int	store_app_reuse_notice(struct store *st, int64_t app_id, int64_t now,
	    int64_t gap_s);

/* The showing of a new secret still to come (core/reveal.c), keyed by the
 * SHA-256 of its nonce; expires_at is when it can no longer be shown. */
int	store_reveal_insert(struct store *st,
	    const unsigned char hash[SECURE_HASH_BYTES], int64_t expires_at);

/* Deletes the showing `hash` and gives its expiry in *expires_at, in one
 * statement: 0 when this call took it, ERR_NOTFOUND when there is none
 * (never recorded, or taken before: of two racing calls one wins). */
int	store_reveal_take(struct store *st,
	    const unsigned char hash[SECURE_HASH_BYTES], int64_t *expires_at);

/* Two-step log-in (core/totp.c), keyed by account. ERR_NOTFOUND when it
 * is off. */
int	store_totp_get(struct store *st, int64_t account_id,
	    struct totp_row *out);

/* Turns it on in one transaction: the sealed secret, the step of the code
 * that confirmed it (last_step) and the SHA-256 hashes of n recovery
 * codes. ERR_EXISTS, storing nothing, when it is on already. */
int	store_totp_insert(struct store *st, int64_t account_id,
	    const struct totp_row *row,
	    const unsigned char (*hashes)[SECURE_HASH_BYTES], size_t n,
	    const struct event_new *ev);

/* Records that the code of time step `step` was accepted, as a
 * compare-and-set on last_step: 0 when this call moved it forward,
 * ERR_CONFLICT when a code of this step or a later one was accepted
 * before (a replay, on this node or another), or two-step is off. */
int	store_totp_step(struct store *st, int64_t account_id, int64_t step);

/* Turns it off: the secret and every recovery code go. ERR_NOTFOUND when
 * it was off. */
int	store_totp_delete(struct store *st, int64_t account_id,
	    const struct event_new *ev);

/* The hashes of the account's unused recovery codes, at most `max`, into
 * hashes; *n gets how many. */
int	store_recovery_list(struct store *st, int64_t account_id,
	    unsigned char (*hashes)[SECURE_HASH_BYTES], size_t max, size_t *n);

/* Uses up recovery code `hash` in one statement: 0 when this call deleted
 * it, ERR_NOTFOUND when it is not (or no longer) there. */
int	store_recovery_take(struct store *st, int64_t account_id,
	    const unsigned char hash[SECURE_HASH_BYTES]);

/* OAuth grants (consent); upsert widens the scope to the union. */
int	store_grant_upsert(struct store *st, int64_t account_id, int64_t app_id,
	    unsigned scope, int64_t now, int64_t *grant_id);

/* *scope gets the consented scopes; ERR_NOTFOUND without a grant. */
int	store_grant_get(struct store *st, int64_t account_id, int64_t app_id,
	    int64_t *grant_id, unsigned *scope);

/* Deletes the grant with its codes, families and tokens. */
int	store_grant_delete(struct store *st, int64_t account_id,
	    int64_t app_id, const struct event_new *ev);

/* One page of the account's grants, oldest first; *rows is malloc'd. */
int	store_grant_list(struct store *st, int64_t account_id,
	    const struct store_page *page, struct grant_row **rows,
	    size_t *n);

/* Inserts a code. With row->grant_id 0 it first records the consent of
 * row->account_id to row->app_id (widened by row->scope) in the same
 * transaction, and sets row->grant_id: a failure leaves neither. */
int	store_code_insert(struct store *st,
	    const unsigned char hash[SECURE_HASH_BYTES], struct code_row *row,
	    const struct event_new *ev);

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

/* Device grants (RFC 8628; core/device_grant.c), keyed by the SHA-256 of
 * the device code. Insert gives ERR_EXISTS, storing nothing, when the
 * user code (or the hash) is taken: the caller draws another. */
int	store_device_insert(struct store *st,
	    const unsigned char hash[SECURE_HASH_BYTES],
	    const struct device_row *row);

/* The grant of `user_code` (normalized) still pending and unexpired at
 * now, with its app's api_key; ERR_NOTFOUND otherwise. */
int	store_device_find(struct store *st, const char *user_code,
	    int64_t now, struct device_row *out);

/* Decides the grant of `user_code` in one transaction: its state moves
 * from pending (compare-and-set, and unexpired at d->now) to approved or
 * denied; an approval also records the consent of d->account_id to the
 * grant's app (widened by its scope) and a code keyed by the device
 * code's hash (the grant's scope and expiry, no redirect URI, no PKCE),
 * which the poll exchanges. ERR_NOTFOUND when no pending grant has that
 * user code (unknown, expired, or decided first elsewhere): nothing is
 * written. */
int	store_device_decide(struct store *st, const char *user_code,
	    const struct device_decision *d, const struct event_new *ev);

/* A poll by app_id, in one statement: records it at now and, when it
 * came within the interval after the last one while the grant is pending
 * and unexpired, grows the interval by step_s (out->slow_down set). out
 * gets the grant as it now stands. ERR_NOTFOUND when app_id has no grant
 * with that hash (another client's grant is left as it is). */
int	store_device_poll(struct store *st,
	    const unsigned char hash[SECURE_HASH_BYTES], int64_t app_id,
	    int64_t now, int64_t step_s, struct device_row *out);

/* Pushed authorization requests (RFC 9126; core/par.c), keyed by the
 * SHA-256 of the request_uri's random part. Insert gives ERR_EXISTS when
 * the hash is taken. Get finds the row unused and unexpired at now
 * (ERR_NOTFOUND otherwise). Use marks it used, once: compare-and-set on
 * app_id's row, unused and unexpired at now, else ERR_NOTFOUND (used
 * first elsewhere, expired, another app's). */
int	store_par_insert(struct store *st,
	    const unsigned char hash[SECURE_HASH_BYTES],
	    const struct par_row *row);
int	store_par_get(struct store *st,
	    const unsigned char hash[SECURE_HASH_BYTES], int64_t now,
	    struct par_row *out);
int	store_par_use(struct store *st,
	    const unsigned char hash[SECURE_HASH_BYTES], int64_t app_id,
	    int64_t now);

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

/* A rotation: the parent's row into *parent (ERR_NOTFOUND when there is
 * none), `judge`'s verdict, then store_issue()'s writes, which start
 * with the parent's compare-and-set, so a rotation racing this one
 * loses there. On both backends the read and the judge join the group
 * commit's transaction (on PostgreSQL the group's reads, and its
 * rotations' writes, each take one round trip), so `judge` runs on the
 * store's commit thread and must only read ctx and fill is. A rotation
 * queued before the commit that rotated its parent had finished gets
 * ERR_CONFLICT unjudged (a race, store/claims.h). The caller need not
 * wait on a thread: it returns at once and calls done(arg, rc) when the
 * writes have committed or failed, on the store's commit thread, or on
 * this one before returning (a store with no group). Everything passed
 * must live until then. */
void	store_refresh(struct store *st, struct issue *is,
	    store_refresh_judge judge, void *ctx, struct token_row *parent,
	    store_done_fn done, void *arg);

int	store_family_revoke(struct store *st, int64_t family_id,
	    const struct event_new *ev);

int	store_access_get(struct store *st,
	    const unsigned char hash[SECURE_HASH_BYTES], struct token_row *out);

/* Records a use at `now`. */
int	store_access_touch(struct store *st,
	    const unsigned char hash[SECURE_HASH_BYTES], int64_t now);

/* Appends n uses to the use log, in one short write whatever their
 * tokens: they count once folded. */
int	store_use_log_append(struct store *st, const struct use_entry *uses,
	    size_t n);

/* One app's counts in one hour (enum usage_kind), to be added to what
 * the store holds for it (docs/REFERENCE.md §21). */
struct usage_add {
	int64_t	 app_id;
	int64_t	 hour;			/* Unix seconds, a multiple of 3600 */
	int64_t	 n[USAGE_KINDS];
};

/* In one transaction: the n uses appended to the use log (as
 * store_use_log_append()), the m counts added to the usage rows (adds in
 * (app_id, hour) order, each pair once, so that nodes adding at once lock
 * rows in one order; a count for an app no longer in the store is
 * dropped), and, unless live_hour is -1, every app's live users (accounts,
 * not disabled, with a grant to it) set into the hour live_hour for the
 * apps that have a grant or a row in that hour. Nothing at all written
 * when it fails. */
int	store_usage_write(struct store *st, const struct use_entry *uses,
	    size_t n, const struct usage_add *adds, size_t m,
	    int64_t live_hour);
/* The rows stored for the app from hour `from` to hour `to` (both
 * included), oldest first, in a malloc'd *rows (free() it); hours without
 * a row are not there. */
int	store_usage_read(struct store *st, int64_t app_id, int64_t from,
	    int64_t to, struct usage_hour **rows, size_t *n);

/* Folds the use log, as it stands when the fold begins, into the tokens'
 * last uses (use_log.h), each transaction in hash order, so two nodes
 * folding at once never lock rows in opposite orders, and deletes the
 * rows it folded. A use never moves a recorded one
 * backwards; uses of tokens no longer stored are dropped. *folded (if not
 * NULL) gets how many tokens it wrote to, each once however long the
 * log. */
int	store_use_log_fold(struct store *st, size_t *folded);

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

/* Deletes up to `batch` dead rows of one kind in one transaction;
 * *removed gets how many (fewer than batch: none are left). */
int	store_gc(struct store *st, enum store_gc_kind kind,
	    const struct store_horizon *h, size_t batch, size_t *removed);

int	store_stats(struct store *st, const struct store_horizon *h,
	    struct store_counts *out);

/* The mail queue (core/mail.c, core/mailer.c). Adds a mail due at once
 * (its next attempt at `now`); *id gets its id. */
int	store_mail_add(struct store *st, const char *recipient,
	    const char *message, int64_t now, int64_t *id);

/* Claims the mail due longest ago (next attempt at or before now, claimed
 * by no one or by a claim that ran out by now) until lease_until, in one
 * statement: of nodes claiming at once, one gets each mail. *out gets it
 * (out->message malloc'd: free() it). ERR_NOTFOUND when none is due. */
int	store_mail_claim(struct store *st, int64_t now, int64_t lease_until,
	    struct mail_row *out);

/* Deletes mail `id`: delivered, or given up. */
int	store_mail_delete(struct store *st, int64_t id);

/* Writes a failed delivery of mail `id` back: `attempts` failed so far,
 * the next at next_at, `error` (nothing secret, cut to
 * MAIL_ERROR_MAX_BYTES) as the last reason; its claim ends. ERR_NOTFOUND
 * when it is gone. */
int	store_mail_retry(struct store *st, int64_t id, int64_t attempts,
	    int64_t next_at, const char *error);

/* The OpenID Provider's signing keys (core/signing_keys.c). Adding one
 * moves the revision counter. ERR_EXISTS when its alg already has a key
 * of row->seq (another node made it first: read the list again) or its
 * kid is taken; nothing is written then. */
int	store_signing_key_add(struct store *st,
	    const struct signing_key_row *row);
/* Every key, by alg and seq, into a malloc'd *rows (free() it). */
int	store_signing_key_list(struct store *st,
	    struct signing_key_row **rows, size_t *n);

/* Registered resources (core/resources.c). Add writes rows[0], the
 * audience bit, with the resource and then the scopes' bits, all or
 * nothing: ERR_EXISTS when the URI, a bit or a scope name is taken. In
 * the same transaction it first clears its bits as delete does (with
 * `keep` the audiences that stay): a bit freed by a delete may have been
 * written meanwhile by a node that had not yet seen it, and the new
 * resource must inherit no token, code or consent of the old one.
 * List gives every bit, by URI and bit, into a malloc'd *rows (free() it).
 * Delete, in one transaction, revokes the families whose tokens carry any
 * of `bits`, deletes the codes and device grants that do, takes the bits
 * out of the consents (a consent left with no audience of `keep`, the
 * others', is deleted: it would read as the built-in API's) and deletes
 * the resource with its bits; ERR_NOTFOUND without it. Add and delete move
 * the revision counter. */
int	store_resource_add(struct store *st,
	    const struct resource_bit_row *rows, size_t n, unsigned keep);
int	store_resource_list(struct store *st, struct resource_bit_row **rows,
	    size_t *n);
int	store_resource_delete(struct store *st, const char *uri,
	    unsigned bits, unsigned keep);

/* Security events (docs/REFERENCE.md §20). The calls that make a change
 * take the event recording it (NULL: none) and write it in their own
 * transaction; add writes one that goes with no change (a failed log-in).
 * List gives account_id's events and those of its apps, newest first:
 * kind -1 for any, app_id 0 for any, those with an id below `before` (0:
 * from the newest), at most max, into a malloc'd *rows (free() it); an
 * event of another account (a user's, at one of its apps) has its address
 * blanked. Events before h->events_before go by store_gc()'s
 * STORE_GC_EVENTS. */
int	store_event_add(struct store *st, const struct event_new *ev);
int	store_event_list(struct store *st, int64_t account_id, int kind,
	    int64_t app_id, int64_t before, size_t max, struct event_row **rows,
	    size_t *n);

#endif
