#include "core/health.h"

#include "store/store.h"

int
health_check(struct keygate *kg)
{
	return store_ping(kg->store);
}
