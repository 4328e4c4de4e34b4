#ifndef KEYGATE_CORE_URI_H
#define KEYGATE_CORE_URI_H

#include <stdbool.h>

#include "base/str.h"

/* An absolute URI split per RFC 3986 §3, as slices of the input. */
struct uri {
	struct str	 scheme;	/* lower-cased copy is up to callers */
	bool		 has_authority;	/* "//" followed */
	struct str	 userinfo;
	bool		 has_userinfo;
	struct str	 host;		/* IPv6 literals keep their brackets */
	struct str	 port;
	struct str	 path;
	bool		 has_query;
	struct str	 query;
	bool		 has_fragment;
	struct str	 fragment;
};

/* Parses an absolute URI: a scheme (ALPHA *( ALPHA / DIGIT / + - . ))
 * followed by ':', only characters RFC 3986 allows (no spaces, no controls,
 * no non-ASCII), '%' only as '%HH', a decimal port. Returns 0 or
 * ERR_INVALID. */
int	uri_parse(struct str s, struct uri *out);

/* True for the hosts RFC 8252 §7.3 and §8.3 call loopback:
 * localhost, 127.0.0.1 and [::1]. */
bool	uri_host_is_loopback(struct str host);

/* True for the loopback IP literals 127.0.0.1 and [::1], whose port may
 * vary at authorization time (RFC 8252 §7.3). */
bool	uri_host_is_loopback_ip(struct str host);

#endif
