/* DPoP (RFC 9449) on the client's side: an Ed25519 key drawn at log-in
 * when the server offers EdDSA proofs, a fresh proof for every token
 * request and call, and the server's nonces remembered per origin. The
 * key's seed is the only secret here; it never leaves the token file and
 * the memory wiped after use. */
#include "client_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#define B64URL	sodium_base64_VARIANT_URLSAFE_NO_PADDING
#define SEED_BYTES	crypto_sign_SEEDBYTES
/* RFC 9449 §4.2 asks for enough entropy that a jti never repeats. */
#define JTI_BYTES	18

static char *
b64url(const void *bin, size_t len)
{
	size_t n = sodium_base64_ENCODED_LEN(len, B64URL);
	char *out = malloc(n);

	if (out == NULL)
		abort();
	sodium_bin2base64(out, n, bin, len, B64URL);
	return out;
}

void
kg_dpop_key_new(struct kg_dpop_key *k)
{
	unsigned char pk[crypto_sign_PUBLICKEYBYTES];

	crypto_sign_keypair(pk, k->sk);
	k->set = true;
}

int
kg_dpop_key_from_b64(const char *b64, struct kg_dpop_key *k)
{
	unsigned char seed[SEED_BYTES], pk[crypto_sign_PUBLICKEYBYTES];
	size_t len = 0;
	int rc = -1;

	memset(k, 0, sizeof(*k));
	if (sodium_base642bin(seed, sizeof(seed), b64, strlen(b64), NULL,
	    &len, NULL, B64URL) == 0 && len == sizeof(seed) &&
	    crypto_sign_seed_keypair(pk, k->sk, seed) == 0) {
		k->set = true;
		rc = 0;
	}
	sodium_memzero(seed, sizeof(seed));
	return rc;
}

char *
kg_dpop_key_to_b64(const struct kg_dpop_key *k)
{
	/* libsodium's secret key starts with the seed it was made from. */
	return b64url(k->sk, SEED_BYTES);
}

static const unsigned char *
public_key(const struct kg_dpop_key *k)
{
	return k->sk + SEED_BYTES;
}

void
kg_dpop_jkt(const struct kg_dpop_key *k, char *out, size_t n)
{
	unsigned char h[crypto_hash_sha256_BYTES];
	char canon[128], *x = b64url(public_key(k), crypto_sign_PUBLICKEYBYTES);

	/* RFC 7638 §3: the required members only, in lexical order, no
	 * spaces; RFC 8037 §2 names them for an OKP key. */
	snprintf(canon, sizeof(canon),
	    "{\"crv\":\"Ed25519\",\"kty\":\"OKP\",\"x\":\"%s\"}", x);
	crypto_hash_sha256(h, (const unsigned char *)canon, strlen(canon));
	sodium_bin2base64(out, n, h, sizeof(h), B64URL);
	free(x);
}

/* RFC 9449 §4.2: htu is the URI "without query and fragment parts". */
static char *
htu_of(const char *url)
{
	char *htu = kg_strdup(url);

	htu[strcspn(htu, "?#")] = '\0';
	return htu;
}

static char *
sha256_b64(const char *s)
{
	unsigned char h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, (const unsigned char *)s, strlen(s));
	return b64url(h, sizeof(h));
}

static char *
encode_json(json_t *j)
{
	char *text = j != NULL ? json_dumps(j, JSON_COMPACT |
	    JSON_PRESERVE_ORDER) : NULL, *out;

	json_decref(j);
	if (text == NULL)
		abort();
	out = b64url(text, strlen(text));
	free(text);
	return out;
}

static char *
header_b64(const struct kg_dpop_key *k)
{
	char *x = b64url(public_key(k), crypto_sign_PUBLICKEYBYTES), *out;

	out = encode_json(json_pack("{s:s, s:s, s:{s:s, s:s, s:s}}",
	    "typ", "dpop+jwt", "alg", "EdDSA", "jwk", "kty", "OKP",
	    "crv", "Ed25519", "x", x));
	free(x);
	return out;
}

static char *
claims_b64(const struct kg_dpop_claims *cl)
{
	unsigned char raw[JTI_BYTES];
	char *jti, *htu = htu_of(cl->url), *ath = NULL, *out;
	json_t *j;

	randombytes_buf(raw, sizeof(raw));
	jti = b64url(raw, sizeof(raw));
	j = json_pack("{s:s, s:s, s:s, s:I}", "jti", jti, "htm", cl->htm,
	    "htu", htu, "iat", (json_int_t)cl->iat);
	if (j != NULL && cl->access_token != NULL) {
		ath = sha256_b64(cl->access_token);
		json_object_set_new(j, "ath", json_string(ath));
	}
	if (j != NULL && cl->nonce != NULL)
		json_object_set_new(j, "nonce", json_string(cl->nonce));
	out = encode_json(j);
	free(jti);
	free(htu);
	free(ath);
	return out;
}

char *
kg_dpop_proof(const struct kg_dpop_key *k, const struct kg_dpop_claims *cl)
{
	unsigned char sig[crypto_sign_BYTES];
	char *hdr = header_b64(k), *claims = claims_b64(cl), *s, *proof;
	size_t n = strlen(hdr) + strlen(claims) + 2, total;

	total = n + sodium_base64_ENCODED_LEN(sizeof(sig), B64URL);
	proof = malloc(total);
	if (proof == NULL)
		abort();
	snprintf(proof, total, "%s.%s", hdr, claims);
	crypto_sign_detached(sig, NULL, (const unsigned char *)proof, n - 1,
	    k->sk);
	s = b64url(sig, sizeof(sig));
	snprintf(proof + n - 1, total - (n - 1), ".%s", s);
	free(s);
	free(hdr);
	free(claims);
	return proof;
}

/* "scheme://authority" of an http(s) URL, or NULL. */
static char *
origin_of(const char *url)
{
	const char *p = strstr(url, "://");
	char *o;

	if (p == NULL)
		return NULL;
	o = kg_strdup(url);
	o[(size_t)(p - url) + 3 + strcspn(p + 3, "/?#")] = '\0';
	return o;
}

/* RFC 9449 §8.1: nonce = 1*NQCHAR, %x21 / %x23-5B / %x5D-7E. */
static bool
nonce_ok(const char *s)
{
	size_t i;

	if (s == NULL || s[0] == '\0' || strlen(s) > KG_DPOP_NONCE_MAX)
		return false;
	for (i = 0; s[i] != '\0'; i++)
		if (s[i] < 0x21 || s[i] > 0x7e || s[i] == '"' || s[i] == '\\')
			return false;
	return true;
}

static struct kg_dpop_nonce *
find_nonce(struct kg_client *c, const char *origin)
{
	size_t i;

	for (i = 0; i < KG_DPOP_NONCE_ORIGINS; i++)
		if (c->nonces[i].origin != NULL &&
		    strcmp(c->nonces[i].origin, origin) == 0)
			return &c->nonces[i];
	return NULL;
}

char *
kg_dpop_nonce_get(struct kg_client *c, const char *url)
{
	struct kg_dpop_nonce *e;
	char *origin = origin_of(url), *out = NULL;

	if (origin == NULL)
		return NULL;
	pthread_mutex_lock(&c->nonce_mu);
	e = find_nonce(c, origin);
	if (e != NULL)
		out = kg_strdup(e->nonce);
	pthread_mutex_unlock(&c->nonce_mu);
	free(origin);
	return out;
}

void
kg_dpop_nonce_set(struct kg_client *c, const char *url, const char *nonce)
{
	struct kg_dpop_nonce *e;
	char *origin;

	if (!nonce_ok(nonce) || (origin = origin_of(url)) == NULL)
		return;
	pthread_mutex_lock(&c->nonce_mu);
	e = find_nonce(c, origin);
	if (e == NULL) {
		e = &c->nonces[c->nonce_next++ % KG_DPOP_NONCE_ORIGINS];
		free(e->origin);
		e->origin = origin;
		origin = NULL;
	}
	free(e->nonce);
	e->nonce = kg_strdup(nonce);
	pthread_mutex_unlock(&c->nonce_mu);
	free(origin);
}

void
kg_dpop_nonces_free(struct kg_client *c)
{
	size_t i;

	for (i = 0; i < KG_DPOP_NONCE_ORIGINS; i++) {
		free(c->nonces[i].origin);
		free(c->nonces[i].nonce);
	}
	memset(c->nonces, 0, sizeof(c->nonces));
}

static bool
lists_eddsa(const char *body)
{
	json_t *j = json_loads(body != NULL ? body : "", 0, NULL), *v;
	bool found = false;
	size_t i;

	json_array_foreach(json_object_get(j, "dpop_signing_alg_values_supported"),
	    i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), "EdDSA")
		    == 0)
			found = true;
	json_decref(j);
	return found;
}

/* RFC 8414's metadata, once per log-in: a server that does not list
 * EdDSA (an older keygate) gets Bearer as before. Only an unreachable
 * server is an error; the log-in would fail on it anyway. */
int
kg_dpop_prepare(struct kg_client *c)
{
	struct kg_http_req rq = { .method = "GET", .max_body =
	    KG_TOKEN_BODY_MAX };
	struct kg_http_res rs;
	char url[2200];
	bool off;
	int rc;

	pthread_mutex_lock(&c->mu);
	sodium_memzero(&c->login_key, sizeof(c->login_key));
	off = c->dpop_off;
	snprintf(url, sizeof(url), "%s/.well-known/oauth-authorization-server",
	    c->issuer);
	pthread_mutex_unlock(&c->mu);
	if (off)
		return 0;
	rq.url = url;
	rc = kg_http_perform(&rq, &rs);
	if (rc != 0)
		return rc;
	if (rs.status == 200 && lists_eddsa(rs.body)) {
		pthread_mutex_lock(&c->mu);
		kg_dpop_key_new(&c->login_key);
		pthread_mutex_unlock(&c->mu);
	}
	kg_http_res_release(&rs);
	return 0;
}
