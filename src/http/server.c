#include "http/server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/err.h"
#include "base/limits.h"
#include "base/log.h"
#include "base/metrics.h"
#include "base/mem.h"
#include "http/client_addr.h"
#include "http/framing.h"
#include "http/html.h"
#include "http/listener.h"
#include "http/exchange.h"
#include "http/mhd_log.h"
#include "http/offload.h"

#define DRAIN_TIMEOUT_MS	15000
#define DISCARD_MAX_BYTES	(1024 * 1024)
/* Headers plus MHD's read buffer share this per-connection pool; it is
 * larger than the header limit so that keygate, not the pool, enforces the
 * limit with a clean 431. Not much larger: MHD clears it between the
 * requests of a connection, so its size is paid on every request. */
#define CONN_MEMORY_BYTES	(5 * HTTP_MAX_HEADER_BYTES)

static void	exchange_free(struct exchange *ex);

static enum http_method
parse_method(const char *m)
{
	static const char *const names[] = { "GET", "HEAD", "POST", "PUT",
	    "PATCH", "DELETE", "OPTIONS" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(m, names[i]) == 0)
			return (enum http_method)i;
	return HTTP_OTHER;
}

static void
split_uri(struct exchange *ex)
{
	const char *q = strchr(ex->uri, '?');

	if (q == NULL) {
		ex->req.path = str_from(ex->uri);
		ex->req.query = STR_NULL;
	} else {
		ex->req.path = (struct str){ ex->uri, (size_t)(q - ex->uri) };
		ex->req.query = str_from(q + 1);
	}
}

/* Called on the request line, before headers: the one place MHD shows the
 * raw request target, which keygate parses itself. */
static void *
on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
	struct http_server *srv = cls;
	struct exchange *ex = xcalloc(1, sizeof(*ex));
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn,
	    MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	struct conn_state *cs = ci == NULL ? NULL : ci->socket_context;
	size_t n = strlen(uri);

	if (cs != NULL) {
		exchange_free(cs->pending);
		cs->pending = ex;
	}
	atomic_fetch_add(&srv->inflight, 1);
	ex->srv = srv;
	clock_gettime(CLOCK_MONOTONIC, &ex->start);
	ex->uri_too_long = n > HTTP_MAX_URL_BYTES;
	ex->uri = xstrndup(uri, ex->uri_too_long ? 1 : n);
	ex->req.arena = arena_new();
	ex->req.kg = srv->kg;
	ex->route = "-";
	ex->route_index = METRICS_MAX_ROUTES;
	buf_init(&ex->body, HTTP_MAX_BODY_BYTES);
	response_init(&ex->res, ex->req.arena);
	return ex;
}

/* Refuses a request line or header section keygate will not serve.
 * Returns true when an answer is queued. */
static bool
refuse_framing(struct MHD_Connection *conn, struct exchange *ex,
    const char *method, const char *version)
{
	struct framing_error err;

	if (ex->uri_too_long) {
		exchange_error(ex, 414, "uri_too_long", "The URL is too long.");
		return true;
	}
	if (!framing_refused(conn, method, ex->req.method != HTTP_OTHER,
	    version, &err))
		return false;
	exchange_error(ex, err.status, err.code, err.detail);
	return true;
}

/* First call for a request: headers are in; refuse what is too big before
 * reading a byte of the body. Returns true when an answer is queued. */
static bool
begin(struct MHD_Connection *conn, struct exchange *ex, const char *method,
    const char *version)
{
	const char *cl;
	long long len;

	ex->started = true;
	ex->req.conn = conn;
	ex->req.method = parse_method(method);
	ex->req.method_name = http_method_name(ex->req.method);
	client_addr(conn, ex->srv->kg->cfg, ex->addr, sizeof(ex->addr));
	ex->req.client_addr = ex->addr;
	split_uri(ex);
	if (refuse_framing(conn, ex, method, version))
		return true;
	cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (cl != NULL && (str_to_i64(str_from(cl), 0, INT64_MAX, &len) != 0 ||
	    len > HTTP_MAX_BODY_BYTES)) {
		exchange_error(ex, 413, "payload_too_large",
		    "The request body is over 64 KiB.");
		return true;
	}
	return false;
}

static void
dispatch(struct exchange *ex)
{
	struct http_server *srv = ex->srv;
	const struct route *route;
	char allow[128];

	ex->req.body = buf_str(&ex->body);
	switch (router_match(srv->routes, srv->nroutes, &ex->req, &route,
	    allow, sizeof(allow))) {
	case ROUTE_FOUND:
		ex->route = route->pattern;
		ex->route_index = (size_t)(route - srv->routes);
		if (route->lane == ROUTE_SLOW)
			later_dispatch_slow(ex);
		else if (route->prefetch != NULL &&
		    route->prefetch(&ex->req, false))
			later_dispatch_prefetch(ex);
		else
			route->handler(&ex->req, &ex->res);
		break;
	case ROUTE_BAD_METHOD:
		if (!exchange_wants_json(ex->req.path) && srv->error_page != NULL)
			srv->error_page(&ex->req, &ex->res, 405,
			    "Method not allowed", "This page does not take "
			    "this kind of request.");
		else
			exchange_error(ex, 405, "method_not_allowed",
			    "This method is not allowed here.");
		response_header(&ex->res, "Allow", allow);
		break;
	case ROUTE_NOT_FOUND:
		if (!exchange_wants_json(ex->req.path) && srv->error_page != NULL)
			srv->error_page(&ex->req, &ex->res, 404, "Not found",
			    "There is nothing here.");
		else
			exchange_error(ex, 404, "not_found",
			    "There is nothing here.");
		break;
	}
}

/* Keeps body bytes up to the limit. libmicrohttpd cannot answer in the
 * middle of a body, so past the limit (a chunked body gives no length up
 * front) the rest is read and dropped, and 413 follows at the end; a client
 * that keeps sending past DISCARD_MAX_BYTES is cut off. */
static enum MHD_Result
take_body(struct exchange *ex, const char *upload, size_t *upload_size)
{
	if (!ex->body_too_big) {
		buf_append(&ex->body, upload, *upload_size);
		ex->body_too_big = ex->body.err != 0;
	}
	if (ex->body_too_big) {
		ex->discarded += *upload_size;
		if (ex->discarded > DISCARD_MAX_BYTES)
			return MHD_NO;
	}
	*upload_size = 0;
	return MHD_YES;
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **con_cls)
{
	struct exchange *ex = *con_cls;

	(void)cls;
	(void)url;
	if (ex->answered) {
		*upload_size = 0;	/* discard the rest of a refused body */
		return MHD_YES;
	}
	if (ex->later != NULL)		/* resumed: the work is done */
		return later_answer(conn, ex);
	if (!ex->started) {
		if (begin(conn, ex, method, version))
			return exchange_send(conn, ex);
		return MHD_YES;
	}
	if (*upload_size > 0)
		return take_body(ex, upload, upload_size);
	if (ex->body_too_big)
		exchange_error(ex, 413, "payload_too_large",
		    "The request body is over 64 KiB.");
	else
		dispatch(ex);
	if (ex->later != NULL)
		return later_park(conn, ex);
	return exchange_send(conn, ex);
}

/* Microseconds since the exchange began, for its log line and its
 * histogram alike. */
static int64_t
elapsed_us(const struct exchange *ex)
{
	struct timespec end;
	int64_t us;

	clock_gettime(CLOCK_MONOTONIC, &end);
	us = (int64_t)(end.tv_sec - ex->start.tv_sec) * 1000000 +
	    (end.tv_nsec - ex->start.tv_nsec) / 1000;
	return us > 0 ? us : 0;
}

static void
log_exchange(const struct exchange *ex, enum MHD_RequestTerminationCode toe,
    int64_t us)
{
	struct buf b;
	char num[32], ts[32];

	clock_rfc3339(time(NULL), ts);
	buf_init(&b, 1024);
	log_kv(&b, "ts", ts);
	log_kv(&b, "method", ex->req.method_name != NULL ?
	    ex->req.method_name : "-");
	log_kv(&b, "route", ex->route);
	if (strcmp(ex->route, "-") == 0)
		log_kv_client(&b, "path", ex->req.path);
	snprintf(num, sizeof(num), "%d", ex->res.status);
	log_kv(&b, "status", ex->answered ? num : "-");
	snprintf(num, sizeof(num), "%.3f", (double)us / 1e3);
	log_kv(&b, "dur_ms", num);
	log_kv(&b, "ip", ex->addr[0] != '\0' ? ex->addr : "-");
	if (toe != MHD_REQUEST_TERMINATED_COMPLETED_OK)
		log_kv(&b, "end", "aborted");
	log_emit(&b);
	buf_release(&b);
}

/* Frees an exchange and counts it out of the in-flight requests. */
static void
exchange_free(struct exchange *ex)
{
	if (ex == NULL)
		return;
	atomic_fetch_sub(&ex->srv->inflight, 1);
	response_release(&ex->res);
	buf_release(&ex->body);
	arena_free(ex->req.arena);
	free(ex->uri);
	free(ex);
}

static void
on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct http_server *srv = cls;
	struct exchange *ex = *con_cls;
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn,
	    MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	struct conn_state *cs = ci == NULL ? NULL : ci->socket_context;
	int64_t us;

	if (ex == NULL)
		return;
	us = elapsed_us(ex);
	if (ex->answered)
		metrics_request(ex->route_index, ex->res.status, (uint64_t)us);
	if (srv->kg->cfg->access_log)
		log_exchange(ex, toe, us);
	if (cs != NULL && cs->pending == ex)
		cs->pending = NULL;
	if (ex->answered && ex->res.after != NULL)
		ex->res.after(srv->kg, ex->res.after_ctx);
	exchange_free(ex);
	*con_cls = NULL;
}

static void
on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
    enum MHD_ConnectionNotificationCode code)
{
	struct conn_state *cs = *socket_context;

	(void)cls;
	(void)conn;
	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		*socket_context = xcalloc(1, sizeof(struct conn_state));
		return;
	}
	if (cs != NULL) {
		exchange_free(cs->pending);
		free(cs);
		*socket_context = NULL;
	}
}

/* A new connection, to the daemon: it gives it to the thread its
 * descriptor's number names (modulo the threads; the next one if that one
 * is full) and enforces the limits, closing it when one is reached. */
static void
hand_over(void *ctx, int fd, const struct sockaddr *peer, socklen_t len)
{
	struct http_server *srv = ctx;

	(void)MHD_add_connection(srv->daemon, fd, peer, len);
}

/* --threads and --hash-threads: 0 means one per core. */
static size_t
per_core(int64_t n)
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN);

	if (n > 0)
		return (size_t)n;
	return cores > 0 ? (size_t)cores : 1;
}

struct http_server *
http_server_start(struct keygate *kg, const struct route *routes,
    size_t nroutes, http_error_page_fn error_page, char *err, size_t errlen)
{
	const struct config *cfg = kg->cfg;
	struct http_server *srv = xcalloc(1, sizeof(*srv));
	unsigned flags = MHD_USE_POLL_INTERNAL_THREAD | MHD_USE_ITC |
	    MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME |
	    MHD_USE_NO_LISTEN_SOCKET;
	size_t threads = per_core(cfg->threads);
	char why[128];

	if (cfg->listen_addr.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	srv->kg = kg;
	srv->routes = routes;
	srv->nroutes = nroutes;
	srv->error_page = error_page;
	for (size_t i = 0; i < nroutes; i++)
		metrics_route_name(i, http_method_name(routes[i].method),
		    routes[i].pattern);
	atomic_init(&srv->inflight, 0);
	/* The default reuse, SO_REUSEADDR alone: SO_REUSEPORT would let a
	 * second process start on this port and take half its connections. */
	srv->slow = offload_new(per_core(cfg->hash_threads),
	    (size_t)cfg->hash_queue, err, errlen);
	if (srv->slow == NULL) {
		free(srv);
		return NULL;
	}
	srv->daemon = MHD_start_daemon(flags, 0, NULL, NULL, on_request, srv,
	    MHD_OPTION_EXTERNAL_LOGGER, mhd_log, "http",
	    MHD_OPTION_THREAD_POOL_SIZE, (unsigned)threads,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)HTTP_MAX_CONNECTIONS,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)cfg->connection_timeout_s,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT,
	    (unsigned)cfg->connections_per_address,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONN_MEMORY_BYTES,
	    MHD_OPTION_URI_LOG_CALLBACK, on_uri, srv,
	    MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
	    MHD_OPTION_NOTIFY_CONNECTION, on_connection, srv,
	    MHD_OPTION_END);
	if (srv->daemon == NULL) {
		snprintf(err, errlen, "cannot start the HTTP server");
		offload_free(srv->slow);
		free(srv);
		return NULL;
	}
	srv->listener = listener_start(&cfg->listen_addr, hand_over, srv,
	    why, sizeof(why));
	if (srv->listener == NULL) {
		snprintf(err, errlen, "cannot listen on %s (--listen): %s",
		    cfg->listen, why);
		MHD_stop_daemon(srv->daemon);
		offload_free(srv->slow);
		free(srv);
		return NULL;
	}
	return srv;
}

void
http_server_stop(struct http_server *srv)
{
	int waited = 0;

	if (srv == NULL)
		return;
	listener_stop(srv->listener);
	while (atomic_load(&srv->inflight) > 0 && waited < DRAIN_TIMEOUT_MS) {
		usleep(10 * 1000);
		waited += 10;
	}
	/* before the daemon: a slow-lane job still running resumes its
	 * connection there */
	offload_free(srv->slow);
	MHD_stop_daemon(srv->daemon);
	mhd_log_flush();
	free(srv);
}
