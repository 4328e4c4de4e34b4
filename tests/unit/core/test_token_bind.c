/* core/token_bind.c: which tokens a DPoP proof binds (docs/REFERENCE.md
 * §17.2), for public and confidential clients, new pairs and
 * rotations, and the codes a key binds. */
#include "core/token_bind.h"

#include <criterion/criterion.h>
#include <string.h>

static const struct app_row public_app = { .has_secret = false };
static const struct app_row conf_app = { .has_secret = true };

static struct token_proof
proof_of(unsigned char b)
{
	struct token_proof p;

	memset(p.jkt, b, sizeof(p.jkt));
	return p;
}

static struct token_row
parent_bound_to(const struct token_proof *p)
{
	struct token_row r;

	memset(&r, 0, sizeof(r));
	r.bound = p != NULL;
	if (p != NULL)
		memcpy(r.jkt, p->jkt, sizeof(r.jkt));
	return r;
}

Test(token_bind, a_new_pair)
{
	struct token_proof p = proof_of(7);
	struct issue is;

	/* zeroed before each call that must set the flags, all ones before
	 * the one that must clear them */
	memset(&is, 0, sizeof(is));
	token_bind_new(&is, &public_app, &p);
	cr_expect(is.access_bound && is.refresh_bound, "public: both");
	cr_expect_eq(memcmp(is.jkt, p.jkt, sizeof(p.jkt)), 0);
	memset(&is, 0, sizeof(is));
	token_bind_new(&is, &conf_app, &p);
	cr_expect(is.access_bound, "confidential: the access token");
	cr_expect(!is.refresh_bound, "but not its refresh token");
	memset(&is, 0xff, sizeof(is));
	token_bind_new(&is, &public_app, NULL);
	cr_expect(!is.access_bound && !is.refresh_bound, "no proof: Bearer");
}

Test(token_bind, a_bound_refresh_token_needs_its_own_key)
{
	struct token_proof mine = proof_of(1), other = proof_of(2);
	struct token_row parent = parent_bound_to(&mine);
	struct issue is;

	memset(&is, 0, sizeof(is));
	cr_expect_not_null(token_bind_rotation(&is, true, &parent, NULL));
	cr_expect_not_null(token_bind_rotation(&is, true, &parent, &other));
	cr_expect(!is.access_bound && !is.refresh_bound,
	    "a refusal binds nothing");
	cr_expect_null(token_bind_rotation(&is, true, &parent, &mine));
	cr_expect(is.access_bound && is.refresh_bound);
	cr_expect_eq(memcmp(is.jkt, mine.jkt, sizeof(mine.jkt)), 0);
	/* a binding once made stays, whatever the client is now */
	memset(&is, 0, sizeof(is));
	cr_expect_null(token_bind_rotation(&is, false, &parent, &mine));
	cr_expect(is.access_bound && is.refresh_bound);
	cr_expect_eq(memcmp(is.jkt, mine.jkt, sizeof(mine.jkt)), 0);
}

Test(token_bind, an_unbound_refresh_token)
{
	struct token_proof p = proof_of(3);
	struct token_row parent = parent_bound_to(NULL);
	struct issue is;

	memset(&is, 0, sizeof(is));
	cr_expect_null(token_bind_rotation(&is, false, &parent, NULL));
	cr_expect(!is.access_bound && !is.refresh_bound);
	cr_expect_null(token_bind_rotation(&is, false, &parent, &p));
	cr_expect(is.access_bound && !is.refresh_bound,
	    "confidential: a new key for each access token");
	cr_expect_null(token_bind_rotation(&is, true, &parent, &p));
	cr_expect(is.access_bound && is.refresh_bound,
	    "public: bound from its first proof");
}

/* RFC 9449 §10 (§17.3): a bound code goes only with its key's proof; an
 * unbound one with any proof or none. */
Test(token_bind, a_code)
{
	struct token_proof p = proof_of(7), q = proof_of(8);
	struct code_row c;

	memset(&c, 0, sizeof(c));
	cr_expect_null(token_bind_code(&c, NULL));
	cr_expect_null(token_bind_code(&c, &q));
	c.bound = true;
	memcpy(c.jkt, p.jkt, sizeof(c.jkt));
	cr_expect_null(token_bind_code(&c, &p));
	cr_expect_not_null(token_bind_code(&c, &q), "another key");
	cr_expect_not_null(token_bind_code(&c, NULL), "no proof");
}
