#include "core/grants.h"

#include <stdlib.h>

#include "core/apps.h"
#include "base/mem.h"

int
grants_list(struct keygate *kg, int64_t account_id,
    const struct store_page *page, struct grant_row **rows, size_t *n)
{
	return store_grant_list(kg->store, account_id, page, rows, n);
}

int
grants_revoke(struct keygate *kg, int64_t account_id, struct str api_key)
{
	struct app_row *app = xmalloc(sizeof(*app));
	int rc = apps_get(kg, STORE_ANY_ACCOUNT, api_key, app);

	if (rc == 0)
		rc = store_grant_delete(kg->store, account_id, app->id);
	free(app);
	return rc;
}
