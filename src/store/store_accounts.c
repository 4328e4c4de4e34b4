/* The store's calls for accounts and what hangs on them (sessions, links,
 * personal tokens, two-step log-in, secret showings, the mail queue):
 * each a counted call through the backend, as in store.c. */
#include "store/store.h"

#include "store/store_call.h"

int
store_account_insert(struct store *st, const char *email,
    const char *password_hash, int64_t now, int64_t *id,
    const struct event_new *ev)
{
	return CALL(account_insert, email, password_hash, now, id, ev);
}

int
store_account_by_email(struct store *st, const char *email,
    struct account *out)
{
	return CALL(account_by_email, email, out);
}

int
store_account_by_id(struct store *st, int64_t id, struct account *out)
{
	return CALL(account_by_id, id, out);
}

int
store_account_list(struct store *st, const struct store_page *page,
    struct account **rows, size_t *n)
{
	return CALL(account_list, page, rows, n);
}

int
store_account_counts(struct store *st, int64_t id,
    const struct store_horizon *h, struct account_counts *out)
{
	return CALL(account_counts, id, h, out);
}

int
store_account_disable(struct store *st, int64_t id, int64_t now,
    const struct event_new *ev)
{
	return store_taken(st, CALL(account_disable, id, now, ev));
}

/* Taken too: this process's memos hold the disabled state. */
int
store_account_enable(struct store *st, int64_t id)
{
	return store_taken(st, CALL(account_enable, id));
}

int
store_account_delete(struct store *st, int64_t id)
{
	return store_taken(st, CALL(account_delete, id));
}

int
store_session_insert(struct store *st,
    const unsigned char hash[SECURE_HASH_BYTES], int64_t account_id,
    int64_t now, const struct session_origin *from, const struct event_new *ev)
{
	return CALL(session_insert, hash, account_id, now, from, ev);
}

int
store_session_list(struct store *st, int64_t account_id, size_t max,
    struct session_row **rows, size_t *n)
{
	return CALL(session_list, account_id, max, rows, n);
}

int
store_session_end(struct store *st, int64_t account_id,
    const unsigned char hash[SECURE_HASH_BYTES], const struct event_new *ev)
{
	return CALL(session_end, account_id, hash, ev);
}

int
store_session_end_others(struct store *st, int64_t account_id,
    const unsigned char *keep, const struct event_new *ev)
{
	return CALL(session_end_others, account_id, keep, ev);
}

int
store_account_verify(struct store *st, int64_t account_id,
    const char *email)
{
	return CALL(account_verify, account_id, email);
}

/* A new address changes what the accounts' memo keeps (core/accounts.c). */
int
store_account_set_email(struct store *st, int64_t account_id,
    const char *email, const struct event_new *ev)
{
	return store_taken(st, CALL(account_set_email, account_id, email, ev));
}

int
store_account_set_password(struct store *st, int64_t account_id,
    const char *password_hash, const unsigned char *keep,
    const struct event_new *ev)
{
	return CALL(account_set_password, account_id, password_hash, keep, ev);
}

int
store_link_insert(struct store *st,
    const unsigned char hash[SECURE_HASH_BYTES], const struct link_row *row)
{
	return CALL(link_insert, hash, row);
}

int
store_link_get(struct store *st, const unsigned char hash[SECURE_HASH_BYTES],
    int purpose, struct link_row *out)
{
	return CALL(link_get, hash, purpose, out);
}

int
store_link_take(struct store *st,
    const unsigned char hash[SECURE_HASH_BYTES], int purpose,
    struct link_row *out)
{
	return CALL(link_take, hash, purpose, out);
}

int
store_session_get(struct store *st,
    const unsigned char hash[SECURE_HASH_BYTES], struct session_row *out)
{
	return CALL(session_get, hash, out);
}

int
store_session_touch(struct store *st,
    const unsigned char hash[SECURE_HASH_BYTES], int64_t now)
{
	return CALL(session_touch, hash, now);
}

int
store_session_reauth(struct store *st,
    const unsigned char hash[SECURE_HASH_BYTES], int64_t auth_time,
    unsigned amr)
{
	return CALL(session_reauth, hash, auth_time, amr);
}

int
store_session_delete(struct store *st,
    const unsigned char hash[SECURE_HASH_BYTES])
{
	return CALL(session_delete, hash);
}

int
store_session_trim(struct store *st, int64_t account_id,
    const unsigned char keep[SECURE_HASH_BYTES], int64_t max)
{
	return CALL(session_trim, account_id, keep, max);
}

int
store_pat_insert(struct store *st, int64_t account_id,
    const unsigned char hash[SECURE_HASH_BYTES], int64_t now, int64_t max,
    int64_t *id, const struct event_new *ev)
{
	return CALL(pat_insert, account_id, hash, now, max, id, ev);
}

int
store_pat_by_hash(struct store *st,
    const unsigned char hash[SECURE_HASH_BYTES], struct pat_row *out)
{
	return CALL(pat_by_hash, hash, out);
}

int
store_pat_list(struct store *st, int64_t account_id,
    const struct store_page *page, struct pat_row **rows, size_t *n)
{
	return CALL(pat_list, account_id, page, rows, n);
}

int
store_pat_delete(struct store *st, int64_t account_id, int64_t id,
    const struct event_new *ev)
{
	return CALL(pat_delete, account_id, id, ev);
}

int
store_pat_touch(struct store *st, int64_t id, int64_t now)
{
	return CALL(pat_touch, id, now);
}

int
store_reveal_insert(struct store *st,
    const unsigned char hash[SECURE_HASH_BYTES], int64_t expires_at)
{
	return CALL(reveal_insert, hash, expires_at);
}

int
store_reveal_take(struct store *st,
    const unsigned char hash[SECURE_HASH_BYTES], int64_t *expires_at)
{
	return CALL(reveal_take, hash, expires_at);
}

int
store_totp_get(struct store *st, int64_t account_id, struct totp_row *out)
{
	return CALL(totp_get, account_id, out);
}

int
store_totp_insert(struct store *st, int64_t account_id,
    const struct totp_row *row,
    const unsigned char (*hashes)[SECURE_HASH_BYTES], size_t n,
    const struct event_new *ev)
{
	return CALL(totp_insert, account_id, row, hashes, n, ev);
}

int
store_totp_step(struct store *st, int64_t account_id, int64_t step)
{
	return CALL(totp_step, account_id, step);
}

int
store_totp_delete(struct store *st, int64_t account_id,
    const struct event_new *ev)
{
	return CALL(totp_delete, account_id, ev);
}

int
store_recovery_list(struct store *st, int64_t account_id,
    unsigned char (*hashes)[SECURE_HASH_BYTES], size_t max, size_t *n)
{
	return CALL(recovery_list, account_id, hashes, max, n);
}

int
store_recovery_take(struct store *st, int64_t account_id,
    const unsigned char hash[SECURE_HASH_BYTES])
{
	return CALL(recovery_take, account_id, hash);
}

int
store_mail_add(struct store *st, const char *recipient, const char *message,
    int64_t now, int64_t *id)
{
	return CALL(mail_add, recipient, message, now, id);
}

int
store_mail_claim(struct store *st, int64_t now, int64_t lease_until,
    struct mail_row *out)
{
	return CALL(mail_claim, now, lease_until, out);
}

int
store_mail_delete(struct store *st, int64_t id)
{
	return CALL(mail_delete, id);
}

int
store_mail_retry(struct store *st, int64_t id, int64_t attempts,
    int64_t next_at, const char *error)
{
	return CALL(mail_retry, id, attempts, next_at, error);
}

int
store_signing_key_add(struct store *st, const struct signing_key_row *row)
{
	return CALL(signing_key_add, row);
}

int
store_signing_key_list(struct store *st, struct signing_key_row **rows,
    size_t *n)
{
	return CALL(signing_key_list, rows, n);
}
