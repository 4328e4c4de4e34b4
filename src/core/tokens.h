#ifndef KEYGATE_CORE_TOKENS_H
#define KEYGATE_CORE_TOKENS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/keygate.h"
#include "core/lifetime.h"
#include "core/token_bind.h"
#include "base/str.h"
#include "store/store.h"

/* Tokens after authorization: the code exchange, refresh rotation with
 * reuse detection, the checks that count as uses, introspection and
 * revocation (RFC 6749 §4.1.3, §6; RFC 7009; RFC 7662; docs/REFERENCE.md
 * §3.3–§4). */

#define TOKENS_CODE_PREFIX	"kg_ac_"
#define TOKENS_ACCESS_PREFIX	"kg_at_"
#define TOKENS_REFRESH_PREFIX	"kg_rt_"

/* A successful token response. */
struct token_pair {
	char		 access[TOKEN_MAX_BYTES + 1];
	char		 refresh[TOKEN_MAX_BYTES + 1];
	unsigned	 scope;
	int64_t		 expires_in;
	/* OpenID Connect (§14), for the id_token of a scope with openid:
	 * the end user, the log-in behind the family (its time and AMR_*
	 * bits, kept from the code through every refresh) and the code's
	 * nonce ("" on a refresh, and when none was sent) */
	int64_t		 account_id;
	int64_t		 auth_time;
	unsigned	 amr;
	char		 nonce[OIDC_NONCE_MAX_BYTES + 1];
	/* the access token is DPoP-bound: token_type DPoP (§17.2) */
	bool		 bound;
};

/* The storage key of a presented token of the kind `prefix` names; false
 * when it cannot be one (wrong prefix, too long), so the store is never
 * asked. */
bool	tokens_key_of(struct str token, const char *prefix,
	    unsigned char hash[SECURE_HASH_BYTES]);

/* Every grant takes the key the request's DPoP proof proved, or NULL
 * (token_bind.h says which tokens it binds). */

/* grant_type=authorization_code for the authenticated `app`, asked from
 * client address addr; `resource` (RFC 8707, space-separated, may be
 * empty) narrows the access token to some of the code's resources, the
 * refresh token keeping them all. Returns 0, ERR_INVALID (invalid_grant:
 * *why says why), ERR_TARGET (invalid_target: *why) or ERR_STORE. Any
 * call uses the code up; a second use revokes the family the first one
 * started and records code_replay (events.h). */
int	tokens_exchange_code(struct keygate *kg, const struct app_row *app,
	    const char *addr, struct str code, struct str redirect_uri,
	    struct str verifier, struct str resource,
	    const struct token_proof *proof, struct token_pair *out,
	    const char **why);

/* Exchanges the code stored under `hash` without the checks of a
 * redirect: the device flow's (core/device_grant.c), whose approval
 * stored its code under the device code's hash; `resource` narrows as
 * in tokens_exchange_code(). Returns 0, ERR_INVALID (invalid_grant: *why
 * says why), ERR_TARGET (invalid_target, the code left unused) or
 * ERR_STORE. Exchanged once: a second call, here or on another node, gets
 * invalid_grant and revokes nothing. */
int	tokens_exchange_hash(struct keygate *kg, const struct app_row *app,
	    const unsigned char hash[SECURE_HASH_BYTES], struct str resource,
	    const struct token_proof *proof, struct token_pair *out,
	    const char **why);

/* grant_type=refresh_token, in two halves, so that a server need not
 * park a thread while the store commits. tokens_refresh_begin() sets *op
 * and returns at once; done(arg) is called exactly once, on the store's
 * thread or on this one (even before begin returns), when the rotation
 * is decided. tokens_refresh_end() then gives the answer and frees *op:
 * 0, ERR_INVALID (invalid_grant: *why says why), ERR_FORBIDDEN
 * (invalid_scope), ERR_TARGET (invalid_target) or ERR_STORE. `scope`
 * (p == NULL when absent) and `resource` (RFC 8707, space-separated) may
 * narrow, and must live until done; so must `proof`. A used
 * refresh token revokes its family (refresh_reuse, events.h, asked from
 * addr), except inside
 * --refresh-retry-window while what it produced is unused. */
struct tokens_refresh;
void	tokens_refresh_begin(struct keygate *kg, const struct app_row *app,
	    const char *addr, struct str refresh, struct str scope,
	    struct str resource, const struct token_proof *proof,
	    struct tokens_refresh **op,
	    void (*done)(void *), void *arg);
int	tokens_refresh_end(struct tokens_refresh *op, struct token_pair *out,
	    const char **why);

/* A token's use (/oauth2/check, /v3, userinfo): valid, unrevoked and
 * alive tokens are recorded as used at now. Returns 0 (out filled),
 * ERR_AUTH or ERR_STORE; without TOKENS_RECORD in `how` nothing is
 * written (a 403 is not a use). The app's usage (docs/REFERENCE.md §21)
 * counts a recorded use as a check, or with TOKENS_API as an API call,
 * and any refusal of a token it holds as that kind's 401. Presented
 * with a DPoP proof of the key whose thumbprint is `jkt`, or as Bearer
 * (jkt NULL): a token bound to a key
 * (docs/REFERENCE.md §17.1) is ERR_FORBIDDEN, before any use is
 * recorded, unless jkt is its key; an unbound token passes either way.
 * `aud` is the audience bit of the resource the call is for (core/
 * scopes.h): a token not for it is ERR_AUTH, and no use (RFC 8707). */
#define TOKENS_RECORD	1u	/* a use: recorded, counted */
#define TOKENS_API	2u	/* the built-in API's, not a check */
int	tokens_use_key(struct keygate *kg, struct str token, unsigned how,
	    unsigned aud, const unsigned char *jkt, struct token_row *out);

/* Fills the token cache with the live access tokens of the store, at most
 * --token-cache of them, a page at a time until done or *stop is set: so
 * that a node that starts (or restarts) serves checks from memory at once.
 * Returns the number cached, or -1 when the store failed. */
long	tokens_warm(struct keygate *kg, const _Atomic bool *stop);

/* Writes the queued uses now (the test clock does, before it moves). */
int	tokens_flush_uses(struct keygate *kg);

/* RFC 7662 for `app`: *active false for anything not alive and the app's
 * own. is_refresh tells which kind; exp is 0 when it has none. */
struct introspection {
	bool		 active;
	bool		 is_refresh;
	struct token_row row;
	int64_t		 exp;
};
int	tokens_introspect(struct keygate *kg, const struct app_row *app,
	    struct str token, struct introspection *out);

/* RFC 7009 for `app`: a refresh token revokes its family, an access token
 * itself; unknown tokens and other apps' tokens change nothing. */
int	tokens_revoke(struct keygate *kg, const struct app_row *app,
	    struct str token, struct str hint);

/* Revokes `token` whichever app holds it (keygate token revoke): an
 * access token alone, a refresh token with its family. *kind gets "access
 * token" or "refresh token". Returns 0, ERR_NOTFOUND for a token the store
 * does not hold, or ERR_STORE. */
int	tokens_revoke_any(struct keygate *kg, struct str token,
	    const char **kind);

#endif
