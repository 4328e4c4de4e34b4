/* keygate config check FILE: what `serve --config FILE` would refuse, all
 * of it at once, each problem with its line. */
#include "cli/cli.h"
#include "cli/help.h"

#include <stdio.h>
#include <string.h>

#include "core/config.h"

static void
usage(FILE *out)
{
	fprintf(out, "usage: keygate config check FILE\n\n"
	    "Reads the configuration file FILE as keygate serve --config "
	    "would and\nexplains every problem with its line. Exit status 0 "
	    "when it is good,\n1 when not. Variables and flags are not "
	    "consulted.\n");
}

static void
print_problem(void *ctx, const char *message)
{
	(void)ctx;
	fprintf(stderr, "%s\n", message);
}

static int
check(const char *path)
{
	struct config cfg;
	char err[512];
	int problems;

	config_init(&cfg);
	problems = config_file_read(&cfg, path, NULL, print_problem, NULL);
	/* the rules between settings hold only once each one is readable */
	if (problems == 0 && config_finish(&cfg, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s: %s\n", path, err);
		problems = 1;
	}
	config_release(&cfg);
	if (problems > 0) {
		fprintf(stderr, "%s: %d problem%s\n", path, problems,
		    problems == 1 ? "" : "s");
		return 1;
	}
	printf("%s: ok\n", path);
	return 0;
}

int
cli_config(int argc, char **argv)
{
	if (cli_help_asked(argc, argv)) {
		usage(stdout);
		return 0;
	}
	if (argc != 2 || strcmp(argv[0], "check") != 0) {
		usage(stderr);
		return 2;
	}
	return check(argv[1]);
}
