#ifndef KEYGATE_CLI_CLI_H
#define KEYGATE_CLI_CLI_H

#include "core/config.h"
#include "core/keygate.h"

/* Each command takes the arguments after its own name and returns the
 * process exit status: 0 ok, 1 failure, 2 bad usage. */
int	cli_serve(int argc, char **argv);
int	cli_migrate(int argc, char **argv);
int	cli_account(int argc, char **argv);
int	cli_app(int argc, char **argv);
int	cli_client(int argc, char **argv);
int	cli_config(int argc, char **argv);
int	cli_gc(int argc, char **argv);
int	cli_stats(int argc, char **argv);
int	cli_token(int argc, char **argv);
int	cli_keys(int argc, char **argv);
int	cli_resource(int argc, char **argv);

/* Builds kg on cfg: crypto, clock, store (migrated), throttle, keys.
 * Prints the reason and returns non-zero on failure. */
int	cli_open(struct keygate *kg, const struct config *cfg);
void	cli_close(struct keygate *kg);

#endif
