#include <stddef.h>

#include "base/err.h"

const char *
err_name(int err)
{
	static const char *const names[] = {
		[ERR_OK] = "ok",
		[ERR_NOTFOUND] = "not_found",
		[ERR_EXISTS] = "exists",
		[ERR_INVALID] = "invalid",
		[ERR_MALFORMED] = "malformed",
		[ERR_UTF8] = "bad_utf8",
		[ERR_TOOBIG] = "too_big",
		[ERR_DUPLICATE] = "duplicate",
		[ERR_UNKNOWN] = "unknown",
		[ERR_MISSING] = "missing",
		[ERR_AUTH] = "auth",
		[ERR_FORBIDDEN] = "forbidden",
		[ERR_THROTTLED] = "throttled",
		[ERR_STORE] = "store",
		[ERR_EXPIRED] = "expired",
		[ERR_CONFLICT] = "conflict",
		[ERR_TARGET] = "target",
	};

	if (err < 0 || (unsigned)err >= sizeof(names) / sizeof(names[0]) ||
	    names[err] == NULL)
		return "error";
	return names[err];
}
