#ifndef KEYGATE_CORE_SIGNING_KEYS_H
#define KEYGATE_CORE_SIGNING_KEYS_H

#include <stddef.h>
#include <stdint.h>
#include <openssl/types.h>

#include "base/buf.h"
#include "base/str.h"
#include "core/jws_alg.h"
#include "core/keygate.h"
#include "store/rows.h"

/* The life of the signing keys (docs/REFERENCE.md §9, docs/OPERATIONS.md
 * "Signing keys"), held in memory as kg->keys: every key of the store,
 * its private half opened with the --key-file key. A key's state follows
 * from the rows and the clock alone, so every node of one store agrees:
 *   next     made by a rotation, published, not yet signing (its
 *            active_from, the rotating node's --key-publish-delay after
 *            it was made, is ahead);
 *   current  the newest of its alg whose active_from has passed: signs;
 *   retired  a newer one became current (its "last use"), still
 *            published for --key-retire-delay after that;
 *   expired  past that, dropped from the JWKS.
 * Reading the set takes a read lock; nothing here reads the store but
 * signing_keys_open(), _reload() and _rotate(). */

enum key_state { KEY_NEXT, KEY_CURRENT, KEY_RETIRED, KEY_EXPIRED };

/* "next", "current", "retired", "expired". */
const char	*key_state_name(enum key_state s);

/* Loads the key file (made when absent), makes one key of each alg that
 * has none (active at once: nobody has a JWKS of them yet), then opens
 * them all into kg->keys. Returns 0, or ERR_INVALID (a key file refused,
 * a key it does not open) or ERR_STORE, with the reason in err. */
int		 signing_keys_open(struct keygate *kg, char *err,
		    size_t errlen);
void		 signing_keys_close(struct keygate *kg);

/* Reads the keys of the store again (another node or `keygate keys
 * rotate` added one); on failure the loaded set stays. 0 or an ERR_*. */
int		 signing_keys_reload(struct keygate *kg);

/* A new key of alg that signs after --key-publish-delay; its kid into
 * kid. Reloads kg->keys. 0 or ERR_STORE. */
int		 signing_keys_rotate(struct keygate *kg, enum jws_alg alg,
		    char kid[SIGNING_KID_MAX]);

/* The current key of alg, its kid into kid: a reference the caller
 * EVP_PKEY_free()s; NULL when none is loaded. */
EVP_PKEY	*signing_keys_current(struct keygate *kg, enum jws_alg alg,
		    char kid[SIGNING_KID_MAX]);
/* The published key (next, current or retired) of kid, its alg into
 * *alg: a reference, or NULL. */
EVP_PKEY	*signing_keys_published(struct keygate *kg, struct str kid,
		    enum jws_alg *alg);
/* {"keys":[...]} of the published keys, appended to out. 0 or ERR_STORE. */
int		 signing_keys_jwks(struct keygate *kg, struct buf *out);

/* One key as `keygate keys list` shows it. */
struct key_info {
	char		 kid[SIGNING_KID_MAX];
	enum jws_alg	 alg;
	int64_t		 created_at;
	int64_t		 active_from;
	enum key_state	 state;
	int64_t		 retired_at;	/* 0 unless retired or expired */
	int64_t		 dropped_at;	/* leaves the JWKS; 0 likewise */
};
/* Every loaded key, by alg and age, into a malloc'd *out. */
int		 signing_keys_list(struct keygate *kg, struct key_info **out,
		    size_t *n);

#endif
