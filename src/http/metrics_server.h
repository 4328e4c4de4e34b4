#ifndef KEYGATE_HTTP_METRICS_SERVER_H
#define KEYGATE_HTTP_METRICS_SERVER_H

#include <stddef.h>

#include "core/config.h"

/* The /metrics listener (--metrics-listen): a small libmicrohttpd daemon
 * of one thread beside the public server, so that the counters are never
 * served where the public reaches. It answers GET (and HEAD) /metrics
 * with base/metrics.c's Prometheus text, 405 to other methods there, 404
 * to every other path; it reads no cookie, runs no handler, logs no
 * request. */
struct metrics_server;

/* Starts serving cfg->metrics_addr (cfg->metrics_on must be true). On
 * failure writes a reason naming the address and the flag into err and
 * returns NULL. */
struct metrics_server *metrics_server_start(const struct config *cfg,
	    char *err, size_t errlen);

/* Stops the thread and frees the server; NULL is a no-op. */
void	metrics_server_stop(struct metrics_server *ms);

#endif
