#include "core/user_agent.h"

#include <criterion/criterion.h>
#include <string.h>

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

Test(user_agent, names_the_browser_and_system)
{
	static const struct {
		const char	*ua, *label;
	} cases[] = {
		{ "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 "
		  "Firefox/128.0", "Firefox on Linux" },
		{ "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
		  "(KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 "
		  "Edg/126.0.0.0", "Edge on Windows" },
		{ "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) "
		  "AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 "
		  "Safari/605.1.15", "Safari on macOS" },
		{ "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 "
		  "(KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36",
		  "Chrome on Android" },
		{ "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) "
		  "AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 "
		  "Mobile/15E148 Safari/604.1", "Safari on iOS" },
		{ "curl/8.5.0", "curl" },
		{ "python-requests/2.31.0", "Python requests" },
		{ "", "Unknown browser" },
		{ "SomeBot 1.0", "SomeBot 1.0" },
	};
	char out[USER_AGENT_LABEL_CHARS + 1];

	for (size_t i = 0; i < NELEM(cases); i++) {
		user_agent_describe(cases[i].ua, out);
		cr_expect_str_eq(out, cases[i].label, "case %zu", i);
	}
	user_agent_describe(NULL, out);
	cr_expect_str_eq(out, "Unknown browser");
}

Test(user_agent, an_unknown_one_is_cut_on_a_character)
{
	char ua[200], out[USER_AGENT_LABEL_CHARS + 1];

	/* 47 ASCII bytes, then "é" (2 bytes) across the cut at 48 */
	memset(ua, 'a', 47);
	strcpy(ua + 47, "\xc3\xa9tail and more and more");
	user_agent_describe(ua, out);
	cr_expect_eq(strlen(out), 47, "the é does not fit whole");
	memset(ua, 'b', sizeof(ua) - 1);
	ua[sizeof(ua) - 1] = '\0';
	user_agent_describe(ua, out);
	cr_expect_eq(strlen(out), USER_AGENT_LABEL_CHARS);
}
