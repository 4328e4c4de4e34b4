#include "core/totp.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "base/clock.h"
#include "base/err.h"
#include "base/secure.h"
#include "core/events.h"
#include "core/notices.h"
#include "core/throttle.h"
#include "store/store.h"

_Static_assert(SEALED_MAX_BYTES <= TOTP_SEALED_MAX_BYTES,
    "a sealed secret fits the store's column");
_Static_assert(TOTP_RECOVERY_CHARS % 4 == 0, "groups of four");

/* RFC 4648 base32's alphabet, lower case: a recovery code reads as it
 * types, and 32 symbols take 5 bits each from a random byte evenly. */
static const char RECOVERY_ALPHABET[] = "abcdefghijklmnopqrstuvwxyz234567";

/* --- the secret at rest and in an enrolment's form ---------------------- */

/* What a sealed secret is bound to: `tag`, the account, and for an
 * enrolment the browser's binding. */
static void
context(char *out, size_t len, const char *tag, int64_t account_id,
    struct str binding)
{
	snprintf(out, len, "%s|%lld|%.*s", tag, (long long)account_id,
	    (int)binding.len, binding.p != NULL ? binding.p : "");
}

int
totp_enrol_begin(struct keygate *kg, int64_t account_id, struct str binding,
    struct totp_enrolment *out)
{
	char ctx[256], plain[OTP_SECRET_B32_BYTES + 24];
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = otp_secret_new(out->secret)) != 0)
		return rc;
	context(ctx, sizeof(ctx), "totp-enrol", account_id, binding);
	snprintf(plain, sizeof(plain), "%s.%lld", out->secret,
	    (long long)(clock_now(kg->clock) + TOTP_ENROL_TTL_S));
	rc = sealed_seal(kg->totp_key, str_from(plain), str_from(ctx),
	    out->sealed) != 0 ? ERR_STORE : 0;
	sodium_memzero(plain, sizeof(plain));
	return rc;
}

int
totp_enrol_open(struct keygate *kg, int64_t account_id, struct str binding,
    struct str sealed, struct totp_enrolment *out)
{
	char ctx[256], plain[OTP_SECRET_B32_BYTES + 24], *dot;
	long long until = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	context(ctx, sizeof(ctx), "totp-enrol", account_id, binding);
	rc = sealed_open(kg->totp_key, sealed, str_from(ctx), plain,
	    sizeof(plain));
	if (rc == 0 && ((dot = strchr(plain, '.')) == NULL ||
	    dot - plain != TOTP_SECRET_B32_CHARS ||
	    str_to_i64(str_from(dot + 1), 0, INT64_MAX, &until) != 0))
		rc = ERR_AUTH;
	if (rc == 0 && clock_now(kg->clock) >= until)
		rc = ERR_EXPIRED;
	if (rc == 0) {
		memcpy(out->secret, plain, TOTP_SECRET_B32_CHARS);
		snprintf(out->sealed, sizeof(out->sealed), "%.*s",
		    (int)sealed.len, sealed.p);
	}
	sodium_memzero(plain, sizeof(plain));
	return rc;
}

/* The account's secret, unsealed from its row. */
static int
open_secret(struct keygate *kg, int64_t account_id,
    const struct totp_row *row, char secret[OTP_SECRET_B32_BYTES])
{
	char ctx[64];

	context(ctx, sizeof(ctx), "totp-secret", account_id, STR_NULL);
	return sealed_open(kg->totp_key, str_from(row->secret), str_from(ctx),
	    secret, OTP_SECRET_B32_BYTES);
}

/* --- counting wrong answers ---------------------------------------------- */

/* The two counts of an answer (limits.h): per address, per account. */
struct answer_count {
	char			 addr[96];
	char			 acct[48];
	struct throttle_ticket	 tk[2];
};

/* Counts the answer before it is checked, as passwords are (accounts.c):
 * parallel guesses never get more than the limit checked. */
static int
count_take(struct keygate *kg, struct answer_count *ac, int64_t account_id,
    const char *addr, int64_t now, int64_t *retry_after_s)
{
	char unit[THROTTLE_ADDR_BYTES];
	int rc;

	throttle_addr(addr, unit);
	snprintf(ac->addr, sizeof(ac->addr), "otp-addr:%s", unit);
	snprintf(ac->acct, sizeof(ac->acct), "otp-acct:%lld",
	    (long long)account_id);
	memset(ac->tk, 0, sizeof(ac->tk));
	rc = throttle_take(kg->throttle, str_from(ac->addr),
	    THROTTLE_FAILS_PER_ADDRESS, THROTTLE_WINDOW_S, now, retry_after_s,
	    &ac->tk[0]);
	if (rc == 0)
		rc = throttle_take(kg->throttle, str_from(ac->acct),
		    THROTTLE_FAILS_PER_ACCOUNT, THROTTLE_WINDOW_S, now,
		    retry_after_s, &ac->tk[1]);
	if (rc != 0)
		throttle_give_back(kg->throttle, &ac->tk[0]);
	return rc;
}

/* After the check: a right answer was no failure and forgives the
 * account's; a store that failed judged nothing. */
static void
count_done(struct keygate *kg, struct answer_count *ac, int rc)
{
	if (rc == ERR_AUTH)
		return;
	throttle_give_back(kg->throttle, &ac->tk[0]);
	throttle_give_back(kg->throttle, &ac->tk[1]);
	if (rc == 0)
		throttle_clear(kg->throttle, str_from(ac->acct));
}

/* --- enrolment ------------------------------------------------------------ */

/* Ten fresh recovery codes as shown, and their hashes. */
static void
recovery_new(char codes[TOTP_RECOVERY_CODES][TOTP_RECOVERY_TEXT_BYTES],
    unsigned char hashes[TOTP_RECOVERY_CODES][SECURE_HASH_BYTES])
{
	unsigned char raw[TOTP_RECOVERY_CHARS];
	char plain[TOTP_RECOVERY_CHARS + 1];

	for (size_t i = 0; i < TOTP_RECOVERY_CODES; i++) {
		char *out = codes[i];

		secure_random(raw, sizeof(raw));
		for (size_t k = 0; k < TOTP_RECOVERY_CHARS; k++) {
			plain[k] = RECOVERY_ALPHABET[raw[k] & 31];
			if (k > 0 && k % 4 == 0)
				*out++ = '-';
			*out++ = plain[k];
		}
		*out = '\0';
		plain[TOTP_RECOVERY_CHARS] = '\0';
		secure_hash(str_from(plain), hashes[i]);
	}
	sodium_memzero(raw, sizeof(raw));
	sodium_memzero(plain, sizeof(plain));
}

/* Seals the secret for its row and stores it with the recovery codes'
 * hashes; `step` is the confirming code's. */
static int
turn_on(struct keygate *kg, int64_t account_id, const char *addr,
    const char *secret, int64_t step,
    char codes[TOTP_RECOVERY_CODES][TOTP_RECOVERY_TEXT_BYTES])
{
	unsigned char hashes[TOTP_RECOVERY_CODES][SECURE_HASH_BYTES];
	struct event_new ev;
	struct totp_row row;
	char ctx[64];
	int rc;

	memset(&row, 0, sizeof(row));
	context(ctx, sizeof(ctx), "totp-secret", account_id, STR_NULL);
	if (sealed_seal(kg->totp_key, str_from(secret), str_from(ctx),
	    row.secret) != 0)
		return ERR_STORE;
	row.enabled_at = clock_now(kg->clock);
	row.last_step = step;
	recovery_new(codes, hashes);
	event_make(&ev, kg, EVENT_TWO_STEP_ON, account_id, addr);
	rc = store_totp_insert(kg->store, account_id, &row,
	    (const unsigned char (*)[SECURE_HASH_BYTES])hashes,
	    TOTP_RECOVERY_CODES, &ev);
	if (rc != 0)
		sodium_memzero(codes, TOTP_RECOVERY_CODES *
		    TOTP_RECOVERY_TEXT_BYTES);
	return rc;
}

int
totp_enrol_finish(struct keygate *kg, int64_t account_id, const char *addr,
    const struct totp_enrolment *e, struct str code,
    char codes[TOTP_RECOVERY_CODES][TOTP_RECOVERY_TEXT_BYTES],
    int64_t *retry_after_s)
{
	struct answer_count ac;
	char digits[TOTP_DIGITS + 1];
	int64_t now = clock_now(kg->clock), step = 0;
	int rc;

	if ((rc = count_take(kg, &ac, account_id, addr, now,
	    retry_after_s)) != 0)
		return rc;
	rc = otp_code_form(code, digits) ? otp_verify(e->secret, now, digits,
	    &step) : ERR_AUTH;
	if (rc == 0)
		rc = turn_on(kg, account_id, addr, e->secret, step, codes);
	count_done(kg, &ac, rc == ERR_EXISTS ? 0 : rc);
	if (rc == 0)
		notices_two_step(kg, account_id, true, addr);
	return rc;
}

/* --- the second step ------------------------------------------------------ */

int
totp_status(struct keygate *kg, int64_t account_id, struct totp_status *out)
{
	unsigned char hashes[TOTP_RECOVERY_CODES][SECURE_HASH_BYTES];
	struct totp_row row;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&row, 0, sizeof(row));
	rc = store_totp_get(kg->store, account_id, &row);
	if (rc == ERR_NOTFOUND)
		return 0;
	if (rc == 0)
		rc = store_recovery_list(kg->store, account_id, hashes,
		    TOTP_RECOVERY_CODES, &out->recovery_left);
	out->on = rc == 0;
	out->enabled_at = rc == 0 ? row.enabled_at : 0;
	sodium_memzero(&row, sizeof(row));
	return rc;
}

int
totp_enabled(struct keygate *kg, int64_t account_id, bool *on)
{
	struct totp_row row;
	int rc = store_totp_get(kg->store, account_id, &row);

	sodium_memzero(&row, sizeof(row));
	*on = rc == 0;
	return rc == ERR_NOTFOUND ? 0 : rc;
}

/* A code from the app: right for a step within the drift, and later than
 * the last one accepted, which it then becomes (on every node: the
 * store's compare-and-set decides). */
static int
check_code(struct keygate *kg, int64_t account_id, const char *digits,
    int64_t now)
{
	char secret[OTP_SECRET_B32_BYTES];
	struct totp_row row;
	int64_t step = 0;
	int rc;

	rc = store_totp_get(kg->store, account_id, &row);
	if (rc == ERR_NOTFOUND)
		return ERR_AUTH;
	if (rc == 0)
		rc = open_secret(kg, account_id, &row, secret) != 0 ?
		    ERR_STORE : otp_verify(secret, now, digits, &step);
	if (rc == 0 && step <= row.last_step)
		rc = ERR_AUTH;	/* this step's code, or an older one */
	if (rc == 0)
		rc = store_totp_step(kg->store, account_id, step);
	sodium_memzero(secret, sizeof(secret));
	sodium_memzero(&row, sizeof(row));
	return rc == ERR_CONFLICT ? ERR_AUTH : rc;
}

/* A recovery code as typed, without dashes and spaces, in lower case:
 * true when that is TOTP_RECOVERY_CHARS of its alphabet. */
static bool
recovery_form(struct str in, char out[TOTP_RECOVERY_CHARS + 1])
{
	size_t n = 0;

	if (in.len > TOTP_CODE_MAX_BYTES)
		return false;
	for (size_t i = 0; i < in.len; i++) {
		char c = in.p[i];

		if (c == '-' || c == ' ')
			continue;
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c == '\0' || strchr(RECOVERY_ALPHABET, c) == NULL ||
		    n == TOTP_RECOVERY_CHARS)
			return false;
		out[n++] = c;
	}
	out[n] = '\0';
	return n == TOTP_RECOVERY_CHARS;
}

/* An unused recovery code: compared with each of the account's in
 * constant time, then taken from the store by the one DELETE that finds
 * it, so that of two racing uses one wins. */
static int
check_recovery(struct keygate *kg, int64_t account_id, const char *plain)
{
	unsigned char want[SECURE_HASH_BYTES];
	unsigned char have[TOTP_RECOVERY_CODES][SECURE_HASH_BYTES];
	size_t n = 0;
	int found = 0, rc;

	secure_hash(str_from(plain), want);
	rc = store_recovery_list(kg->store, account_id, have,
	    TOTP_RECOVERY_CODES, &n);
	if (rc != 0)
		return rc;
	for (size_t i = 0; i < n; i++)
		found |= crypto_verify_32(have[i], want) == 0;
	if (!found)
		return ERR_AUTH;
	rc = store_recovery_take(kg->store, account_id, want);
	return rc == ERR_NOTFOUND ? ERR_AUTH : rc;
}

int
totp_check(struct keygate *kg, int64_t account_id, const char *addr,
    struct str code, int64_t *retry_after_s)
{
	struct answer_count ac;
	char digits[TOTP_DIGITS + 1], plain[TOTP_RECOVERY_CHARS + 1];
	int64_t now = clock_now(kg->clock);
	int rc;

	if ((rc = count_take(kg, &ac, account_id, addr, now,
	    retry_after_s)) != 0)
		return rc;
	if (otp_code_form(code, digits))
		rc = check_code(kg, account_id, digits, now);
	else if (recovery_form(code, plain))
		rc = check_recovery(kg, account_id, plain);
	else
		rc = ERR_AUTH;
	sodium_memzero(plain, sizeof(plain));
	count_done(kg, &ac, rc);
	/* its password was right: a wrong code is a failed log-in of the
	 * account's (a log-in's second step, a personal token's, turning
	 * two-step off) */
	if (rc == ERR_AUTH)
		events_login_failed(kg, account_id, addr, "two_step_code");
	return rc;
}

int
totp_reset(struct keygate *kg, int64_t account_id, const char *addr)
{
	struct event_new ev;
	int rc;

	event_make(&ev, kg, EVENT_TWO_STEP_OFF, account_id, addr);
	rc = store_totp_delete(kg->store, account_id, &ev);

	if (rc == 0)
		notices_two_step(kg, account_id, false, addr);
	return rc;
}
