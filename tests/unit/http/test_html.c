#include "http/html.h"

#include <criterion/criterion.h>
#include <string.h>

#include "base/err.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

Test(html, escape)
{
	static const struct {
		struct str	 in;
		const char	*want;
	} cases[] = {
		{ STR_LIT(""), "" },
		{ STR_NULL, "" },
		{ STR_LIT("plain text"), "plain text" },
		{ STR_LIT("&"), "&amp;" },
		{ STR_LIT("<"), "&lt;" },
		{ STR_LIT(">"), "&gt;" },
		{ STR_LIT("\""), "&quot;" },
		{ STR_LIT("'"), "&#39;" },
		{ STR_LIT("&<>\"'"), "&amp;&lt;&gt;&quot;&#39;" },
		{ STR_LIT("<script>alert('x')</script>"),
		  "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" },
		{ STR_LIT("a & b"), "a &amp; b" },
		{ STR_LIT("&amp;"), "&amp;amp;" },
		{ STR_LIT("\" onmouseover=\"x"),
		  "&quot; onmouseover=&quot;x" },
		{ STR_LIT("x<"), "x&lt;" },
		{ STR_LIT(">x"), "&gt;x" },
		{ STR_LIT("\xc3\xa9<\xc3\xa9"), "\xc3\xa9&lt;\xc3\xa9" },
		/* other characters pass through */
		{ STR_LIT("`=/\\{}"), "`=/\\{}" },
	};

	for (size_t i = 0; i < NELEM(cases); i++) {
		struct buf b;

		buf_init(&b, 4096);
		buf_puts(&b, "[");
		html_escape(&b, cases[i].in);
		buf_puts(&b, "]");
		cr_expect_eq(b.err, 0, "case %zu", i);
		cr_expect_eq(b.len, strlen(cases[i].want) + 2, "case %zu: "
		    "got '%s'", i, b.p);
		cr_expect_eq(strncmp(b.p + 1, cases[i].want,
		    strlen(cases[i].want)), 0, "case %zu: got '%s', want "
		    "'[%s]'", i, b.p, cases[i].want);
		buf_release(&b);
	}
}

Test(html, escape_respects_cap)
{
	struct buf b;

	buf_init(&b, 6);
	html_escape(&b, STR_LIT("a<b"));
	cr_expect_eq(b.err, 0);
	cr_expect_str_eq(b.p, "a&lt;b");
	html_escape(&b, STR_LIT("<"));
	cr_expect_eq(b.err, ERR_TOOBIG);
	cr_expect_str_eq(b.p, "a&lt;b");
	buf_release(&b);
}
