#include "core/cursor.h"

#include <sodium.h>
#include <stdbool.h>
#include <string.h>

#include "base/err.h"

void
cursor_encode(int64_t id, char out[CURSOR_TEXT_BYTES])
{
	unsigned char raw[LIST_CURSOR_BYTES];
	uint64_t v = (uint64_t)id;

	for (int i = LIST_CURSOR_BYTES - 1; i >= 0; i--) {
		raw[i] = (unsigned char)(v & 0xff);
		v >>= 8;
	}
	sodium_bin2base64(out, CURSOR_TEXT_BYTES, raw, sizeof(raw),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

static bool
base64url_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '_';
}

int
cursor_decode(struct str s, int64_t *id)
{
	unsigned char raw[LIST_CURSOR_BYTES];
	char again[CURSOR_TEXT_BYTES];
	size_t len = 0;
	uint64_t v = 0;

	if (s.len != CURSOR_TEXT_BYTES - 1)
		return ERR_MALFORMED;
	/* libsodium's decoder is not relied on to refuse bytes outside
	 * the alphabet (a fuzzer found one it took) */
	for (size_t i = 0; i < s.len; i++)
		if (!base64url_char(s.p[i]))
			return ERR_MALFORMED;
	if (sodium_base642bin(raw, sizeof(raw), s.p, s.len, NULL, &len, NULL,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    len != sizeof(raw))
		return ERR_MALFORMED;
	for (size_t i = 0; i < sizeof(raw); i++)
		v = v << 8 | raw[i];
	if (v == 0 || v > (uint64_t)INT64_MAX)
		return ERR_MALFORMED;
	/* one id, one cursor: stray low bits in the last character give
	 * another spelling, refused */
	cursor_encode((int64_t)v, again);
	if (memcmp(again, s.p, s.len) != 0)
		return ERR_MALFORMED;
	*id = (int64_t)v;
	return 0;
}
