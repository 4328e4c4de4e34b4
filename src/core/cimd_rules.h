#ifndef KEYGATE_CORE_CIMD_RULES_H
#define KEYGATE_CORE_CIMD_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "base/limits.h"
#include "base/str.h"

/* Client ID Metadata Documents (docs/REFERENCE.md §22.2), the pure parts:
 * which client_id is a document's URL, which URLs may be fetched, which
 * addresses may be connected to, how long an answer may be kept, what a
 * document must say. Every `const char *` answer is NULL when the value
 * is fine, else a sentence for the developer (the error_description),
 * naming nothing the resolver found. */

/* A document's URL, the client_id: at most this many bytes. */
#define CIMD_URL_MAX_BYTES	255
/* Its body: at most this many bytes (5 KiB). */
#define CIMD_BODY_MAX_BYTES	5120
/* An answer is kept this long when its headers say nothing, and at most
 * the second figure whatever they say. */
#define CIMD_DEFAULT_TTL_S	300
#define CIMD_MAX_TTL_S		86400

/* What keygate takes of a document: the client's name, its redirect
 * URIs newline-separated as an app's, and the optional URLs. */
struct cimd_doc {
	char	 client_name[APP_NAME_MAX_BYTES + 1];
	char	 redirect_uris[APP_MAX_REDIRECT_URIS *
		    (APP_URI_MAX_BYTES + 1)];
	char	 logo_uri[APP_URI_MAX_BYTES + 1];
	char	 client_uri[APP_URI_MAX_BYTES + 1];
};

/* True when client_id names a document rather than an app: it starts with
 * "https:", or "http:" (to be refused by cimd_rule_url() with a reason
 * rather than called unknown); an app's API key never holds a colon. */
bool		 cimd_is_url(struct str client_id);

/* The URL itself: https, a host, a path other than "/" without dot
 * segments, no userinfo, no fragment, at most CIMD_URL_MAX_BYTES. */
const char	*cimd_rule_url(struct str url);

/* True for an address that is not the public Internet's: unspecified,
 * loopback, private (RFC 1918, fc00::/7), shared (100.64/10), link-local,
 * multicast, broadcast, documentation, benchmarking, reserved, 6to4/NAT64/
 * Teredo forms and IPv4-mapped or -compatible IPv6 of any of these. */
bool		 cimd_addr_special(const struct sockaddr *sa);

/* The lifetime of an answer from its Cache-Control and Expires headers
 * (NULL when absent) and the time now: max-age (s-maxage ignored: keygate
 * is no shared cache), else Expires minus Date (or now), else
 * CIMD_DEFAULT_TTL_S; at most CIMD_MAX_TTL_S. no-store, no-cache and
 * max-age=0 give 0 (fetched every time). */
int64_t		 cimd_lifetime(const char *cache_control,
		    const char *expires, const char *date, int64_t now);

/* Checks the document `body` (len bytes) fetched from url and fills out:
 * a JSON object whose client_id equals url byte for byte, redirect_uris a
 * non-empty array of redirect URIs as an app's (app_rules.h), client_name
 * by the brand rule, logo_uri and client_uri absent or https URLs, and
 * token_endpoint_auth_method absent or "none". */
const char	*cimd_rule_document(const char *body, size_t len,
		    struct str url, const char *brand, struct cimd_doc *out);

#endif
