#ifndef KEYGATE_CORE_APP_JSON_H
#define KEYGATE_CORE_APP_JSON_H

#include <jansson.h>

#include "store/store.h"

/* The app's JSON form (docs/REFERENCE.md §6), the same for the API and
 * `keygate app --json`: api_key, name, redirect_uris, public_name,
 * logo_url (null when none), description, implicit_flow,
 * id_token_signed_response_alg, post_logout_redirect_uris, device_flow,
 * dpop_bound_access_tokens, require_pushed_authorization_requests,
 * has_secret, created_at (RFC 3339), and secrets (§16), each {id,
 * created_at, last_used_at, expires_at}: the current one and the old one
 * the row holds (apps_get() and apps_list() leave out an expired one).
 * Never a secret itself. New reference. */
json_t	*app_json(const struct app_row *row);

#endif
