#ifndef KEYGATE_STORE_PG_URL_H
#define KEYGATE_STORE_PG_URL_H

#include <stdbool.h>
#include <stddef.h>

/* Checks a postgres:// URL before any connection: 0 when keygate may use
 * it, *add_read_write then saying whether to connect with
 * target_session_attrs=read-write added (several hosts, none said);
 * ERR_INVALID with a reason in err (which never quotes the password) for
 * a URL libpq cannot parse or one that would let a connection settle on a
 * standby. */
int	pg_url_check(const char *url, bool *add_read_write, char *err,
	    size_t errlen);

#endif
