#ifndef KEYGATE_CORE_HEALTH_H
#define KEYGATE_CORE_HEALTH_H

#include "core/keygate.h"

/* 0 when the store answers, else ERR_STORE (for /healthz). */
int	health_check(struct keygate *kg);

#endif
