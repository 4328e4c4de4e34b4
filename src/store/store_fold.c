/* The use log's fold (use_log.h), apart from store.c's dispatch: read,
 * sort in place and write per key range, then delete the rows read. */
#include "store/store_fold.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "store/store_call.h"
#include "store/use_log.h"

/* Reads the log's rows with after < id <= upto into f, their ids
 * appended to *ids (NULL when not wanted). */
static int
read_log(struct store *st, int64_t after, int64_t upto, struct use_fold *f,
    int64_t **ids, size_t *nids)
{
	int64_t *batch;
	size_t n, cap = 0;
	int rc;

	do {
		if ((rc = CALL(use_log_read, after, upto, f, &batch, &n)) != 0) {
			free(batch);
			return rc;
		}
		if (n > 0)
			after = batch[n - 1];
		if (ids != NULL && n > 0) {
			if (*nids + n > cap) {
				cap = (*nids + n) * 2;
				*ids = xrealloc(*ids, cap * sizeof(**ids));
			}
			memcpy(*ids + *nids, batch, n * sizeof(*batch));
			*nids += n;
		}
		free(batch);
	} while (n == USE_LOG_READ);
	return 0;
}

/* Writes what f holds: the latest use of each token, in key order. */
static int
write_uses(struct store *st, struct use_fold *f, size_t *folded)
{
	int rc = 0;

	use_fold_merge(f);
	for (size_t i = 0; rc == 0 && i < f->n; i += USE_LOG_WRITE)
		rc = CALL(access_touch_many, f->e + i,
		    f->n - i < USE_LOG_WRITE ? f->n - i : USE_LOG_WRITE);
	*folded += f->n;
	use_fold_free(f);
	return rc;
}

/* The passes of a log longer than one pass holds (use_log.h): the keys of
 * `sample`, a sample of its uses, split it into ranges. Only the bounds
 * are kept: the sample's memory is gone before the first pass takes its
 * own (the two together would be the server's peak). */
static int
fold_ranges(struct store *st, int64_t upto, struct use_fold *sample,
    size_t *folded)
{
	size_t parts = sample->seen / (USE_LOG_PASS / 4 * 3) + 1;
	unsigned char (*bound)[SECURE_HASH_BYTES];
	int rc = 0;

	use_fold_merge(sample);
	bound = xmalloc(parts * sizeof(*bound));
	for (size_t k = 1; k < parts; k++)
		memcpy(bound[k], sample->e[k * sample->n / parts].hash,
		    SECURE_HASH_BYTES);
	use_fold_free(sample);
	for (size_t k = 0; rc == 0 && k < parts; k++) {
		struct use_fold f = { 0 };

		f.lo = k == 0 ? NULL : bound[k];
		f.hi = k + 1 == parts ? NULL : bound[k + 1];
		rc = read_log(st, 0, upto, &f, NULL, NULL);
		if (rc == 0)
			rc = write_uses(st, &f, folded);
		use_fold_free(&f);
	}
	free(bound);
	return rc;
}

/* One fold of the log as it stands (use_log.h). The first reading is a
 * sample of at most USE_LOG_PASS uses: all of them when the log is no
 * longer, and then the only reading. */
int
store_fold_log(struct store *st, size_t *folded)
{
	struct use_fold sample = { .sample_max = USE_LOG_PASS, .stride = 1 };
	int64_t *ids = NULL;
	size_t nids = 0;
	int rc = read_log(st, 0, INT64_MAX, &sample, &ids, &nids);

	if (rc == 0 && nids > 0) {
		if (sample.stride == 1)
			rc = write_uses(st, &sample, folded);
		else
			rc = fold_ranges(st, ids[nids - 1], &sample, folded);
	}
	if (rc == 0 && nids > 0)
		rc = CALL(use_log_delete, ids, nids);
	use_fold_free(&sample);
	free(ids);
	return rc;
}
