#ifndef KEYGATE_HTTP_FRAMING_H
#define KEYGATE_HTTP_FRAMING_H

#include <microhttpd.h>
#include <stdbool.h>

/* Why a request is refused before its body is read. */
struct framing_error {
	int		 status;
	const char	*code;
	const char	*detail;
};

/* Checks a request line and header section keygate will not serve: an
 * unknown method (`known` false), too many header bytes, the framing
 * ambiguities that enable request smuggling (RFC 9112 §6.3), a missing
 * Host. Returns true and fills *err when the request must be refused. */
bool	framing_refused(struct MHD_Connection *conn, const char *method,
	    bool known, const char *version, struct framing_error *err);

#endif
