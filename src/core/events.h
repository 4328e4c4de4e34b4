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

/* The facts of a new event, for the store call that makes its change:
 * kind k happening now to account_id, asked from `address` (the client's,
 * http/client_addr.c), its detail {}. A NULL address is an operator's
 * command (keygate app|account ...): no address, detail {"by":"cli"}. */
void	event_make(struct event_new *ev, struct keygate *kg,
	    enum event_kind k, int64_t account_id, const char *address);
/* The app it is about: its id and its api key, kept after it is
 * deleted. */
void	event_app(struct event_new *ev, int64_t app_id, const char *api_key);
/* Members of its detail, a small JSON object: names and classes of what
 * happened, never a secret, a token, a password or a code. */
void	event_detail_str(struct event_new *ev, const char *key,
	    const char *value);
void	event_detail_bool(struct event_new *ev, const char *key, bool value);
void	event_detail_int(struct event_new *ev, const char *key,
	    int64_t value);
void	event_detail_list(struct event_new *ev, const char *key,
	    const char *const *values, size_t n);

/* At most this many login_failed events per account in an hour (a fixed
 * window): a flood of wrong passwords cannot fill the store. Failures
 * past it are not recorded; the log-in throttle still refuses them. */
#define EVENTS_LOGIN_FAILED_PER_HOUR	10

/* Records a failed log-in against account_id (one the email named) from
 * addr: reason "password" or "two_step_code". Under the cap above; a
 * store that fails is logged, the log-in's answer unchanged. With the
 * worker below it only hands the facts over (the time is the failure's):
 * an unknown email, which records nothing, must not answer sooner than a
 * known one (docs/SECURITY.md). */
void	events_login_failed(struct keygate *kg, int64_t account_id,
	    const char *addr, const char *reason);

/* The serve command's worker for the above: a thread that counts the cap
 * and writes each event, off the request's path. At most
 * EVENTS_QUEUE_MAX wait, in memory (base/workq.h): a crash loses them. */
struct events_worker;

struct events_worker	*events_start(struct keygate *kg);
/* Records what still waits, then stops the thread. */
void			 events_stop(struct events_worker *w);

#endif
