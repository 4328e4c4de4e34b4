#include "http/client_addr.h"

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base/netaddr.h"

/* The peer as an IPv6 address (IPv4 mapped) and as text; false without
 * one. */
static bool
peer(struct MHD_Connection *conn, struct in6_addr *bin, char *out,
    size_t outlen)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn,
	    MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci == NULL ? NULL : ci->client_addr;

	if (sa != NULL && sa->sa_family == AF_INET) {
		const struct in_addr *a =
		    &((const struct sockaddr_in *)sa)->sin_addr;

		inet_ntop(AF_INET, a, out, (socklen_t)outlen);
		memset(bin, 0, sizeof(*bin));
		bin->s6_addr[10] = bin->s6_addr[11] = 0xff;
		memcpy(&bin->s6_addr[12], a, 4);
		return true;
	}
	if (sa != NULL && sa->sa_family == AF_INET6) {
		*bin = ((const struct sockaddr_in6 *)sa)->sin6_addr;
		inet_ntop(AF_INET6, bin, out, (socklen_t)outlen);
		return true;
	}
	return false;
}

static bool
trusted(const struct config *cfg, const struct in6_addr *a)
{
	for (size_t i = 0; i < cfg->nproxies; i++)
		if (memcmp(&cfg->proxies[i], a, sizeof(*a)) == 0)
			return true;
	return false;
}

static enum MHD_Result
keep_last_xff(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *value)
{
	(void)kind;
	if (strcasecmp(key, "X-Forwarded-For") == 0 && value != NULL)
		*(const char **)cls = value;
	return MHD_YES;
}

void
client_addr(struct MHD_Connection *conn, const struct config *cfg,
    char *out, size_t outlen)
{
	const char *xff = NULL, *last;
	char cand[INET6_ADDRSTRLEN];
	struct in6_addr bin;
	size_t n;

	snprintf(out, outlen, "-");
	if (!peer(conn, &bin, out, outlen) || !trusted(cfg, &bin))
		return;
	MHD_get_connection_values(conn, MHD_HEADER_KIND, keep_last_xff, &xff);
	if (xff == NULL)
		return;
	last = strrchr(xff, ',');
	last = last == NULL ? xff : last + 1;
	last += strspn(last, " \t");
	n = strcspn(last, " \t");
	if (n == 0 || n >= sizeof(cand) || last[n] != '\0')
		return;
	memcpy(cand, last, n);
	cand[n] = '\0';
	if (netaddr_ip(cand, &bin))
		snprintf(out, outlen, "%s", cand);
}
