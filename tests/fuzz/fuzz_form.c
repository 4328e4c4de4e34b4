/* Query strings and form bodies: form_parse(), then params_bind() as the
 * OAuth endpoints use it, and form_decode() on the same bytes. */
#include "fuzz.h"

#include "base/arena.h"
#include "base/limits.h"
#include "base/utf8.h"
#include "http/form.h"

static const struct param_spec spec[] = {
	{ "grant_type", 64, true },
	{ "code", TOKEN_MAX_BYTES, false },
	{ "redirect_uri", APP_URI_MAX_BYTES, false },
	{ "scope", 256, false },
};

static void
check_params(const struct params *ps)
{
	FUZZ_CHECK(ps->n <= HTTP_MAX_PARAMS);
	for (size_t i = 0; i < ps->n; i++) {
		const struct param *p = &ps->v[i];

		FUZZ_CHECK(p->name.len > 0);
		FUZZ_CHECK(p->name.len <= HTTP_MAX_PARAM_NAME_BYTES);
		FUZZ_CHECK(p->value.len <= HTTP_MAX_PARAM_VALUE_BYTES);
		FUZZ_CHECK(utf8_valid(p->name) && utf8_valid(p->value));
		FUZZ_CHECK(memchr(p->value.p, '\0', p->value.len) == NULL);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct str in = { (const char *)data, size };
	char *copy = fuzz_exact(in);
	struct arena *a = arena_new();
	struct params ps = { 0 };
	struct str values[sizeof(spec) / sizeof(spec[0])];
	const char *bad;
	char *out = malloc(size + 1);
	size_t len;

	in.p = copy;
	if (form_parse(a, in, &ps) == 0) {
		check_params(&ps);
		params_bind(&ps, spec, sizeof(spec) / sizeof(spec[0]),
		    size % 2 == 0, values, &bad);
		params_get(&ps, "code");
	}
	if (form_decode(in, true, out, &len) == 0)
		FUZZ_CHECK(len <= size);
	if (form_decode(in, false, out, &len) == 0)
		FUZZ_CHECK(len <= size);
	free(out);
	arena_free(a);
	free(copy);
	return 0;
}
