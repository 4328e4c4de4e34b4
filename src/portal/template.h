#ifndef KEYGATE_PORTAL_TEMPLATE_H
#define KEYGATE_PORTAL_TEMPLATE_H

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"
#include "base/str.h"

/* A value for a template: `{{name}}` inserts it HTML-escaped, `{{{name}}}`
 * inserts it as it is (only for HTML keygate itself rendered). */
struct tmpl_var {
	const char	*name;
	struct str	 value;
};

/* Renders the compiled-in template `name` into out. Returns 0, ERR_NOTFOUND
 * for an unknown template, ERR_INVALID for a tag naming no variable or left
 * open (a bug in the template, caught by the tests). */
int	template_render(struct buf *out, const char *name,
	    const struct tmpl_var *vars, size_t nvars);

/* The same, for template text given directly (used by tests and fuzzing). */
int	template_render_text(struct buf *out, struct str text,
	    const struct tmpl_var *vars, size_t nvars);

#endif
