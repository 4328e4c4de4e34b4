#include "portal/qr.h"

#include <qrencode.h>

#include "base/err.h"
#include "http/html.h"

/* One row's dark runs as path pieces: "M<x> <y>h<n>v1h-<n>z". */
static void
put_row(struct buf *out, const QRcode *qr, int y)
{
	const unsigned char *row = qr->data + (size_t)y * (size_t)qr->width;

	for (int x = 0; x < qr->width; ) {
		int n = 0;

		while (x + n < qr->width && (row[x + n] & 1))
			n++;
		if (n == 0) {
			x++;
			continue;
		}
		buf_printf(out, "M%d %dh%dv1h-%dz", x + QR_QUIET_MODULES,
		    y + QR_QUIET_MODULES, n, n);
		x += n;
	}
}

int
qr_svg(struct buf *out, const char *text, const char *label)
{
	QRcode *qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	int side;

	if (qr == NULL)
		return ERR_TOOBIG;
	side = qr->width + 2 * QR_QUIET_MODULES;
	buf_printf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" "
	    "class=\"qr\" role=\"img\" aria-label=\"");
	html_escape(out, str_from(label));
	buf_printf(out, "\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
	    "shape-rendering=\"crispEdges\">"
	    "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>"
	    "<path fill=\"#000\" d=\"", side * QR_MODULE_PX,
	    side * QR_MODULE_PX, side, side, side, side);
	for (int y = 0; y < qr->width; y++)
		put_row(out, qr, y);
	buf_puts(out, "\"/></svg>");
	QRcode_free(qr);
	return 0;
}
