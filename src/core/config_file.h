#ifndef KEYGATE_CORE_CONFIG_FILE_H
#define KEYGATE_CORE_CONFIG_FILE_H

#include <stddef.h>

/* The configuration file (--config, KEYGATE_CONFIG): INI as Debian's
 * libinih reads it, one `name = value` a line, the names those of the
 * flags without dashes, at the top or under [keygate]; `#` and `;` start
 * comments. docs/OPERATIONS.md has an example. */

/* Called once per problem with "PATH:LINE: what is wrong" (no line when
 * the problem is the file's as a whole). */
typedef void (*config_report_fn)(void *ctx, const char *message);

/* Takes one setting, as config_set() does (core/config.h): 0,
 * ERR_NOTFOUND for a name that is no setting, ERR_INVALID with a message
 * in err. The file knows the syntax, the caller the settings, so this
 * module needs nothing of config.c. */
typedef int (*config_setting_fn)(void *target, const char *name,
    const char *value, const char *from, char *err, size_t errlen);

/* Reads path, handing each setting to set(target, ...). Every problem is
 * reported, not just the first; returns how many there were. */
int	config_file_parse(const char *path, config_setting_fn set,
	    void *target, config_report_fn report, void *ctx);

#endif
