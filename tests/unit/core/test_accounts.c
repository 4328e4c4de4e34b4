#include "core/accounts.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/limits.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

struct email_case {
	struct str	 in;
	const char	*want;	/* normalized; NULL = refused */
};

#define OK(in, out)	{ STR_LIT(in), (out) }
#define BAD(in)		{ STR_LIT(in), NULL }

static void
check_email(struct str in, const char *want, const char *what)
{
	char out[ACCOUNT_EMAIL_MAX_BYTES + 1];
	const char *reason = NULL;
	int rc;

	memset(out, 0, sizeof(out));
	rc = accounts_normalize_email(in, out, &reason);
	if (want != NULL) {
		cr_expect_eq(rc, 0, "%s: rc %d (%s)", what, rc,
		    reason != NULL ? reason : "");
		if (rc == 0)
			cr_expect_str_eq(out, want, "%s: got '%s', want '%s'",
			    what, out, want);
	} else {
		cr_expect_eq(rc, ERR_INVALID, "%s: rc %d, want invalid (out "
		    "'%s')", what, rc, out);
		if (rc == ERR_INVALID)
			cr_expect(reason != NULL && reason[0] != '\0',
			    "%s: no reason", what);
	}
}

Test(accounts, normalize_email)
{
	static const struct email_case cases[] = {
		OK("user@example.com", "user@example.com"),
		/* trimmed and lower-cased */
		OK("  user@example.com", "user@example.com"),
		OK("user@example.com \t", "user@example.com"),
		OK("\t User@Example.COM\t ", "user@example.com"),
		OK("ALICE@EXAMPLE.ORG", "alice@example.org"),
		/* ordinary shapes */
		OK("a@b.c", "a@b.c"),
		OK("first.last@example.com", "first.last@example.com"),
		OK("a+tag@example.com", "a+tag@example.com"),
		OK("a_b-c!#$%&'*/=?^`{|}~@example.com",
		   "a_b-c!#$%&'*/=?^`{|}~@example.com"),
		OK("x@sub.b-c.example.com", "x@sub.b-c.example.com"),
		OK("x@123.example", "x@123.example"),
		/* non-ASCII is kept as it is (only ASCII is lower-cased) */
		OK("\xc3\xbc@b.com", "\xc3\xbc@b.com"),
		OK("J\xc3\xbcRGEN@B.COM", "j\xc3\xbcrgen@b.com"),
		OK("\xc3\x9c@b.com", "\xc3\x9c@b.com"),
		OK("\xe7\x94\xa8\xe6\x88\xb7@example.com",
		   "\xe7\x94\xa8\xe6\x88\xb7@example.com"),
		/* empty and incomplete */
		BAD(""),
		BAD("   "),
		BAD("\t"),
		BAD("a"),
		BAD("a@"),
		BAD("@"),
		BAD("@b.com"),
		BAD("a@b"),
		BAD("a@localhost"),
		BAD("example.com"),
		/* dots in the local part */
		BAD("a..b@c.com"),
		BAD(".a@b.com"),
		BAD("a.@b.com"),
		BAD(".@b.com"),
		/* domain shape */
		BAD("a@-b.com"),
		BAD("a@b-.com"),
		BAD("a@b.-com"),
		BAD("a@b.com-"),
		BAD("a@b..com"),
		BAD("a@.b.com"),
		BAD("a@b.com."),
		BAD("a@.com"),
		BAD("a@b_c.com"),
		BAD("a@b c.com"),
		BAD("a@[127.0.0.1]"),
		BAD("a@b.com:80"),
		/* characters the local part cannot hold unquoted */
		BAD("a b@c.com"),
		BAD("a\tb@c.com"),
		BAD("a@b@c.com"),
		BAD("\"a\"@b.com"),
		BAD("a<b@c.com"),
		BAD("a>b@c.com"),
		BAD("a,b@c.com"),
		BAD("a;b@c.com"),
		BAD("a:b@c.com"),
		BAD("a(b)@c.com"),
		BAD("a[b]@c.com"),
		BAD("a\\b@c.com"),
		BAD("a\x7f@b.com"),
		BAD("a\x01@b.com"),
		BAD("a\n@b.com"),
		BAD("a@b.com\n"),
		/* not text */
		BAD("\xff@b.com"),
		BAD("a\xc3@b.com"),
		BAD("a@b\xc0\xae.com"),
		BAD("a\0@b.com"),
		BAD("a@b.com\0"),
	};

	for (size_t i = 0; i < NELEM(cases); i++) {
		char what[64];

		snprintf(what, sizeof(what), "case %zu '%.40s'", i,
		    cases[i].in.p);
		check_email(cases[i].in, cases[i].want, what);
	}
}

/* An address of exactly `total` bytes with a `local`-byte local part and
 * domain labels of at most 63 bytes, ending in ".com". */
static char *
sized_email(size_t local, size_t total)
{
	struct buf b;
	size_t label = 0;

	buf_init(&b, 4096);
	for (size_t i = 0; i < local; i++)
		buf_puts(&b, "l");
	buf_puts(&b, "@");
	while (b.len < total - 4) {
		/* a dot every 60 bytes, never next to the final ".com" */
		if (label == 60 && b.len < total - 5) {
			buf_puts(&b, ".");
			label = 0;
			continue;
		}
		buf_puts(&b, "d");
		label++;
	}
	buf_puts(&b, ".com");
	cr_assert_eq(b.len, total);
	return buf_detach(&b, NULL);
}

Test(accounts, normalize_email_lengths)
{
	static const struct {
		size_t	 local, total;
		bool	 ok;
	} cases[] = {
		{ 1, 20, true },
		{ ACCOUNT_EMAIL_LOCAL_MAX_BYTES, 80, true },
		{ ACCOUNT_EMAIL_LOCAL_MAX_BYTES + 1, 80, false },
		{ 100, 150, false },
		{ 10, ACCOUNT_EMAIL_MAX_BYTES, true },
		{ ACCOUNT_EMAIL_LOCAL_MAX_BYTES, ACCOUNT_EMAIL_MAX_BYTES,
		  true },
		{ 10, ACCOUNT_EMAIL_MAX_BYTES + 1, false },
		{ 10, 400, false },
	};

	for (size_t i = 0; i < NELEM(cases); i++) {
		char *e = sized_email(cases[i].local, cases[i].total);
		char what[64];

		snprintf(what, sizeof(what), "case %zu (local %zu, total %zu)",
		    i, cases[i].local, cases[i].total);
		check_email(str_from(e), cases[i].ok ? e : NULL, what);
		free(e);
	}

	/* a 63-byte domain label is fine, 64 is not */
	static const char l63[] = "x@"
	    "ddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"
	    ".com";
	static const char l64[] = "x@"
	    "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"
	    ".com";
	check_email(STR_LIT(l63), l63, "63-byte label");
	check_email(STR_LIT(l64), NULL, "64-byte label");

	/* the limit applies after trimming */
	char *e = sized_email(10, ACCOUNT_EMAIL_MAX_BYTES);
	struct buf b;
	buf_init(&b, 1024);
	buf_printf(&b, "   %s\t\t", e);
	check_email(buf_str(&b), e, "padded 254-byte address");
	buf_release(&b);
	free(e);
}

struct pw_case {
	const char	*what;
	const char	*unit;	/* repeated `n` times, else `lit` */
	size_t		 n;
	struct str	 lit;
	bool		 ok;
};

#define REP(what, unit, n, ok)	{ (what), (unit), (n), STR_NULL, (ok) }
#define LIT(what, lit, ok)	{ (what), NULL, 0, STR_LIT(lit), (ok) }

Test(accounts, check_password)
{
	static const struct pw_case cases[] = {
		LIT("empty", "", false),
		REP("9 ASCII", "a", 9, false),
		REP("10 ASCII", "a", 10, true),
		REP("11 ASCII", "a", 11, true),
		/* characters are code points, not bytes */
		REP("9 two-byte (18 bytes)", "\xc3\xa9", 9, false),
		REP("10 two-byte", "\xc3\xa9", 10, true),
		REP("9 three-byte (27 bytes)", "\xe2\x82\xac", 9, false),
		REP("10 three-byte", "\xe2\x82\xac", 10, true),
		REP("9 four-byte (36 bytes)", "\xf0\x9f\x98\x80", 9, false),
		REP("10 four-byte", "\xf0\x9f\x98\x80", 10, true),
		REP("10 spaces", " ", 10, true),
		/* byte limit */
		REP("1024 bytes", "a", ACCOUNT_PASSWORD_MAX_BYTES, true),
		REP("1025 bytes", "a", ACCOUNT_PASSWORD_MAX_BYTES + 1, false),
		REP("4096 bytes", "a", 4 * ACCOUNT_PASSWORD_MAX_BYTES, false),
		REP("1024 bytes of 2-byte chars", "\xc3\xa9",
		    ACCOUNT_PASSWORD_MAX_BYTES / 2, true),
		REP("1026 bytes of 2-byte chars", "\xc3\xa9",
		    ACCOUNT_PASSWORD_MAX_BYTES / 2 + 1, false),
		/* not text */
		LIT("invalid byte", "abcdefghij\xff", false),
		LIT("truncated", "abcdefghij\xc3", false),
		LIT("overlong", "abcdefghij\xc0\xaf", false),
		LIT("surrogate", "abcdefghij\xed\xa0\x80", false),
		LIT("past U+10FFFF", "abcdefghij\xf4\x90\x80\x80", false),
		LIT("12 lone continuation bytes",
		    "\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80", false),
		LIT("NUL", "abcde\0fghij", false),
	};

	for (size_t i = 0; i < NELEM(cases); i++) {
		const struct pw_case *c = &cases[i];
		struct str pw = c->lit;
		char *heap = NULL;
		const char *reason = NULL;
		int rc;

		if (c->unit != NULL) {
			struct buf b;

			buf_init(&b, 1 << 16);
			for (size_t k = 0; k < c->n; k++)
				buf_puts(&b, c->unit);
			heap = buf_detach(&b, &pw.len);
			pw.p = heap;
		}
		rc = accounts_check_password(pw, &reason);
		cr_expect_eq(rc, c->ok ? 0 : ERR_INVALID,
		    "case %zu (%s): rc %d", i, c->what, rc);
		if (!c->ok && rc == ERR_INVALID)
			cr_expect(reason != NULL && reason[0] != '\0',
			    "case %zu (%s): no reason", i, c->what);
		free(heap);
	}
}
