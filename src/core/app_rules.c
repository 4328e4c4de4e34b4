#include "core/app_rules.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unicase.h>
#include <unicode/uspoof.h>
#include <unictype.h>
#include <uninorm.h>
#include <unistr.h>

#include "core/uri.h"
#include "base/utf8.h"

/* Characters no field may hold: controls (C0, DEL, C1), invisible format
 * characters such as the bidi overrides that can make text display as
 * something else (U+202E), line and paragraph separators, private use.
 * U+200D (zero-width joiner) stays allowed: emoji sequences need it. */
static bool
hidden_char(ucs4_t uc)
{
	return uc_is_general_category(uc, UC_CATEGORY_Cc) ||
	    (uc_is_general_category(uc, UC_CATEGORY_Cf) && uc != 0x200d) ||
	    uc_is_general_category(uc, UC_CATEGORY_Zl) ||
	    uc_is_general_category(uc, UC_CATEGORY_Zp) ||
	    uc_is_general_category(uc, UC_CATEGORY_Co);
}

/* Text fields: valid UTF-8 without hidden characters (tabs and line breaks
 * only where `multiline`). */
static bool
plain_text(struct str s, bool multiline)
{
	const uint8_t *p = (const uint8_t *)s.p;

	if (!utf8_valid(s))
		return false;
	for (size_t i = 0; i < s.len;) {
		ucs4_t uc;
		int len = u8_mbtouc(&uc, p + i, s.len - i);

		if (hidden_char(uc) && !(multiline && (uc == '\n' ||
		    uc == '\r' || uc == '\t')))
			return false;
		i += (size_t)len;
	}
	return true;
}

static const char *
one_line(struct str s, size_t max_chars, const char *what_empty,
    const char *what_long)
{
	if (str_trim(s).len == 0)
		return what_empty;
	if (!plain_text(s, false))
		return "Use printable text only (no control characters).";
	if (utf8_chars(s) > max_chars)
		return what_long;
	return NULL;
}

const char *
app_rule_name(struct str name)
{
	return one_line(name, APP_NAME_MAX_CHARS, "Enter a name.",
	    "Use at most 100 characters.");
}

static bool
lower_eq(struct str s, const char *lit)
{
	return str_eq_nocase(s, lit);
}

/* RFC 8252 §7.1: reverse-domain private-use scheme, at least one dot. */
static bool
private_use_scheme(struct str scheme)
{
	return memchr(scheme.p, '.', scheme.len) != NULL &&
	    scheme.p[scheme.len - 1] != '.';
}

const char *
app_rule_redirect_uri(struct str s)
{
	struct uri u;

	if (s.len > APP_URI_MAX_BYTES)
		return "Use at most 2000 bytes per URI.";
	if (uri_parse(s, &u) != 0)
		return "This is not an absolute URI (scheme:...) of valid "
		    "characters.";
	if (u.has_fragment)
		return "A redirect URI may not have a #fragment.";
	if (memchr(s.p, '*', s.len) != NULL)
		return "Wildcards are not allowed: register each URI exactly.";
	if (u.has_userinfo)
		return "A redirect URI may not hold a user name or password.";
	if (lower_eq(u.scheme, "https")) {
		if (!u.has_authority || u.host.len == 0)
			return "An https URI needs a host.";
		return NULL;
	}
	if (lower_eq(u.scheme, "http")) {
		if (!u.has_authority || !uri_host_is_loopback(u.host))
			return "Use https; plain http is allowed only for "
			    "localhost, 127.0.0.1 and [::1].";
		return NULL;
	}
	if (!private_use_scheme(u.scheme))
		return "Use https, http on a loopback host, or a private-use "
		    "scheme in reverse-domain form (com.example.app:/cb).";
	return NULL;
}

/* A list of redirect URIs of either kind: at most APP_MAX_REDIRECT_URIS,
 * each valid, none listed twice; the two messages name the kind. */
static const char *
uri_list_rule(const struct str *uris, size_t n, const char *too_many,
    const char *twice)
{
	if (n > APP_MAX_REDIRECT_URIS)
		return too_many;
	for (size_t i = 0; i < n; i++) {
		const char *why = app_rule_redirect_uri(uris[i]);

		if (why != NULL)
			return why;
		for (size_t k = 0; k < i; k++)
			if (str_eq(uris[k], uris[i]))
				return twice;
	}
	return NULL;
}

const char *
app_rule_redirect_uris(const struct str *uris, size_t n)
{
	if (n == 0)
		return "Enter at least one redirect URI.";
	return uri_list_rule(uris, n, "Register at most 10 redirect URIs.",
	    "A redirect URI is listed twice.");
}

const char *
app_rule_post_logout_redirect_uris(const struct str *uris, size_t n)
{
	return uri_list_rule(uris, n,
	    "Register at most 10 post-logout redirect URIs.",
	    "A post-logout redirect URI is listed twice.");
}

const char *
app_rule_id_token_alg(struct str alg)
{
	if (str_eq_lit(alg, "RS256") || str_eq_lit(alg, "ES256") ||
	    str_eq_lit(alg, "EdDSA"))
		return NULL;
	return "Choose RS256, ES256 or EdDSA.";
}

/* Compatibility decomposition with case folding (NFKD: the NFKC of
 * docs/REFERENCE.md §2 with its accents split off), then letters and digits
 * only, which drops the accents too: "Ｋｅｙ-Ｇáｔｅ" folds to "keygate". Into out
 * (malloc'd). */
static uint8_t *
fold(struct str s, size_t *outlen)
{
	size_t n = 0, k = 0;
	uint8_t *folded = u8_casefold((const uint8_t *)s.p, s.len, NULL,
	    UNINORM_NFKD, NULL, &n);
	uint8_t *out;

	if (folded == NULL)
		return NULL;
	out = malloc(n + 1);
	if (out == NULL) {
		free(folded);
		return NULL;
	}
	for (size_t i = 0; i < n;) {
		ucs4_t uc;
		int len = u8_mbtouc(&uc, folded + i, n - i);

		if (uc_is_general_category(uc, UC_CATEGORY_L) ||
		    uc_is_general_category(uc, UC_CATEGORY_N)) {
			memcpy(out + k, folded + i, (size_t)len);
			k += (size_t)len;
		}
		i += (size_t)len;
	}
	free(folded);
	*outlen = k;
	return out;
}

/* ICU's spoof checker, opened once for the process and never changed:
 * its const functions are thread-safe (uspoof.h, "Thread Safety"). It
 * stays open until exit, like ICU's own data. */
static USpoofChecker	*spoof;
static pthread_once_t	 spoof_once = PTHREAD_ONCE_INIT;

static void
spoof_open(void)
{
	UErrorCode st = U_ZERO_ERROR;

	spoof = uspoof_open(&st);
	if (U_FAILURE(st)) {
		uspoof_close(spoof);
		spoof = NULL;
	}
}

/* The UTS #39 skeleton of s (NFD, every confusable mapped to its
 * prototype, NFD again) into a malloc'd string, or NULL. */
static uint8_t *
skeleton(const uint8_t *s, size_t n, size_t *outlen)
{
	UErrorCode st = U_ZERO_ERROR;
	int32_t len;
	char *out;

	pthread_once(&spoof_once, spoof_open);
	if (spoof == NULL || n > INT32_MAX)
		return NULL;
	len = uspoof_getSkeletonUTF8(spoof, 0, (const char *)s, (int32_t)n,
	    NULL, 0, &st);
	if (st != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(st))
		return NULL;
	if ((out = malloc((size_t)len + 1)) == NULL)
		return NULL;
	st = U_ZERO_ERROR;
	uspoof_getSkeletonUTF8(spoof, 0, (const char *)s, (int32_t)n, out,
	    len + 1, &st);
	if (U_FAILURE(st)) {
		free(out);
		return NULL;
	}
	*outlen = (size_t)len;
	return (uint8_t *)out;
}

/* NFKC (upper-cased too when `upper`), then the skeleton, then fold().
 * The skeleton must come before fold(): the confusables table knows
 * Greek "Ε", "Υ" as "E", "Y" but not their lower case, and maps symbols
 * such as "℮" that fold() would drop. Upper case catches lookalikes whose
 * lower case maps elsewhere (Cyrillic "к" is "ĸ", "К" is "K"). */
static uint8_t *
skeleton_fold(struct str s, bool upper, size_t *outlen)
{
	const uint8_t *in = (const uint8_t *)s.p;
	size_t n = 0, sn = 0;
	uint8_t *pre, *sk, *out;

	pre = upper ? u8_toupper(in, s.len, NULL, UNINORM_NFKC, NULL, &n) :
	    u8_normalize(UNINORM_NFKC, in, s.len, NULL, &n);
	if (pre == NULL)
		return NULL;
	sk = skeleton(pre, n, &sn);
	free(pre);
	if (sk == NULL)
		return NULL;
	out = fold((struct str){ (const char *)sk, sn }, outlen);
	free(sk);
	return out;
}

/* fold(), then the skeleton: lookalikes that only meet once case and
 * separators are gone ("r n" and "M" as "rn", "1" and "L" as "l"). */
static uint8_t *
fold_skeleton(struct str s, size_t *outlen)
{
	size_t n = 0;
	uint8_t *folded = fold(s, &n), *out;

	if (folded == NULL)
		return NULL;
	out = skeleton(folded, n, outlen);
	free(folded);
	return out;
}

/* The forms text and brand are compared in: folded, and the three
 * skeletons of the lookalike check (UTS #39). Each maps a substring of
 * its input to a substring of its output, so containment carries over. */
enum brand_form { FORM_FOLDED, FORM_SKELETON, FORM_UPPER_SKELETON,
	FORM_FOLDED_SKELETON, FORM_COUNT };

static uint8_t *
in_form(struct str s, int form, size_t *len)
{
	switch (form) {
	case FORM_FOLDED:
		return fold(s, len);
	case FORM_FOLDED_SKELETON:
		return fold_skeleton(s, len);
	default:
		return skeleton_fold(s, form == FORM_UPPER_SKELETON, len);
	}
}

bool
app_rule_contains_brand(struct str text, const char *brand)
{
	bool found = false;

	for (int form = 0; form < FORM_COUNT && !found; form++) {
		size_t tlen = 0, blen = 0;
		uint8_t *t = in_form(text, form, &tlen);
		uint8_t *b = in_form(str_from(brand), form, &blen);

		/* Fail closed: text that cannot be normalized is refused. */
		if (t == NULL || b == NULL)
			found = true;
		else
			found = blen > 0 && memmem(t, tlen, b, blen) != NULL;
		free(t);
		free(b);
	}
	return found;
}

const char *
app_rule_public_name(struct str name, const char *brand)
{
	const char *why = one_line(name, APP_PUBLIC_NAME_MAX_CHARS,
	    "Enter the name users will see.", "Use at most 100 characters.");

	if (why != NULL)
		return why;
	if (app_rule_contains_brand(name, brand))
		return "The public name may not contain this server's brand: "
		    "users must not mistake an app for the server itself.";
	return NULL;
}

const char *
app_rule_logo_url(struct str s)
{
	struct uri u;

	if (s.len == 0)
		return NULL;
	if (s.len > APP_URI_MAX_BYTES)
		return "Use at most 2000 bytes.";
	if (uri_parse(s, &u) != 0 || !lower_eq(u.scheme, "https") ||
	    !u.has_authority || u.host.len == 0)
		return "Use an absolute https:// URL.";
	if (u.has_userinfo || u.has_fragment)
		return "Use a plain https URL without user name or #fragment.";
	return NULL;
}

const char *
app_rule_description(struct str text)
{
	if (!plain_text(text, true))
		return "Use printable text only (no control characters).";
	if (utf8_chars(text) > APP_DESCRIPTION_MAX_CHARS)
		return "Use at most 1000 characters.";
	return NULL;
}

size_t
app_rule_split_lines(struct str text, struct str *lines, size_t max)
{
	size_t n = 0, i = 0;

	while (i < text.len) {
		size_t start = i;
		struct str line;

		while (i < text.len && text.p[i] != '\n' && text.p[i] != '\r')
			i++;
		line = str_trim((struct str){ text.p + start, i - start });
		while (i < text.len && (text.p[i] == '\n' || text.p[i] == '\r'))
			i++;
		if (line.len == 0)
			continue;
		if (n < max)
			lines[n] = line;
		n++;
	}
	return n;
}
