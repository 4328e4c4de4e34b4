#include "core/signing.h"

#include <jansson.h>
#include <openssl/evp.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/mem.h"
#include "core/jose.h"
#include "core/signing_keys.h"

/* Far above any id_token keygate makes: what is longer is refused before
 * anything is decoded. */
#define JWS_MAX_BYTES	16384

size_t
signing_half_hash(enum jws_alg alg, struct str token,
    char out[SIGNING_HALF_HASH_MAX])
{
	unsigned char h[crypto_hash_sha512_BYTES];
	size_t half;

	/* the hash of the alg's signature (OpenID Connect Core §3.1.3.6):
	 * SHA-512 for Ed25519, whose signatures hash with it */
	if (alg == JWS_EDDSA) {
		crypto_hash_sha512(h, (const unsigned char *)token.p,
		    token.len);
		half = crypto_hash_sha512_BYTES / 2;
	} else {
		crypto_hash_sha256(h, (const unsigned char *)token.p,
		    token.len);
		half = crypto_hash_sha256_BYTES / 2;
	}
	sodium_bin2base64(out, SIGNING_HALF_HASH_MAX, h, half,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return strlen(out);
}

int
signing_sign(struct keygate *kg, enum jws_alg alg, struct str claims,
    struct buf *out)
{
	char kid[SIGNING_KID_MAX];
	unsigned char sig[JOSE_SIG_MAX];
	EVP_PKEY *k = signing_keys_current(kg, alg, kid);
	struct buf input;
	size_t siglen;
	int rc;

	if (k == NULL)
		return ERR_STORE;
	buf_init(&input, JWS_MAX_BYTES);
	{
		struct buf header;

		buf_init(&header, 256);
		buf_printf(&header, "{\"alg\":\"%s\",\"kid\":\"%s\","
		    "\"typ\":\"JWT\"}", jws_alg_name(alg), kid);
		jose_b64url(&input, (const unsigned char *)header.p,
		    header.len);
		buf_release(&header);
	}
	buf_puts(&input, ".");
	jose_b64url(&input, (const unsigned char *)claims.p, claims.len);
	rc = jose_sign(k, alg, (const unsigned char *)input.p, input.len,
	    sig, &siglen);
	EVP_PKEY_free(k);
	if (rc == 0 && input.err == 0) {
		buf_putstr(out, buf_str(&input));
		buf_puts(out, ".");
		jose_b64url(out, sig, siglen);
	}
	buf_release(&input);
	return rc != 0 || input.err != 0 ? ERR_STORE : 0;
}

/* Strict base64url without padding into a malloc'd *raw: anything else
 * (padding, '+', '/', spaces, bits left over) refuses. */
static bool
decode(struct str s, unsigned char **raw, size_t *len)
{
	size_t cap = s.len / 4 * 3 + 3;

	*raw = xmalloc(cap);
	if (sodium_base642bin(*raw, cap, s.p, s.len, NULL, len, NULL,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0) {
		free(*raw);
		*raw = NULL;
		return false;
	}
	return true;
}

/* The header's alg and kid; nothing else keygate does not write may be
 * in it ("crit", "jku", "jwk", "x5u" ... would ask for more than this
 * checks). */
static bool
read_header(const unsigned char *raw, size_t len, enum jws_alg *alg,
    char kid[SIGNING_KID_MAX])
{
	json_t *h = json_loadb((const char *)raw, len, JSON_REJECT_DUPLICATES,
	    NULL);
	const char *key;
	json_t *v;
	bool ok = json_is_object(h);

	json_object_foreach(h, key, v) {
		if (strcmp(key, "alg") == 0)
			ok = ok && json_is_string(v) &&
			    jws_alg_parse(str_from(json_string_value(v)),
			    alg) == 0;
		else if (strcmp(key, "kid") == 0)
			ok = ok && json_is_string(v) &&
			    json_string_length(v) < SIGNING_KID_MAX &&
			    snprintf(kid, SIGNING_KID_MAX, "%s",
			    json_string_value(v)) > 0;
		else if (strcmp(key, "typ") != 0)
			ok = false;
	}
	ok = ok && json_object_get(h, "alg") != NULL &&
	    json_object_get(h, "kid") != NULL;
	json_decref(h);
	return ok;
}

int
signing_verify(struct keygate *kg, struct str jws, struct buf *payload)
{
	struct str part[3];
	unsigned char *head = NULL, *body = NULL, *sig = NULL;
	size_t hlen, blen, slen;
	char kid[SIGNING_KID_MAX] = "";
	enum jws_alg alg, key_alg;
	EVP_PKEY *k = NULL;
	bool ok;

	ok = jws.len <= JWS_MAX_BYTES && jose_split(jws, part) &&
	    decode(part[0], &head, &hlen) && decode(part[1], &body, &blen) &&
	    decode(part[2], &sig, &slen) &&
	    read_header(head, hlen, &alg, kid) &&
	    (k = signing_keys_published(kg, str_from(kid), &key_alg)) != NULL &&
	    key_alg == alg &&
	    jose_verify(k, alg, (const unsigned char *)jws.p,
	    part[0].len + 1 + part[1].len, sig, slen);
	if (ok)
		buf_append(payload, body, blen);
	EVP_PKEY_free(k);
	free(head);
	free(body);
	free(sig);
	return ok ? 0 : ERR_AUTH;
}

int
signing_jwks(struct keygate *kg, struct buf *out)
{
	return signing_keys_jwks(kg, out);
}
