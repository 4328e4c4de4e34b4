/* `keygate client ...`: shared between cli/client.c and cli/client_call.c.
 * Both use libkeygate-client's public API only. */
#ifndef KEYGATE_CLI_CLIENT_CLI_H
#define KEYGATE_CLI_CLIENT_CLI_H

#include <stdbool.h>

#include "keygate/client.h"

/* Exit statuses of `keygate client` (docs/CLIENT.md). */
#define CLIENT_EXIT_FAIL	1
#define CLIENT_EXIT_USAGE	2
#define CLIENT_EXIT_LOGIN	3	/* revoked grant or no tokens */
#define CLIENT_EXIT_AUTH	4	/* API key or secret refused */
#define CLIENT_EXIT_NETWORK	5
#define CLIENT_EXIT_HTTP	6	/* `call`: an HTTP status >= 400 */

struct client_opts {
	const char	*file;
	const char	*clock_file;	/* test mode only */
};

/* Consumes argv[*i] (and its value) when it is a flag every subcommand
 * takes; returns true then. Sets *bad on a flag that lacks its value. */
bool	client_common_flag(struct client_opts *o, int argc, char **argv,
	    int *i, bool *bad);

/* Fills in the defaults (the token file's path, the test clock). Returns
 * 0, or CLIENT_EXIT_USAGE after saying why. */
int	client_opts_finish(struct client_opts *o);

/* Opens the client of o->file with its clock set. */
int	client_open(const struct client_opts *o, struct kg_client **out);

/* Prints the library's latest error and returns the exit status for
 * `code`. */
int	client_fail(int code);

int	cli_client_call(int argc, char **argv);

/* The device log-in: prints the codes (a QR code on a terminal), waits
 * for access, keeps the tokens (client_device.c). */
int	cli_client_device_login(struct kg_client *c);

#endif
