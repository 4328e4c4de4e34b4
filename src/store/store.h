#ifndef KEYGATE_STORE_STORE_H
#define KEYGATE_STORE_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "core/secure.h"
#include "core/limits.h"

/* The store: every durable fact of keygate. Handlers never see it; core/
 * calls it. A backend (SQLite today) implements store_impl.h. Every function
 * is thread-safe, returns 0 or an ERR_* code, and has committed its write
 * before it returns 0. Times are Unix seconds from the injected clock. */
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

/* Opens the store named by `url` (a SQLite path). On failure writes a reason
 * into err and returns ERR_STORE. */
int	store_open(const char *url, struct store **out, char *err,
	    size_t errlen);
void	store_close(struct store *st);

/* Applies the migrations not yet recorded; *applied gets how many. */
int	store_migrate(struct store *st, int *applied);
/* Cheap liveness probe for /healthz. */
int	store_ping(struct store *st);

/* Gets the 32-byte server key named `name`, creating it at random the first
 * time (every node sharing the store sees the same key). */
int	store_server_key(struct store *st, const char *name,
	    unsigned char key[SECURE_KEY_BYTES]);

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

/* personal access tokens, keyed by the SHA-256 of the token */
int	store_pat_insert(struct store *st, int64_t account_id,
	    const unsigned char hash[SECURE_HASH_BYTES], int64_t now,
	    int64_t *id);
int	store_pat_by_hash(struct store *st,
	    const unsigned char hash[SECURE_HASH_BYTES], struct pat_row *out);
/* *rows is malloc'd (free() it), newest first. */
int	store_pat_list(struct store *st, int64_t account_id,
	    struct pat_row **rows, size_t *n);
/* ERR_NOTFOUND unless token `id` exists and belongs to `account_id`. */
int	store_pat_delete(struct store *st, int64_t account_id, int64_t id);
int	store_pat_touch(struct store *st, int64_t id, int64_t now);

#endif
