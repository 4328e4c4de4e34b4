#ifndef KEYGATE_CORE_ACCOUNT_MAIL_H
#define KEYGATE_CORE_ACCOUNT_MAIL_H

#include <stdbool.h>
#include <stdint.h>

#include "core/keygate.h"

/* The mails an account is sent about itself, written here in one place
 * and queued with mail_queue() (core/mail.h): links carry their token in
 * a URL under --issuer, notices carry nothing secret. Each returns
 * mail_queue()'s answer. */

/* After sign-up or "send the link again": /verify-email?token= */
int	account_mail_verify(struct keygate *kg, const char *to,
	    const char *token);
/* To a new address asked for on the account page: /verify-email?token= */
int	account_mail_new_address(struct keygate *kg, const char *to,
	    const char *token);
/* To a new address asked for that already has an account: no link, and
 * nothing said to the one who asked. */
int	account_mail_address_taken(struct keygate *kg, const char *to);
/* To the old address once the new one is the account's. */
int	account_mail_email_changed(struct keygate *kg, const char *to,
	    const char *new_email);
/* /password/reset?token= */
int	account_mail_reset(struct keygate *kg, const char *to,
	    const char *token);
/* After the password was set, by a reset, on the account page or by an
 * operator. */
int	account_mail_password_changed(struct keygate *kg, const char *to);

/* Notices (core/notices.h): `addr` is the client address of the request
 * that made the change, NULL for an operator's command. The app's API
 * key is its public client_id, never its secret. */
int	account_mail_new_secret(struct keygate *kg, const char *to,
	    const char *app_name, const char *api_key, int64_t keep_s,
	    const char *addr);
int	account_mail_two_step(struct keygate *kg, const char *to, bool on,
	    const char *addr);
int	account_mail_refresh_reuse(struct keygate *kg, const char *to,
	    const char *app_name, const char *api_key);

#endif
