/* The store contract, applications: insert and lookups by owner or by
 * STORE_ANY_ACCOUNT ("not yours" is ERR_NOTFOUND), list, update, secret,
 * delete, text that round-trips byte for byte up to the limits, and the
 * showings of new secrets, taken once. */
#include "store_contract.h"

#include <criterion/criterion.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/limits.h"

static void
expect_app(const struct app_row *got, const struct app_row *want)
{
	cr_expect_eq(got->id, want->id);
	cr_expect_eq(got->account_id, want->account_id);
	cr_expect_str_eq(got->api_key, want->api_key);
	cr_expect_str_eq(got->name, want->name);
	cr_expect_str_eq(got->public_name, want->public_name);
	cr_expect_str_eq(got->logo_url, want->logo_url);
	cr_expect_str_eq(got->description, want->description);
	cr_expect_str_eq(got->redirect_uris, want->redirect_uris);
	cr_expect_eq(got->implicit_flow, want->implicit_flow);
	cr_expect_str_eq(got->id_token_alg, want->id_token_alg);
	cr_expect_str_eq(got->post_logout_redirect_uris,
	    want->post_logout_redirect_uris);
	cr_expect_eq(got->has_secret, want->has_secret);
	if (want->has_secret)
		cr_expect_eq(memcmp(got->secret_hash, want->secret_hash,
		    SECURE_HASH_BYTES), 0, "secret hash of %s", want->api_key);
	cr_expect_eq(got->created_at, want->created_at);
	cr_expect_eq(got->secret_created_at, want->secret_created_at);
}

STORE_TEST(apps, insert_and_get, contract_setup)
{
	struct app_row row, got;
	int64_t ann = contract_account("ann@example.com");

	memset(&row, 0, sizeof(row));
	row.account_id = ann;
	SET(row.api_key, "kg_ak_one");
	SET(row.name, "Printer");
	SET(row.public_name, "Printer Co");
	SET(row.logo_url, "https://cdn.example.com/logo.png");
	SET(row.description, "Prints things.");
	SET(row.redirect_uris, "https://a.example.com/cb\n"
	    "https://b.example.com/cb");
	row.implicit_flow = true;
	SET(row.id_token_alg, "EdDSA");
	SET(row.post_logout_redirect_uris, "https://a.example.com/bye\n"
	    "com.example.app:/bye");
	row.created_at = T0 + 7;
	cr_assert_eq(store_app_insert(st, &row, NO_CAP, NULL), 0);
	cr_expect_gt(row.id, 0, "insert sets the id");
	memset(&got, 0x55, sizeof(got));
	cr_assert_eq(store_app_get(st, ann, "kg_ak_one", &got), 0);
	expect_app(&got, &row);
	memset(&got, 0x55, sizeof(got));
	cr_assert_eq(store_app_get(st, STORE_ANY_ACCOUNT, "kg_ak_one", &got),
	    0, "an operator reaches every app");
	expect_app(&got, &row);
	cr_expect(!got.has_secret, "no secret until one is set");
	cr_expect_eq(got.secret_created_at, 0);
}

/* A registration's app comes with its first secret in the one insert
 * (core/registration.h): nothing between them to leave an app without
 * the secret its answer showed. */
STORE_TEST(apps, insert_with_a_secret, contract_setup)
{
	struct app_row row, got;
	int64_t ann = contract_account("ann@example.com");

	memset(&row, 0, sizeof(row));
	row.account_id = ann;
	SET(row.api_key, "kg_ak_reg");
	SET(row.name, "Registered");
	SET(row.id_token_alg, "RS256");
	row.created_at = T0 + 3;
	row.has_secret = true;
	memset(row.secret_hash, 0xa7, SECURE_HASH_BYTES);
	row.secret_id = 1;
	row.secret_created_at = T0 + 3;
	cr_assert_eq(store_app_insert(st, &row, NO_CAP, NULL), 0);
	memset(&got, 0x55, sizeof(got));
	cr_assert_eq(store_app_get(st, ann, "kg_ak_reg", &got), 0);
	expect_app(&got, &row);
	cr_expect(got.has_secret);
	cr_expect_eq(got.secret_id, 1);
	cr_expect(!got.has_old_secret);
}

STORE_TEST(apps, unset_fields_are_empty, contract_setup)
{
	struct app_row row, got;
	int64_t ann = contract_account("ann@example.com");

	contract_app(ann, "kg_ak_bare", T0, &row);
	cr_assert_eq(store_app_get(st, ann, "kg_ak_bare", &got), 0);
	cr_expect_str_eq(got.public_name, "");
	cr_expect_str_eq(got.logo_url, "");
	cr_expect_str_eq(got.description, "");
	cr_expect(!got.implicit_flow);
	cr_expect(!got.has_secret);
}

/* "Exists but not yours" and "does not exist" must look the same. */
STORE_TEST(apps, not_yours_is_notfound, contract_setup)
{
	unsigned char h[SECURE_HASH_BYTES];
	struct app_row row, got;
	int64_t ann = contract_account("ann@example.com");
	int64_t bob = contract_account("bob@example.com");

	contract_app(ann, "kg_ak_anns", T0, &row);
	contract_hash(h);
	cr_expect_eq(store_app_get(st, bob, "kg_ak_anns", &got),
	    ERR_NOTFOUND);
	cr_expect_eq(store_app_set_secret(st, bob, "kg_ak_anns", h, T0 + 1,
	    NULL),
	    ERR_NOTFOUND);
	cr_expect_eq(store_app_delete(st, bob, "kg_ak_anns", NULL),
	    ERR_NOTFOUND);
	cr_expect_eq(store_app_get(st, ann, "kg_ak_nope", &got),
	    ERR_NOTFOUND);
	cr_expect_eq(store_app_get(st, STORE_ANY_ACCOUNT, "kg_ak_nope", &got),
	    ERR_NOTFOUND);
	cr_expect_eq(store_app_set_secret(st, STORE_ANY_ACCOUNT, "kg_ak_nope",
	    h, T0, NULL), ERR_NOTFOUND);
	cr_expect_eq(store_app_delete(st, STORE_ANY_ACCOUNT, "kg_ak_nope",
	    NULL),
	    ERR_NOTFOUND);
	cr_assert_eq(store_app_get(st, ann, "kg_ak_anns", &got), 0);
	expect_app(&got, &row);
}

STORE_TEST(apps, taken_api_key_exists, contract_setup)
{
	struct app_row row, dup, got;
	int64_t ann = contract_account("ann@example.com");
	int64_t bob = contract_account("bob@example.com");

	contract_app(ann, "kg_ak_same", T0, &row);
	memset(&dup, 0, sizeof(dup));
	dup.account_id = bob;
	SET(dup.api_key, "kg_ak_same");
	SET(dup.name, "Impostor");
	dup.created_at = T0 + 1;
	cr_expect_eq(store_app_insert(st, &dup, NO_CAP, NULL), ERR_EXISTS);
	cr_assert_eq(store_app_get(st, STORE_ANY_ACCOUNT, "kg_ak_same", &got),
	    0);
	expect_app(&got, &row);
}

STORE_TEST(apps, list_oldest_first, contract_setup)
{
	static const char *const keys[] = { "kg_ak_1", "kg_ak_2", "kg_ak_3" };
	struct app_row made[4], *rows = NULL;
	int64_t ann = contract_account("ann@example.com");
	int64_t bob = contract_account("bob@example.com");
	int64_t cid = contract_account("cid@example.com");
	size_t n = 99;

	contract_app(ann, keys[0], T0, &made[0]);
	contract_app(bob, "kg_ak_bobs", T0 + 1, &made[1]);
	contract_app(ann, keys[1], T0 + 2, &made[2]);
	contract_app(ann, keys[2], T0 + 3, &made[3]);
	cr_assert_eq(store_app_list(st, ann, ALL, &rows, &n), 0);
	cr_assert_eq(n, 3);
	expect_app(&rows[0], &made[0]);
	expect_app(&rows[1], &made[2]);
	expect_app(&rows[2], &made[3]);
	free(rows);
	rows = NULL;
	cr_assert_eq(store_app_list(st, STORE_ANY_ACCOUNT, ALL, &rows, &n), 0);
	cr_assert_eq(n, 4, "an operator lists every account's apps");
	for (size_t i = 0; i < 4; i++)
		expect_app(&rows[i], &made[i]);
	free(rows);
	rows = NULL;
	cr_assert_eq(store_app_list(st, cid, ALL, &rows, &n), 0);
	cr_expect_eq(n, 0);
	free(rows);
}

STORE_TEST(apps, pages_and_cap, contract_setup)
{
	struct app_row made[3], extra, *rows = NULL;
	struct store_page page = { 0, 2 };
	int64_t ann = contract_account("ann@example.com");
	int64_t bob = contract_account("bob@example.com");
	size_t n = 0;

	contract_app(ann, "kg_ak_p1", T0, &made[0]);
	contract_app(bob, "kg_ak_pb", T0, &extra);
	contract_app(ann, "kg_ak_p2", T0, &made[1]);
	contract_app(ann, "kg_ak_p3", T0, &made[2]);
	cr_assert_eq(store_app_list(st, ann, &page, &rows, &n), 0);
	cr_assert_eq(n, 2, "a page holds max rows");
	expect_app(&rows[0], &made[0]);
	expect_app(&rows[1], &made[1]);
	page.after = rows[1].id;
	free(rows);
	rows = NULL;
	cr_assert_eq(store_app_list(st, ann, &page, &rows, &n), 0);
	cr_assert_eq(n, 1, "the rest, after the cursor's row");
	expect_app(&rows[0], &made[2]);
	free(rows);

	/* ann owns 3: a cap of 3 refuses a fourth and stores nothing */
	extra = made[0];
	SET(extra.api_key, "kg_ak_p4");
	cr_expect_eq(store_app_insert(st, &extra, 3, NULL), ERR_TOOBIG);
	cr_expect_eq(store_app_get(st, STORE_ANY_ACCOUNT, "kg_ak_p4",
	    &extra), ERR_NOTFOUND);
	extra = made[0];
	SET(extra.api_key, "kg_ak_p4");
	cr_expect_eq(store_app_insert(st, &extra, 4, NULL), 0,
	    "under a cap of 4");
}

/* The settable fields are those of docs/REFERENCE.md §2 an owner may edit; the
 * name is fixed at creation, and key, owner and times are not the owner's to
 * set. */
STORE_TEST(apps, update_writes_settable_fields, contract_setup)
{
	unsigned char h[SECURE_HASH_BYTES];
	struct app_row row, edit, got;
	int64_t ann = contract_account("ann@example.com");
	int64_t bob = contract_account("bob@example.com");

	contract_app(ann, "kg_ak_edit", T0, &row);
	contract_hash(h);
	cr_assert_eq(store_app_set_secret(st, ann, "kg_ak_edit", h, T0 + 1,
	    NULL),
	    0);
	cr_assert_eq(store_app_get(st, ann, "kg_ak_edit", &row), 0);
	edit = row;
	SET(edit.public_name, "Renamed publicly");
	SET(edit.logo_url, "https://cdn.example.com/new.png");
	SET(edit.description, "Now with a description.");
	SET(edit.redirect_uris, "https://x.example.com/1\n"
	    "https://x.example.com/2\nhttp://localhost:8080/cb");
	edit.implicit_flow = true;
	SET(edit.id_token_alg, "ES256");
	SET(edit.post_logout_redirect_uris, "https://x.example.com/bye");
	SET(edit.name, "Another name");
	edit.account_id = bob;
	edit.created_at = T0 + 999;
	edit.secret_created_at = T0 + 999;
	edit.has_secret = false;
	cr_assert_eq(store_app_update(st, &edit, NULL), 0);
	cr_assert_eq(store_app_get(st, ann, "kg_ak_edit", &got), 0,
	    "still ann's");
	SET(row.public_name, edit.public_name);
	SET(row.logo_url, edit.logo_url);
	SET(row.description, edit.description);
	SET(row.redirect_uris, edit.redirect_uris);
	row.implicit_flow = true;
	SET(row.id_token_alg, edit.id_token_alg);
	SET(row.post_logout_redirect_uris, edit.post_logout_redirect_uris);
	expect_app(&got, &row);

	/* Clearing is writing "" (an empty string means unset). */
	edit = got;
	edit.public_name[0] = edit.logo_url[0] = edit.description[0] = '\0';
	edit.implicit_flow = false;
	edit.post_logout_redirect_uris[0] = '\0';
	cr_assert_eq(store_app_update(st, &edit, NULL), 0);
	cr_assert_eq(store_app_get(st, ann, "kg_ak_edit", &got), 0);
	expect_app(&got, &edit);
}

/* core/apps.c accepts an edit that changes nothing; a backend counting
 * changed rather than matched rows would call that ERR_NOTFOUND. */
STORE_TEST(apps, update_without_change_is_ok, contract_setup)
{
	struct app_row row, missing;
	int64_t ann = contract_account("ann@example.com");

	contract_app(ann, "kg_ak_same", T0, &row);
	cr_expect_eq(store_app_update(st, &row, NULL), 0);
	cr_expect_eq(store_app_update(st, &row, NULL), 0);
	missing = row;
	missing.id = row.id + 1000;
	cr_expect_eq(store_app_update(st, &missing, NULL), ERR_NOTFOUND);
}

STORE_TEST(apps, set_secret_replaces_hash, contract_setup)
{
	unsigned char h1[SECURE_HASH_BYTES], h2[SECURE_HASH_BYTES];
	struct app_row row, other, got;
	int64_t ann = contract_account("ann@example.com");

	contract_app(ann, "kg_ak_sec", T0, &row);
	contract_app(ann, "kg_ak_other", T0, &other);
	contract_hash(h1);
	contract_hash(h2);
	cr_assert_eq(store_app_set_secret(st, ann, "kg_ak_sec", h1, T0 + 5,
	    NULL),
	    0);
	cr_assert_eq(store_app_get(st, ann, "kg_ak_sec", &got), 0);
	cr_expect(got.has_secret);
	cr_expect_eq(memcmp(got.secret_hash, h1, sizeof(h1)), 0);
	cr_expect_eq(got.secret_created_at, T0 + 5);
	cr_assert_eq(store_app_set_secret(st, STORE_ANY_ACCOUNT, "kg_ak_sec",
	    h2, T0 + 9, NULL), 0);
	cr_assert_eq(store_app_get(st, ann, "kg_ak_sec", &got), 0);
	cr_expect(got.has_secret);
	cr_expect_eq(memcmp(got.secret_hash, h2, sizeof(h2)), 0,
	    "the old hash is gone at once");
	cr_expect_eq(got.secret_created_at, T0 + 9);
	cr_expect_eq(got.created_at, T0);
	cr_assert_eq(store_app_get(st, ann, "kg_ak_other", &got), 0);
	cr_expect(!got.has_secret, "only that app");
}

STORE_TEST(apps, delete, contract_setup)
{
	struct app_row a, b, got, *rows = NULL;
	int64_t ann = contract_account("ann@example.com");
	int64_t bob = contract_account("bob@example.com");
	size_t n = 0;

	contract_app(ann, "kg_ak_a", T0, &a);
	contract_app(bob, "kg_ak_b", T0, &b);
	cr_expect_eq(store_app_delete(st, ann, "kg_ak_a", NULL), 0);
	cr_expect_eq(store_app_get(st, ann, "kg_ak_a", &got), ERR_NOTFOUND);
	cr_expect_eq(store_app_delete(st, ann, "kg_ak_a", NULL), ERR_NOTFOUND);
	cr_expect_eq(store_app_delete(st, STORE_ANY_ACCOUNT, "kg_ak_b", NULL),
	    0);
	cr_assert_eq(store_app_list(st, STORE_ANY_ACCOUNT, ALL, &rows, &n), 0);
	cr_expect_eq(n, 0);
	free(rows);
}

/* Text is stored and given back byte for byte: multi-byte characters
 * (2, 3 and 4 bytes) and every field at its largest. */
STORE_TEST(apps, utf8_round_trips, contract_setup)
{
	struct app_row row, got;
	int64_t ann = contract_account("ann@example.com");

	memset(&row, 0, sizeof(row));
	row.account_id = ann;
	SET(row.api_key, "kg_ak_utf8");
	SET(row.name, "Dr\xc3\xbc" "cker \xe2\x9c\x93 \xf0\x9f\x96\xa8");
	SET(row.public_name, "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e "
	    "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xbd\xd1\x82\xd0\xb5\xd1\x80");
	SET(row.description, "\xf0\x9d\x84\x9e caf\xc3\xa9 \xe2\x80\x94 "
	    "'quotes' \"double\" \\backslash\\ 100% _under_ \t tab");
	SET(row.logo_url, "https://cdn.example.com/l%C3%B6go.png?a=1&b=2");
	SET(row.redirect_uris, "https://\xc3\xa9xample.com/cb\n"
	    "myapp://cb");
	row.created_at = T0;
	cr_assert_eq(store_app_insert(st, &row, NO_CAP, NULL), 0);
	cr_assert_eq(store_app_get(st, ann, "kg_ak_utf8", &got), 0);
	expect_app(&got, &row);
	cr_expect_eq(strlen(got.name), strlen(row.name), "bytes, not chars");
}

STORE_TEST(apps, longest_fields_round_trip, contract_setup)
{
	static struct app_row row, got;
	int64_t ann = contract_account("ann@example.com");
	char *p;

	row.account_id = ann;
	contract_fill(row.api_key, "k", APP_API_KEY_MAX_BYTES);
	/* APP_NAME_MAX_CHARS characters of 4 bytes each */
	contract_fill(row.name, "\xf0\x9f\x96\xa8", APP_NAME_MAX_BYTES);
	contract_fill(row.public_name, "\xf0\x9d\x84\x9e",
	    APP_NAME_MAX_BYTES);
	contract_fill(row.description, "\xf0\x9f\x98\x80",
	    APP_DESCRIPTION_MAX_BYTES);
	memcpy(row.logo_url, "https://", 8);
	contract_fill(row.logo_url + 8, "a", APP_URI_MAX_BYTES - 8);
	/* APP_MAX_REDIRECT_URIS URIs of APP_URI_MAX_BYTES, newline apart:
	 * exactly what redirect_uris holds */
	p = row.redirect_uris;
	for (int i = 0; i < APP_MAX_REDIRECT_URIS; i++) {
		memcpy(p, "https://", 8);
		contract_fill(p + 8, i % 2 ? "b" : "c", APP_URI_MAX_BYTES - 8);
		p += APP_URI_MAX_BYTES;
		*p++ = '\n';
	}
	p[-1] = '\0';
	cr_assert_eq(strlen(row.redirect_uris), sizeof(row.redirect_uris) - 1);
	row.implicit_flow = true;
	row.created_at = T0;
	cr_assert_eq(store_app_insert(st, &row, NO_CAP, NULL), 0);
	cr_assert_eq(store_app_get(st, ann, row.api_key, &got), 0);
	expect_app(&got, &row);
	cr_expect_eq(strlen(got.name), APP_NAME_MAX_BYTES);
	cr_expect_eq(strlen(got.description), APP_DESCRIPTION_MAX_BYTES);
	cr_expect_eq(strlen(got.redirect_uris), sizeof(got.redirect_uris) - 1);
	cr_assert_eq(store_app_update(st, &row, NULL), 0);
	cr_assert_eq(store_app_get(st, ann, row.api_key, &got), 0);
	expect_app(&got, &row);
}

/* The showing of a new secret (core/reveal.c) is taken once: the one
 * DELETE that finds it gives its expiry, every later take finds none. */
STORE_TEST(reveals, taken_once, contract_setup)
{
	unsigned char h[SECURE_HASH_BYTES], other[SECURE_HASH_BYTES];
	int64_t exp = 0;

	contract_hash(h);
	contract_hash(other);
	cr_assert_eq(store_reveal_insert(st, h, T0 + REVEAL_TTL_S), 0);
	cr_expect_eq(store_reveal_insert(st, h, T0 + 1), ERR_EXISTS);
	cr_expect_eq(store_reveal_take(st, other, &exp), ERR_NOTFOUND);
	cr_assert_eq(store_reveal_take(st, h, &exp), 0);
	cr_expect_eq(exp, T0 + REVEAL_TTL_S, "the first expiry stands");
	cr_expect_eq(store_reveal_take(st, h, &exp), ERR_NOTFOUND);
	cr_expect_eq(store_reveal_take(st, h, &exp), ERR_NOTFOUND);
}

#define RACERS	8

struct racer {
	const unsigned char	*hash;
	int			 rc;
};

static void *
race_take(void *p)
{
	struct racer *r = p;
	int64_t exp;

	r->rc = store_reveal_take(st, r->hash, &exp);
	return NULL;
}

/* Takes racing on their own connections: exactly one wins. */
STORE_TEST(reveals, racing_takes_one_wins, contract_setup)
{
	unsigned char h[SECURE_HASH_BYTES];
	struct racer r[RACERS];
	pthread_t t[RACERS];
	int won = 0;

	contract_hash(h);
	cr_assert_eq(store_reveal_insert(st, h, T0 + REVEAL_TTL_S), 0);
	for (int i = 0; i < RACERS; i++) {
		r[i] = (struct racer){ h, -1 };
		cr_assert_eq(pthread_create(&t[i], NULL, race_take, &r[i]), 0);
	}
	for (int i = 0; i < RACERS; i++) {
		pthread_join(t[i], NULL);
		cr_expect(r[i].rc == 0 || r[i].rc == ERR_NOTFOUND, "%d",
		    r[i].rc);
		won += r[i].rc == 0;
	}
	cr_expect_eq(won, 1);
}

/* The reuse notice's compare-and-set: the first claim and one a gap
 * later win, one within the gap does not, each app on its own, and an
 * app that is gone claims nothing (its row goes with it). */
STORE_TEST(apps, reuse_notice_once_per_gap, contract_setup)
{
	struct app_row a, b;
	int64_t ann = contract_account("ann@example.com");

	contract_app(ann, "kg_ak_a", T0, &a);
	contract_app(ann, "kg_ak_b", T0, &b);
	cr_expect_eq(store_app_reuse_notice(st, a.id, T0, 3600), 0);
	cr_expect_eq(store_app_reuse_notice(st, a.id, T0, 3600), ERR_CONFLICT);
	cr_expect_eq(store_app_reuse_notice(st, a.id, T0 + 3599, 3600),
	    ERR_CONFLICT);
	cr_expect_eq(store_app_reuse_notice(st, b.id, T0 + 10, 3600), 0,
	    "another app has its own");
	cr_expect_eq(store_app_reuse_notice(st, a.id, T0 + 3600, 3600), 0);
	cr_expect_eq(store_app_reuse_notice(st, a.id, T0 + 3700, 3600),
	    ERR_CONFLICT, "the gap counts from the last claim");
	cr_expect_eq(store_app_delete(st, ann, "kg_ak_a", NULL), 0);
	cr_expect_eq(store_app_reuse_notice(st, a.id, T0 + 9000, 3600),
	    ERR_CONFLICT);
}
