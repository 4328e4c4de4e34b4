/*
 * client_harness: what tests/http/test_client_lib.py needs beyond
 * `keygate client`, on the library's public API only.
 *
 *   client_harness threads FILE URL N   N threads call URL at once; prints
 *                                       "refreshes=R" and each status
 *   client_harness save-loop FILE       saves the token file again and
 *                                       again, printing "saved K" after
 *                                       each, until killed
 *   client_harness refresh FILE         one refresh now (kg_client_refresh);
 *                                       prints "rc=R"
 *   client_harness device FILE ISSUER KEY [SCOPE]
 *                                       the device log-in (secret from
 *                                       KEYGATE_CLIENT_SECRET): prints
 *                                       "codes USER_CODE URI URI_COMPLETE
 *                                       EXPIRES_IN INTERVAL", then
 *                                       "wait N" before each poll and
 *                                       reads a line: "go" polls, any
 *                                       other cancels; at the end "rc=R"
 *                                       (test time, not wall time: the
 *                                       test moves the clocks)
 *
 * KEYGATE_CLIENT_TEST_CLOCK_FILE moves the clock as in the example.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <keygate/client.h>

#define MAX_THREADS	64

struct job {
	struct kg_client	*c;
	const char		*url;
	pthread_barrier_t	*go;
	long			 status;
	int			 rc;
};

static void *
run_call(void *arg)
{
	struct job *j = arg;
	struct kg_client_response res;

	/* All threads leave the barrier together, so their calls overlap
	 * and find the expired timer at the same moment. */
	pthread_barrier_wait(j->go);
	j->rc = kg_client_request(j->c, "GET", j->url, NULL, NULL, 0, &res);
	j->status = res.status;
	if (j->rc != KG_CLIENT_OK)
		fprintf(stderr, "%s\n", kg_client_errmsg());
	kg_client_response_release(&res);
	return NULL;
}

static int
threads(struct kg_client *c, const char *url, int n)
{
	struct job jobs[MAX_THREADS];
	pthread_t tids[MAX_THREADS];
	pthread_barrier_t go;
	int i, bad = 0;

	if (n < 1 || n > MAX_THREADS)
		return 2;
	pthread_barrier_init(&go, NULL, (unsigned)n);
	for (i = 0; i < n; i++) {
		jobs[i] = (struct job){ c, url, &go, 0, 0 };
		pthread_create(&tids[i], NULL, run_call, &jobs[i]);
	}
	for (i = 0; i < n; i++)
		pthread_join(tids[i], NULL);
	pthread_barrier_destroy(&go);
	printf("refreshes=%llu\n",
	    (unsigned long long)kg_client_refresh_count(c));
	for (i = 0; i < n; i++) {
		printf("status=%ld rc=%d\n", jobs[i].status, jobs[i].rc);
		bad |= jobs[i].rc != KG_CLIENT_OK || jobs[i].status != 200;
	}
	return bad;
}

static int
save_loop(struct kg_client *c)
{
	unsigned long k;

	for (k = 1;; k++) {
		if (kg_client_save(c) != KG_CLIENT_OK) {
			fprintf(stderr, "%s\n", kg_client_errmsg());
			return 1;
		}
		printf("saved %lu\n", k);
		fflush(stdout);
	}
}

static void
show(const struct kg_client_device_codes *d, void *arg)
{
	(void)arg;
	printf("codes %s %s %s %lld %lld\n", d->user_code, d->verification_uri,
	    d->verification_uri_complete != NULL ?
	    d->verification_uri_complete : "-", (long long)d->expires_in,
	    (long long)d->interval);
	fflush(stdout);
}

/* The test is the clock: it hears how long the library would sleep,
 * moves the server's and the client's clocks, and lets it go on. */
static int
driven_sleep(int64_t seconds, void *arg)
{
	char line[64];

	(void)arg;
	printf("wait %lld\n", (long long)seconds);
	fflush(stdout);
	if (fgets(line, sizeof(line), stdin) == NULL)
		return 1;
	return strcmp(line, "go\n") != 0;
}

static int
device(int argc, char **argv, const char *clock_file)
{
	struct kg_client *c;
	int rc;

	if (argc < 5)
		return 2;
	rc = kg_client_new(argv[3], argv[4], getenv("KEYGATE_CLIENT_SECRET"),
	    &c);
	if (rc == KG_CLIENT_OK)
		rc = kg_client_set_token_file(c, argv[2]);
	if (rc == KG_CLIENT_OK && argc > 5)
		rc = kg_client_set_scope(c, argv[5]);
	if (rc == KG_CLIENT_OK) {
		if (clock_file != NULL)
			kg_client_set_clock(c, kg_client_clock_file,
			    (void *)clock_file);
		kg_client_set_sleep(c, driven_sleep, NULL);
		rc = kg_client_device_login(c, show, NULL);
	}
	printf("rc=%d %s\n", rc, rc == KG_CLIENT_OK ? "ok" :
	    kg_client_errmsg());
	kg_client_free(c);
	return rc == KG_CLIENT_OK ? 0 : 1;
}

int
main(int argc, char **argv)
{
	const char *clock_file = getenv("KEYGATE_CLIENT_TEST_CLOCK_FILE");
	struct kg_client *c;
	int rc;

	if (argc < 3)
		return 2;
	if (strcmp(argv[1], "device") == 0)
		return device(argc, argv, clock_file);
	if (kg_client_open(argv[2], &c) != KG_CLIENT_OK) {
		fprintf(stderr, "%s\n", kg_client_errmsg());
		return 1;
	}
	if (clock_file != NULL)
		kg_client_set_clock(c, kg_client_clock_file,
		    (void *)clock_file);
	if (strcmp(argv[1], "threads") == 0 && argc == 5)
		rc = threads(c, argv[3], atoi(argv[4]));
	else if (strcmp(argv[1], "save-loop") == 0)
		rc = save_loop(c);
	else if (strcmp(argv[1], "refresh") == 0) {
		rc = kg_client_refresh(c);
		printf("rc=%d %s\n", rc, rc == KG_CLIENT_OK ? "ok" :
		    kg_client_errmsg());
	}
	else
		rc = 2;
	kg_client_free(c);
	return rc;
}
