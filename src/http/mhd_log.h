#ifndef KEYGATE_HTTP_MHD_LOG_H
#define KEYGATE_HTTP_MHD_LOG_H

#include <stdarg.h>

/* libmicrohttpd's external logger for every daemon keygate starts: one
 * "warn" line, prefixed with the const char * given as `cls` ("http",
 * "metrics listener"); at most 10 a second, the rest counted, and the
 * count said before the first line of a later second, or by
 * mhd_log_flush() (the server's stop calls it). The attribute
 * tells clang that fmt comes from libmicrohttpd's own literals (its
 * -Wformat-nonliteral would refuse the vsnprintf otherwise). */
void	mhd_log(void *cls, const char *fmt, va_list ap)
	    __attribute__((format(printf, 2, 0)));
void	mhd_log_flush(void);

#endif
