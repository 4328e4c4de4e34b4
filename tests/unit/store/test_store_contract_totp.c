/* The store contract, two-step log-in: the totp row written with its
 * recovery codes in one transaction, the compare-and-set on the last step
 * that makes codes single-use, recovery codes taken once, and turning it
 * off taking the codes along. */
#include "store_contract.h"

#include <criterion/criterion.h>
#include <string.h>

#include "base/err.h"

#define SEALED	"c2VhbGVkIHNlY3JldCBvZiB0aGUgYWNjb3VudA"

/* Ten distinct hashes, the n-th starting with byte n + 1 + base. */
static void
hashes_of(unsigned char h[TOTP_RECOVERY_CODES][SECURE_HASH_BYTES], int base)
{
	for (int i = 0; i < TOTP_RECOVERY_CODES; i++) {
		memset(h[i], 0x11 * (base + 1), SECURE_HASH_BYTES);
		h[i][0] = (unsigned char)(i + 1 + base);
	}
}

static void
turn_on(int64_t account, int64_t step,
    unsigned char h[TOTP_RECOVERY_CODES][SECURE_HASH_BYTES])
{
	struct totp_row row;

	memset(&row, 0, sizeof(row));
	SET(row.secret, SEALED);
	row.enabled_at = T0;
	row.last_step = step;
	cr_assert_eq(store_totp_insert(st, account, &row,
	    (const unsigned char (*)[SECURE_HASH_BYTES])h,
	    TOTP_RECOVERY_CODES, NULL), 0);
}

static size_t
codes_left(int64_t account)
{
	unsigned char got[TOTP_RECOVERY_CODES][SECURE_HASH_BYTES];
	size_t n = 99;

	cr_assert_eq(store_recovery_list(st, account, got,
	    TOTP_RECOVERY_CODES, &n), 0);
	return n;
}

STORE_TEST(totp, off_until_turned_on, contract_setup)
{
	int64_t ann = contract_account("ann@example.com");
	struct totp_row row;

	cr_expect_eq(store_totp_get(st, ann, &row), ERR_NOTFOUND);
	cr_expect_eq(store_totp_step(st, ann, 5), ERR_CONFLICT,
	    "no step is recorded for an account without it");
	cr_expect_eq(store_totp_delete(st, ann, NULL), ERR_NOTFOUND);
	cr_expect_eq(codes_left(ann), 0);
}

STORE_TEST(totp, turned_on_with_its_recovery_codes, contract_setup)
{
	int64_t ann = contract_account("ann@example.com");
	int64_t bob = contract_account("bob@example.com");
	unsigned char h[TOTP_RECOVERY_CODES][SECURE_HASH_BYTES];
	unsigned char got[TOTP_RECOVERY_CODES][SECURE_HASH_BYTES];
	struct totp_row row;
	size_t n = 0;

	hashes_of(h, 0);
	turn_on(ann, 60000001, h);
	cr_assert_eq(store_totp_get(st, ann, &row), 0);
	cr_expect_str_eq(row.secret, SEALED);
	cr_expect_eq(row.enabled_at, T0);
	cr_expect_eq(row.last_step, 60000001);
	cr_assert_eq(store_recovery_list(st, ann, got, TOTP_RECOVERY_CODES,
	    &n), 0);
	cr_assert_eq(n, TOTP_RECOVERY_CODES);
	for (size_t i = 0; i < n; i++)
		cr_expect_eq(memcmp(got[i], h[i], SECURE_HASH_BYTES), 0,
		    "hash %zu, in order", i);
	cr_assert_eq(store_recovery_list(st, ann, got, 3, &n), 0);
	cr_expect_eq(n, 3, "at most max");
	cr_expect_eq(store_totp_get(st, bob, &row), ERR_NOTFOUND,
	    "another account is untouched");
	cr_expect_eq(codes_left(bob), 0);
}

STORE_TEST(totp, turned_on_once, contract_setup)
{
	int64_t ann = contract_account("ann@example.com");
	unsigned char h[TOTP_RECOVERY_CODES][SECURE_HASH_BYTES];
	unsigned char h2[TOTP_RECOVERY_CODES][SECURE_HASH_BYTES];
	struct totp_row row, again;

	hashes_of(h, 0);
	hashes_of(h2, 20);
	turn_on(ann, 7, h);
	memset(&again, 0, sizeof(again));
	SET(again.secret, "another");
	again.last_step = 9;
	cr_expect_eq(store_totp_insert(st, ann, &again,
	    (const unsigned char (*)[SECURE_HASH_BYTES])h2,
	    TOTP_RECOVERY_CODES, NULL), ERR_EXISTS);
	cr_assert_eq(store_totp_get(st, ann, &row), 0);
	cr_expect_str_eq(row.secret, SEALED, "the first one stays");
	cr_expect_eq(row.last_step, 7);
	cr_expect_eq(codes_left(ann), TOTP_RECOVERY_CODES,
	    "no code of the refused one was added");
	cr_expect_eq(store_recovery_take(st, ann, h2[0]), ERR_NOTFOUND);
}

STORE_TEST(totp, all_or_nothing, contract_setup)
{
	int64_t ann = contract_account("ann@example.com");
	unsigned char h[TOTP_RECOVERY_CODES][SECURE_HASH_BYTES];
	struct totp_row row;

	hashes_of(h, 0);
	memcpy(h[9], h[3], SECURE_HASH_BYTES);	/* a hash twice */
	memset(&row, 0, sizeof(row));
	SET(row.secret, SEALED);
	cr_expect_neq(store_totp_insert(st, ann, &row,
	    (const unsigned char (*)[SECURE_HASH_BYTES])h,
	    TOTP_RECOVERY_CODES, NULL), 0);
	cr_expect_eq(store_totp_get(st, ann, &row), ERR_NOTFOUND,
	    "the totp row went with the failed codes");
	cr_expect_eq(codes_left(ann), 0);
}

STORE_TEST(totp, each_step_is_accepted_once, contract_setup)
{
	int64_t ann = contract_account("ann@example.com");
	unsigned char h[TOTP_RECOVERY_CODES][SECURE_HASH_BYTES];
	struct totp_row row;

	hashes_of(h, 0);
	turn_on(ann, 100, h);
	cr_expect_eq(store_totp_step(st, ann, 100), ERR_CONFLICT,
	    "the confirming code's step is used");
	cr_expect_eq(store_totp_step(st, ann, 99), ERR_CONFLICT);
	cr_expect_eq(store_totp_step(st, ann, 101), 0);
	cr_expect_eq(store_totp_step(st, ann, 101), ERR_CONFLICT, "replay");
	cr_expect_eq(store_totp_step(st, ann, 103), 0);
	cr_expect_eq(store_totp_step(st, ann, 102), ERR_CONFLICT,
	    "an older step after a newer one");
	cr_assert_eq(store_totp_get(st, ann, &row), 0);
	cr_expect_eq(row.last_step, 103);
}

STORE_TEST(totp, recovery_codes_are_taken_once, contract_setup)
{
	int64_t ann = contract_account("ann@example.com");
	int64_t bob = contract_account("bob@example.com");
	unsigned char h[TOTP_RECOVERY_CODES][SECURE_HASH_BYTES];
	unsigned char hb[TOTP_RECOVERY_CODES][SECURE_HASH_BYTES];

	hashes_of(h, 0);
	hashes_of(hb, 40);
	turn_on(ann, 1, h);
	turn_on(bob, 1, hb);
	cr_expect_eq(store_recovery_take(st, bob, h[2]), ERR_NOTFOUND,
	    "ann's code is not bob's");
	cr_expect_eq(store_recovery_take(st, ann, h[2]), 0);
	cr_expect_eq(store_recovery_take(st, ann, h[2]), ERR_NOTFOUND);
	cr_expect_eq(codes_left(ann), TOTP_RECOVERY_CODES - 1);
	cr_expect_eq(codes_left(bob), TOTP_RECOVERY_CODES);
}

STORE_TEST(totp, turned_off_with_its_codes, contract_setup)
{
	int64_t ann = contract_account("ann@example.com");
	int64_t bob = contract_account("bob@example.com");
	unsigned char h[TOTP_RECOVERY_CODES][SECURE_HASH_BYTES];
	unsigned char hb[TOTP_RECOVERY_CODES][SECURE_HASH_BYTES];
	struct totp_row row;

	hashes_of(h, 0);
	hashes_of(hb, 40);
	turn_on(ann, 1, h);
	turn_on(bob, 1, hb);
	cr_expect_eq(store_totp_delete(st, ann, NULL), 0);
	cr_expect_eq(store_totp_get(st, ann, &row), ERR_NOTFOUND);
	cr_expect_eq(codes_left(ann), 0, "the codes went with it");
	cr_expect_eq(store_recovery_take(st, ann, h[0]), ERR_NOTFOUND);
	cr_expect_eq(store_totp_delete(st, ann, NULL), ERR_NOTFOUND);
	cr_expect_eq(codes_left(bob), TOTP_RECOVERY_CODES, "bob keeps his");
	turn_on(ann, 5, h);	/* and on again, codes and all */
	cr_expect_eq(codes_left(ann), TOTP_RECOVERY_CODES);
}
