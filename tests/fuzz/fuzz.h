#ifndef KEYGATE_TESTS_FUZZ_H
#define KEYGATE_TESTS_FUZZ_H

/* What every target shares: the libFuzzer entry point's prototype (for
 * -Wmissing-prototypes) and a way to cut one input into several. */

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/str.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A property the parser promises; its failure is a finding like a crash. */
#define FUZZ_CHECK(cond)	do { if (!(cond)) __builtin_trap(); } while (0)

/* True when the slice lies within the input [base, base + len). */
static inline int
fuzz_within(struct str s, const char *base, size_t len)
{
	return s.len == 0 || (s.p >= base && s.p + s.len <= base + len);
}

/* Cuts the next piece off *in at the first NUL (or the end): targets that
 * take several strings read them this way, so any seed is easy to write
 * by hand with printf '%s\0%s'. */
static inline struct str
fuzz_piece(struct str *in)
{
	const char *nul = in->len == 0 ? NULL : memchr(in->p, '\0', in->len);
	struct str piece;

	if (nul == NULL) {
		piece = *in;
		*in = (struct str){ in->p + in->len, 0 };
		return piece;
	}
	piece = (struct str){ in->p, (size_t)(nul - in->p) };
	*in = (struct str){ nul + 1, in->len - piece.len - 1 };
	return piece;
}

/* A heap copy of exactly s.len bytes, without a NUL, so that ASan sees any
 * read past the end of what the client sent. Free with free(). */
static inline char *
fuzz_exact(struct str s)
{
	char *p = malloc(s.len == 0 ? 1 : s.len);

	if (s.len > 0)
		memcpy(p, s.p, s.len);
	return p;
}

#endif
