/* core/reveal.c against a real SQLite store in a temporary folder, on the
 * test clock: a sealed showing opens once, within REVEAL_TTL_S, for its
 * own context; a value that does not open does not use the showing up. */
#include "core/reveal.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/err.h"
#include "store_fixture.h"

#define SECRET	"kg_sk_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG"
#define CONTEXT	"session-hash|kg_ak_app"

static struct config cfg;
static struct keygate kg;

static void
setup(void)
{
	fixture_config("reveal", &cfg);
	cfg.test_clock = true;
	fixture_open(&cfg, &kg);
}

static void
teardown(void)
{
	fixture_close(&cfg, &kg);
}

/* A new showing of SECRET for CONTEXT, sealed into out. */
static void
sealed_showing(char out[SEALED_MAX_BYTES])
{
	struct reveal r;

	cr_assert_eq(reveal_begin(&kg, &r), 0);
	cr_assert_eq(reveal_seal(&kg, &r, STR_LIT(SECRET), STR_LIT(CONTEXT),
	    out), 0);
}

static int
take(const char *sealed, const char *context, char *secret)
{
	return reveal_take(&kg, str_from(sealed), str_from(context), secret);
}

TestSuite(reveal, .init = setup, .fini = teardown);

Test(reveal, opens_once)
{
	char sealed[SEALED_MAX_BYTES], secret[TOKEN_MAX_BYTES + 1];

	sealed_showing(sealed);
	cr_expect_null(strstr(sealed, SECRET));
	cr_assert_eq(take(sealed, CONTEXT, secret), 0);
	cr_expect_str_eq(secret, SECRET);
	cr_expect_eq(take(sealed, CONTEXT, secret), ERR_AUTH, "replayed");
	cr_expect_eq(take(sealed, CONTEXT, secret), ERR_AUTH);
}

Test(reveal, each_showing_is_its_own)
{
	char a[SEALED_MAX_BYTES], b[SEALED_MAX_BYTES];
	char secret[TOKEN_MAX_BYTES + 1];

	sealed_showing(a);
	sealed_showing(b);
	cr_expect_str_neq(a, b);
	cr_expect_eq(take(a, CONTEXT, secret), 0);
	cr_expect_eq(take(b, CONTEXT, secret), 0, "a's showing was a's");
}

/* A value that does not open (another session, altered) is refused
 * before the store is asked: it does not use the real showing up. */
Test(reveal, a_value_that_does_not_open_leaves_the_showing)
{
	char sealed[SEALED_MAX_BYTES], bad[SEALED_MAX_BYTES];
	char secret[TOKEN_MAX_BYTES + 1];

	sealed_showing(sealed);
	cr_expect_eq(take(sealed, "other-session|kg_ak_app", secret),
	    ERR_AUTH);
	memcpy(bad, sealed, sizeof(bad));
	bad[10] = bad[10] == 'A' ? 'B' : 'A';
	cr_expect_eq(take(bad, CONTEXT, secret), ERR_AUTH);
	cr_expect_eq(take("", CONTEXT, secret), ERR_AUTH);
	cr_expect_eq(take("!!!", CONTEXT, secret), ERR_AUTH);
	cr_expect_eq(take(sealed, CONTEXT, secret), 0);
}

/* Sealed with the right key but not a showing: malformed, or a nonce
 * never recorded. */
Test(reveal, forged_plain_texts_are_refused)
{
	static const char *const plain[] = {
		"no dots at all",
		"nonce.only-one-dot",
		"nonce.notanumber." SECRET,
		"nonce.-5." SECRET,
		".1700000000." SECRET,
		"nonce.1700000000.",
		"never-recorded-nonce.1700000000." SECRET,
	};
	char sealed[SEALED_MAX_BYTES], secret[TOKEN_MAX_BYTES + 1];
	char now[64];

	for (size_t i = 0; i < sizeof(plain) / sizeof(*plain); i++) {
		cr_assert_eq(sealed_seal(kg.reveal_key, str_from(plain[i]),
		    STR_LIT(CONTEXT), sealed), 0);
		cr_expect_neq(take(sealed, CONTEXT, secret), 0, "%s", plain[i]);
	}
	/* the time right, the nonce unknown */
	snprintf(now, sizeof(now), "unknown.%lld.x",
	    (long long)clock_now(kg.clock));
	cr_assert_eq(sealed_seal(kg.reveal_key, str_from(now),
	    STR_LIT(CONTEXT), sealed), 0);
	cr_expect_eq(take(sealed, CONTEXT, secret), ERR_AUTH);
}

/* The test clock runs on from the real one, so a real second may tick
 * between sealing and taking: "within" stays a few seconds short. */
Test(reveal, shown_within_the_time_only)
{
	char early[SEALED_MAX_BYTES], late[SEALED_MAX_BYTES];
	char secret[TOKEN_MAX_BYTES + 1];

	sealed_showing(early);
	sealed_showing(late);
	cr_assert_eq(clock_advance(kg.clock, REVEAL_TTL_S - 5), 0);
	cr_expect_eq(take(early, CONTEXT, secret), 0);
	cr_assert_eq(clock_advance(kg.clock, 5), 0);
	cr_expect_eq(take(late, CONTEXT, secret), ERR_EXPIRED);
	cr_expect_eq(take(late, CONTEXT, secret), ERR_EXPIRED);
}
