#include "core/app_rules.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/limits.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* One value for a rule: accepted (the rule answers NULL) or refused (the
 * rule answers a reason). Literals may hold NUL bytes. */
struct rule_case {
	struct str	 in;
	bool		 ok;
	const char	*what;
};

#define OK(lit)		{ STR_LIT(lit), true, #lit }
#define NO(lit)		{ STR_LIT(lit), false, #lit }

/* A value built at run time: prefix, then `unit` repeated `count` times. */
struct long_case {
	const char	*prefix;
	const char	*unit;
	size_t		 count;
	bool		 ok;
};

static void
expect_verdict(const char *why, bool ok, const char *rule, const char *what)
{
	if (ok)
		cr_expect(why == NULL, "%s(%s) refused: %s", rule, what,
		    why != NULL ? why : "");
	else
		cr_expect(why != NULL && why[0] != '\0',
		    "%s(%s) accepted, want a reason", rule, what);
}

static void
check_cases(const char *(*rule)(struct str), const char *name,
    const struct rule_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++)
		expect_verdict(rule(cases[i].in), cases[i].ok, name,
		    cases[i].what);
}

/* The caller frees the result; *len gets its length in bytes. */
static char *
build(const char *prefix, const char *unit, size_t count, size_t *len)
{
	size_t plen = strlen(prefix), ulen = strlen(unit);
	char *s = malloc(plen + ulen * count + 1);

	cr_assert_not_null(s);
	memcpy(s, prefix, plen);
	for (size_t i = 0; i < count; i++)
		memcpy(s + plen + i * ulen, unit, ulen);
	*len = plen + ulen * count;
	s[*len] = '\0';
	return s;
}

static void
check_long(const char *(*rule)(struct str), const char *name,
    const struct long_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct long_case *c = &cases[i];
		char what[128];
		size_t len;
		char *s = build(c->prefix, c->unit, c->count, &len);

		snprintf(what, sizeof(what), "\"%s\" + %zu x \"%s\" (%zu "
		    "bytes)", c->prefix, c->count, c->unit, len);
		expect_verdict(rule((struct str){ s, len }), c->ok, name, what);
		free(s);
	}
}

/* "https://example.com/" is 20 bytes. */
#define URI_PREFIX	"https://example.com/"

Test(app_rules, redirect_uri)
{
	static const struct rule_case cases[] = {
		/* https anywhere */
		OK("https://app.example.com/cb"),
		OK("https://example.com/cb?x=1"),
		OK("https://example.com/cb?x=1&y=a%20b"),
		OK("https://example.com/cb?"),
		OK("https://example.com"),
		OK("https://example.com/"),
		OK("https://EXAMPLE.com/"),
		OK("HTTPS://example.com/cb"),
		OK("Https://example.com/cb"),
		OK("https://example.com:8443/cb"),
		OK("https://192.0.2.1/cb"),
		OK("https://[2001:db8::1]:443/cb"),
		OK("https://localhost/cb"),
		OK("https://example.com/a/b/c/d"),
		OK("https://example.com/a%2Fb"),
		/* http only on the three loopback hosts, any port */
		OK("http://localhost/cb"),
		OK("http://localhost"),
		OK("http://localhost:8080/cb"),
		OK("http://LOCALHOST/cb"),
		OK("http://LocalHost:1/cb"),
		OK("HTTP://localhost/cb"),
		OK("http://127.0.0.1/cb"),
		OK("http://127.0.0.1:5000/cb"),
		OK("http://127.0.0.1:65535/cb?x=1"),
		OK("http://[::1]/cb"),
		OK("http://[::1]:9/cb"),
		/* RFC 8252 §7.1 private-use schemes, reverse-domain form */
		OK("com.example.app:/cb"),
		OK("com.example.app://cb"),
		OK("com.example.app:/oauth2redirect/example-provider"),
		OK("com.example.app:/cb?x=1"),
		OK("com.example.app:cb"),
		OK("com.example-app.ios:/cb"),
		OK("com.example.app2:/cb"),
		OK("COM.EXAMPLE.APP:/cb"),
		OK("a.b:/cb"),
		OK("io.github.user+dev:/cb"),

		/* not absolute */
		NO(""),
		NO(" "),
		NO("/cb"),
		NO("cb"),
		NO("example.com/cb"),
		NO("//example.com/cb"),
		NO("://example.com/cb"),
		NO("?x=1"),
		/* malformed */
		NO("1https://example.com/cb"),
		NO("https://example.com/a b"),
		NO(" https://example.com/cb"),
		NO("https://example.com/cb "),
		NO("https://example.com/cb\n"),
		NO("https://example.com/c\nb"),
		NO("https://example.com/cb\r"),
		NO("https://example.com/c\tb"),
		NO("https://example.com/c\x01"),
		NO("https://example.com/c\x7f"),
		NO("https://example.com/c\0b"),
		NO("https://ex\xc3\xa4mple.com/cb"),
		NO("https://example.com/caf\xc3\xa9"),
		NO("https://example.com/\xff"),
		NO("https://example.com/%zz"),
		NO("https://example.com/%4"),
		NO("https://example.com/cb%"),
		NO("https://example.com:port/cb"),
		NO("https://example.com:123456/cb"),
		NO("https://[::1/cb"),
		NO("https://example.com/[cb]"),
		NO("https://example.com\\@evil.com/cb"),
		NO("https://example.com/<script>"),
		/* http elsewhere than loopback */
		NO("http://example.com/cb"),
		NO("http://app.example.com:8080/cb"),
		NO("http://127.0.0.2/cb"),
		NO("http://127.0.0.1.nip.io/cb"),
		NO("http://127.1/cb"),
		NO("http://0.0.0.0/cb"),
		NO("http://[::2]/cb"),
		NO("http://[0:0:0:0:0:0:0:1]/cb"),
		NO("http://localhost.example.com/cb"),
		NO("http://localhost./cb"),
		NO("http://%6cocalhost/cb"),
		NO("http://evil.com?localhost"),
		NO("http:/cb"),
		NO("http:localhost/cb"),
		NO("http:/localhost/cb"),
		NO("http://"),
		NO("http:///cb"),
		/* https without a host */
		NO("https://"),
		NO("https:///path"),
		NO("https:/example.com/cb"),
		NO("https:example.com/cb"),
		NO("https:"),
		NO("https://:443/cb"),
		/* fragments */
		NO("https://example.com/cb#frag"),
		NO("https://example.com/cb#"),
		NO("https://example.com#f"),
		NO("http://localhost/cb#f"),
		NO("com.example.app:/cb#f"),
		NO("http://evil.com#@localhost/"),
		/* wildcards */
		NO("https://*.example.com/cb"),
		NO("https://example.com/*"),
		NO("https://example.*/cb"),
		NO("https://example.com/cb?x=*"),
		NO("http://localhost:*/cb"),
		NO("http://*/cb"),
		NO("com.example.*:/cb"),
		/* userinfo */
		NO("https://user:pw@example.com/cb"),
		NO("https://user@example.com/cb"),
		NO("https://@example.com/cb"),
		NO("https://:@example.com/cb"),
		NO("http://user@localhost/cb"),
		NO("http://localhost@evil.com/cb"),
		NO("http://127.0.0.1@evil.com/cb"),
		NO("com.example.app://user@cb"),
		/* dangerous or unknown schemes */
		NO("javascript:alert(1)"),
		NO("JavaScript:alert(1)"),
		NO("javascript://example.com/%0aalert(1)"),
		NO("vbscript:msgbox(1)"),
		NO("data:text/html,x"),
		NO("data:text/html;base64,PHNjcmlwdD4="),
		NO("file:///etc/passwd"),
		NO("file://localhost/etc/passwd"),
		NO("ftp://example.com/cb"),
		NO("about:blank"),
		NO("blob:https://example.com/uuid"),
		NO("ws://localhost/cb"),
		NO("wss://example.com/cb"),
		NO("mailto:user@example.com"),
		NO("urn:ietf:wg:oauth:2.0:oob"),
		/* private-use scheme without a dot, or a dot at the end */
		NO("myapp:/cb"),
		NO("myapp://cb"),
		NO("com.example.app.:/cb"),
		NO("com.:/cb"),
	};

	check_cases(app_rule_redirect_uri, "redirect_uri", cases,
	    NELEM(cases));
}

Test(app_rules, redirect_uri_length)
{
	static const struct long_case cases[] = {
		{ URI_PREFIX, "a", APP_URI_MAX_BYTES - 20 - 1, true },
		{ URI_PREFIX, "a", APP_URI_MAX_BYTES - 20, true },
		{ URI_PREFIX, "a", APP_URI_MAX_BYTES - 20 + 1, false },
		{ URI_PREFIX, "a", APP_URI_MAX_BYTES - 20 + 2, false },
		{ URI_PREFIX, "a", 10 * APP_URI_MAX_BYTES, false },
		{ URI_PREFIX "?q=", "%20", 659, true },		/* 2000 */
		{ URI_PREFIX "?q=", "%20", 660, false },	/* 2003 */
		{ "http://localhost/", "b", APP_URI_MAX_BYTES - 17, true },
		{ "http://localhost/", "b", APP_URI_MAX_BYTES - 16, false },
		{ "com.example.app:/", "c", APP_URI_MAX_BYTES - 17, true },
		{ "com.example.app:/", "c", APP_URI_MAX_BYTES - 16, false },
	};

	cr_assert_eq(strlen(URI_PREFIX), 20);
	check_long(app_rule_redirect_uri, "redirect_uri", cases,
	    NELEM(cases));
}

static void
expect_list(const char *const *uris, size_t n, bool ok, const char *what)
{
	struct str list[APP_MAX_REDIRECT_URIS + 2];

	cr_assert_leq(n, NELEM(list));
	for (size_t i = 0; i < n; i++)
		list[i] = str_from(uris[i]);
	expect_verdict(app_rule_redirect_uris(list, n), ok, "redirect_uris",
	    what);
}

Test(app_rules, redirect_uris)
{
	static const char *const good[APP_MAX_REDIRECT_URIS + 1] = {
		"https://example.com/cb",
		"https://example.com/cb2",
		"http://localhost/cb",
		"http://localhost:8080/cb",
		"http://127.0.0.1:5000/cb",
		"http://[::1]:9/cb",
		"com.example.app:/cb",
		"com.example.app://cb",
		"https://app.example.com/cb?x=1",
		"https://EXAMPLE.com/cb",
		"https://example.org/cb",
	};
	static const char *const one_bad_first[] = {
		"http://example.com/cb", "https://a.example/cb",
		"https://b.example/cb",
	};
	static const char *const one_bad_middle[] = {
		"https://a.example/cb", "https://b.example/cb#f",
		"https://c.example/cb",
	};
	static const char *const one_bad_last[] = {
		"https://a.example/cb", "https://b.example/cb", "myapp:/cb",
	};
	static const char *const dup_adjacent[] = {
		"https://a.example/cb", "https://a.example/cb",
	};
	static const char *const dup_apart[] = {
		"https://a.example/cb", "https://b.example/cb",
		"http://localhost/cb", "https://a.example/cb",
	};
	static const char *const dup_loopback[] = {
		"http://127.0.0.1:5000/cb", "https://b.example/cb",
		"http://127.0.0.1:5000/cb",
	};
	/* Matched by string equality, so these are distinct. */
	static const char *const near_twins[] = {
		"https://a.example/cb", "https://a.example/CB",
		"https://A.example/cb", "https://a.example/cb/",
		"https://a.example/cb?", "https://a.example:443/cb",
	};
	struct str empty = STR_LIT("");

	expect_verdict(app_rule_redirect_uris(NULL, 0), false,
	    "redirect_uris", "none");
	expect_verdict(app_rule_redirect_uris(&empty, 1), false,
	    "redirect_uris", "one empty");
	expect_list(good, 1, true, "1 good");
	expect_list(good, 2, true, "2 good");
	expect_list(good, APP_MAX_REDIRECT_URIS - 1, true, "9 good");
	expect_list(good, APP_MAX_REDIRECT_URIS, true, "10 good");
	expect_list(good, APP_MAX_REDIRECT_URIS + 1, false, "11 good");
	expect_list(one_bad_first, NELEM(one_bad_first), false,
	    "bad first");
	expect_list(one_bad_middle, NELEM(one_bad_middle), false,
	    "bad in the middle");
	expect_list(one_bad_last, NELEM(one_bad_last), false, "bad last");
	expect_list(dup_adjacent, NELEM(dup_adjacent), false,
	    "adjacent duplicate");
	expect_list(dup_apart, NELEM(dup_apart), false, "duplicate apart");
	expect_list(dup_loopback, NELEM(dup_loopback), false,
	    "duplicate loopback");
	expect_list(near_twins, NELEM(near_twins), true, "near twins");
}

Test(app_rules, name)
{
	static const struct rule_case cases[] = {
		OK("a"),
		OK("A"),
		OK("1"),
		OK("My App"),
		OK("Photo Printer 2"),
		OK("keygate"),		/* the brand rule is for public names */
		OK("\xc3\xa9"),				/* é */
		OK("\xe6\x97\xa5\xe6\x9c\xac"),		/* 日本 */
		OK("\xf0\x9f\x98\x80"),			/* 😀 */
		OK("a\xc2\xa0" "b"),			/* no-break space */
		OK("O'Brien & Sons (test) #1 <b>"),

		/* empty or blank */
		NO(""),
		NO(" "),
		NO("   "),
		NO("\t"),
		NO(" \t "),
		/* control characters */
		NO("a\tb"),
		NO("a\nb"),
		NO("a\rb"),
		NO("ab\n"),
		NO("\nab"),
		NO("a\r\nb"),
		NO("a\x01" "b"),
		NO("\x01"),
		NO("a\x1b[31m"),
		NO("a\x1f"),
		NO("a\x7f" "b"),
		NO("\x7f"),
		NO("a\x0b" "b"),
		NO("a\x0c" "b"),
		NO("a\0b"),
		NO("\0"),
		/* C1 controls are control characters too (Unicode Cc) */
		NO("a\xc2\x80" "b"),			/* U+0080 */
		NO("a\xc2\x85" "b"),			/* U+0085 NEL */
		NO("a\xc2\x9b" "31m"),			/* U+009B CSI */
		NO("a\xc2\x9f"),			/* U+009F */
		/* invalid UTF-8 */
		NO("\xff"),
		NO("a\xc3"),
		NO("\xc3" "a"),
		NO("\x80"),
		NO("\xc0\xaf"),				/* overlong '/' */
		NO("\xed\xa0\x80"),			/* surrogate */
		NO("\xf4\x90\x80\x80"),			/* past U+10FFFF */
		NO("caf\xe9"),				/* Latin-1 é */
	};
	static const struct long_case lengths[] = {
		{ "", "a", APP_NAME_MAX_CHARS - 1, true },
		{ "", "a", APP_NAME_MAX_CHARS, true },
		{ "", "a", APP_NAME_MAX_CHARS + 1, false },
		{ "", "\xc3\xa9", APP_NAME_MAX_CHARS, true },
		{ "", "\xc3\xa9", APP_NAME_MAX_CHARS + 1, false },
		{ "", "\xe2\x82\xac", APP_NAME_MAX_CHARS, true },
		{ "", "\xe2\x82\xac", APP_NAME_MAX_CHARS + 1, false },
		{ "", "\xf0\x9f\x98\x80", APP_NAME_MAX_CHARS, true },
		{ "", "\xf0\x9f\x98\x80", APP_NAME_MAX_CHARS + 1, false },
		{ "x", "\xc3\xa9", APP_NAME_MAX_CHARS - 1, true },
		{ "x", "\xc3\xa9", APP_NAME_MAX_CHARS, false },
		{ "", "a", 10 * APP_NAME_MAX_CHARS, false },
	};

	check_cases(app_rule_name, "name", cases, NELEM(cases));
	check_long(app_rule_name, "name", lengths, NELEM(lengths));
}

struct brand_case {
	struct str	 name;
	const char	*brand;
	bool		 ok;
	const char	*what;
};

#define BOK(lit, brand)	{ STR_LIT(lit), (brand), true, #lit }
#define BNO(lit, brand)	{ STR_LIT(lit), (brand), false, #lit }
#define KG		"keygate"
#define AC		"Acme Cloud"

Test(app_rules, public_name)
{
	static const struct brand_case cases[] = {
		BOK("Photo Printer", KG),
		BOK("Keyboard Gate", KG),	/* "keyboardgate" */
		BOK("Acme", KG),
		BOK("a", KG),
		BOK("Key", KG),
		BOK("Gate", KG),
		BOK("Gate Key", KG),
		BOK("keygat", KG),
		BOK("eygate", KG),
		BOK("k3ygate", KG),
		BNO("Key Gat\xc3\xa9", KG),	/* accents fold away: é is e */
		BOK("\xe6\x97\xa5\xe6\x9c\xac", KG),	/* 日本 */

		/* the brand itself, in any case and spacing */
		BNO("keygate", KG),
		BNO("KeyGate", KG),
		BNO("KEYGATE", KG),
		BNO("Key-Gate", KG),
		BNO("KEY GATE", KG),
		BNO("K E Y G A T E", KG),
		BNO("k.e.y.g.a.t.e", KG),
		BNO("key_gate", KG),
		BNO("key/gate", KG),
		BNO("(keygate)", KG),
		BNO("  keygate  ", KG),
		/* inside other words */
		BNO("My keygate app", KG),
		BNO("keygate login", KG),
		BNO("Login with KeyGate", KG),
		BNO("xkeygatex", KG),
		BNO("key gateway", KG),		/* "keygateway" */
		BNO("mykeygate", KG),
		BNO("keygate keygate", KG),
		BNO("keygate\xe2\x84\xa2", KG),		/* keygate™ */
		BNO("keygate\xc2\xae", KG),		/* keygate® */
		BNO("keygate 2", KG),
		BNO("Key\xe2\x80\x94Gate", KG),		/* em dash */
		/* NFKC compatibility forms: ｋｅｙｇａｔｅ, ＫＥＹＧＡＴＥ,
		 * ｋｅｙ　ｇａｔｅ (ideographic space), ⓚⓔⓨⓖⓐⓣⓔ, ⓀⒺⓎⒼⒶⓉⒺ,
		 * ⒦⒠⒴⒢⒜⒯⒠, 𝐤𝐞𝐲𝐠𝐚𝐭𝐞, 𝐊𝐄𝐘𝐆𝐀𝐓𝐄, ᵏᵉʸᵍᵃᵗᵉ */
		BNO("\xef\xbd\x8b\xef\xbd\x85\xef\xbd\x99\xef\xbd\x87"
		    "\xef\xbd\x81\xef\xbd\x94\xef\xbd\x85", KG),
		BNO("\xef\xbc\xab\xef\xbc\xa5\xef\xbc\xb9\xef\xbc\xa7"
		    "\xef\xbc\xa1\xef\xbc\xb4\xef\xbc\xa5", KG),
		BNO("\xef\xbd\x8b\xef\xbd\x85\xef\xbd\x99\xe3\x80\x80"
		    "\xef\xbd\x87\xef\xbd\x81\xef\xbd\x94\xef\xbd\x85", KG),
		BNO("\xe2\x93\x9a\xe2\x93\x94\xe2\x93\xa8\xe2\x93\x96"
		    "\xe2\x93\x90\xe2\x93\xa3\xe2\x93\x94", KG),
		BNO("\xe2\x93\x80\xe2\x92\xba\xe2\x93\x8e\xe2\x92\xbc"
		    "\xe2\x92\xb6\xe2\x93\x89\xe2\x92\xba", KG),
		BNO("\xe2\x92\xa6\xe2\x92\xa0\xe2\x92\xb4\xe2\x92\xa2"
		    "\xe2\x92\x9c\xe2\x92\xaf\xe2\x92\xa0", KG),
		BNO("\xf0\x9d\x90\xa4\xf0\x9d\x90\x9e\xf0\x9d\x90\xb2"
		    "\xf0\x9d\x90\xa0\xf0\x9d\x90\x9a\xf0\x9d\x90\xad"
		    "\xf0\x9d\x90\x9e", KG),
		BNO("\xf0\x9d\x90\x8a\xf0\x9d\x90\x84\xf0\x9d\x90\x98"
		    "\xf0\x9d\x90\x86\xf0\x9d\x90\x80\xf0\x9d\x90\x93"
		    "\xf0\x9d\x90\x84", KG),
		BNO("\xe1\xb5\x8f\xe1\xb5\x89\xca\xb8\xe1\xb5\x8d"
		    "\xe1\xb5\x83\xe1\xb5\x97\xe1\xb5\x89", KG),
		BNO("\xe2\x84\xaa" "eygate", KG),	/* KELVIN SIGN */
		BNO("KEYGATE \xef\xbc\x81", KG),
		/* invisible or space characters between the letters */
		BNO("key\xe2\x80\x8bgate", KG),		/* zero width space */
		BNO("key\xe2\x80\x8dgate", KG),		/* zero width joiner */
		BNO("key\xc2\xadgate", KG),		/* soft hyphen */
		BNO("key\xc2\xa0gate", KG),		/* no-break space */
		BNO("key\xe2\x80\x83gate", KG),		/* em space */
		BNO("\xef\xbb\xbfkeygate", KG),		/* BOM */
		BNO("k\xcc\xb2" "eygate", KG),		/* combining low line */
		/* lookalikes of other scripts and symbols (UTS #39
		 * skeletons): kеygate (Cyrillic е), ΚΕΥGATE (Greek),
		 * keygat℮ (U+212E), кеуgate (Cyrillic к е у), κευgate
		 * (Greek lower case), KEYGΑTE (Greek Alpha), kеуgаtе */
		BNO("k\xd0\xb5ygate", KG),
		BNO("\xce\x9a\xce\x95\xce\xa5GATE", KG),
		BNO("keygat\xe2\x84\xae", KG),
		BNO("\xd0\xba\xd0\xb5\xd1\x83gate", KG),
		BNO("\xce\xba\xce\xb5\xcf\x85gate", KG),
		BNO("KEYG\xce\x91TE", KG),
		BNO("k\xd0\xb5\xd1\x83g\xd0\xb0t\xd0\xb5", KG),
		BNO("My k\xd0\xb5ygate App", KG),
		BNO("K\xd0\x95Y-GATE", KG),		/* Cyrillic Е */
		/* ordinary names that merely share letters stay fine */
		BOK("Key Largo", KG),
		BOK("Gate Keeper", KG),
		BOK("Keyboard Gateway", KG),	/* "keyboardgateway" */
		BOK("Grey Gate", KG),
		BOK("Kelly Gates", KG),
		BOK("keyqate", KG),
		BOK("Photo Printer", "Mailbox"),
		/* the common rules still apply */
		BNO("", KG),
		BNO("   ", KG),
		BNO("\t", KG),
		BNO("Photo\nPrinter", KG),
		BNO("Photo\x01Printer", KG),
		BNO("Photo\x7fPrinter", KG),
		BNO("Photo\xc2\x85Printer", KG),	/* C1 NEL */
		BNO("Photo\0Printer", KG),
		BNO("Photo \xffPrinter", KG),
		BNO("\xc3", KG),

		/* a brand of two words */
		BNO("acme-cloud", AC),
		BNO("ACMECLOUD", AC),
		BNO("Acme Cloud", AC),
		BNO("acme cloud", AC),
		BNO("My Acme Cloud App", AC),
		BNO("Acme Clouds", AC),
		BNO("A.C.M.E. C.L.O.U.D.", AC),
		/* ａｃｍｅｃｌｏｕｄ */
		BNO("\xef\xbd\x81\xef\xbd\x83\xef\xbd\x8d\xef\xbd\x85"
		    "\xef\xbd\x83\xef\xbd\x8c\xef\xbd\x8f\xef\xbd\x95"
		    "\xef\xbd\x84", AC),
		BOK("Acme", AC),
		BOK("Cloud", AC),
		BOK("Cloud Acme", AC),
		BOK("Acme Clod", AC),
		BOK("keygate", AC),	/* only the configured brand counts */
		/* a brand with a non-ASCII letter */
		BNO("CAF\xc3\x89", "Caf\xc3\xa9"),		/* CAFÉ */
		BNO("Cafe\xcc\x81 Bar", "Caf\xc3\xa9"),	/* e + U+0301 */
		BNO("caf\xc3\xa9", "CAFE\xcc\x81"),
		/* accents are folded away: "Cafe" is the brand "Café" */
		BNO("Cafe Bar", "Caf\xc3\xa9"),
	};
	static const struct long_case lengths[] = {
		{ "", "a", APP_PUBLIC_NAME_MAX_CHARS, true },
		{ "", "a", APP_PUBLIC_NAME_MAX_CHARS + 1, false },
		{ "", "\xc3\xa9", APP_PUBLIC_NAME_MAX_CHARS, true },
		{ "", "\xc3\xa9", APP_PUBLIC_NAME_MAX_CHARS + 1, false },
		{ "", "\xf0\x9f\x98\x80", APP_PUBLIC_NAME_MAX_CHARS, true },
		{ "", "\xf0\x9f\x98\x80", APP_PUBLIC_NAME_MAX_CHARS + 1,
		  false },
		{ "", "ab ", 33, true },			/* 99 */
		{ "Photo", "!", APP_PUBLIC_NAME_MAX_CHARS - 5, true },
		{ "Photo", "!", APP_PUBLIC_NAME_MAX_CHARS - 4, false },
		/* the brand at the start of 100 characters */
		{ "keygate", "a", APP_PUBLIC_NAME_MAX_CHARS - 7, false },
	};

	for (size_t i = 0; i < NELEM(cases); i++) {
		const struct brand_case *c = &cases[i];
		char what[160];

		snprintf(what, sizeof(what), "%s, brand '%s'", c->what,
		    c->brand);
		expect_verdict(app_rule_public_name(c->name, c->brand), c->ok,
		    "public_name", what);
	}
	for (size_t i = 0; i < NELEM(lengths); i++) {
		const struct long_case *c = &lengths[i];
		char what[128];
		size_t len;
		char *s = build(c->prefix, c->unit, c->count, &len);

		snprintf(what, sizeof(what), "\"%s\" + %zu x \"%s\"",
		    c->prefix, c->count, c->unit);
		expect_verdict(app_rule_public_name((struct str){ s, len },
		    KG), c->ok, "public_name", what);
		free(s);
	}
}

Test(app_rules, public_name_brand_at_end_of_long_name)
{
	size_t len;
	char *s = build("", "a", APP_PUBLIC_NAME_MAX_CHARS - 7, &len);
	char *t = malloc(len + 8);

	cr_assert_not_null(t);
	memcpy(t, s, len);
	memcpy(t + len, "KeyGate", 7);
	expect_verdict(app_rule_public_name((struct str){ t, len + 7 }, KG),
	    false, "public_name", "93 x a + KeyGate");
	free(t);
	free(s);
}

struct contains_case {
	struct str	 text;
	const char	*brand;
	bool		 want;
	const char	*what;
};

#define CB(lit, brand, want)	{ STR_LIT(lit), (brand), (want), #lit }

Test(app_rules, contains_brand)
{
	static const struct contains_case cases[] = {
		CB("keygate", KG, true),
		CB("KEYGATE", KG, true),
		CB("Key-Gate", KG, true),
		CB("x keygate y", KG, true),
		CB("key gateway", KG, true),
		CB("keygate", "KeyGate", true),
		CB("keygate", "KEY GATE", true),
		CB("keygate", "\xef\xbd\x8b\xef\xbd\x85\xef\xbd\x99"
		    "\xef\xbd\x87\xef\xbd\x81\xef\xbd\x94\xef\xbd\x85", true),
		CB("\xef\xbc\xab\xef\xbc\xa5\xef\xbc\xb9\xef\xbc\xa7"
		    "\xef\xbc\xa1\xef\xbc\xb4\xef\xbc\xa5", KG, true),
		CB("Stra\xc3\x9f" "e", "strasse", true),	/* ß folds */
		CB("STRASSE", "Stra\xc3\x9f" "e", true),
		CB("\xef\xac\x81le", "file", true),		/* ﬁ ligature */
		CB("acme-cloud", AC, true),
		CB("ACME CLOUD INC", AC, true),
		CB("acme2", "Acme 2", true),		/* digits count */
		CB("ACME-2 app", "Acme 2", true),
		CB("\xef\xbd\x81" "cme \xef\xbc\x92", "Acme 2", true),
		CB("acme 3", "Acme 2", false),
		CB("Acme 12", "Acme 2", false),
		/* the text only: a longer brand is not found in a shorter
		 * text */
		CB("key", KG, false),
		CB("gate", KG, false),
		CB("keygat", KG, false),
		CB("gatekey", KG, false),
		CB("Keyboard Gate", KG, false),
		CB("Photo Printer", KG, false),
		CB("Acme", AC, false),
		CB("Cloud Acme", AC, false),
		CB("", KG, false),
		CB("   ", KG, false),
		CB("!!!", KG, false),
		/* a brand with no letters or digits matches nothing */
		CB("Photo", "", false),
		CB("", "", false),
		CB("anything", "---", false),
		CB("---", "---", false),
		/* text that cannot be read is not let through */
		CB("key\xffgate", KG, true),
		/* lookalikes (UTS #39 skeletons), either side */
		CB("k\xd0\xb5ygate", KG, true),		/* Cyrillic е */
		CB("keygate", "k\xd0\xb5ygate", true),
		CB("\xce\x9a\xce\x95\xce\xa5GATE", KG, true),
		CB("keygat\xe2\x84\xae", KG, true),		/* ℮ */
		CB("rnailbox", "Mailbox", true),	/* rn looks like m */
		CB("R N A I L B O X", "mailbox", true),
		CB("PAYPA1", "PayPal", true),		/* 1 looks like l */
		CB("paypaI", "paypal", true),		/* I looks like l */
		CB("Key Largo", KG, false),
		CB("Gate Keeper", KG, false),
		CB("mailbag", "Mailbox", false),
		CB("paypai", "paypal", true),		/* PAYPAI */
		CB("paypad", "paypal", false),
	};

	for (size_t i = 0; i < NELEM(cases); i++) {
		const struct contains_case *c = &cases[i];

		cr_expect_eq(app_rule_contains_brand(c->text, c->brand),
		    c->want, "case %zu: contains_brand(%s, '%s') is %d", i,
		    c->what, c->brand, !c->want);
	}
	cr_expect(!app_rule_contains_brand(STR_NULL, KG));
}

Test(app_rules, logo_url)
{
	static const struct rule_case cases[] = {
		OK(""),				/* no logo */
		OK("https://cdn.example.com/logo.png"),
		OK("https://cdn.example.com/logo.png?v=2"),
		OK("https://cdn.example.com"),
		OK("https://cdn.example.com/"),
		OK("https://cdn.example.com:8443/logo.svg"),
		OK("HTTPS://CDN.EXAMPLE.COM/Logo.PNG"),
		OK("https://[2001:db8::1]/logo.png"),
		OK("https://192.0.2.1/logo.png"),
		OK("https://cdn.example.com/a%20b.png"),

		NO("http://cdn.example.com/logo.png"),
		NO("http://localhost/logo.png"),
		NO("http://127.0.0.1/logo.png"),
		NO("javascript:alert(1)"),
		NO("JAVASCRIPT:alert(1)"),
		NO("data:image/png;base64,iVBORw0KGgo="),
		NO("data:image/svg+xml,x"),
		NO("file:///etc/passwd"),
		NO("ftp://cdn.example.com/logo.png"),
		NO("com.example.app:/logo.png"),
		NO("/logo.png"),
		NO("logo.png"),
		NO("cdn.example.com/logo.png"),
		NO("//cdn.example.com/logo.png"),
		NO("https://user@cdn.example.com/logo.png"),
		NO("https://user:pw@cdn.example.com/logo.png"),
		NO("https://@cdn.example.com/logo.png"),
		NO("https://user@x/"),
		NO("https://x/#f"),
		NO("https://cdn.example.com/logo.png#f"),
		NO("https://cdn.example.com/logo.png#"),
		NO("https://"),
		NO("https:///logo.png"),
		NO("https:/cdn.example.com/logo.png"),
		NO("https:logo.png"),
		NO(" "),
		NO(" https://cdn.example.com/logo.png"),
		NO("https://cdn.example.com/logo.png "),
		NO("https://cdn.example.com/a b.png"),
		NO("https://cdn.example.com/logo.png\n"),
		NO("https://cdn.example.com/\x01"),
		NO("https://cdn.example.com/\0"),
		NO("https://cdn.example.com/caf\xc3\xa9.png"),
		NO("https://cdn.example.com/%zz"),
		NO("https://cdn.example.com:443x/logo.png"),
		NO("https://[::1/logo.png"),
		NO("https://cdn.example.com/\"onerror=\"alert(1)"),
	};
	static const struct long_case lengths[] = {
		{ URI_PREFIX, "a", APP_URI_MAX_BYTES - 20, true },
		{ URI_PREFIX, "a", APP_URI_MAX_BYTES - 20 + 1, false },
		{ URI_PREFIX, "a", 10 * APP_URI_MAX_BYTES, false },
	};

	check_cases(app_rule_logo_url, "logo_url", cases, NELEM(cases));
	check_long(app_rule_logo_url, "logo_url", lengths, NELEM(lengths));
}

Test(app_rules, description)
{
	static const struct rule_case cases[] = {
		OK(""),
		OK("a"),
		OK(" "),
		OK("Prints photos."),
		OK("line one\nline two"),
		OK("line one\r\nline two\r\n"),
		OK("\n\n\n"),
		OK("\tindented"),
		OK("a\tb\tc"),
		OK("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"),
		/* escaped at the sink */
		OK("<script>alert(1)</script>"),

		NO("a\x01" "b"),
		NO("\x01"),
		NO("a\x1b[2J"),
		NO("a\x0b" "b"),
		NO("a\x0c" "b"),
		NO("a\x08" "b"),
		NO("a\x1f"),
		NO("a\x7f"),
		NO("a\0b"),
		NO("\0"),
		NO("a\xc2\x85" "b"),			/* C1 NEL */
		NO("a\xc2\x9b" "2J"),			/* C1 CSI */
		NO("\xff"),
		NO("a\xc3"),
		NO("\x80"),
		NO("\xc0\xaf"),
		NO("\xed\xa0\x80"),
		NO("caf\xe9"),
	};
	static const struct long_case lengths[] = {
		{ "", "a", APP_DESCRIPTION_MAX_CHARS, true },
		{ "", "a", APP_DESCRIPTION_MAX_CHARS + 1, false },
		{ "", "\xc3\xa9", APP_DESCRIPTION_MAX_CHARS, true },
		{ "", "\xc3\xa9", APP_DESCRIPTION_MAX_CHARS + 1, false },
		{ "", "\xe2\x82\xac", APP_DESCRIPTION_MAX_CHARS, true },
		{ "", "\xe2\x82\xac", APP_DESCRIPTION_MAX_CHARS + 1, false },
		{ "", "\xf0\x9f\x98\x80", APP_DESCRIPTION_MAX_CHARS, true },
		{ "", "\xf0\x9f\x98\x80", APP_DESCRIPTION_MAX_CHARS + 1,
		  false },
		{ "", "ab\n", 333, true },			/* 999 */
		{ "", "ab\n", 334, false },			/* 1002 */
		{ "x", "\n", APP_DESCRIPTION_MAX_CHARS - 1, true },
		{ "x", "\n", APP_DESCRIPTION_MAX_CHARS, false },
		{ "", "a", 10 * APP_DESCRIPTION_MAX_CHARS, false },
	};

	check_cases(app_rule_description, "description", cases,
	    NELEM(cases));
	check_long(app_rule_description, "description", lengths,
	    NELEM(lengths));
}

struct split_case {
	struct str	 text;
	size_t		 max;
	size_t		 want;		/* the count returned */
	const char	*lines[4];	/* the first min(want, max) */
};

#define SPLIT(lit, max, want, ...) \
	{ STR_LIT(lit), (max), (want), { __VA_ARGS__ } }

Test(app_rules, split_lines)
{
	static const struct split_case cases[] = {
		SPLIT("\n a \r\n\r\nb  \n", 4, 2, "a", "b"),
		SPLIT("a\r\nb\r\nc", 4, 3, "a", "b", "c"),
		SPLIT("a\r\nb\r\nc\r\n", 4, 3, "a", "b", "c"),
		SPLIT("a\nb\nc", 4, 3, "a", "b", "c"),
		SPLIT("a\rb", 4, 2, "a", "b"),
		SPLIT("a\n\rb", 4, 2, "a", "b"),
		SPLIT("single", 4, 1, "single"),
		SPLIT("  single\t", 4, 1, "single"),
		SPLIT("\t a b \t", 4, 1, "a b"),
		SPLIT("https://a.example/cb\nhttp://localhost/cb", 4, 2,
		    "https://a.example/cb", "http://localhost/cb"),
		SPLIT("\n\n\nx\n\n\n", 4, 1, "x"),
		SPLIT("", 4, 0, NULL),
		SPLIT(" ", 4, 0, NULL),
		SPLIT("\n", 4, 0, NULL),
		SPLIT("\r\n", 4, 0, NULL),
		SPLIT("   \n\t\n \r\n", 4, 0, NULL),
		/* more lines than room: the full count, only max filled */
		SPLIT("a\nb\nc", 2, 3, "a", "b"),
		SPLIT("a\nb\nc\nd\ne\nf", 3, 6, "a", "b", "c"),
		SPLIT("a\n\n b \n\nc", 1, 3, "a"),
		SPLIT("a\nb", 0, 2, NULL),
		SPLIT("a\nb\nc\nd", 4, 4, "a", "b", "c", "d"),
	};

	for (size_t i = 0; i < NELEM(cases); i++) {
		const struct split_case *c = &cases[i];
		struct str lines[5];
		size_t n, filled;

		for (size_t k = 0; k < NELEM(lines); k++)
			lines[k] = STR_LIT("untouched");
		n = app_rule_split_lines(c->text, lines, c->max);
		cr_expect_eq(n, c->want, "case %zu: %zu lines, want %zu", i,
		    n, c->want);
		filled = c->want < c->max ? c->want : c->max;
		for (size_t k = 0; k < filled; k++) {
			struct str want = str_from(c->lines[k]);

			cr_expect(str_eq(lines[k], want),
			    "case %zu line %zu: '%.*s', want '%s'", i, k,
			    (int)lines[k].len, lines[k].p, c->lines[k]);
			/* slices of the text, not copies */
			cr_expect(lines[k].p >= c->text.p &&
			    lines[k].p + lines[k].len <= c->text.p +
			    c->text.len, "case %zu line %zu not in text", i, k);
		}
		for (size_t k = filled; k < NELEM(lines); k++)
			cr_expect(str_eq_lit(lines[k], "untouched"),
			    "case %zu: slot %zu written past max", i, k);
	}
	cr_expect_eq(app_rule_split_lines(STR_LIT("a\nb"), NULL, 0), 2);
	cr_expect_eq(app_rule_split_lines(STR_NULL, NULL, 0), 0);
}

/* Text that displays as something else: bidi overrides and other invisible
 * format characters are refused in every one-line field. */
Test(app_rules, hidden_characters)
{
	static const char *const hostile[] = {
		"\xe2\x80\xae" "etagyek",	/* U+202E + "keygate" reversed */
		"Photo\xe2\x80\x8bPrinter",	/* U+200B zero-width space */
		"Photo\xe2\x80\xa8Printer",	/* U+2028 line separator */
		"Photo\xee\x80\x80Printer",	/* U+E000 private use */
		"a\xc2\x9b" "31m",		/* U+009B, a terminal CSI */
	};

	for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		cr_expect_not_null(app_rule_public_name(str_from(hostile[i]),
		    "keygate"), "public name %zu", i);
		cr_expect_not_null(app_rule_name(str_from(hostile[i])),
		    "name %zu", i);
	}
	/* emoji sequences keep their zero-width joiner */
	cr_expect_null(app_rule_name(str_from(
	    "\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x92\xbb Dev")));
}
