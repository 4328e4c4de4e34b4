#ifndef KEYGATE_CORE_CONFIG_H
#define KEYGATE_CORE_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "core/config_file.h"

/* Every setting of `keygate serve`. Each comes from a flag, else from its
 * KEYGATE_* environment variable, else from the configuration file named
 * by --config (or KEYGATE_CONFIG), else from the default (docs/REFERENCE.md
 * §10; docs/OPERATIONS.md). */
#define CONFIG_MAX_PROXIES	16

struct config {
	char		*listen;	/* host:port */
	char		*metrics_listen; /* host:port of /metrics, or "off" */
	char		*db;
	char		*trusted_proxy;	/* "" or comma-separated addresses */
	char		*issuer;
	char		*brand;
	bool		 no_signup;
	/* creating apps, secrets and grants needs a verified email */
	bool		 require_verified_email;
	int64_t		 signup_rate;	/* per address per hour; 0 = no limit */
	int64_t		 max_apps;	/* apps one account may own */
	/* RFC 7591 without a token: public clients (core/registration.h) */
	bool		 open_registration;
	/* DPoP proofs must always carry a server nonce (dpop.h) */
	bool		 dpop_nonce;
	bool		 test_clock;
	int64_t		 token_unused_ttl_s;
	int64_t		 token_idle_ttl_s;
	int64_t		 token_max_ttl_s;
	int64_t		 refresh_retry_window_s;
	int64_t		 use_coalesce_s;
	int64_t		 token_cache;
	int64_t		 refresh_idle_ttl_s;
	int64_t		 event_retention_days;	/* keygate gc (events.h) */
	int64_t		 threads;	/* 0 = one per core */
	int64_t		 connection_timeout_s;	/* idle connections close */
	int64_t		 connections_per_address; /* 0 = no limit */
	int64_t		 hash_threads;	/* slow lane; 0 = one per core */
	int64_t		 hash_queue;	/* requests waiting for the slow lane */
	bool		 access_log;
	bool		 usage_counting;	/* docs/REFERENCE.md §21 */
	int64_t		 usage_retention_days;	/* keygate gc (§21) */
	char		*metrics_apps;	/* API keys, a comma between; NULL */
	char		*config_file;	/* NULL: none */
	/* mail (core/mailer.h); NULL when unset */
	char		*smtp_url;	/* NULL: into mail_dir */
	char		*smtp_user;
	char		*smtp_password;	/* variable or file only */
	char		*mail_from;	/* NULL: keygate@<issuer host> */
	char		*mail_dir;	/* NULL: mail_maildir_default() */
	/* the OpenID Provider's signing keys (core/signing_keys.h) */
	char		*key_file;	/* NULL: key_file_default() */
	int64_t		 key_publish_delay_s;
	int64_t		 key_retire_delay_s;
	/* client metadata documents (core/cimd.h): off, and the fetch's
	 * allowed hosts ("" or NULL: none) and extra CA file (NULL: none) */
	bool		 no_cimd;
	char		*cimd_allow_hosts;
	char		*cimd_ca_file;

	/* derived by config_finish() */
	/* --trusted-proxy, parsed: IPv4 as IPv4-mapped IPv6 */
	size_t		 nproxies;
	struct in6_addr	 proxies[CONFIG_MAX_PROXIES];
	struct sockaddr_storage listen_addr;
	socklen_t	 listen_addr_len;
	bool		 listen_loopback;
	bool		 metrics_on;	/* metrics_listen is not "off" */
	struct sockaddr_storage metrics_addr;
	socklen_t	 metrics_addr_len;
	/* the issuer is https: cookies Secure and __Host- (http/cookie.h),
	 * Strict-Transport-Security on every answer (http/server.c) */
	bool		 secure_cookies;
};

/* Fills defaults. */
void	config_init(struct config *cfg);
void	config_release(struct config *cfg);

/* Flag sets for commands that take only some settings (NULL-terminated
 * lists of flag names): the store; the store and the brand rule. */
extern const char *const CONFIG_ONLY_DB[];
extern const char *const CONFIG_DB_AND_BRAND[];
/* `keygate app`: the store, the brand rule, --max-apps, and the issuer
 * and sender of the notice `app secret` queues */
extern const char *const CONFIG_APP_CLI[];
/* `keygate account`: the store, and what its notices are made of */
extern const char *const CONFIG_ACCOUNT_CLI[];
/* `keygate keys`: the store, the key file and the keys' delays */
extern const char *const CONFIG_KEYS_CLI[];
/* `keygate resource`: the store, and what names the built-in API */
extern const char *const CONFIG_RESOURCE_CLI[];

/* Applies KEYGATE_* variables, then flags from argv[0..argc). Unknown flags,
 * bad numbers and bad addresses are errors: a message goes into err (size
 * errlen) and ERR_INVALID is returned. `only`, unless NULL, limits the
 * accepted flags (and variables) to those it names. */
int	config_parse(struct config *cfg, int argc, char **argv,
	    const char *const *only, char *err, size_t errlen);

/* Sets the setting whose flag is `name` (without dashes) from text, as
 * a flag would. `from` names the source in the message. Returns 0,
 * ERR_NOTFOUND for a name that is no setting, ERR_INVALID for a bad value
 * (a message in err). A setting outside `only` (unless NULL) is ignored
 * and answers 0: one file may serve every command. */
/* The configuration file (config_file.h) read into cfg, settings outside
 * `only` (unless NULL) ignored. Every problem is reported, not just the
 * first; returns how many there were (0: cfg holds the file's settings). */
int	config_file_read(struct config *cfg, const char *path,
	    const char *const *only, config_report_fn report, void *ctx);

/* config_file_read() with the first problem in err: 0 or ERR_INVALID. */
int	config_file_load(struct config *cfg, const char *path,
	    const char *const *only, char *err, size_t errlen);

int	config_set(struct config *cfg, const char *name, const char *value,
	    const char *from, const char *const *only, char *err,
	    size_t errlen);

/* Validates cross-field rules and derives the fields below the marker. */
int	config_finish(struct config *cfg, char *err, size_t errlen);

/* Prints the flags with their variables and defaults. */
void	config_usage(FILE *out, const char *const *only);

#endif
