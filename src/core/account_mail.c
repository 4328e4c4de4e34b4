#include "core/account_mail.h"

#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/limits.h"
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

/* "When: ...\nFrom: ...\n" for a notice's body; addr NULL is an
 * operator's command. */
static void
when_from(struct keygate *kg, const char *addr, char *out, size_t len)
{
	char when[32];

	clock_rfc3339(clock_now(kg->clock), when);
	snprintf(out, len, "When: %s (UTC)\nFrom: %s\n", when,
	    addr != NULL ? addr : "an operator of this server, on its "
	    "command line");
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
	char when[32];

	clock_rfc3339(clock_now(kg->clock), when);
	return queue_mail(kg, to, "Your email address was changed",
	    "Hello,\n\nThe email address of your account is now %s; this "
	    "address (%s) no longer logs in.\n\nWhen: %s (UTC)\n\nIf you "
	    "did not make this change, reset your password from "
	    "%s/password/forgot with the new address if you can, and tell "
	    "the operator of this server.\n", new_email, to, when,
	    kg->cfg->issuer);
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
	char when[32];

	clock_rfc3339(clock_now(kg->clock), when);
	return queue_mail(kg, to, "Your password was changed",
	    "Hello,\n\nThe password of your account (%s) was just changed, "
	    "and every browser logged in to it was logged out (but the one "
	    "that made the change, on the account page). Personal access "
	    "tokens and the access you granted applications stay.\n\n"
	    "When: %s (UTC)\n\nIf you did not make this change, reset your "
	    "password now: %s/password/forgot\n", to, when, kg->cfg->issuer);
}

/* --- notices: what happened, when, from where, and what to do ---------- */

int
account_mail_new_secret(struct keygate *kg, const char *to,
    const char *app_name, const char *api_key, int64_t keep_s,
    const char *addr)
{
	char subject[MAIL_SUBJECT_MAX_BYTES], at[160], old[160];

	snprintf(subject, sizeof(subject), "A new secret for your %s app",
	    kg->cfg->brand);
	when_from(kg, addr, at, sizeof(at));
	if (keep_s <= 0)
		snprintf(old, sizeof(old), "The old secret stopped working at "
		    "once.");
	else
		snprintf(old, sizeof(old), "The old secret stays valid for %s "
		    "more, unless it is revoked sooner on the app's page.",
		    keep_s == 3600 ? "1 hour" : keep_s == 86400 ? "24 hours" :
		    "7 days");
	return queue_mail(kg, to, subject,
	    "Hello,\n\nA new secret was generated for your app \"%s\" "
	    "(API key %s). %s\n\n%s\n"
	    "If you did not do this, log in at %s/login, revoke the old "
	    "secret and generate another for the app at %s/apps/%s, and "
	    "change your password on %s/account.\n", app_name, api_key, old,
	    at, kg->cfg->issuer, kg->cfg->issuer, api_key, kg->cfg->issuer);
}

int
account_mail_two_step(struct keygate *kg, const char *to, bool on,
    const char *addr)
{
	char subject[MAIL_SUBJECT_MAX_BYTES], at[160];

	snprintf(subject, sizeof(subject), "Two-step log-in was turned %s "
	    "for your %s account", on ? "on" : "off", kg->cfg->brand);
	when_from(kg, addr, at, sizeof(at));
	if (on)
		return queue_mail(kg, to, subject,
		    "Hello,\n\nTwo-step log-in was turned on for your account "
		    "(%s): logging in now asks for a code from your "
		    "authenticator app after the password.\n\n%s\nIf you did "
		    "not do this, someone else knows your password: reset it "
		    "at %s/password/forgot and tell the operator of this "
		    "server.\n", to, at, kg->cfg->issuer);
	return queue_mail(kg, to, subject,
	    "Hello,\n\nTwo-step log-in was turned off for your account (%s): "
	    "the password alone logs in again.\n\n%s\nIf you did not do "
	    "this, reset your password at %s/password/forgot and turn "
	    "two-step log-in on again at %s/account/two-step.\n", to, at,
	    kg->cfg->issuer, kg->cfg->issuer);
}

int
account_mail_refresh_reuse(struct keygate *kg, const char *to,
    const char *app_name, const char *api_key)
{
	char subject[MAIL_SUBJECT_MAX_BYTES], when[32];

	snprintf(subject, sizeof(subject), "A refresh token of your %s app "
	    "was used twice", kg->cfg->brand);
	clock_rfc3339(clock_now(kg->clock), when);
	return queue_mail(kg, to, subject,
	    "Hello,\n\nA refresh token of your app \"%s\" (API key %s) was "
	    "presented again after it had been used, at %s (UTC). A "
	    "refresh token is good once, so either the app kept an old "
	    "one (a bug: store the new refresh token each answer gives) or "
	    "someone copied it. The server ended that token's whole family: "
	    "the user of that grant must authorize the app again.\n\n"
	    "If you cannot explain it, check where the app keeps its tokens, "
	    "and generate a new secret for it at %s/apps/%s.\n\n"
	    "This is sent at most once an hour per app; other reuses in the "
	    "hour are handled the same way without a mail.\n", app_name,
	    api_key, when, kg->cfg->issuer, api_key);
}
