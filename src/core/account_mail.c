#include "core/account_mail.h"

#include <sodium.h>
#include <stdarg.h>

#include "base/buf.h"
#include "base/err.h"
#include "core/mail.h"

/* a mail's body: a few sentences and a link */
#define ACCOUNT_MAIL_MAX_BYTES	4096

static int queue_mail(struct keygate *kg, const char *to,
    const char *subject, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int
queue_mail(struct keygate *kg, const char *to, const char *subject,
    const char *fmt, ...)
{
	struct buf body;
	va_list ap;
	int rc;

	buf_init(&body, ACCOUNT_MAIL_MAX_BYTES);
	va_start(ap, fmt);
	buf_vprintf(&body, fmt, ap);
	va_end(ap);
	buf_printf(&body, "\n-- \n%s\n%s\n", kg->cfg->brand, kg->cfg->issuer);
	rc = body.err != 0 ? ERR_TOOBIG : mail_queue(kg, to, subject,
	    body.p);
	/* a link's token is a credential until it is used */
	if (body.p != NULL)
		sodium_memzero(body.p, body.len);
	buf_release(&body);
	return rc;
}

int
account_mail_verify(struct keygate *kg, const char *to, const char *token)
{
	return queue_mail(kg, to, "Confirm your email address",
	    "Hello,\n\nPlease confirm that %s is your email address by "
	    "opening this link within 24 hours:\n\n%s/verify-email?token="
	    "%s\n\nIf you did not create an account, ignore this mail.\n",
	    to, kg->cfg->issuer, token);
}

int
account_mail_new_address(struct keygate *kg, const char *to,
    const char *token)
{
	return queue_mail(kg, to, "Confirm your new email address",
	    "Hello,\n\nSomeone asked to make %s the email address of their "
	    "account. If it was you, open this link within 24 hours; the "
	    "address changes when you do:\n\n%s/verify-email?token=%s\n\n"
	    "If it was not you, ignore this mail: nothing changes.\n",
	    to, kg->cfg->issuer, token);
}

int
account_mail_address_taken(struct keygate *kg, const char *to)
{
	return queue_mail(kg, to, "Your email address was given for another "
	    "account",
	    "Hello,\n\nSomeone asked to make %s the email address of an "
	    "account, but it already belongs to an account here, so "
	    "nothing changed.\n\nIf it was you, log in with this address "
	    "instead. If not, ignore this mail.\n", to);
}

int
account_mail_email_changed(struct keygate *kg, const char *to,
    const char *new_email)
{
	return queue_mail(kg, to, "Your email address was changed",
	    "Hello,\n\nThe email address of your account is now %s; this "
	    "address (%s) no longer logs in.\n\nIf you did not make this "
	    "change, reset your password from %s/password/forgot with the "
	    "new address if you can, and tell the operator of this "
	    "server.\n", new_email, to, kg->cfg->issuer);
}

int
account_mail_reset(struct keygate *kg, const char *to, const char *token)
{
	return queue_mail(kg, to, "Reset your password",
	    "Hello,\n\nSomeone asked to reset the password of the account "
	    "of %s. If it was you, open this link within an hour to choose "
	    "a new password:\n\n%s/password/reset?token=%s\n\nIf it was not "
	    "you, ignore this mail: your password stays as it is.\n",
	    to, kg->cfg->issuer, token);
}

int
account_mail_password_changed(struct keygate *kg, const char *to)
{
	return queue_mail(kg, to, "Your password was changed",
	    "Hello,\n\nThe password of your account (%s) was just changed, "
	    "and every browser logged in to it was logged out (but the one "
	    "that made the change, on the account page). Personal access "
	    "tokens and the access you granted applications stay.\n\n"
	    "If you did not make this change, reset your password now: "
	    "%s/password/forgot\n", to, kg->cfg->issuer);
}
