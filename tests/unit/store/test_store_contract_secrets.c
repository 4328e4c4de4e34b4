/* The store contract, secret rotation (docs/REFERENCE.md §16): a rotation
 * with an overlap keeps the current secret as the old one, numbered, with
 * its times; a second rotation is refused while the old one is valid;
 * revoking the old one; last-used times moving forward only; which of
 * these move the revision. */
#include "store_contract.h"

#include <criterion/criterion.h>
#include <string.h>

#include "base/err.h"

static int64_t
revision(void)
{
	int64_t n = 0;

	cr_assert_eq(store_revision(st, &n), 0);
	return n;
}

STORE_TEST(secrets, rotation_keeps_the_old_one, contract_setup)
{
	unsigned char h1[SECURE_HASH_BYTES], h2[SECURE_HASH_BYTES];
	struct app_row row, got;
	int64_t ann = contract_account("ann@example.com"), r;

	contract_app(ann, "kg_ak_rot", T0, &row);
	contract_hash(h1);
	contract_hash(h2);
	cr_assert_eq(store_app_rotate_secret(st, ann, "kg_ak_rot", h1, T0 + 1,
	    3600, NULL), 0);
	cr_assert_eq(store_app_get(st, ann, "kg_ak_rot", &got), 0);
	cr_expect_eq(got.secret_id, 1);
	cr_expect(!got.has_old_secret, "no secret before: none to keep");
	cr_assert_eq(store_app_secret_used(st, got.id, 1, T0 + 50), 0);
	r = revision();
	cr_assert_eq(store_app_rotate_secret(st, STORE_ANY_ACCOUNT,
	    "kg_ak_rot", h2, T0 + 100, 3600, NULL), 0);
	cr_expect_gt(revision(), r, "a rotation moves the revision");
	cr_assert_eq(store_app_get(st, ann, "kg_ak_rot", &got), 0);
	cr_expect_eq(memcmp(got.secret_hash, h2, sizeof(h2)), 0);
	cr_expect_eq(got.secret_id, 2);
	cr_expect_eq(got.secret_created_at, T0 + 100);
	cr_expect_eq(got.secret_used_at, 0, "the new one is unused");
	cr_expect(got.has_old_secret);
	cr_expect_eq(memcmp(got.old_secret_hash, h1, sizeof(h1)), 0);
	cr_expect_eq(got.old_secret_id, 1);
	cr_expect_eq(got.old_secret_created_at, T0 + 1);
	cr_expect_eq(got.old_secret_used_at, T0 + 50);
	cr_expect_eq(got.old_secret_expires_at, T0 + 100 + 3600);
}

STORE_TEST(secrets, third_refused_while_old_valid, contract_setup)
{
	unsigned char h1[SECURE_HASH_BYTES], h2[SECURE_HASH_BYTES],
	    h3[SECURE_HASH_BYTES];
	struct app_row row, got;
	int64_t ann = contract_account("ann@example.com");
	int64_t bob = contract_account("bob@example.com");

	contract_app(ann, "kg_ak_three", T0, &row);
	contract_hash(h1);
	contract_hash(h2);
	contract_hash(h3);
	cr_assert_eq(store_app_set_secret(st, ann, "kg_ak_three", h1, T0, NULL),
	    0);
	cr_assert_eq(store_app_rotate_secret(st, ann, "kg_ak_three", h2, T0,
	    60, NULL), 0);
	cr_expect_eq(store_app_rotate_secret(st, ann, "kg_ak_three", h3,
	    T0 + 59, 0, NULL), ERR_CONFLICT, "two valid secrets: refused");
	cr_expect_eq(store_app_rotate_secret(st, bob, "kg_ak_three", h3,
	    T0 + 59, 0, NULL), ERR_NOTFOUND, "another account's app");
	cr_expect_eq(store_app_rotate_secret(st, ann, "kg_ak_none", h3,
	    T0 + 59, 0, NULL), ERR_NOTFOUND);
	cr_assert_eq(store_app_get(st, ann, "kg_ak_three", &got), 0);
	cr_expect_eq(memcmp(got.secret_hash, h2, sizeof(h2)), 0,
	    "nothing written");
	cr_expect_eq(got.secret_id, 2);
	/* at its expiry the old one counts no more */
	cr_assert_eq(store_app_rotate_secret(st, ann, "kg_ak_three", h3,
	    T0 + 60, 0, NULL), 0);
	cr_assert_eq(store_app_get(st, ann, "kg_ak_three", &got), 0);
	cr_expect_eq(memcmp(got.secret_hash, h3, sizeof(h3)), 0);
	cr_expect_eq(got.secret_id, 3);
	cr_expect(!got.has_old_secret, "keep 0: the current one went");
}

STORE_TEST(secrets, revoke_old, contract_setup)
{
	unsigned char h1[SECURE_HASH_BYTES], h2[SECURE_HASH_BYTES];
	struct app_row row, got;
	int64_t ann = contract_account("ann@example.com");
	int64_t bob = contract_account("bob@example.com"), r;

	contract_app(ann, "kg_ak_rev", T0, &row);
	contract_hash(h1);
	contract_hash(h2);
	cr_assert_eq(store_app_set_secret(st, ann, "kg_ak_rev", h1, T0, NULL),
	    0);
	cr_assert_eq(store_app_rotate_secret(st, ann, "kg_ak_rev", h2, T0,
	    86400, NULL), 0);
	cr_expect_eq(store_app_revoke_old_secret(st, bob, "kg_ak_rev", 1,
	    T0 + 1, NULL), ERR_NOTFOUND, "another account's app");
	cr_expect_eq(store_app_revoke_old_secret(st, ann, "kg_ak_rev", 2,
	    T0 + 1, NULL), ERR_NOTFOUND, "the current one is not the old one");
	cr_expect_eq(store_app_revoke_old_secret(st, ann, "kg_ak_rev", 1,
	    T0 + 86400, NULL), ERR_NOTFOUND, "expired: nothing to revoke");
	r = revision();
	cr_assert_eq(store_app_revoke_old_secret(st, ann, "kg_ak_rev", 1,
	    T0 + 1, NULL), 0);
	cr_expect_gt(revision(), r, "a revocation moves the revision");
	cr_assert_eq(store_app_get(st, ann, "kg_ak_rev", &got), 0);
	cr_expect(!got.has_old_secret);
	cr_expect_eq(got.old_secret_id, 0);
	cr_expect_eq(memcmp(got.secret_hash, h2, sizeof(h2)), 0,
	    "the current one stays");
	cr_expect_eq(store_app_revoke_old_secret(st, ann, "kg_ak_rev", 1,
	    T0 + 2, NULL), ERR_NOTFOUND, "once");
}

STORE_TEST(secrets, uses_forward_only_no_revision, contract_setup)
{
	unsigned char h1[SECURE_HASH_BYTES], h2[SECURE_HASH_BYTES];
	struct app_row row, got;
	int64_t ann = contract_account("ann@example.com"), r;

	contract_app(ann, "kg_ak_use", T0, &row);
	contract_hash(h1);
	contract_hash(h2);
	cr_assert_eq(store_app_set_secret(st, ann, "kg_ak_use", h1, T0, NULL),
	    0);
	cr_assert_eq(store_app_rotate_secret(st, ann, "kg_ak_use", h2, T0,
	    3600, NULL), 0);
	r = revision();
	cr_assert_eq(store_app_secret_used(st, row.id, 1, T0 + 10), 0);
	cr_assert_eq(store_app_secret_used(st, row.id, 2, T0 + 20), 0);
	cr_assert_eq(store_app_secret_used(st, row.id, 1, T0 + 5), 0);
	cr_expect_eq(revision(), r, "a use takes nothing away");
	cr_assert_eq(store_app_get(st, ann, "kg_ak_use", &got), 0);
	cr_expect_eq(got.old_secret_used_at, T0 + 10, "forward only");
	cr_expect_eq(got.secret_used_at, T0 + 20);
	cr_expect_eq(store_app_secret_used(st, row.id, 9, T0 + 30), 0);
	cr_assert_eq(store_app_get(st, ann, "kg_ak_use", &got), 0);
	cr_expect_eq(got.secret_used_at, T0 + 20, "another number: no one's");
	cr_expect_eq(got.old_secret_used_at, T0 + 10);
}
