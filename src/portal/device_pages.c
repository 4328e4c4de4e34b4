/* /device: the person's side of the device flow (RFC 8628 §3.3,
 * docs/REFERENCE.md §15.3). The code is typed, the grant found and shown
 * with Allow and Deny, and decided; the device, polling the token
 * endpoint meanwhile, gets the answer.
 *
 * Grant Access is shown every time, even for an app the account allowed
 * before: whoever holds the device, not the person at this browser,
 * started the grant, and a code sent by someone else is the remote
 * phishing of RFC 8628 §5.4. */
#include "portal/pages.h"

#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "base/mem.h"
#include "core/device_grant.h"
#include "http/form.h"
#include "portal/page.h"

/* room for a code typed with spaces and dashes; the core normalizes */
#define USER_CODE_MAX_BYTES	64

static const char bad_code[] = "This code is not valid. Check it on your "
    "device: it may be mistyped, or it has expired or been used already.";

enum { D_CSRF, D_CODE, D_DECISION, D_COUNT };

static const struct param_spec device_form[D_COUNT] = {
	[D_CSRF] = { "csrf_token", HTTP_MAX_PARAM_VALUE_BYTES, false },
	[D_CODE] = { "user_code", USER_CODE_MAX_BYTES, true },
	[D_DECISION] = { "decision", 8, true },
};

static const struct param_spec query_spec[] = {
	{ "user_code", USER_CODE_MAX_BYTES, false },
};

/* The form asking for the code, with `code` in its field. */
static void
code_page(struct request *req, struct response *res, int status,
    const struct visitor *v, struct str code, const char *notice)
{
	struct buf nb;

	buf_init(&nb, 1024);
	page_notice(&nb, notice);
	struct tmpl_var vars[] = {
		{ "csrf", str_from(v->csrf) },
		{ "user_code", code },
		{ "notice", buf_str(&nb) },
	};
	page_render(req, res, status, v, "Connect a device", "device.html",
	    vars, sizeof(vars) / sizeof(vars[0]));
	buf_release(&nb);
}

/* Nobody logged in: the portal's log-in (two-step log-in included), which
 * comes back to /device with the code still in its field. */
static void
login_detour(struct response *res, struct str code)
{
	struct buf next, loc;

	buf_init(&next, 256);
	buf_puts(&next, "/device");
	if (code.len > 0) {
		buf_puts(&next, "?user_code=");
		form_encode(&next, code);
	}
	buf_init(&loc, 512);
	buf_puts(&loc, "/login?next=");
	form_encode(&loc, buf_str(&next));
	response_redirect(res, 303, loc.err == 0 && next.err == 0 ? loc.p :
	    "/login?next=/device");
	buf_release(&loc);
	buf_release(&next);
}

/* GET /device[?user_code=] (verification_uri[_complete]): the code is
 * only filled in; the person still presses Continue (RFC 8628 §3.3.1). */
void
portal_device(struct request *req, struct response *res)
{
	struct visitor v;
	struct params ps;
	struct str code = STR_NULL;
	const char *bad = NULL;

	if (!page_visitor_or_fail(req, res, &v))
		return;
	if (request_query(req, &ps) != 0 ||
	    params_bind(&ps, query_spec, 1, false, &code, &bad) != 0) {
		page_message(req, res, 400, &v, "Connect a device", "This "
		    "address is not one a device shows: open /device and "
		    "type the code.");
		return;
	}
	if (!v.logged_in)
		login_detour(res, code);
	else
		code_page(req, res, 200, &v, code, NULL);
}

/* Grant Access for the pending grant `p`, its code shown as the device
 * shows it (XXXX-XXXX) so that the person can compare the two. */
static void
grant_access_page(struct request *req, struct response *res,
    const struct visitor *v, const struct device_pending *p)
{
	char shown[DEVICE_USER_CODE_BYTES];
	struct buf logo, scopes;

	if (strlen(p->user_code) == DEVICE_USER_CODE_LEN)
		snprintf(shown, sizeof(shown), "%.4s-%.4s", p->user_code,
		    p->user_code + DEVICE_USER_CODE_LEN / 2);
	else
		snprintf(shown, sizeof(shown), "%s", p->user_code);

	buf_init(&logo, 4096);
	buf_init(&scopes, 8192);
	page_logo(&logo, &p->app);
	page_scopes(&scopes, p->scope);
	struct tmpl_var vars[] = {
		{ "csrf", str_from(v->csrf) },
		{ "user_code", str_from(p->user_code) },
		{ "shown_code", str_from(shown) },
		{ "public_name", str_from(p->app.public_name) },
		{ "description", str_from(p->app.description) },
		{ "logo", buf_str(&logo) },
		{ "scopes", buf_str(&scopes) },
	};
	page_render(req, res, 200, v, "Grant access", "device_grant.html",
	    vars, sizeof(vars) / sizeof(vars[0]));
	buf_release(&scopes);
	buf_release(&logo);
}

/* Finds the grant of the typed code, or answers: the code's form again
 * with why (400 unknown, expired or decided; 429 throttled) or 503. */
static bool
find_or_answer(struct request *req, struct response *res,
    const struct visitor *v, struct str code, struct device_pending *p)
{
	char msg[256];
	int64_t wait = 0;
	int rc = device_grant_find(req->kg, v->account.id, req->client_addr,
	    code, p, &wait);

	if (rc == ERR_NOTFOUND) {
		code_page(req, res, 400, v, code, bad_code);
	} else if (rc == ERR_THROTTLED) {
		page_try_again(res, wait, "Too many wrong codes.", msg,
		    sizeof(msg));
		code_page(req, res, 429, v, code, msg);
	} else if (rc != 0) {
		page_unavailable(req, res, v);
	}
	return rc == 0;
}

/* The form's fields: D_DECISION only on /device/decide's. Returns false
 * after answering (400, 403; the log-in detour without a session). */
static bool
read_form(struct request *req, struct response *res, struct visitor *v,
    size_t n, struct str *f)
{
	if (!page_visitor_or_fail(req, res, v) ||
	    !page_form(req, res, v, device_form, n, f))
		return false;
	if (!v->logged_in) {
		login_detour(res, f[D_CODE]);
		return false;
	}
	return true;
}

/* POST /device: the code typed, Grant Access shown. */
void
portal_device_find(struct request *req, struct response *res)
{
	struct device_pending *p = xmalloc(sizeof(*p));
	struct visitor v;
	struct str f[D_COUNT];

	if (read_form(req, res, &v, D_DECISION, f) &&
	    find_or_answer(req, res, &v, f[D_CODE], p))
		grant_access_page(req, res, &v, p);
	free(p);
}

/* POST /device/decide: Allow or Deny. The code is looked up again first,
 * so that deciding counts against the wrong-code throttle as finding
 * does: no one can deny a device's grant by guessing its code here. */
void
portal_device_decide(struct request *req, struct response *res)
{
	struct device_pending *p = xmalloc(sizeof(*p));
	struct visitor v;
	struct str f[D_COUNT];
	bool allow;
	int rc;

	if (!read_form(req, res, &v, D_COUNT, f))
		goto out;
	allow = str_eq_lit(f[D_DECISION], "allow");
	if (!allow && !str_eq_lit(f[D_DECISION], "deny")) {
		page_message(req, res, 400, &v, "Grant access",
		    "Choose Allow or Deny.");
		goto out;
	}
	if (!find_or_answer(req, res, &v, f[D_CODE], p))
		goto out;
	rc = device_grant_decide(req->kg, v.account.id, req->client_addr,
	    str_from(p->user_code),
	    allow, v.auth_time, v.amr);
	if (rc == 0 && allow)
		page_message(req, res, 200, &v, "Done",
		    "Done: you may return to your device.");
	else if (rc == 0)
		page_message(req, res, 200, &v, "Access denied", "Access "
		    "denied: the device gets nothing. You may close this page.");
	else if (rc == ERR_NOTFOUND)
		code_page(req, res, 400, &v, f[D_CODE], bad_code);
	else if (rc == ERR_FORBIDDEN)
		page_unverified(req, res, &v);
	else
		page_unavailable(req, res, &v);
out:
	free(p);
}
