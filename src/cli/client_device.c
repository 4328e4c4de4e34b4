/* `keygate client login --device`: the device log-in (RFC 8628) on a
 * machine without a browser. The codes are printed, with a QR code of the
 * complete verification URI drawn in UTF-8 half blocks when standard
 * output is a terminal, so a phone can open it; then the library polls.
 * Uses libkeygate-client's public API and libqrencode only. */
#include "cli/client_cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <qrencode.h>

/* Light modules around the code: scanners need a margin, and a terminal
 * line is twice as tall as it is wide, so two modules make one row. */
#define QR_QUIET	2

/* Black on bright white, set on every line: the code must read the same
 * on a dark terminal as on a light one, and a line's colours must not
 * leak past it when the window is resized. */
#define QR_COLOURS	"\033[30;107m"
#define QR_RESET	"\033[0m"

static bool
qr_dark(const QRcode *q, int x, int y)
{
	if (x < 0 || y < 0 || x >= q->width || y >= q->width)
		return false;
	return (q->data[y * q->width + x] & 1) != 0;
}

/* Two rows of modules per line of text: upper half block for a dark
 * module on top, lower for one below, full for both. */
static void
qr_draw(FILE *out, const QRcode *q)
{
	static const char *const cell[4] = { " ", "\u2584", "\u2580",
	    "\u2588" };
	int x, y, w = q->width + QR_QUIET;

	for (y = -QR_QUIET; y < w; y += 2) {
		fputs(QR_COLOURS, out);
		for (x = -QR_QUIET; x < w; x++)
			fputs(cell[(qr_dark(q, x, y) ? 2 : 0) |
			    (qr_dark(q, x, y + 1) ? 1 : 0)], out);
		fputs(QR_RESET "\n", out);
	}
}

static void
print_qr(const char *text)
{
	QRcode *q = QRcode_encodeString(text, 0, QR_ECLEVEL_L, QR_MODE_8, 1);

	/* The URI is printed above; a code too long to draw is no loss. */
	if (q == NULL)
		return;
	putchar('\n');
	qr_draw(stdout, q);
	putchar('\n');
	QRcode_free(q);
}

static void
show_codes(const struct kg_client_device_codes *d, void *arg)
{
	(void)arg;
	printf("Open %s and enter %s\n", d->verification_uri, d->user_code);
	if (d->verification_uri_complete != NULL) {
		printf("or open %s\n", d->verification_uri_complete);
		if (isatty(STDOUT_FILENO))
			print_qr(d->verification_uri_complete);
	}
	fflush(stdout);
	fprintf(stderr, "Waiting for access (the code expires in %lld min "
	    "%02lld s)...\n", (long long)d->expires_in / 60,
	    (long long)d->expires_in % 60);
}

int
cli_client_device_login(struct kg_client *c)
{
	return kg_client_device_login(c, show_codes, NULL);
}
