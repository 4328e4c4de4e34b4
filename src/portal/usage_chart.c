/* An app's usage as an inline SVG chart and a table, drawn on the server
 * on every view of the app's page: one pass over the hours for the
 * scales, one per line, printed straight into the page's buffer. */
#include "portal/usage_chart.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "base/str.h"
#include "http/html.h"

/* The picture's own units (its viewBox); it scales to the page's width. */
#define W		560
#define X0		56		/* left of the plots: the y labels */
#define X1		(W - 12)
#define TOP1		28		/* requests per hour */
#define H1		160
#define TOP2		(TOP1 + H1 + 36)	/* users with access */
#define H2		48
#define DAYS_Y		(TOP2 + H2 + 18)
#define LEGEND_Y	(DAYS_Y + 30)	/* two rows */
#define H		(LEGEND_Y + 30)

/* The lines; S_USERS has a panel of its own. Colours from the Okabe-Ito
 * palette (told apart with colour blindness), and each line its own dash
 * pattern, so none is known by colour alone. */
enum { S_OK, S_REFUSED, S_ISSUED, S_REFRESHED, S_USERS, S_COUNT };

static const struct {
	const char	*label;
	const char	*colour;
	const char	*dash;
} series[S_COUNT] = {
	[S_OK] = { "Successful", "#0072B2", "none" },
	[S_REFUSED] = { "Refused (401)", "#D55E00", "7 3" },
	[S_ISSUED] = { "Tokens issued", "#009E73", "2 2" },
	[S_REFRESHED] = { "Refreshed", "#CC79A7", "9 3 2 3" },
	[S_USERS] = { "Users with access", "#000000", "none" },
};

static const char *const wday[7] = {
	"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"
};

/* a + b, held at INT64_MAX: a year of counts cannot wrap a total */
static int64_t
add(int64_t a, int64_t b)
{
	if (b > 0 && a > INT64_MAX - b)
		return INT64_MAX;
	return a + b;
}

static int64_t
value(const struct usage_hour *h, int s)
{
	switch (s) {
	case S_OK:
		return add(h->n[USAGE_CHECK_OK], h->n[USAGE_API_OK]);
	case S_REFUSED:
		return add(h->n[USAGE_CHECK_401], h->n[USAGE_API_401]);
	case S_ISSUED:
		return h->n[USAGE_ISSUED];
	case S_REFRESHED:
		return h->n[USAGE_REFRESHED];
	default:
		return h->live_users;
	}
}

int64_t
usage_chart_scale(int64_t v)
{
	static const int64_t steps[] = { 1, 2, 5 };
	int64_t p = 1;

	if (v <= 1)
		return 1;
	for (;;) {
		for (size_t i = 0; i < 3; i++)
			if (steps[i] * p >= v)
				return steps[i] * p;
		if (p > INT64_MAX / 10)
			return v;
		p *= 10;
	}
}

void
usage_chart_short(int64_t v, char out[USAGE_CHART_SHORT_BYTES])
{
	static const char units[] = "kMGTPE";
	int64_t div = 1000, tenths;
	size_t u = 0;

	if (v < 10000) {
		snprintf(out, USAGE_CHART_SHORT_BYTES, "%lld", (long long)v);
		return;
	}
	while (u + 1 < sizeof(units) - 1 && v / div >= 1000) {
		div *= 1000;
		u++;
	}
	/* tenths, cut not rounded: a label never claims more than is */
	tenths = v / (div / 10);
	if (tenths < 100 && tenths % 10 != 0)
		snprintf(out, USAGE_CHART_SHORT_BYTES, "%lld.%lld%c",
		    (long long)(tenths / 10), (long long)(tenths % 10),
		    units[u]);
	else
		snprintf(out, USAGE_CHART_SHORT_BYTES, "%lld%c",
		    (long long)(v / div), units[u]);
}

static void
hour_text(int64_t t, char out[48])
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	snprintf(out, 48, "%04d-%02d-%02d %02d:00", tm.tm_year + 1900,
	    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour);
}

static double
x_of(size_t i, size_t n)
{
	return X0 + ((double)i + 0.5) * (X1 - X0) / (double)n;
}

/* One panel's frame: its name, the top and bottom of its scale, a middle
 * line when the middle is a whole number. */
static void
panel(struct buf *out, const char *name, int top, int height, int64_t max)
{
	char label[USAGE_CHART_SHORT_BYTES];

	buf_printf(out, "<text x=\"%d\" y=\"%d\" font-weight=\"bold\">%s"
	    "</text>\n", X0, top - 8, name);
	usage_chart_short(max, label);
	buf_printf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
	    "stroke=\"#bbbbbb\"/>\n<text x=\"%d\" y=\"%d\" "
	    "text-anchor=\"end\">%s</text>\n", X0, top, X1, top, X0 - 6,
	    top + 4, label);
	if (max % 2 == 0) {
		usage_chart_short(max / 2, label);
		buf_printf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" "
		    "y2=\"%d\" stroke=\"#dddddd\"/>\n<text x=\"%d\" y=\"%d\" "
		    "text-anchor=\"end\">%s</text>\n", X0, top + height / 2,
		    X1, top + height / 2, X0 - 6, top + height / 2 + 4,
		    label);
	}
	buf_printf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
	    "stroke=\"#333333\"/>\n<text x=\"%d\" y=\"%d\" "
	    "text-anchor=\"end\">0</text>\n", X0, top + height, X1,
	    top + height, X0 - 6, top + height + 4);
}

/* A line at each midnight (UTC) through both panels, and each day's name
 * under its noon. */
static void
days(struct buf *out, const struct usage_hour *h, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int64_t in_day = h[i].hour % 86400;
		double x = x_of(i, n) - 0.5 * (X1 - X0) / (double)n;
		time_t t = (time_t)h[i].hour;
		struct tm tm;

		if (in_day == 0)
			buf_printf(out, "<line x1=\"%.1f\" y1=\"%d\" "
			    "x2=\"%.1f\" y2=\"%d\" stroke=\"#dddddd\"/>\n",
			    x, TOP1, x, TOP2 + H2);
		if (in_day != 12 * 3600)
			continue;
		gmtime_r(&t, &tm);
		buf_printf(out, "<text x=\"%.1f\" y=\"%d\" "
		    "text-anchor=\"middle\">%s %d</text>\n", x, DAYS_Y,
		    wday[tm.tm_wday], tm.tm_mday);
	}
}

static double
y_of(int64_t v, int top, int height, int64_t max)
{
	return top + height - (double)v / (double)max * height;
}

/* The series' line, and a dot on each hour that stands alone (its
 * neighbours zero), which a line alone would draw as a hairline. */
static void
line(struct buf *out, const struct usage_hour *h, size_t n, int s,
    int top, int height, int64_t max)
{
	buf_printf(out, "<polyline fill=\"none\" stroke=\"%s\" "
	    "stroke-width=\"2\" stroke-dasharray=\"%s\" "
	    "stroke-linejoin=\"round\" points=\"", series[s].colour,
	    series[s].dash);
	for (size_t i = 0; i < n; i++)
		buf_printf(out, "%.1f,%.1f ", x_of(i, n),
		    y_of(value(&h[i], s), top, height, max));
	buf_puts(out, "\"/>\n");
	for (size_t i = 0; i < n; i++) {
		int64_t v = value(&h[i], s);

		if (v == 0 || (i > 0 && value(&h[i - 1], s) != 0) ||
		    (i + 1 < n && value(&h[i + 1], s) != 0))
			continue;
		buf_printf(out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" "
		    "fill=\"%s\"/>\n", x_of(i, n), y_of(v, top, height, max),
		    series[s].colour);
	}
}

static void
legend(struct buf *out)
{
	static const int col[S_COUNT] = { 0, 150, 320, 0, 150 };

	for (int s = 0; s < S_COUNT; s++) {
		int x = X0 + col[s], y = LEGEND_Y + (s < 3 ? 0 : 22);

		buf_printf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" "
		    "y2=\"%d\" stroke=\"%s\" stroke-width=\"3\" "
		    "stroke-dasharray=\"%s\"/><text x=\"%d\" y=\"%d\">%s"
		    "</text>\n", x, y - 5, x + 24, y - 5, series[s].colour,
		    series[s].dash, x + 30, y, series[s].label);
	}
}

struct sums {
	int64_t	 total[S_COUNT];	/* S_USERS: the most in an hour */
	int64_t	 peak;			/* the most requests in an hour */
	int64_t	 users_peak;
};

static void
sum(const struct usage_hour *h, size_t n, struct sums *t)
{
	*t = (struct sums){ 0 };
	for (size_t i = 0; i < n; i++) {
		for (int s = 0; s < S_USERS; s++) {
			int64_t v = value(&h[i], s);

			t->total[s] = add(t->total[s], v);
			if (v > t->peak)
				t->peak = v;
		}
		if (h[i].live_users > t->users_peak)
			t->users_peak = h[i].live_users;
	}
	t->total[S_USERS] = t->users_peak;
}

static void
svg(struct buf *out, const char *name, const struct usage_hour *h,
    size_t n, const struct sums *t)
{
	int64_t max1 = usage_chart_scale(t->peak);
	int64_t max2 = usage_chart_scale(t->users_peak);
	char from[48], to[48];

	hour_text(h[0].hour, from);
	hour_text(h[n - 1].hour, to);
	buf_puts(out, "<div class=\"scroll\" role=\"region\" tabindex=\"0\" "
	    "aria-label=\"Usage chart\">\n");
	buf_printf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" "
	    "role=\"img\" viewBox=\"0 0 %d %d\" width=\"100%%\" "
	    "font-family=\"sans-serif\" font-size=\"14\" fill=\"#222222\" "
	    "aria-labelledby=\"usage-title usage-desc\" class=\"usage-chart\">"
	    "\n<title id=\"usage-title\">Usage of ", W, H);
	html_escape(out, str_from(name));
	buf_printf(out, ", last 7 days</title>\n<desc id=\"usage-desc\">"
	    "Hour by hour from %s to %s UTC. Successful checks and API "
	    "calls: %lld; refused (401): %lld; tokens issued: %lld; "
	    "refreshed: %lld; the most requests in one hour: %lld; the most "
	    "users with access: %lld.</desc>\n<rect width=\"%d\" "
	    "height=\"%d\" fill=\"#ffffff\"/>\n", from, to,
	    (long long)t->total[S_OK], (long long)t->total[S_REFUSED],
	    (long long)t->total[S_ISSUED], (long long)t->total[S_REFRESHED],
	    (long long)t->peak, (long long)t->users_peak, W, H);
	panel(out, "Requests per hour", TOP1, H1, max1);
	panel(out, "Users with access", TOP2, H2, max2);
	days(out, h, n);
	for (int s = S_COUNT - 2; s >= 0; s--)
		line(out, h, n, s, TOP1, H1, max1);
	line(out, h, n, S_USERS, TOP2, H2, max2);
	legend(out);
	buf_puts(out, "</svg>\n</div>\n");
}

static void
row(struct buf *out, const char *head, const int64_t v[S_COUNT])
{
	buf_printf(out, "<tr><th scope=\"row\">%s</th>", head);
	for (int s = 0; s < S_COUNT; s++)
		buf_printf(out, "<td>%lld</td>", (long long)v[s]);
	buf_puts(out, "</tr>\n");
}

static void
table(struct buf *out, const struct usage_hour *h, size_t n,
    const struct sums *t)
{
	buf_puts(out, "<details class=\"usage-numbers\"><summary>Show the "
	    "numbers</summary>\n<div class=\"scroll\" role=\"region\" "
	    "tabindex=\"0\" aria-label=\"Usage as numbers\">\n"
	    "<table class=\"apps\" id=\"usage-table\">\n"
	    "<caption>Requests per hour (UTC), the hours with any</caption>\n"
	    "<thead><tr><th scope=\"col\">Hour (UTC)</th>");
	for (int s = 0; s < S_COUNT; s++)
		buf_printf(out, "<th scope=\"col\">%s</th>", series[s].label);
	buf_puts(out, "</tr></thead>\n<tbody>\n");
	for (size_t i = 0; i < n; i++) {
		int64_t v[S_COUNT];
		bool any = false;
		char head[48];

		for (int s = 0; s < S_COUNT; s++) {
			v[s] = value(&h[i], s);
			any = any || (s != S_USERS && v[s] != 0);
		}
		if (!any)
			continue;
		hour_text(h[i].hour, head);
		row(out, head, v);
	}
	buf_puts(out, "</tbody>\n<tfoot>\n");
	row(out, "All 7 days", t->total);
	buf_puts(out, "</tfoot>\n</table>\n</div>\n<p class=\"help\">Users "
	    "with access: as counted in the hour; for all 7 days, the most in "
	    "an hour.</p>\n</details>\n");
}

void
usage_chart_html(struct buf *out, const char *name,
    const struct usage_hour *hours, size_t n)
{
	struct sums t;

	sum(hours, n, &t);
	if (n == 0 || (t.peak == 0 && t.users_peak == 0)) {
		buf_puts(out, "<p class=\"usage-empty\">No requests in the "
		    "last 7 days.</p>\n");
		return;
	}
	svg(out, name, hours, n, &t);
	table(out, hours, n, &t);
}
