#include "store/use_log.h"

#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

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

void
use_fold_add(struct use_fold *f, const unsigned char *row, size_t len)
{
	size_t n = len / USE_LOG_ENTRY;

	if (f->n + n > f->cap) {
		/* growing by half: the array is the fold's whole memory */
		f->cap = f->n + n > f->cap + f->cap / 2 ? f->n + n :
		    f->cap + f->cap / 2;
		f->e = xrealloc(f->e, f->cap * sizeof(*f->e));
	}
	for (size_t i = 0; i < n; i++, row += USE_LOG_ENTRY) {
		uint64_t t = 0;

		for (int k = 0; k < 8; k++)
			t = t << 8 | row[SECURE_HASH_BYTES + k];
		memcpy(f->e[f->n].hash, row, SECURE_HASH_BYTES);
		f->e[f->n++].at = (int64_t)t;
	}
}

static int
by_hash(const void *a, const void *b)
{
	return memcmp(((const struct use_entry *)a)->hash,
	    ((const struct use_entry *)b)->hash, SECURE_HASH_BYTES);
}

/* Sorts by hash in place: one pass into 256 buckets by the first byte
 * (hashes are uniform), then each bucket alone. glibc's qsort would take
 * a buffer as large as the array; a bucket's is 1/256 of it. */
static void
sort_by_hash(struct use_entry *e, size_t n)
{
	size_t start[257] = { 0 }, next[256];
	struct use_entry tmp;

	for (size_t i = 0; i < n; i++)
		start[e[i].hash[0] + 1]++;
	for (int b = 0; b < 256; b++) {
		start[b + 1] += start[b];
		next[b] = start[b];
	}
	for (int b = 0; b < 256; b++)
		while (next[b] < start[b + 1]) {
			unsigned to = e[next[b]].hash[0];

			if (to == (unsigned)b) {
				next[b]++;
				continue;
			}
			tmp = e[next[to]];
			e[next[to]++] = e[next[b]];
			e[next[b]] = tmp;
		}
	for (int b = 0; b < 256; b++)
		qsort(e + start[b], start[b + 1] - start[b], sizeof(*e),
		    by_hash);
}

void
use_fold_merge(struct use_fold *f)
{
	size_t m = 0;

	if (f->n == 0)
		return;
	sort_by_hash(f->e, f->n);
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
