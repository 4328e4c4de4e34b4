/* The device log-in (RFC 8628): codes from the device authorization
 * endpoint, shown by the caller, then a polite poll of the token endpoint
 * until the person has decided, the code has expired or the caller gives
 * up. The tokens are kept and saved as the browser log-in's are
 * (client/tokens.c). */
#include "client_int.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <sodium.h>

#define DEVICE_GRANT_TYPE "urn:ietf:params:oauth:grant-type:device_code"

enum kg_poll
kg_device_outcome(const char *error)
{
	if (error == NULL)
		return KG_POLL_STOP;
	if (strcmp(error, "authorization_pending") == 0)
		return KG_POLL_PENDING;
	if (strcmp(error, "slow_down") == 0)
		return KG_POLL_SLOW_DOWN;
	if (strcmp(error, "access_denied") == 0)
		return KG_POLL_DENIED;
	if (strcmp(error, "expired_token") == 0)
		return KG_POLL_EXPIRED;
	return KG_POLL_STOP;
}

void
kg_device_sched_init(struct kg_device_sched *s, int64_t t0,
    int64_t expires_in, int64_t interval)
{
	s->interval = interval > 0 ? interval : KG_DEVICE_DEFAULT_INTERVAL_S;
	s->expires_at = t0 + expires_in;
}

int64_t
kg_device_wait(const struct kg_device_sched *s, int64_t now)
{
	/* A poll at the expiry itself would only be told expired_token. */
	if (now + s->interval >= s->expires_at)
		return -1;
	return s->interval;
}

void
kg_device_slowed(struct kg_device_sched *s)
{
	/* RFC 8628 §3.5: "increased by 5 seconds for this and all
	 * subsequent requests". */
	s->interval += KG_DEVICE_SLOW_DOWN_S;
}

/* The whole wait, resumed after a signal: the server's interval is
 * honoured; a caller wanting Cancel sets its own sleep. */
static int
default_sleep(int64_t seconds, void *arg)
{
	struct timespec ts = { .tv_sec = (time_t)seconds }, rem;

	(void)arg;
	while (nanosleep(&ts, &rem) != 0 && errno == EINTR)
		ts = rem;
	return 0;
}

void
kg_client_set_sleep(struct kg_client *c, kg_client_sleep_fn fn, void *arg)
{
	pthread_mutex_lock(&c->mu);
	c->sleep = fn;
	c->sleep_arg = arg;
	pthread_mutex_unlock(&c->mu);
}

/* What the device authorization endpoint gave (RFC 8628 §3.2). */
struct device {
	char	*device_code;
	char	*user_code;
	char	*uri;
	char	*uri_complete;
	int64_t	 expires_in;
	int64_t	 interval;
};

static void
device_release(struct device *d)
{
	kg_free_secret(d->device_code);
	free(d->user_code);
	free(d->uri);
	free(d->uri_complete);
	memset(d, 0, sizeof(*d));
}

/* Text the caller will print on a terminal: printable ASCII without
 * spaces, so a server cannot send escape sequences to it. */
static bool
plain(const char *s, size_t max)
{
	size_t i;

	if (s == NULL || s[0] == '\0')
		return false;
	for (i = 0; s[i] != '\0'; i++)
		if (i >= max || !isgraph((unsigned char)s[i]))
			return false;
	return true;
}

static bool
int_in(json_t *v, int64_t lo, int64_t hi, int64_t *out)
{
	if (!json_is_integer(v) || json_integer_value(v) < lo ||
	    json_integer_value(v) > hi)
		return false;
	*out = (int64_t)json_integer_value(v);
	return true;
}

static int
parse_device(json_t *j, struct device *d)
{
	const char *dc = json_string_value(json_object_get(j, "device_code"));
	const char *uc = json_string_value(json_object_get(j, "user_code"));
	const char *uri = json_string_value(json_object_get(j,
	    "verification_uri"));
	json_t *full = json_object_get(j, "verification_uri_complete");
	json_t *iv = json_object_get(j, "interval");

	if (!plain(dc, 1024) || !plain(uc, 64) || !plain(uri, 2048) ||
	    (full != NULL && !plain(json_string_value(full), 2048)) ||
	    !int_in(json_object_get(j, "expires_in"), 1,
	    KG_DEVICE_MAX_EXPIRES_S, &d->expires_in) ||
	    (iv != NULL && !int_in(iv, 1, KG_DEVICE_MAX_INTERVAL_S,
	    &d->interval)))
		return kg_err(KG_CLIENT_ERR_PROTOCOL, "the device "
		    "authorization response lacks device_code, user_code, "
		    "verification_uri or expires_in, or has one out of shape");
	d->device_code = kg_strdup(dc);
	d->user_code = kg_strdup(uc);
	d->uri = kg_strdup(uri);
	d->uri_complete = kg_strdup(json_string_value(full));
	return 0;
}

/* POST /oauth2/device_authorization (RFC 8628 §3.1). */
static int
device_start(struct kg_client *c, struct device *d)
{
	struct kg_http_res rs;
	char *scope = NULL, form[1200] = "";
	json_t *j = NULL;
	int rc;

	memset(d, 0, sizeof(*d));
	pthread_mutex_lock(&c->mu);
	if (c->scope != NULL) {
		scope = kg_http_escape(c->scope);
		snprintf(form, sizeof(form), "scope=%s", scope);
	}
	pthread_mutex_unlock(&c->mu);
	free(scope);
	rc = kg_client_post(c, "/oauth2/device_authorization", form, NULL,
	    &rs);
	if (rc != 0)
		return rc;
	/* json_is_object() is a macro that evaluates its argument twice. */
	if (rs.status == 200)
		j = json_loads(rs.body != NULL ? rs.body : "", 0, NULL);
	if (rs.status != 200)
		rc = kg_token_error(rs.status, rs.body, NULL, 0);
	else if (!json_is_object(j))
		rc = kg_err(KG_CLIENT_ERR_PROTOCOL, "the device authorization "
		    "response is not a JSON object");
	else
		rc = parse_device(j, d);
	kg_json_free_secret(j);
	kg_free_secret(rs.body);
	rs.body = NULL;
	kg_http_res_release(&rs);
	return rc;
}

static char *
poll_form(const struct device *d)
{
	char *dc = kg_http_escape(d->device_code), *form;
	size_t n = strlen(dc) + sizeof(DEVICE_GRANT_TYPE) + 40;

	form = malloc(n);
	if (form == NULL)
		abort();
	snprintf(form, n, "grant_type=%s&device_code=%s", DEVICE_GRANT_TYPE,
	    dc);
	kg_free_secret(dc);
	return form;
}

/* One poll's error to the caller's code, or -1 to poll again. */
static int
after_error(int rc, const char *name, struct kg_device_sched *s)
{
	switch (name[0] != '\0' ? kg_device_outcome(name) : KG_POLL_STOP) {
	case KG_POLL_SLOW_DOWN:
		kg_device_slowed(s);
		return -1;
	case KG_POLL_PENDING:
		return -1;
	case KG_POLL_DENIED:
		return kg_err(KG_CLIENT_ERR_DENIED, "access_denied: the "
		    "person refused access");
	case KG_POLL_EXPIRED:
		return kg_err(KG_CLIENT_ERR_EXPIRED, "expired_token: the code "
		    "expired before access was granted");
	default:
		return rc;
	}
}

static int
poll_loop(struct kg_client *c, const struct device *d,
    struct kg_device_sched *s, kg_client_sleep_fn nap, void *nap_arg)
{
	char *form = poll_form(d), name[64];
	int64_t wait;
	int rc;

	for (;;) {
		wait = kg_device_wait(s, kg_now(c));
		if (wait >= 0 && nap(wait, nap_arg) != 0) {
			rc = kg_err(KG_CLIENT_ERR_CANCELLED, "cancelled "
			    "while waiting for access");
			break;
		}
		/* Again after the wait: a machine that slept longer (a
		 * suspended laptop) has nothing left to ask. */
		if (wait < 0 || kg_now(c) >= s->expires_at) {
			rc = kg_err(KG_CLIENT_ERR_EXPIRED, "the code expired "
			    "before access was granted (%lld s)",
			    (long long)d->expires_in);
			break;
		}
		rc = kg_token_exchange(c, form, name, sizeof(name));
		if (rc == 0 || (rc = after_error(rc, name, s)) != -1)
			break;
	}
	kg_free_secret(form);
	return rc;
}

int
kg_client_device_login(struct kg_client *c, kg_client_device_fn show,
    void *arg)
{
	struct kg_client_device_codes codes;
	struct kg_device_sched s;
	struct device d;
	kg_client_sleep_fn nap;
	void *nap_arg;
	int64_t t0;
	int rc;

	if (show == NULL)
		return kg_err(KG_CLIENT_ERR_USAGE, "a callback to show the "
		    "codes is needed");
	pthread_mutex_lock(&c->mu);
	nap = c->sleep != NULL ? c->sleep : default_sleep;
	nap_arg = c->sleep_arg;
	pthread_mutex_unlock(&c->mu);
	rc = kg_dpop_prepare(c);
	if (rc != 0)
		return rc;
	t0 = kg_now(c);
	rc = device_start(c, &d);
	if (rc != 0)
		return rc;
	kg_device_sched_init(&s, t0, d.expires_in, d.interval);
	codes = (struct kg_client_device_codes){ d.user_code, d.uri,
	    d.uri_complete, d.expires_in, s.interval };
	show(&codes, arg);
	rc = poll_loop(c, &d, &s, nap, nap_arg);
	device_release(&d);
	return rc;
}
