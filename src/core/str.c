#include "core/str.h"

#include <string.h>

#include "core/err.h"

struct str
str_from(const char *s)
{
	return (struct str){ s, s == NULL ? 0 : strlen(s) };
}

bool
str_eq(struct str a, struct str b)
{
	return a.len == b.len && (a.len == 0 || memcmp(a.p, b.p, a.len) == 0);
}

bool
str_eq_lit(struct str a, const char *lit)
{
	return str_eq(a, str_from(lit));
}

static char
lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

bool
str_eq_nocase(struct str a, const char *lit)
{
	size_t n = strlen(lit);

	if (a.len != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (lower(a.p[i]) != lower(lit[i]))
			return false;
	return true;
}

bool
str_starts_with(struct str s, const char *prefix)
{
	size_t n = strlen(prefix);

	return s.len >= n && memcmp(s.p, prefix, n) == 0;
}

struct str
str_trim(struct str s)
{
	while (s.len > 0 && (s.p[0] == ' ' || s.p[0] == '\t')) {
		s.p++;
		s.len--;
	}
	while (s.len > 0 && (s.p[s.len - 1] == ' ' || s.p[s.len - 1] == '\t'))
		s.len--;
	return s;
}

int
str_to_i64(struct str s, long long min, long long max, long long *out)
{
	size_t i = 0;
	bool neg = false;
	unsigned long long v = 0, limit;

	if (s.len == 0 || s.len > 20)
		return ERR_INVALID;
	if (s.p[0] == '-') {
		if (min >= 0 || s.len == 1)
			return ERR_INVALID;
		neg = true;
		i = 1;
	}
	limit = neg ? (unsigned long long)(-(min + 1)) + 1 :
	    (unsigned long long)max;
	for (; i < s.len; i++) {
		unsigned d;

		if (s.p[i] < '0' || s.p[i] > '9')
			return ERR_INVALID;
		d = (unsigned)(s.p[i] - '0');
		if (v > (limit - d) / 10)
			return ERR_INVALID;
		v = v * 10 + d;
	}
	if (neg) {
		*out = v == 0 ? 0 : -(long long)(v - 1) - 1;
		if (*out > max)
			return ERR_INVALID;
	} else {
		if ((long long)v < min)
			return ERR_INVALID;
		*out = (long long)v;
	}
	return 0;
}
