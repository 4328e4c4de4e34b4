#include "core/csrf.h"

void
csrf_token(const unsigned char key[SECURE_KEY_BYTES], struct str binding,
    char out[CSRF_TOKEN_BYTES])
{
	secure_mac_b64(key, binding, out);
}

bool
csrf_verify(const unsigned char key[SECURE_KEY_BYTES], struct str binding,
    struct str token)
{
	char want[CSRF_TOKEN_BYTES];

	if (binding.len == 0 || token.len == 0)
		return false;
	csrf_token(key, binding, want);
	return secure_equal(str_from(want), token);
}
