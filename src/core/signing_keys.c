#include "core/signing_keys.h"

#include <openssl/evp.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/err.h"
#include "base/log.h"
#include "base/mem.h"
#include "core/jose.h"
#include "core/key_file.h"
#include "core/sealed.h"
#include "store/store.h"

#define KID_BYTES	16
/* a rotation that loses the race for its seq tries the next one */
#define ROTATE_TRIES	4

/* What one load read and opened; replaced whole, never changed. */
struct keyset {
	struct signing_key_row	*rows;		/* by alg, then seq */
	EVP_PKEY		**pkeys;
	enum jws_alg		*algs;
	size_t			 n;
};

struct signing_keys {
	pthread_rwlock_t	 lock;
	struct keyset		*set;		/* under lock */
	unsigned char		 key[SECURE_KEY_BYTES];	/* --key-file */
};

const char *
key_state_name(enum key_state s)
{
	static const char *const names[] = { "next", "current", "retired",
	    "expired" };

	return (unsigned)s < 4 ? names[s] : "?";
}

static void
keyset_free(struct keyset *ks)
{
	if (ks == NULL)
		return;
	for (size_t i = 0; i < ks->n; i++)
		EVP_PKEY_free(ks->pkeys[i]);
	free(ks->rows);
	free(ks->pkeys);
	free(ks->algs);
	free(ks);
}

/* Row i's state at now, from the keys of its alg alone (rows sorted by
 * alg, seq): current is the newest whose active_from has passed; an older
 * one retired when the first newer one's active_from passed. */
static enum key_state
state_of(const struct keyset *ks, size_t i, int64_t now, int64_t retire_s,
    int64_t *retired_at)
{
	const struct signing_key_row *k = &ks->rows[i];
	int64_t first_newer = INT64_MAX;
	bool newer_current = false;

	*retired_at = 0;
	for (size_t j = 0; j < ks->n; j++) {
		const struct signing_key_row *o = &ks->rows[j];

		if (ks->algs[j] != ks->algs[i] || o->seq <= k->seq ||
		    o->active_from > now)
			continue;
		newer_current = true;
		if (o->active_from < first_newer)
			first_newer = o->active_from;
	}
	if (newer_current) {
		*retired_at = first_newer;
		return now >= first_newer + retire_s ? KEY_EXPIRED :
		    KEY_RETIRED;
	}
	return k->active_from <= now ? KEY_CURRENT : KEY_NEXT;
}

/* Opens row's private key: the kid is bound in, so a sealed key moved
 * to another row does not open. */
static EVP_PKEY *
open_row(const unsigned char key[SECURE_KEY_BYTES],
    const struct signing_key_row *row, enum jws_alg alg)
{
	unsigned char *der;
	size_t len;
	EVP_PKEY *k;

	if (sealed_open_alloc(key, str_from(row->private_sealed),
	    str_from(row->kid), &der, &len) != 0)
		return NULL;
	k = jose_private_from_der(der, len);
	sodium_memzero(der, len);
	free(der);
	if (k != NULL && !jose_key_fits(k, alg)) {
		EVP_PKEY_free(k);
		k = NULL;
	}
	return k;
}

/* Reads and opens every key of the store into *out. */
static int
load(struct store *st, const unsigned char key[SECURE_KEY_BYTES],
    struct keyset **out, char *err, size_t errlen)
{
	struct keyset *ks = xcalloc(1, sizeof(*ks));

	if (store_signing_key_list(st, &ks->rows, &ks->n) != 0) {
		snprintf(err, errlen, "cannot read the signing keys");
		free(ks);
		return ERR_STORE;
	}
	ks->pkeys = xcalloc(ks->n + 1, sizeof(*ks->pkeys));
	ks->algs = xcalloc(ks->n + 1, sizeof(*ks->algs));
	for (size_t i = 0; i < ks->n; i++) {
		const struct signing_key_row *r = &ks->rows[i];

		if (jws_alg_parse(str_from(r->alg), &ks->algs[i]) != 0 ||
		    (ks->pkeys[i] = open_row(key, r, ks->algs[i])) == NULL) {
			snprintf(err, errlen, "the signing key %s in the store "
			    "does not open with this --key-file: give the "
			    "key file that made it (docs/OPERATIONS.md, "
			    "\"Signing keys\")", r->kid);
			keyset_free(ks);
			return ERR_INVALID;
		}
	}
	*out = ks;
	return 0;
}

static void
install(struct signing_keys *sk, struct keyset *ks)
{
	struct keyset *old;

	pthread_rwlock_wrlock(&sk->lock);
	old = sk->set;
	sk->set = ks;
	pthread_rwlock_unlock(&sk->lock);
	keyset_free(old);
}

/* Makes a key of alg, sealed under key, as row `seq` of its alg. */
static int
make_row(const unsigned char key[SECURE_KEY_BYTES], enum jws_alg alg,
    int64_t seq, int64_t now, int64_t active_from,
    struct signing_key_row *row)
{
	unsigned char raw[KID_BYTES], *der = NULL;
	struct buf jwk, sealed;
	EVP_PKEY *k = jose_generate(alg);
	size_t len = 0;
	int rc = ERR_STORE;

	memset(row, 0, sizeof(*row));
	if (k == NULL)
		return ERR_STORE;
	secure_random(raw, sizeof(raw));
	sodium_bin2base64(row->kid, sizeof(row->kid), raw, sizeof(raw),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	snprintf(row->alg, sizeof(row->alg), "%s", jws_alg_name(alg));
	row->seq = seq;
	row->created_at = now;
	row->active_from = active_from;
	buf_init(&jwk, SIGNING_JWK_MAX - 1);
	buf_init(&sealed, SIGNING_SEALED_MAX - 1);
	if (jose_public_jwk(k, alg, row->kid, &jwk) == 0 &&
	    jose_private_der(k, &der, &len) == 0) {
		sealed_seal_buf(key, (struct str){ (const char *)der, len },
		    str_from(row->kid), &sealed);
		if (jwk.err == 0 && sealed.err == 0) {
			memcpy(row->public_jwk, jwk.p, jwk.len + 1);
			memcpy(row->private_sealed, sealed.p, sealed.len + 1);
			rc = 0;
		}
	}
	if (der != NULL) {
		sodium_memzero(der, len);
		free(der);
	}
	buf_release(&jwk);
	buf_release(&sealed);
	EVP_PKEY_free(k);
	return rc;
}

/* The highest seq of alg in ks, 0 for none. */
static int64_t
last_seq(const struct keyset *ks, enum jws_alg alg)
{
	int64_t seq = 0;

	for (size_t i = 0; i < ks->n; i++)
		if (ks->algs[i] == alg && ks->rows[i].seq > seq)
			seq = ks->rows[i].seq;
	return seq;
}

/* The first start: every alg without a key gets one, active at once. Of
 * nodes doing this together, one row per alg is written (alg, seq 1 is
 * unique) and the others' are dropped. */
static int
make_first(struct keygate *kg, const struct keyset *ks)
{
	struct signing_key_row *row = xmalloc(sizeof(*row));
	int64_t now = clock_now(kg->clock);
	int rc = 0;

	for (int a = 0; a < JWS_ALG_COUNT && rc == 0; a++) {
		if (last_seq(ks, (enum jws_alg)a) != 0)
			continue;
		rc = make_row(kg->keys->key, (enum jws_alg)a, 1, now, now, row);
		if (rc == 0)
			rc = store_signing_key_add(kg->store, row);
		if (rc == ERR_EXISTS)
			rc = 0;
		else if (rc == 0)
			log_msg("info", "made the signing key %s (%s)",
			    row->kid, row->alg);
	}
	sodium_memzero(row, sizeof(*row));
	free(row);
	return rc;
}

int
signing_keys_open(struct keygate *kg, char *err, size_t errlen)
{
	struct signing_keys *sk = xcalloc(1, sizeof(*sk));
	char path[4096];
	const char *file = kg->cfg->key_file;
	struct keyset *ks = NULL;
	int rc;

	pthread_rwlock_init(&sk->lock, NULL);
	kg->keys = sk;
	if (file == NULL) {
		if (key_file_default(kg->cfg->db, path, sizeof(path)) != 0) {
			snprintf(err, errlen, "--db is too long to put "
			    "the key file beside it: give --key-file");
			rc = ERR_INVALID;
			goto fail;
		}
		file = path;
	}
	if ((rc = key_file_load(file, sk->key, err, errlen)) != 0 ||
	    (rc = load(kg->store, sk->key, &ks, err, errlen)) != 0)
		goto fail;
	if ((rc = make_first(kg, ks)) != 0) {
		snprintf(err, errlen, "cannot make the first signing keys");
		goto fail;
	}
	keyset_free(ks);
	ks = NULL;
	if ((rc = load(kg->store, sk->key, &ks, err, errlen)) != 0)
		goto fail;
	install(sk, ks);
	return 0;
fail:
	keyset_free(ks);
	signing_keys_close(kg);
	return rc;
}

void
signing_keys_close(struct keygate *kg)
{
	struct signing_keys *sk = kg->keys;

	if (sk == NULL)
		return;
	keyset_free(sk->set);
	pthread_rwlock_destroy(&sk->lock);
	sodium_memzero(sk->key, sizeof(sk->key));
	free(sk);
	kg->keys = NULL;
}

int
signing_keys_reload(struct keygate *kg)
{
	struct keyset *ks;
	char err[256];
	int rc;

	if (kg->keys == NULL)
		return ERR_STORE;
	if ((rc = load(kg->store, kg->keys->key, &ks, err,
	    sizeof(err))) != 0) {
		log_msg("warn", "signing keys not reloaded: %s", err);
		return rc;
	}
	install(kg->keys, ks);
	return 0;
}

int
signing_keys_rotate(struct keygate *kg, enum jws_alg alg,
    char kid[SIGNING_KID_MAX])
{
	struct signing_key_row *row = xmalloc(sizeof(*row));
	int64_t now = clock_now(kg->clock), seq;
	int rc = ERR_STORE;

	for (int t = 0; t < ROTATE_TRIES && kg->keys != NULL; t++) {
		pthread_rwlock_rdlock(&kg->keys->lock);
		seq = last_seq(kg->keys->set, alg) + 1;
		pthread_rwlock_unlock(&kg->keys->lock);
		rc = make_row(kg->keys->key, alg, seq, now,
		    now + kg->cfg->key_publish_delay_s, row);
		if (rc == 0)
			rc = store_signing_key_add(kg->store, row);
		if (rc == 0)
			snprintf(kid, SIGNING_KID_MAX, "%s", row->kid);
		/* a seq taken meanwhile: read the keys again, take the next */
		if ((rc == 0 || rc == ERR_EXISTS) &&
		    signing_keys_reload(kg) != 0)
			rc = ERR_STORE;
		if (rc != ERR_EXISTS)
			break;
	}
	sodium_memzero(row, sizeof(*row));
	free(row);
	return rc == ERR_EXISTS ? ERR_STORE : rc;
}

EVP_PKEY *
signing_keys_current(struct keygate *kg, enum jws_alg alg,
    char kid[SIGNING_KID_MAX])
{
	int64_t now = clock_now(kg->clock), retired;
	const struct keyset *ks;
	EVP_PKEY *k = NULL;

	if (kg->keys == NULL)
		return NULL;
	pthread_rwlock_rdlock(&kg->keys->lock);
	ks = kg->keys->set;
	for (size_t i = 0; ks != NULL && i < ks->n && k == NULL; i++)
		if (ks->algs[i] == alg && state_of(ks, i, now,
		    kg->cfg->key_retire_delay_s, &retired) == KEY_CURRENT &&
		    EVP_PKEY_up_ref(ks->pkeys[i]) == 1) {
			k = ks->pkeys[i];
			snprintf(kid, SIGNING_KID_MAX, "%s", ks->rows[i].kid);
		}
	pthread_rwlock_unlock(&kg->keys->lock);
	return k;
}

EVP_PKEY *
signing_keys_published(struct keygate *kg, struct str kid,
    enum jws_alg *alg)
{
	int64_t now = clock_now(kg->clock), retired;
	const struct keyset *ks;
	EVP_PKEY *k = NULL;

	if (kg->keys == NULL)
		return NULL;
	pthread_rwlock_rdlock(&kg->keys->lock);
	ks = kg->keys->set;
	for (size_t i = 0; ks != NULL && i < ks->n && k == NULL; i++)
		if (str_eq_lit(kid, ks->rows[i].kid) && state_of(ks, i, now,
		    kg->cfg->key_retire_delay_s, &retired) != KEY_EXPIRED &&
		    EVP_PKEY_up_ref(ks->pkeys[i]) == 1) {
			k = ks->pkeys[i];
			*alg = ks->algs[i];
		}
	pthread_rwlock_unlock(&kg->keys->lock);
	return k;
}

int
signing_keys_jwks(struct keygate *kg, struct buf *out)
{
	int64_t now = clock_now(kg->clock), retired;
	const struct keyset *ks;
	bool first = true;

	if (kg->keys == NULL)
		return ERR_STORE;
	buf_puts(out, "{\"keys\":[");
	pthread_rwlock_rdlock(&kg->keys->lock);
	ks = kg->keys->set;
	for (size_t i = 0; ks != NULL && i < ks->n; i++) {
		if (state_of(ks, i, now, kg->cfg->key_retire_delay_s,
		    &retired) == KEY_EXPIRED)
			continue;
		if (!first)
			buf_puts(out, ",");
		buf_puts(out, ks->rows[i].public_jwk);
		first = false;
	}
	pthread_rwlock_unlock(&kg->keys->lock);
	buf_puts(out, "]}");
	return out->err != 0 ? ERR_STORE : 0;
}

int
signing_keys_list(struct keygate *kg, struct key_info **out, size_t *n)
{
	int64_t now = clock_now(kg->clock), retire = kg->cfg->key_retire_delay_s;
	const struct keyset *ks;

	*out = NULL;
	*n = 0;
	if (kg->keys == NULL)
		return ERR_STORE;
	pthread_rwlock_rdlock(&kg->keys->lock);
	ks = kg->keys->set;
	*out = xcalloc(ks->n + 1, sizeof(**out));
	for (size_t i = 0; i < ks->n; i++) {
		struct key_info *k = &(*out)[i];

		snprintf(k->kid, sizeof(k->kid), "%s", ks->rows[i].kid);
		k->alg = ks->algs[i];
		k->created_at = ks->rows[i].created_at;
		k->active_from = ks->rows[i].active_from;
		k->state = state_of(ks, i, now, retire, &k->retired_at);
		if (k->retired_at != 0)
			k->dropped_at = k->retired_at + retire;
	}
	*n = ks->n;
	pthread_rwlock_unlock(&kg->keys->lock);
	return 0;
}
