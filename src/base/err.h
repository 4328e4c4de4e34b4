#ifndef KEYGATE_BASE_ERR_H
#define KEYGATE_BASE_ERR_H

/* Error codes shared by every layer. Fallible functions return 0 or one of
 * these; each surface (portal HTML, API JSON, OAuth JSON) maps them to its
 * own answer in one table. */
enum {
	ERR_OK = 0,
	ERR_NOTFOUND = 1,	/* no such row / resource */
	ERR_EXISTS,		/* unique key already taken */
	ERR_INVALID,		/* input breaks a documented rule */
	ERR_MALFORMED,		/* input cannot be parsed at all */
	ERR_UTF8,		/* text is not valid UTF-8 (or holds NUL) */
	ERR_TOOBIG,		/* input over a named limit */
	ERR_DUPLICATE,		/* a parameter given more than once */
	ERR_UNKNOWN,		/* a parameter the endpoint does not take */
	ERR_MISSING,		/* a required parameter is absent */
	ERR_AUTH,		/* credentials wrong */
	ERR_FORBIDDEN,		/* authenticated, not allowed */
	ERR_THROTTLED,		/* too many failures; retry later */
	ERR_STORE,		/* the store failed or is unreachable */
	ERR_EXPIRED,		/* lifetime over */
	ERR_CONFLICT,		/* lost a race on a compare-and-set */
	ERR_TARGET,		/* names what is not served or not granted
				 * (RFC 8707's invalid_target) */
};

/* Returns a short, stable, lower-case name for `err` (for logs and tests). */
const char *err_name(int err);

#endif
