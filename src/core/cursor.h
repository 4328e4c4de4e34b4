#ifndef KEYGATE_CORE_CURSOR_H
#define KEYGATE_CORE_CURSOR_H

#include <stdint.h>

#include "base/limits.h"
#include "base/str.h"

/* The cursor of a paginated list: where the next page starts, as an opaque
 * string a client hands back. It is base64url (no padding) of the last
 * item's id in 8 bytes, big-endian: it names a position only, never grants
 * anything (every page is read for the caller's own account). */

/* base64url of LIST_CURSOR_BYTES bytes, and its NUL */
#define CURSOR_TEXT_BYTES	(((LIST_CURSOR_BYTES * 4 + 2) / 3) + 1)

/* Writes the cursor of id (> 0) into out. */
void	cursor_encode(int64_t id, char out[CURSOR_TEXT_BYTES]);

/* Reads a cursor into *id. Returns 0, or ERR_MALFORMED for anything that
 * cursor_encode() does not write (another length or alphabet, padding,
 * stray bits, an id of 0 or below). */
int	cursor_decode(struct str s, int64_t *id);

#endif
