#include "core/lifetime.h"

#include <criterion/criterion.h>

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

#define IAT		1700000000LL
#define H		3600LL
#define NEVER		(-1LL)	/* offset meaning "last_used = 0" */

/* docs/REFERENCE.md §4 defaults: --token-unused-ttl 3600 --token-idle-ttl 7200
 * --token-max-ttl 86400. */
#define DEFAULTS	{ 3600, 7200, 86400 }

/* One token: issued at IAT, last used `used` seconds after it (NEVER for
 * never), expected to expire `exp` seconds after IAT. */
struct case_ {
	const char	*what;
	struct lifetime	 lt;
	int64_t		 used;
	int64_t		 exp;
};

static int64_t
last_used_of(const struct case_ *c)
{
	return c->used == NEVER ? 0 : IAT + c->used;
}

Test(lifetime, expiry)
{
	static const struct case_ cases[] = {
		/* docs/REFERENCE.md §4: never used, iat + 1 h */
		{ "never used", DEFAULTS, NEVER, 3600 },
		/* used: min(iat + 24 h, last_used + 2 h) */
		{ "used at issue", DEFAULTS, 0, 7200 },
		{ "used at +1 s", DEFAULTS, 1, 7201 },
		{ "used at +30 min", DEFAULTS, 1800, 1800 + 7200 },
		{ "used just before the unused deadline", DEFAULTS, 3599,
		  3599 + 7200 },
		{ "used at +10 h", DEFAULTS, 10 * H, 12 * H },
		{ "used at +22 h - 1 s", DEFAULTS, 22 * H - 1, 24 * H - 1 },
		{ "used at +22 h: idle and cap coincide", DEFAULTS, 22 * H,
		  24 * H },
		{ "used at +22 h + 1 s: capped", DEFAULTS, 22 * H + 1, 24 * H },
		{ "used at +23 h: capped at +24 h", DEFAULTS, 23 * H, 24 * H },
		{ "used at +24 h - 1 s: capped", DEFAULTS, 24 * H - 1, 24 * H },
		/* a use after expiry is never recorded by the caller, but the
		 * rule must still not let it move the cap */
		{ "use recorded at the cap", DEFAULTS, 24 * H, 24 * H },
		{ "use recorded 1 s after the cap", DEFAULTS, 24 * H + 1,
		  24 * H },
		{ "use recorded at +30 h", DEFAULTS, 30 * H, 24 * H },
		{ "use recorded a year later", DEFAULTS, 365 * 24 * H, 24 * H },
		/* custom TTLs */
		{ "custom: never used", { 60, 120, 600 }, NEVER, 60 },
		{ "custom: used at issue", { 60, 120, 600 }, 0, 120 },
		{ "custom: used at +30 s", { 60, 120, 600 }, 30, 150 },
		{ "custom: used at +479 s", { 60, 120, 600 }, 479, 599 },
		{ "custom: used at +480 s", { 60, 120, 600 }, 480, 600 },
		{ "custom: used at +500 s, capped", { 60, 120, 600 }, 500,
		  600 },
		{ "custom: use recorded after the cap", { 60, 120, 600 }, 700,
		  600 },
		{ "custom: idle shorter than unused", { 600, 60, 3600 }, 10,
		  70 },
		/* unused TTL at or above the max: the cap still applies */
		{ "unused TTL above max", { 7200, 3600, 1800 }, NEVER, 1800 },
		{ "unused TTL far above max", { 10 * 86400, 7200, 86400 },
		  NEVER, 86400 },
		{ "unused TTL equal to max", { 86400, 7200, 86400 }, NEVER,
		  86400 },
		{ "idle TTL above max", { 3600, 100000, 86400 }, 10, 86400 },
		{ "idle TTL above max, used late", { 3600, 100000, 86400 },
		  80000, 86400 },
	};

	for (size_t i = 0; i < NELEM(cases); i++) {
		const struct case_ *c = &cases[i];
		int64_t lu = last_used_of(c), got;

		got = lifetime_expiry(&c->lt, IAT, lu);
		cr_expect_eq(got, IAT + c->exp,
		    "case %zu (%s): expiry iat%+lld, want iat%+lld", i,
		    c->what, (long long)(got - IAT), (long long)c->exp);
	}
}

/* docs/REFERENCE.md §4: valid while now < exp, so the last live second
 * is exp - 1. */
Test(lifetime, alive_boundaries)
{
	static const struct case_ cases[] = {
		{ "never used", DEFAULTS, NEVER, 3600 },
		{ "used at +30 min", DEFAULTS, 1800, 9000 },
		{ "used at +23 h", DEFAULTS, 23 * H, 24 * H },
		{ "use recorded after the cap", DEFAULTS, 25 * H, 24 * H },
		{ "custom: never used", { 60, 120, 600 }, NEVER, 60 },
		{ "custom: used at +30 s", { 60, 120, 600 }, 30, 150 },
		{ "custom: used at +500 s", { 60, 120, 600 }, 500, 600 },
		{ "unused TTL above max", { 7200, 3600, 1800 }, NEVER, 1800 },
	};

	for (size_t i = 0; i < NELEM(cases); i++) {
		const struct case_ *c = &cases[i];
		int64_t lu = last_used_of(c), exp = IAT + c->exp;

		cr_expect(lifetime_alive(&c->lt, IAT, lu, IAT),
		    "case %zu (%s): dead at issue", i, c->what);
		cr_expect(lifetime_alive(&c->lt, IAT, lu, exp - 1),
		    "case %zu (%s): dead at iat%+lld", i, c->what,
		    (long long)(c->exp - 1));
		cr_expect(!lifetime_alive(&c->lt, IAT, lu, exp),
		    "case %zu (%s): alive at iat%+lld", i, c->what,
		    (long long)c->exp);
		cr_expect(!lifetime_alive(&c->lt, IAT, lu, exp + 1),
		    "case %zu (%s): alive at iat%+lld", i, c->what,
		    (long long)(c->exp + 1));
		cr_expect(!lifetime_alive(&c->lt, IAT, lu, exp + 365 * 24 * H),
		    "case %zu (%s): alive a year later", i, c->what);
	}
}

/* The brief's spot checks, spelled out: +3599/+3600 and +8999/+9000. */
Test(lifetime, spec_examples)
{
	static const struct lifetime lt = DEFAULTS;

	cr_expect(lifetime_alive(&lt, IAT, 0, IAT + 3599));
	cr_expect(!lifetime_alive(&lt, IAT, 0, IAT + 3600));
	cr_expect(lifetime_alive(&lt, IAT, IAT + 1800, IAT + 8999));
	cr_expect(!lifetime_alive(&lt, IAT, IAT + 1800, IAT + 9000));
	cr_expect(lifetime_alive(&lt, IAT, IAT + 23 * H, IAT + 24 * H - 1));
	cr_expect(!lifetime_alive(&lt, IAT, IAT + 23 * H, IAT + 24 * H));
}

/* A client that checks its token first `first` seconds after issue, then
 * every `every` seconds, as the caller would: a use counts only while the
 * token is alive, and then becomes last_used. The token must stay alive
 * until exactly iat + max and no later. */
Test(lifetime, regular_use_until_cap)
{
	static const struct {
		struct lifetime	 lt;
		int64_t		 first;
		int64_t		 every;
	} cases[] = {
		{ DEFAULTS, 1800, 90 * 60 },	/* every 90 min */
		{ DEFAULTS, 3599, 90 * 60 },
		{ DEFAULTS, 3599, 7199 },	/* just inside the idle TTL */
		{ DEFAULTS, 0, 60 },
		{ { 60, 120, 600 }, 59, 90 },
		{ { 60, 120, 600 }, 1, 119 },
	};

	for (size_t i = 0; i < NELEM(cases); i++) {
		const struct lifetime *lt = &cases[i].lt;
		int64_t cap = IAT + lt->max_ttl_s, lu = 0, t;
		size_t uses = 0;

		for (t = IAT + cases[i].first; t < cap; t += cases[i].every) {
			if (!lifetime_alive(lt, IAT, lu, t)) {
				cr_expect_fail("case %zu: dead at iat%+lld "
				    "after %zu uses", i, (long long)(t - IAT),
				    uses);
				break;
			}
			lu = t;
			uses++;
		}
		cr_expect_eq(lifetime_expiry(lt, IAT, lu), cap,
		    "case %zu: expiry iat%+lld, want the cap", i,
		    (long long)(lifetime_expiry(lt, IAT, lu) - IAT));
		cr_expect(lifetime_alive(lt, IAT, lu, cap - 1), "case %zu", i);
		cr_expect(!lifetime_alive(lt, IAT, lu, cap), "case %zu", i);
		/* a use at the cap is refused, and would revive nothing */
		cr_expect(!lifetime_alive(lt, IAT, cap, cap), "case %zu", i);
		cr_expect(!lifetime_alive(lt, IAT, cap, cap + 1), "case %zu",
		    i);
	}
}

/* Missing a use for longer than the idle TTL ends the token even though
 * the cap is far away. */
Test(lifetime, idle_gap_ends_token)
{
	static const struct lifetime lt = DEFAULTS;
	int64_t lu = IAT + 4 * H;

	cr_expect(lifetime_alive(&lt, IAT, lu, lu + 7199));
	cr_expect(!lifetime_alive(&lt, IAT, lu, lu + 7200));
	cr_expect(!lifetime_alive(&lt, IAT, lu, IAT + 20 * H));
}
