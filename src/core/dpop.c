#include "core/dpop.h"

#include <jansson.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/mem.h"
#include "core/config.h"
#include "core/dpop_jwk.h"
#include "core/jose.h"
#include "core/keygate.h"
#include "core/uri.h"
#include "store/store.h"

#define JTI_MAX_BYTES	128
/* the replay memory: shards, each under its own lock, so that the poll
 * threads seldom meet; a proof's slot is sought among PROBE neighbours */
#define SHARDS		64
#define PROBE		32
#define NONCE_STEP_S	60

struct slot {
	uint64_t	a;
	uint32_t	b;
	uint32_t	expires;	/* 0: empty; else Unix seconds */
};

struct shard {
	pthread_mutex_t	 mu;
	struct slot	*slots;
	size_t		 mask;
	char		 pad[64 - sizeof(pthread_mutex_t) % 64];
};

/* The keys of proofs seen lately, by thumbprint (the SHA-256 of every
 * public member, so one thumbprint is one key): making an OpenSSL key of
 * a JWK (an EC point checked on the curve, RSA's Montgomery set-up) costs
 * as much again as verifying with it, and a client signs all its proofs
 * with one key. Direct-mapped; a key is shared by reference count. */
#define KEYS_PER_SHARD	64

struct key_slot {
	unsigned char	 jkt[DPOP_JKT_BYTES];
	enum jws_alg	 alg;
	EVP_PKEY	*k;
};

struct key_shard {
	pthread_mutex_t	 mu;
	struct key_slot	 slot[KEYS_PER_SHARD];
};

struct dpop_replay {
	struct shard	 shard[SHARDS];
	struct key_shard keys[SHARDS];
	/* until then the memory was lately full: nonces are demanded */
	_Atomic int64_t	 pressure_until;
	/* where a proof lands is a keyed hash (SipHash) of it: the jti is
	 * the client's to choose, and unkeyed it could aim proofs at one
	 * neighbourhood and fill it, demanding nonces of every client */
	unsigned char	 place_key[crypto_shorthash_KEYBYTES];
};

struct dpop_replay *
dpop_replay_new(size_t capacity)
{
	struct dpop_replay *r = xcalloc(1, sizeof(*r));
	size_t n = PROBE;

	while (n * SHARDS < capacity)
		n *= 2;
	for (int i = 0; i < SHARDS; i++) {
		pthread_mutex_init(&r->shard[i].mu, NULL);
		/* calloc: untouched pages cost nothing until proofs come */
		r->shard[i].slots = xcalloc(n, sizeof(struct slot));
		r->shard[i].mask = n - 1;
		pthread_mutex_init(&r->keys[i].mu, NULL);
	}
	atomic_init(&r->pressure_until, 0);
	randombytes_buf(r->place_key, sizeof(r->place_key));
	return r;
}

void
dpop_replay_free(struct dpop_replay *r)
{
	if (r == NULL)
		return;
	for (int i = 0; i < SHARDS; i++) {
		pthread_mutex_destroy(&r->shard[i].mu);
		free(r->shard[i].slots);
		pthread_mutex_destroy(&r->keys[i].mu);
		for (int j = 0; j < KEYS_PER_SHARD; j++)
			EVP_PKEY_free(r->keys[i].slot[j].k);
	}
	free(r);
}

static struct key_slot *
key_slot_of(struct dpop_replay *r, const unsigned char jkt[DPOP_JKT_BYTES],
    struct key_shard **shard)
{
	*shard = &r->keys[jkt[0] % SHARDS];
	return &(*shard)->slot[jkt[1] % KEYS_PER_SHARD];
}

/* The key of thumbprint jkt for alg, a reference taken; or NULL. */
static EVP_PKEY *
key_get(struct dpop_replay *r, const unsigned char jkt[DPOP_JKT_BYTES],
    enum jws_alg alg)
{
	struct key_shard *s;
	struct key_slot *e = key_slot_of(r, jkt, &s);
	EVP_PKEY *k = NULL;

	pthread_mutex_lock(&s->mu);
	if (e->k != NULL && e->alg == alg &&
	    memcmp(e->jkt, jkt, DPOP_JKT_BYTES) == 0 &&
	    EVP_PKEY_up_ref(e->k) == 1)
		k = e->k;
	pthread_mutex_unlock(&s->mu);
	return k;
}

static void
key_put(struct dpop_replay *r, const unsigned char jkt[DPOP_JKT_BYTES],
    enum jws_alg alg, EVP_PKEY *k)
{
	struct key_shard *s;
	struct key_slot *e = key_slot_of(r, jkt, &s);
	EVP_PKEY *old;

	if (EVP_PKEY_up_ref(k) != 1)
		return;
	pthread_mutex_lock(&s->mu);
	old = e->k;
	memcpy(e->jkt, jkt, DPOP_JKT_BYTES);
	e->alg = alg;
	e->k = k;
	pthread_mutex_unlock(&s->mu);
	/* a thread verifying with it holds its own reference */
	EVP_PKEY_free(old);
}

/* The proof's key: remembered, or made of its JWK (and remembered). */
static EVP_PKEY *
key_of(struct keygate *kg, const struct dpop_jwk *raw,
    const unsigned char jkt[DPOP_JKT_BYTES], const char **why)
{
	EVP_PKEY *k = kg->dpop != NULL ? key_get(kg->dpop, jkt, raw->alg) :
	    NULL;

	if (k == NULL && (k = dpop_jwk_make(raw, why)) != NULL &&
	    kg->dpop != NULL)
		key_put(kg->dpop, jkt, raw->alg, k);
	return k;
}

enum seen { SEEN_NEW, SEEN_REPLAY, SEEN_FULL };

/* Remembers h (SHA-256 of the key's thumbprint and the jti) until
 * `expires`: SEEN_REPLAY if it is remembered already, SEEN_FULL when
 * its neighbourhood holds only live proofs. */
static enum seen
remember(struct dpop_replay *r, const unsigned char h[SECURE_HASH_BYTES],
    int64_t now, int64_t expires)
{
	unsigned char place[crypto_shorthash_BYTES];
	struct shard *s;
	struct slot want, *free_slot = NULL;
	uint64_t at;
	enum seen rc = SEEN_FULL;

	crypto_shorthash(place, h, SECURE_HASH_BYTES, r->place_key);
	s = &r->shard[place[0] % SHARDS];
	memcpy(&at, place, sizeof(at));
	at >>= 8;
	memcpy(&want.a, h + 9, sizeof(want.a));
	memcpy(&want.b, h + 17, sizeof(want.b));
	want.expires = (uint32_t)expires;
	pthread_mutex_lock(&s->mu);
	for (size_t i = 0; i < PROBE; i++) {
		struct slot *e = &s->slots[(at + i) & s->mask];
		bool live = e->expires > (uint64_t)now;

		if (live && e->a == want.a && e->b == want.b) {
			free_slot = NULL;
			rc = SEEN_REPLAY;
			break;
		}
		if (!live && free_slot == NULL)
			free_slot = e;
	}
	if (free_slot != NULL) {
		*free_slot = want;
		rc = SEEN_NEW;
	}
	pthread_mutex_unlock(&s->mu);
	return rc;
}

/* The nonce of a 60-second step under a key derived from the CSRF key,
 * which every node of one store reads from it (store_server_key()). */
static void
nonce_of(struct keygate *kg, int64_t step, char out[DPOP_NONCE_MAX_BYTES + 1])
{
	static const char label[] = "keygate dpop nonce";
	unsigned char key[crypto_auth_hmacsha256_BYTES];
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	unsigned char msg[8];

	crypto_auth_hmacsha256(key, (const unsigned char *)label,
	    sizeof(label) - 1, kg->csrf_key);
	for (int i = 0; i < 8; i++)
		msg[i] = (unsigned char)((uint64_t)step >> (56 - 8 * i));
	crypto_auth_hmacsha256(mac, msg, sizeof(msg), key);
	sodium_bin2base64(out, DPOP_NONCE_MAX_BYTES + 1, mac, sizeof(mac),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(key, sizeof(key));
}

void
dpop_nonce(struct keygate *kg, int64_t now, char out[DPOP_NONCE_MAX_BYTES + 1])
{
	nonce_of(kg, now / NONCE_STEP_S, out);
}

static bool
nonce_ok(struct keygate *kg, const json_t *v, int64_t now)
{
	char want[DPOP_NONCE_MAX_BYTES + 1];
	struct str got;

	if (!json_is_string(v))
		return false;
	got = (struct str){ json_string_value(v), json_string_length(v) };
	/* this step's and the one before: a nonce lives 60 to 120 s */
	for (int64_t back = 0; back < 2; back++) {
		nonce_of(kg, now / NONCE_STEP_S - back, want);
		if (secure_equal(got, str_from(want)))
			return true;
	}
	return false;
}

void
dpop_jkt_b64(const unsigned char jkt[DPOP_JKT_BYTES],
    char out[DPOP_JKT_B64_BYTES + 1])
{
	sodium_bin2base64(out, DPOP_JKT_B64_BYTES + 1, jkt, DPOP_JKT_BYTES,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

bool
dpop_jkt_parse(struct str b64, unsigned char jkt[DPOP_JKT_BYTES])
{
	char again[DPOP_JKT_B64_BYTES + 1];
	size_t len = 0;

	/* one spelling only: the unused low bits of the last character
	 * zero, as dpop_jkt_b64() writes them */
	if (b64.len != DPOP_JKT_B64_BYTES || sodium_base642bin(jkt,
	    DPOP_JKT_BYTES, b64.p, b64.len, NULL, &len, NULL,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    len != DPOP_JKT_BYTES)
		return false;
	dpop_jkt_b64(jkt, again);
	return memcmp(again, b64.p, DPOP_JKT_B64_BYTES) == 0;
}

/* Strict base64url without padding into raw (at most cap bytes). */
static bool
decode(struct str s, unsigned char *raw, size_t cap, size_t *len)
{
	return sodium_base642bin(raw, cap, s.p, s.len, NULL, len, NULL,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING) == 0;
}

/* A JSON object, members unique (RFC 7515 §4 and RFC 7519 §4 ask a
 * parser to refuse duplicates or take the last; refusing is safer). */
static json_t *
object_of(struct str part, unsigned char *raw, size_t cap)
{
	size_t len;
	json_t *o;

	if (!decode(part, raw, cap, &len))
		return NULL;
	o = json_loadb((const char *)raw, len, JSON_REJECT_DUPLICATES, NULL);
	if (o != NULL && !json_is_object(o)) {
		json_decref(o);
		o = NULL;
	}
	return o;
}

/* A proof's alg: a name of jws_alg.h, or "Ed25519", RFC 9864's fully
 * specified name for EdDSA over Ed25519, which clients such as
 * oauth4webapi send for an Ed25519 key. */
static int
proof_alg(struct str name, enum jws_alg *alg)
{
	if (str_eq_lit(name, "Ed25519")) {
		*alg = JWS_EDDSA;
		return 0;
	}
	return jws_alg_parse(name, alg);
}

/* The header: typ dpop+jwt, an asymmetric alg keygate verifies, the key;
 * crit names extensions keygate does not know, so it refuses (RFC 7515
 * §4.1.11); other members are ignored as RFC 7515 §4 says. */
static int
read_header(const json_t *h, enum jws_alg *alg, const char **why)
{
	const json_t *a = json_object_get(h, "alg");

	if (!dpop_json_is(json_object_get(h, "typ"), "dpop+jwt")) {
		*why = "DPoP proof header typ must be dpop+jwt";
		return ERR_INVALID;
	}
	if (!json_is_string(a) || strlen(json_string_value(a)) !=
	    json_string_length(a) ||
	    proof_alg(str_from(json_string_value(a)), alg) != 0) {
		*why = "DPoP proof alg must be ES256, EdDSA (or Ed25519) or "
		    "RS256";
		return ERR_INVALID;
	}
	if (json_object_get(h, "crit") != NULL) {
		*why = "DPoP proof header crit names extensions not supported";
		return ERR_INVALID;
	}
	if (json_object_get(h, "jwk") == NULL) {
		*why = "DPoP proof header has no jwk";
		return ERR_INVALID;
	}
	return 0;
}

/* scheme and host without case, the default port made explicit, the
 * path ("/" when empty); query and fragment left out (RFC 9449 §4.3) */
static bool
htu_parts(struct str s, struct uri *u, struct str *port)
{
	if (uri_parse(s, u) != 0 || !u->has_authority || u->has_userinfo ||
	    u->host.len == 0)
		return false;
	if (str_eq_nocase(u->scheme, "https"))
		*port = u->port.len > 0 ? u->port : STR_LIT("443");
	else if (str_eq_nocase(u->scheme, "http"))
		*port = u->port.len > 0 ? u->port : STR_LIT("80");
	else
		return false;
	if (u->path.len == 0)
		u->path = STR_LIT("/");
	return true;
}

static bool
nocase_eq(struct str a, struct str b)
{
	if (a.len != b.len)
		return false;
	for (size_t i = 0; i < a.len; i++) {
		unsigned char x = (unsigned char)a.p[i];
		unsigned char y = (unsigned char)b.p[i];

		if (x >= 'A' && x <= 'Z')
			x = (unsigned char)(x - 'A' + 'a');
		if (y >= 'A' && y <= 'Z')
			y = (unsigned char)(y - 'A' + 'a');
		if (x != y)
			return false;
	}
	return true;
}

static bool
htu_matches(struct str got, struct str want)
{
	struct uri g, w;
	struct str gp, wp;

	return htu_parts(got, &g, &gp) && htu_parts(want, &w, &wp) &&
	    nocase_eq(g.scheme, w.scheme) && nocase_eq(g.host, w.host) &&
	    str_eq(gp, wp) && str_eq(g.path, w.path);
}

/* ath: base64url of the access token's SHA-256 (RFC 9449 §4.2). */
static bool
ath_matches(const json_t *v, struct str token)
{
	unsigned char h[SECURE_HASH_BYTES];
	char want[DPOP_JKT_B64_BYTES + 1];

	if (!json_is_string(v))
		return false;
	secure_hash(token, h);
	dpop_jkt_b64(h, want);
	return secure_equal((struct str){ json_string_value(v),
	    json_string_length(v) }, str_from(want));
}

static int
read_claims(const json_t *c, const struct dpop_want *want, int64_t now,
    const char **why)
{
	const json_t *htm = json_object_get(c, "htm");
	const json_t *htu = json_object_get(c, "htu");
	const json_t *iat = json_object_get(c, "iat");
	const json_t *jti = json_object_get(c, "jti");

	if (!dpop_json_is(htm, want->htm)) {
		*why = "DPoP proof htm does not match the request method";
		return ERR_INVALID;
	}
	if (!json_is_string(htu) || !htu_matches((struct str){
	    json_string_value(htu), json_string_length(htu) }, want->htu)) {
		*why = "DPoP proof htu does not match the request URI";
		return ERR_INVALID;
	}
	if (!json_is_number(iat)) {
		*why = "DPoP proof has no iat";
		return ERR_INVALID;
	}
	if (json_number_value(iat) < (double)(now - DPOP_IAT_WINDOW_S) ||
	    json_number_value(iat) > (double)(now + DPOP_IAT_WINDOW_S)) {
		*why = "DPoP proof iat is not within 60 s of the server's time";
		return ERR_INVALID;
	}
	if (!json_is_string(jti) || json_string_length(jti) == 0 ||
	    json_string_length(jti) > JTI_MAX_BYTES) {
		*why = "DPoP proof jti must be a string of 1 to 128 bytes";
		return ERR_INVALID;
	}
	if (want->where == DPOP_AT_RESOURCE &&
	    !ath_matches(json_object_get(c, "ath"), want->access_token)) {
		*why = "DPoP proof ath does not match the access token";
		return ERR_INVALID;
	}
	return 0;
}

/* At the token endpoint of nodes sharing a store, the proof is claimed
 * there too: a proof replayed to another node finds its claim. */
static int
claim_shared(struct keygate *kg, const unsigned char h[SECURE_HASH_BYTES],
    int64_t now, int64_t expires, const char **why)
{
	int rc;

	if (kg->store == NULL || !store_is_shared(kg->store))
		return 0;
	rc = store_dpop_jti_claim(kg->store, h, expires, now);
	if (rc == ERR_EXISTS) {
		*why = "DPoP proof jti has been used before";
		return DPOP_INVALID;
	}
	return rc == 0 ? 0 : DPOP_STORE;
}

/* Remembers the proof of entry s; at the token endpoint claims it in a
 * shared store too. */
static int
remember_seen(struct keygate *kg, const struct dpop_seen *s, int64_t now,
    const char **why)
{
	switch (kg->dpop != NULL ? remember(kg->dpop, s->h, now, s->expires) :
	    SEEN_NEW) {
	case SEEN_NEW:
		/* memory first: a replay to this node costs no store call */
		return s->where == DPOP_AT_TOKEN ?
		    claim_shared(kg, s->h, now, s->expires, why) : 0;
	case SEEN_REPLAY:
		*why = "DPoP proof jti has been used before";
		return DPOP_INVALID;
	default:
		atomic_store(&kg->dpop->pressure_until, now + DPOP_IAT_WINDOW_S);
		*why = "the server's memory of DPoP proofs is full; "
		    "send a proof with the DPoP-Nonce given";
		return DPOP_NONCE;
	}
}

/* The proof's jti, remembered under the key's thumbprint (two clients'
 * jtis never collide) until the proof could no longer be accepted; or,
 * when the caller defers it, its entry handed back. */
static int
check_replay(struct keygate *kg, const unsigned char jkt[DPOP_JKT_BYTES],
    const json_t *claims, const struct dpop_want *want, int64_t now,
    const char **why)
{
	const json_t *jti = json_object_get(claims, "jti");
	unsigned char msg[DPOP_JKT_BYTES + JTI_MAX_BYTES];
	struct dpop_seen s;

	s.expires = (int64_t)json_number_value(json_object_get(claims,
	    "iat")) + DPOP_IAT_WINDOW_S + 1;
	s.where = want->where;
	memcpy(msg, jkt, DPOP_JKT_BYTES);
	memcpy(msg + DPOP_JKT_BYTES, json_string_value(jti),
	    json_string_length(jti));
	secure_hash((struct str){ (const char *)msg,
	    DPOP_JKT_BYTES + json_string_length(jti) }, s.h);
	if (want->defer != NULL) {
		*want->defer = s;
		return 0;
	}
	return remember_seen(kg, &s, now, why);
}

int
dpop_remember(struct keygate *kg, const struct dpop_seen *seen, int64_t now,
    const char **why)
{
	return remember_seen(kg, seen, now, why);
}

static bool
nonce_demanded(struct keygate *kg, int64_t now)
{
	return (kg->cfg != NULL && kg->cfg->dpop_nonce) ||
	    (kg->dpop != NULL && atomic_load(&kg->dpop->pressure_until) > now);
}

/* The signature and the checks of header and claims; the key's
 * thumbprint into jkt. */
static int
check_proof(struct keygate *kg, struct str proof,
    const struct dpop_want *want, int64_t now,
    unsigned char jkt[DPOP_JKT_BYTES], const char **why)
{
	unsigned char text[DPOP_PROOF_MAX_BYTES], sig[JOSE_SIG_MAX * 2];
	struct dpop_jwk raw;
	struct str part[3];
	json_t *h = NULL, *c = NULL;
	EVP_PKEY *k = NULL;
	enum jws_alg alg;
	size_t siglen;
	int rc = DPOP_INVALID;

	*why = "DPoP proof is not a compact JWS of base64url JSON objects";
	if (proof.len > DPOP_PROOF_MAX_BYTES) {
		*why = "DPoP proof is longer than 8192 bytes";
		return DPOP_INVALID;
	}
	if (!jose_split(proof, part) || (h = object_of(part[0], text,
	    sizeof(text))) == NULL || (c = object_of(part[1], text,
	    sizeof(text))) == NULL || !decode(part[2], sig, sizeof(sig),
	    &siglen))
		goto out;
	if (read_header(h, &alg, why) != 0 ||
	    dpop_jwk_read(json_object_get(h, "jwk"), alg, &raw, jkt, why) != 0 ||
	    (k = key_of(kg, &raw, jkt, why)) == NULL)
		goto out;
	if (!jose_verify(k, alg, (const unsigned char *)proof.p,
	    part[0].len + 1 + part[1].len, sig, siglen)) {
		*why = "DPoP proof signature does not verify with its jwk";
		goto out;
	}
	if (read_claims(c, want, now, why) != 0)
		goto out;
	if (nonce_demanded(kg, now) &&
	    !nonce_ok(kg, json_object_get(c, "nonce"), now)) {
		*why = "the server demands a DPoP-Nonce in DPoP proofs";
		rc = DPOP_NONCE;
		goto out;
	}
	rc = check_replay(kg, jkt, c, want, now, why);
out:
	EVP_PKEY_free(k);
	json_decref(h);
	json_decref(c);
	return rc;
}

int
dpop_check(struct keygate *kg, struct str proof,
    const struct dpop_want *want, int64_t now,
    unsigned char jkt[DPOP_JKT_BYTES], const char **why)
{
	unsigned char mine[DPOP_JKT_BYTES];
	int rc = check_proof(kg, proof, want, now, mine, why);

	if (rc == 0)
		memcpy(jkt, mine, DPOP_JKT_BYTES);
	return rc;
}
