#include "http/metrics_server.h"

#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/limits.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/metrics.h"
#include "http/mhd_log.h"
#include "http/response.h"

#define METRICS_CONTENT_TYPE	"text/plain; version=0.0.4; charset=utf-8"

struct metrics_server {
	struct MHD_Daemon	*daemon;
};

static enum MHD_Result
answer(struct MHD_Connection *conn, unsigned status, char *body, size_t len,
    const char *allow)
{
	struct MHD_Response *r;
	enum MHD_Result ok;

	r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	if (r == NULL) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type", status == 200 ?
	    METRICS_CONTENT_TYPE : "text/plain; charset=utf-8");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "Cache-Control", "no-store");
	if (allow != NULL)
		MHD_add_response_header(r, "Allow", allow);
	ok = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return ok;
}

static enum MHD_Result
answer_text(struct MHD_Connection *conn, unsigned status, const char *text,
    const char *allow)
{
	return answer(conn, status, xstrdup(text), strlen(text), allow);
}

/* Answers on the first call, once the headers are in: no answer here
 * needs a body, and one sent anyway is left unread (libmicrohttpd closes
 * the connection after such an early answer; a scraper reconnects). */
static enum MHD_Result
on_request(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **con_cls)
{
	struct buf b;
	size_t len;
	char *body;

	(void)cls;
	(void)version;
	(void)upload;
	(void)upload_size;
	(void)con_cls;
	if (strcmp(url, "/metrics") != 0)
		return answer_text(conn, 404, "not found\n", NULL);
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return answer_text(conn, 405, "method not allowed\n",
		    "GET, HEAD");
	buf_init(&b, RESPONSE_MAX_BODY_BYTES);
	metrics_render(&b);
	if (b.err != 0) {
		buf_release(&b);
		log_msg("error", "metrics over their limit");
		return answer_text(conn, 500, "server error\n", NULL);
	}
	body = buf_detach(&b, &len);
	return answer(conn, 200, body, len, NULL);
}

/* Like http/server.c's: clang's -Wformat-nonliteral and MHD's literals. */
struct metrics_server *
metrics_server_start(const struct config *cfg, char *err, size_t errlen)
{
	struct metrics_server *ms = xcalloc(1, sizeof(*ms));
	unsigned flags = MHD_USE_POLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG;

	if (cfg->metrics_addr.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	/* libmicrohttpd's default, SO_REUSEADDR alone: a restart binds past
	 * TIME_WAIT, but a port another process listens on is refused. */
	ms->daemon = MHD_start_daemon(flags, 0, NULL, NULL, on_request, NULL,
	    MHD_OPTION_EXTERNAL_LOGGER, mhd_log, "metrics listener",
	    MHD_OPTION_SOCK_ADDR, (const struct sockaddr *)&cfg->metrics_addr,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)METRICS_MAX_CONNECTIONS,
	    MHD_OPTION_CONNECTION_TIMEOUT,
	    (unsigned)METRICS_CONNECTION_TIMEOUT_S,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT,
	    (size_t)METRICS_CONN_MEMORY_BYTES,
	    MHD_OPTION_END);
	if (ms->daemon == NULL) {
		snprintf(err, errlen, "cannot listen on %s (--metrics-listen): "
		    "address in use, or not this machine's? (--metrics-listen "
		    "off turns the listener off)", cfg->metrics_listen);
		free(ms);
		return NULL;
	}
	return ms;
}

void
metrics_server_stop(struct metrics_server *ms)
{
	if (ms == NULL)
		return;
	MHD_stop_daemon(ms->daemon);
	free(ms);
}
