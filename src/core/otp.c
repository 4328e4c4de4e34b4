#include "core/otp.h"

#include <liboath/oath.h>
#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/secure.h"

_Static_assert(TOTP_SECRET_BYTES * 8 == TOTP_SECRET_B32_CHARS * 5,
    "the secret's base32 form has no padding");

static pthread_once_t started = PTHREAD_ONCE_INIT;
static int start_rc = OATH_OK;

static void
start(void)
{
	start_rc = oath_init();
}

/* liboath's global set-up, once per process. */
static bool
oath_ready(void)
{
	pthread_once(&started, start);
	return start_rc == OATH_OK;
}

int
otp_secret_new(char out[OTP_SECRET_B32_BYTES])
{
	unsigned char raw[TOTP_SECRET_BYTES];
	char *b32 = NULL;
	size_t len = 0;
	int rc;

	out[0] = '\0';
	if (!oath_ready())
		return ERR_STORE;
	secure_random(raw, sizeof(raw));
	rc = oath_base32_encode((const char *)raw, sizeof(raw), &b32, &len);
	sodium_memzero(raw, sizeof(raw));
	if (rc != OATH_OK || len != TOTP_SECRET_B32_CHARS) {
		free(b32);
		return ERR_STORE;
	}
	memcpy(out, b32, len);
	out[len] = '\0';
	sodium_memzero(b32, len);
	free(b32);
	return 0;
}

bool
otp_code_form(struct str in, char digits[TOTP_DIGITS + 1])
{
	size_t n = 0;

	if (in.len > TOTP_CODE_MAX_BYTES)
		return false;
	for (size_t i = 0; i < in.len; i++) {
		char c = in.p[i];

		if (c == ' ')
			continue;
		if (c < '0' || c > '9' || n == TOTP_DIGITS)
			return false;
		digits[n++] = c;
	}
	digits[n] = '\0';
	return n == TOTP_DIGITS;
}

int
otp_verify(const char *secret_b32, int64_t now, const char *code,
    int64_t *step)
{
	char *key = NULL;
	size_t keylen = 0;
	uint64_t counter = 0;
	int pos = 0, rc;

	if (!oath_ready() || strlen(code) != TOTP_DIGITS || now < 0)
		return ERR_AUTH;
	if (oath_base32_decode(secret_b32, strlen(secret_b32), &key,
	    &keylen) != OATH_OK)
		return ERR_AUTH;
	/* RFC 6238 §5.2: a window of TOTP_DRIFT_STEPS steps either way;
	 * liboath gives back the matched step's counter */
	rc = oath_totp_validate3(key, keylen, (time_t)now, TOTP_STEP_S, 0,
	    TOTP_DRIFT_STEPS, &pos, &counter, code);
	sodium_memzero(key, keylen);
	free(key);
	if (rc < 0 || counter > INT64_MAX)
		return ERR_AUTH;
	*step = (int64_t)counter;
	return 0;
}

/* RFC 3986 §2.3: unreserved characters go as they are. */
static void
put_encoded(struct buf *out, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || strchr("-._~", c) != NULL) {
			buf_append(out, s, 1);
		} else {
			char esc[3] = { '%', hex[c >> 4], hex[c & 15] };

			buf_append(out, esc, 3);
		}
	}
}

void
otp_uri(struct buf *out, const char *issuer, const char *account,
    const char *secret_b32)
{
	buf_puts(out, "otpauth://totp/");
	put_encoded(out, issuer);
	buf_puts(out, ":");
	put_encoded(out, account);
	buf_puts(out, "?secret=");
	buf_puts(out, secret_b32);
	buf_puts(out, "&issuer=");
	put_encoded(out, issuer);
	buf_printf(out, "&algorithm=SHA1&digits=%d&period=%d", TOTP_DIGITS,
	    TOTP_STEP_S);
}
