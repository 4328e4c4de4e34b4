#include "core/key_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/err.h"
#include "base/log.h"
#include "store/store.h"

int
key_file_default(const char *db, char *out, size_t len)
{
	int n;

	if (store_is_postgres(db))
		n = snprintf(out, len, "keygate.key");
	else
		n = snprintf(out, len, "%s.key", db);
	return n < 0 || (size_t)n >= len ? ERR_TOOBIG : 0;
}

/* A new file: O_EXCL, so that of two processes starting together one
 * makes it and the other reads it. */
static int
create(const char *path, unsigned char key[SECURE_KEY_BYTES], char *err,
    size_t errlen)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC |
	    O_NOFOLLOW, 0600);
	bool ok;

	if (fd < 0)
		return errno == EEXIST ? ERR_EXISTS : ERR_STORE;
	secure_random(key, SECURE_KEY_BYTES);
	/* whatever the umask: owner only */
	ok = fchmod(fd, 0600) == 0 &&
	    write(fd, key, SECURE_KEY_BYTES) == SECURE_KEY_BYTES &&
	    fsync(fd) == 0;
	if (close(fd) != 0)
		ok = false;
	if (!ok) {
		unlink(path);
		snprintf(err, errlen, "cannot write the key file %s: %s",
		    path, strerror(errno));
		return ERR_STORE;
	}
	log_msg("info", "made the key file %s (back it up: the signing "
	    "keys in the store open only with it)", path);
	return 0;
}

static int
read_key(int fd, const char *path, unsigned char key[SECURE_KEY_BYTES],
    char *err, size_t errlen)
{
	struct stat sb;

	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		snprintf(err, errlen, "the key file %s is not a regular file",
		    path);
		return ERR_INVALID;
	}
	if ((sb.st_mode & 077) != 0) {
		snprintf(err, errlen, "the key file %s may be read or written "
		    "by others (mode %03o): chmod 600 it, and make sure "
		    "nobody copied it", path, (unsigned)(sb.st_mode & 0777));
		return ERR_INVALID;
	}
	if (sb.st_size != SECURE_KEY_BYTES ||
	    read(fd, key, SECURE_KEY_BYTES) != SECURE_KEY_BYTES) {
		snprintf(err, errlen, "the key file %s holds %lld bytes, not "
		    "the %d of a key keygate made", path,
		    (long long)sb.st_size, SECURE_KEY_BYTES);
		return ERR_INVALID;
	}
	return 0;
}

int
key_file_load(const char *path, unsigned char key[SECURE_KEY_BYTES],
    char *err, size_t errlen)
{
	int fd, rc;

	if (errlen > 0)
		err[0] = '\0';
	for (int tries = 0; tries < 2; tries++) {
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		if (fd >= 0) {
			rc = read_key(fd, path, key, err, errlen);
			close(fd);
			return rc;
		}
		if (errno != ENOENT)
			break;
		rc = create(path, key, err, errlen);
		if (rc != ERR_EXISTS) {
			if (rc == ERR_STORE && err[0] == '\0')
				break;
			return rc;
		}
	}
	snprintf(err, errlen, "cannot open the key file %s: %s", path,
	    strerror(errno));
	return ERR_STORE;
}
