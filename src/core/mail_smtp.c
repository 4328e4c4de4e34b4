#include "core/mail_smtp.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "base/limits.h"
#include "core/mail_compose.h"

/* A host on this machine: what reaches it never crosses a network. */
static bool
loopback(const char *url)
{
	char host[256];
	struct in_addr v4;

	if (mail_url_host(url, host, sizeof(host)) != 0)
		return false;
	if (strcmp(host, "localhost") == 0 || strcmp(host, "[::1]") == 0)
		return true;
	return inet_pton(AF_INET, host, &v4) == 1 &&
	    (ntohl(v4.s_addr) >> 24) == 127;
}

enum mail_tls
mail_smtp_tls(const char *url, bool with_user)
{
	if (strncmp(url, "smtps://", 8) == 0)
		return MAIL_TLS_IMPLICIT;
	return with_user && !loopback(url) ? MAIL_TLS_REQUIRED : MAIL_TLS_TRY;
}

/* After the host: an optional :port (1-65535), then an optional path of
 * one name (libcurl's EHLO name), nothing else. */
static bool
tail_ok(const char *p)
{
	long port = 0;

	if (*p == ':') {
		if (p[1] < '0' || p[1] > '9')
			return false;
		for (p++; *p >= '0' && *p <= '9' && port <= 65535; p++)
			port = port * 10 + (*p - '0');
		if (port < 1 || port > 65535)
			return false;
	}
	if (*p == '/')
		p++;
	for (; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '.' || *p == '-'))
			return false;
	return true;
}

int
mail_smtp_url_check(const char *url, char *err, size_t errlen)
{
	char host[256];
	const char *rest = strstr(url, "://");

	if (strncmp(url, "smtp://", 7) != 0 &&
	    strncmp(url, "smtps://", 8) != 0) {
		snprintf(err, errlen, "--smtp-url must begin with smtp:// or "
		    "smtps://");
		return ERR_INVALID;
	}
	rest += 3;
	if (strchr(rest, '@') != NULL) {
		snprintf(err, errlen, "--smtp-url: no user or password in the "
		    "URL; give --smtp-user, and the password in "
		    "KEYGATE_SMTP_PASSWORD or the configuration file");
		return ERR_INVALID;
	}
	if (mail_url_host(url, host, sizeof(host)) != 0 ||
	    !tail_ok(rest + strlen(host))) {
		snprintf(err, errlen, "--smtp-url wants smtp://HOST[:PORT] or "
		    "smtps://HOST[:PORT]");
		return ERR_INVALID;
	}
	return 0;
}

struct upload {
	const char	*p;
	size_t		 left;
};

static size_t
read_message(char *dst, size_t size, size_t nitems, void *arg)
{
	struct upload *u = arg;
	size_t n = size * nitems < u->left ? size * nitems : u->left;

	memcpy(dst, u->p, n);
	u->p += n;
	u->left -= n;
	return n;
}

static int
check_stop(void *arg, curl_off_t dltotal, curl_off_t dlnow,
    curl_off_t ultotal, curl_off_t ulnow)
{
	const _Atomic bool *stop = arg;

	(void)dltotal;
	(void)dlnow;
	(void)ultotal;
	(void)ulnow;
	return stop != NULL && atomic_load(stop) ? 1 : 0;
}

static void
set_tls(CURL *c, const struct mail_smtp *s)
{
	switch (mail_smtp_tls(s->url, s->user != NULL)) {
	case MAIL_TLS_IMPLICIT:
	case MAIL_TLS_REQUIRED:
		curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
		break;
	case MAIL_TLS_TRY:
		curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_TRY);
		break;
	}
	if (s->user != NULL) {
		curl_easy_setopt(c, CURLOPT_USERNAME, s->user);
		curl_easy_setopt(c, CURLOPT_PASSWORD,
		    s->password != NULL ? s->password : "");
	}
}

int
mail_smtp_send(const struct mail_smtp *s, const char *from, const char *to,
    const char *msg, size_t len, const _Atomic bool *stop, char *err,
    size_t errlen)
{
	char from_path[ACCOUNT_EMAIL_MAX_BYTES + 3];
	char to_path[ACCOUNT_EMAIL_MAX_BYTES + 3];
	struct upload u = { msg, len };
	struct curl_slist *rcpt;
	CURL *c = curl_easy_init();
	CURLcode rc;
	long reply = 0;

	if (c == NULL) {
		snprintf(err, errlen, "smtp: libcurl cannot start");
		return ERR_STORE;
	}
	snprintf(from_path, sizeof(from_path), "<%s>", from);
	snprintf(to_path, sizeof(to_path), "<%s>", to);
	rcpt = curl_slist_append(NULL, to_path);
	curl_easy_setopt(c, CURLOPT_URL, s->url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt(c, CURLOPT_MAIL_FROM, from_path);
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, read_message);
	curl_easy_setopt(c, CURLOPT_READDATA, &u);
	curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT,
	    (long)MAIL_CONNECT_TIMEOUT_S);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)MAIL_SEND_TIMEOUT_S);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, check_stop);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, (void *)stop);
	set_tls(c, s);
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &reply);
	curl_slist_free_all(rcpt);
	curl_easy_cleanup(c);
	if (rc == CURLE_OK)
		return 0;
	if (rc == CURLE_ABORTED_BY_CALLBACK) {
		snprintf(err, errlen, "smtp: stopped");
		return ERR_EXPIRED;
	}
	if (reply > 0)
		snprintf(err, errlen, "smtp: %s (reply %ld)",
		    curl_easy_strerror(rc), reply);
	else
		snprintf(err, errlen, "smtp: %s", curl_easy_strerror(rc));
	return ERR_STORE;
}
