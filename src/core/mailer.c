#include "core/mailer.h"

#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/clock.h"
#include "base/err.h"
#include "base/limits.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/metrics.h"
#include "core/mail_compose.h"
#include "core/mail_maildir.h"
#include "core/mail_smtp.h"
#include "store/store.h"

/* the waits after failed deliveries 1 to MAIL_ATTEMPTS_MAX - 1 */
static const int64_t backoff_s[MAIL_ATTEMPTS_MAX - 1] = {
	60, 120, 300, 600, 900
};

struct mailer {
	struct keygate		*kg;
	pthread_t		 thread;
	pthread_mutex_t		 lock;
	pthread_cond_t		 wake;
	bool			 stop;		/* under lock */
	bool			 kicked;	/* under lock */
	_Atomic bool		 stopping;	/* the same, for libcurl */
	bool			 smtp_on;
	struct mail_smtp	 smtp;
	char			 dir[4096];	/* the Maildir without SMTP */
	char			 from[ACCOUNT_EMAIL_MAX_BYTES + 1];
	bool			 store_failing;
};

int64_t
mailer_backoff_s(int64_t n)
{
	if (n < 1)
		n = 1;
	if (n > MAIL_ATTEMPTS_MAX - 1)
		n = MAIL_ATTEMPTS_MAX - 1;
	return backoff_s[n - 1];
}

void
mailer_kick(struct mailer *m)
{
	if (m == NULL)
		return;
	pthread_mutex_lock(&m->lock);
	m->kicked = true;
	pthread_cond_signal(&m->wake);
	pthread_mutex_unlock(&m->lock);
}

/* Sleeps up to MAIL_POLL_MS or until kicked (CLOCK_MONOTONIC); false once
 * the mailer is stopping. */
static bool
nap(struct mailer *m)
{
	struct timespec until;
	bool stop;

	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += MAIL_POLL_MS / 1000;
	until.tv_nsec += (MAIL_POLL_MS % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&m->lock);
	while (!m->stop && !m->kicked && pthread_cond_timedwait(&m->wake,
	    &m->lock, &until) != ETIMEDOUT)
		;
	m->kicked = false;
	stop = m->stop;
	pthread_mutex_unlock(&m->lock);
	return !stop;
}

/* A failed delivery: written back with its next attempt, or given up.
 * The store first, the count after: whoever reads the count (a test
 * moving its clock) finds the next attempt recorded. */
static void
failed(struct mailer *m, const struct mail_row *row, const char *why,
    const char *domain)
{
	struct store *st = m->kg->store;
	int64_t n = row->attempts + 1, now = clock_now(m->kg->clock);
	int64_t delay = mailer_backoff_s(n);

	if (n >= MAIL_ATTEMPTS_MAX) {
		if (store_mail_delete(st, row->id) != 0)
			log_msg("warn", "mail %lld could not be taken out of "
			    "the queue; it will be tried again",
			    (long long)row->id);
		log_msg("warn", "mail %lld to %s given up after %lld attempts; "
		    "the last: %s", (long long)row->id, domain, (long long)n,
		    why);
		metrics_inc(METRIC_MAIL_FAILED);
		metrics_inc(METRIC_MAIL_GIVEN_UP);
		return;
	}
	if (store_mail_retry(st, row->id, n, now + delay, why) != 0)
		log_msg("warn", "mail %lld: its failed attempt could not be "
		    "recorded; it is tried again once its claim runs out",
		    (long long)row->id);
	log_msg("warn", "mail %lld to %s not delivered (attempt %lld of %d): "
	    "%s; next attempt in %lld s", (long long)row->id, domain,
	    (long long)n, MAIL_ATTEMPTS_MAX, why, (long long)delay);
	metrics_inc(METRIC_MAIL_FAILED);
}

static int
deliver(struct mailer *m, const struct mail_row *row, char *why,
    size_t whylen)
{
	size_t len = strlen(row->message);

	if (m->smtp_on)
		return mail_smtp_send(&m->smtp, m->from, row->recipient,
		    row->message, len, &m->stopping, why, whylen);
	return mail_maildir_deliver(m->dir, row->message, len,
	    clock_now(m->kg->clock), why, whylen);
}

static void
send_one(struct mailer *m, const struct mail_row *row)
{
	char why[MAIL_ERROR_MAX_BYTES], domain[LOG_MAX_FIELD_BYTES + 1];
	int rc = deliver(m, row, why, sizeof(why));

	mail_log_domain(row->recipient, domain, sizeof(domain));
	if (rc == 0) {
		if (store_mail_delete(m->kg->store, row->id) != 0)
			log_msg("warn", "mail %lld to %s was delivered but "
			    "stays queued: it may be delivered twice",
			    (long long)row->id, domain);
		else
			log_msg("info", "mail %lld to %s delivered",
			    (long long)row->id, domain);
		metrics_inc(METRIC_MAIL_SENT);
	} else if (rc == ERR_EXPIRED) {
		/* stopping: back as it was, due at once for the next start */
		store_mail_retry(m->kg->store, row->id, row->attempts,
		    clock_now(m->kg->clock), row->last_error);
	} else {
		failed(m, row, why, domain);
	}
}

/* Claims and delivers every due mail, one at a time. */
static void
send_due(struct mailer *m)
{
	struct mail_row row;
	int64_t now;
	int rc;

	while (!atomic_load(&m->stopping)) {
		now = clock_now(m->kg->clock);
		rc = store_mail_claim(m->kg->store, now, now + MAIL_LEASE_S,
		    &row);
		/* once per outage, not every poll */
		if (rc == ERR_STORE && !m->store_failing)
			log_msg("warn", "the mail queue cannot be read; "
			    "retrying");
		else if (rc != ERR_STORE && m->store_failing)
			log_msg("info", "the mail queue can be read again");
		m->store_failing = rc == ERR_STORE;
		if (rc != 0)
			return;
		send_one(m, &row);
		free(row.message);
	}
}

static void *
run(void *arg)
{
	struct mailer *m = arg;

	do
		send_due(m);
	while (nap(m));
	return NULL;
}

/* The sink, the sender and the start-up line (the URL holds no secret:
 * config refuses a user or password in it). */
static int
configure(struct mailer *m, const struct config *cfg)
{
	if (mail_sender(cfg->mail_from, cfg->issuer, m->from,
	    sizeof(m->from)) != 0)
		return ERR_INVALID;
	if (cfg->smtp_url != NULL) {
		m->smtp_on = true;
		m->smtp = (struct mail_smtp){ cfg->smtp_url, cfg->smtp_user,
		    cfg->smtp_password };
		log_msg("info", "mail from %s over %s%s", m->from,
		    cfg->smtp_url, mail_smtp_tls(cfg->smtp_url,
		    cfg->smtp_user != NULL) == MAIL_TLS_TRY ?
		    " (STARTTLS when offered)" : "");
		return 0;
	}
	if (cfg->mail_dir != NULL)
		snprintf(m->dir, sizeof(m->dir), "%s", cfg->mail_dir);
	else if (mail_maildir_default(cfg->db, m->dir, sizeof(m->dir)) != 0)
		return ERR_INVALID;
	log_msg("info", "mail from %s into the Maildir %s (no --smtp-url)",
	    m->from, m->dir);
	return 0;
}

struct mailer *
mailer_start(struct keygate *kg)
{
	struct mailer *m = xcalloc(1, sizeof(*m));
	pthread_condattr_t attr;

	m->kg = kg;
	atomic_init(&m->stopping, false);
	if (configure(m, kg->cfg) != 0) {
		log_msg("error", "mail: no usable sender or --mail-dir");
		abort();
	}
	/* before any other thread may use libcurl */
	curl_global_init(CURL_GLOBAL_DEFAULT);
	pthread_mutex_init(&m->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&m->wake, &attr);
	pthread_condattr_destroy(&attr);
	if (pthread_create(&m->thread, NULL, run, m) != 0) {
		log_msg("error", "cannot start the mail thread");
		abort();
	}
	return m;
}

void
mailer_stop(struct mailer *m)
{
	if (m == NULL)
		return;
	atomic_store(&m->stopping, true);
	pthread_mutex_lock(&m->lock);
	m->stop = true;
	pthread_cond_broadcast(&m->wake);
	pthread_mutex_unlock(&m->lock);
	pthread_join(m->thread, NULL);
	pthread_cond_destroy(&m->wake);
	pthread_mutex_destroy(&m->lock);
	curl_global_cleanup();
	free(m);
}
