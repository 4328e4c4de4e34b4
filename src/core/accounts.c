#include "core/accounts.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "core/device.h"
#include "core/events.h"
#include "base/err.h"
#include "base/mem.h"
#include "core/memo.h"
#include "core/throttle.h"
#include "core/token_cache.h"
#include "base/utf8.h"

static bool
email_local_char(unsigned char c)
{
	return c >= 0x80 || (c > 0x20 && c < 0x7f &&
	    strchr("<>()[]\\,;:\"@", c) == NULL);
}

static bool
domain_valid(const char *d, size_t len)
{
	size_t label = 0, dots = 0;

	if (len == 0 || d[0] == '.' || d[len - 1] == '.')
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)d[i];

		if (c == '.') {
			if (label == 0 || d[i - 1] == '-')
				return false;
			label = 0;
			dots++;
			continue;
		}
		if (c == '-' && label == 0)
			return false;
		if (!(c >= 0x80 || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-'))
			return false;
		if (++label > 63)
			return false;
	}
	return dots > 0 && d[len - 1] != '-';
}

int
accounts_normalize_email(struct str in, char out[ACCOUNT_EMAIL_MAX_BYTES + 1],
    const char **reason)
{
	struct str s = str_trim(in);
	const char *at;
	size_t local;

	if (s.len == 0) {
		*reason = "Enter your email address.";
		return ERR_INVALID;
	}
	if (s.len > ACCOUNT_EMAIL_MAX_BYTES || !utf8_valid(s)) {
		*reason = "This is not a valid email address.";
		return ERR_INVALID;
	}
	for (size_t i = 0; i < s.len; i++) {
		char c = s.p[i];

		out[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
	}
	out[s.len] = '\0';
	at = strrchr(out, '@');
	local = at == NULL ? 0 : (size_t)(at - out);
	if (at == NULL || local == 0 || local > ACCOUNT_EMAIL_LOCAL_MAX_BYTES ||
	    out[0] == '.' || out[local - 1] == '.' ||
	    strstr(out, "..") != NULL ||
	    !domain_valid(at + 1, s.len - local - 1)) {
		*reason = "This is not a valid email address.";
		return ERR_INVALID;
	}
	for (size_t i = 0; i < local; i++)
		if (!email_local_char((unsigned char)out[i])) {
			*reason = "This is not a valid email address.";
			return ERR_INVALID;
		}
	return 0;
}

int
accounts_check_password(struct str password, const char **reason)
{
	if (password.len > ACCOUNT_PASSWORD_MAX_BYTES) {
		*reason = "Use at most 1024 bytes.";
		return ERR_INVALID;
	}
	if (!utf8_valid(password)) {
		*reason = "The password holds bytes that are not text.";
		return ERR_INVALID;
	}
	if (utf8_chars(password) < ACCOUNT_PASSWORD_MIN_CHARS) {
		*reason = "Use at least 10 characters.";
		return ERR_INVALID;
	}
	return 0;
}

bool
accounts_email_reserved(const char *norm)
{
	size_t n = strlen(norm), d = strlen(ACCOUNT_RESERVED_DOMAIN);

	return n >= d && strcmp(norm + n - d, ACCOUNT_RESERVED_DOMAIN) == 0;
}

/* addr: the client's, NULL from keygate account add (events.h) */
static int
create(struct keygate *kg, const char *addr, struct str email,
    struct str password, struct account *out, struct signup_errors *errs)
{
	char norm[ACCOUNT_EMAIL_MAX_BYTES + 1];
	char hash[SECURE_PWHASH_MAX];
	struct event_new ev;
	int64_t id;
	int rc;

	memset(errs, 0, sizeof(*errs));
	accounts_normalize_email(email, norm, &errs->email);
	if (errs->email == NULL && accounts_email_reserved(norm))
		errs->email = "This address is reserved.";
	accounts_check_password(password, &errs->password);
	if (errs->email != NULL || errs->password != NULL)
		return ERR_INVALID;
	if (secure_password_hash(password, hash) != 0)
		return ERR_STORE;
	/* its id is the store's to give */
	event_make(&ev, kg, EVENT_SIGNUP, 0, addr);
	rc = store_account_insert(kg->store, norm, hash, clock_now(kg->clock),
	    &id, &ev);
	if (rc == ERR_EXISTS)
		errs->email = "An account with this email already exists.";
	if (rc != 0)
		return rc;
	return store_account_by_id(kg->store, id, out);
}

int
accounts_signup(struct keygate *kg, const char *addr, struct str email,
    struct str password, struct account *out, struct signup_errors *errs,
    int64_t *retry_after_s)
{
	char key[96], unit[THROTTLE_ADDR_BYTES];
	struct throttle_ticket tk;
	int rc;

	memset(errs, 0, sizeof(*errs));
	if (kg->cfg->no_signup)
		return ERR_FORBIDDEN;
	if (kg->cfg->signup_rate > 0) {
		throttle_addr(addr, unit);
		snprintf(key, sizeof(key), "signup-addr:%s", unit);
		/* Every attempt counts, made or refused. */
		rc = throttle_take(kg->throttle, str_from(key),
		    kg->cfg->signup_rate, THROTTLE_SIGNUP_WINDOW_S,
		    clock_now(kg->clock), retry_after_s, &tk);
		if (rc != 0)
			return rc;
	}
	return create(kg, addr, email, password, out, errs);
}

int
accounts_add(struct keygate *kg, struct str email, struct str password,
    struct account *out, struct signup_errors *errs)
{
	return create(kg, NULL, email, password, out, errs);
}

/* The three counts of a log-in attempt (limits.h): per address and per
 * (account, address) for everyone, per account unless `exempt`. */
struct login_count {
	char			 addr[96];
	char			 pair[ACCOUNT_EMAIL_MAX_BYTES + 128];
	char			 acct[ACCOUNT_EMAIL_MAX_BYTES + 16];
	struct throttle_ticket	 tk[3];
};

static void
login_keys(struct login_count *lc, const char *addr, const char *norm)
{
	char unit[THROTTLE_ADDR_BYTES];

	throttle_addr(addr, unit);
	snprintf(lc->addr, sizeof(lc->addr), "login-addr:%s", unit);
	snprintf(lc->pair, sizeof(lc->pair), "login-pair:%s %s", unit, norm);
	snprintf(lc->acct, sizeof(lc->acct), "login-acct:%s", norm);
}

/* Counts the attempt before its password is verified, so parallel
 * attempts never get more than the limit verified. An attempt refused by
 * one count takes back the others. */
static int
login_take(struct keygate *kg, struct login_count *lc, bool named,
    bool exempt, int64_t now, int64_t *retry_after_s)
{
	struct throttle *t = kg->throttle;
	int rc;

	memset(lc->tk, 0, sizeof(lc->tk));
	rc = throttle_take(t, str_from(lc->addr), THROTTLE_FAILS_PER_ADDRESS,
	    THROTTLE_WINDOW_S, now, retry_after_s, &lc->tk[0]);
	if (rc == 0 && named)
		rc = throttle_take(t, str_from(lc->pair),
		    THROTTLE_FAILS_PER_ACCOUNT_ADDRESS, THROTTLE_WINDOW_S, now,
		    retry_after_s, &lc->tk[1]);
	if (rc == 0 && named && !exempt)
		rc = throttle_take(t, str_from(lc->acct),
		    THROTTLE_FAILS_PER_ACCOUNT, THROTTLE_WINDOW_S, now,
		    retry_after_s, &lc->tk[2]);
	if (rc != 0)
		for (size_t i = 0; i < 3; i++)
			throttle_give_back(t, &lc->tk[i]);
	return rc;
}

/* A right password: the attempt was no failure, and the account's
 * failures at this address (and, for a count it was subject to, the
 * account's own) are forgiven. A device cookie holder's log-in leaves the
 * per-account count to the strangers who made it. */
static void
login_passed(struct keygate *kg, struct login_count *lc)
{
	throttle_give_back(kg->throttle, &lc->tk[0]);
	throttle_clear(kg->throttle, str_from(lc->pair));
	if (lc->tk[2].held)
		throttle_clear(kg->throttle, str_from(lc->acct));
}

int
accounts_login(struct keygate *kg, const struct login_origin *from,
    struct str email, struct str password, struct account *out,
    int64_t *retry_after_s)
{
	char norm[ACCOUNT_EMAIL_MAX_BYTES + 1];
	struct login_count *lc = xmalloc(sizeof(*lc));
	const char *reason;
	int64_t now = clock_now(kg->clock);
	bool known, exempt;
	int rc;

	if (accounts_normalize_email(email, norm, &reason) != 0)
		norm[0] = '\0';
	rc = norm[0] == '\0' ? ERR_NOTFOUND :
	    store_account_by_email(kg->store, norm, out);
	if (rc != 0 && rc != ERR_NOTFOUND)
		goto out;
	known = rc == 0;
	/* A client without cookies (HTTP Basic) is never counted per
	 * account alone: anyone could lock the account for it. */
	exempt = !from->browser || (known && device_cookie_valid(kg,
	    from->device, out->id, now));
	login_keys(lc, from->addr, norm);
	if ((rc = login_take(kg, lc, norm[0] != '\0', exempt, now,
	    retry_after_s)) != 0)
		goto out;
	/* Spend the same time whether or not the account exists. */
	if (known && password.len <= ACCOUNT_PASSWORD_MAX_BYTES &&
	    secure_password_verify(out->password_hash, password)) {
		login_passed(kg, lc);
		/* Said only to whoever knows the password: to anyone else a
		 * disabled account is a wrong pair like any other. */
		if (out->disabled_at != 0)
			rc = ERR_FORBIDDEN;
		goto out;
	}
	if (!known || password.len > ACCOUNT_PASSWORD_MAX_BYTES)
		secure_password_dummy_verify(password);
	/* recorded against the account the email named; none for an
	 * unknown one */
	if (known)
		events_login_failed(kg, out->id, from->addr, "password");
	rc = ERR_AUTH;
out:
	if (rc != 0)
		memset(out, 0, sizeof(*out));
	free(lc);
	return rc;
}

int
accounts_get(struct keygate *kg, int64_t id, struct account *out)
{
	return store_account_by_id(kg->store, id, out);
}

struct memo *
accounts_memo_new(void)
{
	/* the address, then one byte: whether it is verified */
	return memo_new(4096, sizeof(int64_t), ACCOUNT_EMAIL_MAX_BYTES + 1);
}

int
accounts_email(struct keygate *kg, int64_t id,
    char email[ACCOUNT_EMAIL_MAX_BYTES + 1])
{
	bool verified;

	return accounts_email_verified(kg, id, email, &verified);
}

int
accounts_email_verified(struct keygate *kg, int64_t id,
    char email[ACCOUNT_EMAIL_MAX_BYTES + 1], bool *verified)
{
	/* Under the cache's epoch: a new address, a confirmed one, and a
	 * deletion (whose id SQLite may give out again), move the store's
	 * revision. */
	uint64_t epoch = token_cache_vouched(kg->cache);
	char v[ACCOUNT_EMAIL_MAX_BYTES + 1];
	struct account *a;
	size_t len;
	int rc;

	if (memo_get(kg->accounts, &id, sizeof(id), epoch, v, &len) &&
	    len >= 1) {
		*verified = v[0] == 1;
		memcpy(email, v + 1, len - 1);
		email[len - 1] = '\0';
		return 0;
	}
	a = xmalloc(sizeof(*a));
	if ((rc = store_account_by_id(kg->store, id, a)) == 0) {
		memcpy(email, a->email, sizeof(a->email));
		*verified = a->email_verified;
		len = strlen(email);
		v[0] = a->email_verified ? 1 : 0;
		memcpy(v + 1, email, len);
		memo_put(kg->accounts, &id, sizeof(id), epoch, v, len + 1);
	}
	sodium_memzero(a, sizeof(*a));
	free(a);
	return rc;
}

int
accounts_find(struct keygate *kg, struct str email, struct account *out)
{
	char norm[ACCOUNT_EMAIL_MAX_BYTES + 1];
	const char *reason;

	if (accounts_normalize_email(email, norm, &reason) != 0)
		return ERR_NOTFOUND;
	return store_account_by_email(kg->store, norm, out);
}
