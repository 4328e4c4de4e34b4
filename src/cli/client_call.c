/* `keygate client call URL [-X METHOD] [-d DATA] [-H 'Name: value']`: one
 * API call with automatic refresh, curl-like: -d makes it a POST of a
 * form unless -X says otherwise, several -d are joined with '&'. */
#include "cli/cli.h"
#include "cli/client_cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CALL_MAX_HEADERS	64
#define CALL_MAX_DATA		(1024 * 1024)

struct call_args {
	const char	*url;
	const char	*method;
	const char	*headers[CALL_MAX_HEADERS + 2];
	size_t		 nheaders;
	char		*data;
	bool		 has_type;
};

static bool
add_data(struct call_args *a, const char *d)
{
	size_t old = a->data != NULL ? strlen(a->data) : 0;
	size_t n = old + strlen(d) + 2;
	char *grown;

	if (n > CALL_MAX_DATA)
		return false;
	grown = realloc(a->data, n);
	if (grown == NULL)
		abort();
	snprintf(grown + old, n - old, "%s%s", old > 0 ? "&" : "", d);
	a->data = grown;
	return true;
}

static bool
add_header(struct call_args *a, const char *h)
{
	if (a->nheaders >= CALL_MAX_HEADERS || strchr(h, ':') == NULL ||
	    strpbrk(h, "\r\n") != NULL)
		return false;
	if (strncasecmp(h, "content-type:", 13) == 0)
		a->has_type = true;
	a->headers[a->nheaders++] = h;
	return true;
}

static bool
call_flag(struct call_args *a, const char *flag, const char *val)
{
	if (strcmp(flag, "-X") == 0 || strcmp(flag, "--request") == 0) {
		a->method = val;
		return val[0] != '\0' && strpbrk(val, " \r\n") == NULL;
	}
	if (strcmp(flag, "-d") == 0 || strcmp(flag, "--data") == 0)
		return add_data(a, val);
	if (strcmp(flag, "-H") == 0 || strcmp(flag, "--header") == 0)
		return add_header(a, val);
	return false;
}

static int
parse_call(int argc, char **argv, struct client_opts *o, struct call_args *a)
{
	bool bad = false;
	int i;

	for (i = 0; i < argc && !bad; i++) {
		if (client_common_flag(o, argc, argv, &i, &bad))
			continue;
		if (argv[i][0] != '-' && a->url == NULL) {
			a->url = argv[i];
			continue;
		}
		if (i + 1 >= argc || !call_flag(a, argv[i], argv[i + 1])) {
			fprintf(stderr, "keygate client call: bad argument "
			    "'%s'\n", argv[i]);
			return CLIENT_EXIT_USAGE;
		}
		i++;
	}
	if (bad)
		return CLIENT_EXIT_USAGE;
	if (a->url == NULL) {
		fprintf(stderr, "keygate client call: which URL?\n");
		return CLIENT_EXIT_USAGE;
	}
	if (a->method == NULL)
		a->method = a->data != NULL ? "POST" : "GET";
	if (a->data != NULL && !a->has_type)
		a->headers[a->nheaders++] =
		    "Content-Type: application/x-www-form-urlencoded";
	a->headers[a->nheaders] = NULL;
	return client_opts_finish(o);
}

static int
report(const struct kg_client_response *res)
{
	fwrite(res->body, 1, res->body_len, stdout);
	fflush(stdout);
	if (res->status >= 400) {
		fprintf(stderr, "keygate client call: HTTP %ld\n",
		    res->status);
		return CLIENT_EXIT_HTTP;
	}
	return 0;
}

int
cli_client_call(int argc, char **argv)
{
	struct call_args a = { 0 };
	struct client_opts o = { 0 };
	struct kg_client_response res = { 0 };
	struct kg_client *c = NULL;
	int rc;

	rc = parse_call(argc, argv, &o, &a);
	if (rc != 0) {
		free(a.data);
		return rc;
	}
	rc = client_open(&o, &c);
	if (rc == 0)
		rc = kg_client_request(c, a.method, a.url, a.headers, a.data,
		    a.data != NULL ? strlen(a.data) : 0, &res);
	if (rc == 0)
		rc = report(&res);
	else
		rc = client_fail(rc);
	kg_client_response_release(&res);
	kg_client_free(c);
	free(a.data);
	return rc;
}
