/* Redirect URIs and logo URLs: uri_parse(), the docs/REFERENCE.md §2 rules,
 * the list as the portal's textarea gives it, and the match at authorization
 * time (RFC 8252 loopback ports). Input: registered list NUL presented URI. */
#include "fuzz.h"

#include "core/app_rules.h"
#include "core/authz.h"
#include "core/uri.h"

static void
check_uri(struct str s)
{
	char *copy = fuzz_exact(s);
	struct str in = { copy, s.len };
	struct uri u;

	if (uri_parse(in, &u) == 0) {
		FUZZ_CHECK(u.scheme.len > 0);
		FUZZ_CHECK(fuzz_within(u.scheme, copy, s.len));
		FUZZ_CHECK(fuzz_within(u.userinfo, copy, s.len));
		FUZZ_CHECK(fuzz_within(u.host, copy, s.len));
		FUZZ_CHECK(fuzz_within(u.port, copy, s.len));
		FUZZ_CHECK(fuzz_within(u.path, copy, s.len));
		FUZZ_CHECK(fuzz_within(u.query, copy, s.len));
		FUZZ_CHECK(fuzz_within(u.fragment, copy, s.len));
		uri_host_is_loopback(u.host);
		uri_host_is_loopback_ip(u.host);
	}
	/* A URI the rules accept must be one uri_parse() accepts. */
	if (app_rule_redirect_uri(in) == NULL)
		FUZZ_CHECK(uri_parse(in, &u) == 0 && !u.has_fragment);
	if (app_rule_logo_url(in) == NULL && in.len > 0)
		FUZZ_CHECK(uri_parse(in, &u) == 0);
	free(copy);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct str in = { (const char *)data, size };
	struct str list = fuzz_piece(&in), presented = fuzz_piece(&in);
	struct str lines[APP_MAX_REDIRECT_URIS];
	struct app_row *app = calloc(1, sizeof(*app));
	size_t n;

	check_uri(list);
	check_uri(presented);
	n = app_rule_split_lines(list, lines, APP_MAX_REDIRECT_URIS);
	if (n <= APP_MAX_REDIRECT_URIS &&
	    app_rule_redirect_uris(lines, n) == NULL &&
	    list.len < sizeof(app->redirect_uris)) {
		/* stored as the store keeps it: one per line */
		size_t at = 0;

		for (size_t i = 0; i < n; i++) {
			memcpy(app->redirect_uris + at, lines[i].p,
			    lines[i].len);
			at += lines[i].len;
			app->redirect_uris[at++] = '\n';
		}
		if (at > 0)
			app->redirect_uris[at - 1] = '\0';
		/* every registered URI matches itself */
		for (size_t i = 0; i < n; i++)
			FUZZ_CHECK(authz_redirect_registered(app, lines[i]));
		authz_redirect_registered(app, presented);
	}
	free(app);
	return 0;
}
