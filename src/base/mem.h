#ifndef KEYGATE_BASE_MEM_H
#define KEYGATE_BASE_MEM_H

#include <stddef.h>

/* Allocators that abort on failure, so callers do not check. Sizes a client
 * controls are capped before they reach these. */
void	*xmalloc(size_t n);
void	*xcalloc(size_t count, size_t size);
void	*xrealloc(void *p, size_t n);
char	*xstrdup(const char *s);
char	*xstrndup(const char *s, size_t n);

#endif
