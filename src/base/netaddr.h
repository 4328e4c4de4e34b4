#ifndef KEYGATE_BASE_NETADDR_H
#define KEYGATE_BASE_NETADDR_H

/* Addresses as settings give them: a listener's HOST:PORT, and IP
 * addresses alone or in a list. Errors name the setting. */

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

/* `a.b.c.d:port`, `[v6]:port` or `localhost:port`, the text of --flag;
 * *loopback says whether it is a loopback address. 0 or ERR_INVALID with
 * a message in err. */
int	netaddr_listen(const char *flag, const char *text,
	    struct sockaddr_storage *addr, socklen_t *addr_len, bool *loopback,
	    char *err, size_t errlen);

/* An IPv4 or IPv6 address; IPv4 becomes IPv4-mapped IPv6. */
bool	netaddr_ip(const char *text, struct in6_addr *out);

/* At most max addresses of `text`, comma-separated (spaces allowed), into
 * out[0..*n). 0 or ERR_INVALID with a message in err. */
int	netaddr_list(const char *flag, const char *text, struct in6_addr *out,
	    size_t max, size_t *n, char *err, size_t errlen);

#endif
