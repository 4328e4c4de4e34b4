#include "core/uses.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/log.h"
#include "base/mem.h"

/* uses per row of the log */
#define FLUSH_BATCH	4096

struct uses {
	struct store	*st;
	pthread_mutex_t	 lock;		/* guards pending, n */
	struct use_entry	*pending;	/* USES_MAX_PENDING slots */
	size_t		 n;
	pthread_mutex_t	 flushing;	/* one flush at a time */
	struct use_entry	*batch;		/* the flusher's own copy */
};

struct uses *
uses_new(struct store *st)
{
	struct uses *u = xcalloc(1, sizeof(*u));

	u->st = st;
	u->pending = xcalloc(USES_MAX_PENDING, sizeof(*u->pending));
	u->batch = xcalloc(USES_MAX_PENDING, sizeof(*u->batch));
	pthread_mutex_init(&u->lock, NULL);
	pthread_mutex_init(&u->flushing, NULL);
	return u;
}

void
uses_free(struct uses *u)
{
	if (u == NULL)
		return;
	if (uses_flush(u) != 0)
		log_msg("error", "uses of tokens could not be written at exit");
	pthread_mutex_destroy(&u->lock);
	pthread_mutex_destroy(&u->flushing);
	free(u->pending);
	free(u->batch);
	free(u);
}

int
uses_record(struct uses *u, const unsigned char hash[SECURE_HASH_BYTES],
    int64_t now)
{
	bool queued = false;

	pthread_mutex_lock(&u->lock);
	if (u->n < USES_MAX_PENDING) {
		memcpy(u->pending[u->n].hash, hash, SECURE_HASH_BYTES);
		u->pending[u->n].at = now;
		u->n++;
		queued = true;
	}
	pthread_mutex_unlock(&u->lock);
	return queued ? 0 : store_access_touch(u->st, hash, now);
}

/* Puts back uses a failed flush could not write, as room allows. */
static void
requeue(struct uses *u, const struct use_entry *uses, size_t n)
{
	size_t room;

	pthread_mutex_lock(&u->lock);
	room = USES_MAX_PENDING - u->n;
	if (n > room) {
		log_msg("error", "%zu uses of tokens were lost: the store "
		    "cannot be written", n - room);
		n = room;
	}
	memcpy(&u->pending[u->n], uses, n * sizeof(*uses));
	u->n += n;
	pthread_mutex_unlock(&u->lock);
}

int
uses_flush(struct uses *u)
{
	return uses_flush_usage(u, NULL, 0, -1);
}

bool
uses_pending(struct uses *u)
{
	bool any;

	if (u == NULL)
		return false;
	pthread_mutex_lock(&u->lock);
	any = u->n > 0;
	pthread_mutex_unlock(&u->lock);
	return any;
}

/* The counts ride with the last batch: a batch that fails stops the
 * loop before them, so they are written exactly when 0 is returned. */
int
uses_flush_usage(struct uses *u, const struct usage_add *adds, size_t m,
    int64_t live_hour)
{
	size_t n, done, len;
	int rc = 0;

	if (u == NULL)
		return 0;
	pthread_mutex_lock(&u->flushing);
	pthread_mutex_lock(&u->lock);
	n = u->n;
	memcpy(u->batch, u->pending, n * sizeof(*u->batch));
	u->n = 0;
	pthread_mutex_unlock(&u->lock);
	done = 0;
	do {
		len = n - done < FLUSH_BATCH ? n - done : FLUSH_BATCH;
		if (done + len < n)
			rc = store_use_log_append(u->st, &u->batch[done], len);
		else
			rc = store_usage_write(u->st, &u->batch[done], len,
			    adds, m, live_hour);
		if (rc == 0)
			done += len;
	} while (rc == 0 && done < n);
	if (rc != 0)
		requeue(u, &u->batch[done], n - done);
	pthread_mutex_unlock(&u->flushing);
	return rc;
}

int64_t
uses_log_every_s(int64_t coalesce_s)
{
	return coalesce_s / 2 > 1 ? coalesce_s / 2 : 1;
}

int64_t
uses_fold_every_s(int64_t coalesce_s)
{
	int64_t rest = coalesce_s - uses_log_every_s(coalesce_s);

	return rest > 1 ? rest : 1;
}

int
uses_settle(struct uses *u, struct store *st)
{
	int rc = uses_flush(u);

	return rc != 0 ? rc : store_use_log_fold(st, NULL);
}
