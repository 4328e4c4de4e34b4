#include "core/uri.h"

#include <criterion/criterion.h>
#include <string.h>

#include "base/err.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* Expected split of an accepted URI. NULL for userinfo, query or fragment
 * means the part is absent (has_* false); "" means present but empty. */
struct split_case {
	const char	*in;
	const char	*scheme;
	bool		 authority;
	const char	*userinfo;
	const char	*host;
	const char	*port;
	const char	*path;
	const char	*query;
	const char	*fragment;
};

static bool
slice_is(struct str s, const char *want)
{
	return s.len == strlen(want) &&
	    (s.len == 0 || memcmp(s.p, want, s.len) == 0);
}

static void
expect_part(struct str got, const char *want, const char *part,
    const char *in)
{
	cr_expect(slice_is(got, want), "%s: %s is '%.*s', want '%s'", in, part,
	    (int)got.len, got.p != NULL ? got.p : "", want);
}

/* An optional part: `want` NULL means absent. */
static void
expect_opt(bool has, struct str got, const char *want, const char *part,
    const char *in)
{
	cr_expect_eq(has, want != NULL, "%s: has %s is %d, want %d", in, part,
	    has, want != NULL);
	if (has && want != NULL)
		expect_part(got, want, part, in);
}

Test(uri, parse_splits)
{
	static const struct split_case cases[] = {
		/* in, scheme, authority, userinfo, host, port, path, query,
		 * fragment */
		{ "https://app.example.com/cb", "https", true, NULL,
		  "app.example.com", "", "/cb", NULL, NULL },
		{ "https://example.com", "https", true, NULL,
		  "example.com", "", "", NULL, NULL },
		{ "https://example.com/", "https", true, NULL,
		  "example.com", "", "/", NULL, NULL },
		{ "https://example.com:8443/a/b/c", "https", true, NULL,
		  "example.com", "8443", "/a/b/c", NULL, NULL },
		{ "https://example.com:8080", "https", true, NULL,
		  "example.com", "8080", "", NULL, NULL },
		{ "https://example.com/cb?x=1", "https", true, NULL,
		  "example.com", "", "/cb", "x=1", NULL },
		{ "https://example.com/cb?x=1&y=2", "https", true, NULL,
		  "example.com", "", "/cb", "x=1&y=2", NULL },
		{ "https://example.com/cb?", "https", true, NULL,
		  "example.com", "", "/cb", "", NULL },
		{ "https://example.com?q", "https", true, NULL,
		  "example.com", "", "", "q", NULL },
		{ "https://example.com/cb#frag", "https", true, NULL,
		  "example.com", "", "/cb", NULL, "frag" },
		{ "https://example.com/cb#", "https", true, NULL,
		  "example.com", "", "/cb", NULL, "" },
		{ "https://example.com#f", "https", true, NULL,
		  "example.com", "", "", NULL, "f" },
		{ "https://example.com/a?b#c", "https", true, NULL,
		  "example.com", "", "/a", "b", "c" },
		/* '?' after '#' belongs to the fragment */
		{ "https://example.com/a#b?c", "https", true, NULL,
		  "example.com", "", "/a", NULL, "b?c" },
		{ "https://example.com/a?b/c?d#e/f?g", "https", true, NULL,
		  "example.com", "", "/a", "b/c?d", "e/f?g" },
		/* '@' in path or query is not userinfo */
		{ "https://example.com/a@b", "https", true, NULL,
		  "example.com", "", "/a@b", NULL, NULL },
		{ "https://example.com/?u=a@b", "https", true, NULL,
		  "example.com", "", "/", "u=a@b", NULL },
		/* userinfo */
		{ "https://user:pw@example.com/cb", "https", true, "user:pw",
		  "example.com", "", "/cb", NULL, NULL },
		{ "https://user@example.com/cb", "https", true, "user",
		  "example.com", "", "/cb", NULL, NULL },
		{ "https://@example.com/cb", "https", true, "",
		  "example.com", "", "/cb", NULL, NULL },
		{ "ftp://u:p@h:21/f?q#r", "ftp", true, "u:p",
		  "h", "21", "/f", "q", "r" },
		/* loopback and IP literals */
		{ "http://localhost/cb", "http", true, NULL,
		  "localhost", "", "/cb", NULL, NULL },
		{ "http://localhost:8080/cb", "http", true, NULL,
		  "localhost", "8080", "/cb", NULL, NULL },
		{ "http://127.0.0.1:5000/cb", "http", true, NULL,
		  "127.0.0.1", "5000", "/cb", NULL, NULL },
		{ "http://[::1]:9/cb", "http", true, NULL,
		  "[::1]", "9", "/cb", NULL, NULL },
		{ "http://[::1]/cb", "http", true, NULL,
		  "[::1]", "", "/cb", NULL, NULL },
		{ "http://[::1]", "http", true, NULL,
		  "[::1]", "", "", NULL, NULL },
		{ "https://[2001:db8::1]:443/x", "https", true, NULL,
		  "[2001:db8::1]", "443", "/x", NULL, NULL },
		{ "https://u@[::1]:1/", "https", true, "u",
		  "[::1]", "1", "/", NULL, NULL },
		{ "https://192.0.2.1:65535/", "https", true, NULL,
		  "192.0.2.1", "65535", "/", NULL, NULL },
		{ "https://example.com:0/", "https", true, NULL,
		  "example.com", "0", "/", NULL, NULL },
		/* RFC 3986 §3.2.3: the port may be empty */
		{ "https://example.com:/", "https", true, NULL,
		  "example.com", "", "/", NULL, NULL },
		/* empty authority */
		{ "https://", "https", true, NULL,
		  "", "", "", NULL, NULL },
		{ "https:///path", "https", true, NULL,
		  "", "", "/path", NULL, NULL },
		{ "file:///etc/passwd", "file", true, NULL,
		  "", "", "/etc/passwd", NULL, NULL },
		/* no authority */
		{ "com.example.app:/cb", "com.example.app", false, NULL,
		  "", "", "/cb", NULL, NULL },
		{ "com.example.app://cb", "com.example.app", true, NULL,
		  "cb", "", "", NULL, NULL },
		{ "com.example.app:cb", "com.example.app", false, NULL,
		  "", "", "cb", NULL, NULL },
		{ "mailto:user@example.com", "mailto", false, NULL,
		  "", "", "user@example.com", NULL, NULL },
		{ "urn:isbn:0451450523", "urn", false, NULL,
		  "", "", "isbn:0451450523", NULL, NULL },
		{ "javascript:alert(1)", "javascript", false, NULL,
		  "", "", "alert(1)", NULL, NULL },
		{ "data:text/html,x", "data", false, NULL,
		  "", "", "text/html,x", NULL, NULL },
		{ "https:/example.com/cb", "https", false, NULL,
		  "", "", "/example.com/cb", NULL, NULL },
		{ "https:example.com", "https", false, NULL,
		  "", "", "example.com", NULL, NULL },
		{ "https:", "https", false, NULL,
		  "", "", "", NULL, NULL },
		{ "a:", "a", false, NULL,
		  "", "", "", NULL, NULL },
		{ "a:?q#f", "a", false, NULL,
		  "", "", "", "q", "f" },
		/* scheme characters and case are kept as given */
		{ "HTTPS://EXAMPLE.COM/", "HTTPS", true, NULL,
		  "EXAMPLE.COM", "", "/", NULL, NULL },
		{ "a+b-c.d9:x", "a+b-c.d9", false, NULL,
		  "", "", "x", NULL, NULL },
		{ "z:/", "z", false, NULL,
		  "", "", "/", NULL, NULL },
		/* percent escapes stay encoded */
		{ "https://example.com/a%20b", "https", true, NULL,
		  "example.com", "", "/a%20b", NULL, NULL },
		{ "https://example.com/%aF%Af%00", "https", true, NULL,
		  "example.com", "", "/%aF%Af%00", NULL, NULL },
		{ "https://ex%61mple.com/", "https", true, NULL,
		  "ex%61mple.com", "", "/", NULL, NULL },
		/* every sub-delim and unreserved character */
		{ "https://h/-._~!$&'()*+,;=:@", "https", true, NULL,
		  "h", "", "/-._~!$&'()*+,;=:@", NULL, NULL },
	};

	for (size_t i = 0; i < NELEM(cases); i++) {
		const struct split_case *c = &cases[i];
		struct uri u;
		int rc;

		memset(&u, 0xa5, sizeof(u));
		rc = uri_parse(str_from(c->in), &u);
		cr_expect_eq(rc, 0, "case %zu: %s: rc %d, want 0", i, c->in,
		    rc);
		if (rc != 0)
			continue;
		expect_part(u.scheme, c->scheme, "scheme", c->in);
		cr_expect_eq(u.has_authority, c->authority,
		    "%s: has_authority %d, want %d", c->in, u.has_authority,
		    c->authority);
		expect_opt(u.has_userinfo, u.userinfo, c->userinfo,
		    "userinfo", c->in);
		expect_part(u.host, c->host, "host", c->in);
		expect_part(u.port, c->port, "port", c->in);
		expect_part(u.path, c->path, "path", c->in);
		expect_opt(u.has_query, u.query, c->query, "query", c->in);
		expect_opt(u.has_fragment, u.fragment, c->fragment,
		    "fragment", c->in);
	}
}

/* The parts are slices of the input, not copies. */
Test(uri, parse_slices_input)
{
	const char *in = "https://u@h:1/p?q#f";
	struct uri u;

	cr_assert_eq(uri_parse(str_from(in), &u), 0);
	cr_expect_eq(u.scheme.p, in);
	cr_expect_eq(u.userinfo.p, in + 8);
	cr_expect_eq(u.host.p, in + 10);
	cr_expect_eq(u.port.p, in + 12);
	cr_expect_eq(u.path.p, in + 13);
	cr_expect_eq(u.query.p, in + 16);
	cr_expect_eq(u.fragment.p, in + 18);
}

/* Only the slice is parsed, not the bytes after it. */
Test(uri, parse_slice_bounds)
{
	const char *in = "https://example.com/cb#frag";
	struct uri u;

	cr_assert_eq(uri_parse((struct str){ in, 22 }, &u), 0);
	cr_expect(!u.has_fragment);
	cr_expect(slice_is(u.path, "/cb"));
	cr_expect_eq(uri_parse((struct str){ in, 5 }, &u), ERR_INVALID,
	    "'https' alone has no ':'");
	cr_expect_eq(uri_parse(STR_NULL, &u), ERR_INVALID);
	/* An escape cut by the slice's end is cut, even when the byte after
	 * the slice would complete it. */
	in = "https://example.com/%41";
	cr_expect_eq(uri_parse((struct str){ in, strlen(in) - 1 }, &u),
	    ERR_INVALID, "'%%4' at the end of the slice");
	cr_expect_eq(uri_parse((struct str){ in, strlen(in) - 2 }, &u),
	    ERR_INVALID, "'%%' at the end of the slice");
	cr_expect_eq(uri_parse((struct str){ in, strlen(in) }, &u), 0);
}

struct bad_case {
	struct str	 in;
	const char	*what;
};

#define BAD(lit)	{ STR_LIT(lit), #lit }

Test(uri, parse_refused)
{
	static const struct bad_case cases[] = {
		/* no scheme */
		BAD(""),
		BAD("/cb"),
		BAD("//example.com/cb"),
		BAD("example.com/cb"),
		BAD("example.com"),
		BAD("https"),
		BAD(":"),
		BAD("://example.com/"),
		BAD("?x:y"),
		BAD("#x:y"),
		BAD("/a:b"),
		/* scheme not ALPHA *( ALPHA / DIGIT / + - . ) */
		BAD("1http://example.com/"),
		BAD("9:x"),
		BAD("+http://example.com/"),
		BAD("-a:x"),
		BAD(".a:x"),
		BAD("h_t:x"),
		BAD("h~t:x"),
		BAD("h%74tp://example.com/"),
		BAD("ht!tp://example.com/"),
		BAD("http//example.com/"),
		/* spaces */
		BAD(" https://example.com/"),
		BAD("https://example.com/ "),
		BAD("https ://example.com/"),
		BAD("https: //example.com/"),
		BAD("https://ex ample.com/"),
		BAD("https://example.com/a b"),
		BAD("https://example.com/?a=b c"),
		BAD("https://example.com/#a b"),
		/* non-ASCII */
		BAD("https://ex\xc3\xa4mple.com/"),
		BAD("https://example.com/\xc3\xa9"),
		BAD("https://example.com/?q=\xe2\x82\xac"),
		BAD("https://example.com/#\xf0\x9f\x98\x80"),
		BAD("h\xc3\xa9:x"),
		BAD("https://example.com/\x80"),
		BAD("https://example.com/\xff"),
		/* control bytes */
		BAD("https://example.com/\t"),
		BAD("https://example.com/\n"),
		BAD("https://example.com/\r\n"),
		BAD("https://example.com/a\nb"),
		BAD("https://exa\rmple.com/"),
		BAD("https://example.com/\x01"),
		BAD("https://example.com/\x1f"),
		BAD("https://example.com/\x7f"),
		BAD("https://example.com/\0"),
		BAD("https://example.com/a\0b"),
		BAD("ht\0tp://example.com/"),
		BAD("\0https://example.com/"),
		/* characters RFC 3986 does not allow anywhere */
		BAD("https://example.com/\""),
		BAD("https://example.com/<"),
		BAD("https://example.com/>"),
		BAD("https://example.com/\\"),
		BAD("https://example.com\\@evil.com/"),
		BAD("https://example.com/^"),
		BAD("https://example.com/`"),
		BAD("https://example.com/{"),
		BAD("https://example.com/}"),
		BAD("https://example.com/|"),
		/* bad percent escapes */
		BAD("https://example.com/%zz"),
		BAD("https://example.com/%4"),
		BAD("https://example.com/%4/"),
		BAD("https://example.com/%"),
		BAD("https://example.com/a%"),
		BAD("https://example.com/%%"),
		BAD("https://example.com/%%41"),
		BAD("https://example.com/%g0"),
		BAD("https://example.com/%0g"),
		BAD("https://example.com/% 1"),
		BAD("https://example.com/?q=%zz"),
		BAD("https://example.com/?q=%"),
		BAD("https://example.com/#%zz"),
		BAD("https://example.com/#%"),
		BAD("https://ex%zzample.com/"),
		BAD("https://u%zz@example.com/"),
		/* ports: decimal, at most 5 digits */
		BAD("https://example.com:http/"),
		BAD("https://example.com:8a/"),
		BAD("https://example.com:a8/"),
		BAD("https://example.com:-1/"),
		BAD("https://example.com:+1/"),
		BAD("https://example.com: 80/"),
		BAD("https://example.com:80:80/"),
		BAD("https://example.com:0x50/"),
		BAD("https://example.com:123456/"),
		BAD("https://example.com:000080/"),
		BAD("https://example.com:99999999999999999999/"),
		BAD("http://[::1]:abc/"),
		BAD("http://[::1]:123456/"),
		BAD("http://localhost:8080a/cb"),
		/* two '@' */
		BAD("https://a@b@example.com/"),
		BAD("https://@@example.com/"),
		BAD("https://user@evil.com@example.com/"),
		BAD("https://u:p@[::1]@h/"),
		/* unbalanced or misplaced brackets in the authority */
		BAD("https://[::1/"),
		BAD("https://[::1"),
		BAD("https://::1]/"),
		BAD("https://]/"),
		BAD("https://[/"),
		BAD("https://[::1]]/"),
		BAD("https://[[::1]/"),
		BAD("https://[::1]x/"),
		BAD("https://[::1]80/"),
		BAD("https://[::1]:80]/"),
		BAD("https://ex[ample.com/"),
		BAD("https://ex]ample.com/"),
		BAD("https://example.com]/"),
		BAD("https://example.com:[80]/"),
		BAD("https://[a]b]/"),
		/* brackets in the path */
		BAD("https://example.com/["),
		BAD("https://example.com/]"),
		BAD("https://example.com/[x]"),
		BAD("https://example.com/a[0]=1"),
		BAD("com.example.app:/[::1]"),
		BAD("urn:[x]"),
		BAD("a:]"),
	};

	for (size_t i = 0; i < NELEM(cases); i++) {
		struct uri u;
		int rc = uri_parse(cases[i].in, &u);

		cr_expect_eq(rc, ERR_INVALID, "case %zu: %s: rc %d, want %d",
		    i, cases[i].what, rc, ERR_INVALID);
	}
}

/* Every single byte after "a:": allowed ones parse, the others do not. */
Test(uri, parse_every_byte)
{
	static const char allowed[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	    "-._~!$&'()*+,;=:@/?#";

	for (unsigned c = 0; c < 256; c++) {
		char buf[3] = { 'a', ':', (char)c };
		struct uri u;
		bool want = c != 0 && strchr(allowed, (int)c) != NULL;
		int rc = uri_parse((struct str){ buf, 3 }, &u);

		cr_expect_eq(rc == 0, want, "byte 0x%02x: rc %d", c, rc);
	}
}

struct host_case {
	struct str	 host;
	bool		 loopback;
	bool		 loopback_ip;
};

#define H(lit, lo, ip)	{ STR_LIT(lit), (lo), (ip) }

Test(uri, host_is_loopback)
{
	static const struct host_case cases[] = {
		H("localhost", true, false),
		H("LOCALHOST", true, false),
		H("LocalHost", true, false),
		H("lOcAlHoSt", true, false),
		H("127.0.0.1", true, true),
		H("[::1]", true, true),
		/* only the three hosts RFC 8252 names */
		H("127.0.0.2", false, false),
		H("127.0.0.10", false, false),
		H("127.1", false, false),
		H("127.000.000.001", false, false),
		H("0127.0.0.1", false, false),
		H("127.0.0.1.", false, false),
		H("0.0.0.0", false, false),
		H("::1", false, false),
		H("[::1", false, false),
		H("::1]", false, false),
		H("[::01]", false, false),
		H("[0:0:0:0:0:0:0:1]", false, false),
		H("[::ffff:127.0.0.1]", false, false),
		H("[::2]", false, false),
		H("[::]", false, false),
		H("localhost.example.com", false, false),
		H("localhost.", false, false),
		H("localhos", false, false),
		H("localhostt", false, false),
		H("xlocalhost", false, false),
		H("local-host", false, false),
		H("localhost:80", false, false),
		H("127.0.0.1:80", false, false),
		H("[::1]:80", false, false),
		H(" localhost", false, false),
		H("localhost ", false, false),
		H("localhost\0", false, false),
		H("127.0.0.1\0", false, false),
		H("%6cocalhost", false, false),
		H("example.com", false, false),
		H("", false, false),
	};

	for (size_t i = 0; i < NELEM(cases); i++) {
		const struct host_case *c = &cases[i];

		cr_expect_eq(uri_host_is_loopback(c->host), c->loopback,
		    "case %zu: loopback('%.*s') is %d", i, (int)c->host.len,
		    c->host.p, !c->loopback);
		cr_expect_eq(uri_host_is_loopback_ip(c->host), c->loopback_ip,
		    "case %zu: loopback_ip('%.*s') is %d", i,
		    (int)c->host.len, c->host.p, !c->loopback_ip);
	}
	cr_expect(!uri_host_is_loopback(STR_NULL));
	cr_expect(!uri_host_is_loopback_ip(STR_NULL));
}
