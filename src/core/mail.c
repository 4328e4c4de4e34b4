#include "core/mail.h"

#include <sodium.h>
#include <stdio.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/limits.h"
#include "base/log.h"
#include "base/metrics.h"
#include "base/secure.h"
#include "core/mail_compose.h"
#include "core/mailer.h"
#include "store/store.h"

/* 18 random bytes: 24 characters of base64url */
#define ID_RANDOM_BYTES	18

int
mail_queue(struct keygate *kg, const char *to, const char *subject,
    const char *body)
{
	unsigned char rnd[ID_RANDOM_BYTES];
	char from[ACCOUNT_EMAIL_MAX_BYTES + 1], host[256], id[64];
	char domain[LOG_MAX_FIELD_BYTES + 1];
	struct mail_parts m = { .to = to, .subject = subject, .body = body };
	struct buf msg;
	int64_t qid;
	int rc;

	if (mail_sender(kg->cfg->mail_from, kg->cfg->issuer, from,
	    sizeof(from)) != 0 ||
	    mail_url_host(kg->cfg->issuer, host, sizeof(host)) != 0)
		return ERR_INVALID;
	secure_random(rnd, sizeof(rnd));
	sodium_bin2base64(id, sizeof(id), rnd, sizeof(rnd),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	m.from = from;
	m.date = clock_now(kg->clock);
	m.id_left = id;
	m.id_right = host;
	buf_init(&msg, MAIL_MESSAGE_MAX_BYTES);
	rc = mail_compose(&m, &msg);
	if (rc == 0)
		rc = store_mail_add(kg->store, to, msg.p, m.date, &qid);
	buf_release(&msg);
	if (rc != 0)
		return rc;
	metrics_inc(METRIC_MAIL_QUEUED);
	mail_log_domain(to, domain, sizeof(domain));
	log_msg("info", "mail %lld to %s queued", (long long)qid, domain);
	mail_kick(kg);
	return 0;
}

void
mail_kick(struct keygate *kg)
{
	mailer_kick(kg->mailer);
}
