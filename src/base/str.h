#ifndef KEYGATE_BASE_STR_H
#define KEYGATE_BASE_STR_H

#include <stdbool.h>
#include <stddef.h>

/* A borrowed slice of bytes: never owns, never NUL-terminated by contract. */
struct str {
	const char	*p;
	size_t		 len;
};

#define STR_LIT(lit)	((struct str){ (lit), sizeof(lit) - 1 })
#define STR_NULL	((struct str){ NULL, 0 })

/* Wraps a NUL-terminated string (NULL gives the empty slice). */
struct str	str_from(const char *s);
bool		str_eq(struct str a, struct str b);
bool		str_eq_lit(struct str a, const char *lit);
/* ASCII case-insensitive equality. */
bool		str_eq_nocase(struct str a, const char *lit);
bool		str_starts_with(struct str s, const char *prefix);
bool		str_ends_with(struct str s, const char *suffix);
/* Strips ASCII spaces and tabs at both ends. */
struct str	str_trim(struct str s);

/* Parses a decimal integer in [min, max] from the whole slice: no sign unless
 * min < 0, no spaces, no leading '+'. Returns 0 or ERR_INVALID. */
int		str_to_i64(struct str s, long long min, long long max,
		    long long *out);

#endif
