/* The token file: JSON, mode 0600, replaced atomically (write a temporary
 * file, fsync it, rename it over the old one, fsync the folder) so that a
 * crash leaves either the old file or the new one, never a mix. Writers
 * take PATH.lock first, so one fixed temporary name is enough. */
#include "client_int.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#define FORMAT_NAME	"keygate-client-1"

void
kg_file_release(struct kg_file *f)
{
	free(f->issuer);
	free(f->api_key);
	kg_free_secret(f->secret);
	free(f->redirect_uri);
	kg_tokens_release(&f->tok);
	memset(f, 0, sizeof(*f));
}

/* Reads at most KG_TOKEN_FILE_MAX bytes of a file only its owner can
 * read; *out is NUL-terminated, wiped and freed by the caller. */
static int
read_private(const char *path, char **out)
{
	struct stat st;
	ssize_t n;
	char *buf;
	int fd, rc = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 && errno == ENOENT)
		return kg_err(KG_CLIENT_ERR_NO_TOKENS, "%s does not exist: "
		    "log in first", path);
	if (fd < 0)
		return kg_err(KG_CLIENT_ERR_FILE, "cannot open %s: %s", path,
		    strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
		rc = kg_err(KG_CLIENT_ERR_FILE, "%s is not a file", path);
	else if ((st.st_mode & 077) != 0 || st.st_uid != geteuid())
		rc = kg_err(KG_CLIENT_ERR_FILE, "%s must be mode 0600 and "
		    "yours, since it holds secrets", path);
	else if (st.st_size > KG_TOKEN_FILE_MAX)
		rc = kg_err(KG_CLIENT_ERR_FILE, "%s is too large", path);
	if (rc != 0)
		goto out_close;
	buf = calloc(1, (size_t)st.st_size + 1);
	if (buf == NULL)
		abort();
	n = read(fd, buf, (size_t)st.st_size);
	if (n != st.st_size) {
		free(buf);
		rc = kg_err(KG_CLIENT_ERR_FILE, "cannot read %s", path);
		goto out_close;
	}
	*out = buf;
out_close:
	close(fd);
	return rc;
}

static char *
get_str(json_t *o, const char *name)
{
	const char *s = json_string_value(json_object_get(o, name));

	return s != NULL ? kg_strdup(s) : NULL;
}

static int64_t
get_int(json_t *o, const char *name, int64_t dflt)
{
	json_t *v = json_object_get(o, name);

	return json_is_integer(v) ? (int64_t)json_integer_value(v) : dflt;
}

/* A file written before DPoP has neither: a Bearer pair, as it was. */
static int
parse_dpop(json_t *t, struct kg_tokens *tok)
{
	const char *type = json_string_value(json_object_get(t, "token_type"));
	const char *key = json_string_value(json_object_get(t, "dpop_key"));

	if (type != NULL && strcmp(type, "DPoP") != 0 &&
	    strcmp(type, "Bearer") != 0)
		return -1;
	tok->dpop = type != NULL && strcmp(type, "DPoP") == 0;
	if (key != NULL && kg_dpop_key_from_b64(key, &tok->key) != 0)
		return -1;
	return tok->dpop && !tok->key.set ? -1 : 0;
}

static int
parse_tokens(json_t *t, struct kg_tokens *tok)
{
	tok->access_token = get_str(t, "access_token");
	tok->refresh_token = get_str(t, "refresh_token");
	tok->scope = get_str(t, "scope");
	tok->issued_at = get_int(t, "issued_at", 0);
	tok->last_used = get_int(t, "last_used", 0);
	tok->unused_ttl_s = get_int(t, "expires_in", KG_DEFAULT_UNUSED_TTL_S);
	if (tok->access_token == NULL || tok->refresh_token == NULL ||
	    tok->issued_at <= 0 || tok->last_used < 0 ||
	    tok->unused_ttl_s <= 0)
		return -1;
	return parse_dpop(t, tok);
}

static int
parse_file(json_t *root, struct kg_file *f)
{
	const char *format;
	json_t *tok;

	format = json_string_value(json_object_get(root, "format"));
	if (format == NULL || strcmp(format, FORMAT_NAME) != 0)
		return -1;
	f->issuer = get_str(root, "issuer");
	f->api_key = get_str(root, "api_key");
	f->secret = get_str(root, "secret");
	f->redirect_uri = get_str(root, "redirect_uri");
	f->idle_ttl_s = get_int(root, "idle_ttl", KG_DEFAULT_IDLE_TTL_S);
	f->max_ttl_s = get_int(root, "max_ttl", KG_DEFAULT_MAX_TTL_S);
	f->saves = (uint64_t)get_int(root, "saves", 0);
	if (f->issuer == NULL || f->api_key == NULL || f->idle_ttl_s <= 0 ||
	    f->max_ttl_s <= 0)
		return -1;
	tok = json_object_get(root, "tokens");
	if (tok != NULL && parse_tokens(tok, &f->tok) != 0)
		return -1;
	return 0;
}

int
kg_file_load(const char *path, struct kg_file *out)
{
	json_error_t jerr;
	json_t *root;
	char *text = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = read_private(path, &text);
	if (rc != 0)
		return rc;
	root = json_loads(text, 0, &jerr);
	sodium_memzero(text, strlen(text));
	free(text);
	if (root == NULL || parse_file(root, out) != 0) {
		kg_file_release(out);
		rc = kg_err(KG_CLIENT_ERR_FILE, "%s is not a keygate client "
		    "token file", path);
	}
	kg_json_free_secret(root);
	return rc;
}

static json_t *
file_json(const struct kg_file *f)
{
	json_t *root, *tok;
	char *key;

	root = json_pack("{s:s, s:s, s:s, s:I, s:I, s:I}", "format",
	    FORMAT_NAME, "issuer", f->issuer, "api_key", f->api_key,
	    "idle_ttl", (json_int_t)f->idle_ttl_s, "max_ttl",
	    (json_int_t)f->max_ttl_s, "saves", (json_int_t)f->saves);
	if (root == NULL)
		return NULL;
	if (f->secret != NULL)
		json_object_set_new(root, "secret", json_string(f->secret));
	if (f->redirect_uri != NULL)
		json_object_set_new(root, "redirect_uri",
		    json_string(f->redirect_uri));
	if (f->tok.access_token == NULL)
		return root;
	tok = json_pack("{s:s, s:s, s:I, s:I, s:I}",
	    "access_token", f->tok.access_token,
	    "refresh_token", f->tok.refresh_token,
	    "issued_at", (json_int_t)f->tok.issued_at,
	    "last_used", (json_int_t)f->tok.last_used,
	    "expires_in", (json_int_t)f->tok.unused_ttl_s);
	if (tok != NULL && f->tok.scope != NULL)
		json_object_set_new(tok, "scope", json_string(f->tok.scope));
	if (tok != NULL)
		json_object_set_new(tok, "token_type", json_string(f->tok.dpop ?
		    "DPoP" : "Bearer"));
	if (tok != NULL && f->tok.key.set) {
		key = kg_dpop_key_to_b64(&f->tok.key);
		json_object_set_new(tok, "dpop_key", json_string(key));
		kg_free_secret(key);
	}
	json_object_set_new(root, "tokens", tok);
	return root;
}

/* The file's text, written by jansson straight into a buffer of ours
 * (json_dumps() would leave its own working copy unwiped). NULL when it
 * cannot be encoded. */
static char *
encode_secret(const json_t *root)
{
	const size_t flags = JSON_INDENT(2) | JSON_PRESERVE_ORDER;
	size_t n = root != NULL ? json_dumpb(root, NULL, 0, flags) : 0;
	char *text;

	if (n == 0 || (text = malloc(n + 1)) == NULL)
		return NULL;
	if (json_dumpb(root, text, n, flags) != n) {
		sodium_memzero(text, n);
		free(text);
		return NULL;
	}
	text[n] = '\0';
	return text;
}

static int
write_all(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* The rename is durable only once the folder's entry is on disk too. */
static int
sync_dir_of(const char *path)
{
	char *copy = kg_strdup(path);
	int fd, rc;

	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(copy);
	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

static int
write_tmp(const char *tmp, const char *text)
{
	int fd, rc = 0;

	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd < 0)
		return -1;
	/* A temporary left by a crash may carry another mode. */
	if (fchmod(fd, 0600) != 0 || write_all(fd, text, strlen(text)) != 0 ||
	    fsync(fd) != 0)
		rc = -1;
	if (close(fd) != 0)
		rc = -1;
	return rc;
}

int
kg_file_save(const char *path, const struct kg_file *f)
{
	char tmp[4096];
	json_t *root;
	char *text;
	int n, rc = 0;

	n = snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return kg_err(KG_CLIENT_ERR_FILE, "the token file's name is "
		    "too long");
	root = file_json(f);
	text = encode_secret(root);
	kg_json_free_secret(root);
	if (text == NULL)
		return kg_err(KG_CLIENT_ERR_FILE, "cannot encode the tokens");
	if (write_tmp(tmp, text) != 0 || rename(tmp, path) != 0 ||
	    sync_dir_of(path) != 0) {
		rc = kg_err(KG_CLIENT_ERR_FILE, "cannot write %s: %s", path,
		    strerror(errno));
		unlink(tmp);
	}
	sodium_memzero(text, strlen(text));
	free(text);
	return rc;
}

int
kg_file_lock(const char *path, int *fd)
{
	char lock[4096];
	int n;

	n = snprintf(lock, sizeof(lock), "%s.lock", path);
	if (n < 0 || (size_t)n >= sizeof(lock))
		return kg_err(KG_CLIENT_ERR_FILE, "the token file's name is "
		    "too long");
	*fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (*fd < 0)
		return kg_err(KG_CLIENT_ERR_FILE, "cannot open %s: %s", lock,
		    strerror(errno));
	while (flock(*fd, LOCK_EX) != 0) {
		if (errno != EINTR) {
			close(*fd);
			return kg_err(KG_CLIENT_ERR_FILE, "cannot lock %s: %s",
			    lock, strerror(errno));
		}
	}
	return 0;
}

void
kg_file_unlock(int fd)
{
	if (fd >= 0)
		close(fd);	/* closing drops the flock */
}
