/* keygate: a developer portal and OAuth 2 authorization server. */
#include <sys/stat.h>

#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

#ifndef KEYGATE_VERSION
#define KEYGATE_VERSION "dev"
#endif

static void
usage(FILE *out)
{
	fprintf(out, "usage: keygate COMMAND [flags]\n\n"
	    "commands:\n"
	    "  serve          run the HTTP server (see keygate serve --help)\n"
	    "  migrate        apply pending store migrations\n"
	    "  account ...    add, list, show, disable, enable, delete "
	    "accounts; passwd\n"
	    "                 sets a password (read from standard input)\n"
	    "  app ...        list, create, show, set, secret, delete "
	    "applications\n"
	    "  keys list|rotate  the OpenID Provider's signing keys (see "
	    "keygate keys --help)\n"
	    "  resource ...   add, list, show, delete the APIs tokens are for "
	    "(see\n                 keygate resource --help)\n"
	    "  token revoke   revoke the access or refresh token on standard "
	    "input\n"
	    "  gc             remove dead access tokens, old codes, ended "
	    "sessions\n"
	    "  stats          count accounts, apps, grants, live tokens\n"
	    "  config check FILE  explain every problem of a configuration "
	    "file\n"
	    "  client ...     login, token, call, status: an API user's "
	    "tokens that\n"
	    "                 refresh themselves (see keygate client "
	    "--help)\n"
	    "\n"
	    "flags of keygate serve (each also read from its variable):\n");
	config_usage(out, NULL);
	fprintf(out, "\n  --version      print the version\n"
	    "  --help         print this help\n");
}

int
main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : NULL;

	/* Whatever keygate creates (the database and its -wal and -shm, the
	 * client's token file) holds credentials: owner only, whatever umask
	 * it was started with. Each such file is also created 0600 itself. */
	umask(077);
	if (cmd == NULL) {
		usage(stderr);
		return 2;
	}
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 ||
	    strcmp(cmd, "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(cmd, "--version") == 0) {
		printf("keygate %s\n", KEYGATE_VERSION);
		return 0;
	}
	if (strcmp(cmd, "serve") == 0)
		return cli_serve(argc - 2, argv + 2);
	if (strcmp(cmd, "migrate") == 0)
		return cli_migrate(argc - 2, argv + 2);
	if (strcmp(cmd, "account") == 0)
		return cli_account(argc - 2, argv + 2);
	if (strcmp(cmd, "app") == 0)
		return cli_app(argc - 2, argv + 2);
	if (strcmp(cmd, "gc") == 0)
		return cli_gc(argc - 2, argv + 2);
	if (strcmp(cmd, "stats") == 0)
		return cli_stats(argc - 2, argv + 2);
	if (strcmp(cmd, "keys") == 0)
		return cli_keys(argc - 2, argv + 2);
	if (strcmp(cmd, "resource") == 0)
		return cli_resource(argc - 2, argv + 2);
	if (strcmp(cmd, "token") == 0)
		return cli_token(argc - 2, argv + 2);
	if (strcmp(cmd, "config") == 0)
		return cli_config(argc - 2, argv + 2);
	if (strcmp(cmd, "client") == 0)
		return cli_client(argc - 2, argv + 2);
	fprintf(stderr, "keygate: unknown command '%s' (see keygate --help)\n",
	    cmd);
	return 2;
}
