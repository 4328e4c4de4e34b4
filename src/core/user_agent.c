#include "core/user_agent.h"

#include <stdio.h>
#include <string.h>

/* The first match wins: Edge and Opera say "Chrome" too, Chrome says
 * "Safari", so the more particular names come first. */
static const struct {
	const char	*token;
	const char	*name;
} browsers[] = {
	{ "Edg/", "Edge" }, { "OPR/", "Opera" }, { "Firefox/", "Firefox" },
	{ "Chromium/", "Chromium" }, { "Chrome/", "Chrome" },
	{ "CriOS/", "Chrome" }, { "FxiOS/", "Firefox" },
	{ "Safari/", "Safari" }, { "curl/", "curl" }, { "Wget/", "Wget" },
	{ "python-requests/", "Python requests" },
};

/* iPhone and Android before Linux and Mac OS X, which they also say. */
static const struct {
	const char	*token;
	const char	*name;
} systems[] = {
	{ "Android", "Android" }, { "iPhone", "iOS" }, { "iPad", "iPadOS" },
	{ "Windows", "Windows" }, { "Mac OS X", "macOS" },
	{ "CrOS", "ChromeOS" }, { "Linux", "Linux" },
};

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* Copies at most `max` bytes of s into out, never ending inside a UTF-8
 * sequence. */
static void
cut(const char *s, char *out, size_t max)
{
	size_t n = strlen(s);

	if (n > max) {
		n = max;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(out, s, n);
	out[n] = '\0';
}

void
user_agent_describe(const char *ua, char out[USER_AGENT_LABEL_CHARS + 1])
{
	const char *browser = NULL, *system = NULL;

	if (ua == NULL || ua[0] == '\0') {
		cut("Unknown browser", out, USER_AGENT_LABEL_CHARS);
		return;
	}
	for (size_t i = 0; i < NELEM(browsers) && browser == NULL; i++)
		if (strstr(ua, browsers[i].token) != NULL)
			browser = browsers[i].name;
	for (size_t i = 0; i < NELEM(systems) && system == NULL; i++)
		if (strstr(ua, systems[i].token) != NULL)
			system = systems[i].name;
	if (browser == NULL)
		cut(ua, out, USER_AGENT_LABEL_CHARS);
	else if (system == NULL)
		cut(browser, out, USER_AGENT_LABEL_CHARS);
	else
		snprintf(out, USER_AGENT_LABEL_CHARS + 1, "%s on %s", browser,
		    system);
}
