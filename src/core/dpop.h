#ifndef KEYGATE_CORE_DPOP_H
#define KEYGATE_CORE_DPOP_H

/* DPoP proofs (RFC 9449; docs/REFERENCE.md §17): a client proves at each
 * request that it holds the private key its tokens are bound to. A proof
 * is a compact JWS of `typ` "dpop+jwt", alg ES256, EdDSA or RS256, the
 * public key in the header's `jwk` (no private member), and the claims
 * `htm`, `htu`, `iat` (within DPOP_IAT_WINDOW_S of now), `jti` (never
 * seen before within that window) and, where an access token goes with
 * it, `ath`; `nonce` when the server demands one. The thumbprint of the
 * key (RFC 7638, SHA-256) is what tokens are bound to. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/secure.h"
#include "base/str.h"

struct keygate;

#define DPOP_JKT_BYTES		SECURE_HASH_BYTES
/* base64url without padding of DPOP_JKT_BYTES */
#define DPOP_JKT_B64_BYTES	43
/* the longest DPoP header value taken (an RS256 proof of a 4096-bit key
 * is about 1.6 KB) */
#define DPOP_PROOF_MAX_BYTES	8192
#define DPOP_IAT_WINDOW_S	60
/* a server nonce as sent in DPoP-Nonce */
#define DPOP_NONCE_MAX_BYTES	64

/* Where a proof is presented: at the token endpoint (and /oauth2/par),
 * where a replay could cross nodes and is therefore checked in the store
 * when the store is shared; or with an access token at a resource
 * (/oauth2/check, /oauth2/userinfo, /v3), checked in this node's memory. */
enum dpop_where { DPOP_AT_TOKEN, DPOP_AT_RESOURCE };

/* A proof's entry in the replay memory, when the caller remembers it
 * itself (dpop_want.defer). */
struct dpop_seen {
	unsigned char	 h[SECURE_HASH_BYTES];
	int64_t		 expires;
	enum dpop_where	 where;
};

/* What the proof must say. */
struct dpop_want {
	const char	*htm;		/* the request's method */
	/* the request's URI as the client addressed it: the issuer's
	 * scheme, host and port, and the path, without query or fragment
	 * (RFC 9449 §4.3, compared after normalization of case and
	 * default ports) */
	struct str	 htu;
	/* at a resource: the access token presented, whose base64url
	 * SHA-256 the proof's `ath` must be; STR_NULL at the token
	 * endpoint */
	struct str	 access_token;
	enum dpop_where	 where;
	/* non-NULL leaves the proof unremembered, its entry here for
	 * dpop_remember() once the caller has found the rest good (at a
	 * resource: the token, so that proofs sent with tokens that are
	 * not fill no memory) */
	struct dpop_seen *defer;
};

/* dpop_check()'s outcomes besides 0 */
enum dpop_error {
	DPOP_INVALID = 1,	/* invalid_dpop_proof: *why says what */
	DPOP_NONCE,		/* use_dpop_nonce: send dpop_nonce() */
	DPOP_STORE,		/* the shared replay check failed: 503 */
};

/* Checks `proof`, the value of the request's one DPoP header, against
 * `want` at `now`: on 0, `jkt` is the thumbprint of its key and its jti
 * is remembered (a second use of it is DPOP_INVALID), or, with
 * want->defer, left for dpop_remember(). On DPOP_INVALID
 * *why is a sentence for error_description. */
int	dpop_check(struct keygate *kg, struct str proof,
	    const struct dpop_want *want, int64_t now,
	    unsigned char jkt[DPOP_JKT_BYTES], const char **why);

/* Remembers a proof dpop_check() deferred, as it would have: 0, or
 * DPOP_INVALID (a replay), DPOP_NONCE (the memory is full) with *why, or
 * DPOP_STORE. */
int	dpop_remember(struct keygate *kg, const struct dpop_seen *seen,
	    int64_t now, const char **why);

/* The nonce to send in a DPoP-Nonce header at `now` (NUL-terminated);
 * every node of one store makes and accepts the same ones. */
void	dpop_nonce(struct keygate *kg, int64_t now,
	    char out[DPOP_NONCE_MAX_BYTES + 1]);

/* jkt as base64url (cnf.jkt in introspection), NUL-terminated. */
void	dpop_jkt_b64(const unsigned char jkt[DPOP_JKT_BYTES],
	    char out[DPOP_JKT_B64_BYTES + 1]);

/* The reverse, for an authorization request's dpop_jkt (RFC 9449 §10):
 * false unless `b64` is what dpop_jkt_b64() writes for some thumbprint. */
bool	dpop_jkt_parse(struct str b64, unsigned char jkt[DPOP_JKT_BYTES]);

/* `serve`'s replay memory (kg->dpop), at most `capacity` proofs; NULL
 * (CLI commands) remembers nothing. */
struct dpop_replay *dpop_replay_new(size_t capacity);
void	dpop_replay_free(struct dpop_replay *r);

#endif
