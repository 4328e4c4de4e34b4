#ifndef KEYGATE_CORE_APP_RULES_H
#define KEYGATE_CORE_APP_RULES_H

#include <stdbool.h>
#include <stddef.h>

#include "base/limits.h"
#include "base/str.h"

/* The rules of docs/REFERENCE.md §2 as pure functions, shared by the portal,
 * the API and the CLI. Each returns NULL when the value is fine, else a
 * sentence for the user saying what is wrong. */

const char	*app_rule_name(struct str name);
/* One redirect URI: absolute, no fragment, no wildcard, no userinfo;
 * https, or http on a loopback host, or a private-use scheme in
 * reverse-domain form (RFC 8252 §7.1); at most APP_URI_MAX_BYTES. */
const char	*app_rule_redirect_uri(struct str uri);
/* The whole list: 1 to APP_MAX_REDIRECT_URIS, no repeats, each valid. */
const char	*app_rule_redirect_uris(const struct str *uris, size_t n);
/* The post-logout list (OpenID RP-Initiated Logout 1.0): 0 to
 * APP_MAX_REDIRECT_URIS, no repeats, each as app_rule_redirect_uri(). */
const char	*app_rule_post_logout_redirect_uris(const struct str *uris,
		    size_t n);
/* "RS256", "ES256" or "EdDSA", exactly (JWS names are case-sensitive). */
const char	*app_rule_id_token_alg(struct str alg);
/* 1–100 characters, and not containing `brand` once both are NFKC
 * case-folded and stripped of everything but letters and digits, nor
 * once both are mapped to their UTS #39 confusable skeletons first. */
const char	*app_rule_public_name(struct str name, const char *brand);
/* Empty (no logo) or an absolute https URL without userinfo or fragment. */
const char	*app_rule_logo_url(struct str url);
const char	*app_rule_description(struct str text);

/* True when `text`, normalized as for the brand rule, contains `brand`
 * normalized the same way, in any of the rule's forms (folded, or
 * skeleton then folded). Thread-safe; the first call opens ICU's spoof
 * checker for the process. Exposed for tests. */
bool		 app_rule_contains_brand(struct str text, const char *brand);

/* Splits `text` at line breaks into at most `max` trimmed, non-empty lines
 * (slices of text). Returns how many there were in all, which may exceed
 * max (the caller reports "too many"). */
size_t		 app_rule_split_lines(struct str text, struct str *lines,
		    size_t max);

#endif
