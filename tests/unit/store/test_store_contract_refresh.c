/* The store contract, store_refresh(): a rotation whose parent is read,
 * judged and written in one transaction (SQLite: inside the group
 * commit). The judge sees the stored row; its verdict stops the writes;
 * what it set in the issue survives a refusal, so the caller can go on
 * (a reused token). */
#include "store_contract.h"

#include <criterion/criterion.h>
#include <string.h>

#include "core/err.h"
#include "core/scopes.h"

struct verdict {
	int		 rc;		/* what the judge answers */
	int		 calls;
	struct token_row seen;
};

/* Completes the rotation from the parent's row, as core/tokens.c does. */
static int
judge(void *ctx, const struct token_row *parent, struct issue *is)
{
	struct verdict *v = ctx;

	v->calls++;
	v->seen = *parent;
	is->grant_id = parent->grant_id;
	is->family_id = parent->family_id;
	is->family_scope = parent->family_scope;
	is->scope = parent->family_scope;
	return v->rc;
}

/* A rotation of `from` that leaves grant, family and scope to the judge. */
static void
blank_rotation(const struct issue *from, int64_t now, struct issue *is)
{
	contract_rotation(from, SCOPE_ALL, now, is);
	is->grant_id = is->family_id = 0;
	is->family_scope = is->scope = 0;
}

OAUTH_TEST(refresh, judged_row_then_written)
{
	struct issue first, rot;
	struct verdict v = { 0 };
	struct token_row parent, t;

	contract_ann_family(T0, &first);
	blank_rotation(&first, T0 + 100, &rot);
	cr_assert_eq(store_refresh(st, &rot, judge, &v, &parent), 0);
	cr_expect_eq(v.calls, 1);
	contract_expect_token(&v.seen, &first, 0, false);
	cr_expect_eq(memcmp(&v.seen, &parent, sizeof(parent)), 0,
	    "the caller gets the row the judge saw");
	cr_expect_eq(rot.family_id, first.family_id);
	cr_assert_eq(store_access_get(st, rot.access_hash, &t), 0);
	contract_expect_token(&t, &rot, 0, false);
	cr_assert_eq(store_refresh_get(st, rot.refresh_hash, &t), 0);
	contract_expect_token(&t, &rot, 0, false);
	cr_assert_eq(store_refresh_get(st, first.refresh_hash, &t), 0);
	cr_expect_eq(t.last_used, T0 + 100, "the parent is used up");
}

OAUTH_TEST(refresh, a_refusal_writes_nothing_and_keeps_the_judged_ids)
{
	static const int refusals[] = { ERR_INVALID, ERR_FORBIDDEN,
	    ERR_CONFLICT };
	struct issue first, rot;
	struct token_row parent, t;

	contract_ann_family(T0, &first);
	for (size_t i = 0; i < sizeof(refusals) / sizeof(*refusals); i++) {
		struct verdict v = { .rc = refusals[i] };

		blank_rotation(&first, T0 + 100, &rot);
		cr_expect_eq(store_refresh(st, &rot, judge, &v, &parent),
		    refusals[i]);
		cr_expect_eq(v.calls, 1);
		contract_expect_no_pair(&rot, "refused");
		cr_expect_eq(rot.family_id, first.family_id,
		    "what the judge set stays for the caller");
		cr_assert_eq(store_refresh_get(st, first.refresh_hash, &t),
		    0);
		cr_expect_eq(t.last_used, 0, "the parent stays unused");
	}
}

OAUTH_TEST(refresh, unknown_parent_is_notfound_unjudged)
{
	unsigned char ghost[SECURE_HASH_BYTES];
	struct issue first, rot;
	struct verdict v = { 0 };
	struct token_row parent;

	contract_ann_family(T0, &first);
	blank_rotation(&first, T0 + 1, &rot);
	contract_hash(ghost);
	rot.parent_hash = ghost;
	cr_expect_eq(store_refresh(st, &rot, judge, &v, &parent),
	    ERR_NOTFOUND);
	cr_expect_eq(v.calls, 0);
	contract_expect_no_pair(&rot, "no parent, no child");
}

OAUTH_TEST(refresh, the_judge_sees_a_used_parent_as_used)
{
	struct issue first, rot, again;
	struct verdict v = { 0 }, late = { .rc = ERR_CONFLICT };
	struct token_row parent;

	contract_ann_family(T0, &first);
	blank_rotation(&first, T0 + 100, &rot);
	cr_assert_eq(store_refresh(st, &rot, judge, &v, &parent), 0);
	blank_rotation(&first, T0 + 200, &again);
	cr_expect_eq(store_refresh(st, &again, judge, &late, &parent),
	    ERR_CONFLICT);
	cr_expect_eq(late.seen.last_used, T0 + 100,
	    "the first rotation's use is what the second judge reads");
	contract_expect_no_pair(&again, "refused");
	/* a judge that lets it through anyway meets the compare-and-set */
	late.rc = 0;
	blank_rotation(&first, T0 + 300, &again);
	cr_expect_eq(store_refresh(st, &again, judge, &late, &parent),
	    ERR_CONFLICT);
	contract_expect_no_pair(&again, "the parent was used");
}
