#ifndef KEYGATE_CORE_JSON_TIME_H
#define KEYGATE_CORE_JSON_TIME_H

#include <jansson.h>
#include <stdint.h>

/* A time in the JSON the API and `keygate ... --json` print
 * (docs/REFERENCE.md §6): an RFC 3339 UTC string, or null for 0 (never,
 * none). New reference. */
json_t	*json_time(int64_t t);

#endif
