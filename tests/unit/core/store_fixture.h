#ifndef KEYGATE_TESTS_STORE_FIXTURE_H
#define KEYGATE_TESTS_STORE_FIXTURE_H

/* The unit tests of core/ that need a store: a keygate on a fresh SQLite
 * database in a folder of its own under /tmp, removed after each test.
 * In a case's .init: fixture_config(), any change to the configuration,
 * fixture_open(); in its .fini: fixture_close(). */

#include <stdint.h>

#include "core/config.h"
#include "core/keygate.h"

/* Defaults, with the store at /tmp/kg-unit-NAME-XXXXXX/keygate.db. */
void	fixture_config(const char *name, struct config *cfg);
/* Opens kg on cfg as the commands do (cli_open()), migrations run. */
void	fixture_open(struct config *cfg, struct keygate *kg);
/* Closes kg, releases cfg and removes the folder and the database's
 * files. */
void	fixture_close(struct config *cfg, struct keygate *kg);

/* A new account of `email` (password "correct horse battery"); its id. */
int64_t	fixture_account(struct keygate *kg, const char *email);

#endif
