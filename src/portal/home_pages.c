#include "portal/pages.h"

#include <string.h>

#include "base/embedded.h"
#include "portal/page.h"

extern const struct embedded_file portal_static_files[];

void
portal_home(struct request *req, struct response *res)
{
	struct visitor v;
	struct tmpl_var var;

	if (!page_visitor_or_fail(req, res, &v))
		return;
	if (v.logged_in) {
		/* A logged-in developer's start page is their apps. */
		portal_apps(req, res);
	} else {
		var = (struct tmpl_var){ "brand",
		    str_from(req->kg->cfg->brand) };
		page_render(req, res, 200, &v, "Welcome", "welcome.html", &var,
		    1);
	}
}

void
portal_static(struct request *req, struct response *res)
{
	const struct embedded_file *f;
	char name[64];

	/* route: /static/{name}; only compiled-in files are served */
	if (req->route_params[0].len >= sizeof(name))
		goto not_found;
	memcpy(name, req->route_params[0].p, req->route_params[0].len);
	name[req->route_params[0].len] = '\0';
	f = embedded_find(portal_static_files, name);
	if (f == NULL)
		goto not_found;
	res->status = 200;
	res->content_type = str_ends_with(req->route_params[0], ".js") ?
	    "text/javascript; charset=utf-8" : "text/css; charset=utf-8";
	buf_append(&res->body, f->data, f->len);
	response_header(res, "Cache-Control", "public, max-age=3600");
	return;
not_found:
	page_message(req, res, 404, &(struct visitor){ .logged_in = false },
	    "Not found", "There is nothing here.");
}
