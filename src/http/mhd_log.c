#include "http/mhd_log.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/log.h"

/* A flood of refused connections makes libmicrohttpd say the same thing
 * once per connection: the log keeps the first lines of each second and
 * counts the rest. */
#define LINES_PER_SECOND	10

static _Atomic int64_t	second;
static atomic_long	in_second, held_back;

void
mhd_log_flush(void)
{
	long held = atomic_exchange(&held_back, 0);

	if (held > 0)
		log_msg("warn", "http: %ld more libmicrohttpd messages not "
		    "logged", held);
}

/* Whether a line may be written now; says how many were held back when a
 * new second begins. */
static bool
may_log(void)
{
	int64_t now = (int64_t)time(NULL), was = atomic_load(&second);

	if (now != was && atomic_compare_exchange_strong(&second, &was, now)) {
		atomic_store(&in_second, 0);
		mhd_log_flush();
	}
	if (atomic_fetch_add(&in_second, 1) < LINES_PER_SECOND)
		return true;
	atomic_fetch_add(&held_back, 1);
	return false;
}

void
mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[256];
	size_t n;

	if (!may_log())
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n > 0 && msg[n - 1] == '\n')
		msg[--n] = '\0';
	log_msg("warn", "%s: %s", (const char *)cls, msg);
}
