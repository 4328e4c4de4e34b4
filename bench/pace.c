/* keygate-bench-pace: an open-loop load generator that measures latency
 * from each request's intended time, as wrk2 does (bench/README.md).
 *
 *   keygate-bench-pace --url http://127.0.0.1:PORT/PATH --rate R
 *       --duration S [--connections C] [--timeout S]
 *       [--tokens FILE [--draw N]] [--out FILE.json]
 *
 * Request k is due at t0 + k/R. A due request waits for a free connection
 * and is never dropped, and its latency runs from when it was due, not
 * from when it went out: a server that stalls for a second is charged
 * that second on every request that queued behind the stall. wrk's
 * delay() hook can do neither (it drops a backlog over 50 ms, and wrk
 * times a request from its send), which hides a stall: coordinated
 * omission. The result is one JSON object with bench.lua's members and
 * the pacing's own (target_rps, scheduled, unsent, achieved_rps,
 * max_lag_ms, behind), written to --out and after "RESULT " to stdout. */
#include "pace.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define PACE_MAX_RATE		1e6
#define PACE_MAX_DURATION_S	3600.0
#define PACE_MAX_TIMEOUT_S	600.0
#define PACE_MAX_CONNECTIONS	4096
/* one latency of 8 bytes each: 800 MB at most */
#define PACE_MAX_SLOTS		1e8
#define PACE_MAX_PATH		2048
#define PACE_MAX_TOKEN		2048

static const char *usage_text =
    "usage: keygate-bench-pace --url http://127.0.0.1:PORT/PATH "
    "--rate R --duration S\n"
    "           [--connections C (32)] [--timeout S (2)]\n"
    "           [--tokens FILE [--draw N]] [--out FILE.json]\n";

static void
usage_error(const char *why)
{
	if (why != NULL)
		fprintf(stderr, "keygate-bench-pace: %s\n", why);
	fputs(usage_text, stderr);
	exit(2);
}

static double
parse_num(const char *flag, const char *s, double min, double max)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !(v >= min) ||
	    v > max) {
		char why[128];

		snprintf(why, sizeof(why), "%s wants a number from %g to %g",
		    flag, min, max);
		usage_error(why);
	}
	return v;
}

/* http://HOST[:PORT][/PATH] with an IPv4 host (or localhost). */
static void
parse_url(struct pace_opts *o, const char *url)
{
	const char *h, *slash, *colon;
	char host[64];
	size_t hl;
	unsigned long port = 80;

	if (strncmp(url, "http://", 7) != 0)
		usage_error("--url must be http:// (plain HTTP/1.1 to an "
		    "IPv4 address; https and other schemes are not spoken)");
	h = url + 7;
	slash = strchr(h, '/');
	o->path = slash != NULL ? slash : "/";
	hl = slash != NULL ? (size_t)(slash - h) : strlen(h);
	if (hl == 0 || hl >= sizeof(host) || strlen(o->path) > PACE_MAX_PATH ||
	    strpbrk(o->path, " \r\n") != NULL)
		usage_error("--url: a bad host or path");
	memcpy(host, h, hl);
	host[hl] = '\0';
	snprintf(o->host, sizeof(o->host), "%s", host);
	colon = strchr(host, ':');
	if (colon != NULL) {
		char *end;

		errno = 0;
		port = strtoul(colon + 1, &end, 10);
		if (errno != 0 || end == colon + 1 || *end != '\0' ||
		    port == 0 || port > 65535)
			usage_error("--url: a bad port");
		host[colon - host] = '\0';
	}
	o->port = (uint16_t)port;
	if (strcmp(host, "localhost") == 0)
		snprintf(host, sizeof(host), "127.0.0.1");
	if (inet_pton(AF_INET, host, &o->addr) != 1)
		usage_error("--url: the host must be an IPv4 address");
}

/* Maps FILE: lines of one length, as bench/fill.c writes them. */
static void
tokens_open(struct pace_tokens *t, const char *path, uint64_t draw)
{
	struct stat sb;
	const char *nl;
	void *map;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &sb) != 0) {
		fprintf(stderr, "keygate-bench-pace: %s: %s\n", path,
		    strerror(errno));
		exit(1);
	}
	map = sb.st_size > 0 ? mmap(NULL, (size_t)sb.st_size, PROT_READ,
	    MAP_PRIVATE, fd, 0) : MAP_FAILED;
	close(fd);
	if (map == MAP_FAILED) {
		fprintf(stderr, "keygate-bench-pace: %s: empty or cannot be "
		    "mapped\n", path);
		exit(1);
	}
	t->map = map;
	t->map_len = (size_t)sb.st_size;
	nl = memchr(t->map, '\n', t->map_len);
	if (nl == NULL || nl == t->map || nl - t->map > PACE_MAX_TOKEN ||
	    t->map_len % (size_t)(nl - t->map + 1) != 0) {
		fprintf(stderr, "keygate-bench-pace: %s: not lines of one "
		    "length (up to %d bytes)\n", path, PACE_MAX_TOKEN);
		exit(1);
	}
	t->line_len = (size_t)(nl - t->map + 1);
	t->ndraw = t->map_len / t->line_len;
	if (draw > 0 && draw < t->ndraw)
		t->ndraw = draw;
}

/* splitmix64: uniform enough for picking tokens, and no libc state */
static uint64_t
next_random(uint64_t *s)
{
	uint64_t z = (*s += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

size_t
pace_tokens_draw(const struct pace_tokens *t, uint64_t *rng, char *buf,
    size_t cap)
{
	/* the modulo's bias is below 2^-30 for any file that fits a disk */
	uint64_t i = next_random(rng) % t->ndraw;
	const char *line = t->map + i * t->line_len;
	size_t n = t->line_len - 1;

	/* lines are right-padded with spaces where tokens vary in length */
	while (n > 0 && line[n - 1] == ' ')
		n--;
	if (n >= cap)
		n = cap - 1;
	memcpy(buf, line, n);
	buf[n] = '\0';
	return n;
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* The nearest-rank percentile of the n sorted latencies, in ms. */
static double
pct_ms(const int64_t *lat, uint64_t n, double p)
{
	uint64_t rank;

	if (n == 0)
		return 0;
	rank = (uint64_t)(p * (double)n);
	if ((double)rank < p * (double)n)
		rank++;
	return (double)lat[rank > 0 ? rank - 1 : 0] / 1e6;
}

/* bench.lua's json_string, and bytes above 0x7f escaped too: a body's
 * bytes need not be UTF-8, and the JSON must be */
static void
put_json_string(FILE *fp, const char *s)
{
	fputc('"', fp);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p < 0x20 || *p >= 0x7f || *p == '"' || *p == '\\')
			fprintf(fp, "\\u%04x", *p);
		else
			fputc(*p, fp);
	}
	fputc('"', fp);
}

static uint64_t
count_non2xx(const struct pace_stats *st)
{
	uint64_t n = 0;

	for (int s = PACE_STATUS_MIN; s <= PACE_STATUS_MAX; s++)
		if (s < 200 || s > 299)
			n += st->status[s];
	return n;
}

static void
put_status(FILE *fp, const struct pace_stats *st)
{
	const char *sep = "";

	fputs("\"status\": {", fp);
	for (int s = PACE_STATUS_MIN; s <= PACE_STATUS_MAX; s++) {
		if (st->status[s] == 0)
			continue;
		fprintf(fp, "%s\"%d\": %" PRIu64, sep, s, st->status[s]);
		sep = ", ";
	}
	fputs("}, \"samples\": [", fp);
	for (int i = 0; i < st->nsamples; i++) {
		fputs(i > 0 ? ", " : "", fp);
		put_json_string(fp, st->samples[i]);
	}
	fputs("], ", fp);
}

/* The result, in the members bench.lua's done() writes, then the pace's. */
static void
report(FILE *fp, const struct pace_opts *o, struct pace_stats *st)
{
	uint64_t n = st->responses;
	double sum = 0, rps = (double)n / o->duration_s;
	bool behind;

	qsort(st->lat_ns, n, sizeof(*st->lat_ns), cmp_i64);
	for (uint64_t i = 0; i < n; i++)
		sum += (double)st->lat_ns[i] / 1e6;
	/* the runner judges: a run that could not keep the pace is marked,
	 * never failed here */
	behind = (double)st->unsent > 0.01 * (double)st->scheduled ||
	    rps < 0.97 * o->rate;
	fprintf(fp, "{\"responses\": %" PRIu64 ", \"handed\": %" PRIu64
	    ", \"duration_s\": %.4f, \"rps\": %.1f, \"p50_ms\": %.3f, "
	    "\"p90_ms\": %.3f, \"p99_ms\": %.3f, \"p999_ms\": %.3f, "
	    "\"max_ms\": %.3f, \"mean_ms\": %.3f, ", n, st->handed,
	    o->duration_s, rps, pct_ms(st->lat_ns, n, 0.5),
	    pct_ms(st->lat_ns, n, 0.9), pct_ms(st->lat_ns, n, 0.99),
	    pct_ms(st->lat_ns, n, 0.999), pct_ms(st->lat_ns, n, 1.0),
	    n > 0 ? sum / (double)n : 0);
	fprintf(fp, "\"non2xx\": %" PRIu64 ", \"inactive\": 0, "
	    "\"exhausted\": false, \"errors\": {\"connect\": %" PRIu64
	    ", \"read\": %" PRIu64
	    ", \"write\": %" PRIu64 ", \"timeout\": %" PRIu64 "}, ",
	    count_non2xx(st), st->err_connect, st->err_read, st->err_write,
	    st->err_timeout);
	put_status(fp, st);
	fprintf(fp, "\"target_rps\": %.3f, \"scheduled\": %" PRIu64
	    ", \"unsent\": %" PRIu64 ", \"achieved_rps\": %.1f, "
	    "\"max_lag_ms\": %.3f, \"behind\": %s}\n", o->rate,
	    st->scheduled, st->unsent, rps, (double)st->max_lag_ns / 1e6,
	    behind ? "true" : "false");
}

/* The command line into *o; the file names through out and tokens. */
static void
parse_args(int argc, char **argv, struct pace_opts *o, const char **out,
    const char **tokens, uint64_t *draw)
{
	const char *url = NULL;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] :
		    NULL;

		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			fputs(usage_text, stdout);
			exit(0);
		}
		if (v == NULL)
			usage_error(strncmp(a, "--", 2) == 0 ?
			    "a flag without its value" : "an unknown argument");
		i++;
		if (strcmp(a, "--url") == 0)
			url = v;
		else if (strcmp(a, "--rate") == 0)
			o->rate = parse_num(a, v, 1e-3, PACE_MAX_RATE);
		else if (strcmp(a, "--duration") == 0)
			o->duration_s = parse_num(a, v, 1e-3,
			    PACE_MAX_DURATION_S);
		else if (strcmp(a, "--timeout") == 0)
			o->timeout_s = parse_num(a, v, 1e-3,
			    PACE_MAX_TIMEOUT_S);
		else if (strcmp(a, "--connections") == 0)
			o->connections = (int)parse_num(a, v, 1,
			    PACE_MAX_CONNECTIONS);
		else if (strcmp(a, "--tokens") == 0)
			*tokens = v;
		else if (strcmp(a, "--draw") == 0)
			*draw = (uint64_t)parse_num(a, v, 1, 1e12);
		else if (strcmp(a, "--out") == 0)
			*out = v;
		else
			usage_error("an unknown flag");
	}
	if (url == NULL || o->rate == 0 || o->duration_s == 0)
		usage_error("--url, --rate and --duration are needed");
	if (o->rate * o->duration_s > PACE_MAX_SLOTS)
		usage_error("--rate times --duration is over 10^8 requests");
	parse_url(o, url);
}

static void
write_out(const char *path, const char *json)
{
	FILE *fp = fopen(path, "w");

	if (fp == NULL || fputs(json, fp) == EOF || fclose(fp) != 0) {
		fprintf(stderr, "keygate-bench-pace: %s: %s\n", path,
		    strerror(errno));
		exit(1);
	}
}

int
main(int argc, char **argv)
{
	struct pace_opts o = { .connections = 32, .timeout_s = 2 };
	struct pace_stats *st;
	struct pace_tokens tokens;
	const char *out = NULL, *tokens_path = NULL;
	uint64_t draw = 0;
	char *json = NULL;
	size_t json_len = 0;
	FILE *fp;

	parse_args(argc, argv, &o, &out, &tokens_path, &draw);
	if (tokens_path != NULL) {
		tokens_open(&tokens, tokens_path, draw);
		o.tokens = &tokens;
	}
	/* the status counts are 4.8 KB: not for the stack of a test's
	 * small thread, and zeroed */
	st = calloc(1, sizeof(*st));
	if (st == NULL || pace_run(&o, st) != 0)
		return 1;
	fp = open_memstream(&json, &json_len);
	if (fp == NULL)
		return 1;
	report(fp, &o, st);
	if (fclose(fp) != 0)
		return 1;
	if (out != NULL)
		write_out(out, json);
	printf("RESULT %s", json);
	free(json);
	free(st->lat_ns);
	free(st);
	if (o.tokens != NULL)
		munmap((void *)tokens.map, tokens.map_len);
	return 0;
}
