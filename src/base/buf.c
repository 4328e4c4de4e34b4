#include "base/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/mem.h"

void
buf_init(struct buf *b, size_t max)
{
	b->p = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
	b->err = 0;
}

void
buf_release(struct buf *b)
{
	free(b->p);
	buf_init(b, b->max);
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	b->err = 0;
	if (b->p != NULL)
		b->p[0] = '\0';
}

static int
reserve(struct buf *b, size_t extra)
{
	size_t want;

	if (b->err != 0)
		return b->err;
	if (extra > b->max - b->len) {
		b->err = ERR_TOOBIG;
		return b->err;
	}
	want = b->len + extra + 1;
	if (want > b->cap) {
		size_t cap = b->cap == 0 ? 256 : b->cap;

		while (cap < want)
			cap *= 2;
		b->p = xrealloc(b->p, cap);
		b->cap = cap;
	}
	return 0;
}

void
buf_append(struct buf *b, const void *p, size_t n)
{
	if (reserve(b, n) != 0)
		return;
	if (n > 0)
		memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void
buf_puts(struct buf *b, const char *s)
{
	buf_append(b, s, strlen(s));
}

void
buf_putstr(struct buf *b, struct str s)
{
	buf_append(b, s.p, s.len);
}

void
buf_put_json_string(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const char *run = s;
	char esc[7];

	buf_append(b, "\"", 1);
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		buf_append(b, run, (size_t)(s - run));
		run = s + 1;
		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			buf_append(b, esc, 2);
		} else {
			memcpy(esc, "\\u00", 4);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			buf_append(b, esc, 6);
		}
	}
	buf_append(b, run, (size_t)(s - run));
	buf_append(b, "\"", 1);
}

void
buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	int n;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0 || reserve(b, (size_t)n) != 0) {
		if (b->err == 0)
			b->err = ERR_INVALID;
		return;
	}
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(b, fmt, ap);
	va_end(ap);
}

struct str
buf_str(const struct buf *b)
{
	return (struct str){ b->p == NULL ? "" : b->p, b->len };
}

char *
buf_detach(struct buf *b, size_t *len)
{
	char *p = b->p;

	if (p == NULL)
		p = xstrdup("");
	if (len != NULL)
		*len = b->len;
	buf_init(b, b->max);
	return p;
}
