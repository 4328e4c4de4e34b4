/* Client metadata documents (docs/REFERENCE.md §22.2): the client_id URL's
 * rules, the fetched document's checks and the answer's lifetime from its
 * headers, all of them chosen by whoever runs the client's host.
 * Input: URL NUL body NUL Cache-Control NUL Expires NUL Date. */
#include "fuzz.h"

#include "core/cimd_rules.h"

static char *
cstr(struct str s)
{
	char *p = malloc(s.len + 1);

	memcpy(p, s.p, s.len);
	p[s.len] = '\0';
	return p;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct str in = { (const char *)data, size };
	struct str url = fuzz_piece(&in), body = fuzz_piece(&in);
	struct str cc = fuzz_piece(&in), exp = fuzz_piece(&in);
	struct str date = fuzz_piece(&in);
	char *u = fuzz_exact(url), *b = fuzz_exact(body);
	char *c = cstr(cc), *e = cstr(exp), *d = cstr(date);
	struct cimd_doc *doc = malloc(sizeof(*doc));
	struct str uu = { u, url.len };
	int64_t ttl;

	cimd_is_url(uu);
	if (cimd_rule_url(uu) == NULL)
		FUZZ_CHECK(cimd_is_url(uu) && url.len <= CIMD_URL_MAX_BYTES);
	if (cimd_rule_document(b, body.len, uu, "keygate", doc) == NULL) {
		/* an accepted document gives at least one redirect URI,
		 * and its strings fit their fields */
		FUZZ_CHECK(doc->redirect_uris[0] != '\0');
		FUZZ_CHECK(memchr(doc->client_name, '\0',
		    sizeof(doc->client_name)) != NULL);
	}
	ttl = cimd_lifetime(cc.len ? c : NULL, exp.len ? e : NULL,
	    date.len ? d : NULL, 1765000000);
	FUZZ_CHECK(ttl >= 0 && ttl <= CIMD_MAX_TTL_S);
	free(doc);
	free(u);
	free(b);
	free(c);
	free(e);
	free(d);
	return 0;
}
