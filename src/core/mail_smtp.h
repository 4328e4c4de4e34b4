#ifndef KEYGATE_CORE_MAIL_SMTP_H
#define KEYGATE_CORE_MAIL_SMTP_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

/* Delivery over SMTP with libcurl (--smtp-url, --smtp-user, the password
 * from KEYGATE_SMTP_PASSWORD or the configuration file). */

struct mail_smtp {
	const char	*url;		/* smtp://host[:port] or smtps://... */
	const char	*user;		/* NULL: no AUTH */
	const char	*password;	/* with user */
};

/* How a delivery asks for TLS. smtps:// is TLS from the first byte.
 * smtp:// upgrades with STARTTLS whenever the server offers it, and goes
 * on in the clear when it does not, unless a password would then cross
 * the network: with a user set and a server that is not on this machine
 * (loopback), STARTTLS is required and a server without it fails the
 * delivery. */
enum mail_tls {
	MAIL_TLS_IMPLICIT,
	MAIL_TLS_TRY,
	MAIL_TLS_REQUIRED,
};

enum mail_tls	mail_smtp_tls(const char *url, bool with_user);

/* Checks an --smtp-url: smtp:// or smtps://, a host, an optional port,
 * no user or password (they have settings of their own, kept out of the
 * URL that logs and `ps` show), no query. Returns 0, or ERR_INVALID with a
 * message in err. */
int	mail_smtp_url_check(const char *url, char *err, size_t errlen);

/* Sends message msg (len bytes, CRLF line ends) from `from` to `to`,
 * within MAIL_SEND_TIMEOUT_S. `stop`, if not NULL, cuts it short once it
 * is true. Returns 0 when the server took it; ERR_EXPIRED when `stop` cut
 * it short; ERR_STORE when the server could not be reached or refused it,
 * with the reason in err: libcurl's words for the failure and the
 * server's reply code, never its text (it may repeat the address) nor the
 * password. */
int	mail_smtp_send(const struct mail_smtp *s, const char *from,
	    const char *to, const char *msg, size_t len,
	    const _Atomic bool *stop, char *err, size_t errlen);

#endif
