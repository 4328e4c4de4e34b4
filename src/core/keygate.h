#ifndef KEYGATE_CORE_KEYGATE_H
#define KEYGATE_CORE_KEYGATE_H

#include "core/config.h"
#include "base/secure.h"

/* What every core function needs, built once by `keygate serve` (or a CLI
 * command) and passed down; nothing here is global. */
struct keygate {
	const struct config	*cfg;
	struct store		*store;
	struct clock		*clock;
	struct throttle		*throttle;
	/* serve only (NULL for CLI commands): token_cache.h, uses.h, and
	 * memos (memo.h) of what client authentication reads of apps and a
	 * bearer call of accounts */
	struct token_cache	*cache;
	struct uses		*uses;
	/* serve with --usage-counting (usage.h); NULL: nothing counted */
	struct usage		*usage;
	struct memo		*clients;
	struct memo		*accounts;
	/* serve only: the mail sender thread (mailer.h), woken by
	 * mail_queue(); without it queued mail waits for `serve` */
	struct mailer		*mailer;
	/* serve only: the worker behind "forgot password" (resets.h);
	 * without it the request does the work itself */
	struct resets		*resets;
	/* serve only: the worker that mails notices of refresh-token
	 * reuse (notices.h); without it the caller does the work */
	struct notices		*notices;
	/* serve only: the worker that records failed log-ins (events.h);
	 * without it the caller does the work */
	struct events_worker	*events;
	/* the OpenID Provider's signing keys (signing_keys.h), opened by
	 * the commands that sign or publish them; NULL elsewhere */
	struct signing_keys	*keys;
	/* serve only: the DPoP proofs seen lately (dpop.h); NULL elsewhere */
	struct dpop_replay	*dpop;
	/* serve only, unless --no-cimd: the client metadata documents
	 * fetched (cimd.h); NULL: an https client_id is unknown */
	struct cimd		*cimd;
	unsigned char		 csrf_key[SECURE_KEY_BYTES];
	unsigned char		 reveal_key[SECURE_KEY_BYTES];	/* sealed.h */
	/* two-step log-in's secrets at rest and its half-done log-ins
	 * (totp.h, totp_pending.h) */
	unsigned char		 totp_key[SECURE_KEY_BYTES];
};

#endif
