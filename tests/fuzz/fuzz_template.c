/* The template renderer: template text NUL value NUL value ..., bound to
 * the names a, b and c. What a {{tag}} inserts is escaped: text without
 * '<' and without raw tags renders without '<'. */
#include "fuzz.h"

#include "base/buf.h"
#include "portal/template.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct str in = { (const char *)data, size };
	struct str text = fuzz_piece(&in);
	struct tmpl_var vars[] = { { "a", STR_NULL }, { "b", STR_NULL },
		{ "c", STR_NULL } };
	char *t = fuzz_exact(text);
	struct buf out;

	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		vars[i].value = fuzz_piece(&in);
	text.p = t;
	buf_init(&out, 1 << 20);
	if (template_render_text(&out, text, vars, 3) == 0 &&
	    memchr(text.p, '<', text.len) == NULL &&
	    memmem(text.p, text.len, "{{{", 3) == NULL)
		FUZZ_CHECK(out.len == 0 || memchr(out.p, '<', out.len) == NULL);
	buf_release(&out);
	free(t);
	return 0;
}
