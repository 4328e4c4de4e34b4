#ifndef KEYGATE_CORE_DEVICE_GRANT_H
#define KEYGATE_CORE_DEVICE_GRANT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/keygate.h"
#include "core/tokens.h"
#include "base/str.h"
#include "store/store.h"

/* The device authorization grant (RFC 8628; docs/REFERENCE.md §15): a
 * device asks for a pair of codes, a person enters the short one on the
 * /device page and grants access, the device polls the token endpoint
 * with the long one. (Not core/device.h, which is the log-in throttle's
 * device cookie.) */

#define DEVICE_CODE_PREFIX	"kg_dc_"
#define DEVICE_USER_CODE_LETTERS "BCDFGHJKLMNPQRSTVWXZ"
#define DEVICE_USER_CODE_LEN	8		/* letters, without the dash */
#define DEVICE_USER_CODE_BYTES	(DEVICE_USER_CODE_LEN + 2) /* "XXXX-XXXX" */
#define DEVICE_CODE_TTL_S	600
#define DEVICE_POLL_INTERVAL_S	5
#define DEVICE_SLOW_DOWN_STEP_S	5

/* What POST /oauth2/device_authorization answers. */
struct device_start {
	char	 device_code[TOKEN_MAX_BYTES + 1];
	char	 user_code[DEVICE_USER_CODE_BYTES];	/* "XXXX-XXXX" */
	int64_t	 expires_in;
	int64_t	 interval;
};

/* Starts a device grant for the authenticated `app` with `scope`
 * (p == NULL: the default scope), asked from address `addr`. Returns 0,
 * ERR_FORBIDDEN when the app has the device flow off
 * (unauthorized_client), ERR_INVALID for a bad scope (invalid_scope;
 * *why says why), ERR_TARGET for a `resource` not guarded here
 * (invalid_target, RFC 8707; *why), ERR_THROTTLED when the address started too many
 * (*retry_after_s says when to try again) or ERR_STORE. */
int	device_grant_start(struct keygate *kg, const struct app_row *app,
	    const char *addr, struct str scope, struct str resource,
	    struct device_start *out, const char **why,
	    int64_t *retry_after_s);

/* A pending grant as the /device page shows it. */
struct device_pending {
	struct app_row	 app;
	unsigned	 scope;
	int64_t		 expires_at;
	char		 user_code[DEVICE_USER_CODE_BYTES];	/* normalized */
};

/* Finds the pending grant of `user_code` as a person typed it (case,
 * spaces and the dash ignored) for `account_id` at address `addr`.
 * Returns 0, ERR_NOTFOUND (unknown, expired or already decided: counted
 * against the account and the address), ERR_THROTTLED (too many wrong
 * codes: *retry_after_s says when to try again) or ERR_STORE. */
int	device_grant_find(struct keygate *kg, int64_t account_id,
	    const char *addr, struct str user_code, struct device_pending *out,
	    int64_t *retry_after_s);

/* Approves (recording consent, with the log-in's auth_time and amr for the
 * id_token) or denies the pending grant of `user_code`, in one
 * transaction. Returns 0, ERR_NOTFOUND (expired or decided meanwhile),
 * ERR_FORBIDDEN (verification_required()) or ERR_STORE. */
int	device_grant_decide(struct keygate *kg, int64_t account_id,
	    const char *addr, struct str user_code, bool approve,
	    int64_t auth_time, unsigned amr);

/* The token endpoint's poll outcomes (RFC 8628 §3.5). */
enum device_poll {
	DEVICE_POLL_TOKENS,		/* *out holds the pair */
	DEVICE_POLL_PENDING,		/* authorization_pending */
	DEVICE_POLL_SLOW_DOWN,		/* slow_down: the interval grew */
	DEVICE_POLL_DENIED,		/* access_denied */
	DEVICE_POLL_EXPIRED,		/* expired_token */
	DEVICE_POLL_INVALID,		/* invalid_grant: *why says why */
};

/* grant_type=urn:ietf:params:oauth:grant-type:device_code for the
 * authenticated `app`. Sets *poll; returns 0 or ERR_STORE. A device code
 * is exchanged once: of two nodes polling at the same moment one gets the
 * tokens (a family of their own), the other invalid_grant, and the first
 * one's tokens stay good. `proof` is the request's DPoP key, or NULL
 * (core/token_bind.h); `resource` narrows the tokens (RFC 8707; ERR_TARGET
 * for one not granted, the grant left as it was). */
int	device_grant_poll(struct keygate *kg, const struct app_row *app,
	    struct str device_code, struct str resource,
	    const struct token_proof *proof, enum device_poll *poll,
	    struct token_pair *out, const char **why);

#endif
