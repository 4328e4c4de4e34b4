#include "portal/template.h"

#include <string.h>

#include "base/embedded.h"
#include "base/err.h"
#include "http/html.h"

extern const struct embedded_file portal_templates[];

static const struct tmpl_var *
lookup(struct str name, const struct tmpl_var *vars, size_t nvars)
{
	for (size_t i = 0; i < nvars; i++)
		if (str_eq_lit(name, vars[i].name))
			return &vars[i];
	return NULL;
}

int
template_render_text(struct buf *out, struct str t,
    const struct tmpl_var *vars, size_t nvars)
{
	size_t i = 0;

	while (i < t.len) {
		const char *open = memmem(t.p + i, t.len - i, "{{", 2);
		const char *close;
		const struct tmpl_var *v;
		bool raw;
		size_t start;

		if (open == NULL) {
			buf_append(out, t.p + i, t.len - i);
			break;
		}
		buf_append(out, t.p + i, (size_t)(open - (t.p + i)));
		raw = (size_t)(open - t.p) + 2 < t.len && open[2] == '{';
		start = (size_t)(open - t.p) + (raw ? 3 : 2);
		close = memmem(t.p + start, t.len - start, raw ? "}}}" : "}}",
		    raw ? 3 : 2);
		if (close == NULL)
			return ERR_INVALID;
		v = lookup((struct str){ t.p + start,
		    (size_t)(close - (t.p + start)) }, vars, nvars);
		if (v == NULL)
			return ERR_INVALID;
		if (raw)
			buf_putstr(out, v->value);
		else
			html_escape(out, v->value);
		i = (size_t)(close - t.p) + (raw ? 3 : 2);
	}
	return 0;
}

int
template_render(struct buf *out, const char *name,
    const struct tmpl_var *vars, size_t nvars)
{
	const struct embedded_file *f = embedded_find(portal_templates, name);

	if (f == NULL)
		return ERR_NOTFOUND;
	return template_render_text(out, (struct str){ f->data, f->len }, vars,
	    nvars);
}
