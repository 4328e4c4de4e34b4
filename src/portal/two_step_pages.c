/* Two-step log-in on the account's own page, /account/two-step: turning it
 * on (the QR code and the key, confirmed by a first code, then the
 * recovery codes shown once) and off (the password and a code). The
 * secret under enrolment is kept nowhere: it travels sealed in the form
 * (core/totp.h), bound to the session. */
#include "portal/pages.h"

#include <sodium.h>
#include <stdio.h>

#include "base/err.h"
#include "core/totp.h"
#include "portal/page.h"
#include "portal/qr.h"

enum { E_CSRF, E_ENROLMENT, E_CODE, E_COUNT };

static const struct param_spec enrol_form[E_COUNT] = {
	[E_CSRF] = { "csrf_token", HTTP_MAX_PARAM_VALUE_BYTES, false },
	[E_ENROLMENT] = { "enrolment", SEALED_MAX_BYTES, false },
	[E_CODE] = { "code", TOTP_CODE_MAX_BYTES, false },
};

enum { O_CSRF, O_PASSWORD, O_CODE, O_COUNT };

static const struct param_spec off_form[O_COUNT] = {
	[O_CSRF] = { "csrf_token", HTTP_MAX_PARAM_VALUE_BYTES, false },
	[O_PASSWORD] = { "password", ACCOUNT_PASSWORD_MAX_BYTES * 4, false },
	[O_CODE] = { "code", TOTP_CODE_MAX_BYTES, false },
};

/* The key as shown: groups of four, easier to type. */
static void
spaced(const char *secret, char out[OTP_SECRET_B32_BYTES * 2])
{
	size_t n = 0;

	for (size_t i = 0; secret[i] != '\0'; i++) {
		if (i > 0 && i % 4 == 0)
			out[n++] = ' ';
		out[n++] = secret[i];
	}
	out[n] = '\0';
}

/* The enrolment page for e, with its QR code. A message on a 200 page is
 * good news (two-step log-in was just turned off), any other a problem. */
static void
render_enrol(struct request *req, struct response *res, int status,
    const struct visitor *v, const struct totp_enrolment *e,
    const char *notice)
{
	char key[OTP_SECRET_B32_BYTES * 2];
	struct buf uri, qr, nb;

	buf_init(&uri, 2048);
	buf_init(&qr, 256 * 1024);
	buf_init(&nb, 1024);
	otp_uri(&uri, req->kg->cfg->brand, v->account.email, e->secret);
	if (status == 200)
		page_success(&nb, notice);
	else
		page_notice(&nb, notice);
	spaced(e->secret, key);
	if (uri.err != 0 || qr_svg(&qr, buf_str(&uri).p,
	    "QR code of the two-step log-in key") != 0 || qr.err != 0) {
		page_unavailable(req, res, v);
	} else {
		struct tmpl_var vars[] = {
			{ "csrf", str_from(v->csrf) },
			{ "enrolment", str_from(e->sealed) },
			{ "secret", str_from(key) },
			{ "qr", buf_str(&qr) },
			{ "notice", buf_str(&nb) },
		};
		page_render(req, res, status, v, "Two-step log-in",
		    "two_step_enrol.html", vars, 5);
	}
	sodium_memzero(key, sizeof(key));
	buf_release(&uri);
	buf_release(&qr);
	buf_release(&nb);
}

/* The page of an account that has it on. */
static void
render_on(struct request *req, struct response *res, int status,
    const struct visitor *v, const struct totp_status *s, const char *notice)
{
	char since[32], left[24];
	struct buf nb;

	buf_init(&nb, 1024);
	page_notice(&nb, notice);
	page_date(s->enabled_at, since);
	snprintf(left, sizeof(left), "%zu", s->recovery_left);
	struct tmpl_var vars[] = {
		{ "csrf", str_from(v->csrf) },
		{ "since", str_from(since) },
		{ "left", str_from(left) },
		{ "notice", buf_str(&nb) },
	};
	page_render(req, res, status, v, "Two-step log-in", "two_step_on.html",
	    vars, 4);
	buf_release(&nb);
}

/* What the page shows now: the account's state, or a fresh enrolment. */
static void
show(struct request *req, struct response *res, int status,
    const struct visitor *v, const char *notice)
{
	struct totp_enrolment e;
	struct totp_status s;
	int rc = totp_status(req->kg, v->account.id, &s);

	if (rc == 0 && s.on) {
		render_on(req, res, status, v, &s, notice);
		return;
	}
	if (rc == 0)
		rc = totp_enrol_begin(req->kg, v->account.id, str_from(v->csrf),
		    &e);
	if (rc == 0)
		render_enrol(req, res, status, v, &e, notice);
	else
		page_unavailable(req, res, v);
	sodium_memzero(&e, sizeof(e));
}

/* GET /account/two-step */
void
portal_two_step(struct request *req, struct response *res)
{
	struct visitor v;

	if (!page_visitor_or_fail(req, res, &v) ||
	    !page_require_login(req, res, &v))
		return;
	show(req, res, 200, &v, NULL);
}

/* The recovery codes, the one time they are shown. */
static void
render_codes(struct request *req, struct response *res,
    const struct visitor *v,
    char codes[TOTP_RECOVERY_CODES][TOTP_RECOVERY_TEXT_BYTES])
{
	struct buf rows;

	buf_init(&rows, 4096);
	for (size_t i = 0; i < TOTP_RECOVERY_CODES; i++) {
		struct tmpl_var var = { "code", str_from(codes[i]) };

		template_render(&rows, "two_step_code_row.html", &var, 1);
	}
	struct tmpl_var vars[] = { { "codes", buf_str(&rows) } };
	page_render(req, res, 200, v, "Recovery codes", "two_step_codes.html",
	    vars, 1);
	sodium_memzero(rows.p, rows.len);
	buf_release(&rows);
}

static void
enrol_answer(struct request *req, struct response *res,
    const struct visitor *v, const struct totp_enrolment *e, int rc,
    int64_t wait)
{
	switch (rc) {
	case ERR_AUTH:
		render_enrol(req, res, 422, v, e, "That code is not the one "
		    "the app shows now. Check that the app has this key and "
		    "that your phone's clock is right, then enter the newest "
		    "code.");
		break;
	case ERR_THROTTLED:
		render_enrol(req, res, 429, v, e, "Too many wrong codes. Try "
		    "again later.");
		page_retry_after(res, wait);
		break;
	case ERR_EXISTS:
		show(req, res, 409, v, "Two-step log-in is on already.");
		break;
	default:
		page_unavailable(req, res, v);
	}
}

/* POST /account/two-step: the first code confirms the enrolment. */
void
portal_two_step_enrol(struct request *req, struct response *res)
{
	char codes[TOTP_RECOVERY_CODES][TOTP_RECOVERY_TEXT_BYTES];
	struct totp_enrolment e;
	struct visitor v;
	struct str f[E_COUNT];
	int64_t wait = 0;
	int rc;

	if (!page_visitor_or_fail(req, res, &v) ||
	    !page_require_login(req, res, &v) ||
	    !page_form(req, res, &v, enrol_form, E_COUNT, f))
		return;
	rc = totp_enrol_open(req->kg, v.account.id, str_from(v.csrf),
	    f[E_ENROLMENT], &e);
	if (rc != 0) {
		show(req, res, 400, &v, rc == ERR_EXPIRED ? "That key was "
		    "shown too long ago. Here is a new one: add it to the app "
		    "in place of the old one." : "That form could not be "
		    "read. Here is a new key to add to the app.");
		return;
	}
	rc = totp_enrol_finish(req->kg, v.account.id, req->client_addr, &e,
	    f[E_CODE], codes, &wait);
	if (rc == 0)
		render_codes(req, res, &v, codes);
	else
		enrol_answer(req, res, &v, &e, rc, wait);
	sodium_memzero(codes, sizeof(codes));
	sodium_memzero(&e, sizeof(e));
}

/* POST /account/two-step/off: the password, then a code. */
void
portal_two_step_off(struct request *req, struct response *res)
{
	struct visitor v;
	struct str f[O_COUNT];
	struct account who;
	struct login_origin from;
	struct totp_status s = { 0 };
	int64_t wait = 0;
	int rc;

	if (!page_visitor_or_fail(req, res, &v) ||
	    !page_require_login(req, res, &v) ||
	    !page_form(req, res, &v, off_form, O_COUNT, f))
		return;
	if ((rc = totp_status(req->kg, v.account.id, &s)) == 0 && !s.on) {
		show(req, res, 409, &v, "Two-step log-in is off already.");
		return;
	}
	page_login_origin(req, &from);
	if (rc == 0)
		rc = accounts_login(req->kg, &from, str_from(v.account.email),
		    f[O_PASSWORD], &who, &wait);
	if (rc == ERR_AUTH) {
		render_on(req, res, 401, &v, &s, "Wrong password.");
		return;
	}
	if (rc == 0)
		rc = totp_check(req->kg, v.account.id, req->client_addr,
		    f[O_CODE], &wait);
	if (rc == ERR_AUTH) {
		render_on(req, res, 401, &v, &s, "Wrong code.");
		return;
	}
	if (rc == 0)
		rc = totp_reset(req->kg, v.account.id, req->client_addr);
	if (rc == 0 || rc == ERR_NOTFOUND) {
		show(req, res, 200, &v, "Two-step log-in is off. To turn it on "
		    "again, add the new key below to your app.");
		return;
	}
	if (rc == ERR_THROTTLED) {
		render_on(req, res, 429, &v, &s, "Too many failed attempts. "
		    "Try again later.");
		page_retry_after(res, wait);
		return;
	}
	page_unavailable(req, res, &v);
}
