#include "core/grants.h"

#include <stdlib.h>

#include "core/apps.h"
#include "core/events.h"
#include "base/mem.h"

int
grants_list(struct keygate *kg, int64_t account_id,
    const struct store_page *page, struct grant_row **rows, size_t *n)
{
	return store_grant_list(kg->store, account_id, page, rows, n);
}

int
grants_revoke(struct keygate *kg, int64_t account_id, const char *addr,
    struct str api_key)
{
	struct app_row *app = xmalloc(sizeof(*app));
	struct event_new ev;
	int rc = apps_get(kg, STORE_ANY_ACCOUNT, api_key, app);

	if (rc == 0) {
		event_make(&ev, kg, EVENT_GRANT_WITHDRAWN, account_id, addr);
		event_app(&ev, app->id, app->api_key);
		rc = store_grant_delete(kg->store, account_id, app->id, &ev);
	}
	free(app);
	return rc;
}
