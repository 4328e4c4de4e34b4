#include "base/netaddr.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "base/str.h"

int
netaddr_listen(const char *flag, const char *text,
    struct sockaddr_storage *addr, socklen_t *addr_len, bool *loopback,
    char *err, size_t errlen)
{
	const char *s = text, *colon = strrchr(s, ':');
	struct sockaddr_in *v4 = (struct sockaddr_in *)addr;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)addr;
	char host[64];
	long long port;
	size_t hlen;

	if (colon == NULL || str_to_i64(str_from(colon + 1), 1, 65535,
	    &port) != 0)
		goto bad;
	hlen = (size_t)(colon - s);
	if (hlen >= 2 && s[0] == '[' && s[hlen - 1] == ']') {
		s++;
		hlen -= 2;
	}
	if (hlen == 0 || hlen >= sizeof(host))
		goto bad;
	memcpy(host, s, hlen);
	host[hlen] = '\0';
	if (strcmp(host, "localhost") == 0)
		strcpy(host, "127.0.0.1");
	memset(addr, 0, sizeof(*addr));
	if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons((uint16_t)port);
		*addr_len = sizeof(*v4);
		*loopback = (ntohl(v4->sin_addr.s_addr) >> 24) == 127;
	} else if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons((uint16_t)port);
		*addr_len = sizeof(*v6);
		*loopback = IN6_IS_ADDR_LOOPBACK(&v6->sin6_addr);
	} else {
		goto bad;
	}
	return 0;
bad:
	snprintf(err, errlen, "--%s '%s' is not HOST:PORT with a numeric "
	    "IPv4 address, [IPv6] address or localhost", flag, text);
	return ERR_INVALID;
}

bool
netaddr_ip(const char *text, struct in6_addr *out)
{
	struct in_addr v4;

	if (inet_pton(AF_INET6, text, out) == 1)
		return true;
	if (inet_pton(AF_INET, text, &v4) != 1)
		return false;
	memset(out, 0, sizeof(*out));
	out->s6_addr[10] = 0xff;
	out->s6_addr[11] = 0xff;
	memcpy(&out->s6_addr[12], &v4, 4);
	return true;
}

int
netaddr_list(const char *flag, const char *text, struct in6_addr *out,
    size_t max, size_t *n, char *err, size_t errlen)
{
	char item[64];
	const char *p = text;

	*n = 0;
	while (*p != '\0') {
		size_t len;

		p += strspn(p, " ,");
		if ((len = strcspn(p, " ,")) == 0)
			break;
		if (*n == max) {
			snprintf(err, errlen, "--%s: at most %zu addresses", flag,
			    max);
			return ERR_INVALID;
		}
		/* past any address's length (45): its start, cut, still
		 * fails as one, and the message shows it */
		if (len >= sizeof(item))
			len = sizeof(item) - 1;
		memcpy(item, p, len);
		item[len] = '\0';
		if (!netaddr_ip(item, &out[(*n)++])) {
			snprintf(err, errlen, "--%s: %s is not an IP address",
			    flag, item);
			return ERR_INVALID;
		}
		p += len;
	}
	return 0;
}
