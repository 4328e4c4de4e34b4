#ifndef KEYGATE_HTTP_LISTENER_H
#define KEYGATE_HTTP_LISTENER_H

/* The listening socket and the one thread that accepts on it, handing
 * each connection to a callback (http/server.c gives it to
 * libmicrohttpd, which picks a thread by the descriptor's number, so a
 * burst of connections alternates between them; left to accept for
 * themselves, the threads let one of them take most of a burst and
 * leave the other cores idle). Linux: stopping relies on shutdown()
 * waking accept(). */

#include <stddef.h>
#include <sys/socket.h>

struct listener;

/* Takes `fd`, a new connection from `peer`: owns it from then on. */
typedef void	(*listener_fn)(void *ctx, int fd, const struct sockaddr *peer,
		    socklen_t peer_len);

/* Listens on `addr` (SO_REUSEADDR only: a second process cannot take
 * the port) and starts accepting. On failure writes a reason into err
 * and returns NULL. */
struct listener *listener_start(const struct sockaddr_storage *addr,
	    listener_fn fn, void *ctx, char *err, size_t errlen);

/* Stops accepting and closes the socket; connections handed over are
 * the callback's. */
void	listener_stop(struct listener *l);

#endif
