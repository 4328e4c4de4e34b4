#include "core/idtoken.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core/accounts.h"
#include "base/clock.h"
#include "base/err.h"
#include "core/scopes.h"

enum jws_alg
idtoken_alg(const char *name)
{
	enum jws_alg alg;

	return jws_alg_parse(str_from(name), &alg) == 0 ? alg : JWS_RS256;
}

/* RFC 8176 names: "pwd", and with two-step log-in "otp" (the code) and
 * "mfa" (two factors); a log-in keygate did not see (no bits) says none. */
static void
put_amr(struct buf *b, unsigned amr)
{
	if (amr == 0)
		return;
	buf_puts(b, ",\"amr\":[");
	if (amr & AMR_PWD)
		buf_puts(b, "\"pwd\"");
	if (amr & AMR_OTP)
		buf_puts(b, (amr & AMR_PWD) ? ",\"otp\",\"mfa\"" : "\"otp\"");
	buf_puts(b, "]");
}

/* The claims (a JSON object) into b. */
static int
claims(struct keygate *kg, const char *aud, enum jws_alg alg,
    const struct token_pair *pair, struct buf *b)
{
	char at_hash[SIGNING_HALF_HASH_MAX];
	char email[ACCOUNT_EMAIL_MAX_BYTES + 1];
	int64_t now = clock_now(kg->clock);
	bool verified = false;
	int rc;

	if ((pair->scope & SCOPE_EMAIL) && (rc = accounts_email_verified(kg,
	    pair->account_id, email, &verified)) != 0)
		return rc;
	signing_half_hash(alg, str_from(pair->access), at_hash);
	buf_puts(b, "{\"iss\":");
	buf_put_json_string(b, kg->cfg->issuer);
	buf_printf(b, ",\"sub\":\"%lld\",\"aud\":", (long long)pair->account_id);
	buf_put_json_string(b, aud);
	buf_printf(b, ",\"exp\":%lld,\"iat\":%lld,\"auth_time\":%lld",
	    (long long)(now + IDTOKEN_LIFETIME_S), (long long)now,
	    (long long)pair->auth_time);
	if (pair->nonce[0] != '\0') {
		buf_puts(b, ",\"nonce\":");
		buf_put_json_string(b, pair->nonce);
	}
	buf_printf(b, ",\"at_hash\":\"%s\"", at_hash);
	put_amr(b, pair->amr);
	if (pair->scope & SCOPE_EMAIL) {
		buf_puts(b, ",\"email\":");
		buf_put_json_string(b, email);
		buf_printf(b, ",\"email_verified\":%s",
		    verified ? "true" : "false");
	}
	buf_puts(b, "}");
	return 0;
}

int
idtoken_make(struct keygate *kg, const char *aud, enum jws_alg alg,
    const struct token_pair *pair, struct buf *out)
{
	struct buf b;
	int rc;

	buf_init(&b, 4096);
	rc = claims(kg, aud, alg, pair, &b);
	if (rc == 0 && b.err != 0)
		rc = ERR_STORE;
	if (rc == 0)
		rc = signing_sign(kg, alg, buf_str(&b), out);
	buf_release(&b);
	return rc;
}

/* A decimal account id, as `sub` carries it. */
static bool
parse_sub(const char *s, int64_t *out)
{
	char *end;
	long long v;

	if (s == NULL || *s < '1' || *s > '9')
		return false;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return false;
	*out = v;
	return true;
}

int
idtoken_read_hint(struct keygate *kg, struct str jws,
    struct idtoken_hint *out)
{
	struct buf payload;
	json_t *j = NULL;
	const char *iss, *aud;
	bool ok;

	memset(out, 0, sizeof(*out));
	buf_init(&payload, IDTOKEN_MAX_BYTES);
	ok = jws.len <= IDTOKEN_MAX_BYTES &&
	    signing_verify(kg, jws, &payload) == 0 && payload.err == 0 &&
	    (j = json_loadb(payload.p, payload.len, 0, NULL)) != NULL;
	if (ok) {
		iss = json_string_value(json_object_get(j, "iss"));
		aud = json_string_value(json_object_get(j, "aud"));
		ok = iss != NULL && strcmp(iss, kg->cfg->issuer) == 0 &&
		    aud != NULL && strlen(aud) < sizeof(out->aud) &&
		    parse_sub(json_string_value(json_object_get(j, "sub")),
		    &out->sub);
		if (ok)
			memcpy(out->aud, aud, strlen(aud) + 1);
	}
	json_decref(j);
	buf_release(&payload);
	return ok ? 0 : ERR_AUTH;
}
