/* core/memo.c: hits under the epoch a value was put with only, never
 * under 0; a newer key replaces an older one in its slot; what does not
 * fit is not kept. */
#include "core/memo.h"

#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

static bool
get_str(struct memo *m, const char *key, uint64_t epoch, char *out)
{
	size_t len = 0;
	bool hit = memo_get(m, key, strlen(key), epoch, out, &len);

	if (hit)
		out[len] = '\0';
	return hit;
}

static void
put_str(struct memo *m, const char *key, uint64_t epoch, const char *v)
{
	memo_put(m, key, strlen(key), epoch, v, strlen(v));
}

Test(memo, hits_under_its_epoch_only)
{
	struct memo *m = memo_new(64, 16, 16);
	char v[17];

	cr_expect_not(get_str(m, "a", 3, v), "empty");
	put_str(m, "a", 3, "alpha");
	cr_assert(get_str(m, "a", 3, v));
	cr_expect_str_eq(v, "alpha");
	cr_expect_not(get_str(m, "a", 4, v), "the store moved on");
	cr_expect_not(get_str(m, "b", 3, v), "another key");
	put_str(m, "a", 0, "zero");
	cr_expect_not(get_str(m, "a", 0, v), "0 never hits");
	memo_free(m);
}

Test(memo, a_newer_key_takes_the_slot)
{
	/* one slot: every key lands in it */
	struct memo *m = memo_new(1, 16, 16);
	char v[17];

	put_str(m, "first", 1, "1");
	put_str(m, "second", 1, "2");
	cr_expect_not(get_str(m, "first", 1, v));
	cr_assert(get_str(m, "second", 1, v));
	cr_expect_str_eq(v, "2");
	memo_free(m);
}

Test(memo, what_does_not_fit_is_not_kept)
{
	struct memo *m = memo_new(8, 4, 4);
	char v[17];

	put_str(m, "toolong", 1, "v");
	cr_expect_not(get_str(m, "toolong", 1, v));
	put_str(m, "k", 1, "too long");
	cr_expect_not(get_str(m, "k", 1, v));
	memo_free(m);
}

Test(memo, null_always_misses)
{
	char v[17];

	put_str(NULL, "a", 1, "x");
	cr_expect_not(get_str(NULL, "a", 1, v));
	memo_free(NULL);
}
