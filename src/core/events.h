#ifndef KEYGATE_CORE_EVENTS_H
#define KEYGATE_CORE_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/keygate.h"
#include "store/rows.h"

/* Security events (docs/REFERENCE.md §20). Each is written by the store in
 * the same transaction as the change it records, so none is missing for a
 * change made nor present for one that was not; the calls that make those
 * changes take the event's facts (who, from where) from their callers. */

/* "signup", "login", "login_failed", ...: the name the API, the portal
 * and the filters use. */
const char	*event_kind_name(enum event_kind k);
/* The kind named s; false for an unknown name. */
bool		 event_kind_parse(const char *s, enum event_kind *k);

/* Which events a list shows: kind -1 for any, app_id 0 for any. */
struct event_filter {
	int		 kind;
	int64_t		 app_id;
};

/* One page of the events account_id may see, newest first: its own and
 * those of its apps. `before` is the id the previous page ended at (0:
 * from the newest); at most `max` rows. *rows is malloc'd (free() it). */
int	events_list(struct keygate *kg, int64_t account_id,
	    const struct event_filter *f, int64_t before, size_t max,
	    struct event_row **rows, size_t *n);

#endif
