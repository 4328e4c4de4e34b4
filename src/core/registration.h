#ifndef KEYGATE_CORE_REGISTRATION_H
#define KEYGATE_CORE_REGISTRATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/str.h"
#include "core/apps.h"
#include "core/keygate.h"
#include "core/scopes.h"

/* Dynamic client registration (RFC 7591; docs/REFERENCE.md §22.3): the
 * client's metadata checked for what keygate supports, and the app made
 * through apps_register(), all or nothing. An app registered with a
 * personal access token is its account's; one registered openly
 * (--open-registration) is public and belongs to the account of
 * ACCOUNT_OPEN_REGISTRATION_EMAIL, made when first needed. */

/* Registering openly: no account asks. */
#define REGISTRATION_OPEN	0

/* The values a list member (grant_types, response_types) may hold. */
#define REGISTRATION_MAX_VALUES	8

/* The grant types keygate supports, as bits. */
enum {
	REG_GRANT_CODE = 1u << 0,
	REG_GRANT_REFRESH = 1u << 1,
	REG_GRANT_IMPLICIT = 1u << 2,
	REG_GRANT_DEVICE = 1u << 3,
};
enum {
	REG_RESPONSE_CODE = 1u << 0,
	REG_RESPONSE_TOKEN = 1u << 1,
};

/* The metadata asked for; has_* says which members were given. f holds
 * what maps onto an app's fields (client_name as name and public name,
 * logo_uri as logo_url, redirect_uris, ...), filled by the caller. */
struct registration {
	struct app_fields f;
	bool		 has_auth;
	struct str	 auth;	/* token_endpoint_auth_method */
	bool		 has_grants;
	struct str	 grants[REGISTRATION_MAX_VALUES];
	/* every value given, even past the array */
	size_t		 n_grants;
	bool		 has_responses;
	struct str	 responses[REGISTRATION_MAX_VALUES];
	size_t		 n_responses;
	bool		 has_scope;
	struct str	 scope;
};

/* What was registered. */
struct registration_result {
	struct app_row	 app;
	/* the secret of a confidential app, to be shown once; "" else */
	char		 secret[TOKEN_MAX_BYTES + 1];
	const char	*auth;	/* token_endpoint_auth_method */
	unsigned	 grants;
	unsigned	 responses;
	bool		 has_scope;
	char		 scope[SCOPES_TEXT_MAX];
};

/* An RFC 7591 §3.2.2 error: invalid_redirect_uri or
 * invalid_client_metadata, and why. */
struct registration_error {
	const char	*error;
	char		 description[320];
};

/* Registers r for account_id (REGISTRATION_OPEN: anyone, from `addr`,
 * throttled by --signup-rate per address an hour). Returns 0 (out
 * filled), ERR_INVALID (e filled, nothing stored), ERR_THROTTLED
 * (*retry_after_s set), ERR_FORBIDDEN (--require-verified-email and the
 * account is not verified, or the operator disabled the open
 * registrations' account), or ERR_STORE. */
int	registration_create(struct keygate *kg, int64_t account_id,
	    const char *addr, struct registration *r,
	    struct registration_result *out, struct registration_error *e,
	    int64_t *retry_after_s);

/* The grant type's name for a REG_GRANT_* bit, and the response type's
 * for a REG_RESPONSE_* one. */
const char	*registration_grant_name(unsigned bit);
const char	*registration_response_name(unsigned bit);

#endif
