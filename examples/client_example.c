/*
 * client_example: a long-running program that calls an API with tokens
 * that refresh themselves (docs/CLIENT.md).
 *
 *   keygate client login --issuer https://id.example.org --api-key KEY \
 *       --secret-stdin --file tokens.json < secret.txt
 *   client_example tokens.json https://id.example.org/v3/account/summary
 *
 * Every line read from standard input triggers one GET of the URL; the
 * program prints the HTTP status and the body on one line. It never looks
 * at the timers itself: kg_client_request() refreshes before either runs
 * out, and once on a 401. Tests set KEYGATE_CLIENT_TEST_CLOCK_FILE to move
 * its clock in step with keygate's --test-clock.
 *
 * Build: cc client_example.c $(pkg-config --cflags --libs keygate-client)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <keygate/client.h>

static int
call(struct kg_client *c, const char *url, unsigned long n)
{
	static const char *const headers[] = { "Accept: application/json",
	    NULL };
	struct kg_client_response res;
	int rc;

	rc = kg_client_request(c, "GET", url, headers, NULL, 0, &res);
	if (rc != KG_CLIENT_OK) {
		fprintf(stderr, "call %lu: %s\n", n, kg_client_errmsg());
		kg_client_response_release(&res);
		return rc;
	}
	printf("%lu %ld %s\n", n, res.status, res.body);
	fflush(stdout);
	kg_client_response_release(&res);
	return 0;
}

int
main(int argc, char **argv)
{
	const char *clock_file = getenv("KEYGATE_CLIENT_TEST_CLOCK_FILE");
	struct kg_client *c;
	unsigned long n = 0;
	char line[256];
	int rc;

	if (argc != 3) {
		fprintf(stderr, "usage: client_example TOKEN_FILE URL\n");
		return 2;
	}
	rc = kg_client_open(argv[1], &c);
	if (rc != KG_CLIENT_OK) {
		fprintf(stderr, "%s\n", kg_client_errmsg());
		return 1;
	}
	if (clock_file != NULL)
		kg_client_set_clock(c, kg_client_clock_file,
		    (void *)clock_file);
	while (rc == KG_CLIENT_OK && fgets(line, sizeof(line), stdin) != NULL)
		rc = call(c, argv[2], ++n);
	fprintf(stderr, "%lu calls, %llu refreshes\n", n,
	    (unsigned long long)kg_client_refresh_count(c));
	kg_client_free(c);
	return rc == KG_CLIENT_OK ? 0 : 1;
}
