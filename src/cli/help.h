#ifndef KEYGATE_CLI_HELP_H
#define KEYGATE_CLI_HELP_H

#include <stdbool.h>
#include <string.h>

/* True when one of a command's arguments is --help or -h: every command
 * and subcommand then prints its help on stdout and exits 0, wherever the
 * word stands. Arguments after a "--" are not looked at. Header-only, so
 * that the client commands, which share no code with the server's, use
 * the same rule. */
static inline bool
cli_help_asked(int argc, char **argv)
{
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			return false;
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return true;
	}
	return false;
}

#endif
