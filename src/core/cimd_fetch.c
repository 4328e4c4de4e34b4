#include "core/cimd_fetch.h"

#include <curl/curl.h>
#include <netdb.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/clock.h"
#include "base/mem.h"
#include "core/uri.h"

#define MAX_ALLOW_HOSTS	32
#define HOST_MAX_BYTES	256

struct cimd_fetcher {
	size_t	 nallow;
	char	 allow[MAX_ALLOW_HOSTS][HOST_MAX_BYTES];
	char	*ca;	/* the system's bundle, then the file's */
	size_t	 calen;
};

/* The whole of path appended to f->ca; false when it cannot be read. */
static bool
ca_append(struct cimd_fetcher *f, const char *path)
{
	FILE *fp = fopen(path, "rb");
	char chunk[4096];
	size_t n;

	if (fp == NULL)
		return false;
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0) {
		f->ca = xrealloc(f->ca, f->calen + n + 2);
		memcpy(f->ca + f->calen, chunk, n);
		f->calen += n;
	}
	f->ca = xrealloc(f->ca, f->calen + 2);
	f->ca[f->calen++] = '\n';
	fclose(fp);
	return true;
}

/* libcurl replaces its default bundle by a blob: the blob holds both. */
static bool
ca_load(struct cimd_fetcher *f, const char *ca_file)
{
	CURL *c = curl_easy_init();
	char *sys = NULL;

	if (c == NULL)
		return false;
	if (curl_easy_getinfo(c, CURLINFO_CAINFO, &sys) == CURLE_OK &&
	    sys != NULL)
		(void)ca_append(f, sys);
	curl_easy_cleanup(c);
	return ca_append(f, ca_file);
}

struct cimd_fetcher *
cimd_fetcher_new(const char *allow_hosts, const char *ca_file, char *err,
    size_t errlen)
{
	struct cimd_fetcher *f = xcalloc(1, sizeof(*f));
	const char *p = allow_hosts != NULL ? allow_hosts : "";

	while (*p != '\0') {
		size_t n = strcspn(p, ",");

		while (n > 0 && p[0] == ' ') {
			p++;
			n--;
		}
		while (n > 0 && p[n - 1] == ' ')
			n--;
		if (n >= HOST_MAX_BYTES || f->nallow == MAX_ALLOW_HOSTS) {
			snprintf(err, errlen, "--cimd-allow-hosts: at most %d "
			    "hosts of at most 255 bytes", MAX_ALLOW_HOSTS);
			cimd_fetcher_free(f);
			return NULL;
		}
		if (n > 0)
			memcpy(f->allow[f->nallow++], p, n);
		p += n;
		p += strspn(p, ", ");
	}
	if (ca_file != NULL && ca_file[0] != '\0' && !ca_load(f, ca_file)) {
		snprintf(err, errlen, "--cimd-ca-file: cannot read %s",
		    ca_file);
		cimd_fetcher_free(f);
		return NULL;
	}
	return f;
}

void
cimd_fetcher_free(struct cimd_fetcher *f)
{
	if (f == NULL)
		return;
	free(f->ca);
	free(f);
}

/* host as the URL spells it, an IPv6 literal without its brackets; an
 * allowed one may be listed with or without them. */
static bool
host_allowed(const struct cimd_fetcher *f, const char *host)
{
	size_t n = strlen(host);

	for (size_t i = 0; i < f->nallow; i++) {
		const char *a = f->allow[i];

		if (strcasecmp(a, host) == 0 || (a[0] == '[' &&
		    strlen(a) == n + 2 && strncasecmp(a + 1, host, n) == 0 &&
		    a[n + 1] == ']'))
			return true;
	}
	return false;
}

/* What one transfer keeps: the pinned address, the body, three headers. */
struct transfer {
	struct sockaddr_storage	 pin;
	socklen_t		 pinlen;
	struct cimd_answer	*out;
	bool			 too_big;
	char			 cache_control[256];
	char			 expires[64];
	char			 date[64];
};

/* Every socket libcurl opens must go to the address that was checked. */
static curl_socket_t
open_pinned(void *arg, curlsocktype purpose, struct curl_sockaddr *a)
{
	struct transfer *t = arg;

	if (purpose != CURLSOCKTYPE_IPCXN || a->addrlen != t->pinlen ||
	    memcmp(&a->addr, &t->pin, t->pinlen) != 0)
		return CURL_SOCKET_BAD;
	return socket(a->family, a->socktype, a->protocol);
}

static size_t
on_body(char *p, size_t size, size_t n, void *arg)
{
	struct transfer *t = arg;

	n *= size;
	if (t->out->len + n > CIMD_BODY_MAX_BYTES) {
		t->too_big = true;
		return 0;
	}
	memcpy(t->out->body + t->out->len, p, n);
	t->out->len += n;
	return n;
}

/* "Name: value\r\n" into dst when the name is `name`. */
static void
header_take(const char *p, size_t n, const char *name, char *dst,
    size_t size)
{
	size_t k = strlen(name);

	if (n <= k + 1 || strncasecmp(p, name, k) != 0 || p[k] != ':')
		return;
	p += k + 1;
	n -= k + 1;
	while (n > 0 && (*p == ' ' || *p == '\t')) {
		p++;
		n--;
	}
	while (n > 0 && (p[n - 1] == '\r' || p[n - 1] == '\n'))
		n--;
	if (n >= size)
		n = size - 1;
	memcpy(dst, p, n);
	dst[n] = '\0';
}

static size_t
on_header(char *p, size_t size, size_t n, void *arg)
{
	struct transfer *t = arg;

	n *= size;
	header_take(p, n, "cache-control", t->cache_control,
	    sizeof(t->cache_control));
	header_take(p, n, "expires", t->expires, sizeof(t->expires));
	header_take(p, n, "date", t->date, sizeof(t->date));
	return n;
}

/* Resolves host, checks every address, pins the first into t and writes
 * libcurl's "host:port:address" into entry. */
static const char *
resolve(const struct cimd_fetcher *f, const char *host, const char *port,
    struct transfer *t, char *entry, size_t size)
{
	struct addrinfo hints = { 0 }, *res, *ai;
	char addr[INET6_ADDRSTRLEN];
	bool allowed = host_allowed(f, host);

	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(host, port, &hints, &res) != 0 || res == NULL)
		return "The client_id URL's host name does not resolve.";
	for (ai = res; ai != NULL; ai = ai->ai_next)
		if (!allowed && cimd_addr_special(ai->ai_addr)) {
			freeaddrinfo(res);
			return "The client_id URL's host has a private or "
			    "special-purpose address; keygate fetches "
			    "metadata documents from public addresses only.";
		}
	memcpy(&t->pin, res->ai_addr, res->ai_addrlen);
	t->pinlen = res->ai_addrlen;
	if (getnameinfo(res->ai_addr, res->ai_addrlen, addr, sizeof(addr),
	    NULL, 0, NI_NUMERICHOST) != 0) {
		freeaddrinfo(res);
		return "The client_id URL's host name does not resolve.";
	}
	snprintf(entry, size, res->ai_family == AF_INET6 ? "%s:%s:[%s]" :
	    "%s:%s:%s", host, port, addr);
	freeaddrinfo(res);
	return NULL;
}

static const char *
curl_why(CURLcode rc, const struct transfer *t)
{
	if (t->too_big || rc == CURLE_FILESIZE_EXCEEDED)
		return "The client's metadata document is larger than 5 KiB.";
	if (rc == CURLE_OPERATION_TIMEDOUT)
		return "The client's metadata document did not arrive within "
		    "5 seconds.";
	if (rc == CURLE_PEER_FAILED_VERIFICATION ||
	    rc == CURLE_SSL_CONNECT_ERROR || rc == CURLE_SSL_CACERT_BADFILE)
		return "The TLS certificate of the client_id URL's host could "
		    "not be verified.";
	if (rc == CURLE_COULDNT_CONNECT)
		return "The client_id URL's host refused the connection.";
	return "The client's metadata document could not be fetched.";
}

static const char *
transfer(const struct cimd_fetcher *f, const char *url, const char *entry,
    long left_ms, struct transfer *t)
{
	struct curl_slist *pin = curl_slist_append(NULL, entry);
	struct curl_slist *hdr = curl_slist_append(NULL,
	    "Accept: application/json");
	struct curl_blob blob = { f->ca, f->calen, CURL_BLOB_NOCOPY };
	CURL *c = curl_easy_init();
	const char *why = NULL;
	long status = 0;
	CURLcode rc;

	if (c == NULL || pin == NULL || hdr == NULL)
		why = "The client's metadata document could not be fetched.";
	if (why == NULL) {
		curl_easy_setopt(c, CURLOPT_URL, url);
		curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https");
		curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
		curl_easy_setopt(c, CURLOPT_RESOLVE, pin);
		curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, open_pinned);
		curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, t);
		curl_easy_setopt(c, CURLOPT_PROXY, "");
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
		curl_easy_setopt(c, CURLOPT_USERAGENT, "keygate");
		curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, left_ms);
		curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE,
		    (curl_off_t)CIMD_BODY_MAX_BYTES);
		curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
		curl_easy_setopt(c, CURLOPT_WRITEDATA, t);
		curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
		curl_easy_setopt(c, CURLOPT_HEADERDATA, t);
		if (f->ca != NULL)
			curl_easy_setopt(c, CURLOPT_CAINFO_BLOB, &blob);
		rc = curl_easy_perform(c);
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
		if (rc != CURLE_OK)
			why = curl_why(rc, t);
		else if (status >= 300 && status < 400)
			why = "The client_id URL answered with a redirect; "
			    "keygate follows none.";
		else if (status != 200)
			why = "The client_id URL did not answer 200 OK.";
	}
	curl_slist_free_all(pin);
	curl_slist_free_all(hdr);
	curl_easy_cleanup(c);
	return why;
}

const char *
cimd_fetch(const struct cimd_fetcher *f, struct str url, int64_t now,
    struct cimd_answer *out)
{
	int64_t start = clock_monotonic_ms();
	char u[CIMD_URL_MAX_BYTES + 1], host[HOST_MAX_BYTES], port[8];
	char entry[HOST_MAX_BYTES + 64];
	struct transfer *t = xcalloc(1, sizeof(*t));
	struct uri p;
	const char *why;
	long left;

	out->len = 0;
	out->ttl_s = 0;
	t->out = out;
	memcpy(u, url.p, url.len);
	u[url.len] = '\0';
	if (uri_parse(str_from(u), &p) != 0 || p.host.len >= sizeof(host) ||
	    p.port.len >= sizeof(port) || memchr(p.host.p, '%',
	    p.host.len) != NULL) {
		free(t);
		return "A client_id URL must be an absolute https URL.";
	}
	if (p.host.p[0] == '[')
		p.host = (struct str){ p.host.p + 1, p.host.len - 2 };
	memcpy(host, p.host.p, p.host.len);
	host[p.host.len] = '\0';
	snprintf(port, sizeof(port), "%.*s", (int)p.port.len, p.port.p);
	if (port[0] == '\0')
		strcpy(port, "443");
	why = resolve(f, host, port, t, entry, sizeof(entry));
	left = CIMD_FETCH_TIMEOUT_MS - (long)(clock_monotonic_ms() - start);
	if (why == NULL && left <= 0)
		why = curl_why(CURLE_OPERATION_TIMEDOUT, t);
	if (why == NULL)
		why = transfer(f, u, entry, left, t);
	if (why == NULL)
		out->ttl_s = cimd_lifetime(t->cache_control[0] != '\0' ?
		    t->cache_control : NULL, t->expires[0] != '\0' ?
		    t->expires : NULL, t->date[0] != '\0' ? t->date : NULL,
		    now);
	out->body[out->len] = '\0';
	free(t);
	return why;
}
