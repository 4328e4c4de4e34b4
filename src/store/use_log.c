#include "store/use_log.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"

unsigned char *
use_log_encode(const struct use_entry *uses, size_t n)
{
	unsigned char *blob = xmalloc(n > 0 ? n * USE_LOG_ENTRY : 1), *p;

	for (size_t i = 0; i < n; i++) {
		uint64_t t = (uint64_t)uses[i].at;

		p = blob + i * USE_LOG_ENTRY;
		memcpy(p, uses[i].hash, SECURE_HASH_BYTES);
		for (int k = 0; k < 8; k++)
			p[SECURE_HASH_BYTES + k] = (unsigned char)(t >>
			    (56 - 8 * k));
	}
	return blob;
}

static void
push(struct use_fold *f, const unsigned char *entry)
{
	uint64_t t = 0;

	if (f->n == f->cap) {
		/* growing by half: the array is the fold's whole memory */
		f->cap = f->cap < 64 ? 64 : f->cap + f->cap / 2;
		f->e = xrealloc(f->e, f->cap * sizeof(*f->e));
	}
	for (int k = 0; k < 8; k++)
		t = t << 8 | entry[SECURE_HASH_BYTES + k];
	memcpy(f->e[f->n].hash, entry, SECURE_HASH_BYTES);
	f->e[f->n++].at = (int64_t)t;
}

/* A sample holds the uses read at multiples of its stride, in the order
 * read: when full, those at even places are the multiples of twice it. */
static bool
sampled(struct use_fold *f, size_t index)
{
	if (index % f->stride != 0)
		return false;
	if (f->n == f->sample_max) {
		for (size_t i = 0; 2 * i < f->n; i++)
			f->e[i] = f->e[2 * i];
		f->n = (f->n + 1) / 2;
		f->stride *= 2;
	}
	return index % f->stride == 0;
}

void
use_fold_add(struct use_fold *f, const unsigned char *row, size_t len)
{
	size_t n = len / USE_LOG_ENTRY;

	for (size_t i = 0; i < n; i++, row += USE_LOG_ENTRY) {
		size_t index = f->seen++;

		if (f->lo != NULL && memcmp(row, f->lo, SECURE_HASH_BYTES) < 0)
			continue;
		if (f->hi != NULL && memcmp(row, f->hi, SECURE_HASH_BYTES) >= 0)
			continue;
		if (f->sample_max > 0 && !sampled(f, index))
			continue;
		push(f, row);
	}
}

static bool
before(const struct use_entry *a, const struct use_entry *b)
{
	return memcmp(a->hash, b->hash, SECURE_HASH_BYTES) < 0;
}

static void
sift_down(struct use_entry *e, size_t root, size_t n)
{
	struct use_entry tmp;

	for (size_t child; (child = 2 * root + 1) < n; root = child) {
		if (child + 1 < n && before(&e[child], &e[child + 1]))
			child++;
		if (!before(&e[root], &e[child]))
			return;
		tmp = e[root];
		e[root] = e[child];
		e[child] = tmp;
	}
}

/* Sorts by key in place (heapsort). Keys are not uniform (a sorted
 * token's begins with its minting time, secure_token_key()), so no
 * bucketing by leading bytes; and glibc's qsort would take a buffer as
 * large as the array, the fold's whole memory again. */
static void
sort_by_key(struct use_entry *e, size_t n)
{
	struct use_entry tmp;

	for (size_t i = n / 2; i-- > 0;)
		sift_down(e, i, n);
	for (size_t end = n; end-- > 1;) {
		tmp = e[0];
		e[0] = e[end];
		e[end] = tmp;
		sift_down(e, 0, end);
	}
}

void
use_fold_merge(struct use_fold *f)
{
	size_t m = 0;

	if (f->n == 0)
		return;
	sort_by_key(f->e, f->n);
	for (size_t i = 0; i < f->n; i++) {
		if (m > 0 && memcmp(f->e[m - 1].hash, f->e[i].hash,
		    SECURE_HASH_BYTES) == 0) {
			if (f->e[i].at > f->e[m - 1].at)
				f->e[m - 1].at = f->e[i].at;
			continue;
		}
		f->e[m++] = f->e[i];
	}
	f->n = m;
}

void
use_fold_free(struct use_fold *f)
{
	free(f->e);
	memset(f, 0, sizeof(*f));
}
