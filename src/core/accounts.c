#include "core/accounts.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/err.h"
#include "core/mem.h"
#include "core/memo.h"
#include "core/throttle.h"
#include "core/utf8.h"

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

static int
create(struct keygate *kg, struct str email, struct str password,
    struct account *out, struct signup_errors *errs)
{
	char norm[ACCOUNT_EMAIL_MAX_BYTES + 1];
	char hash[SECURE_PWHASH_MAX];
	int64_t id;
	int rc;

	memset(errs, 0, sizeof(*errs));
	accounts_normalize_email(email, norm, &errs->email);
	accounts_check_password(password, &errs->password);
	if (errs->email != NULL || errs->password != NULL)
		return ERR_INVALID;
	if (secure_password_hash(password, hash) != 0)
		return ERR_STORE;
	rc = store_account_insert(kg->store, norm, hash, clock_now(kg->clock),
	    &id);
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
	char key[96];
	int64_t now = clock_now(kg->clock);
	struct str k;

	memset(errs, 0, sizeof(*errs));
	if (kg->cfg->no_signup)
		return ERR_FORBIDDEN;
	if (kg->cfg->signup_rate > 0) {
		snprintf(key, sizeof(key), "signup-addr:%s", addr);
		k = str_from(key);
		if (throttle_check(kg->throttle, k, kg->cfg->signup_rate, now,
		    retry_after_s) != 0)
			return ERR_THROTTLED;
		throttle_hit(kg->throttle, k, THROTTLE_SIGNUP_WINDOW_S, now);
	}
	return create(kg, email, password, out, errs);
}

int
accounts_add(struct keygate *kg, struct str email, struct str password,
    struct account *out, struct signup_errors *errs)
{
	return create(kg, email, password, out, errs);
}

int
accounts_login(struct keygate *kg, const char *addr, struct str email,
    struct str password, struct account *out, int64_t *retry_after_s)
{
	char norm[ACCOUNT_EMAIL_MAX_BYTES + 1], akey[300], ckey[96];
	const char *reason;
	int64_t now = clock_now(kg->clock);
	struct str ak, ck;
	bool known;
	int rc;

	if (accounts_normalize_email(email, norm, &reason) != 0)
		norm[0] = '\0';
	snprintf(akey, sizeof(akey), "login-acct:%s", norm);
	snprintf(ckey, sizeof(ckey), "login-addr:%s", addr);
	ak = str_from(akey);
	ck = str_from(ckey);
	if (throttle_check(kg->throttle, ck, THROTTLE_FAILS_PER_ADDRESS, now,
	    retry_after_s) != 0 ||
	    throttle_check(kg->throttle, ak, THROTTLE_FAILS_PER_ACCOUNT, now,
	    retry_after_s) != 0)
		return ERR_THROTTLED;
	rc = norm[0] == '\0' ? ERR_NOTFOUND :
	    store_account_by_email(kg->store, norm, out);
	if (rc != 0 && rc != ERR_NOTFOUND)
		return rc;
	known = rc == 0;
	/* Spend the same time whether or not the account exists. */
	if (known && password.len <= ACCOUNT_PASSWORD_MAX_BYTES &&
	    secure_password_verify(out->password_hash, password)) {
		throttle_clear(kg->throttle, ak);
		return 0;
	}
	if (!known || password.len > ACCOUNT_PASSWORD_MAX_BYTES)
		secure_password_dummy_verify(password);
	throttle_hit(kg->throttle, ck, THROTTLE_WINDOW_S, now);
	if (norm[0] != '\0')
		throttle_hit(kg->throttle, ak, THROTTLE_WINDOW_S, now);
	memset(out, 0, sizeof(*out));
	return ERR_AUTH;
}

int
accounts_get(struct keygate *kg, int64_t id, struct account *out)
{
	return store_account_by_id(kg->store, id, out);
}

struct memo *
accounts_memo_new(void)
{
	return memo_new(4096, sizeof(int64_t), ACCOUNT_EMAIL_MAX_BYTES);
}

int
accounts_email(struct keygate *kg, int64_t id,
    char email[ACCOUNT_EMAIL_MAX_BYTES + 1])
{
	struct account *a;
	size_t len;
	int rc;

	if (memo_get(kg->accounts, &id, sizeof(id), 1, email, &len)) {
		email[len] = '\0';
		return 0;
	}
	a = xmalloc(sizeof(*a));
	if ((rc = store_account_by_id(kg->store, id, a)) == 0) {
		memcpy(email, a->email, sizeof(a->email));
		/* epoch 1, always: nothing ever changes what is kept */
		memo_put(kg->accounts, &id, sizeof(id), 1, email,
		    strlen(email));
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
