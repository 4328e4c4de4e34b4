#ifndef KEYGATE_CORE_NOTICES_H
#define KEYGATE_CORE_NOTICES_H

#include <stdbool.h>
#include <stdint.h>

#include "core/keygate.h"

/* Notices by mail: what an account is told of changes to it and to its
 * apps (the wording is in core/account_mail.c). Each is sent after the
 * change is stored and cannot undo or fail it: a notice that cannot be
 * queued is logged, never the caller's error. `addr` is the client
 * address of the request that made the change, NULL for an operator's
 * command. */

/* A new secret for app `api_key`, to its owner; the old one stays valid
 * keep_s seconds more (0: it stopped at once). */
void	notices_new_secret(struct keygate *kg, const char *api_key,
	    int64_t keep_s, const char *addr);
/* The password set by an operator (`keygate account passwd`). */
void	notices_password_set(struct keygate *kg, int64_t account_id);
/* Two-step log-in turned on or off. */
void	notices_two_step(struct keygate *kg, int64_t account_id, bool on,
	    const char *addr);

/* A refresh token of app `api_key` (app_id) was used twice and its
 * family ended: the owner is told, at most once in NOTICE_REUSE_GAP_S
 * per app on all nodes together (store_app_reuse_notice()). Called on
 * the token endpoint's path, it only hands the app to the worker below
 * (or, without one, does the work itself). */
void	notices_refresh_reuse(struct keygate *kg, int64_t app_id,
	    const char *api_key);

/* The serve command's notice worker: a thread that does the store's
 * compare-and-set and queues the mail of each reuse off the request
 * path. At most NOTICES_QUEUE_MAX wait, in memory (base/workq.h). */
struct notices;

struct notices	*notices_start(struct keygate *kg);
/* Mails what still waits, then stops the thread. */
void		 notices_stop(struct notices *n);

#endif
