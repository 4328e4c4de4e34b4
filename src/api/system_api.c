#include "api/api.h"

#include "base/clock.h"
#include "base/embedded.h"
#include "base/err.h"
#include "base/limits.h"
#include "core/health.h"
#include "core/mail.h"
#include "core/tokens.h"

/* GET /healthz: 200 when the store answers, else 503. */
void
api_healthz(struct request *req, struct response *res)
{
	if (health_check(req->kg) != 0) {
		response_json(res, 503, json_pack("{s:s}", "status",
		    "store unavailable"));
		return;
	}
	response_json(res, 200, json_pack("{s:s}", "status", "ok"));
}

extern const struct embedded_file api_documents[];

/* GET /api/v1/openapi.json: docs/openapi.json, compiled in; the tests keep
 * it true to the routes. */
void
api_openapi(struct request *req, struct response *res)
{
	const struct embedded_file *f = embedded_find(api_documents,
	    "openapi.json");

	(void)req;
	buf_append(response_body(res, 200, "application/json"), f->data,
	    f->len);
}

/* GET /ping: 200 and nothing else, the store untouched. Load balancers
 * may use it for liveness; the benchmark measures every route against it
 * (the cost of the HTTP exchange alone), so it answers through the same
 * printed-literal path as /oauth2/check, not through jansson, which would
 * make the baseline slower than the routes measured against it. */
void
api_ping(struct request *req, struct response *res)
{
	(void)req;
	response_json_text(res, 200, "{\"status\":\"ok\"}");
}

/* The /_test/ routes exist only under --test-clock (refused off
 * loopback); elsewhere they answer 404 as a path that is not there. */
static bool
test_route(struct request *req, struct response *res)
{
	if (req->kg->cfg->test_clock)
		return true;
	response_json_error(res, 404, "not_found", "There is nothing here.");
	return false;
}

/* POST /_test/clock advance=<seconds> → {"now": <unix time>}
 * (docs/REFERENCE.md §7.6). Exists only under --test-clock, which is
 * refused off loopback. */
void
api_test_clock(struct request *req, struct response *res)
{
	static const struct param_spec spec[] = { { "advance", 20, true } };
	struct params ps;
	struct str advance;
	const char *bad;
	long long seconds;
	int rc;

	if (!test_route(req, res))
		return;
	rc = request_form(req, &ps);
	if (rc == 0)
		rc = params_bind(&ps, spec, 1, false, &advance, &bad);
	if (rc == 0)
		rc = str_to_i64(advance, 1, INT64_MAX, &seconds);
	/* Uses queued so far are written first, so that other nodes (and
	 * tests) see them before time moves. Uses inside --use-coalesce of
	 * a stored one are not queued: they stay this node's alone. */
	if (rc == 0 && tokens_flush_uses(req->kg) != 0) {
		response_json_error(res, 503, "temporarily_unavailable",
		    "The data store cannot be reached.");
		return;
	}
	if (rc == 0)
		rc = clock_advance(req->kg->clock, seconds);
	/* mail whose next attempt the clock passed is due now */
	if (rc == 0)
		mail_kick(req->kg);
	if (rc != 0) {
		response_json_error(res, 400, "invalid_request",
		    "Send advance=<seconds>, a positive whole number, as a "
		    "form.");
		return;
	}
	response_json(res, 200, json_pack("{s:I}", "now",
	    (json_int_t)clock_now(req->kg->clock)));
}

/* POST /_test/mail to=&subject=&body= → 202 {"queued": true}
 * (docs/REFERENCE.md §7.6): queues a mail as a feature of keygate would,
 * so that tests can follow one through the queue. Exists only under
 * --test-clock, which is refused off loopback. */
void
api_test_mail(struct request *req, struct response *res)
{
	static const struct param_spec spec[] = {
		{ "to", ACCOUNT_EMAIL_MAX_BYTES, true },
		{ "subject", MAIL_SUBJECT_MAX_BYTES, true },
		{ "body", HTTP_MAX_PARAM_VALUE_BYTES, true },
	};
	struct str in[3];
	struct params ps;
	const char *bad;
	int rc;

	if (!test_route(req, res))
		return;
	rc = request_form(req, &ps);
	if (rc == 0)
		rc = params_bind(&ps, spec, 3, false, in, &bad);
	if (rc == 0)
		rc = mail_queue(req->kg, arena_strdup(req->arena, in[0]),
		    arena_strdup(req->arena, in[1]),
		    arena_strdup(req->arena, in[2]));
	if (rc == ERR_STORE) {
		api_unavailable(res);
		return;
	}
	if (rc != 0) {
		response_json_error(res, 400, "invalid_request",
		    "Send to, subject (one line) and body as a form.");
		return;
	}
	response_json(res, 202, json_pack("{s:b}", "queued", 1));
}
