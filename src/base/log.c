#include "base/log.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/limits.h"

#define LOG_LINE_MAX	2048

static bool
needs_quotes(struct str v)
{
	if (v.len == 0)
		return true;
	for (size_t i = 0; i < v.len; i++)
		if (v.p[i] == ' ' || v.p[i] == '"' || v.p[i] == '=' ||
		    v.p[i] == '\\')
			return true;
	return false;
}

static void
put_value(struct buf *b, struct str v, size_t max)
{
	bool quote = needs_quotes(v);
	size_t n = v.len > max ? max : v.len;

	if (quote)
		buf_append(b, "\"", 1);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)v.p[i];

		if (c == '"' || c == '\\') {
			buf_append(b, "\\", 1);
			buf_append(b, &v.p[i], 1);
		} else if (c < 0x20 || c >= 0x7f) {
			buf_append(b, "?", 1);
		} else {
			buf_append(b, &v.p[i], 1);
		}
	}
	if (n < v.len)
		buf_append(b, "...", 3);
	if (quote)
		buf_append(b, "\"", 1);
}

void
log_kv(struct buf *b, const char *key, const char *value)
{
	buf_printf(b, "%s%s=", b->len > 0 ? " " : "", key);
	put_value(b, str_from(value), LOG_LINE_MAX);
}

void
log_kv_client(struct buf *b, const char *key, struct str value)
{
	buf_printf(b, "%s%s=", b->len > 0 ? " " : "", key);
	put_value(b, value, LOG_MAX_FIELD_BYTES);
}

void
log_emit(struct buf *b)
{
	ssize_t w;

	buf_append(b, "\n", 1);
	if (b->err != 0)
		return;
	w = write(STDERR_FILENO, b->p, b->len);
	(void)w;
}

void
log_msg(const char *level, const char *fmt, ...)
{
	char msg[512];
	struct buf b;
	struct timespec ts;
	struct tm tm;
	char when[32];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	buf_init(&b, LOG_LINE_MAX);
	log_kv(&b, "ts", when);
	log_kv(&b, "level", level);
	log_kv(&b, "msg", msg);
	log_emit(&b);
	buf_release(&b);
}
