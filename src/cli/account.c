#include "cli/cli.h"
#include "cli/help.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "core/accounts.h"
#include "base/err.h"

static void
usage(FILE *out)
{
	fprintf(out, "usage: keygate account add --email EMAIL [--db PATH]\n\n"
	    "Creates an account. The password is read from standard input\n"
	    "(one line; typed without echo on a terminal), never from the\n"
	    "command line, where other users could see it.\n");
}

/* Reads one line into pw (NUL-terminated, newline dropped). */
static int
read_password(char *pw, size_t len)
{
	struct termios old, quiet;
	bool tty = isatty(STDIN_FILENO);
	size_t n;

	if (tty) {
		fprintf(stderr, "Password: ");
		tcgetattr(STDIN_FILENO, &old);
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
	}
	if (fgets(pw, (int)len, stdin) == NULL)
		pw[0] = '\0';
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSANOW, &old);
		fprintf(stderr, "\n");
	}
	n = strlen(pw);
	if (n > 0 && pw[n - 1] == '\n')
		pw[--n] = '\0';
	if (n > 0 && pw[n - 1] == '\r')
		pw[--n] = '\0';
	return n == 0 ? ERR_MISSING : 0;
}

/* Splits `--email E` out of argv; the rest goes to config_parse(). */
static int
take_email(int *argc, char **argv, const char **email)
{
	for (int i = 0; i < *argc; i++) {
		if (strcmp(argv[i], "--email") == 0 && i + 1 < *argc) {
			*email = argv[i + 1];
			memmove(&argv[i], &argv[i + 2],
			    (size_t)(*argc - i - 2) * sizeof(char *));
			*argc -= 2;
			return 0;
		}
	}
	return ERR_MISSING;
}

static int
account_add(int argc, char **argv)
{
	struct config cfg;
	struct keygate kg;
	struct signup_errors errs;
	struct account acct;
	const char *email = NULL;
	char err[512], pw[ACCOUNT_PASSWORD_MAX_BYTES + 2];
	int rc = 2;

	config_init(&cfg);
	if (take_email(&argc, argv, &email) != 0 ||
	    config_parse(&cfg, argc, argv, CONFIG_ONLY_DB, err,
	    sizeof(err)) != 0) {
		fprintf(stderr, "keygate account add: %s\n", email == NULL ?
		    "--email is required" : err);
		goto out_config;
	}
	if (read_password(pw, sizeof(pw)) != 0) {
		fprintf(stderr, "keygate account add: no password on standard "
		    "input\n");
		goto out_config;
	}
	rc = 1;
	if (cli_open(&kg, &cfg) != 0)
		goto out_pw;
	switch (accounts_add(&kg, str_from(email), str_from(pw), &acct,
	    &errs)) {
	case 0:
		printf("account %lld %s\n", (long long)acct.id, acct.email);
		rc = 0;
		break;
	case ERR_INVALID:
	case ERR_EXISTS:
		fprintf(stderr, "keygate account add: %s\n",
		    errs.email != NULL ? errs.email : errs.password);
		break;
	default:
		fprintf(stderr, "keygate account add: the store failed\n");
	}
	cli_close(&kg);
out_pw:
	sodium_memzero(pw, sizeof(pw));
out_config:
	config_release(&cfg);
	return rc;
}

int
cli_account(int argc, char **argv)
{
	if (cli_help_asked(argc, argv)) {
		usage(stdout);
		return 0;
	}
	if (argc > 0 && strcmp(argv[0], "add") == 0)
		return account_add(argc - 1, argv + 1);
	usage(stderr);
	return 2;
}
