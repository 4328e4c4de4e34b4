#include "http/listener.h"

#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"
#include "base/mem.h"

#define LISTEN_BACKLOG		1024
/* out of descriptors or memory: accepting again at once would spin */
#define PAUSE_US		(10 * 1000)

struct listener {
	int		 fd;
	pthread_t	 thread;
	atomic_bool	 stopping;
	listener_fn	 fn;
	void		*ctx;
};

/* The peer went away first, a signal, or one of the network errors
 * Linux's accept() passes on from the new connection, which accept(2)
 * says to retry like EAGAIN. */
static bool
transient(int e)
{
	return e == ECONNABORTED || e == EINTR || e == EAGAIN ||
	    e == ENETDOWN || e == EPROTO || e == ENOPROTOOPT ||
	    e == EHOSTDOWN || e == ENONET || e == EHOSTUNREACH ||
	    e == EOPNOTSUPP || e == ENETUNREACH;
}

static void *
accept_loop(void *arg)
{
	struct listener *l = arg;
	struct sockaddr_storage peer;
	socklen_t len;
	bool said = false;
	int fd;

	for (;;) {
		len = sizeof(peer);
		fd = accept4(l->fd, (struct sockaddr *)&peer, &len,
		    SOCK_CLOEXEC);
		if (fd >= 0) {
			l->fn(l->ctx, fd, (struct sockaddr *)&peer, len);
			said = false;
			continue;
		}
		if (atomic_load(&l->stopping))
			break;
		if (transient(errno))
			continue;
		if (!said)
			log_msg("warn", "http: cannot accept a connection: %s",
			    strerror(errno));
		said = true;
		usleep(PAUSE_US);
	}
	return NULL;
}

static int
open_socket(const struct sockaddr_storage *addr, char *err, size_t errlen)
{
	socklen_t len = addr->ss_family == AF_INET6 ?
	    sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
	int fd = socket(addr->ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int on = 1;

	if (fd < 0) {
		snprintf(err, errlen, "cannot make a socket: %s",
		    strerror(errno));
		return -1;
	}
	/* an IPv6 address means that address, never IPv4 as well */
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) != 0 ||
	    (addr->ss_family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6,
	    IPV6_V6ONLY, &on, sizeof(on)) != 0) ||
	    bind(fd, (const struct sockaddr *)addr, len) != 0 ||
	    listen(fd, LISTEN_BACKLOG) != 0) {
		/* "Address already in use", "Cannot assign requested
		 * address" (not this machine's) */
		snprintf(err, errlen, "%s", strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

struct listener *
listener_start(const struct sockaddr_storage *addr, listener_fn fn,
    void *ctx, char *err, size_t errlen)
{
	struct listener *l = xcalloc(1, sizeof(*l));

	l->fn = fn;
	l->ctx = ctx;
	atomic_init(&l->stopping, false);
	if ((l->fd = open_socket(addr, err, errlen)) < 0) {
		free(l);
		return NULL;
	}
	if (pthread_create(&l->thread, NULL, accept_loop, l) != 0) {
		snprintf(err, errlen, "cannot start the accepting thread");
		close(l->fd);
		free(l);
		return NULL;
	}
	return l;
}

void
listener_stop(struct listener *l)
{
	if (l == NULL)
		return;
	atomic_store(&l->stopping, true);
	/* wakes the accept() under way (on Linux: EINVAL), and the loop
	 * sees why */
	shutdown(l->fd, SHUT_RDWR);
	pthread_join(l->thread, NULL);
	close(l->fd);
	free(l);
}
