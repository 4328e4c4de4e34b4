/* core/dpop.c and core/dpop_jwk.c: proofs made here with OpenSSL for
 * each alg are accepted and give their key's thumbprint; every refusal
 * (typ, alg none and HS256, an alg of another key type, a private member
 * in the jwk, crit, a changed signature, htm, htu, iat too old and too
 * new, jti missing or too long, a replay, ath missing or wrong, too long,
 * bad base64url, duplicate members); htu compared after normalization;
 * RFC 7638 §3.1's thumbprint; nonces (this step's and the one before,
 * older ones and another key's refused); a full replay memory demands
 * nonces until its proofs expire. */
#include "core/dpop.h"

#include <criterion/criterion.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "core/dpop_jwk.h"
#include "core/jose.h"
#include "core/keygate.h"

#define NOW	1700000000LL
#define HTU	"https://id.example.com/oauth2/token"
#define TOKEN	"kga_an-access-token"

static struct config cfg;
static struct keygate kg;
static EVP_PKEY *keys[JWS_ALG_COUNT];

static void
setup(void)
{
	cr_assert_eq(secure_init(), 0);
	memset(&cfg, 0, sizeof(cfg));
	memset(&kg, 0, sizeof(kg));
	kg.cfg = &cfg;
	randombytes_buf(kg.csrf_key, sizeof(kg.csrf_key));
	kg.dpop = dpop_replay_new(4096);
	for (int a = 0; a < JWS_ALG_COUNT; a++)
		if (keys[a] == NULL)
			keys[a] = jose_generate((enum jws_alg)a);
}

static void
teardown(void)
{
	dpop_replay_free(kg.dpop);
}

TestSuite(dpop, .init = setup, .fini = teardown);

static void
b64(struct buf *out, const char *s)
{
	jose_b64url(out, (const unsigned char *)s, strlen(s));
}

/* A proof of `header` and `claims` signed by keys[alg] as alg; header
 * NULL: typ, alg and the key's public jwk. */
static char *
sign_as(enum jws_alg key_alg, const char *alg, const char *header,
    const char *claims)
{
	static char out[16384];
	unsigned char sig[JOSE_SIG_MAX];
	size_t siglen;
	struct buf h, in;

	buf_init(&h, 8192);
	buf_init(&in, 16384);
	if (header == NULL) {
		buf_printf(&h, "{\"typ\":\"dpop+jwt\",\"alg\":\"%s\",\"jwk\":",
		    alg);
		cr_assert_eq(jose_public_jwk(keys[key_alg], key_alg, "k",
		    &h), 0);
		buf_puts(&h, "}");
		header = h.p;
	}
	b64(&in, header);
	buf_puts(&in, ".");
	b64(&in, claims);
	cr_assert_eq(jose_sign(keys[key_alg], key_alg,
	    (const unsigned char *)in.p, in.len, sig, &siglen), 0);
	buf_puts(&in, ".");
	jose_b64url(&in, sig, siglen);
	snprintf(out, sizeof(out), "%s", in.p);
	buf_release(&h);
	buf_release(&in);
	return out;
}

static char *
sign(enum jws_alg alg, const char *claims)
{
	return sign_as(alg, jws_alg_name(alg), NULL, claims);
}

static char *
claims_at(const char *htm, const char *htu, long long iat, const char *jti)
{
	static char out[1024];

	snprintf(out, sizeof(out), "{\"htm\":\"%s\",\"htu\":\"%s\","
	    "\"iat\":%lld,\"jti\":\"%s\"}", htm, htu, iat, jti);
	return out;
}

static const struct dpop_want at_token = {
	"POST", { HTU, sizeof(HTU) - 1 }, { NULL, 0 }, DPOP_AT_TOKEN, NULL
};

static int
check(const char *proof, const struct dpop_want *want, int64_t now,
    const char **why)
{
	unsigned char jkt[DPOP_JKT_BYTES];

	*why = NULL;
	return dpop_check(&kg, str_from(proof), want, now, jkt, why);
}

static void
refused(const char *proof, const char *part_of_why)
{
	const char *why;

	cr_assert_eq(check(proof, &at_token, NOW, &why), DPOP_INVALID,
	    "accepted: %s", part_of_why);
	cr_assert_not_null(strstr(why, part_of_why), "why: %s", why);
}

Test(dpop, each_alg_accepted_with_its_thumbprint)
{
	for (int a = 0; a < JWS_ALG_COUNT; a++) {
		unsigned char jkt[DPOP_JKT_BYTES], again[DPOP_JKT_BYTES];
		const char *why = NULL;
		char jti[16];

		snprintf(jti, sizeof(jti), "a%d", a);
		cr_assert_eq(dpop_check(&kg, str_from(sign((enum jws_alg)a,
		    claims_at("POST", HTU, NOW, jti))), &at_token, NOW, jkt,
		    &why), 0, "%s: %s", jws_alg_name((enum jws_alg)a), why);
		snprintf(jti, sizeof(jti), "b%d", a);
		cr_assert_eq(dpop_check(&kg, str_from(sign((enum jws_alg)a,
		    claims_at("POST", HTU, NOW, jti))), &at_token, NOW, again,
		    &why), 0);
		cr_assert_eq(memcmp(jkt, again, sizeof(jkt)), 0);
	}
}

Test(dpop, header_refusals)
{
	char h[256];

	refused(sign_as(JWS_ES256, "ES256", "{\"typ\":\"JWT\",\"alg\":\"ES256\","
	    "\"jwk\":{}}", claims_at("POST", HTU, NOW, "1")), "typ");
	snprintf(h, sizeof(h), "{\"typ\":\"dpop+jwt\",\"alg\":\"none\"}");
	refused(sign_as(JWS_ES256, "none", h, claims_at("POST", HTU, NOW,
	    "2")), "alg must be");
	refused(sign_as(JWS_ES256, "HS256", NULL, claims_at("POST", HTU, NOW,
	    "3")), "alg must be");
	/* an Ed25519 key under ES256, and the other way round */
	refused(sign_as(JWS_EDDSA, "ES256", NULL, claims_at("POST", HTU, NOW,
	    "4")), "kty EC");
	refused(sign_as(JWS_ES256, "EdDSA", NULL, claims_at("POST", HTU, NOW,
	    "5")), "kty OKP");
	refused(sign_as(JWS_EDDSA, "RS256", NULL, claims_at("POST", HTU, NOW,
	    "6")), "kty RSA");
	refused(sign_as(JWS_ES256, "ES256", "{\"typ\":\"dpop+jwt\",\"alg\":"
	    "\"ES256\",\"crit\":[\"x\"],\"jwk\":{}}", claims_at("POST", HTU,
	    NOW, "7")), "crit");
	refused(sign_as(JWS_ES256, "ES256", "{\"typ\":\"dpop+jwt\",\"alg\":"
	    "\"ES256\"}", claims_at("POST", HTU, NOW, "8")), "no jwk");
	/* duplicate members: the second typ could say anything */
	refused(sign_as(JWS_ES256, "ES256", "{\"typ\":\"dpop+jwt\",\"typ\":"
	    "\"dpop+jwt\",\"alg\":\"ES256\",\"jwk\":{}}",
	    claims_at("POST", HTU, NOW, "9")), "compact JWS");
}

Test(dpop, private_member_refused)
{
	struct buf h;
	char *p;

	buf_init(&h, 8192);
	buf_puts(&h, "{\"typ\":\"dpop+jwt\",\"alg\":\"EdDSA\",\"jwk\":");
	cr_assert_eq(jose_public_jwk(keys[JWS_EDDSA], JWS_EDDSA, "k", &h), 0);
	h.p[h.len - 1] = '\0';
	h.len--;
	buf_puts(&h, ",\"d\":\"AAAA\"}}");
	p = sign_as(JWS_EDDSA, "EdDSA", h.p, claims_at("POST", HTU, NOW, "p"));
	refused(p, "private key member");
	buf_release(&h);
}

Test(dpop, signature_and_encoding_refusals)
{
	char *p = sign(JWS_ES256, claims_at("POST", HTU, NOW, "s"));
	char copy[16384], big[DPOP_PROOF_MAX_BYTES + 2];
	size_t n = strlen(p);

	snprintf(copy, sizeof(copy), "%s", p);
	copy[n - 3] = copy[n - 3] == 'A' ? 'B' : 'A';
	refused(copy, "signature does not verify");
	snprintf(copy, sizeof(copy), "%s=", p);
	refused(copy, "compact JWS");
	snprintf(copy, sizeof(copy), "%s.x", p);
	refused(copy, "compact JWS");
	memset(big, 'A', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	refused(big, "longer than 8192");
	/* the unchanged proof still passes: the refusals were the changes */
	cr_assert_eq(check(p, &at_token, NOW, &(const char *){ NULL }), 0);
}

Test(dpop, claim_refusals)
{
	struct dpop_want get = at_token;

	get.htm = "GET";
	cr_assert_eq(check(sign(JWS_EDDSA, claims_at("POST", HTU, NOW,
	    "m")), &get, NOW, &(const char *){ NULL }), DPOP_INVALID);
	refused(sign(JWS_EDDSA, claims_at("GET", HTU, NOW, "m2")), "htm");
	refused(sign(JWS_EDDSA, claims_at("POST",
	    "https://id.example.com/oauth2/par", NOW, "u")), "htu");
	refused(sign(JWS_EDDSA, claims_at("POST",
	    "https://other.example.com/oauth2/token", NOW, "u2")), "htu");
	refused(sign(JWS_EDDSA, claims_at("POST",
	    "http://id.example.com/oauth2/token", NOW, "u3")), "htu");
	refused(sign(JWS_EDDSA, claims_at("POST", HTU, NOW - 61, "t")), "iat");
	refused(sign(JWS_EDDSA, claims_at("POST", HTU, NOW + 61, "t2")),
	    "iat");
	refused(sign(JWS_EDDSA, "{\"htm\":\"POST\",\"htu\":\"" HTU "\","
	    "\"iat\":1700000000}"), "jti");
	refused(sign(JWS_EDDSA, claims_at("POST", HTU, NOW, "")), "jti");
	refused(sign(JWS_EDDSA, "{\"htm\":\"POST\",\"htu\":\"" HTU "\","
	    "\"jti\":\"x\"}"), "iat");
	/* the edges of the window pass */
	cr_assert_eq(check(sign(JWS_EDDSA, claims_at("POST", HTU, NOW - 60,
	    "e1")), &at_token, NOW, &(const char *){ NULL }), 0);
	cr_assert_eq(check(sign(JWS_EDDSA, claims_at("POST", HTU, NOW + 60,
	    "e2")), &at_token, NOW, &(const char *){ NULL }), 0);
}

Test(dpop, htu_normalized)
{
	static const char *const same[] = {
		"HTTPS://ID.Example.COM/oauth2/token",
		"https://id.example.com:443/oauth2/token",
		"https://id.example.com/oauth2/token?q=1",
		"https://id.example.com/oauth2/token#f",
	};
	const char *why;

	for (size_t i = 0; i < sizeof(same) / sizeof(*same); i++) {
		char jti[8];

		snprintf(jti, sizeof(jti), "n%zu", i);
		cr_assert_eq(check(sign(JWS_ES256, claims_at("POST", same[i],
		    NOW, jti)), &at_token, NOW, &why), 0, "%s: %s", same[i],
		    why);
	}
	/* the path is compared as it is */
	refused(sign(JWS_ES256, claims_at("POST",
	    "https://id.example.com/OAUTH2/token", NOW, "n9")), "htu");
}

Test(dpop, replay_refused)
{
	char p[16384];
	const char *why;

	snprintf(p, sizeof(p), "%s", sign(JWS_RS256, claims_at("POST", HTU,
	    NOW, "once")));
	cr_assert_eq(check(p, &at_token, NOW, &why), 0);
	cr_assert_eq(check(p, &at_token, NOW + 30, &why), DPOP_INVALID);
	cr_assert_not_null(strstr(why, "used before"));
	/* the same jti by another key is another proof */
	cr_assert_eq(check(sign(JWS_EDDSA, claims_at("POST", HTU, NOW,
	    "once")), &at_token, NOW, &why), 0);
}

Test(dpop, ath_at_resource)
{
	static const char url[] = "https://id.example.com/oauth2/userinfo";
	struct dpop_want want = { "GET", { url, sizeof(url) - 1 },
	    STR_LIT(TOKEN), DPOP_AT_RESOURCE, NULL };
	unsigned char h[SECURE_HASH_BYTES];
	char ath[DPOP_JKT_B64_BYTES + 1], c[512];
	const char *why;

	secure_hash(STR_LIT(TOKEN), h);
	dpop_jkt_b64(h, ath);
	snprintf(c, sizeof(c), "{\"htm\":\"GET\",\"htu\":\"%s\",\"iat\":%lld,"
	    "\"jti\":\"r1\",\"ath\":\"%s\"}", url, NOW, ath);
	cr_assert_eq(check(sign(JWS_ES256, c), &want, NOW, &why), 0, "%s",
	    why);
	/* missing, and of another token */
	cr_assert_eq(check(sign(JWS_ES256, claims_at("GET", url, NOW, "r2")),
	    &want, NOW, &why), DPOP_INVALID);
	cr_assert_not_null(strstr(why, "ath"));
	ath[0] = ath[0] == 'A' ? 'B' : 'A';
	snprintf(c, sizeof(c), "{\"htm\":\"GET\",\"htu\":\"%s\",\"iat\":%lld,"
	    "\"jti\":\"r3\",\"ath\":\"%s\"}", url, NOW, ath);
	cr_assert_eq(check(sign(JWS_ES256, c), &want, NOW, &why),
	    DPOP_INVALID);
	cr_assert_not_null(strstr(why, "ath"));
}

static const char USERINFO[] = "https://id.example.com/oauth2/userinfo";

/* The claims of a proof for GET USERINFO with TOKEN (its ath) at NOW. */
static const char *
claims_with_ath(const char *jti)
{
	static char c[512];
	unsigned char h[SECURE_HASH_BYTES];
	char ath[DPOP_JKT_B64_BYTES + 1];

	secure_hash(STR_LIT(TOKEN), h);
	dpop_jkt_b64(h, ath);
	snprintf(c, sizeof(c), "{\"htm\":\"GET\",\"htu\":\"%s\",\"iat\":%lld,"
	    "\"jti\":\"%s\",\"ath\":\"%s\"}", USERINFO, NOW, jti, ath);
	return c;
}

/* At a resource the caller may remember the proof itself, once its token
 * is found good: until then the proof passes again; after, it is a
 * replay, to dpop_remember() and to dpop_check() alike. */
Test(dpop, deferred_remembering)
{
	struct dpop_seen seen, again;
	struct dpop_want want = { "GET", { USERINFO, sizeof(USERINFO) - 1 },
	    STR_LIT(TOKEN), DPOP_AT_RESOURCE, &seen };
	const char *proof, *why = NULL;

	proof = sign(JWS_ES256, claims_with_ath("d1"));
	cr_assert_eq(check(proof, &want, NOW, &why), 0, "%s", why);
	want.defer = &again;
	cr_assert_eq(check(proof, &want, NOW, &why), 0, "not remembered yet");
	cr_expect_eq(memcmp(seen.h, again.h, sizeof(seen.h)), 0,
	    "the same entry");
	cr_expect_eq(seen.expires, again.expires);
	cr_expect_eq(seen.where, DPOP_AT_RESOURCE);
	cr_assert_eq(dpop_remember(&kg, &seen, NOW, &why), 0);
	cr_expect_eq(dpop_remember(&kg, &seen, NOW, &why), DPOP_INVALID);
	want.defer = NULL;
	cr_expect_eq(check(proof, &want, NOW, &why), DPOP_INVALID);
	cr_expect_not_null(strstr(why, "jti"));
}

/* use_dpop_nonce under load (docs/REFERENCE.md §17.1), at a resource: a
 * deferred proof that finds the memory full is refused for a nonce, and
 * so is the next proof checked. */
Test(dpop, deferred_full_memory_demands_nonces)
{
	struct dpop_seen seen;
	struct dpop_want want = { "GET", { USERINFO, sizeof(USERINFO) - 1 },
	    STR_LIT(TOKEN), DPOP_AT_RESOURCE, &seen };
	char jti[16];
	const char *why = NULL;
	int i, rc = 0;

	dpop_replay_free(kg.dpop);
	kg.dpop = dpop_replay_new(1);
	for (i = 0; i < 64 * 32 + 1 && rc == 0; i++) {
		snprintf(jti, sizeof(jti), "m%d", i);
		cr_assert_eq(check(sign(JWS_EDDSA, claims_with_ath(jti)),
		    &want, NOW, &why), 0, "%s", why);
		rc = dpop_remember(&kg, &seen, NOW, &why);
	}
	cr_assert_eq(rc, DPOP_NONCE, "%d proofs and never full", i);
	cr_assert_eq(check(sign(JWS_EDDSA, claims_with_ath("n")), &want,
	    NOW + 1, &why), DPOP_NONCE, "the demand holds");
}

/* RFC 7638 §3.1: the example RSA key's thumbprint. */
Test(dpop, rfc7638_thumbprint)
{
	static const char jwk[] = "{\"kty\":\"RSA\",\"n\":\"0vx7agoebGcQSuuPiL"
	    "JXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6"
	    "tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93l"
	    "qt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7"
	    "d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu"
	    "0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnq"
	    "DKgw\",\"e\":\"AQAB\",\"alg\":\"RS256\",\"kid\":\"2011-04-29\"}";
	json_t *j = json_loads(jwk, 0, NULL);
	unsigned char jkt[DPOP_JKT_BYTES];
	char out[DPOP_JKT_B64_BYTES + 1];
	const char *why = NULL;
	EVP_PKEY *k = NULL;

	cr_assert_eq(dpop_jwk_key(j, JWS_RS256, &k, jkt, &why), 0, "%s", why);
	dpop_jkt_b64(jkt, out);
	cr_assert_str_eq(out, "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
	EVP_PKEY_free(k);
	json_decref(j);
}

static char *
with_nonce(const char *jti, const char *nonce)
{
	static char c[512];

	snprintf(c, sizeof(c), "{\"htm\":\"POST\",\"htu\":\"" HTU "\","
	    "\"iat\":%lld,\"jti\":\"%s\",\"nonce\":\"%s\"}", NOW, jti, nonce);
	return sign(JWS_EDDSA, c);
}

Test(dpop, nonces)
{
	char now[DPOP_NONCE_MAX_BYTES + 1], before[DPOP_NONCE_MAX_BYTES + 1];
	char old[DPOP_NONCE_MAX_BYTES + 1], other[DPOP_NONCE_MAX_BYTES + 1];
	const char *why;

	cfg.dpop_nonce = true;
	dpop_nonce(&kg, NOW, now);
	dpop_nonce(&kg, NOW - 60, before);
	dpop_nonce(&kg, NOW - 120, old);
	cr_assert_eq(strlen(now), 43);
	cr_assert_str_neq(now, before);
	kg.csrf_key[0] ^= 1;
	dpop_nonce(&kg, NOW, other);
	kg.csrf_key[0] ^= 1;
	cr_assert_eq(check(sign(JWS_EDDSA, claims_at("POST", HTU, NOW, "x0")),
	    &at_token, NOW, &why), DPOP_NONCE);
	cr_assert_eq(check(with_nonce("x1", now), &at_token, NOW, &why), 0);
	cr_assert_eq(check(with_nonce("x2", before), &at_token, NOW, &why), 0);
	cr_assert_eq(check(with_nonce("x3", old), &at_token, NOW, &why),
	    DPOP_NONCE);
	cr_assert_eq(check(with_nonce("x4", other), &at_token, NOW, &why),
	    DPOP_NONCE);
	/* a refused nonce did not spend the jti */
	cr_assert_eq(check(with_nonce("x4", now), &at_token, NOW, &why), 0);
}

/* A small memory fills: nonces are then demanded, and a proof with one
 * still finds no room until the remembered proofs expire. */
Test(dpop, full_memory_demands_nonces)
{
	char jti[16];
	const char *why;
	int i, rc = 0;

	dpop_replay_free(kg.dpop);
	kg.dpop = dpop_replay_new(1);
	for (i = 0; i < 64 * 32 + 1 && rc == 0; i++) {
		snprintf(jti, sizeof(jti), "f%d", i);
		rc = check(sign(JWS_EDDSA, claims_at("POST", HTU, NOW, jti)),
		    &at_token, NOW, &why);
	}
	cr_assert_eq(rc, DPOP_NONCE, "%d proofs and never full", i);
	cr_assert_geq(i, 32);
	cr_assert_eq(check(sign(JWS_EDDSA, claims_at("POST", HTU, NOW,
	    "g")), &at_token, NOW + 1, &why), DPOP_NONCE);
	/* the proofs of NOW expire after NOW + 60, and the demand with them */
	cr_assert_eq(check(sign(JWS_EDDSA, claims_at("POST", HTU, NOW + 62,
	    "h")), &at_token, NOW + 62, &why), 0, "%s", why);
}
