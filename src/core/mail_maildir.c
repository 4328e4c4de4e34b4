#include "core/mail_maildir.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/limits.h"
#include "base/secure.h"
#include "store/store.h"

int
mail_maildir_default(const char *db, char *out, size_t len)
{
	const char *slash = strrchr(db, '/');
	int n;

	if (store_is_postgres(db) || slash == NULL)
		n = snprintf(out, len, "mail");
	else
		n = snprintf(out, len, "%.*s/mail", (int)(slash - db), db);
	return n < 0 || (size_t)n >= len ? ERR_TOOBIG : 0;
}

/* mkdir -p, each folder made 0700 whatever the umask. */
static int
make_dirs(const char *dir, char *err, size_t errlen)
{
	char path[PATH_MAX];
	size_t len = strlen(dir);

	if (len == 0 || len >= sizeof(path)) {
		snprintf(err, errlen, "maildir: the path is empty or too long");
		return ERR_STORE;
	}
	memcpy(path, dir, len + 1);
	for (char *p = path + 1; ; p++) {
		char c = *p;

		if (c != '/' && c != '\0')
			continue;
		*p = '\0';
		if (mkdir(path, 0700) == 0)
			chmod(path, 0700);
		else if (errno != EEXIST) {
			snprintf(err, errlen, "maildir: cannot make a folder: "
			    "%s", strerror(errno));
			return ERR_STORE;
		}
		*p = c;
		if (c == '\0')
			return 0;
	}
}

static int
make_maildir(const char *dir, char *err, size_t errlen)
{
	static const char *const sub[] = { "tmp", "new", "cur" };
	char path[PATH_MAX];

	for (size_t i = 0; i < sizeof(sub) / sizeof(*sub); i++) {
		if (snprintf(path, sizeof(path), "%s/%s", dir, sub[i]) >=
		    (int)sizeof(path)) {
			snprintf(err, errlen, "maildir: the path is too long");
			return ERR_STORE;
		}
		if (make_dirs(path, err, errlen) != 0)
			return ERR_STORE;
	}
	return 0;
}

/* time.pid_random.host, the host with '/' and ':' written as Maildir
 * readers expect (\057, \072) */
static void
unique_name(int64_t now, char *out, size_t len)
{
	unsigned char rnd[8];
	char hex[2 * sizeof(rnd) + 1], host[64], safe[4 * sizeof(host)];
	size_t j = 0;

	secure_random(rnd, sizeof(rnd));
	sodium_bin2hex(hex, sizeof(hex), rnd, sizeof(rnd));
	if (gethostname(host, sizeof(host)) != 0)
		snprintf(host, sizeof(host), "localhost");
	host[sizeof(host) - 1] = '\0';
	for (const char *h = host; *h != '\0' && j + 5 < sizeof(safe); h++)
		j += (size_t)(*h == '/' ? snprintf(safe + j, 5, "\\057") :
		    *h == ':' ? snprintf(safe + j, 5, "\\072") :
		    snprintf(safe + j, 2, "%c", *h));
	safe[j] = '\0';
	snprintf(out, len, "%lld.%ld_%s.%s", (long long)now, (long)getpid(),
	    hex, safe);
}

/* The message with CRLF line ends turned into LF. */
static void
to_lf(const char *msg, size_t len, struct buf *out)
{
	for (size_t i = 0; i < len; i++)
		if (!(msg[i] == '\r' && i + 1 < len && msg[i + 1] == '\n'))
			buf_append(out, &msg[i], 1);
}

static int
write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* The new file's name in new/ survives a crash once new/ is synced. */
static void
sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

static int
write_file(const char *tmp, const struct buf *text)
{
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	int rc;

	if (fd < 0)
		return -1;
	rc = fchmod(fd, 0600) != 0 || write_all(fd, text->p, text->len) != 0 ||
	    fsync(fd) != 0 ? -1 : 0;
	if (close(fd) != 0)
		rc = -1;
	return rc;
}

int
mail_maildir_deliver(const char *dir, const char *msg, size_t len,
    int64_t now, char *err, size_t errlen)
{
	char name[320], tmp[PATH_MAX], dst[PATH_MAX], newdir[PATH_MAX];
	struct buf text;
	int rc = ERR_STORE;

	if (make_maildir(dir, err, errlen) != 0)
		return ERR_STORE;
	unique_name(now, name, sizeof(name));
	if (snprintf(tmp, sizeof(tmp), "%s/tmp/%s", dir, name) >=
	    (int)sizeof(tmp) || snprintf(dst, sizeof(dst), "%s/new/%s", dir,
	    name) >= (int)sizeof(dst)) {
		snprintf(err, errlen, "maildir: the path is too long");
		return ERR_STORE;
	}
	snprintf(newdir, sizeof(newdir), "%s/new", dir);
	buf_init(&text, MAIL_MESSAGE_MAX_BYTES);
	to_lf(msg, len, &text);
	if (write_file(tmp, &text) != 0 || rename(tmp, dst) != 0) {
		snprintf(err, errlen, "maildir: cannot write a mail: %s",
		    strerror(errno));
		unlink(tmp);
	} else {
		sync_dir(newdir);
		rc = 0;
	}
	buf_release(&text);
	return rc;
}
