#include "core/mail_compose.h"

#include <arpa/inet.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/err.h"
#include "base/limits.h"
#include "base/str.h"
#include "base/utf8.h"

/* RFC 2047 §2: an encoded-word is at most 75 bytes. 42 bytes of text
 * make 56 of base64, a word of 68: after "Subject: " the first line keeps
 * within RFC 5322's 78. */
#define WORD_TEXT_BYTES	42

/* Bytes an address may not hold outside a domain literal: they would end
 * it, or start another, in a header or an SMTP path. */
static bool
special(unsigned char c)
{
	return c <= 0x20 || c == 0x7f || strchr("<>,;:\"()\\[]@", c) != NULL;
}

bool
mail_address_ok(const char *addr)
{
	const char *at = strrchr(addr, '@');
	size_t len = strlen(addr), local;
	bool literal;

	if (at == NULL || at == addr || at[1] == '\0' ||
	    len > ACCOUNT_EMAIL_MAX_BYTES || !utf8_valid(str_from(addr)))
		return false;
	local = (size_t)(at - addr);
	for (size_t i = 0; i < local; i++)
		if (special((unsigned char)addr[i]))
			return false;
	/* a domain literal: [192.0.2.1], [IPv6:::1] */
	literal = at[1] == '[' && addr[len - 1] == ']' && len - local > 3;
	for (size_t i = local + 1 + literal; i < len - literal; i++) {
		unsigned char c = (unsigned char)addr[i];

		if (special(c) && !(literal && c == ':'))
			return false;
	}
	return true;
}

void
mail_date(int64_t t, char out[40])
{
	static const char days[7][4] = { "Sun", "Mon", "Tue", "Wed", "Thu",
	    "Fri", "Sat" };
	static const char months[12][4] = { "Jan", "Feb", "Mar", "Apr",
	    "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	time_t tt = (time_t)t;
	struct tm tm;

	/* names of our own: strftime's %a and %b follow the locale */
	gmtime_r(&tt, &tm);
	snprintf(out, 40, "%s, %02d %s %04d %02d:%02d:%02d +0000",
	    days[tm.tm_wday % 7], tm.tm_mday, months[tm.tm_mon % 12],
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* Printable ASCII that no reader could take for an encoded-word. */
static bool
plain_subject(const char *s)
{
	for (const char *p = s; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
			return false;
	return strstr(s, "=?") == NULL;
}

void
mail_encode_subject(const char *subject, struct buf *out)
{
	size_t len = strlen(subject), i = 0;
	char b64[sodium_base64_ENCODED_LEN(WORD_TEXT_BYTES,
	    sodium_base64_VARIANT_ORIGINAL)];

	if (plain_subject(subject)) {
		buf_puts(out, subject);
		return;
	}
	while (i < len) {
		size_t n = len - i < WORD_TEXT_BYTES ? len - i :
		    WORD_TEXT_BYTES;

		/* RFC 2047 §5: each word holds whole characters */
		while (i + n < len && n > 1 &&
		    ((unsigned char)subject[i + n] & 0xc0) == 0x80)
			n--;
		sodium_bin2base64(b64, sizeof(b64),
		    (const unsigned char *)subject + i, n,
		    sodium_base64_VARIANT_ORIGINAL);
		buf_printf(out, "%s=?UTF-8?B?%s?=", i > 0 ? "\r\n " : "", b64);
		i += n;
	}
}

void
mail_qp_line(const char *line, size_t len, struct buf *out)
{
	size_t col = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)line[i];
		char tok[4];
		size_t n = 1;

		/* RFC 2045 §6.7 rules 2 and 3: printable ASCII but '=' as
		 * it is, a space or tab too unless it ends the line */
		if ((c >= 33 && c <= 126 && c != '=') ||
		    ((c == ' ' || c == '\t') && i + 1 < len))
			tok[0] = (char)c;
		else
			n = (size_t)snprintf(tok, sizeof(tok), "=%02X", c);
		/* rule 5: a soft break's '=' ends a line of at most 76 */
		if (col + n > MAIL_QP_LINE_MAX_BYTES - 1) {
			buf_puts(out, "=\r\n");
			col = 0;
		}
		buf_append(out, tok, n);
		col += n;
	}
	buf_puts(out, "\r\n");
}

/* One line of text: UTF-8, at most MAIL_SUBJECT_MAX_BYTES, no control
 * character (a CR or LF would end the header and start another). */
static bool
subject_ok(const char *s)
{
	size_t len = strlen(s);

	if (len > MAIL_SUBJECT_MAX_BYTES || !utf8_valid(str_from(s)))
		return false;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	return true;
}

/* A Message-ID half: atext and dots, or a domain literal. */
static bool
id_part_ok(const char *s)
{
	if (*s == '\0' || strlen(s) > 255)
		return false;
	for (const char *p = s; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr(".-_[]:", *p) != NULL))
			return false;
	return true;
}

struct body_scan {
	size_t	 longest;	/* bytes of the longest line */
	bool	 eight_bit;
};

/* Line ends are "\n" or "\r\n"; a lone CR is refused. */
static int
scan_body(const char *body, struct body_scan *sc)
{
	size_t col = 0;

	memset(sc, 0, sizeof(*sc));
	if (strlen(body) > MAIL_BODY_MAX_BYTES || !utf8_valid(str_from(body)))
		return ERR_INVALID;
	for (const char *p = body; *p != '\0'; p++) {
		if (*p == '\r' && p[1] != '\n')
			return ERR_INVALID;
		if (*p == '\r')
			continue;
		if (*p == '\n') {
			col = 0;
			continue;
		}
		sc->eight_bit |= (unsigned char)*p >= 0x80;
		if (++col > sc->longest)
			sc->longest = col;
	}
	return 0;
}

/* The body's lines, each ending in CRLF. Dot-stuffing is the SMTP
 * client's part (libcurl does it), not the message's. */
static void
put_body(const char *body, bool qp, struct buf *out)
{
	const char *p = body;

	while (*p != '\0') {
		size_t n = strcspn(p, "\r\n");

		if (qp)
			mail_qp_line(p, n, out);
		else {
			buf_append(out, p, n);
			buf_puts(out, "\r\n");
		}
		p += n;
		if (*p == '\r')
			p++;
		if (*p == '\n')
			p++;
	}
}

int
mail_compose(const struct mail_parts *m, struct buf *out)
{
	struct body_scan sc;
	const char *cte;
	char date[40];

	if (!mail_address_ok(m->from) || !mail_address_ok(m->to) ||
	    !subject_ok(m->subject) || !id_part_ok(m->id_left) ||
	    !id_part_ok(m->id_right) || scan_body(m->body, &sc) != 0)
		return ERR_INVALID;
	cte = sc.longest > MAIL_LINE_MAX_BYTES ? "quoted-printable" :
	    sc.eight_bit ? "8bit" : "7bit";
	mail_date(m->date, date);
	buf_printf(out, "From: %s\r\nTo: %s\r\nSubject: ", m->from, m->to);
	mail_encode_subject(m->subject, out);
	buf_printf(out, "\r\nDate: %s\r\nMessage-ID: <%s@%s>\r\n"
	    "MIME-Version: 1.0\r\n"
	    "Content-Type: text/plain; charset=utf-8\r\n"
	    "Content-Transfer-Encoding: %s\r\n"
	    /* RFC 3834 §5: no out-of-office answers to a machine */
	    "Auto-Submitted: auto-generated\r\n\r\n",
	    date, m->id_left, m->id_right, cte);
	put_body(m->body, cte[0] == 'q', out);
	return out->err != 0 ? ERR_INVALID : 0;
}

int
mail_url_host(const char *url, char *out, size_t len)
{
	const char *p = strstr(url, "://"), *end, *at, *stop;
	size_t n;

	if (p == NULL)
		return ERR_INVALID;
	p += 3;
	end = p + strcspn(p, "/?#");
	if ((at = memrchr(p, '@', (size_t)(end - p))) != NULL)
		p = at + 1;
	if (*p == '[') {
		const char *close = memchr(p, ']', (size_t)(end - p));

		stop = close != NULL ? close + 1 : p;
	} else if ((stop = memchr(p, ':', (size_t)(end - p))) == NULL)
		stop = end;
	n = (size_t)(stop - p);
	if (n == 0 || n >= len)
		return ERR_INVALID;
	memcpy(out, p, n);
	out[n] = '\0';
	return id_part_ok(out) ? 0 : ERR_INVALID;
}

int
mail_default_from(const char *issuer, char *out, size_t len)
{
	char host[256];
	struct in_addr v4;
	int n;

	if (mail_url_host(issuer, host, sizeof(host)) != 0)
		return ERR_INVALID;
	if (host[0] == '[') {
		host[strlen(host) - 1] = '\0';
		n = snprintf(out, len, "keygate@[IPv6:%s]", host + 1);
	} else if (inet_pton(AF_INET, host, &v4) == 1)
		n = snprintf(out, len, "keygate@[%s]", host);
	else
		n = snprintf(out, len, "keygate@%s", host);
	if (n < 0 || (size_t)n >= len || !mail_address_ok(out))
		return ERR_INVALID;
	return 0;
}

int
mail_sender(const char *mail_from, const char *issuer, char *out,
    size_t len)
{
	size_t n;

	if (mail_from == NULL)
		return mail_default_from(issuer, out, len);
	n = strlen(mail_from);
	if (!mail_address_ok(mail_from) || n >= len)
		return ERR_INVALID;
	memcpy(out, mail_from, n + 1);
	return 0;
}

void
mail_log_domain(const char *addr, char *out, size_t len)
{
	const char *at = strrchr(addr, '@');
	const char *d = at != NULL ? at + 1 : addr;
	size_t n = 0;

	for (; d[n] != '\0' && n + 1 < len && n < LOG_MAX_FIELD_BYTES; n++) {
		char c = d[n];

		out[n] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr(".-[]:", c) != NULL ?
		    c : '?';
	}
	out[n] = '\0';
}
