#ifndef KEYGATE_BASE_LOG_H
#define KEYGATE_BASE_LOG_H

#include <stddef.h>

#include "base/buf.h"
#include "base/str.h"

/* logfmt lines on stderr, one write(2) each so lines from several threads
 * never interleave. Never pass a secret, token, code or password here. */

/* Appends ` key=value` to b, quoting the value when needed; client-provided
 * values go through log_kv_client, which cuts them to LOG_MAX_FIELD_BYTES
 * and replaces non-printable bytes with '?'. */
void	log_kv(struct buf *b, const char *key, const char *value);
void	log_kv_client(struct buf *b, const char *key, struct str value);

/* Writes b's contents plus a newline to stderr as one line. */
void	log_emit(struct buf *b);

/* A one-off message: `level=... msg="..."`. */
void	log_msg(const char *level, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

#endif
