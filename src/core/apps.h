#ifndef KEYGATE_CORE_APPS_H
#define KEYGATE_CORE_APPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/keygate.h"
#include "base/str.h"
#include "store/store.h"

/* Applications: create, read, change, delete, and their secrets. Every
 * surface (portal, API, CLI) goes through these, so every rule of
 * docs/REFERENCE.md §2 holds the same way everywhere. `account_id` is the
 * caller's account, or STORE_ANY_ACCOUNT for an operator's command. */

#define APP_API_KEY_PREFIX	"kg_ak_"
#define APP_SECRET_PREFIX	"kg_sk_"


/* What a caller asks to set; has_* says which fields were given. */
struct app_fields {
	bool		 has_name;
	struct str	 name;
	bool		 has_redirect_uris;
	/* n_redirect_uris counts every URI given, even past the array */
	struct str	 redirect_uris[APP_MAX_REDIRECT_URIS];
	size_t		 n_redirect_uris;
	bool		 has_public_name;
	struct str	 public_name;
	bool		 has_logo_url;
	struct str	 logo_url;
	bool		 has_description;
	struct str	 description;
	bool		 has_implicit_flow;
	bool		 implicit_flow;
	bool		 has_device_flow;	/* RFC 8628 (§15) */
	bool		 device_flow;
	/* issue 23: DPoP-bound tokens only (§17), PAR only (§18) */
	bool		 has_dpop_bound;
	bool		 dpop_bound;
	bool		 has_require_par;
	bool		 require_par;
	/* OpenID Connect (docs/REFERENCE.md §2) */
	bool		 has_id_token_alg;
	struct str	 id_token_alg;
	bool		 has_post_logout_redirect_uris;
	struct str	 post_logout_redirect_uris[APP_MAX_REDIRECT_URIS];
	size_t		 n_post_logout_redirect_uris;
};

/* Why fields were refused: NULL where fine. */
struct app_errors {
	const char	*name;
	const char	*redirect_uris;
	const char	*public_name;
	const char	*logo_url;
	const char	*description;
	const char	*id_token_alg;
	const char	*post_logout_redirect_uris;
};

/* Each change records its security event (events.h) in its transaction;
 * `addr` is the request's client address, NULL from keygate app. */

/* Creates an app owned by account_id. The name is required; the public
 * name defaults to the name when that passes the brand rule. Returns 0,
 * ERR_INVALID (errs filled, nothing stored), ERR_TOOBIG when the account
 * owns --max-apps apps already (nothing stored; apps_too_many() says it),
 * ERR_FORBIDDEN when --require-verified-email holds and the account's
 * address is not verified, or ERR_STORE. */
int	apps_create(struct keygate *kg, int64_t account_id, const char *addr,
	    const struct app_fields *f, struct app_row *out,
	    struct app_errors *errs);

/* apps_create() for a registration (core/registration.h): under a cap of
 * `max` apps (an openly registered app's owner has its own), and, when
 * `secret` is not NULL, with a new secret written into it (to be shown
 * once) and stored with the app in the same insert, so that no app is
 * ever left without the secret its registration answered. The app's
 * event says it came by registration. */
int	apps_register(struct keygate *kg, int64_t account_id,
	    const char *addr, const struct app_fields *f, int64_t max,
	    char *secret, struct app_row *out, struct app_errors *errs);

/* Changes the given fields; a name other than the current one is refused
 * (the name is fixed forever). All or nothing: any invalid field stores
 * nothing. Returns 0 (out holds the result), ERR_NOTFOUND, ERR_INVALID
 * (errs filled) or ERR_STORE. */
int	apps_update(struct keygate *kg, int64_t account_id, const char *addr,
	    struct str api_key, const struct app_fields *f,
	    struct app_row *out, struct app_errors *errs);

int	apps_get(struct keygate *kg, int64_t account_id, struct str api_key,
	    struct app_row *out);
/* One page (store_page), oldest first; *rows is malloc'd, free() it. */
int	apps_list(struct keygate *kg, int64_t account_id,
	    const struct store_page *page, struct app_row **rows, size_t *n);
int	apps_delete(struct keygate *kg, int64_t account_id, const char *addr,
	    struct str api_key);

/* What every surface says when apps_create() gives ERR_TOOBIG, into out
 * (size len). Returns out. */
const char *apps_too_many(const struct keygate *kg, char *out, size_t len);

/* How long a rotation may keep the current secret valid beside the new
 * one (docs/REFERENCE.md §16): not at all, 1 hour, 24 hours, 7 days. */
#define APP_KEEP_CHOICES	{ 0, 3600, 86400, 604800 }
bool	apps_keep_ok(int64_t keep_s);

/* Generates a new secret into secret, to be shown once, and tells the
 * app's owner by mail (notices.h; `addr` the request's client address,
 * NULL for an operator). The current secret stays valid keep_s seconds
 * more (0: it stops working at once). Returns 0, ERR_NOTFOUND,
 * ERR_INVALID (keep_s not one of APP_KEEP_CHOICES), ERR_CONFLICT (an old
 * secret is still valid: revoke it first), ERR_FORBIDDEN (as
 * apps_create()) or ERR_STORE; nothing is written but on 0. */
int	apps_new_secret(struct keygate *kg, int64_t account_id,
	    struct str api_key, int64_t keep_s, const char *addr,
	    char secret[TOKEN_MAX_BYTES + 1]);

/* Revokes the app's old secret numbered secret_id now. Returns 0,
 * ERR_NOTFOUND (no such app, or no such valid secret), ERR_CONFLICT (the
 * current secret's number: only a new secret replaces it) or ERR_STORE. */
int	apps_revoke_secret(struct keygate *kg, int64_t account_id,
	    const char *addr, struct str api_key, int64_t secret_id);

/* Whether app's old secret authenticates at now. */
bool	apps_old_secret_valid(const struct app_row *app, int64_t now);

/* The number of app's secret that secret is, the current one or the old
 * one while valid at now; 0 when neither. Constant time in which. */
int64_t	apps_secret_which(const struct app_row *app, struct str secret,
	    int64_t now);

/* The redirect URIs of row as slices into it; returns how many. */
size_t	apps_redirect_uris(const struct app_row *row, struct str *out,
	    size_t max);
/* The same of its post-logout redirect URIs. */
size_t	apps_post_logout_uris(const struct app_row *row, struct str *out,
	    size_t max);
/* Whether uri is one of row's post-logout redirect URIs, exactly. */
bool	apps_post_logout_uri_ok(const struct app_row *row, struct str uri);

#endif
