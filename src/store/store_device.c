/* The store's calls for device grants (RFC 8628), pushed authorization
 * requests (RFC 9126) and security events, dispatched as store.c does. */
#include "store/store.h"

#include "store/store_call.h"

int
store_device_insert(struct store *st,
    const unsigned char hash[SECURE_HASH_BYTES], const struct device_row *row)
{
	return CALL(device_insert, hash, row);
}

int
store_device_find(struct store *st, const char *user_code, int64_t now,
    struct device_row *out)
{
	return CALL(device_find, user_code, now, out);
}

int
store_device_decide(struct store *st, const char *user_code,
    const struct device_decision *d, const struct event_new *ev)
{
	return CALL(device_decide, user_code, d, ev);
}

int
store_device_poll(struct store *st,
    const unsigned char hash[SECURE_HASH_BYTES], int64_t app_id, int64_t now,
    int64_t step_s, struct device_row *out)
{
	return CALL(device_poll, hash, app_id, now, step_s, out);
}

int
store_par_insert(struct store *st,
    const unsigned char hash[SECURE_HASH_BYTES], const struct par_row *row)
{
	return CALL(par_insert, hash, row);
}

int
store_par_get(struct store *st, const unsigned char hash[SECURE_HASH_BYTES],
    int64_t now, struct par_row *out)
{
	return CALL(par_get, hash, now, out);
}

int
store_par_use(struct store *st, const unsigned char hash[SECURE_HASH_BYTES],
    int64_t app_id, int64_t now)
{
	return CALL(par_use, hash, app_id, now);
}

int
store_event_add(struct store *st, const struct event_new *ev)
{
	return CALL(event_add, ev);
}

int
store_event_list(struct store *st, int64_t account_id, int kind,
    int64_t app_id, int64_t before, size_t max, struct event_row **rows,
    size_t *n)
{
	/* the backends' queries stay below an id: a plain range on their
	 * indexes, where "0 or below" would be a filter */
	if (before <= 0)
		before = INT64_MAX;
	return CALL(event_list, account_id, kind, app_id, before, max, rows,
	    n);
}
