#include "core/apps.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/app_rules.h"
#include "core/cimd_rules.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/mem.h"
#include "core/events.h"
#include "core/notices.h"
#include "core/verification.h"

static void
copy(char *dst, size_t dstlen, struct str s)
{
	size_t n = s.len < dstlen ? s.len : dstlen - 1;

	if (n > 0)
		memcpy(dst, s.p, n);
	dst[n] = '\0';
}

static void
join_uris(char *dst, size_t dstlen, const struct str *uris, size_t n)
{
	size_t used = 0;

	dst[0] = '\0';
	for (size_t i = 0; i < n && i < APP_MAX_REDIRECT_URIS; i++) {
		struct str u = uris[i];

		/* Validation capped each URI, so this always fits. */
		if (used + u.len + 2 > dstlen)
			break;
		if (i > 0)
			dst[used++] = '\n';
		memcpy(dst + used, u.p, u.len);
		used += u.len;
		dst[used] = '\0';
	}
}

/* Checks the fields given (all of them, to report every error at once). */
static int
validate(struct keygate *kg, const struct app_fields *f,
    struct app_errors *e)
{
	memset(e, 0, sizeof(*e));
	if (f->has_name)
		e->name = app_rule_name(f->name);
	if (f->has_redirect_uris)
		e->redirect_uris = app_rule_redirect_uris(f->redirect_uris,
		    f->n_redirect_uris);
	if (f->has_public_name)
		e->public_name = app_rule_public_name(f->public_name,
		    kg->cfg->brand);
	if (f->has_logo_url)
		e->logo_url = app_rule_logo_url(f->logo_url);
	if (f->has_description)
		e->description = app_rule_description(f->description);
	if (f->has_id_token_alg)
		e->id_token_alg = app_rule_id_token_alg(f->id_token_alg);
	if (f->has_post_logout_redirect_uris)
		e->post_logout_redirect_uris =
		    app_rule_post_logout_redirect_uris(
		    f->post_logout_redirect_uris,
		    f->n_post_logout_redirect_uris);
	return e->name != NULL || e->redirect_uris != NULL ||
	    e->public_name != NULL || e->logo_url != NULL ||
	    e->description != NULL || e->id_token_alg != NULL ||
	    e->post_logout_redirect_uris != NULL ? ERR_INVALID : 0;
}

/* Applies the given settable fields to row. */
static void
apply(struct app_row *row, const struct app_fields *f)
{
	if (f->has_redirect_uris)
		join_uris(row->redirect_uris, sizeof(row->redirect_uris),
		    f->redirect_uris, f->n_redirect_uris);
	if (f->has_public_name)
		copy(row->public_name, sizeof(row->public_name),
		    str_trim(f->public_name));
	if (f->has_logo_url)
		copy(row->logo_url, sizeof(row->logo_url), f->logo_url);
	if (f->has_description)
		copy(row->description, sizeof(row->description),
		    f->description);
	if (f->has_implicit_flow)
		row->implicit_flow = f->implicit_flow;
	if (f->has_device_flow)
		row->device_flow = f->device_flow;
	if (f->has_dpop_bound)
		row->dpop_bound = f->dpop_bound;
	if (f->has_require_par)
		row->require_par = f->require_par;
	if (f->has_id_token_alg)
		copy(row->id_token_alg, sizeof(row->id_token_alg),
		    f->id_token_alg);
	if (f->has_post_logout_redirect_uris)
		join_uris(row->post_logout_redirect_uris,
		    sizeof(row->post_logout_redirect_uris),
		    f->post_logout_redirect_uris,
		    f->n_post_logout_redirect_uris);
}

/* Creates the app of f for account_id under a cap of max apps; with
 * `secret` given, a new secret comes with it, in the same insert.
 * `registered`: it comes from POST /oauth2/register (its event says so). */
static int
create(struct keygate *kg, int64_t account_id, const char *addr,
    const struct app_fields *f, int64_t max, bool registered, char *secret,
    struct app_row *out, struct app_errors *errs)
{
	struct event_new ev;
	char key[TOKEN_MAX_BYTES + 1];
	struct str name = str_trim(f->name);
	int rc;

	if ((rc = verification_required(kg, account_id)) != 0)
		return rc;
	rc = validate(kg, f, errs);
	if (!f->has_name) {
		errs->name = "Enter a name.";
		rc = ERR_INVALID;
	}
	if (rc != 0)
		return rc;
	memset(out, 0, sizeof(*out));
	out->account_id = account_id;
	copy(out->name, sizeof(out->name), name);
	copy(out->id_token_alg, sizeof(out->id_token_alg), str_from("RS256"));
	if (!f->has_public_name &&
	    app_rule_public_name(name, kg->cfg->brand) == NULL)
		copy(out->public_name, sizeof(out->public_name), name);
	apply(out, f);
	out->created_at = clock_now(kg->clock);
	secure_token(APP_API_KEY_PREFIX, key);
	copy(out->api_key, sizeof(out->api_key), str_from(key));
	if (secret != NULL) {
		secure_token(APP_SECRET_PREFIX, secret);
		secure_hash(str_from(secret), out->secret_hash);
		out->has_secret = true;
		out->secret_id = 1;
		out->secret_created_at = out->created_at;
	}
	event_make(&ev, kg, EVENT_APP_CREATED, account_id, addr);
	event_app(&ev, 0, out->api_key);
	if (registered)
		event_detail_str(&ev, "via", "registration");
	rc = store_app_insert(kg->store, out, max, &ev);
	if (rc != 0 && secret != NULL)
		sodium_memzero(secret, TOKEN_MAX_BYTES + 1);
	return rc;
}

int
apps_create(struct keygate *kg, int64_t account_id, const char *addr,
    const struct app_fields *f, struct app_row *out, struct app_errors *errs)
{
	return create(kg, account_id, addr, f, kg->cfg->max_apps, false, NULL,
	    out, errs);
}

int
apps_register(struct keygate *kg, int64_t account_id, const char *addr,
    const struct app_fields *f, int64_t max, char *secret,
    struct app_row *out, struct app_errors *errs)
{
	return create(kg, account_id, addr, f, max, true, secret, out, errs);
}

const char *
apps_too_many(const struct keygate *kg, char *out, size_t len)
{
	snprintf(out, len, "This account already owns %lld applications, "
	    "the most it may; delete one to create another.",
	    (long long)kg->cfg->max_apps);
	return out;
}

#define SETTABLE_FIELDS	10

/* The names (as the API spells them) of the settable fields that differ
 * between a and b, into names; how many. */
static size_t
changed_fields(const struct app_row *a, const struct app_row *b,
    const char *names[SETTABLE_FIELDS])
{
	size_t n = 0;

#define TEXT(f, name)	if (strcmp(a->f, b->f) != 0) names[n++] = name
#define FLAG(f, name)	if (a->f != b->f) names[n++] = name
	TEXT(public_name, "public_name");
	TEXT(logo_url, "logo_url");
	TEXT(description, "description");
	TEXT(redirect_uris, "redirect_uris");
	FLAG(implicit_flow, "implicit_flow");
	TEXT(id_token_alg, "id_token_signed_response_alg");
	TEXT(post_logout_redirect_uris, "post_logout_redirect_uris");
	FLAG(device_flow, "device_flow");
	FLAG(dpop_bound, "dpop_bound_access_tokens");
	FLAG(require_par, "require_pushed_authorization_requests");
#undef TEXT
#undef FLAG
	return n;
}

int
apps_update(struct keygate *kg, int64_t account_id, const char *addr,
    struct str api_key, const struct app_fields *f, struct app_row *out,
    struct app_errors *errs)
{
	const char *names[SETTABLE_FIELDS];
	struct event_new ev;
	struct app_row *was;
	size_t n;
	int rc = apps_get(kg, account_id, api_key, out);

	if (rc != 0)
		return rc;
	rc = validate(kg, f, errs);
	/* docs/REFERENCE.md §2: the same name is accepted, another is
	 * refused. */
	if (f->has_name && errs->name == NULL &&
	    !str_eq(str_trim(f->name), str_from(out->name))) {
		errs->name = "The name is fixed when the app is created and "
		    "can never be changed.";
		rc = ERR_INVALID;
	}
	if (rc != 0)
		return rc;
	was = xmalloc(sizeof(*was));
	*was = *out;
	apply(out, f);
	/* a change of nothing is no event */
	n = changed_fields(was, out, names);
	free(was);
	event_make(&ev, kg, EVENT_APP_CHANGED, out->account_id, addr);
	event_app(&ev, out->id, out->api_key);
	event_detail_list(&ev, "fields", names, n);
	return store_app_update(kg->store, out, n > 0 ? &ev : NULL);
}

/* The key must look like one, or like a metadata document's URL
 * (docs/REFERENCE.md §22.2), before it reaches the store. */
static bool
key_ok(struct str api_key, char out[APP_API_KEY_MAX_BYTES + 1])
{
	if (api_key.len == 0 || api_key.len > APP_API_KEY_MAX_BYTES)
		return false;
	if (cimd_is_url(api_key) && cimd_rule_url(api_key) == NULL) {
		copy(out, APP_API_KEY_MAX_BYTES + 1, api_key);
		return true;
	}
	for (size_t i = 0; i < api_key.len; i++) {
		char c = api_key.p[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return false;
	}
	copy(out, APP_API_KEY_MAX_BYTES + 1, api_key);
	return true;
}

/* An expired old secret stays in its row until the next rotation: no
 * write is needed when it expires. Read, it is gone. */
static void
old_secret_settle(struct app_row *row, int64_t now)
{
	if (row->has_old_secret && !apps_old_secret_valid(row, now)) {
		row->has_old_secret = false;
		memset(row->old_secret_hash, 0, sizeof(row->old_secret_hash));
		row->old_secret_id = row->old_secret_created_at = 0;
		row->old_secret_used_at = row->old_secret_expires_at = 0;
	}
}

int
apps_get(struct keygate *kg, int64_t account_id, struct str api_key,
    struct app_row *out)
{
	char key[APP_API_KEY_MAX_BYTES + 1];

	int rc;

	if (!key_ok(api_key, key))
		return ERR_NOTFOUND;
	rc = store_app_get(kg->store, account_id, key, out);
	if (rc == 0)
		old_secret_settle(out, clock_now(kg->clock));
	return rc;
}

int
apps_list(struct keygate *kg, int64_t account_id,
    const struct store_page *page, struct app_row **rows, size_t *n)
{
	int64_t now = clock_now(kg->clock);
	int rc = store_app_list(kg->store, account_id, page, rows, n);

	for (size_t i = 0; rc == 0 && i < *n; i++)
		old_secret_settle(&(*rows)[i], now);
	return rc;
}

/* An app's event is its owner's: a command of the operator's names the
 * app alone, so its row says whose it is. */
static int
app_event(struct keygate *kg, int64_t account_id, const char *key,
    enum event_kind k, const char *addr, struct event_new *ev)
{
	struct app_row *row = xmalloc(sizeof(*row));
	int rc = store_app_get(kg->store, account_id, key, row);

	if (rc == 0) {
		event_make(ev, kg, k, row->account_id, addr);
		event_app(ev, row->id, row->api_key);
	}
	free(row);
	return rc;
}

int
apps_delete(struct keygate *kg, int64_t account_id, const char *addr,
    struct str api_key)
{
	char key[APP_API_KEY_MAX_BYTES + 1];
	struct event_new ev;
	int rc;

	if (!key_ok(api_key, key))
		return ERR_NOTFOUND;
	if ((rc = app_event(kg, account_id, key, EVENT_APP_DELETED, addr,
	    &ev)) != 0)
		return rc;
	return store_app_delete(kg->store, account_id, key, &ev);
}

bool
apps_keep_ok(int64_t keep_s)
{
	static const int64_t choices[] = APP_KEEP_CHOICES;

	for (size_t i = 0; i < sizeof(choices) / sizeof(choices[0]); i++)
		if (keep_s == choices[i])
			return true;
	return false;
}

int
apps_new_secret(struct keygate *kg, int64_t account_id, struct str api_key,
    int64_t keep_s, const char *addr, char secret[TOKEN_MAX_BYTES + 1])
{
	unsigned char hash[SECURE_HASH_BYTES];
	char key[APP_API_KEY_MAX_BYTES + 1];
	struct event_new ev;
	int rc;

	if (!key_ok(api_key, key))
		return ERR_NOTFOUND;
	if (!apps_keep_ok(keep_s))
		return ERR_INVALID;
	if ((rc = verification_required(kg, account_id)) != 0 ||
	    (rc = app_event(kg, account_id, key, EVENT_SECRET_GENERATED,
	    addr, &ev)) != 0)
		return rc;
	event_detail_int(&ev, "old_secret_kept_s", keep_s);
	secure_token(APP_SECRET_PREFIX, secret);
	secure_hash(str_from(secret), hash);
	rc = store_app_rotate_secret(kg->store, account_id, key, hash,
	    clock_now(kg->clock), keep_s, &ev);
	if (rc != 0)
		sodium_memzero(secret, TOKEN_MAX_BYTES + 1);
	else
		notices_new_secret(kg, key, keep_s, addr);
	return rc;
}

int
apps_revoke_secret(struct keygate *kg, int64_t account_id, const char *addr,
    struct str api_key, int64_t secret_id)
{
	char key[APP_API_KEY_MAX_BYTES + 1];
	struct event_new ev;
	struct app_row *row;
	int rc;

	if (!key_ok(api_key, key) || secret_id <= 0)
		return ERR_NOTFOUND;
	row = xmalloc(sizeof(*row));
	rc = store_app_get(kg->store, account_id, key, row);
	if (rc == 0 && row->has_secret && row->secret_id == secret_id)
		rc = ERR_CONFLICT;
	if (rc == 0) {
		event_make(&ev, kg, EVENT_SECRET_REVOKED, row->account_id,
		    addr);
		event_app(&ev, row->id, row->api_key);
		event_detail_int(&ev, "secret_id", secret_id);
		rc = store_app_revoke_old_secret(kg->store, account_id, key,
		    secret_id, clock_now(kg->clock), &ev);
	}
	free(row);
	return rc;
}

bool
apps_old_secret_valid(const struct app_row *app, int64_t now)
{
	return app->has_old_secret && now < app->old_secret_expires_at;
}

int64_t
apps_secret_which(const struct app_row *app, struct str secret, int64_t now)
{
	unsigned char hash[SECURE_HASH_BYTES];
	bool cur, old;

	secure_hash(secret, hash);
	/* both compared, whichever matches */
	cur = sodium_memcmp(hash, app->secret_hash, sizeof(hash)) == 0;
	old = sodium_memcmp(hash, app->old_secret_hash, sizeof(hash)) == 0;
	if (app->has_secret && cur)
		return app->secret_id;
	if (apps_old_secret_valid(app, now) && old)
		return app->old_secret_id;
	return 0;
}

size_t
apps_redirect_uris(const struct app_row *row, struct str *out, size_t max)
{
	return app_rule_split_lines(str_from(row->redirect_uris), out, max);
}

size_t
apps_post_logout_uris(const struct app_row *row, struct str *out,
    size_t max)
{
	return app_rule_split_lines(str_from(row->post_logout_redirect_uris),
	    out, max);
}

bool
apps_post_logout_uri_ok(const struct app_row *row, struct str uri)
{
	struct str uris[APP_MAX_REDIRECT_URIS];
	size_t n = apps_post_logout_uris(row, uris, APP_MAX_REDIRECT_URIS);

	for (size_t i = 0; i < n && i < APP_MAX_REDIRECT_URIS; i++)
		if (str_eq(uris[i], uri))
			return true;
	return false;
}
