#ifndef KEYGATE_BASE_BUF_H
#define KEYGATE_BASE_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "base/str.h"

/* A growable byte buffer with a cap. An append past the cap sets a sticky
 * ERR_TOOBIG in `err` and drops the bytes; check buf.err once at the end.
 * The contents are always NUL-terminated (not counted in len). */
struct buf {
	char	*p;
	size_t	 len;
	size_t	 cap;	/* allocated */
	size_t	 max;	/* hard limit on len */
	int	 err;
};

void	buf_init(struct buf *b, size_t max);
void	buf_release(struct buf *b);
void	buf_reset(struct buf *b);
void	buf_append(struct buf *b, const void *p, size_t n);
void	buf_puts(struct buf *b, const char *s);
void	buf_putstr(struct buf *b, struct str s);
/* `s` (valid UTF-8) as a quoted JSON string: quotes, backslashes and
 * control characters escaped, everything else as it is (RFC 8259 §7). */
void	buf_put_json_string(struct buf *b, const char *s);
void	buf_printf(struct buf *b, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
void	buf_vprintf(struct buf *b, const char *fmt, va_list ap)
	    __attribute__((format(printf, 2, 0)));
struct str buf_str(const struct buf *b);
/* Hands the heap string over to the caller (free() it); b is re-inited. */
char	*buf_detach(struct buf *b, size_t *len);

#endif
