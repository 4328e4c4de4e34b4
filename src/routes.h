#ifndef KEYGATE_ROUTES_H
#define KEYGATE_ROUTES_H

#include <stddef.h>

#include "http/router.h"
#include "http/server.h"

/* Every route keygate serves: the one place URLs meet handlers. */
extern const struct route keygate_routes[];
extern const size_t keygate_nroutes;
/* The page for the server's own errors on browser paths. */
extern const http_error_page_fn keygate_error_page;

#endif
