#ifndef KEYGATE_HTTP_EXCHANGE_H
#define KEYGATE_HTTP_EXCHANGE_H

/* Inside the HTTP server only (http/server.c, http/later.c and
 * http/exchange.c): a request's state and the server's, the sending of an
 * answer (exchange.c) and the answers that wait (later.c), which server.c
 * calls. Handlers see struct request and struct response alone. */

#include <arpa/inet.h>
#include <microhttpd.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "base/buf.h"
#include "core/keygate.h"
#include "http/offload.h"
#include "http/request.h"
#include "http/response.h"
#include "http/router.h"

struct http_server {
	struct MHD_Daemon	*daemon;
	struct listener		*listener;	/* accepts for the daemon */
	struct keygate		*kg;
	const struct route	*routes;
	size_t			 nroutes;
	http_error_page_fn	 error_page;
	atomic_int		 inflight;
	struct offload		*slow;		/* the ROUTE_SLOW handlers */
};

/* Per connection: the exchange not yet completed, if any. libmicrohttpd
 * does not report completion for a request it refuses itself after the
 * request line (a header section that overflows its pool), so the
 * connection's close frees what such a request left. */
struct conn_state {
	struct exchange		*pending;
};

/* One request's state, from its request line to its completion. */
struct exchange {
	struct http_server	*srv;
	struct request		 req;
	struct response		 res;
	struct buf		 body;
	const char		*route;		/* pattern, for the log */
	size_t			 route_index;	/* for the metrics */
	struct timespec		 start;
	char			*uri;
	bool			 uri_too_long;
	bool			 started;
	bool			 answered;
	bool			 body_too_big;
	size_t			 discarded;
	char			 addr[INET6_ADDRSTRLEN];
	http_later_fn		 later;		/* set: answered by later() */
	void			*later_ctx;
	atomic_int		 later_state;	/* enum later_state */
};

/* An answer that waits: WAITING while the handler's work runs; PARKED
 * once the connection is suspended; READY once the work is done. Whoever
 * moves it second (the server parking, or the worker saying it is ready)
 * resumes the connection, so it is resumed once and only once parked. */
enum later_state { LATER_WAITING, LATER_PARKED, LATER_READY };

/* Queues the exchange's answer on its connection (http/exchange.c). */
enum MHD_Result	exchange_send(struct MHD_Connection *conn,
		    struct exchange *ex);
/* An answer the server gives on its own, in JSON or HTML by its path
 * (http/exchange.c). */
void		exchange_error(struct exchange *ex, int status,
		    const char *code, const char *detail);
bool		exchange_wants_json(struct str path);

/* Answers later (http/later.c): a ROUTE_SLOW handler put on the slow
 * lane; the exchange parked after a handler that called request_later();
 * the second half run once its work is done. */
void		later_dispatch_slow(struct exchange *ex);
/* A ROUTE_FAST request whose route's prefetch says it needs one: that
 * work on the slow lane, then the handler on the server thread. */
void		later_dispatch_prefetch(struct exchange *ex);
enum MHD_Result	later_park(struct MHD_Connection *conn, struct exchange *ex);
enum MHD_Result	later_answer(struct MHD_Connection *conn,
		    struct exchange *ex);

#endif
