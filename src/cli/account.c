/* keygate account add|list|show|disable|enable|delete|passwd|reset-2fa:
 * operators' access to accounts. Passwords come from standard input, never
 * from the command line, where other users could see them. */
#include "cli/cli.h"
#include "cli/help.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "base/err.h"
#include "cli/account_cli.h"
#include "core/account_admin.h"
#include "core/accounts.h"
#include "core/totp.h"

/* What a command line of keygate account holds besides the verb. */
struct account_args {
	const char	*email;		/* the one positional argument */
	bool		 json;
	bool		 yes;
	int		 cfg_argc;	/* --db, --config: for config_parse() */
	char		**cfg_argv;
};

typedef int (*account_cmd)(struct keygate *kg, const struct account *acct,
    const struct account_args *a);

static int	cmd_show(struct keygate *, const struct account *,
		    const struct account_args *);
static int	cmd_disable(struct keygate *, const struct account *,
		    const struct account_args *);
static int	cmd_enable(struct keygate *, const struct account *,
		    const struct account_args *);
static int	cmd_delete(struct keygate *, const struct account *,
		    const struct account_args *);
static int	cmd_passwd(struct keygate *, const struct account *,
		    const struct account_args *);
static int	cmd_reset_2fa(struct keygate *, const struct account *,
		    const struct account_args *);

/* The verbs that name an account by its email. */
static const struct verb {
	const char	*name;
	account_cmd	 run;
} VERBS[] = {
	{ "show", cmd_show },
	{ "disable", cmd_disable },
	{ "enable", cmd_enable },
	{ "delete", cmd_delete },
	{ "passwd", cmd_passwd },
	{ "reset-2fa", cmd_reset_2fa },
};

static void
usage(FILE *out)
{
	fprintf(out,
	    "usage: keygate account add --email EMAIL   (password on stdin)\n"
	    "       keygate account list [--json]\n"
	    "       keygate account show EMAIL [--json]\n"
	    "       keygate account disable EMAIL\n"
	    "       keygate account enable EMAIL\n"
	    "       keygate account delete EMAIL [--yes]\n"
	    "       keygate account passwd EMAIL    (new password on stdin)\n"
	    "       keygate account reset-2fa EMAIL\n"
	    "\n"
	    "add creates an account; list shows every account; show one, "
	    "with its apps\nand how many sessions, personal tokens and "
	    "grants it holds.\n"
	    "disable ends the account's browser sessions and personal "
	    "access tokens,\nrefuses its log-ins, and refuses its apps' "
	    "clients and every token issued\nto its apps or to it, until "
	    "enable. delete removes it with everything it\nowns (its apps "
	    "and their tokens, its grants); on a terminal it asks first,\n"
	    "elsewhere it needs --yes. passwd sets a new password, read "
	    "from standard\ninput (one line), and ends the account's "
	    "browser sessions.\nreset-2fa turns the account's two-step log-in "
	    "off (its key and recovery\ncodes deleted), for an owner who lost "
	    "both.\n"
	    "Every command takes --db PATH (or KEYGATE_DB) and --config "
	    "FILE. A server\non the same store, and every node, sees a "
	    "change within a second.\npasswd and reset-2fa mail the account a "
	    "notice, sent by the server: --issuer,\n--brand and --mail-from "
	    "as the server's make it right.\n");
}

/* Reads one line into pw (NUL-terminated, newline dropped), without echo
 * on a terminal after `prompt`. */
static int
read_password(const char *prompt, char *pw, size_t len)
{
	struct termios old, quiet;
	bool tty = isatty(STDIN_FILENO);
	size_t n;

	if (tty) {
		fprintf(stderr, "%s", prompt);
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
	if (read_password("Password: ", pw, sizeof(pw)) != 0) {
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

/* Takes --json, --yes and the email out of argv (after the verb); the
 * other flags, with their values, stay for config_parse(). */
static int
parse_args(int argc, char **argv, const char *verb, struct account_args *a)
{
	memset(a, 0, sizeof(*a));
	a->cfg_argv = argv;
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			a->json = true;
		} else if (strcmp(argv[i], "--yes") == 0) {
			a->yes = true;
		} else if (strncmp(argv[i], "--", 2) == 0) {
			a->cfg_argv[a->cfg_argc++] = argv[i];
			if (strchr(argv[i], '=') == NULL && i + 1 < argc)
				a->cfg_argv[a->cfg_argc++] = argv[++i];
		} else if (a->email == NULL) {
			a->email = argv[i];
		} else {
			fprintf(stderr, "keygate account %s: unexpected '%s'\n",
			    verb, argv[i]);
			return ERR_INVALID;
		}
	}
	return 0;
}

static int
cmd_show(struct keygate *kg, const struct account *acct,
    const struct account_args *a)
{
	return account_print_one(kg, acct, a->json);
}

static int
done(const char *verb, const char *email, int rc, const char *what)
{
	if (rc == 0) {
		printf("account %s %s\n", email, what);
		return 0;
	}
	if (rc == ERR_NOTFOUND)
		fprintf(stderr, "keygate account %s: no account %s\n", verb,
		    email);
	else
		fprintf(stderr, "keygate account %s: the store failed\n", verb);
	return 1;
}

static int
cmd_disable(struct keygate *kg, const struct account *acct,
    const struct account_args *a)
{
	(void)a;
	return done("disable", acct->email, account_admin_disable(kg,
	    acct->id), "disabled: its sessions and personal access tokens "
	    "are ended, its log-ins, apps and tokens refused until enabled");
}

static int
cmd_enable(struct keygate *kg, const struct account *acct,
    const struct account_args *a)
{
	(void)a;
	return done("enable", acct->email, account_admin_enable(kg,
	    acct->id), "enabled: its apps and unexpired tokens work again");
}

/* On a terminal the operator types the email again; elsewhere nobody can
 * answer, and --yes must say it beforehand. */
static int
confirmed(const struct account *acct, const struct account_args *a)
{
	char line[ACCOUNT_EMAIL_MAX_BYTES + 3];

	if (a->yes)
		return 0;
	if (!isatty(STDIN_FILENO)) {
		fprintf(stderr, "keygate account delete: standard input is not "
		    "a terminal; give --yes to delete %s\n", acct->email);
		return 2;
	}
	fprintf(stderr, "Delete %s with its apps, their tokens and its "
	    "grants, for good?\nType the email again to confirm: ",
	    acct->email);
	if (fgets(line, (int)sizeof(line), stdin) == NULL)
		line[0] = '\0';
	line[strcspn(line, "\r\n")] = '\0';
	if (strcmp(line, acct->email) == 0)
		return 0;
	fprintf(stderr, "keygate account delete: not confirmed; nothing "
	    "deleted\n");
	return 1;
}

static int
cmd_delete(struct keygate *kg, const struct account *acct,
    const struct account_args *a)
{
	int rc = confirmed(acct, a);

	if (rc != 0)
		return rc;
	return done("delete", acct->email, account_admin_delete(kg,
	    acct->id), "deleted, with everything it owned");
}

static int
cmd_passwd(struct keygate *kg, const struct account *acct,
    const struct account_args *a)
{
	char pw[ACCOUNT_PASSWORD_MAX_BYTES + 2];
	const char *reason = NULL;
	int rc;

	(void)a;
	if (read_password("New password: ", pw, sizeof(pw)) != 0) {
		fprintf(stderr, "keygate account passwd: no password on "
		    "standard input\n");
		return 2;
	}
	rc = account_admin_passwd(kg, acct->id, str_from(pw), &reason);
	sodium_memzero(pw, sizeof(pw));
	if (rc == ERR_INVALID) {
		fprintf(stderr, "keygate account passwd: %s\n", reason);
		return 1;
	}
	return done("passwd", acct->email, rc, "password changed: its "
	    "browser sessions are ended; personal access tokens and grants "
	    "stay");
}

/* The owner lost the authenticator and the recovery codes: after checking
 * who they are, the operator turns two-step log-in off; they log in with
 * the password and may turn it on again. */
static int
cmd_reset_2fa(struct keygate *kg, const struct account *acct,
    const struct account_args *a)
{
	int rc = totp_reset(kg, acct->id, NULL);

	(void)a;
	if (rc == ERR_NOTFOUND) {
		fprintf(stderr, "keygate account reset-2fa: %s has no two-step "
		    "log-in on; nothing changed\n", acct->email);
		return 1;
	}
	return done("reset-2fa", acct->email, rc, "two-step log-in turned "
	    "off: its key and recovery codes are deleted");
}

/* Opens the store of a's flags and runs `run` on the account of a->email
 * (or the list, when run is NULL). */
static int
run_on_store(const char *verb, account_cmd run, const struct account_args *a)
{
	struct config cfg;
	struct keygate kg;
	struct account acct;
	char err[512];
	int rc = 1;

	config_init(&cfg);
	if (config_parse(&cfg, a->cfg_argc, a->cfg_argv, CONFIG_ACCOUNT_CLI,
	    err, sizeof(err)) != 0) {
		fprintf(stderr, "keygate account %s: %s\n", verb, err);
		config_release(&cfg);
		return 2;
	}
	if (cli_open(&kg, &cfg) != 0) {
		config_release(&cfg);
		return 1;
	}
	if (run == NULL) {
		rc = account_print_list(&kg, a->json);
	} else {
		switch (accounts_find(&kg, str_from(a->email), &acct)) {
		case 0:
			rc = run(&kg, &acct, a);
			break;
		case ERR_NOTFOUND:
			fprintf(stderr, "keygate account %s: no account %s\n",
			    verb, a->email);
			break;
		default:
			fprintf(stderr, "keygate account %s: the store "
			    "failed\n", verb);
		}
	}
	sodium_memzero(&acct, sizeof(acct));	/* its password hash */
	cli_close(&kg);
	config_release(&cfg);
	return rc;
}

int
cli_account(int argc, char **argv)
{
	struct account_args a;
	account_cmd run = NULL;
	size_t i;

	if (cli_help_asked(argc, argv)) {
		usage(stdout);
		return 0;
	}
	if (argc > 0 && strcmp(argv[0], "add") == 0)
		return account_add(argc - 1, argv + 1);
	for (i = 0; argc > 0 && i < sizeof(VERBS) / sizeof(VERBS[0]); i++)
		if (strcmp(argv[0], VERBS[i].name) == 0)
			run = VERBS[i].run;
	/* list takes no email, the others one; only delete takes --yes */
	if (argc == 0 || (run == NULL && strcmp(argv[0], "list") != 0) ||
	    parse_args(argc - 1, argv + 1, argv[0], &a) != 0 ||
	    (run == NULL) != (a.email == NULL) ||
	    (a.yes && run != cmd_delete)) {
		usage(stderr);
		return 2;
	}
	return run_on_store(argv[0], run, &a);
}
