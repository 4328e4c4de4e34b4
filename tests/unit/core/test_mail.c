/* core/mail.c against a real SQLite store in a temporary folder: a mail
 * queued is in the store, composed, before mail_queue() returns, and a
 * refused one leaves nothing; and the mail settings of core/config.c:
 * the SMTP password from its variable or the file, never a flag. */
#include "core/mail.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/err.h"
#include "base/metrics.h"
#include "store/store.h"
#include "store_fixture.h"

static struct config cfg;
static struct keygate kg;

static void
setup(void)
{
	fixture_config("mail", &cfg);
	free(cfg.issuer);
	cfg.issuer = strdup("https://id.example.com");
	cfg.test_clock = true;
	fixture_open(&cfg, &kg);
}

static void
teardown(void)
{
	fixture_close(&cfg, &kg);
}

Test(mail, queued_in_the_store_composed, .init = setup, .fini = teardown)
{
	uint64_t queued = metrics_get(METRIC_MAIL_QUEUED);
	int64_t now = clock_now(kg.clock);
	struct mail_row row;

	cr_assert_eq(mail_queue(&kg, "ann@example.org", "Reset your password",
	    "Open https://id.example.com/password/reset?token=t0k\n"), 0);
	cr_expect_eq(metrics_get(METRIC_MAIL_QUEUED), queued + 1);
	cr_assert_eq(store_mail_claim(kg.store, now, now + 300, &row), 0,
	    "due at once");
	cr_expect_str_eq(row.recipient, "ann@example.org");
	cr_expect_eq(row.attempts, 0);
	cr_expect(strstr(row.message, "From: keygate@id.example.com\r\n") ==
	    row.message, "%s", row.message);
	cr_expect(strstr(row.message, "\r\nTo: ann@example.org\r\n") != NULL);
	cr_expect(strstr(row.message, "\r\nSubject: Reset your password\r\n")
	    != NULL);
	cr_expect(strstr(row.message, "@id.example.com>\r\n") != NULL,
	    "the Message-ID names the issuer's host");
	cr_expect(strstr(row.message, "\r\n\r\nOpen https://id.example.com/"
	    "password/reset?token=t0k\r\n") != NULL);
	free(row.message);
}

Test(mail, mail_from_is_the_sender, .init = setup, .fini = teardown)
{
	int64_t now = clock_now(kg.clock);
	struct mail_row row;

	cfg.mail_from = strdup("no-reply@example.com");
	cr_assert_eq(mail_queue(&kg, "bob@example.org", "s", "b"), 0);
	cr_assert_eq(store_mail_claim(kg.store, now, now + 300, &row), 0);
	cr_expect(strncmp(row.message, "From: no-reply@example.com\r\n", 28)
	    == 0, "%s", row.message);
	free(row.message);
}

/* Header injection and bad text are refused before anything is stored. */
Test(mail, refused_mail_leaves_nothing, .init = setup, .fini = teardown)
{
	static const char *const cases[][3] = {
		{ "ann@example.org", "Hi\r\nBcc: eve@example.net", "b" },
		{ "ann@example.org\r\nBcc: eve@example.net", "Hi", "b" },
		{ "ann@example.org", "Hi\n", "b" },
		{ "ann@example.org", "Hi", "a lone\rCR" },
		{ "not an address", "Hi", "b" },
	};
	int64_t now = clock_now(kg.clock);
	struct mail_row row;

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++)
		cr_expect_eq(mail_queue(&kg, cases[i][0], cases[i][1],
		    cases[i][2]), ERR_INVALID, "case %zu", i);
	cr_expect_eq(store_mail_claim(kg.store, now + 86400, now + 90000,
	    &row), ERR_NOTFOUND, "nothing was queued");
}

/* ---- the mail settings (core/config.c) ---- */

static const char *const mail_env[] = {
	"KEYGATE_SMTP_URL", "KEYGATE_SMTP_USER", "KEYGATE_SMTP_PASSWORD",
	"KEYGATE_MAIL_FROM", "KEYGATE_MAIL_DIR", "KEYGATE_CONFIG",
	"KEYGATE_ISSUER",
};

static void
clear_env(void)
{
	for (size_t i = 0; i < sizeof(mail_env) / sizeof(*mail_env); i++)
		unsetenv(mail_env[i]);
}

/* config_parse() then config_finish() of argv; the message into err. */
static int
parse(int argc, char **argv, struct config *c, char *err, size_t len)
{
	config_init(c);
	if (config_parse(c, argc, argv, NULL, err, len) != 0)
		return ERR_INVALID;
	return config_finish(c, err, len);
}

Test(mail_config, password_never_a_flag, .init = clear_env)
{
	char *forms[][3] = {
		{ "--smtp-password", "s3cret-pw", NULL },
		{ "--smtp-password=s3cret-pw", NULL, NULL },
	};
	char err[512];
	struct config c;

	for (size_t i = 0; i < 2; i++) {
		int argc = forms[i][1] != NULL ? 2 : 1;

		err[0] = '\0';
		config_init(&c);
		cr_expect_eq(config_parse(&c, argc, forms[i], NULL, err,
		    sizeof(err)), ERR_INVALID);
		cr_expect(strstr(err, "KEYGATE_SMTP_PASSWORD") != NULL, "%s",
		    err);
		cr_expect(strstr(err, "s3cret") == NULL, "not echoed: %s", err);
		cr_expect_null(c.smtp_password, "not kept");
		config_release(&c);
	}
}

Test(mail_config, password_from_the_variable, .init = clear_env)
{
	char *argv[] = { "--smtp-url", "smtp://mail.example.com:587",
	    "--smtp-user", "keygate" };
	char err[512] = "";
	struct config c;

	setenv("KEYGATE_SMTP_PASSWORD", "s3cret-pw", 1);
	cr_assert_eq(parse(4, argv, &c, err, sizeof(err)), 0, "%s", err);
	cr_expect_str_eq(c.smtp_password, "s3cret-pw");
	cr_expect_str_eq(c.smtp_user, "keygate");
	cr_expect_str_eq(c.smtp_url, "smtp://mail.example.com:587");
	config_release(&c);
}

Test(mail_config, password_from_the_file, .init = clear_env)
{
	char path[] = "/tmp/kg-unit-mail-conf-XXXXXX";
	char *argv[] = { "--config", path };
	char err[512] = "";
	struct config c;
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");

	fprintf(f, "smtp-url = smtps://mail.example.com\n"
	    "smtp-user = keygate\nsmtp-password = s3cret-pw\n"
	    "mail-from = keygate@example.com\nmail-dir = /srv/mail\n");
	fclose(f);
	cr_expect_eq(parse(2, argv, &c, err, sizeof(err)), 0, "%s", err);
	cr_expect_str_eq(c.smtp_password, "s3cret-pw");
	cr_expect_str_eq(c.mail_from, "keygate@example.com");
	cr_expect_str_eq(c.mail_dir, "/srv/mail");
	config_release(&c);
	unlink(path);
}

Test(mail_config, refused_settings, .init = clear_env)
{
	static const struct {
		const char	*args[4];
		const char	*says;
	} cases[] = {
		{ { "--smtp-url", "smtp://u:s3cret@mail.example.com" },
		  "no user or password" },
		{ { "--smtp-url", "http://mail.example.com" }, "smtp://" },
		{ { "--mail-from", "Keygate <k@example.com>" }, "--mail-from" },
		{ { "--mail-from", "k@example.com\r\nBcc: x@y.z" },
		  "--mail-from" },
		{ { "--smtp-user", "keygate" }, "need --smtp-url" },
		{ { "--issuer", "http://", "--metrics-listen", "off" },
		  "" },
	};
	char err[512];
	struct config c;

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		int argc = cases[i].args[2] != NULL ? 4 : 2;

		err[0] = '\0';
		cr_expect_eq(parse(argc, (char **)cases[i].args, &c, err,
		    sizeof(err)), ERR_INVALID, "case %zu", i);
		cr_expect(strstr(err, cases[i].says) != NULL, "case %zu: %s",
		    i, err);
		cr_expect(strstr(err, "s3cret") == NULL, "%s", err);
		config_release(&c);
	}
}

Test(mail_config, password_without_user_refused, .init = clear_env)
{
	char *argv[] = { "--smtp-url", "smtp://mail.example.com" };
	char err[512] = "";
	struct config c;

	setenv("KEYGATE_SMTP_PASSWORD", "s3cret-pw", 1);
	cr_expect_eq(parse(2, argv, &c, err, sizeof(err)), ERR_INVALID);
	cr_expect(strstr(err, "--smtp-user") != NULL, "%s", err);
	config_release(&c);
}

/* --help lists the variable, never a --smtp-password flag. */
Test(mail_config, usage_has_no_password_flag)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	config_usage(f, NULL);
	fclose(f);
	cr_expect(strstr(text, "--smtp-password") == NULL);
	cr_expect(strstr(text, "KEYGATE_SMTP_PASSWORD") != NULL);
	cr_expect(strstr(text, "--smtp-url VALUE") != NULL);
	cr_expect(strstr(text, "--mail-dir VALUE") != NULL);
	free(text);
}
