#ifndef KEYGATE_PORTAL_PAGES_H
#define KEYGATE_PORTAL_PAGES_H

#include <stdint.h>

#include "base/buf.h"
#include "http/request.h"
#include "http/response.h"
#include "store/rows.h"

/* The portal's handlers, one file per family. */

/* home_pages.c: the start page and the stylesheet */
void	portal_home(struct request *req, struct response *res);
void	portal_static(struct request *req, struct response *res);

/* signup_pages.c */
void	portal_signup_form(struct request *req, struct response *res);
void	portal_signup(struct request *req, struct response *res);

/* login_pages.c */
void	portal_login_form(struct request *req, struct response *res);
void	portal_login(struct request *req, struct response *res);
void	portal_logout(struct request *req, struct response *res);

/* end_session_pages.c: /oauth2/logout (OpenID RP-Initiated Logout) */
void	portal_end_session(struct request *req, struct response *res);
void	portal_end_session_post(struct request *req, struct response *res);

/* login_code_pages.c: the log-in's second step, with two-step log-in on.
 * portal_login_code_ask() answers a right password for account_id with
 * the page asking its code; `next` is where to go after. */
struct visitor;
void	portal_login_code_ask(struct request *req, struct response *res,
	    const struct visitor *v, int64_t account_id, const char *next);
void	portal_login_code(struct request *req, struct response *res);

/* two_step_pages.c: /account/two-step */
void	portal_two_step(struct request *req, struct response *res);
void	portal_two_step_enrol(struct request *req, struct response *res);
void	portal_two_step_off(struct request *req, struct response *res);

/* app_pages.c */
void	portal_apps(struct request *req, struct response *res);
void	portal_app_new(struct request *req, struct response *res);
void	portal_app_create(struct request *req, struct response *res);

/* app_settings_pages.c */
void	portal_app_show(struct request *req, struct response *res);
void	portal_app_save(struct request *req, struct response *res);
void	portal_app_delete_form(struct request *req, struct response *res);
void	portal_app_delete(struct request *req, struct response *res);

/* secret_pages.c */
void	portal_secret_confirm(struct request *req, struct response *res);
void	portal_secret_generate(struct request *req, struct response *res);
void	portal_secret_reveal(struct request *req, struct response *res);
void	portal_secret_revoke_form(struct request *req, struct response *res);
void	portal_secret_revoke(struct request *req, struct response *res);
/* For the app's page: the "keep the current secret valid for" select of
 * its Generate Secret dialog into keep, the valid secrets (created, last
 * used, expiry) and "Revoke the old secret now" into list. */
void	portal_secret_fragments(struct request *req,
	    const struct app_row *row, struct str csrf, struct buf *keep,
	    struct buf *list);

/* device_pages.c: /device, the device flow's page (RFC 8628 §3.3) */
void	portal_device(struct request *req, struct response *res);
void	portal_device_find(struct request *req, struct response *res);
void	portal_device_decide(struct request *req, struct response *res);

/* connection_pages.c */
void	portal_connections(struct request *req, struct response *res);
void	portal_connection_revoke(struct request *req, struct response *res);

/* account_pages.c: the account page and its forms */
void	portal_account(struct request *req, struct response *res);
void	portal_account_verify_send(struct request *req, struct response *res);
void	portal_account_password(struct request *req, struct response *res);
void	portal_account_email(struct request *req, struct response *res);

/* event_pages.c: /account/events */
void	portal_events(struct request *req, struct response *res);

/* session_pages.c */
void	portal_session_end(struct request *req, struct response *res);
void	portal_sessions_end_others(struct request *req, struct response *res);

/* recovery_pages.c: forgot password, new password, confirm an address */
void	portal_forgot_form(struct request *req, struct response *res);
void	portal_forgot(struct request *req, struct response *res);
void	portal_reset_form(struct request *req, struct response *res);
void	portal_reset(struct request *req, struct response *res);
void	portal_verify_form(struct request *req, struct response *res);
void	portal_verify(struct request *req, struct response *res);

#endif
