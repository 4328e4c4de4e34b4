/* The store contract, mail queue (core/mailer.c): a mail is due at once,
 * claimed by one caller for its lease, written back after a failed
 * attempt with its next time and reason, deleted once delivered; nodes
 * claiming at once never get the same mail. */
#include "store_contract.h"

#include <criterion/criterion.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/limits.h"

#define LEASE	300

static int64_t
add(const char *to, const char *msg, int64_t now)
{
	int64_t id = 0;

	cr_assert_eq(store_mail_add(st, to, msg, now, &id), 0);
	cr_assert_gt(id, 0);
	return id;
}

/* Claims at `now`, expecting rc; the message is freed. */
static int
claim(int64_t now, struct mail_row *row)
{
	int rc;

	memset(row, 0, sizeof(*row));
	rc = store_mail_claim(st, now, now + LEASE, row);
	free(row->message);
	row->message = NULL;
	return rc;
}

STORE_TEST(mail, added_mail_is_due_at_once_and_claimed_once,
    contract_setup)
{
	struct mail_row row;
	int64_t id = add("ann@example.org", "Subject: hi\r\n\r\nbody\r\n", T0);

	cr_expect_eq(claim(T0 - 1, &row), ERR_NOTFOUND, "not due before");
	memset(&row, 0, sizeof(row));
	cr_assert_eq(store_mail_claim(st, T0, T0 + LEASE, &row), 0);
	cr_expect_eq(row.id, id);
	cr_expect_str_eq(row.recipient, "ann@example.org");
	cr_expect_str_eq(row.message, "Subject: hi\r\n\r\nbody\r\n");
	cr_expect_eq(row.created_at, T0);
	cr_expect_eq(row.attempts, 0);
	cr_expect_str_eq(row.last_error, "");
	free(row.message);
	cr_expect_eq(claim(T0, &row), ERR_NOTFOUND, "claimed: no one else's");
	cr_expect_eq(claim(T0 + LEASE - 1, &row), ERR_NOTFOUND);
	cr_expect_eq(claim(T0 + LEASE, &row), 0,
	    "a claim that ran out (its node died) is claimed again");
	cr_expect_eq(row.id, id);
}

STORE_TEST(mail, failed_attempt_waits_for_its_time, contract_setup)
{
	struct mail_row row;
	int64_t id = add("ann@example.org", "m", T0);

	cr_assert_eq(claim(T0, &row), 0);
	cr_assert_eq(store_mail_retry(st, id, 1, T0 + 60,
	    "smtp: Couldn't connect to server"), 0);
	cr_expect_eq(claim(T0 + 59, &row), ERR_NOTFOUND, "not before");
	cr_assert_eq(claim(T0 + 60, &row), 0, "the claim ended with it");
	cr_expect_eq(row.attempts, 1);
	cr_expect_str_eq(row.last_error, "smtp: Couldn't connect to server");
	cr_assert_eq(store_mail_retry(st, id, 2, T0 + 180, "x"), 0);
	cr_assert_eq(claim(T0 + 180, &row), 0);
	cr_expect_eq(row.attempts, 2);
	cr_expect_str_eq(row.last_error, "x");
}

STORE_TEST(mail, delivered_mail_is_gone, contract_setup)
{
	struct mail_row row;
	int64_t id = add("ann@example.org", "m", T0);

	cr_assert_eq(claim(T0, &row), 0);
	cr_assert_eq(store_mail_delete(st, id), 0);
	cr_expect_eq(claim(T0 + 86400, &row), ERR_NOTFOUND);
	cr_expect_eq(store_mail_delete(st, id), ERR_NOTFOUND);
	cr_expect_eq(store_mail_retry(st, id, 1, T0, "x"), ERR_NOTFOUND);
}

/* The one due longest ago first; a mail waiting for a retry lets the
 * newer ones by. */
STORE_TEST(mail, claims_in_due_order, contract_setup)
{
	struct mail_row row;
	int64_t a = add("a@example.org", "1", T0);
	int64_t b = add("b@example.org", "2", T0 + 1);
	int64_t c = add("c@example.org", "3", T0 + 2);

	cr_assert_eq(claim(T0 + 10, &row), 0);
	cr_expect_eq(row.id, a);
	cr_assert_eq(store_mail_retry(st, a, 1, T0 + 100, "x"), 0);
	cr_assert_eq(claim(T0 + 10, &row), 0);
	cr_expect_eq(row.id, b);
	cr_assert_eq(claim(T0 + 10, &row), 0);
	cr_expect_eq(row.id, c);
	cr_expect_eq(claim(T0 + 10, &row), ERR_NOTFOUND);
	cr_assert_eq(claim(T0 + 100, &row), 0);
	cr_expect_eq(row.id, a);
}

/* A message at its largest, UTF-8 and all, comes back byte for byte. */
STORE_TEST(mail, large_message_round_trip, contract_setup)
{
	size_t len = MAIL_MESSAGE_MAX_BYTES;
	char *msg = malloc(len + 1);
	struct mail_row row;

	contract_fill(msg, "é", len);
	add("ann@example.org", msg, T0);
	cr_assert_eq(store_mail_claim(st, T0, T0 + LEASE, &row), 0);
	cr_expect_eq(strlen(row.message), len);
	cr_expect(strcmp(row.message, msg) == 0);
	free(row.message);
	free(msg);
}

#define MAILS	24
#define CLAIMERS 6

struct claimer {
	struct store	*store;
	int64_t		 got[MAILS];
	size_t		 n;
	int		 rc;
};

static void *
claim_all(void *p)
{
	struct claimer *c = p;
	struct mail_row row;
	int rc;

	while ((rc = store_mail_claim(c->store, T0, T0 + LEASE, &row)) == 0) {
		free(row.message);
		if (c->n < MAILS)
			c->got[c->n] = row.id;
		c->n++;
	}
	c->rc = rc;
	return NULL;
}

/* Claimers on two handles (two nodes) at once: every mail claimed by
 * exactly one of them. */
STORE_TEST(mail, racing_claims_share_the_mail, contract_setup)
{
	struct store *other = contract_reopen();
	struct claimer c[CLAIMERS];
	pthread_t t[CLAIMERS];
	int seen[MAILS + 1] = { 0 };
	int64_t first = 0;
	size_t total = 0;

	for (int i = 0; i < MAILS; i++) {
		int64_t id = add("x@example.org", "m", T0);

		if (i == 0)
			first = id;
	}
	for (int i = 0; i < CLAIMERS; i++) {
		memset(&c[i], 0, sizeof(c[i]));
		c[i].store = i % 2 == 0 ? st : other;
		cr_assert_eq(pthread_create(&t[i], NULL, claim_all, &c[i]), 0);
	}
	for (int i = 0; i < CLAIMERS; i++) {
		pthread_join(t[i], NULL);
		cr_expect_eq(c[i].rc, ERR_NOTFOUND, "claimer %d: %d", i,
		    c[i].rc);
		total += c[i].n;
		for (size_t j = 0; j < c[i].n && j < MAILS; j++) {
			int64_t k = c[i].got[j] - first;

			cr_assert(k >= 0 && k < MAILS);
			seen[k]++;
		}
	}
	cr_expect_eq(total, MAILS);
	for (int i = 0; i < MAILS; i++)
		cr_expect_eq(seen[i], 1, "mail %d claimed %d times", i,
		    seen[i]);
	store_close(other);
}
