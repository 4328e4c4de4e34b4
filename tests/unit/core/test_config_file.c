#include "core/config.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"

static char path[64];

static void
write_file(const char *text)
{
	FILE *f;

	snprintf(path, sizeof(path), "/tmp/kg-config-test-%d.conf",
	    (int)getpid());
	f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
}

static void
setup(void)
{
	unsetenv("KEYGATE_CONFIG");
	unsetenv("KEYGATE_DB");
	unsetenv("KEYGATE_LISTEN");
	unsetenv("KEYGATE_SIGNUP_RATE");
}

static void
teardown(void)
{
	unlink(path);
}

struct problems {
	int	 n;
	char	 text[8][300];
};

static void
collect(void *ctx, const char *message)
{
	struct problems *p = ctx;

	if (p->n < 8)
		snprintf(p->text[p->n], sizeof(p->text[0]), "%s", message);
	p->n++;
}

TestSuite(config_file, .init = setup, .fini = teardown);

Test(config_file, reads_settings_named_as_flags)
{
	struct config cfg;
	struct problems p = { 0 };

	write_file("# comment\n[keygate]\ndb = /var/lib/kg.db ; trailing\n"
	    "signup_rate = 7\n  no-signup = yes\n\nlisten=127.0.0.1:9\n");
	config_init(&cfg);
	cr_assert_eq(config_file_read(&cfg, path, NULL, collect, &p), 0,
	    "%s", p.text[0]);
	cr_assert_str_eq(cfg.db, "/var/lib/kg.db");
	cr_assert_eq(cfg.signup_rate, 7);
	cr_assert(cfg.no_signup);
	cr_assert_str_eq(cfg.listen, "127.0.0.1:9");
	config_release(&cfg);
}

/* Every problem is reported, each with its own line. */
Test(config_file, explains_every_problem_with_its_line)
{
	static const char *const want[] = {
		":2: --signup-rate wants a whole number",
		":3: unknown section [serve]",
		":4: unknown setting 'bogus'",
		":5: 'db' is set twice (first on line 1)",
		":6: expected NAME = VALUE",
		":7: a configuration file cannot name another one",
	};
	struct config cfg;
	struct problems p = { 0 };

	write_file("db = a.db\nsignup-rate = lots\n[serve]\nbogus = 1\n"
	    "db = b.db\njust words\nconfig = other.conf\n");
	config_init(&cfg);
	cr_assert_eq(config_file_read(&cfg, path, NULL, collect, &p), 6);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		cr_assert(strncmp(p.text[i], path, strlen(path)) == 0,
		    "%s", p.text[i]);
		cr_assert_not_null(strstr(p.text[i], want[i]), "%s vs %s",
		    p.text[i], want[i]);
	}
	config_release(&cfg);
}

Test(config_file, a_long_line_is_refused_with_its_number)
{
	char text[1200];
	struct config cfg;
	struct problems p = { 0 };

	memset(text, 'x', sizeof(text));
	memcpy(text, "\nbrand = ", 9);
	text[sizeof(text) - 2] = '\n';
	text[sizeof(text) - 1] = '\0';
	write_file(text);
	config_init(&cfg);
	cr_assert_eq(config_file_read(&cfg, path, NULL, collect, &p), 1);
	cr_assert_not_null(strstr(p.text[0], ":2: the line is over"), "%s",
	    p.text[0]);
	config_release(&cfg);
}

Test(config_file, a_missing_file_is_one_problem)
{
	struct config cfg;
	struct problems p = { 0 };

	config_init(&cfg);
	cr_assert_eq(config_file_read(&cfg, "/nonexistent/kg.conf", NULL,
	    collect, &p), 1);
	cr_assert_not_null(strstr(p.text[0], "cannot read it"));
	config_release(&cfg);
}

/* Precedence: defaults < file < KEYGATE_* < flags. */
Test(config_file, flags_beat_variables_beat_the_file)
{
	struct config cfg;
	char err[512], *argv[] = { "--config", path, "--listen",
	    "127.0.0.1:3" };

	write_file("db = file.db\nlisten = 127.0.0.1:1\nsignup-rate = 5\n");
	setenv("KEYGATE_LISTEN", "127.0.0.1:2", 1);
	setenv("KEYGATE_DB", "env.db", 1);
	config_init(&cfg);
	cr_assert_eq(config_parse(&cfg, 4, argv, NULL, err, sizeof(err)), 0,
	    "%s", err);
	cr_assert_str_eq(cfg.listen, "127.0.0.1:3");
	cr_assert_str_eq(cfg.db, "env.db");
	cr_assert_eq(cfg.signup_rate, 5);
	cr_assert_eq(cfg.token_unused_ttl_s, 3600);
	cr_assert_str_eq(cfg.config_file, path);
	config_release(&cfg);
}

Test(config_file, keygate_config_names_the_file)
{
	struct config cfg;
	char err[512];

	write_file("signup-rate = 9\n");
	setenv("KEYGATE_CONFIG", path, 1);
	config_init(&cfg);
	cr_assert_eq(config_parse(&cfg, 0, NULL, NULL, err, sizeof(err)), 0,
	    "%s", err);
	cr_assert_eq(cfg.signup_rate, 9);
	config_release(&cfg);
}

/* A command that takes only --db still reads a file written for serve. */
Test(config_file, settings_outside_a_command_are_ignored)
{
	struct config cfg;
	char err[512], *argv[] = { "--config", path };

	write_file("db = only.db\nlisten = 127.0.0.1:1\n");
	config_init(&cfg);
	cr_assert_eq(config_parse(&cfg, 2, argv, CONFIG_ONLY_DB, err,
	    sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(cfg.db, "only.db");
	cr_assert_str_eq(cfg.listen, "127.0.0.1:8080");
	config_release(&cfg);
}

Test(config_file, a_bad_file_stops_config_parse)
{
	struct config cfg;
	char err[512], *argv[] = { "--config", path };

	write_file("db = a.db\nthreads = -1\n");
	config_init(&cfg);
	cr_assert_eq(config_parse(&cfg, 2, argv, NULL, err, sizeof(err)),
	    ERR_INVALID);
	cr_assert_not_null(strstr(err, ":2: --threads wants"), "%s", err);
	config_release(&cfg);
}
