/* The PostgreSQL URL's list of hosts. libpq takes several
 * (postgres://a:5432,b:5432/db), tries them in turn and, with
 * target_session_attrs=read-write, keeps only a server that takes writes:
 * a primary and its standbys in one URL, and after a promotion every new
 * connection finds the new primary by itself. keygate writes on every
 * connection, so a URL naming several hosts must never let libpq settle on
 * a standby: without target_session_attrs, read-write is added; with a
 * value that accepts a standby, the URL is refused
 * (docs/REFERENCE.md §7.1). */
#include "store/pg_url.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <string.h>

#include "base/err.h"

/* The values that only ever let libpq settle on a server taking writes. */
static bool
writable_only(const char *attrs)
{
	return strcmp(attrs, "read-write") == 0 ||
	    strcmp(attrs, "primary") == 0;
}

/* Entries of libpq's comma-separated list (host=a,b), 0 for none. */
static int
list_len(const char *s)
{
	int n = 1;

	if (s == NULL || *s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		n += *s == ',';
	return n;
}

int
pg_url_check(const char *url, bool *add_read_write, char *err,
    size_t errlen)
{
	PQconninfoOption *parsed, *o;
	const char *attrs = NULL;
	char *why = NULL, value[32];
	int hosts = 0, n, rc = 0;

	*add_read_write = false;
	/* libpq's own message about a malformed URL quotes the part it could
	 * not read, which may be the password: say less. */
	if ((parsed = PQconninfoParse(url, &why)) == NULL) {
		PQfreemem(why);
		snprintf(err, errlen, "the PostgreSQL URL cannot be parsed "
		    "(percent-encode special characters in the password)");
		return ERR_INVALID;
	}
	for (o = parsed; o->keyword != NULL; o++) {
		if (o->val == NULL)
			continue;
		if (strcmp(o->keyword, "host") == 0 ||
		    strcmp(o->keyword, "hostaddr") == 0) {
			n = list_len(o->val);
			hosts = n > hosts ? n : hosts;
		} else if (strcmp(o->keyword, "target_session_attrs") == 0)
			attrs = o->val;
	}
	/* copied: the value quoted below lives in `parsed` */
	snprintf(value, sizeof(value), "%s", attrs != NULL ? attrs : "");
	PQconninfoFree(parsed);
	if (attrs == NULL) {
		*add_read_write = hosts > 1;
		return 0;
	}
	if (strcmp(value, "read-only") == 0 || strcmp(value, "standby") == 0 ||
	    strcmp(value, "prefer-standby") == 0) {
		snprintf(err, errlen, "the PostgreSQL URL asks for a standby "
		    "(target_session_attrs=%s), which refuses writes: keygate "
		    "needs the primary", value);
		rc = ERR_INVALID;
	} else if (hosts > 1 && !writable_only(value)) {
		snprintf(err, errlen, "the PostgreSQL URL names %d hosts with "
		    "target_session_attrs=%s, which may pick a standby: use "
		    "read-write (or leave it out, keygate then adds it)",
		    hosts, value);
		rc = ERR_INVALID;
	}
	return rc;
}
