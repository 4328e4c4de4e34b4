/* `keygate client ...`: what every subcommand shares (the common flags,
 * the token file's default path, opening the client, exit statuses),
 * apart so that client.c and client_call.c both call down into it and
 * neither calls the other back. */
#include "cli/client_cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static char default_file[4096];

bool
client_common_flag(struct client_opts *o, int argc, char **argv, int *i,
    bool *bad)
{
	const char **dst = NULL;

	if (strcmp(argv[*i], "--file") == 0)
		dst = &o->file;
	else if (strcmp(argv[*i], "--test-clock-file") == 0)
		dst = &o->clock_file;
	if (dst == NULL)
		return false;
	if (*i + 1 >= argc) {
		fprintf(stderr, "keygate client: %s needs a value\n", argv[*i]);
		*bad = true;
		return true;
	}
	*dst = argv[++*i];
	return true;
}

/* $XDG_CONFIG_HOME/keygate/client.json, or ~/.config/...; missing
 * folders are made 0700. */
static int
default_path(void)
{
	const char *base = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	char dir[4000];
	int n;

	if (base != NULL && base[0] != '\0')
		n = snprintf(dir, sizeof(dir), "%s/keygate", base);
	else if (home != NULL && home[0] != '\0')
		n = snprintf(dir, sizeof(dir), "%s/.config/keygate", home);
	else
		return -1;
	if (n < 0 || (size_t)n >= sizeof(dir) - 16)
		return -1;
	*strrchr(dir, '/') = '\0';
	(void)mkdir(dir, 0700);		/* the parent; it may exist */
	dir[strlen(dir)] = '/';
	(void)mkdir(dir, 0700);
	snprintf(default_file, sizeof(default_file), "%s/client.json", dir);
	return 0;
}

int
client_opts_finish(struct client_opts *o)
{
	if (o->file == NULL)
		o->file = getenv("KEYGATE_CLIENT_FILE");
	if (o->clock_file == NULL)
		o->clock_file = getenv("KEYGATE_CLIENT_TEST_CLOCK_FILE");
	if (o->file == NULL || o->file[0] == '\0') {
		if (default_path() != 0) {
			fprintf(stderr, "keygate client: no --file, and no "
			    "HOME for the default one\n");
			return CLIENT_EXIT_USAGE;
		}
		o->file = default_file;
	}
	return 0;
}

int
client_open(const struct client_opts *o, struct kg_client **out)
{
	int rc = kg_client_open(o->file, out);

	if (rc == 0 && o->clock_file != NULL)
		kg_client_set_clock(*out, kg_client_clock_file,
		    (void *)o->clock_file);
	return rc;
}

int
client_fail(int code)
{
	fprintf(stderr, "keygate client: %s\n", kg_client_errmsg());
	switch (code) {
	case KG_CLIENT_ERR_USAGE:
		return CLIENT_EXIT_USAGE;
	case KG_CLIENT_ERR_REVOKED:
	case KG_CLIENT_ERR_NO_TOKENS:
		fprintf(stderr, "keygate client: run `keygate client login` "
		    "again\n");
		return CLIENT_EXIT_LOGIN;
	case KG_CLIENT_ERR_CLIENT_AUTH:
		return CLIENT_EXIT_AUTH;
	case KG_CLIENT_ERR_NETWORK:
		return CLIENT_EXIT_NETWORK;
	case KG_CLIENT_ERR_UNAUTHORIZED:
		return CLIENT_EXIT_HTTP;
	default:
		return CLIENT_EXIT_FAIL;
	}
}
