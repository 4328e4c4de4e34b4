#include "core/cursor.h"

#include <sodium.h>

#include "core/err.h"

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

int
cursor_decode(struct str s, int64_t *id)
{
	unsigned char raw[LIST_CURSOR_BYTES];
	size_t len = 0;
	uint64_t v = 0;

	/* libsodium refuses stray bits and characters out of the alphabet:
	 * one id has one cursor. */
	if (s.len != CURSOR_TEXT_BYTES - 1 ||
	    sodium_base642bin(raw, sizeof(raw), s.p, s.len, NULL, &len, NULL,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    len != sizeof(raw))
		return ERR_MALFORMED;
	for (size_t i = 0; i < sizeof(raw); i++)
		v = v << 8 | raw[i];
	if (v == 0 || v > (uint64_t)INT64_MAX)
		return ERR_MALFORMED;
	*id = (int64_t)v;
	return 0;
}
