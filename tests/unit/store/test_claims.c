/* store/claims.c: a rotation queued before the commit that rotated its
 * parent had finished is a race, however many commits came between; one
 * queued after it is not; claims of a transaction that wrote nothing are
 * gone; pruning keeps what a waiting rotation can still race. */
#include "store/claims.h"

#include <criterion/criterion.h>
#include <string.h>

static struct rotation_claims c;

static void
teardown(void)
{
	claims_free(&c);
}

TestSuite(claims, .fini = teardown);

static const unsigned char *
key(int n)
{
	static unsigned char k[8][SECURE_HASH_BYTES];

	memset(k[n], 'a' + n, SECURE_HASH_BYTES);
	return k[n];
}

Test(claims, queued_before_the_commit_races_it)
{
	uint64_t queued = c.committed;

	claims_add(&c, key(0));
	cr_expect(claims_raced(&c, key(0), queued), "in the same commit");
	cr_expect(!claims_raced(&c, key(1), queued), "another parent");
	claims_close(&c, true);
	cr_expect(claims_raced(&c, key(0), queued), "the commit it overlapped");
	cr_expect(!claims_raced(&c, key(0), c.committed),
	    "queued after that commit: a replay");
}

/* A backlog: commits of other parents between the winner's and the
 * loser's turn do not turn the race into a replay. */
Test(claims, a_backlog_keeps_the_race)
{
	uint64_t queued = c.committed;

	claims_add(&c, key(0));
	claims_close(&c, true);
	for (int i = 1; i < 6; i++) {
		claims_add(&c, key(i));
		claims_close(&c, true);
	}
	cr_expect(claims_raced(&c, key(0), queued));
}

Test(claims, a_transaction_that_wrote_nothing_claimed_nothing)
{
	size_t mark;

	claims_add(&c, key(0));
	claims_close(&c, true);
	mark = claims_mark(&c);
	claims_add(&c, key(1));
	claims_undo(&c, mark);
	cr_expect(!claims_raced(&c, key(1), 0), "undone");
	claims_add(&c, key(2));
	claims_close(&c, false);
	cr_expect(!claims_raced(&c, key(2), 0), "closed as failed");
	cr_expect(claims_raced(&c, key(0), 0), "an earlier commit's stays");
}

Test(claims, pruning_keeps_what_a_waiting_rotation_can_race)
{
	claims_add(&c, key(0));		/* commit 1 */
	claims_close(&c, true);
	claims_add(&c, key(1));		/* commit 2 */
	claims_close(&c, true);
	claims_prune(&c, 1);		/* the oldest waiting: queued after 1 */
	cr_expect(!claims_raced(&c, key(0), 0), "commit 1's is gone");
	cr_expect(claims_raced(&c, key(1), 1), "commit 2's stays");
	cr_expect_eq(c.n, 1);
	for (int i = 0; i < 600; i++)	/* past the first allocation */
		claims_add(&c, key(i % 8));
	claims_close(&c, true);
	claims_prune(&c, c.committed);
	cr_expect_eq(c.n, 0);
}
