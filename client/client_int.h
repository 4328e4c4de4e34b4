/* The insides of libkeygate-client, seen only by the files of client/. */
#ifndef KEYGATE_CLIENT_INT_H
#define KEYGATE_CLIENT_INT_H

#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <sodium.h>

#include "keygate/client.h"

#define KG_DEFAULT_UNUSED_TTL_S	3600
#define KG_DEFAULT_IDLE_TTL_S	7200
#define KG_DEFAULT_MAX_TTL_S	86400
#define KG_DEFAULT_MARGIN_S	120
#define KG_DEFAULT_REDIRECT	"http://127.0.0.1/callback"
/* A use is written to the file only when it moves the stored one by this
 * much: an older stored use only makes the next process refresh early. */
#define KG_USE_SAVE_INTERVAL_S	60
#define KG_TOKEN_FILE_MAX	65536
#define KG_TOKEN_BODY_MAX	65536
#define KG_API_BODY_MAX		(16u * 1024 * 1024)
#define KG_HTTP_TIMEOUT_S	30
/* DPoP-Nonce values remembered, one per origin (RFC 9449 §8: a server's
 * nonce is for its own origin); the oldest is replaced. */
#define KG_DPOP_NONCE_ORIGINS	8
#define KG_DPOP_NONCE_MAX	512

/* The Ed25519 key a DPoP-bound pair is tied to (RFC 9449); `sk` is
 * libsodium's secret key: the 32-byte seed, then the public key. */
struct kg_dpop_key {
	bool		 set;
	unsigned char	 sk[crypto_sign_SECRETKEYBYTES];
};

/* One access/refresh pair and the client's view of its timers. */
struct kg_tokens {
	char	*access_token;
	char	*refresh_token;
	char	*scope;
	int64_t	 issued_at;	/* client clock, taken before the request */
	int64_t	 last_used;	/* start of the latest successful call; 0 */
	int64_t	 unused_ttl_s;	/* the response's expires_in */
	bool	 dpop;		/* token_type DPoP: calls need a proof */
	struct kg_dpop_key key;	/* proofs at refresh (and calls, if dpop) */
};

/* What a call needs of the pair (kg_tokens_ensure()). */
struct kg_cred {
	char		*token;
	bool		 dpop;
	struct kg_dpop_key key;
};

struct kg_dpop_nonce {
	char	*origin;
	char	*nonce;
};

/* What the token file holds (client/tokenfile.c). */
struct kg_file {
	char		*issuer;
	char		*api_key;
	char		*secret;
	char		*redirect_uri;
	int64_t		 idle_ttl_s;
	int64_t		 max_ttl_s;
	uint64_t	 saves;
	struct kg_tokens tok;
};

struct kg_client {
	pthread_mutex_t	 mu;		/* guards everything below */
	char		*issuer;
	char		*api_key;
	char		*secret;
	char		*scope;
	char		*redirect_uri;
	char		*path;		/* token file, or NULL */
	kg_client_clock_fn clock;
	void		*clock_arg;
	int64_t		 idle_ttl_s;
	int64_t		 max_ttl_s;
	int64_t		 default_unused_ttl_s;
	int64_t		 margin_s;
	struct kg_tokens tok;
	int64_t		 saved_last_used;	/* last_used in the file */
	uint64_t	 saves;
	bool		 unsaved;	/* a rotated pair not yet on disk */
	uint64_t	 refreshes;
	kg_client_sleep_fn sleep;	/* the device log-in's wait */
	void		*sleep_arg;
	bool		 dpop_off;	/* kg_client_set_dpop(c, false) */
	struct kg_dpop_key login_key;	/* drawn at log-in if offered */
	/* The latest DPoP-Nonce per origin, under its own mutex: it is
	 * read and written both with and without c->mu held. */
	pthread_mutex_t	 nonce_mu;
	struct kg_dpop_nonce nonces[KG_DPOP_NONCE_ORIGINS];
	unsigned	 nonce_next;
};

/* The expiry the server will apply (docs/REFERENCE.md §4) and the timer behind
 * it. */
struct kg_timers {
	int64_t		 expires_at;
	const char	*timer;
};

/* client.c */
int	kg_err(int code, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
char	*kg_strdup(const char *s);
void	kg_free_secret(char *s);
/* json_decref() of a tree holding secrets (the last reference to it):
 * jansson frees its strings without wiping them, so this zeroes them
 * first (kg_json_wipe(): every string value of the tree, but none of a
 * subtree something else holds too). */
void	kg_json_free_secret(json_t *j);
void	kg_json_wipe(json_t *j);
int64_t	kg_now(const struct kg_client *c);
void	kg_tokens_release(struct kg_tokens *t);
int	kg_tokens_copy(struct kg_tokens *dst, const struct kg_tokens *src);
void	kg_cred_release(struct kg_cred *cr);

/* timers.c: docs/REFERENCE.md §4 as the client sees it; pure. */
void	kg_timers_compute(const struct kg_tokens *t, int64_t idle_ttl_s,
	    int64_t max_ttl_s, struct kg_timers *out);
bool	kg_timers_due(const struct kg_timers *tm, int64_t now,
	    int64_t margin_s);

/* tokenfile.c: the file format and its atomic replacement. */
int	kg_file_load(const char *path, struct kg_file *out);
int	kg_file_save(const char *path, const struct kg_file *f);
void	kg_file_release(struct kg_file *f);
/* Takes the exclusive lock PATH.lock (created 0600); *fd for unlock. */
int	kg_file_lock(const char *path, int *fd);
void	kg_file_unlock(int fd);

/* http.c: one libcurl exchange. */
struct kg_http_req {
	const char		*method;
	const char		*url;
	const char *const	*headers;
	const char		*token;		/* or NULL */
	bool			 dpop;		/* "DPoP" scheme, not Bearer */
	const char		*proof;		/* DPoP header, or NULL */
	const char		*basic_user;	/* or NULL; both encoded */
	const char		*basic_pass;
	const char		*form;		/* or body + body_len */
	const void		*body;
	size_t			 body_len;
	size_t			 max_body;
};

struct kg_http_res {
	long	 status;
	char	*body;
	size_t	 body_len;
	char	*content_type;
	bool	 invalid_token;	/* 401 with error="invalid_token" */
	bool	 use_dpop_nonce; /* 401 with DPoP error="use_dpop_nonce" */
	char	*dpop_nonce;	/* the DPoP-Nonce header, or NULL */
};

int	kg_http_init(void);
int	kg_http_perform(const struct kg_http_req *rq, struct kg_http_res *rs);
void	kg_http_res_release(struct kg_http_res *rs);
/* application/x-www-form-urlencoded escaping; caller frees. */
char	*kg_http_escape(const char *s);

/* tokens.c: the token endpoint and the refresh discipline. */
/* POSTs `form` to the issuer's `path` with the app's authentication:
 * HTTP Basic for an app with a secret (RFC 6749 §2.3.1: both parts
 * form-encoded first), client_id in the body for a public one. */
int	kg_client_post(struct kg_client *c, const char *path, const char *form,
	    const char *proof, struct kg_http_res *rs);
/* An error answer of the token endpoint as an error code (and message);
 * its RFC 6749 §5.2 name goes to `name` when not NULL. */
int	kg_token_error(long status, const char *body, char *name,
	    size_t name_n);
/* Exchanges a grant for a pair, keeps it and saves it; on an error
 * answer its name goes to `name` (when not NULL; "" for none). */
int	kg_token_exchange(struct kg_client *c, const char *form, char *name,
	    size_t name_n);
/* Under c->mu: makes sure c->tok is fresh (refreshing when due, or when
 * `failed` is still the current access token) and copies the access
 * token, its type and key to *out (kg_cred_release() it). */
int	kg_tokens_ensure(struct kg_client *c, const char *failed,
	    struct kg_cred *out);
/* Records a successful call with `token` that started at `at`. */
void	kg_tokens_used(struct kg_client *c, const char *token, int64_t at);
/* Under c->mu and the file lock: writes c's state to the file. */
int	kg_client_write_locked(struct kg_client *c);

/* dpop.c: DPoP proofs (RFC 9449) and what the client keeps for them. */
struct kg_dpop_claims {
	const char	*htm;
	const char	*url;		/* htu is this without query, fragment */
	const char	*access_token;	/* for ath, or NULL */
	const char	*nonce;		/* or NULL */
	int64_t		 iat;
};

void	kg_dpop_key_new(struct kg_dpop_key *k);
/* From the base64url seed of the token file; -1 when it is not one. */
int	kg_dpop_key_from_b64(const char *b64, struct kg_dpop_key *k);
/* The seed in base64url, for the token file; kg_free_secret() it. */
char	*kg_dpop_key_to_b64(const struct kg_dpop_key *k);
/* RFC 7638 thumbprint of the public key, base64url (43 chars + NUL). */
void	kg_dpop_jkt(const struct kg_dpop_key *k, char *out, size_t n);
/* A compact JWS of typ dpop+jwt, alg EdDSA; free() it. */
char	*kg_dpop_proof(const struct kg_dpop_key *k,
	    const struct kg_dpop_claims *cl);
/* The server's latest nonce for the origin of `url` (free() it), or
 * NULL; and remembering one (a NULL or malformed nonce is ignored). */
char	*kg_dpop_nonce_get(struct kg_client *c, const char *url);
void	kg_dpop_nonce_set(struct kg_client *c, const char *url,
	    const char *nonce);
void	kg_dpop_nonces_free(struct kg_client *c);
/* At a log-in: draws c->login_key when DPoP is on and the server's
 * metadata lists EdDSA in dpop_signing_alg_values_supported; clears it
 * otherwise. */
int	kg_dpop_prepare(struct kg_client *c);

/* device.c: the device log-in's schedule (RFC 8628 §3.5); pure. */
enum kg_poll {
	KG_POLL_PENDING,	/* authorization_pending: wait, poll again */
	KG_POLL_SLOW_DOWN,	/* slow_down: the same, 5 s slower for good */
	KG_POLL_DENIED,		/* access_denied */
	KG_POLL_EXPIRED,	/* expired_token */
	KG_POLL_STOP,		/* any other error: it will not get better */
};

struct kg_device_sched {
	int64_t	 interval;	/* seconds between polls */
	int64_t	 expires_at;	/* client clock; no poll at or after it */
};

#define KG_DEVICE_DEFAULT_INTERVAL_S	5	/* RFC 8628 §3.2 */
#define KG_DEVICE_SLOW_DOWN_S		5	/* RFC 8628 §3.5 */
#define KG_DEVICE_MAX_EXPIRES_S		604800
#define KG_DEVICE_MAX_INTERVAL_S	3600

enum kg_poll	kg_device_outcome(const char *error);
/* `t0`: the client's clock before the device authorization request
 * left, so that its expiry is never later than the server's. */
void	kg_device_sched_init(struct kg_device_sched *s, int64_t t0,
	    int64_t expires_in, int64_t interval);
/* Seconds to wait at `now` before the next poll, or -1 when that poll
 * would fall at or past the expiry. */
int64_t	kg_device_wait(const struct kg_device_sched *s, int64_t now);
void	kg_device_slowed(struct kg_device_sched *s);

/* loopback.c: the one-shot redirect listener. */
struct kg_redirect {
	char	*code;
	char	*state;
	char	*iss;
	char	*error;
	char	*error_description;
};

/* Accepts connections on the listening `fd` until a GET of `path`
 * arrives (others get 404) or `timeout_s` pass; answers it with a short
 * page and fills *r with its query parameters. */
int	kg_loopback_wait(int fd, const char *path, int timeout_s,
	    struct kg_redirect *r);
void	kg_redirect_release(struct kg_redirect *r);

#endif
