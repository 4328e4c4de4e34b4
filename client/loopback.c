/* The loopback redirect listener (RFC 8252 §7.3): it reads one request
 * head per connection, bounded in size and time, and stops at the first
 * GET of the redirect path. */
#include "client_int.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define HEAD_MAX	8192
#define CONN_TIMEOUT_MS	10000

static const char page_ok[] =
    "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
    "Cache-Control: no-store\r\nConnection: close\r\n\r\n"
    "<!doctype html><title>keygate</title><p>The authorization reached "
    "the client. You may close this window.</p>\n";
static const char page_404[] =
    "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n"
    "Connection: close\r\n\r\n";

void
kg_redirect_release(struct kg_redirect *r)
{
	kg_free_secret(r->code);
	free(r->state);
	free(r->iss);
	free(r->error);
	free(r->error_description);
	memset(r, 0, sizeof(*r));
}

static int64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int
hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* Percent-decodes s[0..n) ('+' is a space, as in a form); NULL when
 * malformed or when it decodes to a NUL. */
static char *
decode(const char *s, size_t n)
{
	char *out = malloc(n + 1), *o = out;
	size_t i;
	int hi, lo;

	if (out == NULL)
		abort();
	for (i = 0; i < n; i++) {
		if (s[i] == '%') {
			if (i + 2 >= n)
				goto bad;
			hi = hexval(s[i + 1]);
			lo = hexval(s[i + 2]);
			if (hi < 0 || lo < 0 || (hi | lo) == 0)
				goto bad;
			*o++ = (char)(hi << 4 | lo);
			i += 2;
		} else {
			*o++ = s[i] == '+' ? ' ' : s[i];
		}
	}
	*o = '\0';
	return out;
bad:
	free(out);
	return NULL;
}

static char **
slot(struct kg_redirect *r, const char *name, size_t n)
{
	static const char *const names[] = { "code", "state", "iss", "error",
	    "error_description" };
	char **slots[] = { &r->code, &r->state, &r->iss, &r->error,
	    &r->error_description };
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(*names); i++)
		if (strlen(names[i]) == n && memcmp(names[i], name, n) == 0)
			return slots[i];
	return NULL;
}

/* The query of the redirect; a repeated parameter fails (RFC 6749 §3.1
 * asks the same of the server). */
static int
parse_query(const char *q, size_t n, struct kg_redirect *r)
{
	const char *end = q + n, *amp, *eq;
	char **dst;

	while (q < end) {
		amp = memchr(q, '&', (size_t)(end - q));
		if (amp == NULL)
			amp = end;
		eq = memchr(q, '=', (size_t)(amp - q));
		if (eq != NULL && (dst = slot(r, q, (size_t)(eq - q))) != NULL) {
			if (*dst != NULL)
				return -1;
			*dst = decode(eq + 1, (size_t)(amp - eq - 1));
			if (*dst == NULL)
				return -1;
		}
		q = amp + 1;
	}
	return 0;
}

/* Reads a request head into buf (NUL-terminated) within the deadline. */
static int
read_head(int fd, char *buf, size_t cap, int64_t deadline)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	size_t len = 0;
	ssize_t n;

	while (len + 1 < cap) {
		int64_t left = deadline - mono_ms();

		if (left <= 0 || poll(&p, 1, (int)left) <= 0)
			return -1;
		n = recv(fd, buf + len, cap - 1 - len, 0);
		if (n <= 0)
			return -1;
		len += (size_t)n;
		buf[len] = '\0';
		if (strstr(buf, "\r\n\r\n") != NULL || strstr(buf, "\n\n"))
			return 0;
	}
	return -1;
}

/* 1: the redirect (r filled), 0: another request, -1: unreadable. */
static int
serve_one(int conn, const char *path, int64_t deadline, struct kg_redirect *r)
{
	char head[HEAD_MAX], *target, *sp, *q;
	size_t plen = strlen(path);
	int64_t conn_deadline = mono_ms() + CONN_TIMEOUT_MS;

	if (conn_deadline > deadline)
		conn_deadline = deadline;
	if (read_head(conn, head, sizeof(head), conn_deadline) != 0)
		return -1;
	if (strncmp(head, "GET ", 4) != 0)
		goto not_found;
	target = head + 4;
	sp = strchr(target, ' ');
	if (sp == NULL)
		goto not_found;
	*sp = '\0';
	q = strchr(target, '?');
	if (strncmp(target, path, plen) != 0 || (target[plen] != '\0' &&
	    target + plen != q))
		goto not_found;
	if (q == NULL || parse_query(q + 1, strlen(q + 1), r) != 0) {
		kg_redirect_release(r);
		goto not_found;
	}
	(void)send(conn, page_ok, sizeof(page_ok) - 1, MSG_NOSIGNAL);
	return 1;
not_found:
	(void)send(conn, page_404, sizeof(page_404) - 1, MSG_NOSIGNAL);
	return 0;
}

int
kg_loopback_wait(int fd, const char *path, int timeout_s,
    struct kg_redirect *r)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int64_t deadline = mono_ms() + (int64_t)timeout_s * 1000;
	int conn, got = 0;

	memset(r, 0, sizeof(*r));
	while (got != 1) {
		int64_t left = deadline - mono_ms();

		if (left <= 0)
			return kg_err(KG_CLIENT_ERR_TIMEOUT, "no redirect "
			    "within %d s", timeout_s);
		if (poll(&p, 1, (int)left) <= 0)
			continue;
		conn = accept(fd, NULL, NULL);
		if (conn < 0)
			continue;
		got = serve_one(conn, path, deadline, r);
		close(conn);
	}
	return 0;
}
