#include "core/scopes.h"

#include <string.h>

#include "base/err.h"

const struct scope_info scopes_offered[] = {
	{ SCOPE_ACCOUNT_READ, "account_read",
	  "See your account's identifier and email address." },
	{ SCOPE_ACCOUNT_UPDATE, "account_update",
	  "Change your account's details." },
	{ SCOPE_CONTACT_DATA, "contact_data",
	  "Read and manage your contacts." },
	{ SCOPE_CAMPAIGN_DATA, "campaign_data",
	  "Read and manage your campaigns." },
	/* OpenID Connect (§14): who signs in, for the id_token and userinfo */
	{ SCOPE_OPENID, "openid",
	  "Know who you are when you sign in to it with your account." },
	{ SCOPE_EMAIL, "email",
	  "See your email address and whether it is verified." },
	{ SCOPE_PROFILE, "profile",
	  "See your basic profile." },
};

const size_t scopes_count = sizeof(scopes_offered) /
    sizeof(scopes_offered[0]);

int
scopes_parse(struct str s, unsigned *mask)
{
	size_t i = 0;

	*mask = 0;
	while (i < s.len) {
		size_t start = i, k;

		while (i < s.len && s.p[i] != ' ')
			i++;
		if (i == start)
			return ERR_INVALID;	/* leading or double space */
		for (k = 0; k < scopes_count; k++)
			if (str_eq_lit((struct str){ s.p + start, i - start },
			    scopes_offered[k].name))
				break;
		if (k == scopes_count || (*mask & scopes_offered[k].bit))
			return ERR_INVALID;
		*mask |= scopes_offered[k].bit;
		if (i < s.len && ++i == s.len)
			return ERR_INVALID;	/* trailing space */
	}
	return 0;
}

void
scopes_format(unsigned mask, char out[SCOPES_TEXT_MAX])
{
	size_t used = 0;

	out[0] = '\0';
	for (size_t k = 0; k < scopes_count; k++) {
		size_t n;

		if (!(mask & scopes_offered[k].bit))
			continue;
		n = strlen(scopes_offered[k].name);
		if (used > 0)
			out[used++] = ' ';
		memcpy(out + used, scopes_offered[k].name, n);
		used += n;
		out[used] = '\0';
	}
}
