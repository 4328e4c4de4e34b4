#ifndef KEYGATE_STORE_ROWS_H
#define KEYGATE_STORE_ROWS_H

/* The plain values the store's calls take and give (store.h), apart from
 * the calls so that the backends' interface (store_impl.h) and the use
 * log (use_log.h) can name them without depending on store.c. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/limits.h"
#include "base/secure.h"

struct account {
	int64_t	 id;
	char	 email[ACCOUNT_EMAIL_MAX_BYTES + 1];
	char	 password_hash[SECURE_PWHASH_MAX];
	int64_t	 created_at;
	bool	 email_verified;	/* a link mailed to `email` was followed */
	int64_t	 disabled_at;	/* 0: enabled (keygate account disable) */
};

/* What an account holds, as `keygate account show` counts it: browser
 * sessions, personal access tokens, and grants it gave as an end user
 * (its apps it lists). */
struct account_counts {
	int64_t	 sessions;
	int64_t	 pats;
	int64_t	 grants;
};

/* An account's two-step log-in (core/totp.c), while it is on. */
struct totp_row {
	char	 secret[TOTP_SEALED_MAX_BYTES];	/* sealed */
	int64_t	 enabled_at;
	int64_t	 last_step;	/* of the last code accepted */
};

/* How the user authenticated (OpenID Connect `amr`, RFC 8176): a
 * password, and a two-step code after it. */
enum { AMR_PWD = 1u << 0, AMR_OTP = 1u << 1 };

/* A browser session. store_session_get() fills the first five only;
 * store_session_list() all but those two. */
struct session_row {
	int64_t	 account_id;
	int64_t	 created_at;
	int64_t	 last_seen;
	/* OpenID Connect (§14): when a password was last entered in it, and
	 * how (AMR_*) */
	int64_t	 auth_time;
	unsigned amr;
	unsigned char hash[SECURE_HASH_BYTES];
	char	 address[SESSION_ADDRESS_MAX_BYTES + 1];
	char	 user_agent[SESSION_USER_AGENT_MAX_BYTES + 1];
};

/* Where a session begins: the client's address and its User-Agent, both
 * already cut to the limits above and valid UTF-8 (core/sessions.c). */
struct session_origin {
	const char	*address;
	const char	*user_agent;
	unsigned	 amr;	/* how it was logged in (AMR_*), at its start */
};

/* What a one-time link mailed to an account does (core/links.c). */
enum store_link_purpose {
	STORE_LINK_VERIFY = 1,	/* verifies `email`, still the account's */
	STORE_LINK_RESET = 2,	/* sets a new password */
	STORE_LINK_EMAIL = 3,	/* makes `email` the account's, verified */
};

/* A one-time link, keyed in the store by the SHA-256 of its token. */
struct link_row {
	int64_t	 account_id;
	int	 purpose;	/* enum store_link_purpose */
	char	 email[ACCOUNT_EMAIL_MAX_BYTES + 1];
	int64_t	 expires_at;
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
	bool	 device_flow;	/* RFC 8628 allowed (issue 22) */
	/* dpop_bound_access_tokens: its token requests must carry a DPoP
	 * proof (docs/REFERENCE.md §17) */
	bool	 dpop_bound;
	/* require_pushed_authorization_requests: /oauth2/authorize takes
	 * only a request_uri from /oauth2/par (§18) */
	bool	 require_par;
	/* OpenID Connect: the id_token's JWS alg by name ("RS256", "ES256",
	 * "EdDSA"; core/signing.h parses it), and where /oauth2/logout may
	 * send a browser, newline-separated as redirect_uris */
	char	 id_token_alg[APP_ID_TOKEN_ALG_MAX_BYTES + 1];
	char	 post_logout_redirect_uris[APP_MAX_REDIRECT_URIS *
		    (APP_URI_MAX_BYTES + 1)];
	bool	 has_secret;
	unsigned char secret_hash[SECURE_HASH_BYTES];
	int64_t	 created_at;
	int64_t	 secret_created_at;
	/* Secret rotation (docs/REFERENCE.md §16): secrets are numbered per
	 * app (secret_id, 0 with none); *_used_at is 0 when never used. The
	 * old secret, kept by a rotation with an overlap, authenticates
	 * while the clock is before old_secret_expires_at: has_old_secret
	 * says only that it is stored, perhaps expired. */
	int64_t	 secret_id;
	int64_t	 secret_used_at;
	bool	 has_old_secret;
	unsigned char old_secret_hash[SECURE_HASH_BYTES];
	int64_t	 old_secret_id;
	int64_t	 old_secret_created_at;
	int64_t	 old_secret_used_at;
	int64_t	 old_secret_expires_at;
	/* read only: its owner is disabled, and its client may not
	 * authenticate */
	bool	 owner_disabled;
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
	/* OpenID Connect (§14): the log-in behind the consent, carried into
	 * the family so that refreshes say it again */
	char	 nonce[OIDC_NONCE_MAX_BYTES + 1];	/* "" when none */
	int64_t	 auth_time;	/* when the user last entered a password */
	unsigned amr;		/* AMR_* */
	/* RFC 9449 §10 (docs/REFERENCE.md §17.3): only a DPoP proof by the
	 * key of thumbprint jkt may exchange it */
	bool	 bound;
	unsigned char jkt[SECURE_HASH_BYTES];
};

/* A device grant (RFC 8628; core/device_grant.c), keyed in the store by
 * the SHA-256 of its device code. */
enum store_device_state {
	STORE_DEVICE_PENDING = 0,
	STORE_DEVICE_APPROVED = 1,
	STORE_DEVICE_DENIED = 2,
};
#define STORE_USER_CODE_MAX	8	/* letters, without the dash */
struct device_row {
	char	 user_code[STORE_USER_CODE_MAX + 1];	/* normalized */
	int64_t	 app_id;
	char	 api_key[APP_API_KEY_MAX_BYTES + 1];	/* read only */
	unsigned scope;
	int64_t	 created_at;
	int64_t	 expires_at;
	int64_t	 interval_s;
	/* store_device_poll(): whether this poll came sooner than the
	 * interval after the last one (the interval then grew) */
	bool	 slow_down;
	int	 state;		/* enum store_device_state */
	/* who decided, and for the id_token the log-in behind it (§14) */
	int64_t	 account_id;
	int64_t	 auth_time;
	unsigned amr;
};

/* A pushed authorization request (RFC 9126; core/par.c), keyed in the
 * store by the SHA-256 of its request_uri's random part. */
struct par_row {
	int64_t	 app_id;
	int64_t	 created_at;
	int64_t	 expires_at;
	char	 params[PAR_PARAMS_MAX_BYTES + 1];	/* form-encoded */
};

/* A person's decision on a pending device grant. */
struct device_decision {
	bool	 approve;
	int64_t	 account_id;
	int64_t	 auth_time;	/* of the log-in, for the id_token */
	unsigned amr;
	int64_t	 now;
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
	/* the token or its family, or the app's owner or the grant's
	 * account is disabled (what a check must refuse) */
	bool	 revoked;
	/* a refresh token's (store_refresh_get(), and the parent a
	 * rotation reads): its family's log-in (§14), 0 for access tokens */
	int64_t	 auth_time;
	unsigned amr;
	/* DPoP (docs/REFERENCE.md §17.2): bound to the key whose RFC 7638
	 * thumbprint (SHA-256, DPOP_JKT_BYTES) is jkt; a Bearer token when
	 * not bound */
	bool	 bound;
	unsigned char jkt[SECURE_HASH_BYTES];
};

/* What one issuing transaction writes (see store_issue). */
struct event_new;

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
	/* a new family's log-in (§14): from the code, else 0 */
	int64_t		 auth_time;
	unsigned	 amr;
	/* the refresh token being rotated, if any */
	const unsigned char *parent_hash;
	/* rotation: the parent must still be unused (compare-and-set);
	 * retry: the parent's children must still be unused, and go */
	bool		 retry;
	/* DPoP (§17.2): the access token, and the refresh token, bound to
	 * the thumbprint jkt */
	bool		 access_bound;
	bool		 refresh_bound;
	unsigned char	 jkt[SECURE_HASH_BYTES];
	/* grant_id 0: the grant_given event (NULL: none), written when the
	 * consent recorded is new or wider than the one stored */
	const struct event_new *given;
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

/* Throttle counters shared by every process of the store (core/throttle.c),
 * keyed by a keyed hash of what is counted. A fixed window: the first event
 * after a window ended opens one of window_s seconds. */
#define STORE_THROTTLE_KEY_BYTES	32

/* Judges the row of the refresh token being rotated (is->parent_hash)
 * and completes `is` from it: 0 issues; anything else is
 * store_refresh()'s answer, and nothing is written. It may run on the
 * store's own thread, inside the transaction: it must not call the
 * store. */
typedef int (*store_refresh_judge)(void *ctx, const struct token_row *parent,
    struct issue *is);

/* Called once with what an asynchronous call would have returned. */
typedef void (*store_done_fn)(void *arg, int rc);

/* The use of an access token at a time. */
struct use_entry {
	unsigned char	 hash[SECURE_HASH_BYTES];
	int64_t		 at;
};

/* A live access token, as store_access_page() lists them. */
struct live_token {
	unsigned char	 hash[SECURE_HASH_BYTES];
	struct token_row row;
};

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
	int64_t	 usage_before;		/* usage hours older are gone */
	int64_t	 codes_before;
	int64_t	 seen_before;
	int64_t	 created_before;
	int64_t	 reveals_before;
	int64_t	 events_before;		/* security events older are gone */
};

enum store_gc_kind {
	STORE_GC_ACCESS, STORE_GC_CODES, STORE_GC_SESSIONS, STORE_GC_REVEALS,
	STORE_GC_USAGE,		/* usage hours before usage_before */
	STORE_GC_DEVICE,	/* device grants expired by codes_before */
	STORE_GC_DPOP,		/* DPoP proofs claimed, expired by at */
	STORE_GC_PAR,		/* pushed requests expired by codes_before */
	STORE_GC_EVENTS		/* security events before events_before */
};

/* A queued mail (core/mail.c), as store_mail_claim() gives it: message
 * is malloc'd (free() it). */
struct mail_row {
	int64_t	 id;
	char	 recipient[ACCOUNT_EMAIL_MAX_BYTES + 1];
	char	*message;		/* RFC 5322, CRLF line ends */
	int64_t	 created_at;
	int64_t	 attempts;		/* failed deliveries so far */
	char	 last_error[MAIL_ERROR_MAX_BYTES];	/* "" before any */
};

/* A signing key of the OpenID Provider (core/signing_keys.c). The
 * private half is sealed by core/ before it reaches the store: the store
 * never sees it in the clear. */
#define SIGNING_KID_MAX		32	/* 16 bytes base64url, NUL */
#define SIGNING_ALG_MAX		8	/* "RS256", "ES256", "EdDSA" */
#define SIGNING_JWK_MAX		768	/* RSA 2048's public JWK */
#define SIGNING_SEALED_MAX	2048	/* RSA 2048's PKCS#8, sealed, base64 */
struct signing_key_row {
	char	 kid[SIGNING_KID_MAX];
	char	 alg[SIGNING_ALG_MAX];
	int64_t	 seq;			/* 1, 2, ... per alg */
	char	 public_jwk[SIGNING_JWK_MAX];
	char	 private_sealed[SIGNING_SEALED_MAX];
	int64_t	 created_at;
	int64_t	 active_from;		/* signs from then on, until a newer
					 * one of its alg does */
};

/* One bit of a registered resource (docs/REFERENCE.md §22.1): its
 * audience bit (scope "") or one of its scopes, with the resource. */
struct resource_bit_row {
	char	 uri[RESOURCE_URI_MAX_BYTES + 1];
	char	 name[RESOURCE_NAME_MAX_BYTES + 1];
	int64_t	 created_at;
	unsigned bit;		/* 8..31: the bit's number, not its value */
	char	 scope[RESOURCE_SCOPE_MAX_BYTES + 1];
	char	 description[RESOURCE_SCOPE_DESC_MAX_BYTES + 1];
};

/* Row counts; the tokens and sessions are those live by h. */
struct store_counts {
	int64_t	 accounts;
	int64_t	 apps;
	int64_t	 grants;
	int64_t	 live_access;	/* unrevoked, within docs/REFERENCE.md §4 */
	int64_t	 live_refresh;	/* unused, in an unrevoked family */
	int64_t	 sessions;
};

/* A security event (docs/REFERENCE.md §20), as the store lists them:
 * what happened to an account or to one of its apps, never a secret.
 * The names of the kinds are core/events.c's. */
enum event_kind {
	EVENT_SIGNUP, EVENT_LOGIN, EVENT_LOGIN_FAILED,
	EVENT_PASSWORD_CHANGED, EVENT_EMAIL_CHANGED,
	EVENT_TWO_STEP_ON, EVENT_TWO_STEP_OFF, EVENT_SESSION_ENDED,
	EVENT_PAT_CREATED, EVENT_PAT_REVOKED,
	EVENT_APP_CREATED, EVENT_APP_CHANGED, EVENT_APP_DELETED,
	EVENT_SECRET_GENERATED, EVENT_SECRET_REVOKED,
	EVENT_GRANT_GIVEN, EVENT_GRANT_WITHDRAWN,
	EVENT_REFRESH_REUSE, EVENT_CODE_REPLAY, EVENT_ACCOUNT_DISABLED,
	EVENT_KINDS
};

#define EVENT_DETAIL_MAX_BYTES	512	/* a JSON object */

struct event_row {
	int64_t		 id;		/* grows with time: newest first is
					 * highest id first */
	int64_t		 at;
	int64_t		 account_id;	/* whose account it happened to */
	enum event_kind	 kind;
	char		 address[SESSION_ADDRESS_MAX_BYTES + 1]; /* "" none */
	char		 app[APP_API_KEY_MAX_BYTES + 1];  /* api key, "" none */
	char		 detail[EVENT_DETAIL_MAX_BYTES + 1]; /* JSON object */
};

/* An event to write with a change, in its transaction: the store calls
 * that make a change take one (NULL: none). core/events.c fills it. */
struct event_new {
	int64_t		 at;
	int64_t		 account_id;
	enum event_kind	 kind;
	char		 address[SESSION_ADDRESS_MAX_BYTES + 1]; /* "" none */
	int64_t		 app_id;	/* 0 none */
	char		 app[APP_API_KEY_MAX_BYTES + 1];  /* api key, "" none */
	char		 detail[EVENT_DETAIL_MAX_BYTES + 1]; /* JSON object */
};

/* One app's usage in one hour (docs/REFERENCE.md §21): requests counted
 * by the node that answered them, added up across nodes in the store. */
enum usage_kind {
	USAGE_CHECK_OK,		/* /oauth2/check, introspection: active */
	USAGE_CHECK_401,	/* the same, the app's token refused */
	USAGE_API_OK,		/* the built-in API, userinfo */
	USAGE_API_401,
	USAGE_ISSUED,		/* access tokens issued by any grant but refresh */
	USAGE_REFRESHED,	/* refresh grants answered with a new pair */
	USAGE_KINDS
};

struct usage_hour {
	int64_t	 hour;			/* Unix seconds, a multiple of 3600 */
	int64_t	 n[USAGE_KINDS];
	int64_t	 live_users;		/* accounts with a live grant to the
					 * app, as last sampled in the hour */
};

#endif
