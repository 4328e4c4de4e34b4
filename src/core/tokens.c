/* Issuing tokens (the code exchange, the refresh grant) and revoking
 * them; an access token in use is token_use.c's. */
#include "core/resources.h"
#include "core/tokens.h"

#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/err.h"
#include "base/mem.h"
#include "base/metrics.h"
#include "core/events.h"
#include "core/notices.h"
#include "core/pkce.h"
#include "core/scopes.h"
#include "core/token_cache.h"
#include "core/usage.h"
#include "core/uses.h"

bool
tokens_key_of(struct str token, const char *prefix,
    unsigned char hash[SECURE_HASH_BYTES])
{
	if (token.len > TOKEN_MAX_BYTES || !str_starts_with(token, prefix))
		return false;
	secure_token_key(token, strlen(prefix), hash);
	return true;
}

static void
mint_pair(struct issue *is, struct token_pair *out)
{
	secure_token_sorted(TOKENS_ACCESS_PREFIX, out->access,
	    is->access_hash);
	secure_token_sorted(TOKENS_REFRESH_PREFIX, out->refresh,
	    is->refresh_hash);
	is->with_refresh = true;
}

/* What the client is told besides the tokens, once they are stored. */
static int
answered(struct keygate *kg, const struct issue *is, struct token_pair *out,
    int rc)
{
	if (rc != 0) {
		sodium_memzero(out, sizeof(*out));
		return rc;
	}
	out->scope = is->scope;
	out->expires_in = kg->cfg->token_unused_ttl_s;
	out->bound = is->access_bound;
	return 0;
}

/* Mints the pair and writes it in one transaction. */
static int
issue_pair(struct keygate *kg, struct issue *is, struct token_pair *out)
{
	mint_pair(is, out);
	return answered(kg, is, out, store_issue(kg->store, is));
}

static int
bad_grant(const char **why, const char *text)
{
	*why = text;
	return ERR_INVALID;
}

/* Checks a code of this client before it is exchanged. */
static int
code_usable(struct keygate *kg, const struct code_row *c,
    struct str redirect_uri, struct str verifier,
    const struct token_proof *proof, const char **why)
{
	const char *unbound;

	if (clock_now(kg->clock) >= c->expires_at)
		return bad_grant(why, "The code has expired.");
	if (!str_eq(redirect_uri, str_from(c->redirect_uri)))
		return bad_grant(why, "redirect_uri differs from the one used "
		    "to get the code.");
	if (c->challenge[0] == '\0' && verifier.p != NULL)
		/* RFC 9700 §4.8.2: PKCE downgrade */
		return bad_grant(why, "A code_verifier was sent for a code "
		    "issued without code_challenge.");
	if (c->challenge[0] != '\0' &&
	    !pkce_verify(verifier, str_from(c->challenge)))
		return bad_grant(why, "The code_verifier does not match the "
		    "code_challenge.");
	if ((unbound = token_bind_code(c, proof)) != NULL)
		return bad_grant(why, unbound);
	return 0;
}

/* Any exchange attempt by the code's own client uses the code up (RFC 6749
 * §4.1.2); one that finds it used is a replay and ends the family its
 * first use started. Passes `rc`, the attempt's answer, through. */
static int
use_up(struct keygate *kg, const struct app_row *app, const char *addr,
    const unsigned char *hash, int rc)
{
	struct event_new ev;
	struct code_row c;
	int taken = store_code_take(kg->store, hash, app->id, &c);

	if (taken == ERR_CONFLICT && c.family_id != 0) {
		metrics_inc(METRIC_CODE_REPLAY);
		/* the user's, whose grant it was; its app's owner sees it
		 * too */
		event_make(&ev, kg, EVENT_CODE_REPLAY, c.account_id, addr);
		event_app(&ev, app->id, app->api_key);
		taken = store_family_revoke(kg->store, c.family_id, &ev);
	}
	return taken == 0 || taken == ERR_CONFLICT || taken == ERR_NOTFOUND ?
	    rc : taken;
}

/* The pair for code `hash` (read into c) in a family of its own, the
 * code used up by the same transaction (its compare-and-set: ERR_CONFLICT
 * when another exchange took it first). */
static int
issue_for_code(struct keygate *kg, const struct app_row *app,
    const unsigned char *hash, const struct code_row *c, unsigned scope,
    const struct token_proof *proof, struct token_pair *out)
{
	struct issue is;
	int rc;

	memset(&is, 0, sizeof(is));
	is.grant_id = c->grant_id;
	is.app_id = app->id;
	/* RFC 8707 §2.2: the refresh token may still ask for every
	 * resource the code held */
	is.family_scope = c->scope;
	is.scope = scope;
	is.now = clock_now(kg->clock);
	is.code_hash = hash;
	is.auth_time = c->auth_time;
	is.amr = c->amr;
	token_bind_new(&is, app, proof);
	rc = issue_pair(kg, &is, out);
	if (rc == 0) {
		metrics_inc(METRIC_TOKENS_ISSUED);
		usage_count(kg, app->id, USAGE_ISSUED, is.now);
		out->account_id = c->account_id;
		out->auth_time = c->auth_time;
		out->amr = c->amr;
		memcpy(out->nonce, c->nonce, sizeof(out->nonce));
	}
	return rc;
}

int
tokens_exchange_hash(struct keygate *kg, const struct app_row *app,
    const unsigned char hash[SECURE_HASH_BYTES], struct str resource,
    const struct token_proof *proof, struct token_pair *out,
    const char **why)
{
	struct code_row c;
	const char *unbound;
	unsigned scope;
	int rc = store_code_get(kg->store, hash, &c);

	if (rc == ERR_NOTFOUND || (rc == 0 && c.app_id != app->id))
		return bad_grant(why, "The grant is not valid.");
	if (rc != 0)
		return rc;
	if (clock_now(kg->clock) >= c.expires_at)
		return bad_grant(why, "The grant has expired.");
	/* A second exchange is a lost race or a retry of the same client,
	 * not a stolen code: the tokens the first one got stay good. */
	if (c.used)
		return bad_grant(why, "The grant was already exchanged.");
	/* a device grant's code is never bound; were one, it would hold */
	if ((unbound = token_bind_code(&c, proof)) != NULL)
		return bad_grant(why, unbound);
	scope = c.scope;
	if ((rc = resources_narrow(resource, &scope, why)) != 0)
		return rc;
	rc = issue_for_code(kg, app, hash, &c, scope, proof, out);
	return rc == ERR_CONFLICT ? bad_grant(why, "The grant was already "
	    "exchanged.") : rc;
}

int
tokens_exchange_code(struct keygate *kg, const struct app_row *app,
    const char *addr, struct str code, struct str redirect_uri,
    struct str verifier, struct str resource,
    const struct token_proof *proof, struct token_pair *out,
    const char **why)
{
	unsigned char hash[SECURE_HASH_BYTES];
	struct code_row c;
	unsigned scope;
	int rc;

	if (!tokens_key_of(code, TOKENS_CODE_PREFIX, hash))
		return bad_grant(why, "The code is not valid.");
	rc = store_code_get(kg->store, hash, &c);
	/* Another client's code is answered like an unknown one and left as
	 * it is: whoever holds a code must not be able to spend or replay it
	 * for its client (RFC 6749 §4.1.3), nor learn that it exists. */
	if (rc == ERR_NOTFOUND || (rc == 0 && c.app_id != app->id))
		return bad_grant(why, "The code is not valid.");
	if (rc != 0)
		return rc;
	if (c.used)
		return use_up(kg, app, addr, hash, bad_grant(why, "The code "
		    "was already used."));
	scope = c.scope;
	if ((rc = code_usable(kg, &c, redirect_uri, verifier, proof,
	    why)) != 0 || (rc = resources_narrow(resource, &scope, why)) != 0)
		return use_up(kg, app, addr, hash, rc);
	rc = issue_for_code(kg, app, hash, &c, scope, proof, out);
	if (rc == ERR_CONFLICT)
		return use_up(kg, app, addr, hash, bad_grant(why, "The code "
		    "was already used."));
	return rc;
}

/* A refresh token presented again: within the retry window, while what it
 * produced is unused, that is replaced; otherwise the family ends. */
static int
reused(struct keygate *kg, const struct token_row *r, const char *api_key,
    const char *addr, struct issue *is, struct token_pair *out,
    const char **why)
{
	int64_t window = kg->cfg->refresh_retry_window_s;
	struct event_new ev;
	int rc;

	if (window > 0 && is->now - r->last_used <= window) {
		is->retry = true;
		/* "Unused" must count the uses this node has queued; another
		 * node's are logged within KEEPER_PERIOD_MS, and this fold
		 * takes them too. */
		if ((rc = uses_settle(kg->uses, kg->store)) != 0)
			return rc;
		rc = issue_pair(kg, is, out);
		if (rc == 0) {
			metrics_inc(METRIC_TOKENS_REFRESHED);
			usage_count(kg, r->app_id, USAGE_REFRESHED, is->now);
		}
		if (rc != ERR_CONFLICT)
			return rc;
	}
	metrics_inc(METRIC_REFRESH_REUSE);
	/* the user's, whose grant it was; its app's owner sees it too */
	event_make(&ev, kg, EVENT_REFRESH_REUSE, r->account_id, addr);
	event_app(&ev, r->app_id, api_key);
	if (store_family_revoke(kg->store, r->family_id, &ev) != 0)
		return ERR_STORE;
	/* handed to a worker: the answer waits for no mail */
	notices_refresh_reuse(kg, r->app_id, api_key);
	return bad_grant(why, "The refresh token was already used; its "
	    "tokens are revoked.");
}

/* A refresh request, as judge_refresh() needs it. */
struct refresh_ask {
	int64_t		 app_id;
	int64_t		 idle_ttl_s;
	struct str	 scope;
	struct str	 resource;
	const char	*why;
	bool		 used;		/* presented before: reused() decides */
	bool		 public_client;
	const struct token_proof *proof;
	/* the app, for the notice of a reuse (notices.h) */
	char		 api_key[APP_API_KEY_MAX_BYTES + 1];
	/* the client's address, for the event of a reuse (events.h) */
	char		 addr[SESSION_ADDRESS_MAX_BYTES + 1];
};

/* The parent's row against the request (store_refresh_judge): it runs in
 * the store's transaction, so it only reads `ask` and fills `is`. */
static int
judge_refresh(void *ctx, const struct token_row *r, struct issue *is)
{
	struct refresh_ask *ask = ctx;
	unsigned want;
	int bad = 0;

	if (r->app_id != ask->app_id || r->revoked) {
		ask->why = "The refresh token is not valid.";
		return ERR_INVALID;
	}
	/* before the reuse check: a bound token without its key is no
	 * presentation, and revokes nothing */
	if ((ask->why = token_bind_rotation(is, ask->public_client, r,
	    ask->proof)) != NULL)
		return ERR_INVALID;
	if (ask->idle_ttl_s > 0 && r->last_used == 0 &&
	    is->now >= r->iat + ask->idle_ttl_s) {
		ask->why = "The refresh token expired unused.";
		return ERR_INVALID;
	}
	/* RFC 6749 §6: an omitted scope means the one originally granted.
	 * Fewer scopes keep the resources; RFC 8707 §2.2: `resource`
	 * narrows those, never widens them. */
	want = r->family_scope;
	if (ask->scope.p != NULL && (scopes_parse(ask->scope, &want) != 0 ||
	    want == 0 || (want & ~r->family_scope) != 0))
		bad = ERR_FORBIDDEN;
	if (bad == 0) {
		want |= resources_kept(r->family_scope);
		if (resources_narrow(ask->resource, &want, &ask->why) != 0)
			bad = ERR_TARGET;
	}
	ask->used = r->last_used != 0;
	/* a used token presented again is a reuse, whatever it asks for */
	if (bad != 0 && !ask->used)
		return bad;
	is->grant_id = r->grant_id;
	is->family_id = r->family_id;
	is->family_scope = r->family_scope;
	is->scope = bad != 0 ? r->family_scope : want;
	return ask->used ? ERR_CONFLICT : 0;
}

/* A rotation under way: everything the store's thread may still touch. */
struct tokens_refresh {
	struct keygate		*kg;
	struct refresh_ask	 ask;
	struct token_row	 parent;
	struct issue		 is;
	unsigned char		 hash[SECURE_HASH_BYTES];
	struct token_pair	 pair;
	int			 rc;
	void			(*done)(void *);
	void			*arg;
};

static void
refresh_stored(void *arg, int rc)
{
	struct tokens_refresh *op = arg;

	op->rc = rc;
	op->done(op->arg);
}

void
tokens_refresh_begin(struct keygate *kg, const struct app_row *app,
    const char *addr, struct str refresh, struct str scope,
    struct str resource, const struct token_proof *proof,
    struct tokens_refresh **out,
    void (*done)(void *), void *arg)
{
	struct tokens_refresh *op = xcalloc(1, sizeof(*op));

	*out = op;
	op->kg = kg;
	op->ask = (struct refresh_ask){ .app_id = app->id,
	    .idle_ttl_s = kg->cfg->refresh_idle_ttl_s, .scope = scope,
	    .resource = resource,
	    .public_client = !app->has_secret, .proof = proof };
	snprintf(op->ask.api_key, sizeof(op->ask.api_key), "%s",
	    app->api_key);
	if (addr != NULL && strlen(addr) < sizeof(op->ask.addr))
		memcpy(op->ask.addr, addr, strlen(addr) + 1);
	op->done = done;
	op->arg = arg;
	if (!tokens_key_of(refresh, TOKENS_REFRESH_PREFIX, op->hash)) {
		refresh_stored(op, ERR_NOTFOUND);
		return;
	}
	op->is.now = clock_now(kg->clock);
	op->is.parent_hash = op->hash;
	mint_pair(&op->is, &op->pair);
	store_refresh(kg->store, &op->is, judge_refresh, &op->ask,
	    &op->parent, refresh_stored, op);
}

static int
refresh_verdict(struct tokens_refresh *op, const char **why)
{
	int rc = answered(op->kg, &op->is, &op->pair, op->rc);

	if (rc == ERR_NOTFOUND)
		return bad_grant(why, "The refresh token is not valid.");
	if (rc == ERR_INVALID && op->ask.why != NULL)
		return bad_grant(why, op->ask.why);
	if (rc == ERR_TARGET)
		*why = op->ask.why;
	if (rc == ERR_CONFLICT && op->ask.used)
		return reused(op->kg, &op->parent, op->ask.api_key,
		    op->ask.addr, &op->is, &op->pair, why);
	if (rc == ERR_CONFLICT)	/* a concurrent refresh won the race */
		return bad_grant(why, "The refresh token was already used.");
	if (rc == 0) {
		metrics_inc(METRIC_TOKENS_REFRESHED);
		usage_count(op->kg, op->ask.app_id, USAGE_REFRESHED,
		    op->is.now);
	}
	return rc;
}

int
tokens_refresh_end(struct tokens_refresh *op, struct token_pair *out,
    const char **why)
{
	int rc = refresh_verdict(op, why);

	/* the family's log-in, as its code gave it; no nonce (§14) */
	if (rc == 0) {
		*out = op->pair;
		out->account_id = op->parent.account_id;
		out->auth_time = op->parent.auth_time;
		out->amr = op->parent.amr;
		out->nonce[0] = '\0';
	}
	sodium_memzero(op, sizeof(*op));
	free(op);
	return rc;
}

static int
revoked(int rc)
{
	if (rc == 0)
		metrics_inc(METRIC_TOKENS_REVOKED);
	return rc;
}

int
tokens_revoke(struct keygate *kg, const struct app_row *app,
    struct str token, struct str hint)
{
	unsigned char hash[SECURE_HASH_BYTES];
	struct token_row row;
	int rc;

	/* The prefix says which kind it is; the hint (RFC 7009 §2.1) is
	 * only an optimization and may be wrong. */
	(void)hint;
	if (tokens_key_of(token, TOKENS_REFRESH_PREFIX, hash)) {
		rc = store_refresh_get(kg->store, hash, &row);
		if (rc == 0 && row.app_id == app->id)
			return revoked(store_family_revoke(kg->store,
			    row.family_id, NULL));
	} else if (tokens_key_of(token, TOKENS_ACCESS_PREFIX, hash)) {
		rc = store_access_get(kg->store, hash, &row);
		if (rc == 0 && row.app_id == app->id)
			return revoked(store_access_revoke(kg->store, hash));
	} else {
		return 0;
	}
	/* RFC 7009 §2.2: unknown and foreign tokens get 200 all the same. */
	return rc == ERR_NOTFOUND || rc == 0 ? 0 : rc;
}

int
tokens_revoke_any(struct keygate *kg, struct str token, const char **kind)
{
	unsigned char hash[SECURE_HASH_BYTES];
	struct token_row row;
	int rc;

	if (tokens_key_of(token, TOKENS_REFRESH_PREFIX, hash)) {
		*kind = "refresh token";
		rc = store_refresh_get(kg->store, hash, &row);
		if (rc == 0)
			rc = revoked(store_family_revoke(kg->store,
			    row.family_id, NULL));
	} else if (tokens_key_of(token, TOKENS_ACCESS_PREFIX, hash)) {
		*kind = "access token";
		rc = store_access_get(kg->store, hash, &row);
		if (rc == 0)
			rc = revoked(store_access_revoke(kg->store, hash));
	} else {
		*kind = "token";
		rc = ERR_NOTFOUND;
	}
	return rc;
}
