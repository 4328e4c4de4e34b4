#ifndef KEYGATE_BASE_EMBEDDED_H
#define KEYGATE_BASE_EMBEDDED_H

#include <stddef.h>

/* A file compiled into the binary by tools/embed.py. Tables end with an
 * entry whose name is NULL. */
struct embedded_file {
	const char	*name;
	const char	*data;
	size_t		 len;
};

/* Finds `name` in `table`; NULL when absent. */
const struct embedded_file *embedded_find(const struct embedded_file *table,
    const char *name);

#endif
