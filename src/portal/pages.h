#ifndef KEYGATE_PORTAL_PAGES_H
#define KEYGATE_PORTAL_PAGES_H

#include "http/request.h"
#include "http/response.h"

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

#endif
