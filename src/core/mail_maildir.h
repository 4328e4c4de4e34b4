#ifndef KEYGATE_CORE_MAIL_MAILDIR_H
#define KEYGATE_CORE_MAIL_MAILDIR_H

#include <stddef.h>
#include <stdint.h>

/* Delivery into a Maildir (--mail-dir), when no --smtp-url is set: each
 * mail one file an operator, or a test, can read. */

/* The default --mail-dir: "mail" beside a SQLite file, or in the working
 * directory with PostgreSQL (under systemd /var/lib/keygate). Returns 0,
 * or ERR_TOOBIG when it does not fit in len bytes. */
int	mail_maildir_default(const char *db, char *out, size_t len);

/* Writes msg (len bytes, CRLF line ends) into Maildir `dir` as one new
 * file, with LF line ends as Maildir readers expect: into tmp/, synced,
 * then renamed into new/ under a name no other delivery takes
 * (<now>.<pid>_<random>.<host>), so a reader never sees half a mail.
 * The file is 0600; dir and its tmp/, new/ and cur/ are made 0700 when
 * missing. `now` is Unix seconds. Returns 0, or ERR_STORE with the
 * reason in err. */
int	mail_maildir_deliver(const char *dir, const char *msg, size_t len,
	    int64_t now, char *err, size_t errlen);

#endif
