/* The request line and header checks made before a body is read. */
#include "http/framing.h"

#include <ctype.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "base/limits.h"

/* What the header section holds, gathered in one pass. */
struct header_scan {
	size_t		 bytes;
	const char	*content_length;
	bool		 conflicting_lengths;
	bool		 transfer_encoding;
};

static enum MHD_Result
scan_header(void *cls, enum MHD_ValueKind kind, const char *name,
    const char *value)
{
	struct header_scan *hs = cls;

	(void)kind;
	hs->bytes += strlen(name) + strlen(value) + 4;
	if (strcasecmp(name, MHD_HTTP_HEADER_CONTENT_LENGTH) == 0) {
		if (hs->content_length != NULL &&
		    strcmp(hs->content_length, value) != 0)
			hs->conflicting_lengths = true;
		hs->content_length = value;
	} else if (strcasecmp(name, MHD_HTTP_HEADER_TRANSFER_ENCODING) == 0) {
		hs->transfer_encoding = true;
	}
	return MHD_YES;
}

/* RFC 9110 §5.6.2: a method is a token. */
static bool
is_token(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++)
		if (!(isalnum((unsigned char)*s) ||
		    strchr("!#$%&'*+-.^_`|~", *s) != NULL))
			return false;
	return true;
}

static bool
refuse(struct framing_error *err, int status, const char *code,
    const char *detail)
{
	*err = (struct framing_error){ status, code, detail };
	return true;
}

bool
framing_refused(struct MHD_Connection *conn, const char *method, bool known,
    const char *version, struct framing_error *err)
{
	struct header_scan hs = { 0 };

	if (!known)
		return refuse(err, is_token(method) ? 501 : 400,
		    "bad_method", "This method is not supported.");
	MHD_get_connection_values(conn, MHD_HEADER_KIND, scan_header, &hs);
	if (hs.bytes > HTTP_MAX_HEADER_BYTES)
		return refuse(err, 431, "headers_too_large",
		    "The request headers are over 16 KiB.");
	if (hs.conflicting_lengths ||
	    (hs.transfer_encoding && hs.content_length != NULL))
		return refuse(err, 400, "bad_request",
		    "The body's length is ambiguous.");
	/* RFC 9112 §3.2: an HTTP/1.1 request without Host is a 400. */
	if (strcmp(version, MHD_HTTP_VERSION_1_1) == 0 &&
	    MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_HOST) == NULL)
		return refuse(err, 400, "bad_request", "The Host header is "
		    "missing.");
	return false;
}
