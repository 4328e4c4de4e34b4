#include "store_fixture.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/str.h"
#include "cli/cli.h"
#include "core/accounts.h"

/* one fixture at a time: criterion runs each case in a process of its
 * own */
static char dir[64];
static char db[128];

void
fixture_config(const char *name, struct config *cfg)
{
	snprintf(dir, sizeof(dir), "/tmp/kg-unit-%s-XXXXXX", name);
	cr_assert_not_null(mkdtemp(dir));
	snprintf(db, sizeof(db), "%s/keygate.db", dir);
	config_init(cfg);
	free(cfg->db);
	cfg->db = strdup(db);
	cr_assert_not_null(cfg->db);
}

void
fixture_open(struct config *cfg, struct keygate *kg)
{
	cr_assert_eq(cli_open(kg, cfg), 0);
}

void
fixture_close(struct config *cfg, struct keygate *kg)
{
	static const char *const ext[] = { "", "-wal", "-shm" };
	char path[160];

	cli_close(kg);
	config_release(cfg);
	for (size_t i = 0; i < sizeof(ext) / sizeof(*ext); i++) {
		snprintf(path, sizeof(path), "%s%s", db, ext[i]);
		unlink(path);
	}
	rmdir(dir);
}

int64_t
fixture_account(struct keygate *kg, const char *email)
{
	struct signup_errors errs;
	struct account a;

	cr_assert_eq(accounts_add(kg, str_from(email),
	    STR_LIT("correct horse battery"), &a, &errs), 0);
	return a.id;
}
