#include "portal/template.h"

#include <criterion/criterion.h>
#include <string.h>

#include "base/err.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static const struct tmpl_var text_vars[] = {
	{ "x", STR_LIT("<b>&\"'") },
	{ "name", STR_LIT("Ann") },
	{ "empty", STR_LIT("") },
	{ "html", STR_LIT("<i>hi</i>") },
};

struct text_case {
	const char	*text;
	int		 rc;
	const char	*want;
};

Test(template, render_text)
{
	static const struct text_case cases[] = {
		/* text without tags */
		{ "", 0, "" },
		{ "plain", 0, "plain" },
		{ "a { b } c {x} }}", 0, "a { b } c {x} }}" },
		{ "<p class=\"q\">&amp;</p>", 0, "<p class=\"q\">&amp;</p>" },
		/* {{x}} is escaped */
		{ "{{x}}", 0, "&lt;b&gt;&amp;&quot;&#39;" },
		{ "Hi {{name}}!", 0, "Hi Ann!" },
		{ "{{name}}{{name}}", 0, "AnnAnn" },
		{ "[{{empty}}]", 0, "[]" },
		{ "{{html}}", 0, "&lt;i&gt;hi&lt;/i&gt;" },
		/* {{{x}}} is raw */
		{ "{{{html}}}", 0, "<i>hi</i>" },
		{ "{{{x}}}", 0, "<b>&\"'" },
		{ "a{{{name}}}b{{name}}c", 0, "aAnnbAnnc" },
		{ "{{name}}}", 0, "Ann}" },
		/* unknown variables */
		{ "{{nope}}", ERR_INVALID, NULL },
		{ "{{{nope}}}", ERR_INVALID, NULL },
		{ "{{}}", ERR_INVALID, NULL },
		{ "{{ name }}", ERR_INVALID, NULL },
		{ "{{Name}}", ERR_INVALID, NULL },
		{ "ok {{name}} then {{bad}}", ERR_INVALID, NULL },
		/* unclosed tags */
		{ "{{", ERR_INVALID, NULL },
		{ "{{{", ERR_INVALID, NULL },
		{ "a {{name", ERR_INVALID, NULL },
		{ "a {{name}", ERR_INVALID, NULL },
		{ "{{{name}}", ERR_INVALID, NULL },
		{ "{{{name}", ERR_INVALID, NULL },
		{ "{{name}} {{", ERR_INVALID, NULL },
	};

	for (size_t i = 0; i < NELEM(cases); i++) {
		const struct text_case *c = &cases[i];
		struct buf b;
		int rc;

		buf_init(&b, 4096);
		rc = template_render_text(&b, str_from(c->text), text_vars,
		    NELEM(text_vars));
		cr_expect_eq(rc, c->rc, "case %zu '%s': rc %d, want %d", i,
		    c->text, rc, c->rc);
		if (rc == 0 && c->rc == 0) {
			cr_expect_eq(b.err, 0, "case %zu", i);
			cr_expect(str_eq_lit(buf_str(&b), c->want),
			    "case %zu '%s': got '%s', want '%s'", i, c->text,
			    buf_str(&b).p, c->want);
		}
		buf_release(&b);
	}
}

Test(template, render_text_no_vars)
{
	struct buf b;

	buf_init(&b, 100);
	cr_expect_eq(template_render_text(&b, STR_LIT("static"), NULL, 0), 0);
	cr_expect_str_eq(buf_str(&b).p, "static");
	cr_expect_eq(template_render_text(&b, STR_LIT("{{x}}"), NULL, 0),
	    ERR_INVALID);
	buf_release(&b);
}

Test(template, render_text_slice)
{
	/* The text ends where the slice ends, even inside a tag. */
	struct buf b;
	const char *t = "Hi {{name}}";

	buf_init(&b, 100);
	cr_expect_eq(template_render_text(&b, (struct str){ t, 9 }, text_vars,
	    NELEM(text_vars)), ERR_INVALID);
	buf_reset(&b);
	cr_expect_eq(template_render_text(&b, (struct str){ t, 3 }, text_vars,
	    NELEM(text_vars)), 0);
	cr_expect_str_eq(buf_str(&b).p, "Hi ");
	buf_release(&b);
}

/* A value that must come out escaped where the template uses {{ }}. */
#define HOSTILE		STR_LIT("<x>")
#define HOSTILE_ESC	"&lt;x&gt;"
#define RAW_HTML	STR_LIT("<em>raw</em>")

static const struct tmpl_var app_new_vars[] = {
	{ "csrf", HOSTILE },
	{ "name", HOSTILE },
	{ "name_error", HOSTILE },
};
static const struct tmpl_var app_vars[] = {
	{ "csrf", HOSTILE },
	{ "api_key", HOSTILE },
	{ "name", HOSTILE },
	{ "created", HOSTILE },
	{ "secret_state", HOSTILE },
	{ "redirect_uris", HOSTILE },
	{ "public_name", HOSTILE },
	{ "logo_url", HOSTILE },
	{ "description", HOSTILE },
	{ "implicit_checked", HOSTILE },
	{ "device_checked", HOSTILE },
	{ "dpop_checked", HOSTILE },
	{ "par_checked", HOSTILE },
	{ "redirect_uris_error", HOSTILE },
	{ "public_name_error", HOSTILE },
	{ "logo_url_error", HOSTILE },
	{ "description_error", HOSTILE },
	{ "rs256_selected", HOSTILE },
	{ "es256_selected", HOSTILE },
	{ "eddsa_selected", HOSTILE },
	{ "post_logout_redirect_uris", HOSTILE },
	{ "id_token_alg_error", HOSTILE },
	{ "post_logout_redirect_uris_error", HOSTILE },
	{ "notice", RAW_HTML },
	{ "keep_select", RAW_HTML },
	{ "secrets", RAW_HTML },
	{ "usage", RAW_HTML },
};
static const struct tmpl_var app_key_vars[] = {
	{ "csrf", HOSTILE },
	{ "api_key", HOSTILE },
	{ "name", HOSTILE },
};
static const struct tmpl_var secret_confirm_vars[] = {
	{ "csrf", HOSTILE },
	{ "api_key", HOSTILE },
	{ "name", HOSTILE },
	{ "keep_select", RAW_HTML },
};
static const struct tmpl_var secret_revoke_vars[] = {
	{ "csrf", HOSTILE },
	{ "api_key", HOSTILE },
	{ "name", HOSTILE },
	{ "id", HOSTILE },
};
static const struct tmpl_var revoke_button_vars[] = {
	{ "csrf", HOSTILE },
	{ "api_key", HOSTILE },
	{ "id", HOSTILE },
};
static const struct tmpl_var secrets_table_vars[] = {
	{ "rows", RAW_HTML },
	{ "revoke", RAW_HTML },
};
static const struct tmpl_var secrets_row_vars[] = {
	{ "label", HOSTILE },
	{ "id", HOSTILE },
	{ "created", HOSTILE },
	{ "last_used", HOSTILE },
	{ "expires", HOSTILE },
};
static const struct tmpl_var secret_shown_vars[] = {
	{ "api_key", HOSTILE },
	{ "name", HOSTILE },
	{ "secret", HOSTILE },
};
static const struct tmpl_var apps_vars[] = {
	{ "rows", RAW_HTML },
};
static const struct tmpl_var apps_row_vars[] = {
	{ "api_key", HOSTILE },
	{ "name", HOSTILE },
	{ "created", HOSTILE },
	{ "secret", HOSTILE },
};
static const struct tmpl_var layout_vars[] = {
	{ "title", HOSTILE },
	{ "brand", HOSTILE },
	{ "nav", RAW_HTML },
	{ "body", RAW_HTML },
};
static const struct tmpl_var login_vars[] = {
	{ "csrf", HOSTILE },
	{ "email", HOSTILE },
	{ "next", HOSTILE },
	{ "notice", RAW_HTML },
};
static const struct tmpl_var message_vars[] = {
	{ "heading", HOSTILE },
	{ "message", HOSTILE },
};
static const struct tmpl_var nav_in_vars[] = {
	{ "email", HOSTILE },
	{ "csrf", HOSTILE },
};
static const struct tmpl_var notice_vars[] = {
	{ "message", HOSTILE },
};
static const struct tmpl_var signup_vars[] = {
	{ "csrf", HOSTILE },
	{ "email", HOSTILE },
	{ "email_error", HOSTILE },
	{ "password_error", HOSTILE },
	{ "notice", RAW_HTML },
};
static const struct tmpl_var events_vars[] = {
	{ "kinds", RAW_HTML },
	{ "apps", RAW_HTML },
	{ "rows", RAW_HTML },
};
static const struct tmpl_var events_row_vars[] = {
	{ "at", HOSTILE },
	{ "when", HOSTILE },
	{ "kind", HOSTILE },
	{ "app", HOSTILE },
	{ "address", HOSTILE },
	{ "detail", HOSTILE },
};
static const struct tmpl_var rows_vars[] = {
	{ "rows", RAW_HTML },
};
static const struct tmpl_var href_vars[] = {
	{ "href", HOSTILE },
};
static const struct tmpl_var option_vars[] = {
	{ "value", HOSTILE },
	{ "words", HOSTILE },
	{ "selected", HOSTILE },
};
static const struct tmpl_var welcome_vars[] = {
	{ "brand", HOSTILE },
};

/* Every template that the portal pages render, with the variables they
 * give it. */
Test(template, compiled_in)
{
	static const struct {
		const char		*name;
		const struct tmpl_var	*vars;
		size_t			 nvars;
		bool			 escapes;	/* shows HOSTILE */
		bool			 raw;		/* shows RAW_HTML */
	} cases[] = {
		{ "app_new.html", app_new_vars, NELEM(app_new_vars), true,
		  false },
		{ "app.html", app_vars, NELEM(app_vars), true, true },
		{ "secret_confirm.html", secret_confirm_vars,
		  NELEM(secret_confirm_vars), true, true },
		{ "secret_revoke.html", secret_revoke_vars,
		  NELEM(secret_revoke_vars), true, false },
		{ "secret_revoke_button.html", revoke_button_vars,
		  NELEM(revoke_button_vars), true, false },
		{ "secrets_table.html", secrets_table_vars,
		  NELEM(secrets_table_vars), false, true },
		{ "secrets_row.html", secrets_row_vars,
		  NELEM(secrets_row_vars), true, false },
		{ "keep_select.html", NULL, 0, false, false },
		{ "app_delete.html", app_key_vars, NELEM(app_key_vars), true,
		  false },
		{ "secret_shown.html", secret_shown_vars,
		  NELEM(secret_shown_vars), true, false },
		{ "apps.html", apps_vars, NELEM(apps_vars), false, true },
		{ "apps_table.html", apps_vars, NELEM(apps_vars), false, true },
		{ "apps_row.html", apps_row_vars, NELEM(apps_row_vars), true,
		  false },
		{ "layout.html", layout_vars, NELEM(layout_vars), true,
		  true },
		{ "login.html", login_vars, NELEM(login_vars), true, true },
		{ "message.html", message_vars, NELEM(message_vars), true,
		  false },
		{ "nav_in.html", nav_in_vars, NELEM(nav_in_vars), true,
		  false },
		{ "nav_out.html", NULL, 0, false, false },
		{ "notice.html", notice_vars, NELEM(notice_vars), true,
		  false },
		{ "signup.html", signup_vars, NELEM(signup_vars), true,
		  true },
		{ "welcome.html", welcome_vars, NELEM(welcome_vars), true,
		  false },
		{ "events.html", events_vars, NELEM(events_vars), false,
		  true },
		{ "events_table.html", rows_vars, NELEM(rows_vars), false,
		  true },
		{ "events_row.html", events_row_vars,
		  NELEM(events_row_vars), true, false },
		{ "events_more.html", href_vars, NELEM(href_vars), true,
		  false },
		{ "option.html", option_vars, NELEM(option_vars), true,
		  false },
	};

	for (size_t i = 0; i < NELEM(cases); i++) {
		struct buf b;
		int rc;

		buf_init(&b, 1 << 20);
		rc = template_render(&b, cases[i].name, cases[i].vars,
		    cases[i].nvars);
		cr_expect_eq(rc, 0, "%s: rc %d", cases[i].name, rc);
		cr_expect_eq(b.err, 0, "%s", cases[i].name);
		cr_expect_gt(b.len, 0, "%s renders nothing", cases[i].name);
		if (rc == 0) {
			const char *out = buf_str(&b).p;

			cr_expect_null(strstr(out, "{{"), "%s: tag left",
			    cases[i].name);
			cr_expect_null(strstr(out, "<x>"), "%s: unescaped",
			    cases[i].name);
			if (cases[i].escapes)
				cr_expect_not_null(strstr(out, HOSTILE_ESC),
				    "%s: value missing", cases[i].name);
			if (cases[i].raw)
				cr_expect_not_null(strstr(out,
				    "<em>raw</em>"), "%s: raw value missing",
				    cases[i].name);
		}
		buf_release(&b);
	}
}

Test(template, compiled_in_needs_its_vars)
{
	static const char *const names[] = { "app.html", "app_new.html",
	    "app_delete.html", "apps.html", "apps_row.html", "apps_table.html",
	    "secret_confirm.html", "secret_shown.html", "layout.html",
	    "login.html", "message.html", "nav_in.html", "notice.html",
	    "signup.html", "welcome.html" };

	for (size_t i = 0; i < NELEM(names); i++) {
		struct buf b;

		buf_init(&b, 1 << 20);
		cr_expect_eq(template_render(&b, names[i], NULL, 0),
		    ERR_INVALID, "%s", names[i]);
		buf_release(&b);
	}
}

Test(template, unknown_name)
{
	static const char *const names[] = { "nope.html", "", "login",
	    "../login.html", "LOGIN.HTML", "templates/login.html" };

	for (size_t i = 0; i < NELEM(names); i++) {
		struct buf b;

		buf_init(&b, 1024);
		cr_expect_eq(template_render(&b, names[i], NULL, 0),
		    ERR_NOTFOUND, "'%s'", names[i]);
		buf_release(&b);
	}
}
