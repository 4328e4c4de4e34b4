#include "core/cimd_rules.h"

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <string.h>

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

Test(cimd_rules, which_client_ids_are_urls)
{
	cr_expect(cimd_is_url(str_from("https://c.example/m.json")));
	cr_expect(cimd_is_url(str_from("HTTPS://c.example/m.json")));
	cr_expect(cimd_is_url(str_from("http://c.example/m.json")));
	cr_expect(!cimd_is_url(str_from("kg_ak_abcdef")));
	cr_expect(!cimd_is_url(str_from("https")));
	cr_expect(!cimd_is_url(str_from("")));
}

Test(cimd_rules, urls)
{
	static const struct { const char *url; const char *why; } cases[] = {
		{ "https://c.example/client.json", NULL },
		{ "https://c.example:8443/a/b?x=1", NULL },
		{ "https://[2001:db8::1]/c", NULL },
		{ "http://c.example/client.json", "absolute https URL" },
		{ "https:/c.example/x", "absolute https URL" },
		{ "https://c.example", "must have a path" },
		{ "https://c.example/", "must have a path" },
		{ "https://u:p@c.example/x", "user name or password" },
		{ "https://c.example/x#frag", "#fragment" },
		{ "https://c.example/a/./b", ". or .. path" },
		{ "https://c.example/a/..", ". or .. path" },
		{ "https://c.example/a b", "absolute https URL" },
	};
	char longurl[300];

	for (size_t i = 0; i < NELEM(cases); i++) {
		const char *why = cimd_rule_url(str_from(cases[i].url));

		if (cases[i].why == NULL)
			cr_expect_null(why, "%s: %s", cases[i].url, why);
		else
			cr_expect(why != NULL && strstr(why, cases[i].why),
			    "%s: %s", cases[i].url, why ? why : "(null)");
	}
	memset(longurl, 'a', sizeof(longurl) - 1);
	longurl[sizeof(longurl) - 1] = '\0';
	memcpy(longurl, "https://c.example/", 18);
	cr_expect(strstr(cimd_rule_url(str_from(longurl)), "255 bytes"));
	longurl[CIMD_URL_MAX_BYTES] = '\0';
	cr_expect_null(cimd_rule_url(str_from(longurl)));
}

static bool
special(const char *text)
{
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6 };
	struct sockaddr_in a4 = { .sin_family = AF_INET };

	if (inet_pton(AF_INET, text, &a4.sin_addr) == 1)
		return cimd_addr_special((struct sockaddr *)&a4);
	cr_assert(inet_pton(AF_INET6, text, &a6.sin6_addr) == 1, "%s", text);
	return cimd_addr_special((struct sockaddr *)&a6);
}

Test(cimd_rules, address_ranges)
{
	static const char *refused[] = {
		"0.0.0.0", "10.1.2.3", "100.64.0.1", "127.0.0.1",
		"127.255.255.254", "169.254.169.254", "172.16.0.1",
		"172.31.255.255", "192.0.0.8", "192.0.2.1", "192.168.1.1",
		"198.18.0.1", "198.51.100.7", "203.0.113.9", "224.0.0.1",
		"239.255.255.250", "240.0.0.1", "255.255.255.255",
		"::", "::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1",
		"::127.0.0.1", "64:ff9b::a00:1", "fc00::1", "fd12:3456::1",
		"fe80::1", "fec0::1", "ff02::1", "2001:db8::1", "2001::1",
		"2002:7f00:1::1", "2002:c0a8:101::", "100::1", "3fff::1",
	};
	static const char *allowed[] = {
		"1.1.1.1", "8.8.8.8", "172.32.0.1", "172.15.255.255",
		"100.128.0.1", "192.169.0.1", "93.184.216.34",
		"2606:4700::1111", "2a00:1450:4001::1", "::ffff:8.8.8.8",
		"64:ff9b::808:808", "2002:808:808::1",
	};

	for (size_t i = 0; i < NELEM(refused); i++)
		cr_expect(special(refused[i]), "%s should be refused",
		    refused[i]);
	for (size_t i = 0; i < NELEM(allowed); i++)
		cr_expect(!special(allowed[i]), "%s should be allowed",
		    allowed[i]);
}

Test(cimd_rules, lifetimes)
{
	int64_t now = 1765000000;	/* 2025-12-06T05:46:40Z */

	cr_expect_eq(cimd_lifetime(NULL, NULL, NULL, now), CIMD_DEFAULT_TTL_S);
	cr_expect_eq(cimd_lifetime("max-age=120", NULL, NULL, now), 120);
	cr_expect_eq(cimd_lifetime("public, MAX-AGE=\"90\"", NULL, NULL, now),
	    90);
	cr_expect_eq(cimd_lifetime("max-age=999999", NULL, NULL, now),
	    CIMD_MAX_TTL_S);
	cr_expect_eq(cimd_lifetime("max-age=0", NULL, NULL, now), 0);
	cr_expect_eq(cimd_lifetime("max-age=abc", NULL, NULL, now), 0);
	cr_expect_eq(cimd_lifetime("no-store", NULL, NULL, now), 0);
	cr_expect_eq(cimd_lifetime("max-age=60, no-cache", NULL, NULL, now),
	    0);
	cr_expect_eq(cimd_lifetime("private", NULL, NULL, now),
	    CIMD_DEFAULT_TTL_S);
	cr_expect_eq(cimd_lifetime("s-maxage=10", NULL, NULL, now),
	    CIMD_DEFAULT_TTL_S);
	cr_expect_eq(cimd_lifetime("no-storex", NULL, NULL, now),
	    CIMD_DEFAULT_TTL_S);
	/* Expires against Date, else against now; max-age wins */
	cr_expect_eq(cimd_lifetime(NULL, "Sat, 06 Dec 2025 06:46:40 GMT",
	    "Sat, 06 Dec 2025 06:16:40 GMT", now), 1800);
	cr_expect_eq(cimd_lifetime(NULL, "Sat, 06 Dec 2025 05:56:40 GMT",
	    NULL, now), 600);
	cr_expect_eq(cimd_lifetime("max-age=30", "Sat, 06 Dec 2025 06:46:40 "
	    "GMT", NULL, now), 30);
	cr_expect_eq(cimd_lifetime(NULL, "0", NULL, now), 0);
	cr_expect_eq(cimd_lifetime(NULL, "Thu, 01 Jan 2004 00:00:00 GMT",
	    NULL, now), 0);
	cr_expect_eq(cimd_lifetime(NULL, "Sat, 01 Jan 2050 00:00:00 GMT",
	    NULL, now), CIMD_MAX_TTL_S);
}

static const char *
check(const char *body, const char *url, struct cimd_doc *d)
{
	return cimd_rule_document(body, strlen(body), str_from(url),
	    "keygate", d);
}

Test(cimd_rules, documents)
{
	static const char *url = "https://c.example/m.json";
	static const struct { const char *body; const char *why; } bad[] = {
		{ "[]", "not a JSON object" },
		{ "{\"client_id\":\"https://c.example/m.json\",",
		  "not a JSON" },
		{ "{\"client_id\":\"https://c.example/M.json\","
		  "\"redirect_uris\":[\"https://c.example/cb\"]}",
		  "its own URL" },
		{ "{\"client_id\":\"https://c.example/m.json\"}",
		  "non-empty array" },
		{ "{\"client_id\":\"https://c.example/m.json\","
		  "\"redirect_uris\":[]}", "non-empty array" },
		{ "{\"client_id\":\"https://c.example/m.json\","
		  "\"redirect_uris\":[42]}", "non-empty string" },
		{ "{\"client_id\":\"https://c.example/m.json\","
		  "\"redirect_uris\":[\"cb\"]}", "absolute URI" },
		{ "{\"client_id\":\"https://c.example/m.json\","
		  "\"redirect_uris\":[\"https://c.example/cb\"],"
		  "\"token_endpoint_auth_method\":\"private_key_jwt\"}",
		  "public client" },
		{ "{\"client_id\":\"https://c.example/m.json\","
		  "\"redirect_uris\":[\"https://c.example/cb\"],"
		  "\"client_secret\":\"s\"}", "public client" },
		{ "{\"client_id\":\"https://c.example/m.json\","
		  "\"redirect_uris\":[\"https://c.example/cb\"],"
		  "\"client_name\":\"KEYGATE Sync\"}", "brand" },
		{ "{\"client_id\":\"https://c.example/m.json\","
		  "\"redirect_uris\":[\"https://c.example/cb\"],"
		  "\"client_name\":7}", "client_name" },
		{ "{\"client_id\":\"https://c.example/m.json\","
		  "\"redirect_uris\":[\"https://c.example/cb\"],"
		  "\"logo_uri\":\"http://c.example/l.png\"}", "logo_uri" },
		{ "{\"client_id\":\"https://c.example/m.json\","
		  "\"client_id\":\"https://c.example/m.json\","
		  "\"redirect_uris\":[\"https://c.example/cb\"]}",
		  "not a JSON object" },
	};
	struct cimd_doc d;
	const char *why;

	for (size_t i = 0; i < NELEM(bad); i++) {
		why = check(bad[i].body, url, &d);
		cr_expect(why != NULL && strstr(why, bad[i].why), "%zu: %s", i,
		    why ? why : "(null)");
	}
	why = check("{\"client_id\":\"https://c.example/m.json\","
	    "\"client_name\":\"Sync\",\"token_endpoint_auth_method\":\"none\","
	    "\"redirect_uris\":[\"https://c.example/cb\","
	    "\"http://127.0.0.1/cb\"],\"logo_uri\":\"https://c.example/l.png\","
	    "\"client_uri\":\"https://c.example/\",\"scope\":\"x\"}", url, &d);
	cr_assert_null(why, "%s", why);
	cr_expect_str_eq(d.client_name, "Sync");
	cr_expect_str_eq(d.redirect_uris,
	    "https://c.example/cb\nhttp://127.0.0.1/cb");
	cr_expect_str_eq(d.logo_uri, "https://c.example/l.png");
	cr_expect_str_eq(d.client_uri, "https://c.example/");
}
