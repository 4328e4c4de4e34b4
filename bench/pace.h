/* keygate-bench-pace (bench/pace.c): the pieces its files share. */
#ifndef KEYGATE_BENCH_PACE_H
#define KEYGATE_BENCH_PACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* a response head larger than this is an error: keygate's are < 1 KiB */
#define PACE_HEAD_MAX		16384
/* the bytes of a non-2xx body kept as a sample, as bench.lua keeps */
#define PACE_SAMPLE_BYTES	300
#define PACE_MAX_SAMPLES	3
#define PACE_STATUS_MIN		100
#define PACE_STATUS_MAX		599

enum pace_feed {
	PACE_FEED_MORE,		/* all taken, the response goes on */
	PACE_FEED_DONE,		/* a whole response; *used bytes taken */
	PACE_FEED_BAD		/* not a response this tool reads */
};

/* One response being read, fed as its bytes arrive. */
struct pace_resp {
	char		 head[PACE_HEAD_MAX];
	size_t		 head_len;
	bool		 in_body;
	int		 status;
	bool		 close;		/* Connection: close */
	uint64_t	 body_left;
	char		 body[PACE_SAMPLE_BYTES];
	size_t		 body_len;
	const char	*why;		/* PACE_FEED_BAD: why, static */
};

/* Empties *r for the next response. */
void	pace_resp_init(struct pace_resp *r);

/* Takes up to n bytes of p into *r. Returns PACE_FEED_DONE with *used set
 * to the bytes that belonged to this response, PACE_FEED_MORE when all n
 * were taken and more is awaited, PACE_FEED_BAD with r->why set when the
 * bytes are no HTTP/1.1 response with a Content-Length (chunked bodies
 * and bodies up to the close are refused: keygate sends neither). */
enum pace_feed	pace_resp_feed(struct pace_resp *r, const char *p,
		    size_t n, size_t *used);

/* What one run did, for the report. */
struct pace_stats {
	uint64_t	 scheduled;	/* slots due in [t0, t0 + S) */
	uint64_t	 handed;	/* requests sent */
	uint64_t	 responses;
	uint64_t	 unsent;
	int64_t		*lat_ns;	/* a response each, ns */
	int64_t		 max_lag_ns;	/* send - intended time */
	uint64_t	 err_connect, err_read, err_write, err_timeout;
	uint64_t	 status[PACE_STATUS_MAX + 1];
	char		 samples[PACE_MAX_SAMPLES][PACE_SAMPLE_BYTES + 8];
	int		 nsamples;
};

/* The tokens of --tokens, mapped: line i is one multiplication away. */
struct pace_tokens {
	const char	*map;
	size_t		 map_len;
	size_t		 line_len;	/* with its newline */
	uint64_t	 ndraw;
};

/* What the loop needs of the command line. */
struct pace_opts {
	uint32_t		 addr;		/* network order */
	uint16_t		 port;		/* host order */
	char			 host[300];	/* for the Host header */
	const char		*path;
	double			 rate;
	double			 duration_s;
	double			 timeout_s;
	int			 connections;
	struct pace_tokens	*tokens;	/* NULL: no Authorization */
};

/* Runs the schedule of *o and fills *st (st->lat_ns is allocated here,
 * the caller frees it). Returns 0, or -1 after printing why the run
 * could not start. */
int	pace_run(const struct pace_opts *o, struct pace_stats *st);

/* Copies a token drawn at random into buf (at most cap - 1 bytes, NUL
 * ended, trailing padding trimmed); returns its length. */
size_t	pace_tokens_draw(const struct pace_tokens *t, uint64_t *rng,
	    char *buf, size_t cap);

#endif
