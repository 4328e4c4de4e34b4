#ifndef KEYGATE_PORTAL_QR_H
#define KEYGATE_PORTAL_QR_H

#include "base/buf.h"

/* A QR code (libqrencode, error correction level M) of `text` as an inline
 * SVG element: a white square with a quiet zone of four modules, each run
 * of dark modules in a row one rectangle of a single path, drawn crisp at
 * QR_MODULE_PX pixels a module; `label` names it for screen readers. No
 * script: it is drawn by the browser as it is. Returns 0, or ERR_TOOBIG
 * when text does not fit a QR code. */
#define QR_MODULE_PX	5
#define QR_QUIET_MODULES 4

int	qr_svg(struct buf *out, const char *text, const char *label);

#endif
