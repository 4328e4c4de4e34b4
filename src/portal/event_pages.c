/* /account/events: the account's security events, newest first, filtered
 * by kind and by app, a page at a time (docs/REFERENCE.md §8, §20). */
#include "portal/pages.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/err.h"
#include "base/mem.h"
#include "core/apps.h"
#include "core/cursor.h"
#include "core/events.h"
#include "portal/page.h"

#define EVENTS_PAGE	50

/* Each kind in words, for the rows and the filter's choices. */
static const char *const kind_words[EVENT_KINDS] = {
	[EVENT_SIGNUP] = "Signed up",
	[EVENT_LOGIN] = "Logged in",
	[EVENT_LOGIN_FAILED] = "Failed log-in",
	[EVENT_PASSWORD_CHANGED] = "Password changed",
	[EVENT_EMAIL_CHANGED] = "Email address changed",
	[EVENT_TWO_STEP_ON] = "Two-step log-in turned on",
	[EVENT_TWO_STEP_OFF] = "Two-step log-in turned off",
	[EVENT_SESSION_ENDED] = "Session ended",
	[EVENT_PAT_CREATED] = "Personal access token created",
	[EVENT_PAT_REVOKED] = "Personal access token revoked",
	[EVENT_APP_CREATED] = "Application created",
	[EVENT_APP_CHANGED] = "Application settings changed",
	[EVENT_APP_DELETED] = "Application deleted",
	[EVENT_SECRET_GENERATED] = "New secret generated",
	[EVENT_SECRET_REVOKED] = "Old secret revoked",
	[EVENT_GRANT_GIVEN] = "Access granted to an application",
	[EVENT_GRANT_WITHDRAWN] = "Access withdrawn from an application",
	[EVENT_REFRESH_REUSE] = "Refresh token used twice: its tokens "
	    "revoked",
	[EVENT_CODE_REPLAY] = "Authorization code used twice: its tokens "
	    "revoked",
	[EVENT_ACCOUNT_DISABLED] = "Account disabled",
};

/* What the query asked for, checked. */
struct query {
	struct event_filter	 f;
	int64_t			 before;
	struct str		 kind, app;	/* as given, "" for any */
};

/* One of the account's apps, as the filter and the rows name it. */
struct app_name {
	int64_t	 id;
	char	 key[APP_API_KEY_MAX_BYTES + 1];
	char	 words[APP_NAME_MAX_BYTES + 1];	/* public name, or name */
};

/* The account's apps, oldest first: all of them up to EVENTS_APPS_MAX
 * (an operator's --max-apps may allow far more than a select can show;
 * ?app= takes any of them all the same). */
#define EVENTS_APPS_MAX	1000
struct app_list {
	struct app_name	*a;
	size_t		 n;
	int64_t		 owner;		/* the account looking */
};

static void
name_app(struct app_name *out, const struct app_row *row)
{
	out->id = row->id;
	snprintf(out->key, sizeof(out->key), "%s", row->api_key);
	snprintf(out->words, sizeof(out->words), "%s",
	    row->public_name[0] != '\0' ? row->public_name : row->name);
}

static int
apps_all(struct request *req, int64_t account_id, struct app_list *out)
{
	struct store_page page = { 0, LIST_MAX_LIMIT };
	struct app_row *rows;
	size_t n;
	int rc;

	*out = (struct app_list){ NULL, 0, account_id };
	do {
		rc = apps_list(req->kg, account_id, &page, &rows, &n);
		if (rc != 0)
			return rc;
		out->a = xrealloc(out->a, (out->n + n) * sizeof(*out->a) + 1);
		for (size_t i = 0; i < n; i++)
			name_app(&out->a[out->n + i], &rows[i]);
		out->n += n;
		if (n > 0)
			page.after = rows[n - 1].id;
		free(rows);
	} while (n == page.max && out->n < EVENTS_APPS_MAX);
	return 0;
}

static const struct app_name *
app_named(const struct app_list *apps, struct str key)
{
	for (size_t i = 0; i < apps->n; i++)
		if (str_eq(str_from(apps->a[i].key), key))
			return &apps->a[i];
	return NULL;
}

/* The account's app `key` into out, listed or not; false for none. */
static bool
own_app(struct request *req, int64_t account_id,
    const struct app_list *apps, struct str key, struct app_name *out)
{
	const struct app_name *a = app_named(apps, key);
	struct app_row *row;
	bool found;

	if (a != NULL) {
		*out = *a;
		return true;
	}
	row = xmalloc(sizeof(*row));
	found = apps_get(req->kg, account_id, key, row) == 0;
	if (found)
		name_app(out, row);
	free(row);
	return found;
}

/* ?kind=&app=&before=, each optional, an empty one meaning any. Answers
 * 400 itself and returns false for anything else. */
static bool
read_query(struct request *req, struct response *res,
    const struct visitor *v, const struct app_list *apps, struct query *q)
{
	static const struct param_spec spec[] = {
		{ "kind", 32, false },
		{ "app", APP_API_KEY_MAX_BYTES, false },
		{ "before", CURSOR_TEXT_BYTES, false },
	};
	struct params ps;
	struct str in[3];
	struct app_name a;
	enum event_kind k = EVENT_SIGNUP;
	const char *bad, *why = NULL;

	*q = (struct query){ { -1, 0 }, 0, STR_LIT(""), STR_LIT("") };
	if (request_query(req, &ps) != 0 ||
	    params_bind(&ps, spec, 3, false, in, &bad) != 0)
		why = "This address is not one of the list's pages.";
	else if (in[0].len > 0 && (!event_kind_parse(arena_strdup(
	    req->arena, in[0]), &k) || !str_eq(in[0],
	    str_from(event_kind_name(k)))))
		why = "There is no kind of event by that name: choose one "
		    "from the list.";
	else if (in[1].len > 0 && !own_app(req, v->account.id, apps, in[1],
	    &a))
		why = "You have no application with this API key.";
	else if (in[2].len > 0 && cursor_decode(in[2], &q->before) != 0)
		why = "This address is not one of the list's pages.";
	if (why != NULL) {
		page_message(req, res, 400, v, "Bad request", why);
		return false;
	}
	if (in[0].len > 0) {
		q->f.kind = (int)k;
		q->kind = in[0];
	}
	if (in[1].len > 0) {
		q->f.app_id = a.id;
		q->app = in[1];
	}
	return true;
}

static void
option(struct buf *out, const char *value, const char *words, bool chosen)
{
	struct tmpl_var vars[] = {
		{ "value", str_from(value) },
		{ "words", str_from(words) },
		{ "selected", str_from(chosen ? "selected" : "") },
	};

	template_render(out, "option.html", vars, 3);
}

static void
choices(struct buf *kinds, struct buf *apps_out, const struct query *q,
    const struct app_list *apps)
{
	for (int k = 0; k < EVENT_KINDS; k++)
		option(kinds, event_kind_name((enum event_kind)k),
		    kind_words[k], q->f.kind == k);
	for (size_t i = 0; i < apps->n; i++)
		option(apps_out, apps->a[i].key, apps->a[i].words,
		    q->f.app_id == apps->a[i].id);
}

/* The detail's names in words; a name not here is shown with its
 * underscores as spaces. A yes/no whose words say it all ("with a
 * two-step code") is shown alone when yes, not at all when no. */
static const struct {
	const char	*key, *words;
	bool		 alone;
} detail_names[] = {
	{ "via", "through", false }, { "fields", "changed", false },
	{ "old_secret_kept_s", "old secret kept", false },
	{ "secret_id", "secret", false }, { "scope", "access", false },
	{ "flow", "flow", false },
	{ "two_step", "with a two-step code", true },
	{ "which", "session", false }, { "id", "token", false },
	{ "by", "by", false }, { "reason", "wrong", false },
};

/* s with its underscores as spaces ("two_step_code": "two step code");
 * "cli" is the operator's command line. */
static void
put_words(struct buf *b, const char *s)
{
	if (strcmp(s, "cli") == 0) {
		buf_puts(b, "the operator's command line");
		return;
	}
	for (const char *c = s; *c != '\0'; c++)
		buf_append(b, *c == '_' ? " " : c, 1);
}

/* A count of seconds (a name ending in "_s") as people say it. */
static void
put_seconds(struct buf *b, json_int_t s)
{
	if (s == 0)
		buf_puts(b, "not at all");
	else if (s % 86400 == 0 && s != 86400)
		buf_printf(b, "%lld days", (long long)(s / 86400));
	else if (s % 3600 == 0)
		buf_printf(b, "%lld hour%s", (long long)(s / 3600),
		    s == 3600 ? "" : "s");
	else
		buf_printf(b, "%lld seconds", (long long)s);
}

static void
put_value(struct buf *b, const char *key, json_t *val)
{
	size_t i, k = 0, len = strlen(key);
	json_t *item;

	if (json_is_string(val))
		put_words(b, json_string_value(val));
	else if (json_is_integer(val) && len > 2 &&
	    strcmp(key + len - 2, "_s") == 0)
		put_seconds(b, json_integer_value(val));
	else if (json_is_integer(val))
		buf_printf(b, "%lld", (long long)json_integer_value(val));
	else if (json_is_boolean(val))
		buf_puts(b, json_is_true(val) ? "yes" : "no");
	else if (json_is_array(val)) {
		json_array_foreach(val, i, item) {
			if (!json_is_string(item))
				continue;
			if (k++ > 0)
				buf_puts(b, ", ");
			put_words(b, json_string_value(item));
		}
		if (k == 0)
			buf_puts(b, "nothing");
	}
}

/* The detail object in words: "name: value", joined by "; "; what is
 * not a string, number, yes/no or list is left out. Into out, size len. */
static void
detail_words(const char *detail, char *out, size_t len)
{
	json_t *o = json_loads(detail, 0, NULL);
	const char *key;
	json_t *val;
	struct buf b;

	out[0] = '\0';
	if (!json_is_object(o)) {
		json_decref(o);
		return;
	}
	buf_init(&b, len - 1);
	json_object_foreach(o, key, val) {
		const char *words = NULL;
		bool alone = false;

		if (json_is_object(val) || json_is_real(val) ||
		    json_is_null(val))
			continue;
		for (size_t i = 0; i < sizeof(detail_names) /
		    sizeof(detail_names[0]); i++)
			if (strcmp(key, detail_names[i].key) == 0) {
				words = detail_names[i].words;
				alone = detail_names[i].alone &&
				    json_is_boolean(val);
			}
		if (alone && !json_is_true(val))
			continue;
		if (b.len > 0)
			buf_puts(&b, "; ");
		if (words != NULL)
			buf_puts(&b, words);
		else
			put_words(&b, key);
		if (alone)
			continue;
		buf_puts(&b, ": ");
		put_value(&b, key, val);
	}
	snprintf(out, len, "%.*s", (int)b.len, b.len > 0 ? b.p : "");
	buf_release(&b);
	json_decref(o);
}

/* The kind in words; a grant given or withdrawn by another account is
 * one of the owner's apps seen from the other side. */
static const char *
kind_text(const struct event_row *e, int64_t owner)
{
	if ((unsigned)e->kind >= EVENT_KINDS)
		return "";
	if (e->account_id != owner && e->kind == EVENT_GRANT_GIVEN)
		return "Someone granted the application access";
	if (e->account_id != owner && e->kind == EVENT_GRANT_WITHDRAWN)
		return "Someone withdrew the application's access";
	return kind_words[e->kind];
}

static void
event_row(struct buf *out, const struct event_row *e,
    const struct app_list *apps)
{
	char at[32], when[32], detail[EVENT_DETAIL_MAX_BYTES + 1];
	const struct app_name *a = app_named(apps, str_from(e->app));

	clock_rfc3339(e->at, at);
	snprintf(when, sizeof(when), "%.10s %.8s", at, at + 11);
	detail_words(e->detail, detail, sizeof(detail));
	struct tmpl_var vars[] = {
		{ "at", str_from(at) },
		{ "when", str_from(when) },
		{ "kind", str_from(kind_text(e, apps->owner)) },
		{ "app", str_from(a != NULL ? a->words : e->app) },
		{ "address", str_from(e->address) },
		{ "detail", str_from(detail) },
	};
	template_render(out, "events_row.html", vars, 6);
}

/* The table of rows[0..n), or a sentence; the "Older events" link after
 * `last` keeping the filters when there are more. */
static void
render_rows(struct buf *out, const struct event_row *rows, size_t n,
    const struct query *q, const struct app_list *apps, int64_t last)
{
	struct buf body;

	if (n == 0) {
		buf_puts(out, q->f.kind < 0 && q->f.app_id == 0 ?
		    "<p>No events yet.</p>\n" :
		    "<p>No events match these filters.</p>\n");
		return;
	}
	buf_init(&body, RESPONSE_MAX_BODY_BYTES);
	for (size_t i = 0; i < n; i++)
		event_row(&body, &rows[i], apps);
	struct tmpl_var table = { "rows", buf_str(&body) };
	template_render(out, "events_table.html", &table, 1);
	buf_release(&body);
	if (last > 0) {
		char cursor[CURSOR_TEXT_BYTES];
		struct buf href;

		/* kind and app are a known name and one of the account's
		 * keys, the cursor base64url: nothing to encode */
		cursor_encode(last, cursor);
		buf_init(&href, 256);
		buf_puts(&href, "/account/events?");
		if (q->kind.len > 0)
			buf_printf(&href, "kind=%.*s&", (int)q->kind.len,
			    q->kind.p);
		if (q->app.len > 0)
			buf_printf(&href, "app=%.*s&", (int)q->app.len,
			    q->app.p);
		buf_printf(&href, "before=%s", cursor);
		struct tmpl_var var = { "href", buf_str(&href) };
		template_render(out, "events_more.html", &var, 1);
		buf_release(&href);
	}
}

/* GET /account/events[?kind=&app=&before=] */
void
portal_events(struct request *req, struct response *res)
{
	struct visitor v;
	struct app_list apps = { NULL, 0, 0 };
	struct event_row *rows = NULL;
	struct query q;
	size_t n = 0;
	struct buf list, kinds, app_opts;

	if (!page_visitor_or_fail(req, res, &v) ||
	    !page_require_login(req, res, &v))
		return;
	if (apps_all(req, v.account.id, &apps) != 0) {
		page_unavailable(req, res, &v);
		goto out;
	}
	if (!read_query(req, res, &v, &apps, &q))
		goto out;
	if (events_list(req->kg, v.account.id, &q.f, q.before,
	    EVENTS_PAGE + 1, &rows, &n) != 0) {
		page_unavailable(req, res, &v);
		goto out;
	}
	buf_init(&list, RESPONSE_MAX_BODY_BYTES);
	buf_init(&kinds, RESPONSE_MAX_BODY_BYTES);
	buf_init(&app_opts, RESPONSE_MAX_BODY_BYTES);
	render_rows(&list, rows, n > EVENTS_PAGE ? EVENTS_PAGE : n, &q, &apps,
	    n > EVENTS_PAGE ? rows[EVENTS_PAGE - 1].id : 0);
	choices(&kinds, &app_opts, &q, &apps);
	struct tmpl_var vars[] = {
		{ "kinds", buf_str(&kinds) },
		{ "apps", buf_str(&app_opts) },
		{ "rows", buf_str(&list) },
	};
	page_render(req, res, 200, &v, "Security events", "events.html",
	    vars, 3);
	buf_release(&list);
	buf_release(&kinds);
	buf_release(&app_opts);
out:
	free(rows);
	free(apps.a);
}
