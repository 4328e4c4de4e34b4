#ifndef KEYGATE_CORE_KEY_FILE_H
#define KEYGATE_CORE_KEY_FILE_H

#include <stddef.h>

#include "base/secure.h"

/* The key of --key-file (docs/OPERATIONS.md "Signing keys"): 32 random
 * bytes, readable by its owner only, that seal the private signing keys
 * in the store. Apart from the store so that a copy of the database (a
 * backup, a replica) signs nothing without it. */

/* Where --key-file points by default: beside the SQLite file ("<db>.key"),
 * or keygate.key in the working directory with PostgreSQL. 0 or
 * ERR_TOOBIG. */
int	key_file_default(const char *db, char *out, size_t len);

/* Reads the key at path into key, or creates the file (0600, fsynced) with
 * a new one when it is absent. A file that is not a regular file, that its
 * group or others may read or write, or that does not hold exactly
 * SECURE_KEY_BYTES bytes is refused: ERR_INVALID with the reason in err.
 * ERR_STORE when it cannot be read or made. */
int	key_file_load(const char *path, unsigned char key[SECURE_KEY_BYTES],
	    char *err, size_t errlen);

#endif
