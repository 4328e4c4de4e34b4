#ifndef KEYGATE_CORE_CIMD_FETCH_H
#define KEYGATE_CORE_CIMD_FETCH_H

#include <stddef.h>
#include <stdint.h>

#include "core/cimd_rules.h"

/* Fetching a client's metadata document (docs/REFERENCE.md §22.2): https
 * only, no redirects, at most CIMD_BODY_MAX_BYTES, CIMD_FETCH_TIMEOUT_MS
 * in all (the name's resolution included), every address the host
 * resolves to checked (cimd_addr_special()) unless the host is allowed,
 * and the connection pinned to the checked address, so that a second
 * resolution cannot point it elsewhere (DNS rebinding). */
#define CIMD_FETCH_TIMEOUT_MS	5000

struct cimd_fetcher;

/* allow_hosts: "" or NULL, or host names and IP literals, a comma between,
 * whose special addresses are allowed; ca_file: NULL, or a PEM file of CA
 * certificates trusted beside the system's. Returns NULL (a message in
 * err) when the file cannot be read. */
struct cimd_fetcher *cimd_fetcher_new(const char *allow_hosts,
		    const char *ca_file, char *err, size_t errlen);
void		 cimd_fetcher_free(struct cimd_fetcher *f);

struct cimd_answer {
	char	 body[CIMD_BODY_MAX_BYTES + 1];
	size_t	 len;
	int64_t	 ttl_s;	/* cimd_lifetime() of its headers */
};

/* GETs url (already checked by cimd_rule_url()) into out. Returns NULL,
 * or why not as a sentence for the developer. `now` dates the answer's
 * Expires when it has no Date. */
const char	*cimd_fetch(const struct cimd_fetcher *f, struct str url,
		    int64_t now, struct cimd_answer *out);

#endif
