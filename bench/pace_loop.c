/* keygate-bench-pace's event loop: one thread, epoll, a timerfd for the
 * schedule, keep-alive connections (bench/pace.c). */
#include "pace.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#define PACE_REQ_MAX		8192
/* a refused connect is tried again after this, not in a busy loop */
#define PACE_RETRY_NS		INT64_C(50000000)
#define PACE_NS			INT64_C(1000000000)

enum conn_state { CONN_DOWN, CONN_CONNECTING, CONN_FREE, CONN_BUSY };

struct conn {
	int		 fd;
	enum conn_state	 state;
	int64_t		 retry_at;	/* CONN_DOWN: reconnect at */
	int64_t		 intended;	/* CONN_BUSY: its slot's */
	int64_t		 deadline;
	char		 req[PACE_REQ_MAX];
	size_t		 req_len, req_off;
	struct pace_resp resp;
};

struct loop {
	const struct pace_opts	*o;
	struct pace_stats	*st;
	struct conn		*conns;
	int			 ep, tfd;
	int64_t			 t0, end;
	uint64_t		 next;		/* the slot to send next */
	bool			 closed;	/* past t0 + S: sends no more */
	uint64_t		 rng;
	int64_t			 timeout_ns;
	const char		*warned;	/* the last reason printed */
};

static int64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * PACE_NS + ts.tv_nsec;
}

/* Slot k's intended time: computed from k, never by adding intervals,
 * so rounding does not drift over a long run. */
static int64_t
slot_offset(double rate, uint64_t k)
{
	return (int64_t)((double)k * 1e9 / rate);
}

static int64_t
intended(const struct loop *l, uint64_t k)
{
	return l->t0 + slot_offset(l->o->rate, k);
}

/* The slots due before the end, counted in the nanoseconds the loop
 * compares, so that a product like 0.3 x 20 rounding either way cannot
 * schedule a slot that falls on the end. */
static uint64_t
count_slots(double rate, int64_t dur_ns)
{
	uint64_t n = (uint64_t)(rate * (double)dur_ns / 1e9);

	while (n > 0 && slot_offset(rate, n - 1) >= dur_ns)
		n--;
	while (slot_offset(rate, n) < dur_ns)
		n++;
	return n;
}

static void
conn_drop(struct conn *c, int64_t retry_at)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->state = CONN_DOWN;
	c->retry_at = retry_at;
}

static void
watch(struct loop *l, struct conn *c, uint32_t events, int op)
{
	struct epoll_event ev = { .events = events, .data.ptr = c };

	if (epoll_ctl(l->ep, op, c->fd, &ev) != 0) {
		perror("keygate-bench-pace: epoll_ctl");
		exit(1);
	}
}

static void
conn_open(struct loop *l, struct conn *c, int64_t now)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	int one = 1;

	sa.sin_addr.s_addr = l->o->addr;
	sa.sin_port = htons(l->o->port);
	c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (c->fd < 0) {
		l->st->err_connect++;
		conn_drop(c, now + PACE_RETRY_NS);
		return;
	}
	/* a request is one small write: Nagle would only hold it back */
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 &&
	    errno != EINPROGRESS) {
		l->st->err_connect++;
		conn_drop(c, now + PACE_RETRY_NS);
		return;
	}
	c->state = CONN_CONNECTING;
	watch(l, c, EPOLLOUT, EPOLL_CTL_ADD);
}

static void
conn_connected(struct loop *l, struct conn *c, int64_t now)
{
	int err = 0;
	socklen_t len = sizeof(err);

	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 ||
	    err != 0) {
		l->st->err_connect++;
		conn_drop(c, now + PACE_RETRY_NS);
		return;
	}
	c->state = CONN_FREE;
	watch(l, c, EPOLLIN, EPOLL_CTL_MOD);
}

static void
format_request(struct loop *l, struct conn *c)
{
	char tok[PACE_REQ_MAX / 2];
	int n;

	if (l->o->tokens == NULL) {
		n = snprintf(c->req, sizeof(c->req), "GET %s HTTP/1.1\r\n"
		    "Host: %s\r\n\r\n", l->o->path, l->o->host);
	} else {
		pace_tokens_draw(l->o->tokens, &l->rng, tok, sizeof(tok));
		n = snprintf(c->req, sizeof(c->req), "GET %s HTTP/1.1\r\n"
		    "Host: %s\r\nAuthorization: Bearer %s\r\n\r\n",
		    l->o->path, l->o->host, tok);
	}
	/* the path and the token line were capped when they were read */
	c->req_len = n > 0 && (size_t)n < sizeof(c->req) ? (size_t)n : 0;
	c->req_off = 0;
}

/* Writes what is left of c's request; false when the connection died. */
static bool
conn_flush(struct loop *l, struct conn *c, int64_t now)
{
	while (c->req_off < c->req_len) {
		ssize_t n = send(c->fd, c->req + c->req_off,
		    c->req_len - c->req_off, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			watch(l, c, EPOLLIN | EPOLLOUT, EPOLL_CTL_MOD);
			return true;
		}
		if (n <= 0) {
			l->st->err_write++;
			conn_drop(c, now);
			return false;
		}
		c->req_off += (size_t)n;
	}
	return true;
}

static void
conn_send(struct loop *l, struct conn *c, int64_t due, int64_t now)
{
	format_request(l, c);
	pace_resp_init(&c->resp);
	c->state = CONN_BUSY;
	c->intended = due;
	c->deadline = now + l->timeout_ns;
	l->st->handed++;
	if (now - due > l->st->max_lag_ns)
		l->st->max_lag_ns = now - due;
	conn_flush(l, c, now);
}

static void
record(struct loop *l, struct conn *c, int64_t now)
{
	struct pace_stats *st = l->st;
	struct pace_resp *r = &c->resp;

	st->lat_ns[st->responses++] = now - c->intended;
	st->status[r->status]++;
	if ((r->status < 200 || r->status > 299) &&
	    st->nsamples < PACE_MAX_SAMPLES) {
		snprintf(st->samples[st->nsamples++],
		    sizeof(st->samples[0]), "%d %.*s", r->status,
		    (int)r->body_len, r->body);
	}
}

static void
warn_once(struct loop *l, const char *why)
{
	if (l->warned == why)
		return;
	l->warned = why;
	fprintf(stderr, "keygate-bench-pace: a response with %s: counted as "
	    "a read error\n", why);
}

/* Feeds what the socket holds to the response being read. */
static void
conn_read(struct loop *l, struct conn *c, int64_t now)
{
	char buf[16384];
	ssize_t n;
	size_t used = 0;
	enum pace_feed f;

	n = recv(c->fd, buf, sizeof(buf), 0);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		/* an idle keep-alive connection the server closed is no
		 * error: it is opened again */
		if (c->state == CONN_BUSY)
			l->st->err_read++;
		conn_drop(c, now);
		return;
	}
	if (c->state != CONN_BUSY) {
		l->st->err_read++;
		conn_drop(c, now);
		return;
	}
	f = pace_resp_feed(&c->resp, buf, (size_t)n, &used);
	if (f == PACE_FEED_MORE)
		return;
	if (f == PACE_FEED_BAD) {
		warn_once(l, c->resp.why);
		l->st->err_read++;
		conn_drop(c, now);
		return;
	}
	record(l, c, now);
	/* bytes past the answer were never asked for */
	if (used < (size_t)n || c->resp.close) {
		if (used < (size_t)n)
			l->st->err_read++;
		conn_drop(c, now);
		return;
	}
	c->state = CONN_FREE;
	watch(l, c, EPOLLIN, EPOLL_CTL_MOD);
}

static void
on_event(struct loop *l, struct conn *c, uint32_t ev, int64_t now)
{
	if (c->state == CONN_CONNECTING) {
		conn_connected(l, c, now);
		return;
	}
	if ((ev & EPOLLOUT) && c->state == CONN_BUSY &&
	    c->req_off < c->req_len) {
		if (!conn_flush(l, c, now))
			return;
		if (c->req_off == c->req_len)
			watch(l, c, EPOLLIN, EPOLL_CTL_MOD);
	}
	if (ev & (EPOLLIN | EPOLLHUP | EPOLLERR))
		conn_read(l, c, now);
}

/* Sends the oldest due slots on free connections, reopens those whose
 * time has come, times out the late ones; returns the next moment that
 * needs the loop awake (INT64_MAX: only a socket event will do). */
static int64_t
tend(struct loop *l, int64_t now)
{
	int64_t wake = INT64_MAX;

	if (!l->closed && now >= l->end) {
		l->closed = true;
		l->st->unsent = l->st->scheduled - l->next;
	}
	for (int i = 0; i < l->o->connections; i++) {
		struct conn *c = &l->conns[i];

		if (c->state == CONN_BUSY && now >= c->deadline) {
			/* its slot is not sent again: it was late */
			l->st->err_timeout++;
			conn_drop(c, now);
		}
		if (c->state == CONN_DOWN && !l->closed && now >= c->retry_at)
			conn_open(l, c, now);
		if (c->state == CONN_FREE && !l->closed &&
		    l->next < l->st->scheduled &&
		    intended(l, l->next) <= now) {
			conn_send(l, c, intended(l, l->next), now);
			l->next++;
		}
		if (c->state == CONN_BUSY && c->deadline < wake)
			wake = c->deadline;
		if (c->state == CONN_DOWN && !l->closed && c->retry_at < wake)
			wake = c->retry_at;
		if (c->state == CONN_FREE && !l->closed &&
		    l->next < l->st->scheduled &&
		    intended(l, l->next) < wake)
			wake = intended(l, l->next);
	}
	if (!l->closed && l->end < wake)
		wake = l->end;
	return wake;
}

/* Whether no request is out any more after the end. */
static bool
finished(const struct loop *l)
{
	if (!l->closed)
		return false;
	for (int i = 0; i < l->o->connections; i++)
		if (l->conns[i].state == CONN_BUSY)
			return false;
	return true;
}

/* Sleeps until `wake` or a socket event: the timerfd wakes at the slot's
 * nanosecond without spinning (another load generator shares the core). */
static void
wait_events(struct loop *l, int64_t wake, int64_t now)
{
	struct epoll_event evs[64];
	struct itimerspec its = { 0 };
	int n, timeout = -1;

	if (wake <= now)
		timeout = 0;
	else if (wake != INT64_MAX) {
		its.it_value.tv_sec = wake / PACE_NS;
		its.it_value.tv_nsec = wake % PACE_NS;
		timerfd_settime(l->tfd, TFD_TIMER_ABSTIME, &its, NULL);
	}
	n = epoll_wait(l->ep, evs, 64, timeout);
	if (n < 0 && errno != EINTR) {
		perror("keygate-bench-pace: epoll_wait");
		exit(1);
	}
	now = now_ns();
	for (int i = 0; i < n; i++) {
		if (evs[i].data.ptr == NULL) {
			uint64_t ticks;

			if (read(l->tfd, &ticks, sizeof(ticks)) < 0 &&
			    errno != EAGAIN)
				perror("keygate-bench-pace: timerfd");
			continue;
		}
		on_event(l, evs[i].data.ptr, evs[i].events, now);
	}
}

/* Whether a connection is still being opened. */
static bool
connecting(const struct loop *l)
{
	for (int i = 0; i < l->o->connections; i++)
		if (l->conns[i].state == CONN_CONNECTING)
			return true;
	return false;
}

static int
loop_init(struct loop *l, const struct pace_opts *o, struct pace_stats *st)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = NULL };

	memset(l, 0, sizeof(*l));
	l->o = o;
	l->st = st;
	l->timeout_ns = (int64_t)(o->timeout_s * 1e9);
	l->rng = (uint64_t)now_ns() ^ ((uint64_t)getpid() << 32);
	l->ep = epoll_create1(EPOLL_CLOEXEC);
	l->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (l->ep < 0 || l->tfd < 0 ||
	    epoll_ctl(l->ep, EPOLL_CTL_ADD, l->tfd, &ev) != 0) {
		perror("keygate-bench-pace: epoll");
		return -1;
	}
	l->conns = calloc((size_t)o->connections, sizeof(*l->conns));
	st->lat_ns = calloc(st->scheduled + 1, sizeof(*st->lat_ns));
	if (l->conns == NULL || st->lat_ns == NULL) {
		fprintf(stderr, "keygate-bench-pace: out of memory\n");
		return -1;
	}
	for (int i = 0; i < o->connections; i++) {
		l->conns[i].fd = -1;
		l->conns[i].state = CONN_DOWN;
	}
	return 0;
}

int
pace_run(const struct pace_opts *o, struct pace_stats *st)
{
	struct loop l;
	int64_t now;

	st->scheduled = count_slots(o->rate, (int64_t)(o->duration_s * 1e9));
	if (loop_init(&l, o, st) != 0)
		return -1;
	/* connections open before t0, as wrk's do before its clock runs */
	now = now_ns();
	for (int i = 0; i < o->connections; i++)
		conn_open(&l, &l.conns[i], now);
	while (connecting(&l) && now_ns() - now < PACE_NS)
		wait_events(&l, now + PACE_NS, now_ns());
	l.t0 = now_ns();
	l.end = l.t0 + (int64_t)(o->duration_s * 1e9);
	for (;;) {
		int64_t wake;

		now = now_ns();
		wake = tend(&l, now);
		if (finished(&l))
			break;
		wait_events(&l, wake, now);
	}
	for (int i = 0; i < o->connections; i++)
		if (l.conns[i].fd >= 0)
			close(l.conns[i].fd);
	free(l.conns);
	close(l.tfd);
	close(l.ep);
	return 0;
}
