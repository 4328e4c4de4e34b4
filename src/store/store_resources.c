/* The store's calls for registered resources (docs/REFERENCE.md §22.1),
 * dispatched as store.c does. */
#include "store/store.h"

#include "store/store_call.h"

int
store_resource_add(struct store *st, const struct resource_bit_row *rows,
    size_t n, unsigned keep)
{
	return CALL(resource_add, rows, n, keep);
}

int
store_resource_list(struct store *st, struct resource_bit_row **rows,
    size_t *n)
{
	return CALL(resource_list, rows, n);
}

int
store_resource_delete(struct store *st, const char *uri, unsigned bits,
    unsigned keep)
{
	return CALL(resource_delete, uri, bits, keep);
}
