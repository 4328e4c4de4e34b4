#include "http/mhd_log.h"

#include <stdio.h>
#include <string.h>

#include "base/log.h"

void
mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[256];
	size_t n;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n > 0 && msg[n - 1] == '\n')
		msg[--n] = '\0';
	log_msg("warn", "%s: %s", (const char *)cls, msg);
}
