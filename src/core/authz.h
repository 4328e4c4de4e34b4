#ifndef KEYGATE_CORE_AUTHZ_H
#define KEYGATE_CORE_AUTHZ_H

#include <stdbool.h>
#include <stdint.h>

#include "core/keygate.h"
#include "core/sealed.h"
#include "base/buf.h"
#include "base/str.h"
#include "store/store.h"

/* Authorization requests (RFC 6749 §4.1.1, §4.2.1; docs/REFERENCE.md §3.2):
 * checking them, remembering consent, issuing codes and client-flow tokens. */

enum authz_flow { AUTHZ_CODE, AUTHZ_TOKEN };

/* The request's parameters as received (p == NULL when absent). */
struct authz_params {
	struct str	 response_type;
	struct str	 client_id;
	struct str	 redirect_uri;
	struct str	 scope;
	struct str	 state;
	struct str	 code_challenge;
	struct str	 code_challenge_method;
	/* OpenID Connect Core §3.1.2.1 */
	struct str	 nonce;
	struct str	 prompt;
	struct str	 max_age;
	struct str	 login_hint;
	/* RFC 9449 §10: the thumbprint of the DPoP key that alone may
	 * exchange the code (base64url) */
	struct str	 dpop_jkt;
	/* RFC 8707: the resources, space-separated (params_join()) */
	struct str	 resource;
	/* RFC 9126: the request_uri the others were pushed under (§18);
	 * p == NULL for a request that came whole */
	struct str	 request_uri;
	/* the parameters come through /oauth2/par: being pushed now, or
	 * read back by their request_uri (an app may require it) */
	bool		 pushed;
};

/* The values of `prompt`. */
enum {
	AUTHZ_PROMPT_NONE = 1u << 0,	/* no page: an error instead */
	AUTHZ_PROMPT_LOGIN = 1u << 1,	/* a fresh password entry */
	AUTHZ_PROMPT_CONSENT = 1u << 2,	/* Grant Access even if given */
};

/* A request that passed every check. */
struct authz_request {
	enum authz_flow	 flow;
	unsigned	 scope;
	struct str	 redirect_uri;	/* as requested (RFC 8252 §7.3 port) */
	struct str	 state;
	struct str	 code_challenge;	/* empty without PKCE */
	struct str	 nonce;		/* empty when none was sent */
	unsigned	 prompt;	/* AUTHZ_PROMPT_* */
	int64_t		 max_age;	/* seconds; -1 when absent */
	struct str	 login_hint;	/* shown in the email field, no more */
	/* dpop_jkt: the code is bound to that key (RFC 9449 §10) */
	bool		 code_bound;
	unsigned char	 code_jkt[SECURE_HASH_BYTES];
	/* the log-in behind the answer (auth_time, AMR_*), which the
	 * handler fills from the session before a code is issued */
	int64_t		 auth_time;
	unsigned	 amr;
};

/* Why a request failed once its redirect URI is trusted: an RFC 6749
 * §4.1.2.1 error code and a sentence. */
struct authz_error {
	const char	*error;
	const char	*description;
};

/* Loads the app named by client_id and checks redirect_uri against its
 * registered URIs. Returns 0, or ERR_NOTFOUND (unknown client, an app whose
 * owner is disabled, a missing or unregistered redirect URI: answer with
 * an error page, never a redirect),
 * or ERR_STORE. */
int	authz_client(struct keygate *kg, const struct authz_params *p,
	    struct app_row *app, const char **why);

/* Checks the rest of the request against the trusted app. Returns 0 (out
 * filled), or ERR_INVALID with *err set (answer through the redirect). */
int	authz_check(struct keygate *kg, const struct authz_params *p,
	    const struct app_row *app, struct authz_request *out,
	    struct authz_error *err);

/* RFC 9449 §10.1: a DPoP proof sent with a pushed request binds its code
 * to the proof's key `jkt`, as dpop_jkt does; with both, they must name
 * the same key (else invalid_dpop_proof, ERR_INVALID). A request for the
 * client flow is left as it is: there is no code to bind. */
int	authz_bind_key(struct authz_request *r,
	    const unsigned char jkt[SECURE_HASH_BYTES],
	    struct authz_error *err);

/* True when a session logged in at `auth_time` must enter its password
 * again for r before anything is issued: prompt=login, or max_age
 * passed (OpenID Connect Core §3.1.2.1). */
bool	authz_fresh_login_needed(struct keygate *kg,
	    const struct authz_request *r, int64_t auth_time);

/* True when redirect_uri is one of the app's registered URIs: equal as
 * strings, or differing only in the port of a loopback IP literal. */
bool	authz_redirect_registered(const struct app_row *app,
	    struct str redirect_uri);

/* True when the account already consented to these scopes for the app. */
int	authz_consented(struct keygate *kg, int64_t account_id,
	    const struct app_row *app, unsigned scope, bool *yes);

/* The client flow's fresh log-in, carried from the log-in form's POST to
 * the Grant Access page's (a sealed value in a hidden field, so that Allow
 * needs no second password entry). It is bound to the visitor's CSRF
 * binding `csrf`, the app, the redirect URI and the scopes, and lives
 * OAUTH_LOGIN_PROOF_TTL_S. Seals account_id into out; returns 0 or
 * ERR_TOOBIG. */
int	authz_login_proof(struct keygate *kg, const char *csrf,
	    const struct app_row *app, const struct authz_request *r,
	    int64_t account_id, char out[SEALED_MAX_BYTES]);
/* Opens a proof made by authz_login_proof() for the same binding into
 * *account_id. Returns 0, or ERR_AUTH when it is forged, bound to
 * something else or expired. */
int	authz_login_proof_open(struct keygate *kg, const char *csrf,
	    const struct app_row *app, const struct authz_request *r,
	    struct str proof, int64_t *account_id);

/* What the proof of the client flow's password step is bound to, when
 * the account's code is still to come (two-step log-in,
 * core/totp_pending.h): the same binding as a login proof's, under a tag
 * of its own. Fills ctx (buf_release() it). */
void	authz_step_context(const char *csrf, const struct app_row *app,
	    const struct authz_request *r, struct buf *ctx);

/* Records consent (widening the grant) and issues a code for the request,
 * with its nonce and the log-in r->auth_time and r->amr name; code
 * receives it. A new or wider consent records grant_given (events.h),
 * asked from addr. Returns 0, ERR_FORBIDDEN (verification_required())
 * or ERR_STORE. */
int	authz_issue_code(struct keygate *kg, int64_t account_id,
	    const char *addr, const struct app_row *app,
	    const struct authz_request *r, char code[TOKEN_MAX_BYTES + 1]);

/* Records consent and issues a client-flow access token (a family of one,
 * never a refresh token). Returns 0, ERR_FORBIDDEN
 * (verification_required()) or ERR_STORE. */
int	authz_issue_token(struct keygate *kg, int64_t account_id,
	    const char *addr, const struct app_row *app,
	    const struct authz_request *r, char token[TOKEN_MAX_BYTES + 1]);

#endif
