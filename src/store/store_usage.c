/* The store's calls for usage per app and hour (docs/REFERENCE.md §21),
 * dispatched as store.c does. */
#include "store/store.h"

#include "store/store_call.h"

int
store_usage_write(struct store *st, const struct use_entry *uses,
    size_t n, const struct usage_add *adds, size_t m, int64_t live_hour)
{
	if (m == 0 && live_hour < 0)
		return store_use_log_append(st, uses, n);
	return CALL(usage_write, uses, n, adds, m, live_hour);
}

int
store_usage_read(struct store *st, int64_t app_id, int64_t from,
    int64_t to, struct usage_hour **rows, size_t *n)
{
	*rows = NULL;
	*n = 0;
	return CALL(usage_read, app_id, from, to, rows, n);
}
