/* core/otp.c, core/totp.c and core/totp_pending.c against a real SQLite
 * store in a temporary folder, on the test clock: enrolment bound to its
 * browser and confirmed by a first code, codes accepted once within one
 * step of drift, recovery codes once, wrong answers (first codes too)
 * throttled per account and per address and forgiven by a right one,
 * totp_reset(); the half-done log-in's proof bound, expiring and spent
 * once. The expected codes come from liboath's generator (the HTTP tests
 * use oathtool instead). */
#include "core/totp.h"

#include <criterion/criterion.h>
#include <liboath/oath.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/err.h"
#include "core/totp_pending.h"
#include "store_fixture.h"

static struct config cfg;
static struct keygate kg;
static int64_t ann;

static void
setup(void)
{
	fixture_config("totp", &cfg);
	cfg.test_clock = true;
	fixture_open(&cfg, &kg);
	ann = fixture_account(&kg, "ann@example.com");
	cr_assert_eq(oath_init(), OATH_OK);
}

static void
teardown(void)
{
	fixture_close(&cfg, &kg);
}

TestSuite(totp, .init = setup, .fini = teardown);

/* The code of `secret` (base32) at now + steps * 30 s. */
static struct str
code_at(const char *secret, int steps, char out[8])
{
	char *key = NULL;
	size_t len = 0;

	cr_assert_eq(oath_base32_decode(secret, strlen(secret), &key, &len),
	    OATH_OK);
	cr_assert_eq(oath_totp_generate(key, len, (time_t)(clock_now(kg.clock)
	    + steps * TOTP_STEP_S), TOTP_STEP_S, 0, TOTP_DIGITS, out),
	    OATH_OK);
	free(key);
	return str_from(out);
}

/* Turns two-step log-in on for ann; her secret into secret. */
static void
turn_on(char secret[OTP_SECRET_B32_BYTES],
    char codes[TOTP_RECOVERY_CODES][TOTP_RECOVERY_TEXT_BYTES])
{
	struct totp_enrolment e;
	int64_t wait;
	char c[8];

	cr_assert_eq(totp_enrol_begin(&kg, ann, STR_LIT("browser"), &e), 0);
	cr_assert_eq(totp_enrol_finish(&kg, ann, "192.0.2.1", &e,
	    code_at(e.secret, 0, c), codes, &wait), 0);
	memcpy(secret, e.secret, OTP_SECRET_B32_BYTES);
}

static int
check(struct str code)
{
	int64_t wait;

	return totp_check(&kg, ann, "192.0.2.1", code, &wait);
}

Test(totp, enrolment_is_bound_to_its_browser_and_expires)
{
	struct totp_enrolment e, back;

	cr_assert_eq(totp_enrol_begin(&kg, ann, STR_LIT("browser"), &e), 0);
	cr_expect_eq(strlen(e.secret), TOTP_SECRET_B32_CHARS);
	cr_expect_null(strstr(e.sealed, e.secret));
	cr_expect_eq(totp_enrol_open(&kg, ann, STR_LIT("other"),
	    str_from(e.sealed), &back), ERR_AUTH);
	cr_expect_eq(totp_enrol_open(&kg, ann + 1, STR_LIT("browser"),
	    str_from(e.sealed), &back), ERR_AUTH);
	cr_assert_eq(totp_enrol_open(&kg, ann, STR_LIT("browser"),
	    str_from(e.sealed), &back), 0);
	cr_expect_str_eq(back.secret, e.secret);
	clock_advance(kg.clock, TOTP_ENROL_TTL_S);
	cr_expect_eq(totp_enrol_open(&kg, ann, STR_LIT("browser"),
	    str_from(e.sealed), &back), ERR_EXPIRED);
}

Test(totp, a_wrong_first_code_stores_nothing)
{
	char codes[TOTP_RECOVERY_CODES][TOTP_RECOVERY_TEXT_BYTES], c[8];
	struct totp_enrolment e;
	int64_t wait;
	bool on = true;

	cr_assert_eq(totp_enrol_begin(&kg, ann, STR_LIT("browser"), &e), 0);
	cr_expect_eq(totp_enrol_finish(&kg, ann, "192.0.2.1", &e,
	    code_at(e.secret, 5, c), codes, &wait), ERR_AUTH);
	cr_expect_eq(totp_enrol_finish(&kg, ann, "192.0.2.1", &e,
	    STR_LIT("12345"), codes, &wait), ERR_AUTH);
	cr_assert_eq(totp_enabled(&kg, ann, &on), 0);
	cr_expect(!on);
}

Test(totp, codes_once_within_a_step_of_drift)
{
	char codes[TOTP_RECOVERY_CODES][TOTP_RECOVERY_TEXT_BYTES];
	char secret[OTP_SECRET_B32_BYTES], c[8];

	turn_on(secret, codes);
	cr_expect_eq(check(code_at(secret, 0, c)), ERR_AUTH,
	    "the confirming code's step is used");
	clock_advance(kg.clock, 10 * TOTP_STEP_S);
	cr_expect_eq(check(code_at(secret, 2, c)), ERR_AUTH);
	cr_expect_eq(check(code_at(secret, -2, c)), ERR_AUTH);
	cr_expect_eq(check(code_at(secret, -1, c)), 0);
	cr_expect_eq(check(code_at(secret, -1, c)), ERR_AUTH, "replayed");
	cr_expect_eq(check(code_at(secret, 1, c)), 0);
	cr_expect_eq(check(code_at(secret, 0, c)), ERR_AUTH,
	    "older than one accepted");
}

Test(totp, recovery_codes_once_each_as_typed)
{
	char codes[TOTP_RECOVERY_CODES][TOTP_RECOVERY_TEXT_BYTES];
	char secret[OTP_SECRET_B32_BYTES], typed[32];
	struct totp_status s;

	turn_on(secret, codes);
	for (size_t i = 0; i < TOTP_RECOVERY_CODES; i++) {
		cr_expect_eq(strlen(codes[i]), 19);
		for (size_t k = i + 1; k < TOTP_RECOVERY_CODES; k++)
			cr_expect_str_neq(codes[i], codes[k]);
	}
	cr_expect_eq(check(str_from(codes[0])), 0);
	cr_expect_eq(check(str_from(codes[0])), ERR_AUTH);
	/* upper case, without dashes, spaced */
	snprintf(typed, sizeof(typed), " %.4s %.4s%.4s-%.4s ", codes[1],
	    codes[1] + 5, codes[1] + 10, codes[1] + 15);
	for (char *p = typed; *p != '\0'; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
	cr_expect_eq(check(str_from(typed)), 0, "%s", typed);
	cr_expect_eq(check(STR_LIT("aaaa-aaaa-aaaa-aaa1")), ERR_AUTH);
	cr_assert_eq(totp_status(&kg, ann, &s), 0);
	cr_expect(s.on);
	cr_expect_eq(s.recovery_left, TOTP_RECOVERY_CODES - 2);
}

Test(totp, wrong_answers_are_throttled_per_account)
{
	char codes[TOTP_RECOVERY_CODES][TOTP_RECOVERY_TEXT_BYTES];
	char secret[OTP_SECRET_B32_BYTES], c[8];
	int64_t wait = 0;

	turn_on(secret, codes);
	clock_advance(kg.clock, TOTP_STEP_S);
	for (int i = 0; i < THROTTLE_FAILS_PER_ACCOUNT; i++)
		cr_expect_eq(totp_check(&kg, ann, i % 2 ? "192.0.2.1" :
		    "198.51.100.7", STR_LIT("000000x"), &wait), ERR_AUTH);
	cr_expect_eq(totp_check(&kg, ann, "203.0.113.9", code_at(secret, 0, c),
	    &wait), ERR_THROTTLED, "from any address");
	cr_expect_gt(wait, 0);
	clock_advance(kg.clock, THROTTLE_WINDOW_S);
	cr_expect_eq(check(code_at(secret, 0, c)), 0);
}

/* A right code forgives the account's wrong ones, as a right password
 * does: the count starts again from nothing. */
Test(totp, a_right_code_forgives_the_account_s_failures)
{
	char codes[TOTP_RECOVERY_CODES][TOTP_RECOVERY_TEXT_BYTES];
	char secret[OTP_SECRET_B32_BYTES], c[8];

	turn_on(secret, codes);
	clock_advance(kg.clock, TOTP_STEP_S);
	for (int i = 0; i < THROTTLE_FAILS_PER_ACCOUNT - 1; i++)
		cr_expect_eq(check(STR_LIT("000000x")), ERR_AUTH);
	cr_expect_eq(check(code_at(secret, 0, c)), 0);
	for (int i = 0; i < THROTTLE_FAILS_PER_ACCOUNT - 1; i++)
		cr_expect_eq(check(STR_LIT("000000x")), ERR_AUTH, "%d", i);
	clock_advance(kg.clock, TOTP_STEP_S);
	cr_expect_eq(check(code_at(secret, 0, c)), 0);
}

/* One address guessing at many accounts is stopped too, and only that
 * address. */
Test(totp, wrong_answers_are_throttled_per_address)
{
	char codes[TOTP_RECOVERY_CODES][TOTP_RECOVERY_TEXT_BYTES];
	char secret[OTP_SECRET_B32_BYTES], c[8];
	int64_t wait = 0;

	turn_on(secret, codes);
	clock_advance(kg.clock, TOTP_STEP_S);
	for (int i = 0; i < THROTTLE_FAILS_PER_ADDRESS; i++)
		cr_expect_eq(totp_check(&kg, ann + 1 + i, "198.51.100.7",
		    STR_LIT("123456"), &wait), ERR_AUTH, "%d", i);
	cr_expect_eq(totp_check(&kg, ann, "198.51.100.7",
	    code_at(secret, 0, c), &wait), ERR_THROTTLED);
	cr_expect_gt(wait, 0);
	cr_expect_eq(check(code_at(secret, 0, c)), 0, "another address");
}

/* The first code is counted like any other: guessing it turns nothing
 * on. */
Test(totp, wrong_first_codes_are_throttled)
{
	char codes[TOTP_RECOVERY_CODES][TOTP_RECOVERY_TEXT_BYTES], c[8];
	struct totp_enrolment e;
	int64_t wait = 0;
	bool on = true;

	cr_assert_eq(totp_enrol_begin(&kg, ann, STR_LIT("browser"), &e), 0);
	for (int i = 0; i < THROTTLE_FAILS_PER_ACCOUNT; i++)
		cr_expect_eq(totp_enrol_finish(&kg, ann, i % 2 ? "192.0.2.1" :
		    "198.51.100.7", &e, STR_LIT("000000x"), codes, &wait),
		    ERR_AUTH);
	cr_expect_eq(totp_enrol_finish(&kg, ann, "203.0.113.9", &e,
	    code_at(e.secret, 0, c), codes, &wait), ERR_THROTTLED);
	cr_expect_gt(wait, 0);
	cr_assert_eq(totp_enabled(&kg, ann, &on), 0);
	cr_expect(!on);
}

Test(totp, reset_turns_it_off)
{
	char codes[TOTP_RECOVERY_CODES][TOTP_RECOVERY_TEXT_BYTES];
	char secret[OTP_SECRET_B32_BYTES], c[8];
	bool on = false;

	turn_on(secret, codes);
	cr_assert_eq(totp_enabled(&kg, ann, &on), 0);
	cr_expect(on);
	cr_expect_eq(totp_reset(&kg, ann, NULL), 0);
	cr_assert_eq(totp_enabled(&kg, ann, &on), 0);
	cr_expect(!on);
	cr_expect_eq(totp_reset(&kg, ann, NULL), ERR_NOTFOUND);
	clock_advance(kg.clock, TOTP_STEP_S);
	cr_expect_eq(check(code_at(secret, 0, c)), ERR_AUTH);
	cr_expect_eq(check(str_from(codes[2])), ERR_AUTH, "codes went too");
	turn_on(secret, codes);		/* and on again */
}

/* A wrong code leaves the proof for the right one; a right code spends
 * it, so that the same form with a later code starts over. */
Test(totp, the_pending_proof_is_bound_and_spent_once)
{
	char codes[TOTP_RECOVERY_CODES][TOTP_RECOVERY_TEXT_BYTES];
	char secret[OTP_SECRET_B32_BYTES], sealed[SEALED_MAX_BYTES], c[8];
	struct totp_pending p;
	int64_t wait;

	turn_on(secret, codes);
	clock_advance(kg.clock, TOTP_STEP_S);
	cr_assert_eq(totp_pending_begin(&kg, STR_LIT("portal|b1"), ann,
	    sealed), 0);
	cr_expect_eq(totp_pending_open(&kg, STR_LIT("portal|b2"),
	    str_from(sealed), &p), ERR_AUTH);
	cr_assert_eq(totp_pending_open(&kg, STR_LIT("portal|b1"),
	    str_from(sealed), &p), 0);
	cr_expect_eq(p.account_id, ann);
	cr_expect_eq(totp_pending_answer(&kg, &p, "192.0.2.1",
	    STR_LIT("000000x"), &wait), ERR_AUTH);
	cr_expect_eq(totp_pending_answer(&kg, &p, "192.0.2.1",
	    code_at(secret, 0, c), &wait), 0);
	clock_advance(kg.clock, TOTP_STEP_S);
	cr_expect_eq(totp_pending_answer(&kg, &p, "192.0.2.1",
	    code_at(secret, 0, c), &wait), ERR_EXPIRED, "spent");
	cr_assert_eq(totp_pending_begin(&kg, STR_LIT("portal|b1"), ann,
	    sealed), 0);
	clock_advance(kg.clock, TOTP_PENDING_TTL_S);
	cr_expect_eq(totp_pending_open(&kg, STR_LIT("portal|b1"),
	    str_from(sealed), &p), ERR_EXPIRED);
}

Test(totp, uri_and_code_forms)
{
	char digits[TOTP_DIGITS + 1];
	struct buf b;

	buf_init(&b, 1024);
	otp_uri(&b, "Key Gate", "a+b@example.com", "ABCDEFGH");
	cr_expect_str_eq(b.p, "otpauth://totp/Key%20Gate:a%2Bb%40example.com"
	    "?secret=ABCDEFGH&issuer=Key%20Gate&algorithm=SHA1&digits=6"
	    "&period=30");
	buf_release(&b);
	cr_expect(otp_code_form(STR_LIT("123 456"), digits));
	cr_expect_str_eq(digits, "123456");
	cr_expect(!otp_code_form(STR_LIT("12345"), digits));
	cr_expect(!otp_code_form(STR_LIT("1234567"), digits));
	cr_expect(!otp_code_form(STR_LIT("12345a"), digits));
	cr_expect(!otp_code_form(STR_LIT(""), digits));
}
