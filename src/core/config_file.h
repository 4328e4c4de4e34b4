#ifndef KEYGATE_CORE_CONFIG_FILE_H
#define KEYGATE_CORE_CONFIG_FILE_H

#include <stddef.h>

#include "core/config.h"

/* The configuration file (--config, KEYGATE_CONFIG): INI as Debian's
 * libinih reads it, one `name = value` a line, the names those of the
 * flags without dashes, at the top or under [keygate]; `#` and `;` start
 * comments. docs/OPERATIONS.md has an example. */

/* Called once per problem with "PATH:LINE: what is wrong" (no line when
 * the problem is the file's as a whole). */
typedef void (*config_report_fn)(void *ctx, const char *message);

/* Reads path into cfg, settings outside `only` (unless NULL) ignored.
 * Every problem is reported, not just the first; returns how many there
 * were (0: cfg holds the file's settings). */
int	config_file_read(struct config *cfg, const char *path,
	    const char *const *only, config_report_fn report, void *ctx);

/* config_file_read() with the first problem in err: 0 or ERR_INVALID. */
int	config_file_load(struct config *cfg, const char *path,
	    const char *const *only, char *err, size_t errlen);

#endif
