#include "http/router.h"

#include <stdio.h>
#include <string.h>

const char *
http_method_name(enum http_method m)
{
	static const char *const names[] = { "GET", "HEAD", "POST", "PUT",
	    "PATCH", "DELETE", "OPTIONS", "OTHER" };

	return names[m];
}

/* Matches path against pattern, filling caps. */
static bool
path_matches(const char *pattern, struct str path, struct str *caps)
{
	const char *p = pattern;
	size_t i = 0, ncap = 0;

	while (*p != '\0') {
		if (*p == '{') {
			const char *close = strchr(p, '}');
			size_t start = i;

			while (i < path.len && path.p[i] != '/')
				i++;
			if (i == start || ncap == HTTP_MAX_ROUTE_PARAMS)
				return false;
			caps[ncap++] = (struct str){ path.p + start,
			    i - start };
			p = close + 1;
			continue;
		}
		if (i >= path.len || path.p[i] != *p)
			return false;
		p++;
		i++;
	}
	return i == path.len;
}

enum route_result
router_match(const struct route *routes, size_t n, struct request *req,
    const struct route **out, char *allow, size_t allowlen)
{
	struct str caps[HTTP_MAX_ROUTE_PARAMS] = { { NULL, 0 } };
	enum http_method m = req->method == HTTP_HEAD ? HTTP_GET : req->method;
	size_t used = 0;
	bool path_known = false;

	allow[0] = '\0';
	for (size_t k = 0; k < n; k++) {
		memset(caps, 0, sizeof(caps));
		if (!path_matches(routes[k].pattern, req->path, caps))
			continue;
		if (routes[k].method == m) {
			memcpy(req->route_params, caps, sizeof(caps));
			*out = &routes[k];
			return ROUTE_FOUND;
		}
		path_known = true;
		used += (size_t)snprintf(allow + used, allowlen - used, "%s%s",
		    used > 0 ? ", " : "", http_method_name(routes[k].method));
		if (used >= allowlen)
			used = allowlen - 1;
		if (routes[k].method == HTTP_GET)
			used += (size_t)snprintf(allow + used, allowlen - used,
			    ", HEAD");
		if (used >= allowlen)
			used = allowlen - 1;
	}
	return path_known ? ROUTE_BAD_METHOD : ROUTE_NOT_FOUND;
}
