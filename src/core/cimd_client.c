#include "core/cimd_client.h"

#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/err.h"
#include "base/log.h"
#include "base/mem.h"
#include "core/cimd.h"
#include "core/uri.h"
#include "store/store.h"

_Static_assert(CIMD_URL_MAX_BYTES <= APP_API_KEY_MAX_BYTES,
    "a document's URL is its app's api_key");

/* The row store_cimd_app_put() reads: api_key, public_name (the
 * client_name, else the host), logo_url, redirect_uris. */
static void
row_from_doc(struct app_row *row, struct str url, const struct cimd_doc *d)
{
	struct str host = cimd_client_host(url);

	memcpy(row->api_key, url.p, url.len);
	row->api_key[url.len] = '\0';
	if (d->client_name[0] != '\0')
		memcpy(row->public_name, d->client_name,
		    strlen(d->client_name) + 1);
	else {
		memcpy(row->public_name, host.p, host.len);
		row->public_name[host.len] = '\0';
	}
	memcpy(row->logo_url, d->logo_uri, strlen(d->logo_uri) + 1);
	memcpy(row->redirect_uris, d->redirect_uris,
	    strlen(d->redirect_uris) + 1);
}

/* The document of client_id, its app's row written when it was fetched
 * anew or `write` asks. */
static int
ready(struct keygate *kg, struct str client_id, const char **why,
    bool handoff, bool write)
{
	int64_t now = clock_now(kg->clock);
	struct cimd_doc *doc;
	struct app_row *row;
	bool fetched;
	int rc = 0;

	*why = NULL;
	if (!cimd_is_url(client_id))
		return 0;
	if (kg->cimd == NULL)
		return ERR_NOTFOUND;
	doc = xmalloc(sizeof(*doc));
	if ((*why = cimd_get(kg->cimd, client_id, now, doc, &fetched,
	    handoff)) != NULL)
		rc = ERR_INVALID;
	else if (fetched || write) {
		row = xcalloc(1, sizeof(*row));
		row_from_doc(row, client_id, doc);
		rc = store_cimd_app_put(kg->store, row, now);
		free(row);
		if (rc == ERR_EXISTS) {
			*why = "This client_id cannot be used.";
			rc = ERR_INVALID;
		}
	}
	free(doc);
	return rc;
}

int
cimd_client_ready(struct keygate *kg, struct str client_id,
    const char **why)
{
	return ready(kg, client_id, why, false, false);
}

void
cimd_client_prefetch(struct keygate *kg, struct str client_id)
{
	const char *why;

	(void)ready(kg, client_id, &why, true, false);
}

int
cimd_client_restore(struct keygate *kg, struct str client_id)
{
	const char *why;

	if (kg->cimd == NULL || !cimd_is_url(client_id))
		return ERR_NOTFOUND;
	return ready(kg, client_id, &why, false, true);
}

bool
cimd_client_pending(struct keygate *kg, struct str client_id)
{
	return kg->cimd != NULL && cimd_is_url(client_id) &&
	    cimd_rule_url(client_id) == NULL && !cimd_cached(kg->cimd,
	    client_id, clock_now(kg->clock));
}

struct str
cimd_client_host(struct str client_id)
{
	struct uri u;

	if (!cimd_is_url(client_id) || uri_parse(client_id, &u) != 0)
		return STR_NULL;
	return u.host;
}
