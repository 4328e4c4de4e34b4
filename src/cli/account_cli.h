#ifndef KEYGATE_CLI_ACCOUNT_CLI_H
#define KEYGATE_CLI_ACCOUNT_CLI_H

/* Internal to keygate account: what account_show.c prints for account.c. */

#include <stdbool.h>

#include "core/keygate.h"
#include "store/store.h"

/* Every account, one a line (or a JSON array with --json), read a page at
 * a time: the list is never whole in memory. Returns the exit status. */
int	account_print_list(struct keygate *kg, bool json);

/* One account: its fields, its apps (name, API key), and how many live
 * browser sessions, personal access tokens and grants it holds. Returns
 * the exit status. */
int	account_print_one(struct keygate *kg, const struct account *acct,
	    bool json);

#endif
