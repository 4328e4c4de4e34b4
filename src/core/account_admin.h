#ifndef KEYGATE_CORE_ACCOUNT_ADMIN_H
#define KEYGATE_CORE_ACCOUNT_ADMIN_H

#include <stddef.h>
#include <stdint.h>

#include "core/keygate.h"
#include "base/str.h"
#include "store/store.h"

/* The operator's account commands (keygate account list|show|disable|
 * enable|delete|passwd), below the command line: each one call, each
 * write one transaction (store.h says what each takes with it). Other
 * nodes and a server beside the command learn of a disabling or a
 * deletion within the keeper's period (keeper.h): the writes move the
 * store's revision counter. ERR_NOTFOUND for an unknown account id. */

/* One page of every account, oldest first; *rows is malloc'd, free()
 * it. */
int	account_admin_list(struct keygate *kg, const struct store_page *page,
	    struct account **rows, size_t *n);

/* What the account holds now: apps, live browser sessions, personal
 * access tokens, grants it gave. */
int	account_admin_counts(struct keygate *kg, int64_t id,
	    struct account_counts *out);

int	account_admin_disable(struct keygate *kg, int64_t id);
int	account_admin_enable(struct keygate *kg, int64_t id);
int	account_admin_delete(struct keygate *kg, int64_t id);

/* Sets a new password by the sign-up rules (accounts_check_password():
 * ERR_INVALID with *reason, nothing changed) and ends the account's
 * browser sessions; its personal access tokens and grants stay, as after
 * a password reset. The account is told by mail (notices.h). */
int	account_admin_passwd(struct keygate *kg, int64_t id,
	    struct str password, const char **reason);

#endif
