#ifndef KEYGATE_CORE_SCOPES_H
#define KEYGATE_CORE_SCOPES_H

#include <stdbool.h>
#include <stddef.h>

#include "base/str.h"

/* The scopes keygate offers (docs/REFERENCE.md §5), each a bit. A scope set
 * travels as a mask inside keygate and as the space-separated names, in this
 * table's order, outside. */
enum {
	SCOPE_ACCOUNT_READ = 1u << 0,
	SCOPE_ACCOUNT_UPDATE = 1u << 1,
	SCOPE_CONTACT_DATA = 1u << 2,
	SCOPE_CAMPAIGN_DATA = 1u << 3,
	SCOPE_OPENID = 1u << 4,		/* OpenID Connect (§14) */
	SCOPE_EMAIL = 1u << 5,
	SCOPE_PROFILE = 1u << 6,
};

#define SCOPE_DEFAULT		SCOPE_ACCOUNT_READ
#define SCOPE_ALL		0x7fu
#define SCOPES_TEXT_MAX		128	/* every name, spaces, NUL */

struct scope_info {
	unsigned	 bit;
	const char	*name;
	const char	*description;	/* for the Grant Access page */
};

extern const struct scope_info scopes_offered[];
extern const size_t scopes_count;

/* Parses a `scope` parameter (RFC 6749 §3.3: space-delimited, case-
 * sensitive). Empty gives 0. Returns 0, or ERR_INVALID for an unknown name,
 * a repeated one, or stray spacing. */
int	scopes_parse(struct str s, unsigned *mask);

/* Writes the names of `mask` into out, space-separated, in table order. */
void	scopes_format(unsigned mask, char out[SCOPES_TEXT_MAX]);

#endif
