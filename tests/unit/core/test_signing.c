/* core/jose.c, core/signing_keys.c and core/signing.c against a real
 * SQLite store in a temporary folder, on the test clock: each alg signs
 * and verifies; a changed bit, another key, alg "none", a header changed
 * or with more in it, bad base64url and extra dots are refused; ES256's
 * signature is R||S (64 bytes); every signature is checked again by
 * OpenSSL's own EVP on the public JWK alone; RFC 8037's Ed25519 example;
 * the key file (made 0600, refused when others may read it or of another
 * size); a rotation published at once, signing after the publish delay,
 * the old key retired and then dropped after the retire delay. */
#include "core/signing.h"

#include <criterion/criterion.h>
#include <jansson.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/err.h"
#include "cli/cli.h"
#include "core/jose.h"
#include "core/key_file.h"
#include "core/signing_keys.h"
#include "store/store.h"

#define CLAIMS	"{\"iss\":\"https://id.example.com\",\"sub\":\"42\"}"

static char dir[] = "/tmp/kg-unit-signing-XXXXXX";
static char db[128], keyfile[160];
static struct config cfg;
static struct keygate kg;

static void
remove_all(void)
{
	static const char *const ext[] = { "", "-wal", "-shm", ".key" };
	char path[200];

	for (size_t i = 0; i < sizeof(ext) / sizeof(*ext); i++) {
		snprintf(path, sizeof(path), "%s%s", db, ext[i]);
		unlink(path);
	}
	unlink(keyfile);
	rmdir(dir);
}

static void
setup(void)
{
	char err[512];

	cr_assert_not_null(mkdtemp(dir));
	snprintf(db, sizeof(db), "%s/keygate.db", dir);
	snprintf(keyfile, sizeof(keyfile), "%s/other.key", dir);
	config_init(&cfg);
	free(cfg.db);
	cfg.db = strdup(db);
	cfg.test_clock = true;
	cr_assert_eq(cli_open(&kg, &cfg), 0);
	cr_assert_eq(signing_keys_open(&kg, err, sizeof(err)), 0, "%s", err);
}

static void
teardown(void)
{
	signing_keys_close(&kg);
	cli_close(&kg);
	config_release(&cfg);
	remove_all();
}

static char *
sign(enum jws_alg alg)
{
	struct buf out;

	buf_init(&out, 16384);
	cr_assert_eq(signing_sign(&kg, alg, STR_LIT(CLAIMS), &out), 0);
	return buf_detach(&out, NULL);
}

static int
verify(const char *jws)
{
	struct buf payload;
	int rc;

	buf_init(&payload, 16384);
	rc = signing_verify(&kg, str_from(jws), &payload);
	if (rc == 0)
		cr_expect_str_eq(payload.p, CLAIMS);
	buf_release(&payload);
	return rc;
}

static unsigned char *
unb64(const char *s, size_t n, size_t *len)
{
	unsigned char *raw = malloc(n + 1);

	cr_assert_eq(sodium_base642bin(raw, n + 1, s, n, NULL, len, NULL,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING), 0);
	return raw;
}

static BIGNUM *
jwk_bn(json_t *jwk, const char *name)
{
	const char *v = json_string_value(json_object_get(jwk, name));
	size_t len;
	unsigned char *raw;
	BIGNUM *bn;

	cr_assert_not_null(v, "JWK member %s", name);
	raw = unb64(v, strlen(v), &len);
	bn = BN_bin2bn(raw, (int)len, NULL);
	free(raw);
	return bn;
}

/* The public key of a JWK of the JWKS, built by OpenSSL from its members
 * alone: what a relying party does. */
static EVP_PKEY *
key_of_jwk(json_t *jwk)
{
	const char *kty = json_string_value(json_object_get(jwk, "kty"));
	EVP_PKEY_CTX *ctx;
	EVP_PKEY *k = NULL;
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params;
	unsigned char point[65], *raw;
	BIGNUM *n = NULL, *e = NULL;
	size_t len;

	if (strcmp(kty, "OKP") == 0) {
		const char *x = json_string_value(json_object_get(jwk, "x"));

		raw = unb64(x, strlen(x), &len);
		k = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, raw,
		    len);
		free(raw);
		OSSL_PARAM_BLD_free(bld);
		return k;
	}
	if (strcmp(kty, "RSA") == 0) {
		n = jwk_bn(jwk, "n");
		e = jwk_bn(jwk, "e");
		OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n);
		OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e);
	} else {
		BIGNUM *x = jwk_bn(jwk, "x"), *y = jwk_bn(jwk, "y");

		point[0] = 4;
		BN_bn2binpad(x, point + 1, 32);
		BN_bn2binpad(y, point + 33, 32);
		BN_free(x);
		BN_free(y);
		OSSL_PARAM_BLD_push_utf8_string(bld,
		    OSSL_PKEY_PARAM_GROUP_NAME, "P-256", 0);
		OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY,
		    point, sizeof(point));
	}
	params = OSSL_PARAM_BLD_to_param(bld);
	ctx = EVP_PKEY_CTX_new_from_name(NULL, kty, NULL);
	cr_assert_eq(EVP_PKEY_fromdata_init(ctx), 1);
	cr_assert_eq(EVP_PKEY_fromdata(ctx, &k, EVP_PKEY_PUBLIC_KEY, params),
	    1);
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(n);
	BN_free(e);
	return k;
}

/* The JWK of kid in the JWKS (a new reference), or NULL. */
static json_t *
jwks_entry(const char *kid)
{
	struct buf b;
	json_t *doc, *hit = NULL, *k;
	size_t i;

	buf_init(&b, 65536);
	cr_assert_eq(signing_jwks(&kg, &b), 0);
	doc = json_loads(b.p, 0, NULL);
	cr_assert_not_null(doc, "the JWKS is JSON");
	buf_release(&b);
	json_array_foreach(json_object_get(doc, "keys"), i, k)
		if (strcmp(json_string_value(json_object_get(k, "kid")),
		    kid) == 0)
			hit = json_incref(k);
	json_decref(doc);
	return hit;
}

/* The kid in a JWS's header. */
static void
kid_of(const char *jws, char kid[SIGNING_KID_MAX])
{
	size_t len;
	unsigned char *raw = unb64(jws, strcspn(jws, "."), &len);
	json_t *h = json_loadb((const char *)raw, len, 0, NULL);

	snprintf(kid, SIGNING_KID_MAX, "%s",
	    json_string_value(json_object_get(h, "kid")));
	json_decref(h);
	free(raw);
}

/* Checks jws with OpenSSL alone, on the JWKS's public key. */
static bool
openssl_accepts(const char *jws, enum jws_alg alg)
{
	char kid[SIGNING_KID_MAX];
	const char *dot2 = strrchr(jws, '.');
	json_t *jwk;
	EVP_PKEY *k;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char *sig, *der = NULL;
	size_t siglen;
	int derlen = 0;
	bool ok;

	kid_of(jws, kid);
	jwk = jwks_entry(kid);
	cr_assert_not_null(jwk, "the signing kid is in the JWKS");
	k = key_of_jwk(jwk);
	cr_assert_not_null(k);
	sig = unb64(dot2 + 1, strlen(dot2 + 1), &siglen);
	if (alg == JWS_ES256) {
		ECDSA_SIG *es = ECDSA_SIG_new();

		cr_assert_eq(siglen, 64, "ES256 signs R||S, 64 bytes");
		ECDSA_SIG_set0(es, BN_bin2bn(sig, 32, NULL),
		    BN_bin2bn(sig + 32, 32, NULL));
		derlen = i2d_ECDSA_SIG(es, &der);
		ECDSA_SIG_free(es);
	}
	ok = EVP_DigestVerifyInit(ctx, NULL, alg == JWS_EDDSA ? NULL :
	    EVP_sha256(), NULL, k) == 1 && EVP_DigestVerify(ctx,
	    der != NULL ? der : sig, der != NULL ? (size_t)derlen : siglen,
	    (const unsigned char *)jws, (size_t)(dot2 - jws)) == 1;
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(k);
	OPENSSL_free(der);
	free(sig);
	json_decref(jwk);
	return ok;
}

Test(signing, each_alg_signs_and_verifies, .init = setup, .fini = teardown)
{
	for (int a = 0; a < JWS_ALG_COUNT; a++) {
		char *jws = sign((enum jws_alg)a);
		size_t len;
		unsigned char *raw = unb64(jws, strcspn(jws, "."), &len);
		json_t *h = json_loadb((const char *)raw, len, 0, NULL);

		cr_expect_str_eq(json_string_value(json_object_get(h, "alg")),
		    jws_alg_name((enum jws_alg)a));
		cr_expect_str_eq(json_string_value(json_object_get(h, "typ")),
		    "JWT");
		cr_expect_null(strchr(jws, '='), "no padding");
		cr_expect_eq(verify(jws), 0, "%s verifies",
		    jws_alg_name((enum jws_alg)a));
		cr_expect(openssl_accepts(jws, (enum jws_alg)a),
		    "OpenSSL alone accepts the %s signature",
		    jws_alg_name((enum jws_alg)a));
		json_decref(h);
		free(raw);
		free(jws);
	}
}

Test(signing, tampering_is_refused, .init = setup, .fini = teardown)
{
	for (int a = 0; a < JWS_ALG_COUNT; a++) {
		char *jws = sign((enum jws_alg)a);
		size_t n = strlen(jws), sig = (size_t)(strrchr(jws, '.') - jws);
		char *bad = malloc(n + 8);

		/* one bit of the payload, then of the signature */
		strcpy(bad, jws);
		bad[strcspn(jws, ".") + 3] ^= 0x01;
		cr_expect_eq(verify(bad), ERR_AUTH, "payload bit");
		strcpy(bad, jws);
		bad[sig + 5] = bad[sig + 5] == 'A' ? 'B' : 'A';
		cr_expect_eq(verify(bad), ERR_AUTH, "signature bit");
		snprintf(bad, n + 8, "%s.", jws);
		cr_expect_eq(verify(bad), ERR_AUTH, "an extra dot");
		snprintf(bad, n + 8, "%s==", jws);
		cr_expect_eq(verify(bad), ERR_AUTH, "padding");
		strcpy(bad, jws);
		bad[sig + 2] = '+';
		cr_expect_eq(verify(bad), ERR_AUTH, "not base64url");
		cr_expect_eq(verify(strchr(jws, '.') + 1), ERR_AUTH,
		    "two parts");
		free(bad);
		free(jws);
	}
}

/* A JWS of `header` (the kid of alg's current key between its halves)
 * and CLAIMS, really signed by that key: what it refuses, it refuses
 * for the header, not for a broken signature. */
static char *
signed_with(const char *const header[2], enum jws_alg alg)
{
	char kid[SIGNING_KID_MAX], h[256];
	unsigned char sig[JOSE_SIG_MAX];
	EVP_PKEY *k = signing_keys_current(&kg, alg, kid);
	size_t siglen;
	struct buf b;

	cr_assert_not_null(k);
	snprintf(h, sizeof(h), "%s%s%s", header[0], kid, header[1]);
	buf_init(&b, 16384);
	jose_b64url(&b, (const unsigned char *)h, strlen(h));
	buf_puts(&b, ".");
	jose_b64url(&b, (const unsigned char *)CLAIMS, strlen(CLAIMS));
	cr_assert_eq(jose_sign(k, alg, (const unsigned char *)b.p, b.len,
	    sig, &siglen), 0);
	buf_puts(&b, ".");
	jose_b64url(&b, sig, siglen);
	EVP_PKEY_free(k);
	return buf_detach(&b, NULL);
}

Test(signing, headers_are_checked, .init = setup, .fini = teardown)
{
	static const char *const good[2] = { "{\"alg\":\"RS256\",\"kid\":\"",
	    "\"}" };
	/* each header with the kid between its two halves, signed by
	 * RS256's current key */
	static const char *const bad[][2] = {
		{ "{\"alg\":\"none\",\"kid\":\"", "\",\"typ\":\"JWT\"}" },
		{ "{\"alg\":\"ES256\",\"kid\":\"", "\",\"typ\":\"JWT\"}" },
		{ "{\"alg\":\"HS256\",\"kid\":\"", "\",\"typ\":\"JWT\"}" },
		{ "{\"alg\":\"rs256\",\"kid\":\"", "\",\"typ\":\"JWT\"}" },
		{ "{\"alg\":\"RS256\",\"kid\":\"", "\",\"crit\":[\"x\"]}" },
		{ "{\"alg\":\"RS256\",\"kid\":\"", "\",\"jku\":\"https://x\"}" },
		{ "{\"alg\":\"RS256\",\"kid\":\"", "x\",\"typ\":\"JWT\"}" },
		{ "{\"alg\":\"RS256\",\"typ\":\"", "\"}" },
		{ "{\"alg\":\"RS256\",\"alg\":\"RS256\",\"kid\":\"", "\"}" },
		{ "[\"", "\"]" },
	};
	char *jws = signed_with(good, JWS_RS256);

	cr_expect_eq(verify(jws), 0, "a header of alg and kid alone verifies");
	free(jws);
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		jws = signed_with(bad[i], JWS_RS256);
		cr_expect_eq(verify(jws), ERR_AUTH, "header %s...%s",
		    bad[i][0], bad[i][1]);
		free(jws);
	}
	/* "none" with no signature at all */
	jws = signed_with(bad[0], JWS_RS256);
	*(strrchr(jws, '.') + 1) = '\0';
	cr_expect_eq(verify(jws), ERR_AUTH, "alg none, empty signature");
	free(jws);
}

/* RFC 8037 appendix A.1 and A.4: the Ed25519 key and its signature of
 * the example payload. */
Test(signing, rfc8037_ed25519_example)
{
	static const char d[] = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A";
	static const char input[] = "eyJhbGciOiJFZERTQSJ9."
	    "RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc";
	static const char want[] = "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AI"
	    "bQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg";
	unsigned char seed[32], sig[JOSE_SIG_MAX];
	size_t len, siglen;
	EVP_PKEY *k;
	struct buf b;

	cr_assert_eq(sodium_init() >= 0, 1);
	cr_assert_eq(sodium_base642bin(seed, sizeof(seed), d, strlen(d), NULL,
	    &len, NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING), 0);
	k = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, len);
	cr_assert_not_null(k);
	cr_assert_eq(jose_sign(k, JWS_EDDSA, (const unsigned char *)input,
	    strlen(input), sig, &siglen), 0);
	buf_init(&b, 256);
	jose_b64url(&b, sig, siglen);
	cr_expect_str_eq(b.p, want);
	cr_expect(jose_verify(k, JWS_EDDSA, (const unsigned char *)input,
	    strlen(input), sig, siglen));
	sig[0] ^= 1;
	cr_expect_not(jose_verify(k, JWS_EDDSA, (const unsigned char *)input,
	    strlen(input), sig, siglen));
	buf_release(&b);
	buf_init(&b, 256);
	cr_assert_eq(jose_public_jwk(k, JWS_EDDSA, "k", &b), 0);
	cr_expect(strstr(b.p, "\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaa"
	    "PcHURo\"") != NULL, "the RFC's public key: %s", b.p);
	buf_release(&b);
	EVP_PKEY_free(k);
}

Test(signing, half_hash)
{
	char out[SIGNING_HALF_HASH_MAX];

	/* OpenID Connect Core's example access token and at_hash (A.3) */
	cr_expect_eq(signing_half_hash(JWS_RS256,
	    STR_LIT("jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y"), out), 22);
	cr_expect_str_eq(out, "77QmUPtjPfzWtF2AnpK9RQ");
	cr_expect_eq(signing_half_hash(JWS_EDDSA, STR_LIT("x"), out), 43,
	    "half of SHA-512");
}

/* The key's state as `keygate keys list` gives it. */
static enum key_state
state(const char *kid)
{
	struct key_info *k;
	size_t n;
	enum key_state s = (enum key_state)-1;

	cr_assert_eq(signing_keys_list(&kg, &k, &n), 0);
	for (size_t i = 0; i < n; i++)
		if (strcmp(k[i].kid, kid) == 0)
			s = k[i].state;
	free(k);
	return s;
}

#define MARGIN_S	30

Test(signing, rotation_publishes_then_signs_then_drops, .init = setup,
    .fini = teardown)
{
	char *jws = sign(JWS_ES256), old[SIGNING_KID_MAX];
	char fresh[SIGNING_KID_MAX], now_kid[SIGNING_KID_MAX];
	json_t *j;

	kid_of(jws, old);
	free(jws);
	cfg.key_publish_delay_s = 600;
	cfg.key_retire_delay_s = 3000;
	cr_assert_eq(signing_keys_rotate(&kg, JWS_ES256, fresh), 0);
	cr_expect_str_neq(fresh, old);
	cr_expect_eq(state(fresh), KEY_NEXT);
	cr_expect_not_null(j = jwks_entry(fresh), "published at once");
	json_decref(j);
	jws = sign(JWS_ES256);
	kid_of(jws, now_kid);
	cr_expect_str_eq(now_kid, old, "the old key signs meanwhile");
	free(jws);
	/* The test clock is the wall clock plus the advances, so each "just
	 * before" leaves a margin for the wall clock's seconds of a slow run
	 * (valgrind's) between the advance and the call. */
	cr_assert_eq(clock_advance(kg.clock, 600 - MARGIN_S), 0);
	jws = sign(JWS_ES256);
	kid_of(jws, now_kid);
	cr_expect_str_eq(now_kid, old, "just before the delay");
	cr_expect_eq(verify(jws), 0);
	cr_assert_eq(clock_advance(kg.clock, MARGIN_S), 0);
	cr_expect_eq(state(fresh), KEY_CURRENT);
	cr_expect_eq(state(old), KEY_RETIRED);
	free(jws);
	jws = sign(JWS_ES256);
	kid_of(jws, now_kid);
	cr_expect_str_eq(now_kid, fresh, "the new key signs after the delay");
	free(jws);
	/* an old signature still verifies while its key is published */
	cr_assert_eq(clock_advance(kg.clock, 3000 - MARGIN_S), 0);
	cr_expect_not_null(j = jwks_entry(old));
	json_decref(j);
	cr_assert_eq(clock_advance(kg.clock, MARGIN_S), 0);
	cr_expect_eq(state(old), KEY_EXPIRED);
	cr_expect_null(jwks_entry(old), "dropped after the retire delay");
	cr_expect_eq(state(fresh), KEY_CURRENT);
}

Test(signing, keys_are_shared_and_sealed, .init = setup, .fini = teardown)
{
	struct keygate other;
	struct signing_key_row *rows;
	size_t n;
	char err[512], *jws = sign(JWS_RS256);
	struct buf payload;

	/* a second process on the store makes no keys of its own and
	 * verifies the first one's signature */
	memset(&other, 0, sizeof(other));
	cr_assert_eq(cli_open(&other, &cfg), 0);
	cr_assert_eq(signing_keys_open(&other, err, sizeof(err)), 0);
	cr_assert_eq(store_signing_key_list(other.store, &rows, &n), 0);
	cr_expect_eq(n, JWS_ALG_COUNT, "one key per alg, not two");
	for (size_t i = 0; i < n; i++)
		cr_expect_null(strstr(rows[i].private_sealed, "MII"),
		    "no PKCS#8 DER in base64 in the store");
	free(rows);
	buf_init(&payload, 4096);
	cr_expect_eq(signing_verify(&other, str_from(jws), &payload), 0);
	buf_release(&payload);
	signing_keys_close(&other);
	/* with another key file, the keys do not open: refused, clearly */
	free(cfg.key_file);
	cfg.key_file = strdup(keyfile);
	cr_expect_eq(signing_keys_open(&other, err, sizeof(err)),
	    ERR_INVALID);
	cr_expect(strstr(err, "does not open") != NULL, "%s", err);
	free(cfg.key_file);
	cfg.key_file = NULL;
	cli_close(&other);
	free(jws);
}

Test(signing, key_file_rules, .init = setup, .fini = teardown)
{
	unsigned char key[SECURE_KEY_BYTES], again[SECURE_KEY_BYTES];
	char err[512], path[200];
	struct stat sb;
	FILE *f;

	snprintf(path, sizeof(path), "%s.key", db);
	cr_assert_eq(stat(path, &sb), 0, "made beside the database");
	cr_expect_eq(sb.st_mode & 0777, 0600);
	cr_expect_eq(sb.st_size, SECURE_KEY_BYTES);
	cr_assert_eq(key_file_load(keyfile, key, err, sizeof(err)), 0);
	cr_assert_eq(key_file_load(keyfile, again, err, sizeof(err)), 0);
	cr_expect_eq(memcmp(key, again, sizeof(key)), 0, "read back");
	chmod(keyfile, 0640);
	cr_expect_eq(key_file_load(keyfile, key, err, sizeof(err)),
	    ERR_INVALID);
	cr_expect(strstr(err, "chmod 600") != NULL, "%s", err);
	chmod(keyfile, 0600);
	f = fopen(keyfile, "a");
	fputs("x", f);
	fclose(f);
	cr_expect_eq(key_file_load(keyfile, key, err, sizeof(err)),
	    ERR_INVALID);
	cr_expect(strstr(err, "33 bytes") != NULL, "%s", err);
}
