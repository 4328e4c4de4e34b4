/* keygate-bench-dpop: what a DPoP-bound check costs beyond a Bearer one,
 * and the proofs the bench's wrk runs present (bench/README.md).
 *
 *   keygate-bench-dpop --rate [--n N] [--algs ES256,EdDSA,RS256]
 *       per alg, in CPU time of this thread (CLOCK_THREAD_CPUTIME_ID,
 *       which the machine's other work does not inflate): N calls of
 *       jose_verify() on a proof's signature, the call core/dpop.c makes,
 *       and N dpop_check() calls on N distinct proofs (parse, the jwk
 *       and its thumbprint, the signature, the claims, the replay
 *       memory). One JSON object a line:
 *       {"alg":..,"n":..,"verify_us":..,"verify_per_s":..,
 *        "check_us":..,"check_per_s":..,"proof_bytes":..}
 *   keygate-bench-dpop --new-key FILE --alg ALG
 *       a key of ALG into FILE (PKCS#8 DER, 0600, a new file); prints
 *       its RFC 7638 thumbprint (base64url), what keygate-bench-fill
 *       --dpop-jkt binds tokens to
 *   keygate-bench-dpop --proofs N --tokens FILE --url URL --key FILE
 *       [--out FILE]
 *       N lines "token proof", every line the same length (bench.lua
 *       seeks to line i): a token drawn at random from FILE's lines, a
 *       proof by the key of htm GET, htu URL, iat when made, a jti of
 *       its own and the token's ath. A proof is good for 60 s and once.
 *
 * Exits 2 on bad usage, 1 when it cannot do its work. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/secure.h"
#include "core/dpop.h"
#include "core/dpop_jwk.h"
#include "core/jose.h"
#include "core/keygate.h"

#define MAX_N		1000000
#define JTI_RAW		16
#define LINE_MAX_BYTES	(DPOP_PROOF_MAX_BYTES + 256)
#define TOKEN_MAX	200
/* any access token: the proofs of --rate carry its ath */
#define RATE_TOKEN	"kga_bench0123456789abcdefghijklmnopqrstuvwxyzABCDEFGH"
#define RATE_HTU	"http://127.0.0.1:8080/oauth2/check"

struct key {
	EVP_PKEY	*k;
	enum jws_alg	 alg;
	struct buf	 jwk;	/* the public JWK, for the proofs' header */
	unsigned char	 jkt[DPOP_JKT_BYTES];
};

static void
usage(FILE *out, const char *why)
{
	if (why != NULL)
		fprintf(out, "keygate-bench-dpop: %s\n", why);
	fprintf(out, "usage: keygate-bench-dpop --rate [--n N (2000)] "
	    "[--algs ES256,EdDSA,RS256]\n"
	    "       keygate-bench-dpop --new-key FILE --alg ALG\n"
	    "       keygate-bench-dpop --proofs N --tokens FILE --url URL "
	    "--key FILE [--out FILE]\n");
	exit(out == stdout ? 0 : 2);
}

static void
fail(const char *what, const char *detail)
{
	fprintf(stderr, "keygate-bench-dpop: %s%s%s\n", what,
	    detail != NULL ? ": " : "", detail != NULL ? detail : "");
	exit(1);
}

static double
cpu_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/* The public JWK and the thumbprint of k, read back by core/dpop_jwk.c
 * as a server reads a proof's: the jkt is the one keygate computes. */
static void
key_finish(struct key *key)
{
	json_t *jwk;
	EVP_PKEY *back = NULL;
	const char *why = "not JSON";

	buf_init(&key->jwk, 4096);
	if (jose_public_jwk(key->k, key->alg, "bench", &key->jwk) != 0 ||
	    key->jwk.err != 0)
		fail("cannot write the public jwk", NULL);
	jwk = json_loadb(key->jwk.p, key->jwk.len, 0, NULL);
	if (jwk == NULL || dpop_jwk_key(jwk, key->alg, &back, key->jkt,
	    &why) != 0)
		fail("keygate does not take the key's jwk", why);
	EVP_PKEY_free(back);
	json_decref(jwk);
}

static void
key_release(struct key *key)
{
	EVP_PKEY_free(key->k);
	buf_release(&key->jwk);
}

static void
b64url_json(struct buf *out, const struct buf *json)
{
	jose_b64url(out, (const unsigned char *)json->p, json->len);
}

/* A proof of GET htu at iat, with a new jti and the token's ath. */
static void
make_proof(const struct key *key, const char *htu, const char *token,
    int64_t iat, struct buf *out)
{
	unsigned char raw[JTI_RAW], ath[SECURE_HASH_BYTES];
	unsigned char sig[JOSE_SIG_MAX];
	struct buf json, jti, athb;
	size_t siglen;

	buf_init(&json, DPOP_PROOF_MAX_BYTES);
	buf_init(&jti, 64);
	buf_init(&athb, 64);
	secure_random(raw, sizeof(raw));
	jose_b64url(&jti, raw, sizeof(raw));
	secure_hash(str_from(token), ath);
	jose_b64url(&athb, ath, sizeof(ath));
	buf_reset(out);
	buf_printf(&json, "{\"typ\":\"dpop+jwt\",\"alg\":\"%s\",\"jwk\":%s}",
	    jws_alg_name(key->alg), key->jwk.p);
	b64url_json(out, &json);
	buf_reset(&json);
	buf_printf(&json, "{\"jti\":\"%s\",\"htm\":\"GET\",\"htu\":",
	    jti.p);
	buf_put_json_string(&json, htu);
	buf_printf(&json, ",\"iat\":%lld,\"ath\":\"%s\"}", (long long)iat,
	    athb.p);
	buf_puts(out, ".");
	b64url_json(out, &json);
	if (jose_sign(key->k, key->alg, (const unsigned char *)out->p,
	    out->len, sig, &siglen) != 0)
		fail("cannot sign a proof", jws_alg_name(key->alg));
	buf_puts(out, ".");
	jose_b64url(out, sig, siglen);
	if (out->err != 0 || json.err != 0)
		fail("a proof too long", NULL);
	buf_release(&json);
	buf_release(&jti);
	buf_release(&athb);
}

/* CPU µs of n verifications of proof's signature alone, as
 * check_proof() calls it: header.claims against the raw signature. */
static double
time_verify(const struct key *key, const struct buf *proof, long n)
{
	unsigned char sig[JOSE_SIG_MAX];
	const char *dot = strrchr(proof->p, '.');
	size_t siglen = 0;
	long ok = 0;
	double t;

	if (sodium_base642bin(sig, sizeof(sig), dot + 1, strlen(dot + 1), NULL,
	    &siglen, NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
		fail("cannot decode a signature", NULL);
	t = cpu_us();
	for (long i = 0; i < n; i++)
		ok += jose_verify(key->k, key->alg, (const unsigned char *)
		    proof->p, (size_t)(dot - proof->p), sig, siglen);
	t = cpu_us() - t;
	if (ok != n)
		fail("a proof's signature did not verify",
		    jws_alg_name(key->alg));
	return t;
}

/* verify_us and check_us of one alg, printed as a line. */
static void
rate_alg(enum jws_alg alg, long n)
{
	struct key key = { .alg = alg };
	struct keygate kg;
	struct buf *proofs = calloc((size_t)n, sizeof(*proofs));
	unsigned char jkt[DPOP_JKT_BYTES];
	const char *why = NULL;
	struct dpop_want want = { .htm = "GET", .htu = str_from(RATE_HTU),
	    .access_token = str_from(RATE_TOKEN), .where = DPOP_AT_RESOURCE };
	int64_t now = (int64_t)time(NULL);
	double t, verify, check;
	long ok = 0;

	if (proofs == NULL || (key.k = jose_generate(alg)) == NULL)
		fail("cannot make a key", jws_alg_name(alg));
	key_finish(&key);
	for (long i = 0; i < n; i++) {
		buf_init(&proofs[i], DPOP_PROOF_MAX_BYTES);
		make_proof(&key, RATE_HTU, RATE_TOKEN, now, &proofs[i]);
	}
	verify = time_verify(&key, &proofs[0], n);
	/* the whole check as a resource calls it, each proof once, in a
	 * replay memory with room for all of them */
	memset(&kg, 0, sizeof(kg));
	kg.dpop = dpop_replay_new((size_t)n * 4);
	ok = 0;
	t = cpu_us();
	for (long i = 0; i < n; i++)
		ok += dpop_check(&kg, buf_str(&proofs[i]), &want, now, jkt,
		    &why) == 0;
	check = cpu_us() - t;
	if (ok != n)
		fail("dpop_check() refused a proof", why);
	if (memcmp(jkt, key.jkt, DPOP_JKT_BYTES) != 0)
		fail("dpop_check() saw another thumbprint", NULL);
	printf("{\"alg\":\"%s\",\"n\":%ld,\"verify_us\":%.2f,"
	    "\"verify_per_s\":%.0f,\"check_us\":%.2f,\"check_per_s\":%.0f,"
	    "\"proof_bytes\":%zu}\n", jws_alg_name(alg), n, verify / n,
	    n / verify * 1e6, check / n, n / check * 1e6, proofs[0].len);
	dpop_replay_free(kg.dpop);
	for (long i = 0; i < n; i++)
		buf_release(&proofs[i]);
	free(proofs);
	key_release(&key);
}

static int
parse_algs(const char *list, bool want[JWS_ALG_COUNT])
{
	const char *p = list;

	memset(want, 0, JWS_ALG_COUNT * sizeof(bool));
	while (*p != '\0') {
		size_t len = strcspn(p, ",");
		enum jws_alg a;

		if (jws_alg_parse((struct str){ p, len }, &a) != 0)
			return -1;
		want[a] = true;
		p += len + (p[len] == ',');
	}
	return 0;
}

static void
new_key(const char *path, const char *algname)
{
	struct key key;
	unsigned char *der = NULL;
	size_t len = 0;
	char jkt[DPOP_JKT_B64_BYTES + 1];
	int fd;

	if (jws_alg_parse(str_from(algname), &key.alg) != 0)
		usage(stderr, "--alg: ES256, EdDSA or RS256");
	if ((key.k = jose_generate(key.alg)) == NULL)
		fail("cannot make a key", algname);
	key_finish(&key);
	if (jose_private_der(key.k, &der, &len) != 0)
		fail("cannot write the key", NULL);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (fd < 0 || write(fd, der, len) != (ssize_t)len || close(fd) != 0)
		fail(path, strerror(errno));
	sodium_memzero(der, len);
	free(der);
	dpop_jkt_b64(key.jkt, jkt);
	printf("%s\n", jkt);
	key_release(&key);
}

/* The key of a --new-key file, its alg told by its type. */
static void
read_key(const char *path, struct key *key)
{
	unsigned char der[8192];
	size_t len;
	FILE *fp = fopen(path, "rb");

	if (fp == NULL)
		fail(path, strerror(errno));
	len = fread(der, 1, sizeof(der), fp);
	fclose(fp);
	if ((key->k = jose_private_from_der(der, len)) == NULL)
		fail(path, "not a PKCS#8 key");
	sodium_memzero(der, sizeof(der));
	for (int a = 0; a < JWS_ALG_COUNT; a++)
		if (jose_key_fits(key->k, (enum jws_alg)a)) {
			key->alg = (enum jws_alg)a;
			key_finish(key);
			return;
		}
	fail(path, "a key of none of ES256, EdDSA, RS256");
}

/* The token file's lines, each of one length, in memory. */
static char *
read_tokens(const char *path, size_t *count, size_t *toklen)
{
	FILE *fp = fopen(path, "rb");
	char *all;
	long size;
	const char *nl;

	if (fp == NULL)
		fail(path, strerror(errno));
	if (fseek(fp, 0, SEEK_END) != 0 || (size = ftell(fp)) <= 0 ||
	    fseek(fp, 0, SEEK_SET) != 0)
		fail(path, "empty or unreadable");
	all = malloc((size_t)size + 1);
	if (all == NULL || fread(all, 1, (size_t)size, fp) != (size_t)size)
		fail(path, "cannot read");
	fclose(fp);
	all[size] = '\0';
	nl = strchr(all, '\n');
	if (nl == NULL || nl == all || nl - all > TOKEN_MAX ||
	    size % (nl - all + 1) != 0)
		fail(path, "not lines of one length");
	*toklen = (size_t)(nl - all);
	*count = (size_t)size / (*toklen + 1);
	return all;
}

static void
write_proofs(long n, const char *tokens, const char *url,
    const char *keyfile, const char *outpath)
{
	struct key key;
	struct buf proof;
	size_t count, toklen, width = 0;
	char *all = read_tokens(tokens, &count, &toklen);
	char tok[TOKEN_MAX + 1];
	FILE *out = stdout;

	if (strpbrk(url, "\"\\ ") != NULL || strncmp(url, "http", 4) != 0)
		usage(stderr, "--url: an http(s) URL");
	read_key(keyfile, &key);
	if (outpath != NULL && (out = fopen(outpath, "w")) == NULL)
		fail(outpath, strerror(errno));
	buf_init(&proof, DPOP_PROOF_MAX_BYTES);
	for (long i = 0; i < n; i++) {
		uint32_t at = randombytes_uniform((uint32_t)count);

		memcpy(tok, all + at * (toklen + 1), toklen);
		tok[toklen] = '\0';
		/* iat when made: thousands of RS256 proofs take seconds */
		make_proof(&key, url, tok, (int64_t)time(NULL), &proof);
		/* the first line sets the width: a shorter signature (none
		 * here: raw ones are of fixed size) would be padded */
		if (width == 0)
			width = proof.len;
		if (proof.len > width)
			fail("proofs of unequal length", NULL);
		fprintf(out, "%s %s%*s\n", tok, proof.p,
		    (int)(width - proof.len), "");
	}
	if (fflush(out) != 0 || ferror(out) || (out != stdout &&
	    fclose(out) != 0))
		fail("cannot write the proofs", strerror(errno));
	buf_release(&proof);
	free(all);
	key_release(&key);
}

static long
parse_n(const char *opt, const char *v)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(v, &end, 10);
	if (errno != 0 || end == v || *end != '\0' || n < 1 || n > MAX_N) {
		fprintf(stderr, "keygate-bench-dpop: %s wants a whole number "
		    "from 1 to 1000000\n", opt);
		usage(stderr, NULL);
	}
	return n;
}

int
main(int argc, char **argv)
{
	const char *opt[8] = { 0 };	/* the valued options, by index */
	static const char *const names[] = { "--n", "--algs", "--new-key",
	    "--alg", "--proofs", "--tokens", "--url", "--key", "--out" };
	bool rate = false, algs[JWS_ALG_COUNT];
	const char *outpath = NULL;

	for (int i = 1; i < argc; i++) {
		size_t j;

		if (strcmp(argv[i], "--help") == 0)
			usage(stdout, NULL);
		if (strcmp(argv[i], "--rate") == 0) {
			rate = true;
			continue;
		}
		for (j = 0; j < sizeof(names) / sizeof(names[0]); j++)
			if (strcmp(argv[i], names[j]) == 0)
				break;
		if (j == sizeof(names) / sizeof(names[0]))
			usage(stderr, "unknown option");
		if (i + 1 >= argc)
			usage(stderr, "an option without its value");
		if (j == 8)
			outpath = argv[++i];
		else
			opt[j] = argv[++i];
	}
	if (secure_init() != 0)
		fail("cannot initialize libsodium", NULL);
	if (rate + (opt[2] != NULL) + (opt[4] != NULL) != 1)
		usage(stderr, "one of --rate, --new-key, --proofs");
	if (rate) {
		long n = opt[0] != NULL ? parse_n("--n", opt[0]) : 2000;

		if (parse_algs(opt[1] != NULL ? opt[1] : "ES256,EdDSA,RS256",
		    algs) != 0)
			usage(stderr, "--algs: a comma-separated list of "
			    "ES256, EdDSA, RS256");
		/* ES256 and EdDSA first: the bench's routes */
		static const enum jws_alg order[] = { JWS_ES256, JWS_EDDSA,
		    JWS_RS256 };
		for (size_t a = 0; a < JWS_ALG_COUNT; a++)
			if (algs[order[a]])
				rate_alg(order[a], n);
	} else if (opt[2] != NULL) {
		if (opt[3] == NULL)
			usage(stderr, "--new-key wants --alg");
		new_key(opt[2], opt[3]);
	} else {
		if (opt[5] == NULL || opt[6] == NULL || opt[7] == NULL)
			usage(stderr, "--proofs wants --tokens, --url, --key");
		write_proofs(parse_n("--proofs", opt[4]), opt[5], opt[6],
		    opt[7], outpath);
	}
	return 0;
}
