/* config_finish(): the settings checked together once every source is
 * read (core/config.c reads them), and what is derived from them. */
#include "core/config.h"

#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "base/limits.h"
#include "base/metrics.h"
#include "base/netaddr.h"
#include "core/mail_compose.h"
#include "core/mail_smtp.h"
#include "store/store.h"

/* --listen, and --metrics-listen unless it is "off". The two may not be
 * one address: the second listener could not bind it. */
static int
parse_listeners(struct config *cfg, char *err, size_t errlen)
{
	bool metrics_loopback;

	if (netaddr_listen("listen", cfg->listen, &cfg->listen_addr,
	    &cfg->listen_addr_len, &cfg->listen_loopback, err, errlen) != 0)
		return ERR_INVALID;
	cfg->metrics_on = strcmp(cfg->metrics_listen, "off") != 0;
	if (!cfg->metrics_on)
		return 0;
	if (netaddr_listen("metrics-listen", cfg->metrics_listen,
	    &cfg->metrics_addr, &cfg->metrics_addr_len, &metrics_loopback,
	    err, errlen) != 0)
		return ERR_INVALID;
	if (cfg->metrics_addr_len == cfg->listen_addr_len &&
	    memcmp(&cfg->metrics_addr, &cfg->listen_addr,
	    cfg->listen_addr_len) == 0) {
		snprintf(err, errlen, "--metrics-listen must differ from "
		    "--listen (%s): /metrics has a listener of its own",
		    cfg->listen);
		return ERR_INVALID;
	}
	return 0;
}

/* The mail settings (docs/OPERATIONS.md "Mail"), after the issuer, whose
 * host makes the default sender. */
static int
check_mail(const struct config *cfg, char *err, size_t errlen)
{
	char from[ACCOUNT_EMAIL_MAX_BYTES + 1];

	if (cfg->smtp_url != NULL &&
	    mail_smtp_url_check(cfg->smtp_url, err, errlen) != 0)
		return ERR_INVALID;
	if (mail_sender(cfg->mail_from, cfg->issuer, from,
	    sizeof(from)) != 0) {
		snprintf(err, errlen, "--mail-from wants an address such as "
		    "keygate@example.com");
		return ERR_INVALID;
	}
	if ((cfg->smtp_user != NULL || cfg->smtp_password != NULL) &&
	    cfg->smtp_url == NULL) {
		snprintf(err, errlen, "--smtp-user and its password need "
		    "--smtp-url");
		return ERR_INVALID;
	}
	if (cfg->smtp_password != NULL && cfg->smtp_user == NULL) {
		snprintf(err, errlen, "KEYGATE_SMTP_PASSWORD needs "
		    "--smtp-user");
		return ERR_INVALID;
	}
	return 0;
}

/* --metrics-apps: at most METRICS_MAX_APPS keys, none empty or too long
 * (a bound on /metrics, whatever the store holds). */
static int
check_metrics_apps(const struct config *cfg, char *err, size_t errlen)
{
	const char *p = cfg->metrics_apps;
	size_t n = 0, len;

	while (p != NULL) {
		len = strcspn(p, ",");
		if (len == 0 || len > APP_API_KEY_MAX_BYTES ||
		    ++n > METRICS_MAX_APPS) {
			snprintf(err, errlen, "--metrics-apps wants at most %d "
			    "API keys, comma-separated", METRICS_MAX_APPS);
			return ERR_INVALID;
		}
		p = p[len] == ',' ? p + len + 1 : NULL;
	}
	return 0;
}

int
config_finish(struct config *cfg, char *err, size_t errlen)
{
	if (parse_listeners(cfg, err, errlen) != 0 ||
	    netaddr_list("trusted-proxy", cfg->trusted_proxy, cfg->proxies,
	    CONFIG_MAX_PROXIES, &cfg->nproxies, err, errlen) != 0)
		return ERR_INVALID;
	if (cfg->test_clock && !cfg->listen_loopback) {
		snprintf(err, errlen, "--test-clock is refused unless --listen "
		    "is a loopback address");
		return ERR_INVALID;
	}
	if (strncmp(cfg->issuer, "https://", 8) == 0)
		cfg->secure_cookies = true;
	else if (strncmp(cfg->issuer, "http://", 7) != 0) {
		snprintf(err, errlen, "--issuer must be an http(s) URL");
		return ERR_INVALID;
	}
	{
		size_t n = strlen(cfg->issuer);

		if (n > 8 && cfg->issuer[n - 1] == '/')
			cfg->issuer[n - 1] = '\0';
	}
	/* the URL's own rules, before any connection (docs/REFERENCE.md
	 * §7.1): what `config check` can say too */
	if (store_url_check(cfg->db, err, errlen) != 0)
		return ERR_INVALID;
	if (check_mail(cfg, err, errlen) != 0 ||
	    check_metrics_apps(cfg, err, errlen) != 0)
		return ERR_INVALID;
	if (cfg->token_unused_ttl_s > cfg->token_max_ttl_s ||
	    cfg->token_idle_ttl_s > cfg->token_max_ttl_s) {
		snprintf(err, errlen, "--token-unused-ttl and --token-idle-ttl "
		    "must not exceed --token-max-ttl");
		return ERR_INVALID;
	}
	return 0;
}
