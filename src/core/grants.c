#include "core/grants.h"

#include <stdlib.h>

#include "core/apps.h"
#include "core/mem.h"
#include "core/token_cache.h"

int
grants_list(struct keygate *kg, int64_t account_id, struct grant_row **rows,
    size_t *n)
{
	return store_grant_list(kg->store, account_id, rows, n);
}

int
grants_revoke(struct keygate *kg, int64_t account_id, struct str api_key)
{
	struct app_row *app = xmalloc(sizeof(*app));
	int rc = apps_get(kg, STORE_ANY_ACCOUNT, api_key, app);

	if (rc == 0)
		rc = store_grant_delete(kg->store, account_id, app->id);
	/* its tokens are gone: this node must not serve them from memory
	 * (even on failure: a commit whose answer was lost may have held) */
	token_cache_invalidate(kg->cache);
	free(app);
	return rc;
}
