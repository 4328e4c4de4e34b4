#ifndef KEYGATE_ROUTES_H
#define KEYGATE_ROUTES_H

#include <stddef.h>

#include "http/router.h"

/* Every route keygate serves: the one place URLs meet handlers. */
extern const struct route keygate_routes[];
extern const size_t keygate_nroutes;

#endif
