#include "core/config_file.h"

#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"

#define LINE_MAX_BYTES	1024
#define NAME_MAX_BYTES	40
#define MAX_SEEN	64

/* One reading of a file: libinih pulls lines through reader(), which
 * counts them (so every problem has its line) and keeps from libinih the
 * lines it would misread or stop at. */
struct reading {
	FILE			*f;
	const char		*path;
	int			 line;
	config_setting_fn	 set;
	void			*target;
	config_report_fn	 report;
	void			*ctx;
	int			 problems;
	int			 last_reported;	/* line */
	char			*buf;
	size_t			 cap;
	struct {
		char	 name[NAME_MAX_BYTES];
		int	 line;
	}			 seen[MAX_SEEN];
	size_t			 nseen;
};

static void	problem(struct reading *r, int line, const char *fmt, ...)
		    __attribute__((format(printf, 3, 4)));

static void
problem(struct reading *r, int line, const char *fmt, ...)
{
	char msg[600], full[900];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (line > 0)
		snprintf(full, sizeof(full), "%s:%d: %s", r->path, line, msg);
	else
		snprintf(full, sizeof(full), "%s: %s", r->path, msg);
	r->problems++;
	r->last_reported = line;
	r->report(r->ctx, full);
}

static char *
skip_space(char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* A section line: only [keygate] is one. */
static void
check_section(struct reading *r, char *p)
{
	char *end = strchr(p, ']');

	if (end == NULL) {
		problem(r, r->line, "a section line needs its closing ]");
		return;
	}
	*end = '\0';
	if (strcmp(p + 1, "keygate") != 0)
		problem(r, r->line, "unknown section [%.40s]: settings go at "
		    "the top of the file or under [keygate]", p + 1);
}

/* Gives libinih the next line, or an empty one in place of a line with a
 * problem (reported here, with its number). */
static char *
reader(char *str, int num, void *stream)
{
	struct reading *r = stream;
	ssize_t n = getline(&r->buf, &r->cap, r->f);
	char *p;

	if (n < 0)
		return NULL;
	r->line++;
	while (n > 0 && (r->buf[n - 1] == '\n' || r->buf[n - 1] == '\r'))
		r->buf[--n] = '\0';
	snprintf(str, (size_t)num, "\n");
	if (n > LINE_MAX_BYTES || n + 3 > num) {
		problem(r, r->line, "the line is over %d characters",
		    num - 3 < LINE_MAX_BYTES ? num - 3 : LINE_MAX_BYTES);
		return str;
	}
	p = skip_space(r->buf);
	if (*p == '\0' || *p == '#' || *p == ';')
		return str;
	if (*p == '[') {
		check_section(r, p);
		return str;
	}
	if (strchr(p, '=') == NULL) {
		problem(r, r->line, "expected NAME = VALUE");
		return str;
	}
	snprintf(str, (size_t)num, "%s\n", r->buf);
	return str;
}

/* The first line that set `name`, after recording this one; 0 if none. */
static int
seen_before(struct reading *r, const char *name)
{
	for (size_t i = 0; i < r->nseen; i++)
		if (strcmp(r->seen[i].name, name) == 0)
			return r->seen[i].line;
	if (r->nseen < MAX_SEEN) {
		snprintf(r->seen[r->nseen].name, NAME_MAX_BYTES, "%s", name);
		r->seen[r->nseen++].line = r->line;
	}
	return 0;
}

static int
on_setting(void *user, const char *section, const char *key,
    const char *value)
{
	struct reading *r = user;
	char name[NAME_MAX_BYTES], from[300], err[512];
	int first, rc;

	(void)section;	/* checked by reader() */
	if (strlen(key) >= sizeof(name)) {
		problem(r, r->line, "unknown setting '%.40s...'", key);
		return 1;
	}
	/* token_unused_ttl reads as token-unused-ttl, as INI files tend to
	 * spell names */
	for (size_t i = 0; (name[i] = key[i] == '_' ? '-' : key[i]) != '\0';
	    i++)
		;
	if (strcmp(name, "config") == 0) {
		problem(r, r->line, "a configuration file cannot name another "
		    "one");
		return 1;
	}
	if ((first = seen_before(r, name)) != 0) {
		problem(r, r->line, "'%s' is set twice (first on line %d)",
		    name, first);
		return 1;
	}
	snprintf(from, sizeof(from), "%s:%d", r->path, r->line);
	rc = r->set(r->target, name, value, from, err, sizeof(err));
	if (rc == ERR_NOTFOUND)
		problem(r, r->line, "unknown setting '%s' (the settings are "
		    "the flags of keygate serve --help, without dashes)", name);
	else if (rc != 0) {
		r->problems++;
		r->last_reported = r->line;
		r->report(r->ctx, err);
	}
	return 1;
}

int
config_file_parse(const char *path, config_setting_fn set, void *target,
    config_report_fn report, void *ctx)
{
	struct reading r = { .path = path, .set = set, .target = target,
	    .report = report, .ctx = ctx };
	int rc;

	if ((r.f = fopen(path, "r")) == NULL) {
		problem(&r, 0, "cannot read it: %s", strerror(errno));
		return r.problems;
	}
	/* one setting a line: an indented line is not the one before's
	 * continuation */
	ini_allow_multiline = false;
	rc = ini_parse_stream(reader, &r, on_setting, &r);
	if (rc > 0 && rc != r.last_reported)
		problem(&r, rc, "expected NAME = VALUE");
	else if (rc < 0)
		problem(&r, 0, "cannot read it");
	if (ferror(r.f))
		problem(&r, 0, "read error: %s", strerror(errno));
	fclose(r.f);
	free(r.buf);
	return r.problems;
}
