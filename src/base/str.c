#include "base/str.h"

#include <limits.h>
#include <string.h>

#include "base/err.h"

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

	return s.len >= n && (n == 0 || memcmp(s.p, prefix, n) == 0);
}

bool
str_ends_with(struct str s, const char *suffix)
{
	size_t n = strlen(suffix);

	return s.len >= n && (n == 0 ||
	    memcmp(s.p + s.len - n, suffix, n) == 0);
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
	/* The magnitude may reach 2^63 for a negative number. */
	const unsigned long long cap = (unsigned long long)LLONG_MAX + 1;
	unsigned long long v = 0;
	bool neg = s.len > 0 && s.p[0] == '-';
	size_t i = neg ? 1 : 0;
	long long r;

	if (s.len == i || s.len > 20 || (neg && min >= 0))
		return ERR_INVALID;
	for (; i < s.len; i++) {
		unsigned d;

		if (s.p[i] < '0' || s.p[i] > '9')
			return ERR_INVALID;
		d = (unsigned)(s.p[i] - '0');
		if (v > (cap - d) / 10)
			return ERR_INVALID;
		v = v * 10 + d;
	}
	if (neg)
		r = v == cap ? LLONG_MIN : -(long long)v;
	else if (v > (unsigned long long)LLONG_MAX)
		return ERR_INVALID;
	else
		r = (long long)v;
	if (r < min || r > max)
		return ERR_INVALID;
	*out = r;
	return 0;
}
