#include "core/sealed.h"

#include <criterion/criterion.h>
#include <string.h>

#include "base/err.h"

static unsigned char key[SECURE_KEY_BYTES], other[SECURE_KEY_BYTES];

static void
setup(void)
{
	cr_assert_eq(secure_init(), 0);
	secure_random(key, sizeof(key));
	secure_random(other, sizeof(other));
}

Test(sealed, round_trip_and_binding, .init = setup)
{
	char box[SEALED_MAX_BYTES], plain[128];
	struct str ctx = STR_LIT("session|kg_ak_x");

	cr_assert_eq(sealed_seal(key, STR_LIT("kg_sk_secret"), ctx, box), 0);
	cr_expect_null(strstr(box, "kg_sk_secret"));
	cr_assert_eq(sealed_open(key, str_from(box), ctx, plain,
	    sizeof(plain)), 0);
	cr_expect_str_eq(plain, "kg_sk_secret");
	cr_expect_eq(sealed_open(key, str_from(box),
	    STR_LIT("other|kg_ak_x"), plain, sizeof(plain)), ERR_AUTH);
	cr_expect_eq(sealed_open(other, str_from(box), ctx, plain,
	    sizeof(plain)), ERR_AUTH);
	cr_expect_eq(sealed_open(key, str_from(box), ctx, plain, 5), ERR_AUTH,
	    "too small a buffer is refused, not overrun");
}

Test(sealed, forgeries_are_refused, .init = setup)
{
	static const char *const bad[] = { "", "AAAA", "!!!!", "a b c",
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" };
	char box[SEALED_MAX_BYTES], plain[128];
	struct str ctx = STR_LIT("c");

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_expect_eq(sealed_open(key, str_from(bad[i]), ctx, plain,
		    sizeof(plain)), ERR_AUTH, "case %zu", i);
	cr_assert_eq(sealed_seal(key, STR_LIT("value"), ctx, box), 0);
	box[10] = box[10] == 'A' ? 'B' : 'A';
	cr_expect_eq(sealed_open(key, str_from(box), ctx, plain,
	    sizeof(plain)), ERR_AUTH, "one altered character");
	char big[300];
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	cr_expect_eq(sealed_seal(key, str_from(big), ctx, box), ERR_TOOBIG);
}
