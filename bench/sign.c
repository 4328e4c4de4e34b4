/* keygate-bench-sign: where an id_token's time goes (bench/README.md).
 * Opens a fresh SQLite store and key file in a temporary folder, opens the
 * signing keys as `keygate serve` does (one current key per alg, active at
 * once), and times, in CPU time of this thread (CLOCK_THREAD_CPUTIME_ID:
 * what the machine's other work does not inflate), N calls per alg of
 *   sign      signing_sign() of typical claims: header, base64url, the
 *             private-key operation
 *   verify    signing_verify() of what it signed
 *   idtoken   idtoken_make(): the claims' JSON, at_hash and the signature,
 *             as the token endpoint calls it (scope openid without email:
 *             the email claims are a memo read at serve)
 *   at_hash   signing_half_hash() of an access token
 *
 *   keygate-bench-sign [--n N] [--tmp DIR]
 *
 * Prints one JSON object a line per alg on stdout, µs of CPU per call:
 *   {"alg":"RS256","n":N,"sign_us":..,"verify_us":..,"idtoken_us":..,
 *    "at_hash_us":..,"jws_bytes":..}
 * Exits 2 on bad usage, 1 when it cannot set up. */
#include <errno.h>
#include <ftw.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "cli/cli.h"
#include "core/config.h"
#include "core/idtoken.h"
#include "core/scopes.h"
#include "core/signing.h"
#include "core/signing_keys.h"
#include "core/tokens.h"

#define SIGN_MAX_N	1000000
/* claims of the size keygate signs (core/idtoken.c), for signing_sign()
 * alone */
#define SIGN_CLAIMS	"{\"iss\":\"http://127.0.0.1:8080\",\"sub\":\"1\"," \
	"\"aud\":\"kgk_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG\"," \
	"\"exp\":1796000600,\"iat\":1796000000,\"auth_time\":1796000000," \
	"\"nonce\":\"n-0123456789abcdefghijklmnopqrstuvwxyzABCDEFG\"," \
	"\"at_hash\":\"0123456789abcdefghijkl\",\"amr\":[\"pwd\"]}"

static void
usage(FILE *out, const char *why)
{
	if (why != NULL)
		fprintf(out, "keygate-bench-sign: %s\n", why);
	fprintf(out, "usage: keygate-bench-sign [--n N (1000)] [--tmp DIR]\n"
	    "  times N signatures, verifications and id_tokens per alg "
	    "(CPU µs each)\n  on a throw-away store and key file in a new "
	    "folder under DIR\n");
	exit(out == stdout ? 0 : 2);
}

static double
cpu_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int
rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* The keygate a server would hold for signing: store, clock, keys. */
static int
open_kg(const char *dir, struct config *cfg, struct keygate *kg)
{
	char db[4096], keyfile[4096], err[512];
	char *argv[4];

	snprintf(db, sizeof(db), "%s/keygate.db", dir);
	snprintf(keyfile, sizeof(keyfile), "%s/keygate.key", dir);
	argv[0] = "--db";
	argv[1] = db;
	argv[2] = "--key-file";
	argv[3] = keyfile;
	config_init(cfg);
	if (config_parse(cfg, 4, argv, CONFIG_KEYS_CLI, err,
	    sizeof(err)) != 0) {
		fprintf(stderr, "keygate-bench-sign: %s\n", err);
		return 1;
	}
	if (cli_open(kg, cfg) != 0)
		return 1;
	if (signing_keys_open(kg, err, sizeof(err)) != 0) {
		fprintf(stderr, "keygate-bench-sign: %s\n", err);
		cli_close(kg);
		return 1;
	}
	return 0;
}

/* A token answer's pair, as the code exchange makes it. */
static void
make_pair(struct token_pair *p)
{
	memset(p, 0, sizeof(*p));
	secure_token(TOKENS_ACCESS_PREFIX, p->access);
	secure_token(TOKENS_REFRESH_PREFIX, p->refresh);
	p->scope = SCOPE_ACCOUNT_READ | SCOPE_OPENID;
	p->expires_in = 3600;
	p->account_id = 1;
	p->auth_time = (int64_t)time(NULL);
	p->amr = AMR_PWD;
	secure_token("n-", p->nonce);
}

/* Times the four calls n times each for alg; prints its line. */
static int
time_alg(struct keygate *kg, enum jws_alg alg, long n)
{
	struct token_pair pair;
	struct buf jws, out;
	char at_hash[SIGNING_HALF_HASH_MAX];
	double t, sign, verify, idt, half;
	int rc = 0;

	make_pair(&pair);
	buf_init(&jws, IDTOKEN_MAX_BYTES);
	buf_init(&out, IDTOKEN_MAX_BYTES);
	t = cpu_us();
	for (long i = 0; i < n && rc == 0; i++) {
		buf_reset(&jws);
		rc = signing_sign(kg, alg, str_from(SIGN_CLAIMS), &jws);
	}
	sign = cpu_us() - t;
	t = cpu_us();
	for (long i = 0; i < n && rc == 0; i++) {
		buf_reset(&out);
		rc = signing_verify(kg, buf_str(&jws), &out);
	}
	verify = cpu_us() - t;
	t = cpu_us();
	for (long i = 0; i < n && rc == 0; i++) {
		buf_reset(&out);
		rc = idtoken_make(kg, "kgk_bench", alg, &pair, &out);
	}
	idt = cpu_us() - t;
	t = cpu_us();
	for (long i = 0; i < n; i++)
		signing_half_hash(alg, str_from(pair.access), at_hash);
	half = cpu_us() - t;
	if (rc == 0 && (jws.err != 0 || out.err != 0))
		rc = ERR_STORE;
	if (rc == 0)
		printf("{\"alg\":\"%s\",\"n\":%ld,\"sign_us\":%.2f,"
		    "\"verify_us\":%.2f,\"idtoken_us\":%.2f,"
		    "\"at_hash_us\":%.3f,\"jws_bytes\":%zu}\n",
		    jws_alg_name(alg), n, sign / n, verify / n, idt / n,
		    half / n, jws.len);
	else
		fprintf(stderr, "keygate-bench-sign: %s failed: %s\n",
		    jws_alg_name(alg), err_name(rc));
	buf_release(&jws);
	buf_release(&out);
	return rc;
}

int
main(int argc, char **argv)
{
	char dir[4000];	/* with room for the file names after it */
	const char *tmp = getenv("TMPDIR");
	struct config cfg;
	struct keygate kg;
	long n = 1000;
	int rc = 0;

	for (int i = 1; i < argc; i++) {
		char *end;

		if (strcmp(argv[i], "--help") == 0)
			usage(stdout, NULL);
		if (strcmp(argv[i], "--n") != 0 &&
		    strcmp(argv[i], "--tmp") != 0)
			usage(stderr, "unknown option");
		if (i + 1 >= argc)
			usage(stderr, "an option without its value");
		if (strcmp(argv[i++], "--tmp") == 0) {
			tmp = argv[i];
			continue;
		}
		errno = 0;
		n = strtol(argv[i], &end, 10);
		if (errno != 0 || end == argv[i] || *end != '\0' || n < 1 ||
		    n > SIGN_MAX_N)
			usage(stderr, "--n wants a whole number from 1 to "
			    "1000000");
	}
	snprintf(dir, sizeof(dir), "%s/keygate-bench-sign-XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL) {
		fprintf(stderr, "keygate-bench-sign: %s: %s\n", dir,
		    strerror(errno));
		return 1;
	}
	if (open_kg(dir, &cfg, &kg) != 0) {
		rc = 1;
	} else {
		for (int a = 0; rc == 0 && a < JWS_ALG_COUNT; a++)
			rc = time_alg(&kg, (enum jws_alg)a, n) != 0;
		signing_keys_close(&kg);
		cli_close(&kg);
	}
	config_release(&cfg);
	/* the store and the key file are throw-away: nothing stays */
	nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
	return rc;
}
