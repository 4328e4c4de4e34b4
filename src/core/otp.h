#ifndef KEYGATE_CORE_OTP_H
#define KEYGATE_CORE_OTP_H

#include <stdbool.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/limits.h"
#include "base/str.h"

/* Time-based one-time passwords (RFC 6238) as every authenticator app
 * reads them: HMAC-SHA-1, TOTP_DIGITS digits, steps of TOTP_STEP_S from
 * the Unix epoch. The codes themselves are liboath's (the OATH Toolkit):
 * keygate holds no HMAC-based OTP code of its own. Pure but for the
 * randomness of otp_secret_new(); the clock is an argument. */

#define OTP_SECRET_B32_BYTES	(TOTP_SECRET_B32_CHARS + 1)	/* NUL */

/* A fresh secret of TOTP_SECRET_BYTES random bytes, as RFC 4648 base32
 * without padding (upper case). Returns 0 or ERR_STORE when liboath
 * cannot start. */
int	otp_secret_new(char out[OTP_SECRET_B32_BYTES]);

/* The code as typed with its spaces left out, when that is TOTP_DIGITS
 * digits: true and digits filled; false for anything else. */
bool	otp_code_form(struct str in, char digits[TOTP_DIGITS + 1]);

/* Checks `code` (TOTP_DIGITS digits, otp_code_form()) against the secret
 * at time `now`, allowing TOTP_DRIFT_STEPS steps of drift either way.
 * Returns 0 with *step set to the time step (now / TOTP_STEP_S, give or
 * take the drift) whose code it is, or ERR_AUTH. Whether that step was
 * used before is the caller's to judge (core/totp.c). */
int	otp_verify(const char *secret_b32, int64_t now, const char *code,
	    int64_t *step);

/* The otpauth:// URI of Google Authenticator's Key Uri Format, which
 * every app reads: otpauth://totp/ISSUER:ACCOUNT?secret=...&issuer=...&
 * algorithm=SHA1&digits=6&period=30, the label and the issuer
 * percent-encoded (RFC 3986 unreserved characters as they are). */
void	otp_uri(struct buf *out, const char *issuer, const char *account,
	    const char *secret_b32);

#endif
