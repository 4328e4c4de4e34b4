/* The pure parts of delivery: the retry schedule (core/mailer.c), the
 * SMTP URL and TLS rules (core/mail_smtp.c), and the Maildir sink
 * (core/mail_maildir.c) writing into a temporary folder. */
#include "core/mail_maildir.h"
#include "core/mail_smtp.h"
#include "core/mailer.h"

#include <sys/stat.h>

#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "base/limits.h"
#include "base/secure.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* At least five retries over about half an hour, the waits growing. */
Test(mailer, backoff_schedule)
{
	static const int64_t want[] = { 60, 120, 300, 600, 900 };
	int64_t total = 0;

	cr_assert_geq(MAIL_ATTEMPTS_MAX, 6, "at least five retries");
	for (int64_t n = 1; n < MAIL_ATTEMPTS_MAX; n++) {
		cr_expect_eq(mailer_backoff_s(n), want[n - 1], "after %lld",
		    (long long)n);
		total += mailer_backoff_s(n);
	}
	cr_expect_geq(total, 30 * 60, "the last attempt after 30 minutes");
	cr_expect_leq(total, 40 * 60);
	cr_expect_eq(mailer_backoff_s(0), 60, "clamped below");
	cr_expect_eq(mailer_backoff_s(99), 900, "clamped above");
}

Test(mail_smtp, url_check)
{
	static const char *const good[] = {
		"smtp://mail.example.com", "smtp://mail.example.com:587",
		"smtps://mail.example.com:465", "smtp://127.0.0.1:2525",
		"smtp://[::1]:25", "smtp://mail.example.com/keygate.example",
		"smtp://localhost:25/",
	};
	static const char *const bad[] = {
		"http://mail.example.com", "mail.example.com",
		"smtp://user:secret@mail.example.com",
		"smtp://user@mail.example.com", "smtp://", "smtp://:25",
		"smtp://mail.example.com:0", "smtp://mail.example.com:65536",
		"smtp://mail.example.com:x", "smtp://mail.example.com/a?b",
		"smtp://mail.example.com/a b", "file:///etc/passwd",
		"smtp://mail.example.com#x",
	};
	char err[256];

	for (size_t i = 0; i < NELEM(good); i++)
		cr_expect_eq(mail_smtp_url_check(good[i], err, sizeof(err)),
		    0, "%s: %s", good[i], err);
	for (size_t i = 0; i < NELEM(bad); i++) {
		err[0] = '\0';
		cr_expect_eq(mail_smtp_url_check(bad[i], err, sizeof(err)),
		    ERR_INVALID, "%s", bad[i]);
		cr_expect_neq(err[0], '\0', "%s: a reason", bad[i]);
		cr_expect(strstr(err, "secret") == NULL, "no password echoed");
	}
}

/* smtps:// is TLS from the start; smtp:// takes STARTTLS when offered,
 * and requires it when a password would leave the machine. */
Test(mail_smtp, tls_rule)
{
	static const struct {
		const char	*url;
		bool		 user;
		enum mail_tls	 want;
	} cases[] = {
		{ "smtps://mail.example.com", false, MAIL_TLS_IMPLICIT },
		{ "smtps://mail.example.com", true, MAIL_TLS_IMPLICIT },
		{ "smtp://mail.example.com", false, MAIL_TLS_TRY },
		{ "smtp://mail.example.com:587", true, MAIL_TLS_REQUIRED },
		{ "smtp://127.0.0.1:2525", true, MAIL_TLS_TRY },
		{ "smtp://127.8.9.10:2525", true, MAIL_TLS_TRY },
		{ "smtp://localhost:25", true, MAIL_TLS_TRY },
		{ "smtp://[::1]:25", true, MAIL_TLS_TRY },
		{ "smtp://128.0.0.1:25", true, MAIL_TLS_REQUIRED },
		{ "smtp://localhost.example.com", true, MAIL_TLS_REQUIRED },
	};

	for (size_t i = 0; i < NELEM(cases); i++)
		cr_expect_eq(mail_smtp_tls(cases[i].url, cases[i].user),
		    cases[i].want, "%s", cases[i].url);
}

/* Nothing listens: the delivery fails at once with libcurl's reason. */
Test(mail_smtp, unreachable_server_fails_with_a_reason)
{
	static const char msg[] = "Subject: x\r\n\r\nx\r\n";
	struct mail_smtp s = { "smtp://127.0.0.1:1", "user", "hunter2-pw" };
	char err[MAIL_ERROR_MAX_BYTES] = "";

	cr_expect_eq(mail_smtp_send(&s, "k@example.com", "a@example.org",
	    msg, strlen(msg), NULL, err, sizeof(err)), ERR_STORE);
	cr_expect(strncmp(err, "smtp: ", 6) == 0, "%s", err);
	cr_expect(strstr(err, "hunter2") == NULL);
}

Test(mail_maildir, default_folder)
{
	static const struct {
		const char	*db, *dir;
	} cases[] = {
		{ "keygate.db", "mail" },
		{ "/var/lib/keygate/keygate.db", "/var/lib/keygate/mail" },
		{ "data/kg.db", "data/mail" },
		{ "postgres://kg@db.example.com/kg", "mail" },
		{ "postgresql://db/kg", "mail" },
	};
	char out[256];

	for (size_t i = 0; i < NELEM(cases); i++) {
		cr_assert_eq(mail_maildir_default(cases[i].db, out,
		    sizeof(out)), 0);
		cr_expect_str_eq(out, cases[i].dir, "%s", cases[i].db);
	}
	cr_expect_eq(mail_maildir_default("/a/b.db", out, 4), ERR_TOOBIG);
}

static char dir[] = "/tmp/kg-unit-maildir-XXXXXX";

static void
make_tmp(void)
{
	cr_assert_eq(secure_init(), 0);
	cr_assert_not_null(mkdtemp(dir));
}

static void
remove_tree(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	char sub[1024];

	if (d == NULL) {
		unlink(path);
		return;
	}
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
		remove_tree(sub);
	}
	closedir(d);
	rmdir(path);
}

static void
remove_tmp(void)
{
	remove_tree(dir);
}

/* The names of the files in folder `path` (at most 8), their count. */
static size_t
files_in(const char *path, char names[8][256])
{
	DIR *d = opendir(path);
	struct dirent *e;
	size_t n = 0;

	cr_assert_not_null(d, "%s", path);
	while ((e = readdir(d)) != NULL && n < 8)
		if (e->d_name[0] != '.')
			snprintf(names[n++], 256, "%s", e->d_name);
	closedir(d);
	return n;
}

static mode_t
mode_of(const char *path)
{
	struct stat sb;

	cr_assert_eq(stat(path, &sb), 0, "%s", path);
	return sb.st_mode & 07777;
}

Test(mail_maildir, delivers_one_private_file_per_mail, .init = make_tmp,
    .fini = remove_tmp)
{
	static const char msg[] = "From: k@example.com\r\nSubject: Hi\r\n"
	    "\r\nline one\r\n.line two\r\n";
	char md[512], path[1024], names[8][256], text[256], err[200];
	mode_t old = umask(0);
	FILE *f;
	size_t n;

	snprintf(md, sizeof(md), "%s/deep/mail", dir);
	cr_assert_eq(mail_maildir_deliver(md, msg, strlen(msg), 1800000000,
	    err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(mail_maildir_deliver(md, msg, strlen(msg), 1800000000,
	    err, sizeof(err)), 0, "%s", err);
	umask(old);
	cr_expect_eq(mode_of(md), 0700, "made 0700 whatever the umask");
	snprintf(path, sizeof(path), "%s/cur", md);
	cr_expect_eq(mode_of(path), 0700);
	snprintf(path, sizeof(path), "%s/tmp", md);
	cr_expect_eq(files_in(path, names), 0, "nothing left in tmp/");
	snprintf(path, sizeof(path), "%s/new", md);
	cr_expect_eq(mode_of(path), 0700);
	cr_assert_eq(files_in(path, names), 2, "one file a mail");
	cr_expect_str_neq(names[0], names[1], "unique names");
	cr_expect(strncmp(names[0], "1800000000.", 11) == 0, "%s", names[0]);
	snprintf(path, sizeof(path), "%s/new/%s", md, names[0]);
	cr_expect_eq(mode_of(path), 0600);
	f = fopen(path, "r");
	cr_assert_not_null(f);
	n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = '\0';
	fclose(f);
	cr_expect_str_eq(text, "From: k@example.com\nSubject: Hi\n\n"
	    "line one\n.line two\n", "LF line ends, no dot-stuffing");
}

Test(mail_maildir, unwritable_folder_fails_with_a_reason, .init = make_tmp,
    .fini = remove_tmp)
{
	char md[512], err[200] = "";

	/* a file where the Maildir should be */
	snprintf(md, sizeof(md), "%s/file", dir);
	fclose(fopen(md, "w"));
	cr_expect_eq(mail_maildir_deliver(md, "x\r\n", 3, 1, err,
	    sizeof(err)), ERR_STORE);
	cr_expect(strncmp(err, "maildir: ", 9) == 0, "%s", err);
}
