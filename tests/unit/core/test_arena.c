#include "base/arena.h"

#include <criterion/criterion.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

Test(arena, new_free)
{
	struct arena *a = arena_new();

	cr_assert_not_null(a);
	arena_free(a);
	arena_free(NULL);
}

Test(arena, alignment)
{
	static const size_t sizes[] = { 1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 33,
	    63, 100, 1000, 4095, 4096, 4097, 10000, 1, 1, 3 };
	const size_t align = alignof(max_align_t);
	struct arena *a = arena_new();

	for (size_t i = 0; i < NELEM(sizes); i++) {
		unsigned char *p = arena_alloc(a, sizes[i]);

		cr_assert_not_null(p, "case %zu", i);
		cr_expect_eq((uintptr_t)p % align, 0,
		    "case %zu: %zu bytes at %p not aligned to %zu", i,
		    sizes[i], (void *)p, align);
		memset(p, 0xab, sizes[i]);	/* writable (ASan checks) */
	}
	arena_free(a);
}

Test(arena, zero_bytes)
{
	struct arena *a = arena_new();
	void *p = arena_alloc(a, 0);
	char *q = arena_alloc(a, 1);

	cr_expect_eq((uintptr_t)p % alignof(max_align_t), 0);
	cr_assert_not_null(q);
	*q = 'x';
	cr_expect_eq(*q, 'x');
	arena_free(a);
}

/* Many allocations of varying sizes: none overlaps another and each keeps
 * what was written into it. */
Test(arena, many)
{
	enum { N = 5000 };
	static unsigned char *ptrs[N];
	static size_t lens[N];
	struct arena *a = arena_new();

	for (size_t i = 0; i < N; i++) {
		lens[i] = 1 + (i * 37) % 300;
		if (i % 500 == 0)
			lens[i] = 5000 + i;	/* some larger than a chunk */
		ptrs[i] = arena_alloc(a, lens[i]);
		cr_assert_not_null(ptrs[i]);
		memset(ptrs[i], (int)(i & 0xff), lens[i]);
	}
	for (size_t i = 0; i < N; i++) {
		for (size_t k = 0; k < lens[i]; k++) {
			if (ptrs[i][k] != (unsigned char)(i & 0xff)) {
				cr_expect_fail("allocation %zu byte %zu "
				    "overwritten", i, k);
				break;
			}
		}
	}
	arena_free(a);
}

Test(arena, strdup)
{
	static const struct str cases[] = {
		STR_LIT(""),
		STR_LIT("a"),
		STR_LIT("hello, world"),
		STR_LIT("embedded\0nul"),
		STR_LIT("\xc3\xa9t\xc3\xa9"),
	};
	struct arena *a = arena_new();

	for (size_t i = 0; i < NELEM(cases); i++) {
		char *d = arena_strdup(a, cases[i]);

		cr_assert_not_null(d);
		cr_expect(d != cases[i].p, "case %zu: not copied", i);
		cr_expect_eq(memcmp(d, cases[i].p, cases[i].len), 0,
		    "case %zu", i);
		cr_expect_eq(d[cases[i].len], '\0', "case %zu", i);
	}

	/* only the slice is copied */
	char *d = arena_strdup(a, (struct str){ "abcdef", 3 });
	cr_expect_str_eq(d, "abc");
	d = arena_strdup(a, STR_NULL);
	cr_expect_str_eq(d, "");

	/* a long string, past one chunk */
	char big[10001];
	memset(big, 'k', 10000);
	big[10000] = '\0';
	d = arena_strdup(a, str_from(big));
	cr_expect_str_eq(d, big);
	arena_free(a);
}
