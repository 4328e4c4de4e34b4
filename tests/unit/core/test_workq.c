/* base/workq.c: items run on the queue's thread in the order they came,
 * each as it was when submitted; a full queue refuses; stopping runs what
 * still waits. The worker is held inside run() by a flag and a condition
 * variable, so each case knows where it is without sleeping. */
#include "base/workq.h"

#include <criterion/criterion.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>

#include "base/err.h"

#define MAX	4

struct seen {
	pthread_mutex_t	 lock;
	pthread_cond_t	 cv;
	bool		 held;		/* run() waits while this is set */
	bool		 entered;	/* the worker took its first item */
	int		 order[64];
	int		 n;
};

#define SEEN_INIT { .lock = PTHREAD_MUTEX_INITIALIZER, \
	.cv = PTHREAD_COND_INITIALIZER, .held = true }

static void
run(void *ctx, void *item)
{
	struct seen *s = ctx;

	pthread_mutex_lock(&s->lock);
	s->entered = true;
	pthread_cond_broadcast(&s->cv);
	while (s->held)
		pthread_cond_wait(&s->cv, &s->lock);
	s->order[s->n++] = *(int *)item;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->lock);
}

/* Submits 0 and waits until the worker holds it in run(): from then on
 * the queue's MAX slots are all free and none is taken. */
static void
hold_first(struct workq *q, struct seen *s)
{
	int zero = 0;

	cr_assert_eq(workq_submit(q, &zero), 0);
	pthread_mutex_lock(&s->lock);
	while (!s->entered)
		pthread_cond_wait(&s->cv, &s->lock);
	pthread_mutex_unlock(&s->lock);
}

static void
release(struct seen *s)
{
	pthread_mutex_lock(&s->lock);
	s->held = false;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->lock);
}

static void
wait_count(struct seen *s, int n)
{
	pthread_mutex_lock(&s->lock);
	while (s->n < n)
		pthread_cond_wait(&s->cv, &s->lock);
	pthread_mutex_unlock(&s->lock);
}

static void
assert_order(struct seen *s, int n)
{
	cr_assert_eq(s->n, n, "%d items ran, not %d", s->n, n);
	for (int i = 0; i < n; i++)
		cr_assert_eq(s->order[i], i, "item %d ran as #%d", s->order[i],
		    i);
}

Test(workq, runs_in_order_and_refuses_when_full)
{
	struct seen s = SEEN_INIT;
	struct workq *q = workq_start(sizeof(int), MAX, run, &s);
	int i;

	hold_first(q, &s);
	for (i = 1; i <= MAX; i++)
		cr_assert_eq(workq_submit(q, &i), 0, "item %d refused", i);
	cr_assert_eq(workq_submit(q, &i), ERR_THROTTLED);
	pthread_mutex_lock(&s.lock);
	cr_assert_eq(s.n, 0);
	pthread_mutex_unlock(&s.lock);
	release(&s);
	wait_count(&s, MAX + 1);
	/* the slots are free again: the refused one is taken now */
	cr_assert_eq(workq_submit(q, &i), 0);
	wait_count(&s, MAX + 2);
	workq_stop(q);
	assert_order(&s, MAX + 2);
}

Test(workq, runs_a_copy_of_the_item)
{
	struct seen s = SEEN_INIT;
	struct workq *q = workq_start(sizeof(int), MAX, run, &s);
	int v = 1;

	hold_first(q, &s);
	cr_assert_eq(workq_submit(q, &v), 0);
	v = 99;
	release(&s);
	workq_stop(q);
	assert_order(&s, 2);
}

static void *
stopper(void *arg)
{
	workq_stop(arg);
	return NULL;
}

Test(workq, stop_runs_what_waits)
{
	struct seen s = SEEN_INIT;
	struct workq *q = workq_start(sizeof(int), MAX, run, &s);
	pthread_t t;
	int i, rc;

	hold_first(q, &s);
	for (i = 1; i <= MAX; i++)
		cr_assert_eq(workq_submit(q, &i), 0);
	cr_assert_eq(pthread_create(&t, NULL, stopper, q), 0);
	/* the queue is full, so a submit says so until the stop has begun,
	 * then says that: only then is the worker let go, with MAX items
	 * still waiting (q lives until the worker ends, so this may ask) */
	while ((rc = workq_submit(q, &i)) == ERR_THROTTLED)
		sched_yield();
	cr_assert_eq(rc, ERR_EXPIRED);
	release(&s);
	pthread_join(t, NULL);
	assert_order(&s, MAX + 1);
}

Test(workq, stop_of_an_idle_queue_and_of_null)
{
	struct seen s = SEEN_INIT;

	workq_stop(workq_start(sizeof(int), MAX, run, &s));
	cr_assert_eq(s.n, 0);
	workq_stop(NULL);
}
