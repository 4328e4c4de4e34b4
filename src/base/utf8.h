#ifndef KEYGATE_BASE_UTF8_H
#define KEYGATE_BASE_UTF8_H

#include <stdbool.h>
#include <stddef.h>

#include "base/str.h"

/* True when `s` is well-formed UTF-8 (RFC 3629: no overlong forms, no
 * surrogates, nothing past U+10FFFF) and holds no NUL byte. */
bool	utf8_valid(struct str s);

/* Counts code points in valid UTF-8. */
size_t	utf8_chars(struct str s);

#endif
