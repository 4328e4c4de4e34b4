/* Store contract: what makes an account recoverable. One-time links (one
 * per account and purpose, taken once), a verified or a new address, a new
 * password that ends sessions, and the list of an account's sessions. */
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "store_contract.h"

static struct link_row
link_of(int64_t account, int purpose, const char *email, int64_t expires)
{
	struct link_row r;

	memset(&r, 0, sizeof(r));
	r.account_id = account;
	r.purpose = purpose;
	SET(r.email, email);
	r.expires_at = expires;
	return r;
}

STORE_TEST(links, insert_get_take_once, contract_setup)
{
	unsigned char h[SECURE_HASH_BYTES];
	int64_t ann = contract_account("ann@example.com");
	struct link_row in = link_of(ann, STORE_LINK_RESET, "ann@example.com",
	    T0 + 3600), out;

	contract_hash(h);
	cr_assert_eq(store_link_insert(st, h, &in), 0);
	memset(&out, 0x55, sizeof(out));
	cr_assert_eq(store_link_get(st, h, STORE_LINK_RESET, &out), 0);
	cr_expect_eq(out.account_id, ann);
	cr_expect_eq(out.purpose, STORE_LINK_RESET);
	cr_expect_str_eq(out.email, "ann@example.com");
	cr_expect_eq(out.expires_at, T0 + 3600);
	cr_expect_eq(store_link_get(st, h, STORE_LINK_VERIFY, &out),
	    ERR_NOTFOUND, "a link of another purpose is no link");
	cr_expect_eq(store_link_take(st, h, STORE_LINK_VERIFY, &out),
	    ERR_NOTFOUND);
	/* a get leaves it; a take uses it up */
	cr_assert_eq(store_link_get(st, h, STORE_LINK_RESET, &out), 0);
	memset(&out, 0, sizeof(out));
	cr_assert_eq(store_link_take(st, h, STORE_LINK_RESET, &out), 0);
	cr_expect_eq(out.account_id, ann);
	cr_expect_str_eq(out.email, "ann@example.com");
	cr_expect_eq(out.expires_at, T0 + 3600);
	cr_expect_eq(store_link_take(st, h, STORE_LINK_RESET, &out),
	    ERR_NOTFOUND, "taken twice");
	cr_expect_eq(store_link_get(st, h, STORE_LINK_RESET, &out),
	    ERR_NOTFOUND);
}

STORE_TEST(links, a_newer_link_replaces_the_older, contract_setup)
{
	unsigned char old[SECURE_HASH_BYTES], new[SECURE_HASH_BYTES];
	unsigned char other[SECURE_HASH_BYTES], bobs[SECURE_HASH_BYTES];
	int64_t ann = contract_account("ann@example.com");
	int64_t bob = contract_account("bob@example.com");
	struct link_row r = link_of(ann, STORE_LINK_RESET, "ann@example.com",
	    T0 + 3600), out;

	contract_hash(old);
	contract_hash(new);
	contract_hash(other);
	contract_hash(bobs);
	cr_assert_eq(store_link_insert(st, old, &r), 0);
	r.purpose = STORE_LINK_VERIFY;
	cr_assert_eq(store_link_insert(st, other, &r), 0);
	r = link_of(bob, STORE_LINK_RESET, "bob@example.com", T0 + 3600);
	cr_assert_eq(store_link_insert(st, bobs, &r), 0);
	r = link_of(ann, STORE_LINK_RESET, "ann@example.com", T0 + 4000);
	cr_assert_eq(store_link_insert(st, new, &r), 0);
	cr_expect_eq(store_link_get(st, old, STORE_LINK_RESET, &out),
	    ERR_NOTFOUND, "the older reset link is gone");
	cr_expect_eq(store_link_get(st, new, STORE_LINK_RESET, &out), 0);
	cr_expect_eq(store_link_get(st, other, STORE_LINK_VERIFY, &out), 0,
	    "a link of another purpose stays");
	cr_expect_eq(store_link_get(st, bobs, STORE_LINK_RESET, &out), 0,
	    "another account's link stays");
}

STORE_TEST(links, verify_only_the_address_it_was_sent_to, contract_setup)
{
	struct account a;
	int64_t ann = contract_account("ann@example.com");

	cr_assert_eq(store_account_by_id(st, ann, &a), 0);
	cr_expect(!a.email_verified, "a new account is not verified");
	cr_expect_eq(store_account_verify(st, ann, "old@example.com"),
	    ERR_NOTFOUND);
	cr_assert_eq(store_account_by_id(st, ann, &a), 0);
	cr_expect(!a.email_verified);
	cr_assert_eq(store_account_verify(st, ann, "ann@example.com"), 0);
	cr_assert_eq(store_account_by_email(st, "ann@example.com", &a), 0);
	cr_expect(a.email_verified);
}

STORE_TEST(links, a_new_address_is_verified_and_unique, contract_setup)
{
	unsigned char h[SECURE_HASH_BYTES];
	struct account a;
	struct link_row r, out;
	int64_t ann = contract_account("ann@example.com");

	contract_account("bob@example.com");
	contract_hash(h);
	r = link_of(ann, STORE_LINK_VERIFY, "ann@example.com", T0 + 60);
	cr_assert_eq(store_link_insert(st, h, &r), 0);
	cr_expect_eq(store_account_set_email(st, ann, "bob@example.com", NULL),
	    ERR_EXISTS);
	cr_assert_eq(store_account_by_id(st, ann, &a), 0);
	cr_expect_str_eq(a.email, "ann@example.com", "nothing changed");
	cr_expect_eq(store_link_get(st, h, STORE_LINK_VERIFY, &out), 0);

	cr_assert_eq(store_account_set_email(st, ann, "ann2@example.com", NULL),
	    0);
	cr_assert_eq(store_account_by_id(st, ann, &a), 0);
	cr_expect_str_eq(a.email, "ann2@example.com");
	cr_expect(a.email_verified);
	cr_expect_eq(store_account_by_email(st, "ann@example.com", &a),
	    ERR_NOTFOUND);
	cr_expect_eq(store_link_get(st, h, STORE_LINK_VERIFY, &out),
	    ERR_NOTFOUND, "links verifying the old address are gone");
	cr_expect_eq(store_account_set_email(st, 999999, "x@example.com", NULL),
	    ERR_NOTFOUND);
}

STORE_TEST(links, a_new_address_moves_the_revision, contract_setup)
{
	int64_t ann = contract_account("ann@example.com"), r0, r1, r2;

	cr_assert_eq(store_revision(st, &r0), 0);
	cr_assert_eq(store_account_verify(st, ann, "ann@example.com"), 0);
	cr_assert_eq(store_revision(st, &r1), 0);
	/* the accounts memo holds email_verified for userinfo and the
	 * id_token (docs/REFERENCE.md §14): verifying moves the revision */
	cr_expect_gt(r1, r0, "verifying an address moves the revision");
	cr_assert_eq(store_account_verify(st, ann, "ann@example.com"), 0);
	cr_assert_eq(store_revision(st, &r2), 0);
	cr_expect_eq(r2, r1, "verifying it again changes nothing");
	cr_assert_eq(store_account_set_email(st, ann, "ann2@example.com", NULL),
	    0);
	cr_assert_eq(store_revision(st, &r2), 0);
	cr_expect_gt(r2, r1);
}

/* Three sessions of ann, one of bob; ann's second is kept. */
STORE_TEST(links, a_new_password_ends_sessions_and_reset_links,
    contract_setup)
{
	unsigned char s[3][SECURE_HASH_BYTES], bobs[SECURE_HASH_BYTES];
	unsigned char reset[SECURE_HASH_BYTES], verify[SECURE_HASH_BYTES];
	struct session_row row;
	struct link_row r, out;
	struct account a;
	int64_t ann = contract_account("ann@example.com");
	int64_t bob = contract_account("bob@example.com");

	for (int i = 0; i < 3; i++) {
		contract_hash(s[i]);
		cr_assert_eq(store_session_insert(st, s[i], ann, T0, NOWHERE,
		    NULL),
		    0);
	}
	contract_hash(bobs);
	cr_assert_eq(store_session_insert(st, bobs, bob, T0, NOWHERE, NULL), 0);
	contract_hash(reset);
	contract_hash(verify);
	r = link_of(ann, STORE_LINK_RESET, "ann@example.com", T0 + 60);
	cr_assert_eq(store_link_insert(st, reset, &r), 0);
	r.purpose = STORE_LINK_VERIFY;
	cr_assert_eq(store_link_insert(st, verify, &r), 0);

	cr_assert_eq(store_account_set_password(st, ann, "$argon2id$new",
	    s[1], NULL), 0);
	cr_assert_eq(store_account_by_id(st, ann, &a), 0);
	cr_expect_str_eq(a.password_hash, "$argon2id$new");
	cr_expect_eq(store_session_get(st, s[0], &row), ERR_NOTFOUND);
	cr_expect_eq(store_session_get(st, s[1], &row), 0, "kept");
	cr_expect_eq(store_session_get(st, s[2], &row), ERR_NOTFOUND);
	cr_expect_eq(store_session_get(st, bobs, &row), 0);
	cr_expect_eq(store_link_get(st, reset, STORE_LINK_RESET, &out),
	    ERR_NOTFOUND);
	cr_expect_eq(store_link_get(st, verify, STORE_LINK_VERIFY, &out), 0);

	cr_assert_eq(store_account_set_password(st, ann, "$argon2id$newer",
	    NULL, NULL), 0);
	cr_expect_eq(store_session_get(st, s[1], &row), ERR_NOTFOUND,
	    "NULL keeps none");
	cr_expect_eq(store_session_get(st, bobs, &row), 0);
	cr_expect_eq(store_account_set_password(st, 999999, "x", NULL, NULL),
	    ERR_NOTFOUND);
}

STORE_TEST(links, sessions_listed_and_ended_by_owner, contract_setup)
{
	unsigned char s[3][SECURE_HASH_BYTES], bobs[SECURE_HASH_BYTES];
	struct session_origin from = { "2001:db8::1", "Firefox/128 ☃",
	    AMR_PWD };
	struct session_row *rows = NULL, row;
	size_t n = 0;
	int64_t ann = contract_account("ann@example.com");
	int64_t bob = contract_account("bob@example.com");

	for (int i = 0; i < 3; i++) {
		contract_hash(s[i]);
		cr_assert_eq(store_session_insert(st, s[i], ann, T0 + i,
		    &from, NULL), 0);
	}
	contract_hash(bobs);
	cr_assert_eq(store_session_insert(st, bobs, bob, T0, NOWHERE, NULL), 0);
	cr_assert_eq(store_session_touch(st, s[0], T0 + 100), 0);
	cr_assert_eq(store_session_list(st, ann, 10, &rows, &n), 0);
	cr_assert_eq(n, 3);
	cr_expect_eq(memcmp(rows[0].hash, s[0], SECURE_HASH_BYTES), 0,
	    "the most recently seen first");
	cr_expect_eq(memcmp(rows[1].hash, s[2], SECURE_HASH_BYTES), 0);
	cr_expect_eq(rows[0].last_seen, T0 + 100);
	cr_expect_eq(rows[0].created_at, T0);
	cr_expect_eq(rows[0].account_id, ann);
	cr_expect_str_eq(rows[1].address, "2001:db8::1");
	cr_expect_str_eq(rows[1].user_agent, "Firefox/128 ☃");
	free(rows);
	cr_assert_eq(store_session_list(st, ann, 2, &rows, &n), 0);
	cr_expect_eq(n, 2, "at most max");
	free(rows);

	cr_expect_eq(store_session_end(st, bob, s[0], NULL), ERR_NOTFOUND,
	    "not bob's to end");
	cr_expect_eq(store_session_get(st, s[0], &row), 0);
	cr_assert_eq(store_session_end(st, ann, s[0], NULL), 0);
	cr_expect_eq(store_session_get(st, s[0], &row), ERR_NOTFOUND);
	cr_expect_eq(store_session_end(st, ann, s[0], NULL), ERR_NOTFOUND);

	cr_assert_eq(store_session_end_others(st, ann, s[2], NULL), 0);
	cr_expect_eq(store_session_get(st, s[1], &row), ERR_NOTFOUND);
	cr_expect_eq(store_session_get(st, s[2], &row), 0);
	cr_expect_eq(store_session_get(st, bobs, &row), 0);
	cr_assert_eq(store_session_end_others(st, ann, NULL, NULL), 0);
	cr_expect_eq(store_session_get(st, s[2], &row), ERR_NOTFOUND);
	cr_expect_eq(store_session_get(st, bobs, &row), 0);
}
