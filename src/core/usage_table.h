#ifndef KEYGATE_CORE_USAGE_TABLE_H
#define KEYGATE_CORE_USAGE_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

/* One thread's counts by (app, hour) for core/usage.c: an open-addressed
 * table that grows, so that counting is a lookup and an add. Not locked:
 * its owner locks it. */
struct usage_table {
	struct usage_add	*slots;		/* app_id 0: free */
	size_t			 cap;		/* a power of two, or 0 */
	size_t			 n;
};

/* Adds one of kind k to (app_id, hour); app_id > 0. */
void	usage_table_add(struct usage_table *t, int64_t app_id, int64_t hour,
	    enum usage_kind k);
/* Appends every entry to the growable array *out (*n entries, room for
 * *cap) and empties the table: its memory is kept while the table is
 * used, shrunk after a drain that found it at most an eighth used, and
 * freed after one that found it empty. */
void	usage_table_drain(struct usage_table *t, struct usage_add **out,
	    size_t *n, size_t *cap);
void	usage_table_free(struct usage_table *t);

/* Sorts rows by (app_id, hour) and adds up those of one app and hour:
 * the new count of rows. */
size_t	usage_merge(struct usage_add *rows, size_t n);

#endif
