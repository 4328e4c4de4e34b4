#ifndef KEYGATE_HTTP_HTML_H
#define KEYGATE_HTTP_HTML_H

#include "base/buf.h"
#include "base/str.h"

/* Appends s to b with & < > " ' escaped: safe in element text and in
 * quoted attribute values. */
void	html_escape(struct buf *b, struct str s);

#endif
