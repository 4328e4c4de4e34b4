#ifndef KEYGATE_STORE_USE_LOG_H
#define KEYGATE_STORE_USE_LOG_H

#include <stddef.h>
#include <stdint.h>

#include "store/rows.h"

/* The rows of the use_log table, shared by both backends: a row is a
 * batch of uses, USE_LOG_ENTRY bytes each (the token's hash, then the
 * time as a big-endian 64-bit integer). */
#define USE_LOG_ENTRY	(SECURE_HASH_BYTES + 8)
/* A fold takes the log as it stands when it begins, reading it
 * USE_LOG_READ rows at a time. It holds at most USE_LOG_PASS uses at once
 * (3.9 MB, sorted in place: the fold is the server's memory peak, and
 * 10^6 tokens must fit in 64 MiB). A longer log is split by key: a sample
 * of its keys gives ranges of about USE_LOG_PASS * 3/4 uses, and each pass
 * reads the whole log but keeps one range. Reading the log again costs
 * little beside what it saves: uses drawn at random cover every page of
 * tokens within a few thousand, so passes over consecutive rows rewrote
 * the whole table each, where passes over ranges write each page once.
 * A pass sorts its uses by token and writes them a transaction per
 * USE_LOG_WRITE tokens, each covering a range of keys, so no
 * transaction holds the writer's lock for long. The rows read are
 * deleted last, by id (a row committed meanwhile under a lower id is
 * left for the next fold); a crash before that folds the same uses
 * again. */
#define USE_LOG_READ		24
#define USE_LOG_STR(x)		#x
#define USE_LOG_XSTR(x)		USE_LOG_STR(x)
#define USE_LOG_READ_SQL	USE_LOG_XSTR(USE_LOG_READ)
#define USE_LOG_PASS		98304
#define USE_LOG_WRITE		2048

/* Encodes n uses into a malloc'd blob of n * USE_LOG_ENTRY bytes. */
unsigned char	*use_log_encode(const struct use_entry *uses, size_t n);

/* What a fold writes: the latest use of each token, in hash order. */
struct use_fold {
	struct use_entry *e;
	size_t		 n, cap;
	size_t		 seen;	/* uses read, kept or not */
	/* keeps only keys in [lo, hi) (a bound may be NULL) */
	const unsigned char *lo, *hi;
	/* when > 0, a sample: keeps every stride-th use read (stride starts
	 * at 1), and halves what it holds (doubling the stride) rather than
	 * pass sample_max; a stride still 1 means it holds every use */
	size_t		 sample_max, stride;
};

/* Adds the uses of one row (len bytes; a torn tail is ignored). */
void	use_fold_add(struct use_fold *f, const unsigned char *row, size_t len);
/* Sorts by hash and keeps the latest use of each token. */
void	use_fold_merge(struct use_fold *f);
void	use_fold_free(struct use_fold *f);

#endif
