#include "core/cimd_rules.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <jansson.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "core/app_rules.h"
#include "core/uri.h"

bool
cimd_is_url(struct str client_id)
{
	return (client_id.len >= 6 && str_eq_nocase((struct str){
	    client_id.p, 6 }, "https:")) || (client_id.len >= 5 &&
	    str_eq_nocase((struct str){ client_id.p, 5 }, "http:"));
}

/* A "." or ".." segment would let two spellings name one document. */
static bool
dot_segment(struct str path)
{
	size_t i = 0;

	while (i < path.len) {
		size_t j = i + 1;

		while (j < path.len && path.p[j] != '/')
			j++;
		if ((j - i == 2 && path.p[i + 1] == '.') || (j - i == 3 &&
		    path.p[i + 1] == '.' && path.p[i + 2] == '.'))
			return true;
		i = j;
	}
	return false;
}

const char *
cimd_rule_url(struct str s)
{
	struct uri u;

	if (s.len > CIMD_URL_MAX_BYTES)
		return "A client_id URL may be at most 255 bytes long.";
	if (uri_parse(s, &u) != 0 || !str_eq_lit(u.scheme, "https") ||
	    !u.has_authority || u.host.len == 0)
		return "A client_id URL must be an absolute https URL.";
	if (u.has_userinfo)
		return "A client_id URL may not hold a user name or password.";
	if (u.has_fragment)
		return "A client_id URL may not have a #fragment.";
	if (u.path.len < 2)
		return "A client_id URL must have a path.";
	if (dot_segment(u.path))
		return "A client_id URL may not hold . or .. path segments.";
	return NULL;
}

/* IPv4, in host order. */
static bool
v4_special(uint32_t a)
{
	static const struct { uint32_t net; int bits; } nets[] = {
		{ 0x00000000, 8 },	/* "this network", unspecified */
		{ 0x0a000000, 8 },	/* RFC 1918 */
		{ 0x64400000, 10 },	/* shared address space */
		{ 0x7f000000, 8 },	/* loopback */
		{ 0xa9fe0000, 16 },	/* link-local */
		{ 0xac100000, 12 },	/* RFC 1918 */
		{ 0xc0000000, 24 },	/* IETF protocol assignments */
		{ 0xc0000200, 24 },	/* documentation */
		{ 0xc0586300, 24 },	/* 6to4 relay anycast */
		{ 0xc0a80000, 16 },	/* RFC 1918 */
		{ 0xc6120000, 15 },	/* benchmarking */
		{ 0xc6336400, 24 },	/* documentation */
		{ 0xcb007100, 24 },	/* documentation */
		{ 0xe0000000, 4 },	/* multicast */
		{ 0xf0000000, 4 },	/* reserved, broadcast */
	};

	for (size_t i = 0; i < sizeof(nets) / sizeof(nets[0]); i++) {
		uint32_t mask = 0xffffffffu << (32 - nets[i].bits);

		if ((a & mask) == nets[i].net)
			return true;
	}
	return false;
}

static uint32_t
v4_at(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	    (uint32_t)b[2] << 8 | b[3];
}

static bool
v6_special(const uint8_t *b)
{
	static const uint8_t zero[12];

	/* ::ffff:a.b.c.d, 64:ff9b::a.b.c.d (NAT64): the IPv4 address */
	if (memcmp(b, zero, 10) == 0 && b[10] == 0xff && b[11] == 0xff)
		return v4_special(v4_at(b + 12));
	if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b &&
	    memcmp(b + 4, zero, 8) == 0)
		return v4_special(v4_at(b + 12));
	/* 6to4 carries its IPv4 address in bits 16-47 */
	if (b[0] == 0x20 && b[1] == 0x02)
		return v4_special(v4_at(b + 2));
	/* outside global unicast (2000::/3): unspecified, loopback,
	 * IPv4-compatible, discard, ULA fc00::/7, link-local, multicast */
	if ((b[0] & 0xe0) != 0x20)
		return true;
	/* 2001::/23 (Teredo, benchmarking, ORCHID), 2001:db8::/32 and
	 * 3fff::/20 (documentation) */
	if (b[0] == 0x20 && b[1] == 0x01 && (b[2] & 0xfe) == 0)
		return true;
	if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8)
		return true;
	return b[0] == 0x3f && b[1] == 0xff && (b[2] & 0xf0) == 0;
}

bool
cimd_addr_special(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return v4_special(ntohl(((const struct sockaddr_in *)
		    (const void *)sa)->sin_addr.s_addr));
	if (sa->sa_family == AF_INET6)
		return v6_special(((const struct sockaddr_in6 *)
		    (const void *)sa)->sin6_addr.s6_addr);
	return true;
}

/* The directive `name` at p (case-insensitive), followed by '=', ',',
 * a blank or the end. */
static bool
directive_is(const char *p, const char *name)
{
	size_t n = strlen(name);

	return strncasecmp(p, name, n) == 0 && (p[n] == '\0' ||
	    p[n] == '=' || p[n] == ',' || p[n] == ' ' || p[n] == '\t');
}

/* max-age's seconds, or -1 when absent; *never set by no-store and
 * no-cache. A malformed max-age counts as 0 (RFC 9111 §4.2.1: stale). */
static int64_t
max_age(const char *cc, bool *never)
{
	int64_t age = -1;

	for (const char *p = cc; *p != '\0';) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (directive_is(p, "no-store") || directive_is(p, "no-cache"))
			*never = true;
		else if (directive_is(p, "max-age")) {
			const char *v = p + 7;
			char *end;
			long long n;

			if (*v == '=')
				v++;
			if (*v == '"')
				v++;
			n = *v >= '0' && *v <= '9' ? strtoll(v, &end, 10) : 0;
			age = n < 0 ? 0 : n;
		}
		while (*p != '\0' && *p != ',')
			p++;
	}
	return age;
}

int64_t
cimd_lifetime(const char *cc, const char *expires, const char *date,
    int64_t now)
{
	bool never = false;
	int64_t ttl = cc != NULL ? max_age(cc, &never) : -1;

	if (never)
		return 0;
	if (ttl < 0 && expires != NULL) {
		time_t e = curl_getdate(expires, NULL);
		time_t d = date != NULL ? curl_getdate(date, NULL) : -1;

		ttl = e < 0 ? 0 : (int64_t)e - (d < 0 ? now : (int64_t)d);
		if (ttl < 0)
			ttl = 0;
	}
	if (ttl < 0)
		ttl = CIMD_DEFAULT_TTL_S;
	return ttl > CIMD_MAX_TTL_S ? CIMD_MAX_TTL_S : ttl;
}

/* A string member: its value into out (size bytes) or, absent, "".
 * Returns false when it is present but no string, holds a NUL, or is too
 * long. */
static bool
member_string(json_t *doc, const char *key, char *out, size_t size)
{
	json_t *v = json_object_get(doc, key);
	size_t len;

	out[0] = '\0';
	if (v == NULL)
		return true;
	if (!json_is_string(v))
		return false;
	len = json_string_length(v);
	if (len >= size || memchr(json_string_value(v), '\0', len) != NULL)
		return false;
	memcpy(out, json_string_value(v), len + 1);
	return true;
}

/* redirect_uris into out, newline-separated, checked as an app's. */
static const char *
redirect_uris(json_t *doc, char *out, size_t size)
{
	json_t *a = json_object_get(doc, "redirect_uris"), *v;
	struct str uris[APP_MAX_REDIRECT_URIS];
	size_t i, n, at = 0;

	if (!json_is_array(a) || json_array_size(a) == 0)
		return "The client's metadata document must list its "
		    "redirect_uris (a non-empty array).";
	n = json_array_size(a);
	if (n > APP_MAX_REDIRECT_URIS)
		return "The client's metadata document lists more than 10 "
		    "redirect_uris.";
	json_array_foreach(a, i, v) {
		size_t len = json_is_string(v) ? json_string_length(v) : 0;

		if (!json_is_string(v) || len == 0 || len > APP_URI_MAX_BYTES ||
		    memchr(json_string_value(v), '\0', len) != NULL ||
		    memchr(json_string_value(v), '\n', len) != NULL)
			return "Each of the client's redirect_uris must be a "
			    "non-empty string.";
		memcpy(out + at, json_string_value(v), len);
		uris[i] = (struct str){ out + at, len };
		at += len;
		out[at++] = i + 1 < n ? '\n' : '\0';
	}
	(void)size;
	return app_rule_redirect_uris(uris, n);
}

static const char *
document_fields(json_t *doc, struct str url, const char *brand,
    struct cimd_doc *out)
{
	char method[32];
	const char *why;

	if (!json_is_string(json_object_get(doc, "client_id")) ||
	    !str_eq((struct str){ json_string_value(json_object_get(doc,
	    "client_id")), json_string_length(json_object_get(doc,
	    "client_id")) }, url))
		return "The client's metadata document must name its own URL "
		    "as its client_id.";
	if (!member_string(doc, "token_endpoint_auth_method", method,
	    sizeof(method)) || (method[0] != '\0' &&
	    strcmp(method, "none") != 0) ||
	    json_object_get(doc, "client_secret") != NULL)
		return "A client with a metadata document is a public "
		    "client: its token_endpoint_auth_method must be none "
		    "and it has no secret.";
	if ((why = redirect_uris(doc, out->redirect_uris,
	    sizeof(out->redirect_uris))) != NULL)
		return why;
	if (!member_string(doc, "client_name", out->client_name,
	    sizeof(out->client_name)))
		return "The client's client_name must be a string of at most "
		    "100 characters.";
	if (out->client_name[0] != '\0' && (why = app_rule_public_name(
	    str_from(out->client_name), brand)) != NULL)
		return why;
	if (!member_string(doc, "logo_uri", out->logo_uri,
	    sizeof(out->logo_uri)) || app_rule_logo_url(
	    str_from(out->logo_uri)) != NULL)
		return "The client's logo_uri must be an https URL.";
	if (!member_string(doc, "client_uri", out->client_uri,
	    sizeof(out->client_uri)) || app_rule_logo_url(
	    str_from(out->client_uri)) != NULL)
		return "The client's client_uri must be an https URL.";
	return NULL;
}

const char *
cimd_rule_document(const char *body, size_t len, struct str url,
    const char *brand, struct cimd_doc *out)
{
	json_t *doc;
	const char *why;

	memset(out, 0, sizeof(*out));
	doc = json_loadb(body, len, JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_object(doc))
		why = "The client's metadata document is not a JSON object.";
	else
		why = document_fields(doc, url, brand, out);
	json_decref(doc);
	return why;
}
