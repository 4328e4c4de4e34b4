#include "core/uri.h"

#include <ctype.h>
#include <string.h>

#include "base/err.h"

/* unreserved / sub-delims / ":" "@" "/" "?" and the gen-delims that may
 * appear inside a URI ("#", "[", "]"); '%' is checked separately. */
static bool
uri_char(unsigned char c)
{
	return isalnum(c) || (c != '\0' && strchr("-._~!$&'()*+,;=:@/?#[]",
	    c) != NULL);
}

static bool
well_formed(struct str s)
{
	for (size_t i = 0; i < s.len; i++) {
		unsigned char c = (unsigned char)s.p[i];

		if (c == '%') {
			if (s.len - i < 3
			    || !isxdigit((unsigned char)s.p[i + 1])
			    || !isxdigit((unsigned char)s.p[i + 2]))
				return false;
			i += 2;
		} else if (!uri_char(c)) {
			return false;
		}
	}
	return true;
}

static size_t
scheme_length(struct str s)
{
	size_t i;

	if (s.len == 0 || !isalpha((unsigned char)s.p[0]))
		return 0;
	for (i = 1; i < s.len && s.p[i] != ':'; i++)
		if (!isalnum((unsigned char)s.p[i]) &&
		    strchr("+-.", s.p[i]) == NULL)
			return 0;
	return i < s.len ? i : 0;
}

/* authority = [ userinfo "@" ] host [ ":" port ] */
static int
parse_authority(struct str a, struct uri *u)
{
	const char *at = memchr(a.p, '@', a.len);
	struct str hp = a;
	size_t colon;

	if (at != NULL) {
		u->has_userinfo = true;
		u->userinfo = (struct str){ a.p, (size_t)(at - a.p) };
		hp = (struct str){ at + 1, a.len - u->userinfo.len - 1 };
		if (memchr(hp.p, '@', hp.len) != NULL)
			return ERR_INVALID;
	}
	if (hp.len > 0 && hp.p[0] == '[') {
		const char *close = memchr(hp.p, ']', hp.len);

		/* RFC 3986 §3.2.2: an IPv6 (or IPvFuture) literal. */
		if (close == NULL || close == hp.p + 1)
			return ERR_INVALID;
		for (const char *c = hp.p + 1; c < close; c++)
			if (!isxdigit((unsigned char)*c) && *c != ':' &&
			    *c != '.')
				return ERR_INVALID;
		colon = (size_t)(close - hp.p) + 1;
		if (colon < hp.len && hp.p[colon] != ':')
			return ERR_INVALID;
	} else {
		const char *c = memchr(hp.p, ':', hp.len);

		colon = c == NULL ? hp.len : (size_t)(c - hp.p);
		if (memchr(hp.p, '[', colon) != NULL ||
		    memchr(hp.p, ']', colon) != NULL)
			return ERR_INVALID;
	}
	u->host = (struct str){ hp.p, colon };
	if (colon < hp.len) {
		long long port;

		u->port = (struct str){ hp.p + colon + 1, hp.len - colon - 1 };
		/* An empty port is allowed (RFC 3986 §3.2.3); digits are at
		 * most five and name a real port. */
		if (u->port.len > 0 && (u->port.len > 5 ||
		    str_to_i64(u->port, 0, 65535, &port) != 0))
			return ERR_INVALID;
	}
	return 0;
}

int
uri_parse(struct str s, struct uri *u)
{
	size_t slen = scheme_length(s), i, end;
	const char *hash, *q;

	memset(u, 0, sizeof(*u));
	if (slen == 0 || !well_formed(s))
		return ERR_INVALID;
	u->scheme = (struct str){ s.p, slen };
	s = (struct str){ s.p + slen + 1, s.len - slen - 1 };
	hash = memchr(s.p, '#', s.len);
	if (hash != NULL) {
		u->has_fragment = true;
		u->fragment = (struct str){ hash + 1,
		    (size_t)(s.p + s.len - hash - 1) };
		s.len = (size_t)(hash - s.p);
	}
	q = memchr(s.p, '?', s.len);
	if (q != NULL) {
		u->has_query = true;
		u->query = (struct str){ q + 1, (size_t)(s.p + s.len - q - 1) };
		s.len = (size_t)(q - s.p);
	}
	i = 0;
	if (s.len >= 2 && s.p[0] == '/' && s.p[1] == '/') {
		u->has_authority = true;
		for (end = 2; end < s.len && s.p[end] != '/'; end++)
			;
		if (parse_authority((struct str){ s.p + 2, end - 2 }, u) != 0)
			return ERR_INVALID;
		i = end;
	}
	u->path = (struct str){ s.p + i, s.len - i };
	if (memchr(u->path.p, '[', u->path.len) != NULL ||
	    memchr(u->path.p, ']', u->path.len) != NULL)
		return ERR_INVALID;
	return 0;
}

bool
uri_host_is_loopback_ip(struct str host)
{
	return str_eq_lit(host, "127.0.0.1") || str_eq_lit(host, "[::1]");
}

bool
uri_host_is_loopback(struct str host)
{
	return uri_host_is_loopback_ip(host) ||
	    str_eq_nocase(host, "localhost");
}
