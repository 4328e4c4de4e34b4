#include "core/usage_table.h"

#include <stdlib.h>
#include <string.h>

#include "base/mem.h"

#define FIRST_CAP	64

static size_t
slot_of(int64_t app_id, int64_t hour, size_t cap)
{
	uint64_t h = (uint64_t)app_id * 0x9e3779b97f4a7c15u ^
	    (uint64_t)hour * 0xc2b2ae3d27d4eb4fu;

	return (size_t)(h ^ h >> 29) & (cap - 1);
}

static struct usage_add *
find(struct usage_add *slots, size_t cap, int64_t app_id, int64_t hour)
{
	size_t i = slot_of(app_id, hour, cap);

	while (slots[i].app_id != 0 &&
	    (slots[i].app_id != app_id || slots[i].hour != hour))
		i = (i + 1) & (cap - 1);
	return &slots[i];
}

/* At half full, twice the room: probes stay short. */
static void
grow(struct usage_table *t)
{
	size_t cap = t->cap == 0 ? FIRST_CAP : t->cap * 2;
	struct usage_add *slots = xcalloc(cap, sizeof(*slots));

	for (size_t i = 0; i < t->cap; i++)
		if (t->slots[i].app_id != 0)
			*find(slots, cap, t->slots[i].app_id,
			    t->slots[i].hour) = t->slots[i];
	free(t->slots);
	t->slots = slots;
	t->cap = cap;
}

void
usage_table_add(struct usage_table *t, int64_t app_id, int64_t hour,
    enum usage_kind k)
{
	struct usage_add *a;

	if (2 * (t->n + 1) > t->cap)
		grow(t);
	a = find(t->slots, t->cap, app_id, hour);
	if (a->app_id == 0) {
		a->app_id = app_id;
		a->hour = hour;
		t->n++;
	}
	a->n[k]++;
}

void
usage_table_drain(struct usage_table *t, struct usage_add **out, size_t *n,
    size_t *cap)
{
	size_t want = FIRST_CAP, held = t->n, left = t->n;

	if (*n + t->n > *cap) {
		*cap = (*n + t->n) * 2;
		*out = xrealloc(*out, *cap * sizeof(**out));
	}
	/* only the slots in use are cleared: under the owner's lock, a big
	 * table's every slot would keep its thread waiting */
	for (size_t i = 0; i < t->cap && left > 0; i++)
		if (t->slots[i].app_id != 0) {
			(*out)[(*n)++] = t->slots[i];
			left--;
			memset(&t->slots[i], 0, sizeof(t->slots[i]));
		}
	/* a table eight times too big for what it held (a burst gone)
	 * shrinks to four times, so that the scan above stays in
	 * proportion; never below its first size, so that a thread's next
	 * check after a quiet spell allocates nothing */
	if (t->cap > FIRST_CAP && 8 * held < t->cap) {
		while (want < 4 * held)
			want *= 2;
		free(t->slots);
		t->slots = xcalloc(want, sizeof(*t->slots));
		t->cap = want;
	}
	t->n = 0;
}

void
usage_table_free(struct usage_table *t)
{
	free(t->slots);
	memset(t, 0, sizeof(*t));
}

static int
cmp_add(const void *a, const void *b)
{
	const struct usage_add *x = a, *y = b;

	if (x->app_id != y->app_id)
		return x->app_id < y->app_id ? -1 : 1;
	return x->hour < y->hour ? -1 : x->hour > y->hour;
}

size_t
usage_merge(struct usage_add *rows, size_t n)
{
	size_t out = 0;

	if (n == 0)
		return 0;
	qsort(rows, n, sizeof(*rows), cmp_add);
	for (size_t i = 1; i < n; i++) {
		if (cmp_add(&rows[out], &rows[i]) == 0) {
			for (int k = 0; k < USAGE_KINDS; k++)
				rows[out].n[k] += rows[i].n[k];
		} else
			rows[++out] = rows[i];
	}
	return out + 1;
}
