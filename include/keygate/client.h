/*
 * libkeygate-client: the API user's side of keygate (docs/REFERENCE.md §3,
 * §4).
 *
 * Logs in with the authorization-code flow (state, PKCE S256, a one-shot
 * loopback redirect listener, HTTP Basic at the token endpoint), keeps the
 * tokens in a file (mode 0600, replaced atomically), and calls APIs with
 * the access token (bound to a key by DPoP, RFC 9449, when the server
 * offers it), refreshing it before either of the two timers of the
 * lifetime rule runs out:
 *
 *   never used:  the access token dies 1 h after it was issued;
 *   used:        it dies 2 h after its latest use, and 24 h after issue
 *                at the latest.
 *
 * A 401 invalid_token is answered with one refresh and one retry, never
 * more. Every function returns KG_CLIENT_OK (0) or an error code below;
 * kg_client_errmsg() explains the calling thread's latest error. A client
 * may be shared by the threads of one process: one of them refreshes,
 * the others wait for its result. docs/CLIENT.md has the whole story.
 */
#ifndef KEYGATE_CLIENT_H
#define KEYGATE_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The shared library exports these names only. */
#if defined(__GNUC__)
#define KG_CLIENT_API __attribute__((visibility("default")))
#else
#define KG_CLIENT_API
#endif

enum kg_client_error {
	KG_CLIENT_OK = 0,
	KG_CLIENT_ERR_USAGE,		/* a bad argument or missing setting */
	KG_CLIENT_ERR_NO_TOKENS,	/* not logged in (no tokens yet) */
	KG_CLIENT_ERR_NETWORK,		/* the server could not be reached */
	KG_CLIENT_ERR_PROTOCOL,		/* an answer that breaks
					   docs/REFERENCE.md §3 */
	KG_CLIENT_ERR_REVOKED,		/* invalid_grant: grant revoked, or the
					   refresh token used up; log in again */
	KG_CLIENT_ERR_CLIENT_AUTH,	/* invalid_client: wrong key or secret */
	KG_CLIENT_ERR_DENIED,		/* the authorization was refused */
	KG_CLIENT_ERR_STATE,		/* the redirect's state or iss is wrong */
	KG_CLIENT_ERR_TIMEOUT,		/* no redirect arrived in time */
	KG_CLIENT_ERR_UNAUTHORIZED,	/* still 401 after one refresh */
	KG_CLIENT_ERR_FILE,		/* the token file cannot be used */
	KG_CLIENT_ERR_SERVER,		/* any other token-endpoint error */
	KG_CLIENT_ERR_EXPIRED,		/* device log-in: the code expired
					   before access was granted */
	KG_CLIENT_ERR_CANCELLED,	/* device log-in: the sleep callback
					   asked to stop */
};

struct kg_client;
struct kg_client_login;

/* Seconds since the Unix epoch, as the client's clock sees them. */
typedef int64_t (*kg_client_clock_fn)(void *arg);

/* A response of kg_client_request(); release it with
 * kg_client_response_release(). `body` is NUL-terminated (the NUL is not
 * counted in body_len). */
struct kg_client_response {
	long	 status;
	char	*body;
	size_t	 body_len;
	char	*content_type;		/* NULL when the server sent none */
};

/* Where the timers stand (kg_client_status()). Times are Unix seconds of
 * the client's clock; last_used is 0 while the token is unused. */
struct kg_client_status {
	bool	 has_tokens;
	int64_t	 now;
	int64_t	 issued_at;
	int64_t	 last_used;
	int64_t	 unused_ends_at;	/* issued_at + 1 h */
	int64_t	 idle_ends_at;		/* last_used + 2 h; 0 while unused */
	int64_t	 max_ends_at;		/* issued_at + 24 h */
	int64_t	 expires_at;		/* when the server will refuse it */
	int64_t	 refresh_at;		/* expires_at minus the safety margin */
	const char *timer;		/* "unused", "idle" or "max": the timer
					   that runs out first */
	const char *token_type;		/* "Bearer" or "DPoP" */
	char	 dpop_jkt[48];		/* the DPoP key's RFC 7638 thumbprint
					   (base64url), "" without a key */
};

/* A static English sentence for `code`. */
KG_CLIENT_API const char	*kg_client_strerror(int code);

/* The calling thread's latest error, with details (never a secret). */
KG_CLIENT_API const char	*kg_client_errmsg(void);

/* A client of the app `api_key` at the keygate whose issuer URL is
 * `issuer` (docs/REFERENCE.md §3: the endpoints live under it). `secret` may
 * be NULL for a public app (PKCE only). The strings are copied. Returns 0, or
 * KG_CLIENT_ERR_USAGE. Free with kg_client_free(). */
KG_CLIENT_API int	kg_client_new(const char *issuer, const char *api_key,
	    const char *secret, struct kg_client **out);

/* Opens the token file `path` written by an earlier login, taking the
 * issuer, API key and secret from it. */
KG_CLIENT_API int	kg_client_open(const char *path, struct kg_client **out);

/* Wipes the secrets and frees the client. NULL is fine. */
KG_CLIENT_API void	kg_client_free(struct kg_client *c);

/* Keeps the tokens in `path` from now on: loads them when the file exists
 * (it must then be for the same issuer and API key, and not readable by
 * others), and saves every new pair there. */
KG_CLIENT_API int	kg_client_set_token_file(struct kg_client *c, const char *path);

/* Replaces the clock (default: the system's real-time clock). Tests pair
 * keygate's --test-clock with kg_client_clock_file(). */
KG_CLIENT_API void	kg_client_set_clock(struct kg_client *c, kg_client_clock_fn fn,
	    void *arg);

/* A clock_fn for tests: the real-time clock plus the whole number of
 * seconds written in the file named by `arg` (a const char *), read at
 * every call; a missing file counts as 0. */
KG_CLIENT_API int64_t	kg_client_clock_file(void *arg);

/* The lifetime settings of the server (docs/REFERENCE.md §4; defaults 3600,
 * 7200, 86400; the unused one is also taken from each token response's
 * expires_in) and the safety margin: refresh this many seconds before
 * a timer runs out (default 120, covering keygate's 60 s use coalescing
 * and the time a call takes). */
KG_CLIENT_API int	kg_client_set_lifetimes(struct kg_client *c, int64_t unused_ttl_s,
	    int64_t idle_ttl_s, int64_t max_ttl_s);
KG_CLIENT_API int	kg_client_set_margin(struct kg_client *c, int64_t margin_s);

/* DPoP (RFC 9449), on by default: a log-in asks the server's metadata
 * whether it takes EdDSA proofs; if so it draws an Ed25519 key, kept in
 * the token file, and every token request and every call of a DPoP
 * token carries a proof by it, so that a stolen token is no use without
 * the key. false: plain Bearer tokens from the next log-in on (a pair
 * already bound keeps its key). */
KG_CLIENT_API void	kg_client_set_dpop(struct kg_client *c, bool on);

/* The scope to ask for at log-in (space-separated; NULL: the server's
 * default) and the redirect URI registered for the app (default
 * "http://127.0.0.1/callback"; a loopback http URI, whose port the
 * listener may replace with its own, RFC 8252 §7.3). */
KG_CLIENT_API int	kg_client_set_scope(struct kg_client *c, const char *scope);
KG_CLIENT_API int	kg_client_set_redirect_uri(struct kg_client *c, const char *uri);

/* Starts a log-in: opens the loopback listener and draws state and PKCE
 * verifier. Free with kg_client_login_free(). */
KG_CLIENT_API int	kg_client_login_start(struct kg_client *c,
	    struct kg_client_login **out);

/* The authorization URL to open in a browser (owned by `l`). */
KG_CLIENT_API const char *kg_client_login_url(const struct kg_client_login *l);

/* Waits up to `timeout_s` seconds for the browser's redirect, checks its
 * state and iss, exchanges the code and keeps (and saves) the tokens. */
KG_CLIENT_API int	kg_client_login_finish(struct kg_client *c, struct kg_client_login *l,
	    int timeout_s);
KG_CLIENT_API void	kg_client_login_free(struct kg_client_login *l);

/* The device log-in (RFC 8628), for a client without a browser at hand:
 * what the person must be shown. The strings belong to the library and
 * live until the callback returns; verification_uri_complete is NULL
 * when the server sent none. */
struct kg_client_device_codes {
	const char	*user_code;		/* "XXXX-XXXX" */
	const char	*verification_uri;
	const char	*verification_uri_complete;
	int64_t		 expires_in;		/* seconds from now */
	int64_t		 interval;		/* seconds between polls */
};

/* Shows the codes (a GUI's dialog, a terminal's text); called once. */
typedef void (*kg_client_device_fn)(const struct kg_client_device_codes *codes,
	    void *arg);

/* Waits `seconds` between two polls. Returns 0 to go on, anything else
 * to give up (kg_client_device_login() then returns
 * KG_CLIENT_ERR_CANCELLED): a GUI's Cancel button. */
typedef int (*kg_client_sleep_fn)(int64_t seconds, void *arg);

/* Replaces the wait between polls (default: nanosleep for the whole
 * time, which honours the server's interval; NULL restores it). */
KG_CLIENT_API void	kg_client_set_sleep(struct kg_client *c, kg_client_sleep_fn fn,
	    void *arg);

/* Logs in by the device flow: POST /oauth2/device_authorization
 * (client_id and the scope of kg_client_set_scope(); HTTP Basic for an
 * app with a secret), hands the codes to `show`, then polls the token
 * endpoint every `interval` seconds (5 more for good after each
 * slow_down), never past expires_in, and keeps (and saves) the tokens as
 * kg_client_login_finish() does. Errors: KG_CLIENT_ERR_DENIED (the person
 * refused), KG_CLIENT_ERR_EXPIRED, KG_CLIENT_ERR_CANCELLED, and those of
 * the token endpoint (KG_CLIENT_ERR_SERVER names the error, e.g.
 * unauthorized_client for an app with the device flow off). */
KG_CLIENT_API int	kg_client_device_login(struct kg_client *c,
	    kg_client_device_fn show, void *arg);

/* Adopts tokens obtained elsewhere, issued at `issued_at` and unused,
 * and saves them when there is a token file. */
KG_CLIENT_API int	kg_client_set_tokens(struct kg_client *c, const char *access_token,
	    const char *refresh_token, const char *scope, int64_t issued_at);

/* Writes the tokens held now to the token file (write, fsync, rename,
 * fsync of the folder). */
KG_CLIENT_API int	kg_client_save(struct kg_client *c);

/* Stores in *out (caller frees with free()) an access token that is
 * valid now, refreshing first when a timer has run out or is about to.
 * With DPoP (the default against a server that offers it) the token is
 * bound to the client's key and useless alone: send it through
 * kg_client_request(), which adds the proof. */
KG_CLIENT_API int	kg_client_access_token(struct kg_client *c, char **out);

/* Refreshes now, whatever the timers say. */
KG_CLIENT_API int	kg_client_refresh(struct kg_client *c);

/* One API call: `method` on `url` with the access token (as
 * `Authorization: DPoP` with a `DPoP` proof for a DPoP token, Bearer
 * otherwise; a 401 use_dpop_nonce is retried once with the server's
 * nonce), the extra
 * `headers` ("Name: value", NULL-terminated array, may be NULL) and
 * `body` (may be NULL). Refreshes first when a timer ran out; on a 401
 * invalid_token refreshes once and retries once. Any HTTP answer is
 * KG_CLIENT_OK, with its status in res; a 401 left after the retry is
 * KG_CLIENT_ERR_UNAUTHORIZED (res is then filled too). */
KG_CLIENT_API int	kg_client_request(struct kg_client *c, const char *method,
	    const char *url, const char *const *headers, const void *body,
	    size_t body_len, struct kg_client_response *res);
KG_CLIENT_API void	kg_client_response_release(struct kg_client_response *res);

/* Where the timers stand now. */
KG_CLIENT_API int	kg_client_status(struct kg_client *c, struct kg_client_status *st);

/* How many refreshes this client has made (for logs and tests). */
KG_CLIENT_API uint64_t kg_client_refresh_count(struct kg_client *c);

#ifdef __cplusplus
}
#endif

#endif
