#include "cli/cli.h"
#include "cli/help.h"

#include <stdio.h>
#include <string.h>

#include "store/store.h"

int
cli_migrate(int argc, char **argv)
{
	struct config cfg;
	struct keygate kg;
	char err[512], where[512];

	if (cli_help_asked(argc, argv)) {
		printf("usage: keygate migrate [--db PATH]\n\n"
		    "Applies the store's pending migrations and exits.\n\n");
		config_usage(stdout, CONFIG_ONLY_DB);
		return 0;
	}
	config_init(&cfg);
	if (config_parse(&cfg, argc, argv, CONFIG_ONLY_DB, err,
	    sizeof(err)) != 0) {
		fprintf(stderr, "keygate migrate: %s\n", err);
		config_release(&cfg);
		return 2;
	}
	/* cli_open() migrates; it reports what it applied. */
	if (cli_open(&kg, &cfg) != 0) {
		config_release(&cfg);
		return 1;
	}
	/* deploy jobs keep what this prints: never the password */
	store_url_redacted(cfg.db, where, sizeof(where));
	printf("%s is up to date\n", where);
	cli_close(&kg);
	config_release(&cfg);
	return 0;
}
