#ifndef KEYGATE_CORE_USER_AGENT_H
#define KEYGATE_CORE_USER_AGENT_H

#include <stddef.h>

/* A short, readable name for the browser a User-Agent header names, for
 * the account page's list of sessions: "Firefox on Linux", "Chrome on
 * Android", "curl". A header that names no browser it knows is shown as
 * its first USER_AGENT_LABEL_CHARS bytes (cut on a character boundary),
 * and an empty one as "Unknown browser". The caller escapes the result
 * for where it goes. */
#define USER_AGENT_LABEL_CHARS	48

void	user_agent_describe(const char *ua,
	    char out[USER_AGENT_LABEL_CHARS + 1]);

#endif
