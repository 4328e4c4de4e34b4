/* client/dpop.c: the DPoP proof (RFC 9449 §4) is a JWS that libsodium
 * verifies over header.payload with the key of its own jwk, with the
 * claims asked for; the thumbprint and ath agree with the RFCs' own
 * examples; the token file keeps the key and the token type, and an
 * older file without them is a Bearer pair; the trees that held the
 * file's secrets are wiped before jansson frees them. */
#include "client_int.h"

#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define B64URL	sodium_base64_VARIANT_URLSAFE_NO_PADDING
#define IAT	1700000000LL

/* RFC 8037 Appendix A.1-A.3: an Ed25519 key and its RFC 7638
 * thumbprint. */
static const char rfc8037_d[] = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A";
static const char rfc8037_x[] = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";
static const char rfc8037_jkt[] = "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k";
/* RFC 9449 §7.1, Figure 12 and 13: an access token and its ath. */
static const char rfc9449_at[] = "Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU";
static const char rfc9449_ath[] = "fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo";

struct jws {
	json_t		*header;
	json_t		*claims;
	unsigned char	 sig[crypto_sign_BYTES];
	size_t		 signed_len;	/* header.payload */
};

static json_t *
decode_part(const char *b64, size_t len)
{
	unsigned char buf[2048];
	size_t n = 0;

	cr_assert_eq(sodium_base642bin(buf, sizeof(buf) - 1, b64, len, NULL,
	    &n, NULL, B64URL), 0);
	buf[n] = '\0';
	return json_loads((const char *)buf, 0, NULL);
}

static void
split(const char *proof, struct jws *j)
{
	const char *d1 = strchr(proof, '.'), *d2 = d1 ? strchr(d1 + 1, '.') :
	    NULL;
	size_t n = 0;

	cr_assert(d1 != NULL && d2 != NULL && strchr(d2 + 1, '.') == NULL);
	j->header = decode_part(proof, (size_t)(d1 - proof));
	j->claims = decode_part(d1 + 1, (size_t)(d2 - d1 - 1));
	cr_assert(json_is_object(j->header) && json_is_object(j->claims));
	cr_assert_eq(sodium_base642bin(j->sig, sizeof(j->sig), d2 + 1,
	    strlen(d2 + 1), NULL, &n, NULL, B64URL), 0);
	cr_assert_eq(n, sizeof(j->sig));
	j->signed_len = (size_t)(d2 - proof);
}

static const char *
str(json_t *o, const char *name)
{
	const char *s = json_string_value(json_object_get(o, name));

	return s != NULL ? s : "(none)";
}

/* The verifier's side: the public key is the one the proof names. */
static bool
verifies(const char *proof, const struct jws *j)
{
	json_t *jwk = json_object_get(j->header, "jwk");
	unsigned char pk[crypto_sign_PUBLICKEYBYTES];
	const char *x = str(jwk, "x");
	size_t n = 0;

	if (sodium_base642bin(pk, sizeof(pk), x, strlen(x), NULL, &n, NULL,
	    B64URL) != 0 || n != sizeof(pk))
		return false;
	return crypto_sign_verify_detached(j->sig,
	    (const unsigned char *)proof, j->signed_len, pk) == 0;
}

static void
rfc_key(struct kg_dpop_key *k)
{
	cr_assert_eq(kg_dpop_key_from_b64(rfc8037_d, k), 0);
}

Test(dpop, the_proof_verifies_with_its_own_jwk)
{
	struct kg_dpop_key k;
	struct kg_dpop_claims cl = { .htm = "POST", .url =
	    "https://id.example.org/oauth2/token", .iat = IAT };
	struct jws j;
	json_t *jwk;
	char *proof;

	cr_assert_eq(sodium_init() >= 0, true);
	kg_dpop_key_new(&k);
	proof = kg_dpop_proof(&k, &cl);
	split(proof, &j);
	cr_expect_str_eq(str(j.header, "typ"), "dpop+jwt");
	cr_expect_str_eq(str(j.header, "alg"), "EdDSA");
	jwk = json_object_get(j.header, "jwk");
	cr_expect_str_eq(str(jwk, "kty"), "OKP");
	cr_expect_str_eq(str(jwk, "crv"), "Ed25519");
	/* RFC 9449 §4.2: the public key only */
	cr_expect_null(json_object_get(jwk, "d"));
	cr_expect(verifies(proof, &j));
	/* One byte of the claims changed: the signature no longer holds. */
	proof[strchr(proof, '.') - proof + 5] ^= 1;
	cr_expect_not(verifies(proof, &j));
	json_decref(j.header);
	json_decref(j.claims);
	free(proof);
}

Test(dpop, the_claims_as_asked)
{
	struct kg_dpop_key k;
	struct kg_dpop_claims cl = { .htm = "GET", .url =
	    "https://api.example.org:8443/v3/account/summary?x=1#frag",
	    .access_token = rfc9449_at, .nonce = "eyJ7S_zG.eyJH0-Z.HX4w-7v",
	    .iat = IAT };
	struct jws j;
	char *proof;

	rfc_key(&k);
	proof = kg_dpop_proof(&k, &cl);
	split(proof, &j);
	cr_expect_str_eq(str(json_object_get(j.header, "jwk"), "x"),
	    rfc8037_x);
	cr_expect_str_eq(str(j.claims, "htm"), "GET");
	/* RFC 9449 §4.2: without query and fragment */
	cr_expect_str_eq(str(j.claims, "htu"),
	    "https://api.example.org:8443/v3/account/summary");
	cr_expect_eq(json_integer_value(json_object_get(j.claims, "iat")),
	    IAT);
	cr_expect_str_eq(str(j.claims, "ath"), rfc9449_ath);
	cr_expect_str_eq(str(j.claims, "nonce"), "eyJ7S_zG.eyJH0-Z.HX4w-7v");
	/* 16 bytes or more of randomness: 22 base64url characters */
	cr_expect_geq(strlen(str(j.claims, "jti")), 22);
	cr_expect(verifies(proof, &j));
	json_decref(j.header);
	json_decref(j.claims);
	free(proof);
}

Test(dpop, no_ath_or_nonce_unless_given)
{
	struct kg_dpop_key k;
	struct kg_dpop_claims cl = { .htm = "POST", .url =
	    "https://id.example.org/oauth2/token", .iat = IAT };
	struct jws j;
	char *proof;

	rfc_key(&k);
	proof = kg_dpop_proof(&k, &cl);
	split(proof, &j);
	cr_expect_null(json_object_get(j.claims, "ath"));
	cr_expect_null(json_object_get(j.claims, "nonce"));
	cr_expect_str_eq(str(j.claims, "htu"),
	    "https://id.example.org/oauth2/token");
	json_decref(j.header);
	json_decref(j.claims);
	free(proof);
}

Test(dpop, a_different_jti_every_time)
{
	struct kg_dpop_key k;
	struct kg_dpop_claims cl = { .htm = "GET", .url = "https://a.example/",
	    .iat = IAT };
	char seen[64][64];
	struct jws j;
	char *proof;
	int i, m;

	kg_dpop_key_new(&k);
	for (i = 0; i < 64; i++) {
		proof = kg_dpop_proof(&k, &cl);
		split(proof, &j);
		snprintf(seen[i], sizeof(seen[i]), "%s", str(j.claims, "jti"));
		for (m = 0; m < i; m++)
			cr_expect_str_neq(seen[i], seen[m]);
		json_decref(j.header);
		json_decref(j.claims);
		free(proof);
	}
}

Test(dpop, thumbprint_and_seed_as_rfc_8037)
{
	struct kg_dpop_key k, again;
	char jkt[48], *seed;

	rfc_key(&k);
	kg_dpop_jkt(&k, jkt, sizeof(jkt));
	cr_expect_str_eq(jkt, rfc8037_jkt);
	seed = kg_dpop_key_to_b64(&k);
	cr_expect_str_eq(seed, rfc8037_d);
	cr_assert_eq(kg_dpop_key_from_b64(seed, &again), 0);
	cr_expect_eq(memcmp(again.sk, k.sk, sizeof(k.sk)), 0);
	kg_free_secret(seed);
	cr_expect_neq(kg_dpop_key_from_b64("c2hvcnQ", &again), 0);
	cr_expect_not(again.set);
	cr_expect_neq(kg_dpop_key_from_b64("not base64url!", &again), 0);
}

Test(dpop, two_keys_two_thumbprints)
{
	struct kg_dpop_key a, b;
	char ja[48], jb[48];

	kg_dpop_key_new(&a);
	kg_dpop_key_new(&b);
	kg_dpop_jkt(&a, ja, sizeof(ja));
	kg_dpop_jkt(&b, jb, sizeof(jb));
	cr_expect_eq(strlen(ja), 43);
	cr_expect_str_neq(ja, jb);
}

Test(dpop, nonces_per_origin)
{
	struct kg_client *c;
	char *n;
	int i;

	cr_assert_eq(kg_client_new("https://id.example.org", "k", NULL, &c),
	    0);
	kg_dpop_nonce_set(c, "https://id.example.org/oauth2/token", "n1");
	n = kg_dpop_nonce_get(c, "https://id.example.org/v3/x?y=1");
	cr_expect_str_eq(n, "n1");
	free(n);
	cr_expect_null(kg_dpop_nonce_get(c, "https://api.example.org/v3"));
	cr_expect_null(kg_dpop_nonce_get(c, "https://id.example.org:8443/"));
	/* the latest wins; a malformed one (a quote) is not kept */
	kg_dpop_nonce_set(c, "https://id.example.org/", "n2");
	kg_dpop_nonce_set(c, "https://id.example.org/", "bad\"nonce");
	kg_dpop_nonce_set(c, "https://id.example.org/", NULL);
	n = kg_dpop_nonce_get(c, "https://id.example.org");
	cr_expect_str_eq(n, "n2");
	free(n);
	/* bounded: more origins than slots push the oldest out */
	for (i = 0; i < KG_DPOP_NONCE_ORIGINS; i++) {
		char url[64];

		snprintf(url, sizeof(url), "https://h%d.example/", i);
		kg_dpop_nonce_set(c, url, "x");
	}
	cr_expect_null(kg_dpop_nonce_get(c, "https://id.example.org/"));
	kg_client_free(c);
}

static char *
tmp_file(void)
{
	static char path[64];

	snprintf(path, sizeof(path), "/tmp/kg-dpop-test-%d.json", getpid());
	return path;
}

static struct kg_file
a_file(void)
{
	struct kg_file f = { .issuer = "https://id.example.org",
	    .api_key = "key", .idle_ttl_s = 7200, .max_ttl_s = 86400 };

	f.tok.access_token = "at";
	f.tok.refresh_token = "rt";
	f.tok.issued_at = IAT;
	f.tok.unused_ttl_s = 3600;
	return f;
}

Test(dpop, the_token_file_keeps_key_and_type)
{
	struct kg_file f = a_file(), back;
	const char *path = tmp_file();

	rfc_key(&f.tok.key);
	f.tok.dpop = true;
	cr_assert_eq(kg_file_save(path, &f), 0);
	cr_assert_eq(kg_file_load(path, &back), 0);
	cr_expect(back.tok.dpop);
	cr_expect(back.tok.key.set);
	cr_expect_eq(memcmp(back.tok.key.sk, f.tok.key.sk, sizeof(f.tok.key.sk)),
	    0);
	kg_file_release(&back);
	unlink(path);
}

static int
load_text(const char *text, struct kg_file *out)
{
	const char *path = tmp_file();
	FILE *fp = fopen(path, "w");

	cr_assert(fp != NULL);
	fputs(text, fp);
	fclose(fp);
	chmod(path, 0600);
	return kg_file_load(path, out);
}

#define HEAD "{\"format\":\"keygate-client-1\",\"issuer\":\"https://i\"," \
	"\"api_key\":\"k\",\"tokens\":{\"access_token\":\"a\"," \
	"\"refresh_token\":\"r\",\"issued_at\":1700000000"

Test(dpop, an_older_file_is_bearer_and_a_broken_one_refused)
{
	struct kg_file f;

	cr_assert_eq(load_text(HEAD "}}", &f), 0);
	cr_expect_not(f.tok.dpop);
	cr_expect_not(f.tok.key.set);
	kg_file_release(&f);
	/* DPoP without its key could never make a proof */
	cr_expect_eq(load_text(HEAD ",\"token_type\":\"DPoP\"}}", &f),
	    KG_CLIENT_ERR_FILE);
	cr_expect_eq(load_text(HEAD ",\"token_type\":\"DPoP\","
	    "\"dpop_key\":\"c2hvcnQ\"}}", &f), KG_CLIENT_ERR_FILE);
	cr_expect_eq(load_text(HEAD ",\"token_type\":\"MAC\"}}", &f),
	    KG_CLIENT_ERR_FILE);
	cr_assert_eq(load_text(HEAD ",\"token_type\":\"DPoP\",\"dpop_key\":\""
	    "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A\"}}", &f), 0);
	cr_expect(f.tok.dpop);
	kg_file_release(&f);
	unlink(tmp_file());
}

/* The token file's tree is wiped before jansson frees it: every string
 * value zeroed in place, keys and numbers left, a subtree held
 * elsewhere too left whole. */
Test(client_secrets, json_wipe)
{
	json_t *shared = json_string("kept");
	json_t *t = json_pack("{s:s, s:[s], s:i, s:O}", "refresh_token",
	    "kg_rt_secret", "list", "kg_at_secret", "n", 7, "other", shared);
	const char *rt = json_string_value(json_object_get(t,
	    "refresh_token"));
	static const char zero[12];

	cr_assert_not_null(t);
	kg_json_wipe(t);
	cr_expect_eq(json_string_length(json_object_get(t, "refresh_token")),
	    12u, "the length stays");
	cr_expect_eq(memcmp(rt, zero, sizeof(zero)), 0, "the bytes are gone");
	cr_expect_eq(json_string_value(json_array_get(json_object_get(t,
	    "list"), 0))[0], '\0');
	cr_expect_eq(json_integer_value(json_object_get(t, "n")), 7);
	cr_expect_str_eq(json_string_value(shared), "kept");
	kg_json_free_secret(t);
	cr_expect_str_eq(json_string_value(shared), "kept");
	json_decref(shared);
}

