#ifndef KEYGATE_BASE_LIMITS_H
#define KEYGATE_BASE_LIMITS_H

/* Every limit on untrusted input, in one place. Checked before anything is
 * copied or allocated. */

/* HTTP framing */
#define HTTP_MAX_BODY_BYTES		(64 * 1024)
#define HTTP_MAX_URL_BYTES		(8 * 1024)
#define HTTP_MAX_HEADER_BYTES		(16 * 1024) /* all headers together */
#define HTTP_MAX_PARAMS			64		/* per query or form */
#define HTTP_MAX_PARAM_NAME_BYTES	64
#define HTTP_MAX_PARAM_VALUE_BYTES	(16 * 1024)
#define HTTP_MAX_COOKIE_BYTES		4096
#define HTTP_MAX_ROUTE_PARAMS		4
#define HTTP_MAX_CONNECTIONS		4096
/* defaults of --connection-timeout and --connections-per-address: a
 * quarter of all connections, so that one address flooding or trickling
 * bytes (slowloris) leaves the rest to everyone else */
#define HTTP_CONNECTION_TIMEOUT_S	30
#define HTTP_MAX_CONNECTIONS_PER_ADDRESS 1024
/* the /metrics listener (--metrics-listen): a scraper or two, never a
 * crowd; a silent connection is dropped sooner than on the public one */
#define METRICS_MAX_CONNECTIONS		16
#define METRICS_CONNECTION_TIMEOUT_S	10
/* a scrape's request is a line and a few headers; past this libmicrohttpd
 * refuses it itself */
#define METRICS_CONN_MEMORY_BYTES	(16 * 1024)
/* the slow lane (password checks, http/offload.c): at most this many
 * --hash-threads; the default of --hash-queue, the requests that may wait
 * for one (a few seconds' work for a few cores, and a fixed memory bill);
 * the Retry-After of the 503 that answers when the queue is full */
#define HTTP_MAX_HASH_THREADS		256
#define HTTP_HASH_QUEUE_DEFAULT		256
#define HTTP_HASH_BUSY_RETRY_S		1

/* accounts */
#define ACCOUNT_EMAIL_MAX_BYTES		254	/* RFC 5321 path limit */
#define ACCOUNT_EMAIL_LOCAL_MAX_BYTES	64
#define ACCOUNT_PASSWORD_MIN_CHARS	10
#define ACCOUNT_PASSWORD_MAX_BYTES	1024

/* applications (docs/REFERENCE.md §2) */
#define APP_NAME_MAX_CHARS		100
#define APP_PUBLIC_NAME_MAX_CHARS	100
#define APP_DESCRIPTION_MAX_CHARS	1000
#define APP_MAX_REDIRECT_URIS		10
#define APP_URI_MAX_BYTES		2000
#define APP_ID_TOKEN_ALG_MAX_BYTES	8	/* "RS256", "ES256", "EdDSA" */
#define APP_API_KEY_RANDOM_BYTES	24	/* 192 bits */
#define APP_API_KEY_MAX_BYTES		255	/* a document URL (§22.2) */
/* UTF-8 takes at most 4 bytes a character */
#define APP_NAME_MAX_BYTES		(4 * APP_NAME_MAX_CHARS)
#define APP_DESCRIPTION_MAX_BYTES	(4 * APP_DESCRIPTION_MAX_CHARS)
/* The JSON of one app with every field at its maximum (core/app_json.c):
 * names and the description at 4 bytes a character (the escapes of what
 * they may hold, \" \\ \n \r \t, are 2), URIs as they are (RFC 3986
 * characters need no escape), quotes and commas, and the member names,
 * booleans and the time in the first 512. */
#define APP_JSON_MAX_BYTES		(512 + APP_API_KEY_MAX_BYTES + \
	2 * APP_NAME_MAX_BYTES + APP_DESCRIPTION_MAX_BYTES + \
	(APP_MAX_REDIRECT_URIS + 1) * (APP_URI_MAX_BYTES + 3))

/* resources (docs/REFERENCE.md §22.1): the URI's bytes, the name's and a
 * scope description's characters, a scope name's bytes (RFC 6749 §3.3
 * characters only, so one byte each) */
#define RESOURCE_URI_MAX_BYTES		255
#define RESOURCE_NAME_MAX_CHARS		100
#define RESOURCE_NAME_MAX_BYTES		(4 * RESOURCE_NAME_MAX_CHARS)
#define RESOURCE_SCOPE_MAX_BYTES	64
#define RESOURCE_SCOPE_DESC_MAX_CHARS	200
#define RESOURCE_SCOPE_DESC_MAX_BYTES	(4 * RESOURCE_SCOPE_DESC_MAX_CHARS)

/* How many an account may own: apps by --max-apps (its default
 * and the most it takes), personal access tokens by a fixed number. */
#define APPS_PER_ACCOUNT_DEFAULT	100
#define APPS_PER_ACCOUNT_MAX		100000
/* openly registered clients in all (docs/REFERENCE.md §22.3): their one
 * owner's cap, bounding what anyone may store */
#define OPEN_REGISTRATION_MAX_APPS	100000
#define PATS_PER_ACCOUNT_MAX		100
/* Browser sessions an account keeps: a log-in past it ends the one seen
 * longest ago, so the owner's devices in use stay logged in. */
#define SESSIONS_PER_ACCOUNT_MAX	100

/* Lists of the JSON API and of the portal: a page holds `limit`
 * items, 1 to LIST_MAX_LIMIT; its cursor is base64url of 8 bytes. */
#define LIST_DEFAULT_LIMIT		50
#define LIST_MAX_LIMIT			100
#define LIST_CURSOR_BYTES		8

/* random credentials: 32 bytes = 256 bits, base64url without padding */
#define TOKEN_RANDOM_BYTES		32
#define TOKEN_MAX_BYTES			128 /* prefix + encoded randomness */

/* OpenID Connect (docs/REFERENCE.md §14): a `nonce` travels from the
 * authorization request into the id_token unchanged; longer ones are
 * refused at /oauth2/authorize. */
#define OIDC_NONCE_MAX_BYTES		255

/* log-in and sign-up throttles (per window). The per-account count spares
 * browsers holding the account's device cookie and HTTP Basic callers; the
 * per-(account, address) and per-address counts apply to everyone. */
#define THROTTLE_WINDOW_S		(15 * 60)
#define THROTTLE_FAILS_PER_ACCOUNT	5
#define THROTTLE_FAILS_PER_ACCOUNT_ADDRESS 5
#define THROTTLE_FAILS_PER_ADDRESS	20
/* an IPv6 client is counted by its network: one /64 per subscriber */
#define THROTTLE_IPV6_PREFIX_BITS	64
/* personal access tokens made, per account */
#define THROTTLE_PATS_PER_ACCOUNT	20
#define THROTTLE_PATS_WINDOW_S		3600
/* shared counters (PostgreSQL): ended windows are deleted this often, by
 * this many rows at a time, by whichever node writes a counter */
#define THROTTLE_EXPIRE_INTERVAL_S	60
#define THROTTLE_EXPIRE_BATCH		1000
/* device cookies (OWASP): a browser's proof it logged in to an account */
#define DEVICE_COOKIE_TTL_S		(365 * 24 * 3600)
#define DEVICE_NONCE_BYTES		16
#define THROTTLE_SIGNUP_WINDOW_S	3600
#define THROTTLE_MAX_KEYS		65536
/* failed client authentications at the OAuth endpoints */
#define THROTTLE_CLIENT_FAILS_PER_CLIENT	50
#define THROTTLE_CLIENT_FAILS_PER_ADDRESS	100
/* wrong user codes entered on /device (RFC 8628 §5.1), per account and per
 * address, in THROTTLE_WINDOW_S: 20^8 codes, so a person's typos pass and
 * a guesser's odds stay below 10^-7 a window */
#define THROTTLE_DEVICE_CODES_PER_ACCOUNT	10
#define THROTTLE_DEVICE_CODES_PER_ADDRESS	30
/* device grants started (POST /oauth2/device_authorization) per address
 * in THROTTLE_WINDOW_S: each is a row kept a day, and a public app's
 * client_id is no secret */
#define THROTTLE_DEVICE_STARTS_PER_ADDRESS	60
/* pushed authorization requests of public apps, per address in
 * THROTTLE_WINDOW_S: the same reasons; a confidential app pushes from its
 * own servers, for all its users, and is not counted */
#define THROTTLE_PAR_PUSHES_PER_ADDRESS		60

/* OAuth (docs/REFERENCE.md §3) */
#define OAUTH_CODE_TTL_S		600
#define OAUTH_STATE_MAX_BYTES		1024
/* Pushed authorization requests (RFC 9126; docs/REFERENCE.md §18): how
 * long a request_uri lives, and the pushed parameters
 * as stored (form-encoded; the authorization request's own limits, each
 * value encoded, fit under it) */
#define PAR_TTL_S			60
#define PAR_PARAMS_MAX_BYTES		16384
/* how long the client flow's fresh log-in stays good for the Grant Access
 * page shown after it */
#define OAUTH_LOGIN_PROOF_TTL_S		600

/* two-step log-in (TOTP, RFC 6238; core/otp.c, core/totp.c): a secret of
 * 20 random bytes (RFC 4226 §4's recommended 160 bits; 32 base32
 * characters), codes of 6 digits for steps of 30 s, one step of clock
 * drift either way; ten recovery codes of 16 base32 characters (80 bits),
 * shown in groups of four */
#define TOTP_SECRET_BYTES		20
#define TOTP_SECRET_B32_CHARS		32
#define TOTP_DIGITS			6
#define TOTP_STEP_S			30
#define TOTP_DRIFT_STEPS		1
#define TOTP_RECOVERY_CODES		10
#define TOTP_RECOVERY_CHARS		16
/* a code as typed: digits, a recovery code with its dashes, spaces */
#define TOTP_CODE_MAX_BYTES		64
/* the secret at rest, sealed under the server key "totp" (base64url of
 * nonce, 32 characters and tag: 96 bytes) */
#define TOTP_SEALED_MAX_BYTES		256
/* how long an enrolment's secret, carried sealed in its form, stays good,
 * and the half-done log-in between a right password and its code */
#define TOTP_ENROL_TTL_S		1800
#define TOTP_PENDING_TTL_S		300

/* how long a new app secret can be shown (once) after it is generated */
#define REVEAL_TTL_S			600

/* browser sessions (docs/REFERENCE.md §7.5) */
#define SESSION_IDLE_TTL_S		(12 * 3600)
#define SESSION_MAX_TTL_S		(7 * 24 * 3600)
#define SESSION_TOUCH_INTERVAL_S	60
/* what a session keeps of where it began, for the account page: an IPv6
 * address's text is at most 45 bytes; a User-Agent is cut to this */
#define SESSION_ADDRESS_MAX_BYTES	64
#define SESSION_USER_AGENT_MAX_BYTES	256

/* one-time links mailed to an account (core/links.c): verifying an
 * address (at sign-up, or a new address on the account page) and setting
 * a new password */
#define LINK_VERIFY_TTL_S		(24 * 3600)
#define LINK_RESET_TTL_S		3600
/* links sent again, per account; new addresses asked for, per account;
 * password reset requests per client address and per email address */
#define THROTTLE_LINKS_PER_ACCOUNT	3
#define THROTTLE_EMAIL_CHANGES_PER_ACCOUNT 3
#define THROTTLE_RESETS_PER_ADDRESS	10
#define THROTTLE_RESETS_PER_EMAIL	3
#define THROTTLE_LINKS_WINDOW_S		3600
/* password reset requests waiting for the worker that looks their address
 * up (core/resets.c); past them a request is dropped, with a log line */
#define RESETS_QUEUE_MAX		256
/* notices of a refresh-token reuse (core/notices.c): at most one mail per
 * app in this many seconds, on all nodes together; reuses waiting for the
 * worker that mails them, past which one is dropped with a log line */
#define NOTICE_REUSE_GAP_S		3600
#define NOTICES_QUEUE_MAX		256
/* failed log-ins waiting for the worker that records them (core/events.c),
 * past which one is dropped with a log line (a flood passes the cap of
 * core/events.h anyway) */
#define EVENTS_QUEUE_MAX		1024

/* how often a personal access token's last_used_at is rewritten */
#define PAT_TOUCH_INTERVAL_S		60

/* mail (core/mail.c, core/mailer.c; docs/OPERATIONS.md "Mail"): what one
 * mail may hold; a whole message (headers, a subject of encoded words, a
 * body in quoted-printable at three bytes a byte and its soft breaks) */
#define MAIL_SUBJECT_MAX_BYTES		256
#define MAIL_BODY_MAX_BYTES		(64 * 1024)
#define MAIL_MESSAGE_MAX_BYTES		(4 * MAIL_BODY_MAX_BYTES + 8192)
/* RFC 5322 §2.1.1: a line holds at most 998 octets before its CRLF; a
 * body with a longer one goes in quoted-printable (RFC 2045 §6.7, lines
 * of at most 76) */
#define MAIL_LINE_MAX_BYTES		998
#define MAIL_QP_LINE_MAX_BYTES		76
/* deliveries of one mail before it is given up (the waits between them
 * are core/mailer.c's table: 1, 2, 5, 10 and 15 minutes) */
#define MAIL_ATTEMPTS_MAX		6
/* the sender looks for due mail this often when nothing wakes it */
#define MAIL_POLL_MS			2000
/* a claimed mail is no other node's for this long: more than a
 * delivery's time-out, so that only a node that died mid-send loses it,
 * to another node, once the lease has run out */
#define MAIL_LEASE_S			300
#define MAIL_CONNECT_TIMEOUT_S		10
#define MAIL_SEND_TIMEOUT_S		60
/* the reason of the last failed delivery, kept with the mail */
#define MAIL_ERROR_MAX_BYTES		200

/* logging: client-provided strings are cut to this many bytes */
#define LOG_MAX_FIELD_BYTES		64

#endif
