#include "core/links.h"

#include <stdio.h>
#include <string.h>

#include "base/clock.h"
#include "base/err.h"

static const char *const prefixes[] = {
	[STORE_LINK_VERIFY] = LINK_VERIFY_PREFIX,
	[STORE_LINK_RESET] = LINK_RESET_PREFIX,
	[STORE_LINK_EMAIL] = LINK_EMAIL_PREFIX,
};

/* base64url of TOKEN_RANDOM_BYTES, without padding */
#define LINK_RANDOM_CHARS	((TOKEN_RANDOM_BYTES * 4 + 2) / 3)

static bool
b64url(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '_';
}

int
links_purpose(struct str token)
{
	for (int p = STORE_LINK_VERIFY; p <= STORE_LINK_EMAIL; p++) {
		size_t plen = strlen(prefixes[p]);

		if (token.len != plen + LINK_RANDOM_CHARS ||
		    !str_starts_with(token, prefixes[p]))
			continue;
		for (size_t i = plen; i < token.len; i++)
			if (!b64url(token.p[i]))
				return 0;
		return p;
	}
	return 0;
}

static int64_t
ttl(int purpose)
{
	return purpose == STORE_LINK_RESET ? LINK_RESET_TTL_S :
	    LINK_VERIFY_TTL_S;
}

int
links_make(struct keygate *kg, int64_t account_id, int purpose,
    const char *email, char token[TOKEN_MAX_BYTES + 1])
{
	unsigned char hash[SECURE_HASH_BYTES];
	struct link_row row = { 0 };

	row.account_id = account_id;
	row.purpose = purpose;
	snprintf(row.email, sizeof(row.email), "%s", email);
	row.expires_at = clock_now(kg->clock) + ttl(purpose);
	secure_token(prefixes[purpose], token);
	secure_hash(str_from(token), hash);
	return store_link_insert(kg->store, hash, &row);
}

static int
find(struct keygate *kg, struct str token, int purpose, struct link_row *out,
    bool take)
{
	unsigned char hash[SECURE_HASH_BYTES];
	int rc;

	if (links_purpose(token) != purpose)
		return ERR_NOTFOUND;
	secure_hash(token, hash);
	rc = take ? store_link_take(kg->store, hash, purpose, out) :
	    store_link_get(kg->store, hash, purpose, out);
	if (rc == 0 && clock_now(kg->clock) >= out->expires_at)
		rc = ERR_EXPIRED;
	return rc;
}

int
links_peek(struct keygate *kg, struct str token, int purpose,
    struct link_row *out)
{
	return find(kg, token, purpose, out, false);
}

int
links_take(struct keygate *kg, struct str token, int purpose,
    struct link_row *out)
{
	return find(kg, token, purpose, out, true);
}
