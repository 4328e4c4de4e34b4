#include "core/scopes.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "base/err.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

#define AR	SCOPE_ACCOUNT_READ
#define AU	SCOPE_ACCOUNT_UPDATE
#define CD	SCOPE_CONTACT_DATA
#define CA	SCOPE_CAMPAIGN_DATA

/* Slices carry their length so that NUL bytes can be tested too. */
#define S(lit)	STR_LIT(lit)

struct parse_case {
	struct str	 in;
	unsigned	 mask;
};

static void
show(struct str s, char *out, size_t outsz)
{
	size_t n = 0;

	for (size_t i = 0; i < s.len && n + 5 < outsz; i++) {
		unsigned char c = (unsigned char)s.p[i];

		if (c >= 0x20 && c < 0x7f)
			out[n++] = (char)c;
		else
			n += (size_t)snprintf(out + n, outsz - n, "\\x%02x", c);
	}
	out[n] = '\0';
}

/* docs/REFERENCE.md §5 names the scopes and their order; everything else
 * builds on it. */
Test(scopes, table)
{
	static const char *const names[] = {
		"account_read", "account_update", "contact_data",
		"campaign_data", "openid", "email", "profile",
	};
	unsigned all = 0;

	const struct scope_table *t = scopes_now();

	cr_assert_eq(t->nscopes, NELEM(names));
	for (size_t k = 0; k < t->nscopes; k++) {
		cr_expect_str_eq(t->scopes[k].name, names[k], "entry %zu", k);
		cr_expect_eq(t->scopes[k].bit, 1u << k, "entry %zu", k);
		cr_expect(t->scopes[k].description[0] != '\0', "entry %zu",
		    k);
		all |= t->scopes[k].bit;
	}
	cr_expect_eq(all, SCOPE_BUILTIN);
	cr_expect_eq(SCOPE_DEFAULT, SCOPE_ACCOUNT_READ);
}

Test(scopes, parse_accepts)
{
	static const struct parse_case cases[] = {
		{ S(""), 0 },
		{ STR_NULL, 0 },
		{ S("account_read"), AR },
		{ S("account_update"), AU },
		{ S("contact_data"), CD },
		{ S("campaign_data"), CA },
		{ S("account_read account_update"), AR | AU },
		{ S("account_update account_read"), AR | AU },
		{ S("campaign_data account_read"), AR | CA },
		{ S("contact_data campaign_data"), CD | CA },
		{ S("campaign_data contact_data account_update"),
		  AU | CD | CA },
		{ S("account_read account_update contact_data campaign_data"),
		  AR | AU | CD | CA },
		{ S("campaign_data contact_data account_update account_read"),
		  AR | AU | CD | CA },
		{ S("contact_data account_read campaign_data account_update"),
		  AR | AU | CD | CA },
		/* OpenID Connect's (§9) */
		{ S("openid"), SCOPE_OPENID },
		{ S("openid email profile"),
		  SCOPE_OPENID | SCOPE_EMAIL | SCOPE_PROFILE },
		{ S("email openid"), SCOPE_OPENID | SCOPE_EMAIL },
		{ S("profile account_read email campaign_data openid "
		    "contact_data account_update"), SCOPE_BUILTIN },
	};

	for (size_t i = 0; i < NELEM(cases); i++) {
		const struct parse_case *c = &cases[i];
		unsigned mask = 0xdeadu;
		char shown[256];
		int rc;

		show(c->in, shown, sizeof(shown));
		rc = scopes_parse(c->in, &mask);
		cr_expect_eq(rc, 0, "case %zu '%s': rc %d, want 0", i, shown,
		    rc);
		cr_expect_eq(mask, c->mask, "case %zu '%s': mask %#x, want %#x",
		    i, shown, mask, c->mask);
	}
}

Test(scopes, parse_refuses)
{
	static const struct str cases[] = {
		/* unknown names, prefixes and extensions of real ones */
		S("open_id"), S("account"), S("account_"), S("account_reads"),
		S("OpenID"), S("openid_"), S("emails"), S("openid email openid"),
		S("account_readx"), S("ccount_read"), S("x account_read"),
		S("account_read x"), S("account_read_account_update"),
		/* RFC 6749 §3.3: case-sensitive */
		S("Account_Read"), S("ACCOUNT_READ"), S("account_Read"),
		S("account_read Contact_data"),
		/* repeated names */
		S("account_read account_read"),
		S("account_read account_update account_read"),
		S("campaign_data contact_data campaign_data"),
		/* stray spacing */
		S(" "), S("  "), S(" account_read"), S("account_read "),
		S("account_read  account_update"), S("  account_read"),
		S("account_read  "), S(" account_read account_update"),
		S("account_read account_update "),
		/* other separators and whitespace */
		S("\t"), S("account_read\taccount_update"), S("\taccount_read"),
		S("account_read\t"), S("account_read,account_update"),
		S("account_read, account_update"), S("account_read,"),
		S("account_read\naccount_update"), S("account_read\n"),
		S("account_read\r\n"), S("account_read+account_update"),
		S("account_read%20account_update"),
		S("account_read\xc2\xa0" "account_update"),
		/* NUL bytes inside the slice */
		S("account_read\0"), S("\0account_read"),
		S("account_read\0 account_update"), S("\0"),
	};

	for (size_t i = 0; i < NELEM(cases); i++) {
		unsigned mask;
		char shown[256];
		int rc;

		show(cases[i], shown, sizeof(shown));
		rc = scopes_parse(cases[i], &mask);
		cr_expect_eq(rc, ERR_INVALID, "case %zu '%s': rc %d, want %d",
		    i, shown, rc, ERR_INVALID);
	}
}

Test(scopes, format)
{
	static const struct {
		unsigned	 mask;
		const char	*want;
	} cases[] = {
		{ 0, "" },
		{ AR, "account_read" },
		{ AU, "account_update" },
		{ CD, "contact_data" },
		{ CA, "campaign_data" },
		/* table order whatever order the bits were set in */
		{ CA | AR, "account_read campaign_data" },
		{ AR | CA, "account_read campaign_data" },
		{ CD | AU, "account_update contact_data" },
		{ CA | CD | AU, "account_update contact_data campaign_data" },
		{ CA | CD | AU | AR,
		  "account_read account_update contact_data campaign_data" },
		{ SCOPE_PROFILE | SCOPE_OPENID, "openid profile" },
		{ SCOPE_BUILTIN,
		  "account_read account_update contact_data campaign_data "
		  "openid email profile" },
	};

	for (size_t i = 0; i < NELEM(cases); i++) {
		char out[SCOPES_TEXT_MAX];

		memset(out, 'x', sizeof(out));
		scopes_format(cases[i].mask, out);
		cr_expect_str_eq(out, cases[i].want, "case %zu (mask %#x)", i,
		    cases[i].mask);
	}
}

/* Every mask formats into the buffer, parses back to itself, and the
 * parsed text formats to the same text. */
Test(scopes, round_trip)
{
	for (unsigned mask = 0; mask <= SCOPE_BUILTIN; mask++) {
		char out[SCOPES_TEXT_MAX], again[SCOPES_TEXT_MAX];
		unsigned back = 0xdeadu;
		int rc;

		scopes_format(mask, out);
		cr_expect_lt(strlen(out), (size_t)SCOPES_TEXT_MAX, "mask %#x",
		    mask);
		rc = scopes_parse(str_from(out), &back);
		cr_expect_eq(rc, 0, "mask %#x: '%s' rc %d", mask, out, rc);
		cr_expect_eq(back, mask, "mask %#x: '%s' parsed to %#x", mask,
		    out, back);
		scopes_format(back, again);
		cr_expect_str_eq(again, out, "mask %#x", mask);
	}
}

/* A published table (core/resources.c's): a resource's scopes parse and
 * format beside the built-in ones, its audience bit is no scope, and a
 * mask is for the resources among its audiences only. */
Test(scopes, registered_resources)
{
	struct scope_table *t = scopes_table_new("https://id.example",
	    "Example API");
	struct resource_info *r = &t->resources[t->nresources++];
	struct scope_info *s = &t->scopes[t->nscopes++];
	char out[SCOPES_TEXT_MAX];
	unsigned mask = 0;

	r->bit = 1u << 8;
	r->scopes = 1u << 9;
	snprintf(r->uri, sizeof(r->uri), "https://mcp.example/mcp");
	snprintf(r->name, sizeof(r->name), "Tools");
	s->bit = 1u << 9;
	snprintf(s->name, sizeof(s->name), "mcp:tools");
	t->audiences |= r->bit;
	scopes_publish(t);

	cr_expect_eq(scopes_parse(S("account_read mcp:tools"), &mask), 0);
	cr_expect_eq(mask, AR | (1u << 9));
	scopes_format(mask | r->bit, out);
	cr_expect_str_eq(out, "account_read mcp:tools");
	cr_expect_eq(scopes_audience(AR), SCOPE_AUD_BUILTIN);
	cr_expect_eq(scopes_audience(AR | r->bit | (1u << 9)), r->bit);
	cr_expect(scopes_for_resource(r->bit | (1u << 9),
	    S("https://mcp.example/mcp")));
	cr_expect(!scopes_for_resource(r->bit, S("https://id.example")));
	cr_expect(scopes_for_resource(AR, S("https://id.example")));
	cr_expect(!scopes_for_resource(AR, S("https://mcp.example/mcp")));
	cr_expect(!scopes_for_resource(r->bit, S("https://mcp.example")));
	/* a bit no table knows (a resource not loaded here yet) opens
	 * nothing, not the built-in API */
	cr_expect_eq(scopes_audience(AR | (1u << 20)), 0u);
	scopes_forget();
	cr_expect_eq(scopes_parse(S("mcp:tools"), &mask), ERR_INVALID);
}
