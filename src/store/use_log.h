#ifndef KEYGATE_STORE_USE_LOG_H
#define KEYGATE_STORE_USE_LOG_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

/* The rows of the use_log table, shared by both backends: a row is a
 * batch of uses, USE_LOG_ENTRY bytes each (the token's hash, then the
 * time as a big-endian 64-bit integer). */
#define USE_LOG_ENTRY	(SECURE_HASH_BYTES + 8)
/* A fold reads up to USE_LOG_READ rows of the log (98,304 uses at
 * most: 3.9 MB, sorted in place; the pass is the server's memory peak,
 * and 10^6 tokens must fit in 64 MiB), sorts their uses by token,
 * writes them a transaction per USE_LOG_WRITE tokens, then deletes the
 * rows it read. Each write
 * covers a range of keys, so a page of tokens is written once per fold
 * however many of its tokens were used, and no transaction holds the
 * writer's lock for long. A crash between the writes and the delete only
 * folds the same uses again. */
#define USE_LOG_READ		24
#define USE_LOG_STR(x)		#x
#define USE_LOG_XSTR(x)		USE_LOG_STR(x)
#define USE_LOG_READ_SQL	USE_LOG_XSTR(USE_LOG_READ)
#define USE_LOG_WRITE		2048

/* Encodes n uses into a malloc'd blob of n * USE_LOG_ENTRY bytes. */
unsigned char	*use_log_encode(const struct use_entry *uses, size_t n);

/* What a fold writes: the latest use of each token, in hash order. */
struct use_fold {
	struct use_entry *e;
	size_t		 n, cap;
};

/* Adds the uses of one row (len bytes; a torn tail is ignored). */
void	use_fold_add(struct use_fold *f, const unsigned char *row, size_t len);
/* Sorts by hash and keeps the latest use of each token. */
void	use_fold_merge(struct use_fold *f);
void	use_fold_free(struct use_fold *f);

#endif
