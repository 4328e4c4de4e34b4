/* keygate-bench-pace's response reader: a status line, headers and a
 * Content-Length body, fed as bytes arrive (bench/pace.c). */
#include "pace.h"

#include <string.h>
#include <strings.h>

/* a body this long is no answer of keygate's; it would only be counted */
#define PACE_BODY_MAX	UINT64_C(1000000000000)

void
pace_resp_init(struct pace_resp *r)
{
	r->head_len = 0;
	r->in_body = false;
	r->status = 0;
	r->close = false;
	r->body_left = 0;
	r->body_len = 0;
	r->why = NULL;
}

static enum pace_feed
bad(struct pace_resp *r, const char *why)
{
	r->why = why;
	return PACE_FEED_BAD;
}

/* "HTTP/1.x DDD ...": the status, and whether 1.0 closes by default. */
static int
parse_status_line(struct pace_resp *r, const char *p, size_t n)
{
	int s = 0;

	if (n < 12 || memcmp(p, "HTTP/1.", 7) != 0 ||
	    (p[7] != '0' && p[7] != '1') || p[8] != ' ')
		return -1;
	for (int i = 9; i < 12; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		s = s * 10 + (p[i] - '0');
	}
	if (n > 12 && p[12] != ' ')
		return -1;
	if (s < PACE_STATUS_MIN || s > PACE_STATUS_MAX)
		return -1;
	r->status = s;
	/* RFC 9112 §9.3: an HTTP/1.0 answer closes unless it says otherwise;
	 * a keep-alive HTTP/1.0 server is not worth the code here */
	r->close = p[7] == '0';
	return 0;
}

static int
parse_length(const char *v, size_t n, uint64_t *out)
{
	uint64_t x = 0;

	if (n == 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return -1;
		x = x * 10 + (uint64_t)(v[i] - '0');
		if (x > PACE_BODY_MAX)
			return -1;
	}
	*out = x;
	return 0;
}

/* Whether the comma-separated list v holds the token tok. */
static bool
has_token(const char *v, size_t n, const char *tok)
{
	size_t tl = strlen(tok), i = 0, j, a, b;

	while (i < n) {
		for (j = i; j < n && v[j] != ','; j++)
			;
		a = i;
		b = j;
		while (a < b && (v[a] == ' ' || v[a] == '\t'))
			a++;
		while (b > a && (v[b - 1] == ' ' || v[b - 1] == '\t'))
			b--;
		if (b - a == tl && strncasecmp(v + a, tok, tl) == 0)
			return true;
		i = j + 1;
	}
	return false;
}

/* One "Name: value" line (no CRLF): the framing headers into *r. */
static const char *
parse_header(struct pace_resp *r, const char *p, size_t n, bool *has_len)
{
	const char *colon = memchr(p, ':', n), *v;
	size_t name_len, vn;
	uint64_t len;

	if (colon == NULL || colon == p)
		return "a header line without a name";
	name_len = (size_t)(colon - p);
	v = colon + 1;
	vn = n - name_len - 1;
	while (vn > 0 && (*v == ' ' || *v == '\t'))
		v++, vn--;
	while (vn > 0 && (v[vn - 1] == ' ' || v[vn - 1] == '\t'))
		vn--;
	if (name_len == 14 && strncasecmp(p, "content-length", 14) == 0) {
		/* RFC 9112 §6.3: differing lengths make the framing unknown */
		if (parse_length(v, vn, &len) != 0 ||
		    (*has_len && len != r->body_left))
			return "a bad Content-Length";
		r->body_left = len;
		*has_len = true;
	} else if (name_len == 17 &&
	    strncasecmp(p, "transfer-encoding", 17) == 0) {
		return "a Transfer-Encoding (chunked bodies are not read)";
	} else if (name_len == 10 &&
	    strncasecmp(p, "connection", 10) == 0) {
		if (has_token(v, vn, "close"))
			r->close = true;
	}
	return NULL;
}

/* The head in r->head, n bytes up to and with its blank line. */
static const char *
parse_head(struct pace_resp *r, size_t n)
{
	const char *p = r->head, *end = r->head + n - 2, *eol, *why;
	bool has_len = false;

	eol = memmem(p, (size_t)(end - p), "\r\n", 2);
	if (eol == NULL || parse_status_line(r, p, (size_t)(eol - p)) != 0)
		return "not an HTTP/1.x status line";
	for (p = eol + 2; p < end; p = eol + 2) {
		eol = memmem(p, (size_t)(end - p), "\r\n", 2);
		why = parse_header(r, p, (size_t)(eol - p), &has_len);
		if (why != NULL)
			return why;
	}
	/* RFC 9110 §6.4.1: these never have a body */
	if (r->status < 200 || r->status == 204 || r->status == 304) {
		r->body_left = 0;
		return NULL;
	}
	if (!has_len)
		return "no Content-Length (a body up to the close is not read)";
	return NULL;
}

/* Takes bytes into the head; returns how many, or sets r->in_body (or
 * r->why) once the blank line is in. */
static size_t
feed_head(struct pace_resp *r, const char *p, size_t n)
{
	size_t old = r->head_len, take = PACE_HEAD_MAX - old, from;
	const char *blank;

	if (take > n)
		take = n;
	memcpy(r->head + old, p, take);
	r->head_len += take;
	/* the blank line may have begun in the bytes taken before */
	from = old > 3 ? old - 3 : 0;
	blank = memmem(r->head + from, r->head_len - from, "\r\n\r\n", 4);
	if (blank == NULL) {
		if (r->head_len == PACE_HEAD_MAX)
			r->why = "a response head over 16 KiB";
		return take;
	}
	r->head_len = (size_t)(blank + 4 - r->head);
	r->why = parse_head(r, r->head_len);
	r->in_body = r->why == NULL;
	return r->head_len - old;
}

enum pace_feed
pace_resp_feed(struct pace_resp *r, const char *p, size_t n, size_t *used)
{
	size_t took = 0, take;

	if (!r->in_body) {
		took = feed_head(r, p, n);
		if (r->why != NULL)
			return bad(r, r->why);
		if (!r->in_body)
			return PACE_FEED_MORE;
	}
	take = n - took;
	if (take > r->body_left)
		take = (size_t)r->body_left;
	if (r->body_len < PACE_SAMPLE_BYTES) {
		size_t keep = PACE_SAMPLE_BYTES - r->body_len;

		memcpy(r->body + r->body_len, p + took, take < keep ? take :
		    keep);
		r->body_len += take < keep ? take : keep;
	}
	r->body_left -= take;
	took += take;
	*used = took;
	return r->body_left == 0 ? PACE_FEED_DONE : PACE_FEED_MORE;
}
