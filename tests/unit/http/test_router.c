#include "http/router.h"

#include <criterion/criterion.h>
#include <string.h>

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* Distinct handlers so a match can be told apart by its function. */
static void
h_home(struct request *req, struct response *res)
{
	(void)req;
	(void)res;
}

static void
h_login(struct request *req, struct response *res)
{
	(void)req;
	(void)res;
}

static void
h_app(struct request *req, struct response *res)
{
	(void)req;
	(void)res;
}

static void
h_token(struct request *req, struct response *res)
{
	(void)req;
	(void)res;
}

static const struct route routes[] = {
	{ HTTP_GET, "/", h_home, ROUTE_FAST, NULL },
	{ HTTP_GET, "/login", h_login, ROUTE_FAST, NULL },
	{ HTTP_POST, "/login", h_login, ROUTE_FAST, NULL },
	{ HTTP_GET, "/apps/{id}", h_app, ROUTE_FAST, NULL },
	{ HTTP_DELETE, "/apps/{id}", h_app, ROUTE_FAST, NULL },
	{ HTTP_GET, "/apps/{id}/tokens/{tid}", h_token, ROUTE_FAST, NULL },
	{ HTTP_POST, "/oauth/token", h_token, ROUTE_FAST, NULL },
	{ HTTP_PUT, "/static/{name}", h_home, ROUTE_FAST, NULL },
};

struct router_case {
	enum http_method	 method;
	const char		*path;
	enum route_result	 result;
	int			 route;		/* index, for FOUND */
	const char		*caps[2];	/* expected captures */
	const char		*allow;		/* for BAD_METHOD */
};

Test(router, match)
{
	static const struct router_case cases[] = {
		/* exact paths */
		{ HTTP_GET, "/", ROUTE_FOUND, 0, { NULL }, NULL },
		{ HTTP_GET, "/login", ROUTE_FOUND, 1, { NULL }, NULL },
		{ HTTP_POST, "/login", ROUTE_FOUND, 2, { NULL }, NULL },
		{ HTTP_POST, "/oauth/token", ROUTE_FOUND, 6, { NULL }, NULL },
		/* HEAD matches GET */
		{ HTTP_HEAD, "/", ROUTE_FOUND, 0, { NULL }, NULL },
		{ HTTP_HEAD, "/login", ROUTE_FOUND, 1, { NULL }, NULL },
		{ HTTP_HEAD, "/apps/7", ROUTE_FOUND, 3, { "7" }, NULL },
		/* captures */
		{ HTTP_GET, "/apps/42", ROUTE_FOUND, 3, { "42" }, NULL },
		{ HTTP_DELETE, "/apps/abc-def", ROUTE_FOUND, 4,
		  { "abc-def" }, NULL },
		{ HTTP_GET, "/apps/9/tokens/x1", ROUTE_FOUND, 5,
		  { "9", "x1" }, NULL },
		{ HTTP_PUT, "/static/style.css", ROUTE_FOUND, 7,
		  { "style.css" }, NULL },
		/* a capture is one non-empty segment */
		{ HTTP_GET, "/apps/", ROUTE_NOT_FOUND, 0, { NULL }, NULL },
		{ HTTP_GET, "/apps", ROUTE_NOT_FOUND, 0, { NULL }, NULL },
		{ HTTP_GET, "/apps/1/2", ROUTE_NOT_FOUND, 0, { NULL }, NULL },
		{ HTTP_GET, "/apps//tokens/x", ROUTE_NOT_FOUND, 0, { NULL },
		  NULL },
		{ HTTP_GET, "/apps/1/tokens/", ROUTE_NOT_FOUND, 0, { NULL },
		  NULL },
		/* trailing slashes and near misses do not match */
		{ HTTP_GET, "/login/", ROUTE_NOT_FOUND, 0, { NULL }, NULL },
		{ HTTP_GET, "/apps/1/", ROUTE_NOT_FOUND, 0, { NULL }, NULL },
		{ HTTP_GET, "/loginx", ROUTE_NOT_FOUND, 0, { NULL }, NULL },
		{ HTTP_GET, "/logi", ROUTE_NOT_FOUND, 0, { NULL }, NULL },
		{ HTTP_GET, "/Login", ROUTE_NOT_FOUND, 0, { NULL }, NULL },
		{ HTTP_GET, "//", ROUTE_NOT_FOUND, 0, { NULL }, NULL },
		{ HTTP_GET, "", ROUTE_NOT_FOUND, 0, { NULL }, NULL },
		{ HTTP_GET, "/nope", ROUTE_NOT_FOUND, 0, { NULL }, NULL },
		{ HTTP_POST, "/nope", ROUTE_NOT_FOUND, 0, { NULL }, NULL },
		/* known path, wrong method: 405 with Allow */
		{ HTTP_POST, "/", ROUTE_BAD_METHOD, 0, { NULL }, "GET, HEAD" },
		{ HTTP_DELETE, "/login", ROUTE_BAD_METHOD, 0, { NULL },
		  "GET, HEAD, POST" },
		{ HTTP_PUT, "/login", ROUTE_BAD_METHOD, 0, { NULL },
		  "GET, HEAD, POST" },
		{ HTTP_POST, "/apps/5", ROUTE_BAD_METHOD, 0, { NULL },
		  "GET, HEAD, DELETE" },
		{ HTTP_GET, "/oauth/token", ROUTE_BAD_METHOD, 0, { NULL },
		  "POST" },
		{ HTTP_HEAD, "/oauth/token", ROUTE_BAD_METHOD, 0, { NULL },
		  "POST" },
		{ HTTP_OPTIONS, "/apps/1/tokens/2", ROUTE_BAD_METHOD, 0,
		  { NULL }, "GET, HEAD" },
		{ HTTP_OTHER, "/static/x", ROUTE_BAD_METHOD, 0, { NULL },
		  "PUT" },
	};

	for (size_t i = 0; i < NELEM(cases); i++) {
		const struct router_case *c = &cases[i];
		struct request req;
		const struct route *out = NULL;
		char allow[128];
		enum route_result r;

		memset(&req, 0, sizeof(req));
		req.method = c->method;
		req.path = str_from(c->path);
		memset(allow, 'Z', sizeof(allow));
		r = router_match(routes, NELEM(routes), &req, &out, allow,
		    sizeof(allow));
		cr_expect_eq(r, c->result, "case %zu %s %s: result %d, want %d",
		    i, http_method_name(c->method), c->path, r, c->result);
		if (r != c->result)
			continue;
		if (r == ROUTE_FOUND) {
			cr_expect_eq(out, &routes[c->route], "case %zu %s: "
			    "route %td, want %d", i, c->path, out - routes,
			    c->route);
			for (size_t k = 0; k < 2 && c->caps[k] != NULL; k++)
				cr_expect(str_eq_lit(req.route_params[k],
				    c->caps[k]), "case %zu: capture %zu is "
				    "'%.*s', want '%s'", i, k,
				    (int)req.route_params[k].len,
				    req.route_params[k].p, c->caps[k]);
		} else if (r == ROUTE_BAD_METHOD) {
			cr_expect_str_eq(allow, c->allow, "case %zu %s: Allow "
			    "'%s', want '%s'", i, c->path, allow, c->allow);
		}
	}
}

Test(router, allow_truncated)
{
	struct request req;
	const struct route *out = NULL;
	char allow[8];

	memset(&req, 0, sizeof(req));
	req.method = HTTP_PATCH;
	req.path = STR_LIT("/login");
	cr_expect_eq(router_match(routes, NELEM(routes), &req, &out, allow,
	    sizeof(allow)), ROUTE_BAD_METHOD);
	/* cut short, but NUL-terminated within the buffer */
	cr_expect_lt(strnlen(allow, sizeof(allow)), sizeof(allow));
	cr_expect_eq(strncmp(allow, "GET, HEAD, POST", strlen(allow)), 0,
	    "allow '%s'", allow);
}

Test(router, path_not_nul_terminated)
{
	struct request req;
	const struct route *out = NULL;
	char allow[64];

	memset(&req, 0, sizeof(req));
	req.method = HTTP_GET;
	req.path = (struct str){ "/loginXYZ", 6 };
	cr_expect_eq(router_match(routes, NELEM(routes), &req, &out, allow,
	    sizeof(allow)), ROUTE_FOUND);
	cr_expect_eq(out, &routes[1]);
	req.path = (struct str){ "/apps/12/more", 8 };
	cr_expect_eq(router_match(routes, NELEM(routes), &req, &out, allow,
	    sizeof(allow)), ROUTE_FOUND);
	cr_expect(str_eq_lit(req.route_params[0], "12"));
}

Test(router, method_names)
{
	static const struct {
		enum http_method	 m;
		const char		*name;
	} cases[] = {
		{ HTTP_GET, "GET" }, { HTTP_HEAD, "HEAD" },
		{ HTTP_POST, "POST" }, { HTTP_PUT, "PUT" },
		{ HTTP_PATCH, "PATCH" }, { HTTP_DELETE, "DELETE" },
		{ HTTP_OPTIONS, "OPTIONS" }, { HTTP_OTHER, "OTHER" },
	};

	for (size_t i = 0; i < NELEM(cases); i++)
		cr_expect_str_eq(http_method_name(cases[i].m), cases[i].name);
}
