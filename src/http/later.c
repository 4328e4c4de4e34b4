/* Answers that wait: the slow lane's handlers, and handlers that call
 * request_later(), run while their connection is suspended and are
 * answered on its server thread once their work is done. */
#include "http/exchange.h"

#include <stdio.h>
#include <stdlib.h>

#include "base/limits.h"
#include "base/log.h"

/* The second half of a handler that answered later. */
enum MHD_Result
later_answer(struct MHD_Connection *conn, struct exchange *ex)
{
	http_later_fn then = ex->later;

	ex->later = NULL;
	then(&ex->req, &ex->res, ex->later_ctx);
	/* after a prefetch, the handler may wait in its turn */
	if (ex->later != NULL)
		return later_park(conn, ex);
	return exchange_send(conn, ex);
}

/* On a slow-lane thread: the whole handler. The connection is
 * suspended meanwhile, so nothing else touches the exchange; then
 * http_later_ready() sends it back to its server thread to be answered. */
static void
run_slow(void *arg)
{
	struct exchange *ex = arg;

	ex->srv->routes[ex->route_index].handler(&ex->req, &ex->res);
}

/* The slow lane's handler has answered already; nothing is left to do. */
static void
answered_slow(struct request *req, struct response *res, void *ctx)
{
	(void)req;
	(void)res;
	(void)ctx;
}

/* The slow lane's queue is full: refused at once, with the page or JSON
 * error of its path. */
static void
lane_busy(struct exchange *ex, const char *page, const char *json)
{
	struct http_server *srv = ex->srv;
	char retry[24];

	ex->later = NULL;
	if (!exchange_wants_json(ex->req.path) && srv->error_page != NULL)
		srv->error_page(&ex->req, &ex->res, 503, "Busy", page);
	else
		exchange_error(ex, 503, "temporarily_unavailable", json);
	snprintf(retry, sizeof(retry), "%d", HTTP_HASH_BUSY_RETRY_S);
	response_header(&ex->res, "Retry-After", retry);
}

/* Parks the connection until `then`, and runs `job` on the slow lane
 * meanwhile; a full lane is answered 503 saying what was too many. */
static void
to_slow_lane(struct exchange *ex, http_later_fn then, void *ctx,
    void (*job)(void *), const char *what)
{
	char page[96], json[96];

	request_later(&ex->req, then, ctx);
	if (offload_submit(ex->srv->slow, job, http_later_ready, ex))
		return;
	snprintf(page, sizeof(page), "Too many %s at once. Try again in a "
	    "moment.", what);
	snprintf(json, sizeof(json), "Too many %s at once; try again in a "
	    "moment.", what);
	lane_busy(ex, page, json);
}

/* A ROUTE_SLOW handler runs on the slow lane while the connection waits
 * (request_later()). */
void
later_dispatch_slow(struct exchange *ex)
{
	to_slow_lane(ex, answered_slow, NULL, run_slow, "log-ins");
}

/* On a slow-lane thread: the route's prefetch. */
static void
run_prefetch(void *arg)
{
	struct exchange *ex = arg;

	ex->srv->routes[ex->route_index].prefetch(&ex->req, true);
}

/* Back on the server thread: the handler itself. */
static void
prefetched(struct request *req, struct response *res, void *ctx)
{
	struct exchange *ex = ctx;

	ex->srv->routes[ex->route_index].handler(req, res);
}

void
later_dispatch_prefetch(struct exchange *ex)
{
	to_slow_lane(ex, prefetched, ex, run_prefetch, "requests wait");
}

void *
request_later(struct request *req, http_later_fn then, void *ctx)
{
	struct exchange *ex = (struct exchange *)((char *)req -
	    offsetof(struct exchange, req));

	/* once per request: a slow-lane handler is already answering later,
	 * and a second wait would lose the first one's wake-up */
	if (ex->later != NULL) {
		log_msg("error", "request_later() twice for %s", ex->route);
		abort();
	}
	ex->later = then;
	ex->later_ctx = ctx;
	atomic_store(&ex->later_state, LATER_WAITING);
	return ex;
}

void
http_later_ready(void *handle)
{
	struct exchange *ex = handle;

	if (atomic_exchange(&ex->later_state, LATER_READY) == LATER_PARKED)
		MHD_resume_connection(ex->req.conn);
}

/* After a handler that called request_later(): answers at once when the
 * work is already done, else suspends the connection until it is. */
enum MHD_Result
later_park(struct MHD_Connection *conn, struct exchange *ex)
{
	if (atomic_load(&ex->later_state) == LATER_READY)
		return later_answer(conn, ex);
	MHD_suspend_connection(conn);
	if (atomic_exchange(&ex->later_state, LATER_PARKED) == LATER_READY) {
		atomic_store(&ex->later_state, LATER_READY);
		MHD_resume_connection(conn);
	}
	return MHD_YES;
}
