#ifndef KEYGATE_CORE_MAILER_H
#define KEYGATE_CORE_MAILER_H

#include <stdint.h>

#include "core/keygate.h"

/* The serve command's mail sender: one thread that wakes when a mail is
 * queued (mailer_kick()) and at least every MAIL_POLL_MS, claims each due
 * mail from the store (store_mail_claim(): on a shared store one node
 * claims each), and delivers it over SMTP (--smtp-url) or into the
 * Maildir of --mail-dir. A failed delivery is tried again after
 * mailer_backoff_s(); the MAIL_ATTEMPTS_MAX-th failure gives the mail up
 * with a warn line naming its domain, never its address or text. */
struct mailer;

/* Starts the thread; the sink and the sender come from kg->cfg. */
struct mailer	*mailer_start(struct keygate *kg);
/* Stops the thread, cutting a delivery in flight short (that mail stays
 * queued, due at once). NULL is ignored. */
void		 mailer_stop(struct mailer *m);
/* Wakes the thread to look for due mail now. */
void		 mailer_kick(struct mailer *m);

/* Seconds between failed delivery number n (1 .. MAIL_ATTEMPTS_MAX - 1)
 * and the next attempt: 1, 2, 5, 10, 15 minutes, the last attempt about
 * 33 minutes after the first. */
int64_t		 mailer_backoff_s(int64_t n);

#endif
