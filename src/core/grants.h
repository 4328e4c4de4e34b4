#ifndef KEYGATE_CORE_GRANTS_H
#define KEYGATE_CORE_GRANTS_H

#include <stddef.h>
#include <stdint.h>

#include "core/keygate.h"
#include "base/str.h"
#include "store/store.h"

/* The apps an account granted access (its Connected apps). */

/* One page (store_page), oldest first; *rows is malloc'd, free() it. */
int	grants_list(struct keygate *kg, int64_t account_id,
	    const struct store_page *page, struct grant_row **rows,
	    size_t *n);

/* Withdraws the account's grant to the app with this API key: every token
 * family under it ends and the consent is forgotten (docs/REFERENCE.md §1).
 * Returns 0, ERR_NOTFOUND (no such app, or no grant) or ERR_STORE. */
int	grants_revoke(struct keygate *kg, int64_t account_id,
	    const char *addr, struct str api_key);

#endif
