#include "cli/cli.h"
#include "cli/help.h"

#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "core/cimd.h"
#include "core/resources.h"
#include "core/dpop.h"
#include "core/events.h"
#include "core/keeper.h"
#include "core/accounts.h"
#include "core/clients.h"
#include "core/mailer.h"
#include "base/log.h"
#include "core/memo.h"
#include "core/recovery.h"
#include "core/notices.h"
#include "core/resets.h"
#include "core/signing_keys.h"
#include "core/token_cache.h"
#include "core/usage.h"
#include "core/uses.h"
#include "http/metrics_server.h"
#include "http/server.h"
#include "routes.h"
#include "store/store.h"

static void
usage(FILE *out)
{
	fprintf(out, "usage: keygate serve [flags]\n\n"
	    "Serves the developer portal, the OAuth 2 endpoints and the APIs.\n"
	    "Each flag falls back to its environment variable, then to the "
	    "file of\n--config (KEYGATE_CONFIG), then to its default.\n\n");
	config_usage(out, NULL);
}

/* 1,000 simultaneous connections need more descriptors than the usual
 * soft limit of 1024. */
static void
raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static int
wait_for_signal(void)
{
	sigset_t set;
	int sig = 0;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigwait(&set, &sig);
	return sig;
}

/* DPoP proofs remembered at once (16 bytes each, the pages touched only
 * as proofs come): 2^21 over the 61 s a proof is kept is some 30,000
 * proofs a second before nonces are demanded (docs/REFERENCE.md §17.1). */
#define DPOP_REPLAY_PROOFS	((size_t)1 << 21)

/* The token cache, the queue of uses, the memos and the threads that keep
 * them: what makes a bearer check cheap (docs/PERFORMANCE.md). */
static struct keeper *
start_hot_path(struct keygate *kg)
{
	kg->cache = token_cache_new((size_t)kg->cfg->token_cache);
	/* this node never serves what it took away itself */
	store_on_taken(kg->store, token_cache_drop, kg->cache);
	kg->uses = kg->cfg->use_coalesce_s > 0 ? uses_new(kg->store) : NULL;
	kg->usage = kg->cfg->usage_counting ? usage_new() : NULL;
	if (usage_watch(kg) != 0)
		log_msg("warn", "--metrics-apps: the store cannot be read; no "
		    "app has totals of its own");
	kg->clients = clients_memo_new();
	kg->accounts = accounts_memo_new();
	kg->resets = resets_start(kg, recovery_forgot_deliver);
	kg->notices = notices_start(kg);
	kg->events = events_start(kg);
	kg->dpop = dpop_replay_new(DPOP_REPLAY_PROOFS);
	return keeper_start(kg);
}

/* The client metadata documents' fetcher and cache (core/cimd.h), or
 * NULL with err when --cimd-ca-file cannot be read. Fetches run on the
 * slow lane (http/router.h's prefetch): at most half its threads at once,
 * so that log-ins keep the other half whatever the documents' hosts do. */
static struct cimd *
cimd_new_from(const struct config *cfg, char *err, size_t errlen)
{
	struct cimd_fetcher *f = cimd_fetcher_new(cfg->cimd_allow_hosts,
	    cfg->cimd_ca_file, err, errlen);
	long lane = cfg->hash_threads > 0 ? (long)cfg->hash_threads :
	    sysconf(_SC_NPROCESSORS_ONLN);

	return f != NULL ? cimd_new(f, cfg->brand, (int)(lane / 2)) : NULL;
}

/* After the last request: the pending uses are written before exit. */
static void
stop_hot_path(struct keygate *kg, struct keeper *keeper)
{
	keeper_stop(keeper);
	resets_stop(kg->resets);
	kg->resets = NULL;
	notices_stop(kg->notices);
	kg->notices = NULL;
	events_stop(kg->events);
	kg->events = NULL;
	store_on_taken(kg->store, NULL, NULL);
	uses_free(kg->uses);
	usage_free(kg->usage);
	kg->usage = NULL;
	token_cache_free(kg->cache);
	memo_free(kg->clients);
	memo_free(kg->accounts);
	kg->uses = NULL;
	kg->cache = NULL;
	kg->clients = kg->accounts = NULL;
	dpop_replay_free(kg->dpop);
	kg->dpop = NULL;
}

/* The listeners, from the first request to the stop signal; 0 after a
 * clean stop, 1 when a listener cannot start. */
static int
serve_until_signal(struct keygate *kg, const struct config *cfg)
{
	struct http_server *srv;
	struct metrics_server *ms = NULL;
	char err[512], where[512];

	srv = http_server_start(kg, keygate_routes, keygate_nroutes,
	    keygate_error_page, err, sizeof(err));
	if (srv == NULL) {
		fprintf(stderr, "keygate serve: %s\n", err);
		return 1;
	}
	if (cfg->metrics_on &&
	    (ms = metrics_server_start(cfg, err, sizeof(err))) == NULL) {
		fprintf(stderr, "keygate serve: %s\n", err);
		http_server_stop(srv);
		return 1;
	}
	store_url_redacted(cfg->db, where, sizeof(where));
	log_msg("info", "serving %s on %s (store %s%s%s%s), /metrics %s%s",
	    cfg->issuer, cfg->listen, where,
	    cfg->test_clock ? ", test clock" : "",
	    cfg->config_file != NULL ? ", settings from " : "",
	    cfg->config_file != NULL ? cfg->config_file : "",
	    cfg->metrics_on ? "on " : "", cfg->metrics_listen);
	log_msg("info", "stopping on signal %d", wait_for_signal());
	/* the public listener first: its draining requests may still be
	 * counted in the metrics */
	http_server_stop(srv);
	metrics_server_stop(ms);
	log_msg("info", "stopped");
	return 0;
}

int
cli_serve(int argc, char **argv)
{
	struct config cfg;
	struct keygate kg;
	struct keeper *keeper;
	char err[512];
	sigset_t set;
	int rc = 1;

	if (cli_help_asked(argc, argv)) {
		usage(stdout);
		return 0;
	}
	config_init(&cfg);
	if (config_parse(&cfg, argc, argv, NULL, err, sizeof(err)) != 0 ||
	    config_finish(&cfg, err, sizeof(err)) != 0) {
		fprintf(stderr, "keygate serve: %s\n", err);
		config_release(&cfg);
		return 2;
	}
	/* Block the stop signals in every thread; the main thread waits for
	 * them with sigwait() and shuts down in order. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	raise_fd_limit();
#ifdef __GLIBC__
	/* Big, short-lived blocks (a fold's arrays of uses, megabytes) straight
	 * from the kernel and back to it. glibc otherwise raises this
	 * threshold to the largest block freed, then serves such blocks from
	 * its heaps, where a growing array's old and new copies sit side by
	 * side and what is freed stays resident: the memory peak of 10^6
	 * tokens went over its 64 MiB. Fixing it stops the trim threshold's
	 * own growth too: set that as high as glibc would have, so that the
	 * request path's heaps are not shrunk and grown again all the time. */
	mallopt(M_MMAP_THRESHOLD, 1024 * 1024);
	mallopt(M_TRIM_THRESHOLD, 2 * 1024 * 1024);
#endif
	if (cli_open(&kg, &cfg) != 0)
		goto out_config;
	if (signing_keys_open(&kg, err, sizeof(err)) != 0) {
		fprintf(stderr, "keygate serve: %s\n", err);
		cli_close(&kg);
		goto out_config;
	}
	if (resources_load(&kg) != 0) {
		fprintf(stderr, "keygate serve: the registered resources could "
		    "not be read from the store\n");
		signing_keys_close(&kg);
		cli_close(&kg);
		goto out_config;
	}
	if (!cfg.no_cimd && (kg.cimd = cimd_new_from(&cfg, err,
	    sizeof(err))) == NULL) {
		fprintf(stderr, "keygate serve: %s\n", err);
		signing_keys_close(&kg);
		cli_close(&kg);
		goto out_config;
	}
	keeper = start_hot_path(&kg);
	/* mail queued before this start (by another command, or before a
	 * restart) goes out from the first poll */
	kg.mailer = mailer_start(&kg);
	rc = serve_until_signal(&kg, &cfg);
	mailer_stop(kg.mailer);
	kg.mailer = NULL;
	stop_hot_path(&kg, keeper);
	cimd_free(kg.cimd);
	kg.cimd = NULL;
	signing_keys_close(&kg);
	cli_close(&kg);
out_config:
	config_release(&cfg);
	return rc;
}
