#ifndef KEYGATE_CORE_MAIL_H
#define KEYGATE_CORE_MAIL_H

#include "core/keygate.h"

/* Mail keygate sends (verification links, password resets, notices).
 * mail_queue() composes the message (core/mail_compose.h) and stores it
 * in the queue; `keygate serve`'s sender thread (core/mailer.h) delivers
 * it off the request path, over SMTP (--smtp-url) or into the Maildir of
 * --mail-dir, and retries a failed delivery MAIL_ATTEMPTS_MAX times over
 * about half an hour. A mail queued by another command waits in the store
 * for `serve` to send it. */

/* Queues a plain-text mail to `to` (an address already checked as an
 * account's email). The mail is in the store before this returns, so a
 * restart loses none; it is sent off the request path, so a mail server
 * that is down never fails or slows the caller. `subject` is one line of
 * UTF-8 (at most MAIL_SUBJECT_MAX_BYTES), `body` UTF-8 text with "\n" or
 * "\r\n" line ends (at most MAIL_BODY_MAX_BYTES). Returns 0; ERR_INVALID
 * for a CR or LF (header injection) or another control character in `to`
 * or `subject`, an address that is not one, text that is not UTF-8 or is
 * over its limit; ERR_STORE when the store cannot take it. */
int	mail_queue(struct keygate *kg, const char *to, const char *subject,
	    const char *body);

/* Tells the sender thread (if this process runs one) to look for due
 * mail now: after mail_queue(), and when the test clock moves. */
void	mail_kick(struct keygate *kg);

#endif
