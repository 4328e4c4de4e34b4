/* core/mail_compose.c: RFC 5322 messages with RFC 2047 subjects and RFC
 * 2045 quoted-printable bodies, checked against the texts and by decoding
 * them again; addresses, dates, hosts, and what reaches a log line. */
#include "core/mail_compose.h"

#include <criterion/criterion.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/limits.h"
#include "base/utf8.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
/* 2027-01-15T08:00:00Z, a Friday */
#define T1	1800000000LL

static struct mail_parts
parts(const char *subject, const char *body)
{
	return (struct mail_parts){
		.from = "keygate@example.com", .to = "ann@example.org",
		.subject = subject, .body = body, .date = T1,
		.id_left = "AbC-1_x", .id_right = "example.com",
	};
}

/* Composes, expecting success; the caller frees. */
static char *
compose(const struct mail_parts *m)
{
	struct buf b;

	buf_init(&b, MAIL_MESSAGE_MAX_BYTES);
	cr_assert_eq(mail_compose(m, &b), 0);
	return buf_detach(&b, NULL);
}

static int
compose_rc(const struct mail_parts *m)
{
	struct buf b;
	int rc;

	buf_init(&b, MAIL_MESSAGE_MAX_BYTES);
	rc = mail_compose(m, &b);
	buf_release(&b);
	return rc;
}

/* Every line ends in CRLF, holds no bare CR or LF and at most `max`
 * octets. */
static void
expect_lines(const char *msg, size_t max)
{
	const char *p = msg;

	while (*p != '\0') {
		const char *eol = strstr(p, "\r\n");

		cr_assert_not_null(eol, "a line without CRLF: %s", p);
		cr_expect_leq((size_t)(eol - p), max, "line too long: %.*s",
		    (int)(eol - p), p);
		for (const char *q = p; q < eol; q++)
			cr_assert(*q != '\r' && *q != '\n', "bare CR or LF");
		p = eol + 2;
	}
}

/* The message's body: after the first empty line. */
static const char *
body_of(const char *msg)
{
	const char *b = strstr(msg, "\r\n\r\n");

	cr_assert_not_null(b);
	return b + 4;
}

Test(mail_compose, plain_message_exactly)
{
	struct mail_parts m = parts("Verify your email",
	    "Hello,\n\nopen this link:\nhttps://x.example/v?token=abc\n");
	char *msg = compose(&m);

	cr_expect_str_eq(msg,
	    "From: keygate@example.com\r\n"
	    "To: ann@example.org\r\n"
	    "Subject: Verify your email\r\n"
	    "Date: Fri, 15 Jan 2027 08:00:00 +0000\r\n"
	    "Message-ID: <AbC-1_x@example.com>\r\n"
	    "MIME-Version: 1.0\r\n"
	    "Content-Type: text/plain; charset=utf-8\r\n"
	    "Content-Transfer-Encoding: 7bit\r\n"
	    "Auto-Submitted: auto-generated\r\n"
	    "\r\n"
	    "Hello,\r\n\r\nopen this link:\r\n"
	    "https://x.example/v?token=abc\r\n");
	free(msg);
}

Test(mail_compose, line_ends_become_crlf)
{
	static const struct {
		const char	*in, *out;
	} cases[] = {
		{ "a", "a\r\n" },
		{ "a\n", "a\r\n" },
		{ "a\r\nb", "a\r\nb\r\n" },
		{ "a\n\nb\r\n\r\n", "a\r\n\r\nb\r\n\r\n" },
		{ "", "" },
		{ ".starts with a dot\n.\n", ".starts with a dot\r\n.\r\n" },
	};

	for (size_t i = 0; i < NELEM(cases); i++) {
		struct mail_parts m = parts("s", cases[i].in);
		char *msg = compose(&m);

		cr_expect_str_eq(body_of(msg), cases[i].out, "case %zu", i);
		expect_lines(msg, MAIL_LINE_MAX_BYTES);
		free(msg);
	}
}

Test(mail_compose, utf8_body_is_8bit)
{
	struct mail_parts m = parts("s", "Grüße, 日本\n");
	char *msg = compose(&m);

	cr_expect(strstr(msg, "Content-Transfer-Encoding: 8bit\r\n") != NULL);
	cr_expect_str_eq(body_of(msg), "Grüße, 日本\r\n");
	free(msg);
}

/* Header injection: a CR or LF (or another control character) in a
 * header's text is refused, never written. */
Test(mail_compose, refuses_what_would_break_a_header)
{
	static const char *const subjects[] = {
		"Hi\r\nBcc: eve@example.net", "Hi\nBcc: eve@example.net",
		"Hi\rthere", "tab\there", "nul\x01", "del\x7f",
		"\xff\xfe not UTF-8",
	};
	static const char *const addrs[] = {
		"ann@example.org\r\nBcc: eve@example.net", "ann@example.org\n",
		"ann@example.org, eve@example.net", "Ann <ann@example.org>",
		"ann", "@example.org", "ann@", "an n@example.org",
		"ann@exa mple.org", "ann@[1.2.3.4", "ann@example.org>",
		"a\"b@example.org", "ann@ex@ample.org", "",
	};
	struct mail_parts m;
	char big[MAIL_SUBJECT_MAX_BYTES + 2];

	for (size_t i = 0; i < NELEM(subjects); i++) {
		m = parts(subjects[i], "body");
		cr_expect_eq(compose_rc(&m), ERR_INVALID, "subject %zu", i);
	}
	for (size_t i = 0; i < NELEM(addrs); i++) {
		m = parts("s", "body");
		m.to = addrs[i];
		cr_expect_eq(compose_rc(&m), ERR_INVALID, "to %zu", i);
		m = parts("s", "body");
		m.from = addrs[i];
		cr_expect_eq(compose_rc(&m), ERR_INVALID, "from %zu", i);
	}
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	m = parts(big, "body");
	cr_expect_eq(compose_rc(&m), ERR_INVALID, "subject over its limit");
	big[MAIL_SUBJECT_MAX_BYTES] = '\0';
	m = parts(big, "body");
	cr_expect_eq(compose_rc(&m), 0, "subject at its limit");
}

Test(mail_compose, refuses_bad_bodies)
{
	static const char *const bodies[] = {
		"a lone\rCR", "ends in CR\r", "\xc3\x28 not UTF-8",
	};
	struct mail_parts m;
	char *big = malloc(MAIL_BODY_MAX_BYTES + 2);

	for (size_t i = 0; i < NELEM(bodies); i++) {
		m = parts("s", bodies[i]);
		cr_expect_eq(compose_rc(&m), ERR_INVALID, "body %zu", i);
	}
	memset(big, 'x', MAIL_BODY_MAX_BYTES + 1);
	big[MAIL_BODY_MAX_BYTES + 1] = '\0';
	m = parts("s", big);
	cr_expect_eq(compose_rc(&m), ERR_INVALID, "body over its limit");
	free(big);
}

/* Decodes RFC 2047 "B" words of a Subject value, unfolding it. */
static void
decode_subject(const char *value, char *out, size_t len)
{
	const char *p = value;
	size_t n = 0;

	while ((p = strstr(p, "=?UTF-8?B?")) != NULL) {
		const char *end = strstr(p + 10, "?=");
		size_t got = 0;

		cr_assert_not_null(end);
		cr_expect_leq((size_t)(end + 2 - p), 75, "word over 75 bytes");
		cr_assert_eq(sodium_base642bin((unsigned char *)out + n,
		    len - n - 1, p + 10, (size_t)(end - p - 10), NULL, &got,
		    NULL, sodium_base64_VARIANT_ORIGINAL), 0);
		/* RFC 2047 §5: whole characters in each word */
		cr_expect(utf8_valid((struct str){ out + n, got }),
		    "a word splits a character");
		n += got;
		p = end + 2;
	}
	out[n] = '\0';
}

/* The Subject header's value, unfolded lines and all. */
static void
subject_value(const char *msg, char *out, size_t len)
{
	const char *p = strstr(msg, "\r\nSubject: "), *end;

	cr_assert_not_null(p);
	p += 11;
	end = strstr(p, "\r\nDate: ");
	cr_assert_not_null(end);
	cr_assert_lt((size_t)(end - p), len);
	memcpy(out, p, (size_t)(end - p));
	out[end - p] = '\0';
}

Test(mail_compose, subject_in_encoded_words)
{
	static const struct {
		const char	*text;
		bool		 encoded;
	} cases[] = {
		{ "Bestätigen Sie Ihre E-Mail-Adresse", true },
		{ "日本語の件名はとても長くなることがあります、"
		    "そしてそれは何行にも"
		    "折り返されます", true },
		{ "=?not a word?=", true },
		{ "é", true },
		{ "Plain ASCII (with symbols: <>@,;)", false },
		{ "", false },
	};

	for (size_t i = 0; i < NELEM(cases); i++) {
		struct mail_parts m = parts(cases[i].text, "b");
		char *msg = compose(&m), value[2048], back[1024];

		subject_value(msg, value, sizeof(value));
		if (cases[i].encoded) {
			cr_expect(strncmp(value, "=?UTF-8?B?", 10) == 0,
			    "case %zu: %s", i, value);
			decode_subject(value, back, sizeof(back));
			cr_expect_str_eq(back, cases[i].text, "case %zu", i);
		} else {
			cr_expect_str_eq(value, cases[i].text, "case %zu", i);
		}
		/* RFC 5322 §2.1.1: SHOULD be no more than 78 */
		expect_lines(msg, 78);
		free(msg);
	}
}

static int
hex(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c - 'A' + 10;
}

/* Decodes a quoted-printable body (CRLF lines, soft breaks). */
static void
qp_decode(const char *in, char *out)
{
	size_t n = 0;

	for (const char *p = in; *p != '\0'; ) {
		if (p[0] == '=' && p[1] == '\r' && p[2] == '\n')
			p += 3;
		else if (p[0] == '=') {
			out[n++] = (char)(hex(p[1]) * 16 + hex(p[2]));
			p += 3;
		} else if (p[0] == '\r' && p[1] == '\n') {
			out[n++] = '\n';
			p += 2;
		} else
			out[n++] = *p++;
	}
	out[n] = '\0';
}

/* A line over 998 octets goes in quoted-printable: lines of at most 76,
 * and the text comes back whole. */
Test(mail_compose, long_lines_in_quoted_printable)
{
	size_t len = 3000;
	char *body = malloc(len + 64), *back = malloc(4 * len), *msg;
	struct mail_parts m;

	for (size_t i = 0; i < len; i++)
		body[i] = "ab=é \t"[i % 6];
	/* a whole é, a space at a line's end, another line */
	strcpy(body + len, "\u00e9 \nnext line \n");
	m = parts("s", body);
	msg = compose(&m);
	cr_expect(strstr(msg, "Content-Transfer-Encoding: quoted-printable"
	    "\r\n") != NULL);
	expect_lines(msg, MAIL_QP_LINE_MAX_BYTES);
	qp_decode(body_of(msg), back);
	cr_expect_str_eq(back, body);
	free(msg);
	free(back);
	free(body);
}

Test(mail_compose, qp_line_rules)
{
	static const struct {
		const char	*in, *out;
	} cases[] = {
		{ "plain", "plain\r\n" },
		{ "a=b", "a=3Db\r\n" },
		{ "ends in space ", "ends in space=20\r\n" },
		{ "ends in tab\t", "ends in tab=09\r\n" },
		{ "\xc3\xa9", "=C3=A9\r\n" },
		{ "", "\r\n" },
	};

	for (size_t i = 0; i < NELEM(cases); i++) {
		struct buf b;

		buf_init(&b, 1024);
		mail_qp_line(cases[i].in, strlen(cases[i].in), &b);
		cr_expect_str_eq(b.p, cases[i].out, "case %zu", i);
		buf_release(&b);
	}
}

Test(mail_compose, rfc5322_dates)
{
	static const struct {
		int64_t		 t;
		const char	*text;
	} cases[] = {
		{ 0, "Thu, 01 Jan 1970 00:00:00 +0000" },
		{ T1, "Fri, 15 Jan 2027 08:00:00 +0000" },
		{ 951782400, "Tue, 29 Feb 2000 00:00:00 +0000" },
		{ 1796083199, "Mon, 30 Nov 2026 23:59:59 +0000" },
	};
	char out[40];

	for (size_t i = 0; i < NELEM(cases); i++) {
		mail_date(cases[i].t, out);
		cr_expect_str_eq(out, cases[i].text, "case %zu", i);
	}
}

Test(mail_compose, addresses)
{
	static const char *const good[] = {
		"ann@example.org", "a.b+c@sub.example.org", "x@localhost",
		"keygate@[127.0.0.1]", "keygate@[IPv6:::1]", "jörg@example.de",
	};

	for (size_t i = 0; i < NELEM(good); i++)
		cr_expect(mail_address_ok(good[i]), "%s", good[i]);
	cr_expect_not(mail_address_ok("a@b:c"));
	cr_expect_not(mail_address_ok("a[b]@c"));
}

Test(mail_compose, hosts_and_default_senders)
{
	static const struct {
		const char	*issuer, *host, *from;
	} cases[] = {
		{ "https://id.example.com", "id.example.com",
		  "keygate@id.example.com" },
		{ "https://id.example.com:8443/base", "id.example.com",
		  "keygate@id.example.com" },
		{ "http://127.0.0.1:8080", "127.0.0.1", "keygate@[127.0.0.1]" },
		{ "http://[::1]:8080", "[::1]", "keygate@[IPv6:::1]" },
		{ "http://localhost", "localhost", "keygate@localhost" },
	};
	char host[256], from[300];

	for (size_t i = 0; i < NELEM(cases); i++) {
		cr_assert_eq(mail_url_host(cases[i].issuer, host,
		    sizeof(host)), 0, "%s", cases[i].issuer);
		cr_expect_str_eq(host, cases[i].host);
		cr_assert_eq(mail_default_from(cases[i].issuer, from,
		    sizeof(from)), 0);
		cr_expect_str_eq(from, cases[i].from);
	}
	cr_expect_eq(mail_url_host("http://", host, sizeof(host)),
	    ERR_INVALID);
	cr_expect_eq(mail_url_host("no scheme", host, sizeof(host)),
	    ERR_INVALID);
	cr_expect_eq(mail_url_host("http://a b/", host, sizeof(host)),
	    ERR_INVALID);
	cr_expect_eq(mail_url_host("https://example.com", host, 5),
	    ERR_INVALID, "too long for out");
}

/* --mail-from when it is set and an address, else the default. */
Test(mail_compose, sender)
{
	char from[300];

	cr_assert_eq(mail_sender(NULL, "https://id.example.com", from,
	    sizeof(from)), 0);
	cr_expect_str_eq(from, "keygate@id.example.com");
	cr_assert_eq(mail_sender("ops@example.org", "https://id.example.com",
	    from, sizeof(from)), 0);
	cr_expect_str_eq(from, "ops@example.org");
	cr_expect_eq(mail_sender("ops@example.org\r\nBcc: x@y", "https://a",
	    from, sizeof(from)), ERR_INVALID);
	cr_expect_eq(mail_sender("not an address", "https://a", from,
	    sizeof(from)), ERR_INVALID);
	cr_expect_eq(mail_sender("ops@example.org", "https://a", from, 8),
	    ERR_INVALID, "too long for out");
	cr_expect_eq(mail_sender(NULL, "no scheme", from, sizeof(from)),
	    ERR_INVALID);
}

/* A log line names where mail went, never to whom. */
Test(mail_compose, log_domain)
{
	char out[LOG_MAX_FIELD_BYTES + 1], longer[200];

	mail_log_domain("ann.secret@example.org", out, sizeof(out));
	cr_expect_str_eq(out, "example.org");
	mail_log_domain("x@bad domain\n\x1b", out, sizeof(out));
	cr_expect_str_eq(out, "bad?domain??");
	memset(longer, 'a', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = '\0';
	longer[0] = '@';
	mail_log_domain(longer, out, sizeof(out));
	cr_expect_eq(strlen(out), LOG_MAX_FIELD_BYTES);
}
