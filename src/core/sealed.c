#include "core/sealed.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/mem.h"

#define NONCE	crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define TAG	crypto_aead_xchacha20poly1305_ietf_ABYTES
#define RAW_MAX	((SEALED_MAX_BYTES - 1) / 4 * 3)

int
sealed_seal(const unsigned char key[SECURE_KEY_BYTES], struct str plain,
    struct str context, char out[SEALED_MAX_BYTES])
{
	unsigned char raw[RAW_MAX];
	unsigned long long clen;

	if (NONCE + plain.len + TAG > RAW_MAX)
		return ERR_TOOBIG;
	randombytes_buf(raw, NONCE);
	crypto_aead_xchacha20poly1305_ietf_encrypt(raw + NONCE, &clen,
	    (const unsigned char *)plain.p, plain.len,
	    (const unsigned char *)context.p, context.len, NULL, raw, key);
	sodium_bin2base64(out, SEALED_MAX_BYTES, raw, NONCE + (size_t)clen,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return 0;
}

int
sealed_open(const unsigned char key[SECURE_KEY_BYTES], struct str sealed,
    struct str context, char *plain, size_t plainlen)
{
	unsigned char raw[RAW_MAX];
	unsigned long long mlen;
	size_t rawlen;

	if (sealed.len >= SEALED_MAX_BYTES ||
	    sodium_base642bin(raw, sizeof(raw), sealed.p, sealed.len, NULL,
	    &rawlen, NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    rawlen < NONCE + TAG || rawlen - NONCE - TAG >= plainlen)
		return ERR_AUTH;
	if (crypto_aead_xchacha20poly1305_ietf_decrypt((unsigned char *)plain,
	    &mlen, NULL, raw + NONCE, rawlen - NONCE,
	    (const unsigned char *)context.p, context.len, raw, key) != 0)
		return ERR_AUTH;
	plain[mlen] = '\0';
	return 0;
}

void
sealed_seal_buf(const unsigned char key[SECURE_KEY_BYTES], struct str plain,
    struct str context, struct buf *out)
{
	size_t rawlen = NONCE + plain.len + TAG;
	unsigned char *raw = xmalloc(rawlen);
	unsigned long long clen;

	randombytes_buf(raw, NONCE);
	crypto_aead_xchacha20poly1305_ietf_encrypt(raw + NONCE, &clen,
	    (const unsigned char *)plain.p, plain.len,
	    (const unsigned char *)context.p, context.len, NULL, raw, key);
	{
		size_t cap = sodium_base64_ENCODED_LEN(rawlen,
		    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
		char *text = xmalloc(cap);

		sodium_bin2base64(text, cap, raw, rawlen,
		    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
		buf_puts(out, text);
		free(text);
	}
	free(raw);
}

int
sealed_open_alloc(const unsigned char key[SECURE_KEY_BYTES],
    struct str sealed, struct str context, unsigned char **plain,
    size_t *len)
{
	size_t cap = sealed.len / 4 * 3 + 3, rawlen;
	unsigned char *raw = xmalloc(cap), *out;
	unsigned long long mlen;

	*plain = NULL;
	*len = 0;
	if (sodium_base642bin(raw, cap, sealed.p, sealed.len, NULL, &rawlen,
	    NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    rawlen < NONCE + TAG) {
		free(raw);
		return ERR_AUTH;
	}
	out = xmalloc(rawlen - NONCE - TAG + 1);
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(out, &mlen, NULL,
	    raw + NONCE, rawlen - NONCE, (const unsigned char *)context.p,
	    context.len, raw, key) != 0) {
		free(out);
		free(raw);
		return ERR_AUTH;
	}
	free(raw);
	*plain = out;
	*len = (size_t)mlen;
	return 0;
}
