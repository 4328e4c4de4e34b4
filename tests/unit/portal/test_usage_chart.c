#include "portal/usage_chart.h"

#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

/* 2026-11-30 14:00 UTC: the week shown ends at 2026-12-07 13:00. */
#define START	INT64_C(1796047200)
#define HOURS	168

static struct usage_hour hours[HOURS];

static void
week(void)
{
	memset(hours, 0, sizeof(hours));
	for (int i = 0; i < HOURS; i++)
		hours[i].hour = START + i * 3600;
}

static char *
draw(const char *name, size_t n)
{
	static struct buf b;

	buf_release(&b);
	buf_init(&b, 256 * 1024);
	usage_chart_html(&b, name, hours, n);
	cr_assert_eq(b.err, 0);
	buf_append(&b, "", 1);
	return b.p;
}

static int
count(const char *s, const char *what)
{
	int n = 0;

	for (const char *p = s; (p = strstr(p, what)) != NULL; p++)
		n++;
	return n;
}

Test(usage_chart, scale)
{
	static const int64_t cases[][2] = {
		{ -5, 1 }, { 0, 1 }, { 1, 1 }, { 2, 2 }, { 3, 5 }, { 5, 5 },
		{ 6, 10 }, { 10, 10 }, { 11, 20 }, { 150, 200 }, { 201, 500 },
		{ 999999, 1000000 },
		{ INT64_C(5000000000000000000), INT64_C(5000000000000000000) },
		/* past 5 * 10^18 no such number fits: the value itself */
		{ INT64_C(6000000000000000000), INT64_C(6000000000000000000) },
		{ INT64_MAX, INT64_MAX },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		cr_expect_eq(usage_chart_scale(cases[i][0]), cases[i][1],
		    "scale(%lld)", (long long)cases[i][0]);
}

Test(usage_chart, short_numbers)
{
	static const struct { int64_t v; const char *want; } cases[] = {
		{ 0, "0" }, { 950, "950" }, { 9999, "9999" }, { 10000, "10k" },
		{ 12345, "12k" }, { 999999, "999k" }, { 1500000, "1.5M" },
		{ 2000000, "2M" }, { 1999999, "1.9M" }, { 9999999, "9.9M" },
		{ 10000000, "10M" }, { INT64_C(3000000000), "3G" },
		{ INT64_MAX, "9.2E" },
	};
	char out[USAGE_CHART_SHORT_BYTES];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		usage_chart_short(cases[i].v, out);
		cr_expect_str_eq(out, cases[i].want);
	}
}

Test(usage_chart, empty)
{
	char *s;

	week();
	s = draw("App", HOURS);
	cr_expect_str_eq(s, "<p class=\"usage-empty\">No requests in the "
	    "last 7 days.</p>\n");
	s = draw("App", 0);
	cr_expect(strstr(s, "No requests in the last 7 days.") != NULL);
	cr_expect(strstr(s, "<svg") == NULL);
}

Test(usage_chart, counts)
{
	char *s;

	week();
	hours[5].n[USAGE_CHECK_OK] = 3;
	hours[5].n[USAGE_API_OK] = 2;
	hours[100].n[USAGE_CHECK_401] = 1;
	hours[100].n[USAGE_ISSUED] = 4;
	hours[100].n[USAGE_REFRESHED] = 1;
	hours[100].live_users = 2;
	hours[150].live_users = 1;	/* users alone: no row */
	s = draw("App", HOURS);
	cr_assert(strstr(s, "<svg") != NULL);
	cr_expect(strstr(s, "role=\"img\"") != NULL);
	cr_expect(strstr(s, "<title id=\"usage-title\">Usage of App, last 7 "
	    "days</title>") != NULL);
	cr_expect(strstr(s, "2026-11-30 14:00 to 2026-12-07 13:00 UTC. "
	    "Successful checks and API calls: 5; refused (401): 1; tokens "
	    "issued: 4; refreshed: 1; the most requests in one hour: 5; the "
	    "most users with access: 2.") != NULL, "%s", s);
	/* the scale's top is the busiest hour: 5, its point at the top */
	cr_expect(strstr(s, "text-anchor=\"end\">5</text>") != NULL);
	cr_expect(count(s, ",28.0 ") == 1, "%s", s);
	/* a line for each series and a legend entry; lone hours dotted */
	cr_expect_eq(count(s, "<polyline"), 5);
	cr_expect_eq(count(s, "<circle"), 6, "%s", s);
	cr_expect(strstr(s, "<circle cx=\"72.1\" cy=\"28.0\" r=\"3\" "
	    "fill=\"#0072B2\"/>") != NULL, "%s", s);
	cr_expect(strstr(s, ">Refused (401)</text>") != NULL);
	/* each day named under its noon; midnights drawn */
	cr_expect(strstr(s, ">Mon 7</text>") != NULL);
	cr_expect(strstr(s, ">Tue 1</text>") != NULL);
	cr_expect(strstr(s, ">Mon 30</text>") == NULL);	/* noon was before */
	/* the table: the two hours with requests, then the totals */
	cr_expect(strstr(s, "<summary>Show the numbers</summary>") != NULL);
	cr_expect_eq(count(s, "<tr><th scope=\"row\">"), 3);
	cr_expect(strstr(s, "<th scope=\"row\">2026-11-30 19:00</th><td>5</td>"
	    "<td>0</td><td>0</td><td>0</td><td>0</td></tr>") != NULL, "%s", s);
	cr_expect(strstr(s, "<th scope=\"row\">2026-12-04 18:00</th><td>0</td>"
	    "<td>1</td><td>4</td><td>1</td><td>2</td></tr>") != NULL, "%s", s);
	cr_expect(strstr(s, "All 7 days</th><td>5</td><td>1</td>"
	    "<td>4</td><td>1</td><td>2</td>") != NULL, "%s", s);
}

Test(usage_chart, users_only)
{
	char *s;

	week();
	hours[3].live_users = 7;
	s = draw("App", HOURS);
	cr_expect(strstr(s, "<svg") != NULL);
	cr_expect_eq(count(s, "<tr><th scope=\"row\">"), 1);	/* totals */
}

Test(usage_chart, huge)
{
	char *s;

	week();
	hours[0].n[USAGE_CHECK_OK] = INT64_MAX;
	hours[0].n[USAGE_API_OK] = INT64_MAX;
	hours[1].n[USAGE_CHECK_OK] = INT64_MAX;
	hours[2].live_users = INT64_MAX;
	s = draw("App", HOURS);
	/* sums held at the largest int64_t, never wrapped */
	cr_expect(strstr(s, "API calls: 9223372036854775807;") != NULL);
	cr_expect(strstr(s, "-9") == NULL);
	cr_expect(strstr(s, ">9.2E</text>") != NULL);
	cr_expect(strstr(s, "nan") == NULL && strstr(s, "inf") == NULL);
}

Test(usage_chart, escaping)
{
	char *s;

	week();
	hours[9].n[USAGE_ISSUED] = 1;
	s = draw("<script>\"&'", HOURS);
	cr_expect(strstr(s, "Usage of &lt;script&gt;&quot;&amp;&#39;, last")
	    != NULL, "%s", s);
	cr_expect(strstr(s, "<script>") == NULL);
}

Test(usage_chart, small)
{
	char *s;

	/* every hour busy: the page's part stays small */
	week();
	for (int i = 0; i < HOURS; i++)
		for (int k = 0; k < USAGE_KINDS; k++)
			hours[i].n[k] = INT64_C(1000000000) + i * 7 + k;
	s = draw("App", HOURS);
	cr_expect_lt(strlen(s), 96 * 1024, "%zu bytes", strlen(s));
	cr_expect_eq(count(s, "<tr><th scope=\"row\">"), HOURS + 1);
}
