#include "http/html.h"

void
html_escape(struct buf *b, struct str s)
{
	size_t start = 0;

	for (size_t i = 0; i < s.len; i++) {
		const char *rep;

		switch (s.p[i]) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		default: continue;
		}
		buf_append(b, s.p + start, i - start);
		buf_puts(b, rep);
		start = i + 1;
	}
	buf_append(b, s.p + start, s.len - start);
}
