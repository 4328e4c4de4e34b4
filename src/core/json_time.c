#include "core/json_time.h"

#include "base/clock.h"

json_t *
json_time(int64_t t)
{
	char s[32];

	if (t == 0)
		return json_null();
	clock_rfc3339(t, s);
	return json_string(s);
}
