#ifndef KEYGATE_PORTAL_USAGE_CHART_H
#define KEYGATE_PORTAL_USAGE_CHART_H

#include <stddef.h>

#include "base/buf.h"
#include "store/rows.h"

/* An app's usage drawn on the server (docs/REFERENCE.md §8): from
 * hours[0..n), one per hour, oldest first, an inline <svg role="img">
 * with a <title> naming the app and a <desc> giving the totals, two
 * panels (requests per hour: successful, refused with 401, tokens
 * issued, refreshed; users with access), day labels and a legend, its
 * colours and dash patterns in attributes so no stylesheet is needed;
 * then the numbers as a table in a <details>, one row per hour with any
 * request, and the totals. With no request and no user in any hour, one
 * sentence instead. Pure: reads nothing but its arguments. `name` is
 * escaped. */
void	usage_chart_html(struct buf *out, const char *name,
	    const struct usage_hour *hours, size_t n);

/* The least of 1, 2 or 5 times a power of ten that is at least v (1 for
 * v <= 0; v itself past the largest such int64_t): the top of an axis. */
int64_t	usage_chart_scale(int64_t v);

/* v for an axis label, short: "950", "12k", "1.5M", up to "E" (10^18). */
#define USAGE_CHART_SHORT_BYTES	24
void	usage_chart_short(int64_t v, char out[USAGE_CHART_SHORT_BYTES]);

#endif
