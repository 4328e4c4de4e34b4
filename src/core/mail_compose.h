#ifndef KEYGATE_CORE_MAIL_COMPOSE_H
#define KEYGATE_CORE_MAIL_COMPOSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

/* Plain-text mail as RFC 5322 messages: pure functions, the time and the
 * Message-ID's randomness handed in. */

/* What one message is made of. Every string is NUL-terminated. */
struct mail_parts {
	const char	*from;		/* an address (mail_address_ok()) */
	const char	*to;		/* an address */
	const char	*subject;	/* one line of UTF-8 */
	const char	*body;		/* UTF-8, "\n" or "\r\n" line ends */
	int64_t		 date;		/* Unix seconds */
	const char	*id_left;	/* Message-ID: <id_left@id_right> */
	const char	*id_right;
};

/* True when `addr` can stand alone in a header and an SMTP path: a local
 * part and a domain around one '@', at most ACCOUNT_EMAIL_MAX_BYTES, no
 * space, control character or one of "<>,;:\"()\\" outside a domain
 * literal, UTF-8. */
bool	mail_address_ok(const char *addr);

/* Composes the message into out (capped at MAIL_MESSAGE_MAX_BYTES): From,
 * To, Subject (RFC 2047 encoded-words when it is not plain ASCII), Date,
 * Message-ID, MIME-Version, Content-Type text/plain; charset=utf-8,
 * Content-Transfer-Encoding (7bit, 8bit, or quoted-printable when a line
 * is over MAIL_LINE_MAX_BYTES), Auto-Submitted; CRLF line ends; the body
 * ends with CRLF. Returns 0, or ERR_INVALID (nothing usable in out) for a
 * bad address, a subject with a control character (CR, LF: header
 * injection) or over MAIL_SUBJECT_MAX_BYTES, text that is not UTF-8, a
 * body over MAIL_BODY_MAX_BYTES or with a CR not before a LF. */
int	mail_compose(const struct mail_parts *m, struct buf *out);

/* The RFC 5322 §3.3 date of `t` in UTC: "Sun, 06 Dec 2026 18:03:19
 * +0000". */
void	mail_date(int64_t t, char out[40]);

/* Appends the Subject header's value: `subject` as it is when it is
 * printable ASCII, else RFC 2047 "B" encoded-words of whole characters,
 * each at most 68 bytes, folded onto lines of their own. */
void	mail_encode_subject(const char *subject, struct buf *out);

/* Appends `line` (len bytes, no line end) in quoted-printable (RFC 2045
 * §6.7), in lines of at most MAIL_QP_LINE_MAX_BYTES joined by soft breaks,
 * and a CRLF. */
void	mail_qp_line(const char *line, size_t len, struct buf *out);

/* The host of an http(s) URL (`issuer`), without port: "example.com",
 * "127.0.0.1", "[::1]". Returns 0, or ERR_INVALID when there is none or
 * it does not fit in len bytes. */
int	mail_url_host(const char *url, char *out, size_t len);

/* The sender when --mail-from is not set: keygate@<the issuer's host>, an
 * IP address as a domain literal (RFC 5321 §4.1.3: [192.0.2.1],
 * [IPv6:::1]). Returns 0 or ERR_INVALID. */
int	mail_default_from(const char *issuer, char *out, size_t len);

/* The sender of every mail: `mail_from` (--mail-from) when it is set,
 * else mail_default_from(issuer). Returns 0, or ERR_INVALID when that is
 * no address or does not fit in len bytes. */
int	mail_sender(const char *mail_from, const char *issuer, char *out,
	    size_t len);

/* The domain of `addr` for a log line (what follows its last '@', cut to
 * LOG_MAX_FIELD_BYTES, anything but letters, digits and ".-[]:" replaced
 * by '?'): where mail goes is told, never to whom. */
void	mail_log_domain(const char *addr, char *out, size_t len);

#endif
