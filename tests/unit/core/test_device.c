#include "core/device.h"

#include <criterion/criterion.h>
#include <sodium.h>
#include <string.h>

#include "base/limits.h"

#define T0	1800000000LL

static struct keygate kg;

static void
setup(void)
{
	cr_assert_geq(sodium_init(), 0);
	memset(&kg, 0, sizeof(kg));
	randombytes_buf(kg.reveal_key, sizeof(kg.reveal_key));
}

Test(device, a_cookie_vouches_for_its_account_for_a_year, .init = setup)
{
	char c[DEVICE_COOKIE_BYTES], d[DEVICE_COOKIE_BYTES];

	device_cookie_make(&kg, 42, T0, c);
	cr_assert_neq(c[0], '\0');
	cr_expect(device_cookie_valid(&kg, str_from(c), 42, T0));
	cr_expect(device_cookie_valid(&kg, str_from(c), 42,
	    T0 + DEVICE_COOKIE_TTL_S - 1));
	cr_expect(!device_cookie_valid(&kg, str_from(c), 42,
	    T0 + DEVICE_COOKIE_TTL_S), "expired");
	cr_expect(!device_cookie_valid(&kg, str_from(c), 43, T0),
	    "another account");
	device_cookie_make(&kg, 42, T0, d);
	cr_expect_str_neq(c, d, "each cookie is new");
}

Test(device, forgeries_do_not_verify, .init = setup)
{
	char c[DEVICE_COOKIE_BYTES], bad[DEVICE_COOKIE_BYTES];
	struct keygate other = kg;

	device_cookie_make(&kg, 7, T0, c);
	memcpy(bad, c, sizeof(bad));
	bad[10] = bad[10] == 'A' ? 'B' : 'A';
	cr_expect(!device_cookie_valid(&kg, str_from(bad), 7, T0));
	cr_expect(!device_cookie_valid(&kg, STR_NULL, 7, T0));
	cr_expect(!device_cookie_valid(&kg, STR_LIT("7.1800000000.00"), 7,
	    T0));
	randombytes_buf(other.reveal_key, sizeof(other.reveal_key));
	cr_expect(!device_cookie_valid(&other, str_from(c), 7, T0),
	    "another server key");
}
