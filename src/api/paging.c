/* Pages of the JSON API's lists: ?limit= and ?cursor= in, an array and an
 * RFC 8288 Link to the next page out. */
#include "api/api.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cursor.h"
#include "base/err.h"

/* A full page of the largest items fits one answer. */
_Static_assert((size_t)LIST_MAX_LIMIT * (APP_JSON_MAX_BYTES + 1) + 2 <=
    RESPONSE_MAX_BODY_BYTES, "a page of apps must fit an answer");

/* The compact JSON of item (reference taken); free() it. */
static char *
dump(json_t *item)
{
	char *text = json_dumps(item, JSON_COMPACT);

	json_decref(item);
	if (text == NULL)
		abort();	/* out of memory, as xmalloc() */
	return text;
}

static void
bad_query(struct response *res, const char *why)
{
	response_json_error(res, 400, "invalid_request", why);
}

bool
api_page_read(struct request *req, struct response *res,
    struct store_page *page)
{
	return api_page_read_filtered(req, res, page, NULL, 0, NULL,
	    "This list takes only the parameters limit and cursor.");
}

/* The 400 of a parameter params_bind() refused (rc, *bad naming it):
 * limit and cursor say what they take; a filter of spec, which it was; any
 * other is `only`'s. */
static void
bad_param(struct request *req, struct response *res,
    const struct param_spec *spec, size_t n, int rc, const char *bad,
    const char *only)
{
	const char *why = only;
	char *text;

	if (bad != NULL && strcmp(bad, "limit") == 0)
		why = "limit must be a whole number from 1 to 100, given once.";
	else if (bad != NULL && strcmp(bad, "cursor") == 0)
		why = "cursor must be the one a Link header gave, given once.";
	for (size_t i = 2; bad != NULL && i < n; i++) {
		if (strcmp(bad, spec[i].name) != 0 ||
		    (rc != ERR_TOOBIG && rc != ERR_DUPLICATE))
			continue;
		text = arena_alloc(req->arena, 128);
		if (rc == ERR_TOOBIG)
			snprintf(text, 128, "%s is too long: at most %zu "
			    "bytes.", spec[i].name, spec[i].max_bytes);
		else
			snprintf(text, 128, "%s may be given once.",
			    spec[i].name);
		why = text;
		break;
	}
	bad_query(res, why);
}

bool
api_page_read_filtered(struct request *req, struct response *res,
    struct store_page *page, const struct param_spec *filters, size_t nf,
    struct str *values, const char *only)
{
	struct param_spec spec[2 + API_PAGE_FILTERS_MAX] = {
		{ "limit", 8, false },
		{ "cursor", CURSOR_TEXT_BYTES, false },
	};
	struct params ps;
	struct str v[2 + API_PAGE_FILTERS_MAX];
	const char *bad = NULL;
	long long limit = LIST_DEFAULT_LIMIT;

	int rc;

	/* spec and v hold at most API_PAGE_FILTERS_MAX filters */
	if (nf > API_PAGE_FILTERS_MAX)
		nf = API_PAGE_FILTERS_MAX;
	page->after = 0;
	for (size_t i = 0; i < nf; i++)
		spec[2 + i] = filters[i];
	if ((rc = request_query(req, &ps)) != 0 ||
	    (rc = params_bind(&ps, spec, 2 + nf, false, v, &bad)) != 0) {
		bad_param(req, res, spec, 2 + nf, rc, bad, only);
		return false;
	}
	for (size_t i = 0; i < nf; i++)
		values[i] = v[2 + i];
	if (v[0].p != NULL &&
	    str_to_i64(v[0], 1, LIST_MAX_LIMIT, &limit) != 0) {
		bad_query(res, "limit must be a whole number from 1 to 100.");
		return false;
	}
	if (v[1].p != NULL && cursor_decode(v[1], &page->after) != 0) {
		bad_query(res, "cursor must be the one a Link header gave.");
		return false;
	}
	/* one more than shown: whether a next page exists */
	page->max = (size_t)limit + 1;
	return true;
}

/* Link: <issuer/path?limit=N&cursor=C>; rel="next" (RFC 8288 §3), the
 * list's filters (`query`, already encoded) kept. */
static void
link_next(struct request *req, struct response *res, const char *path,
    const char *query, size_t limit, int64_t last)
{
	const char *iss = req->kg->cfg->issuer;
	size_t isslen = strlen(iss), len;
	char cursor[CURSOR_TEXT_BYTES], *link;

	while (isslen > 0 && iss[isslen - 1] == '/')
		isslen--;
	cursor_encode(last, cursor);
	if (query == NULL)
		query = "";
	len = isslen + strlen(path) + strlen(query) + 64 + sizeof(cursor);
	link = arena_alloc(req->arena, len);
	snprintf(link, len, "<%.*s%s?limit=%zu&cursor=%s%s%s>; rel=\"next\"",
	    (int)isslen, iss, path, limit, cursor, query[0] != '\0' ? "&" : "",
	    query);
	response_header(res, "Link", link);
}

void
api_page_answer(struct request *req, struct response *res,
    const struct store_page *page, const struct api_list *list)
{
	size_t limit = page->max - 1, shown = 0;
	struct buf *out = response_json_body(res, 200);
	const unsigned char *rows = list->rows;
	bool more = list->n > limit;

	buf_puts(out, "[");
	for (; shown < list->n && shown < limit; shown++) {
		const void *row = rows + shown * list->size;
		char *text = dump(list->item(row));

		/* Items larger than foreseen end the page early rather than
		 * the answer: the Link goes on from the last one sent. */
		if (shown > 0 && out->len + strlen(text) + 2 > out->max) {
			free(text);
			more = true;
			break;
		}
		if (shown > 0)
			buf_puts(out, ",");
		buf_puts(out, text);
		free(text);
	}
	buf_puts(out, "]");
	if (more && shown > 0)
		link_next(req, res, list->path, list->query, limit,
		    list->key(rows + (shown - 1) * list->size));
}
