"""GET/POST /oauth2/authorize (docs/REFERENCE.md §3.2): request validation, the
log-in detour, the Grant Access page, CSRF, allow/deny, remembered consent, and
the client (implicit) flow's password step."""

import html
import re
from urllib.parse import parse_qs, quote, urlencode, urlsplit

import pytest

import oauthkit
from kgtest import Browser, input_tag
from oauthkit import (REDIRECT, replace, SCOPES, User, approve, auth_params, authorize,
                      authorize_path, decision_values, exchange, grant_form,
                      has_input, hidden_fields, make_app, page_text,
                      pkce_pair, redirect_result, submit_grant, tag_attr,
                      tokens_ok)

server = oauthkit.module_server()

LOOPBACK_URIS = ("http://127.0.0.1:4000/cb", "http://[::1]:4000/cb",
                 "http://localhost:4000/cb")


@pytest.fixture(scope="module")
def app(server):
    return make_app(server, redirect_uris=(REDIRECT,
                                           "https://client.example.org/q?tenant=7",
                                           *LOOPBACK_URIS))


@pytest.fixture(scope="module")
def implicit_app(server):
    return make_app(server, implicit=True)


@pytest.fixture(scope="module")
def public_app(server):
    return make_app(server, secret=False)


@pytest.fixture(scope="module")
def user(server):
    """A logged-in user who never allows anything (errors only)."""
    return User(server, "errs")


def assert_error_page(r):
    """An error before the redirect URI is trusted: HTML 400, no redirect."""
    assert r.status_code == 400, (r.status_code, r.headers.get("Location"),
                                  r.text[:300])
    assert "Location" not in r.headers, r.headers
    assert r.headers["Content-Type"].startswith("text/html"), r.headers
    assert r.headers.get("X-Frame-Options") == "DENY"


def raw_query(pairs):
    return "/oauth2/authorize?" + "&".join(f"{k}={quote(v, safe='')}"
                                           for k, v in pairs)


# --- errors shown on the server's page ------------------------------------------

UNTRUSTED = {
    "unknown client": lambda a: replace(auth_params(a), "client_id",
                                        "kg_nope_" + "A" * 30),
    "no client_id": lambda a: [p for p in auth_params(a) if p[0] != "client_id"],
    "empty client_id": lambda a: [(k, "" if k == "client_id" else v)
                                  for k, v in auth_params(a)],
    "no redirect_uri": lambda a: [p for p in auth_params(a)
                                  if p[0] != "redirect_uri"],
    "other path": lambda a: auth_params(a, redirect_uri=REDIRECT + "x"),
    "trailing slash": lambda a: auth_params(a, redirect_uri=REDIRECT + "/"),
    "added query": lambda a: auth_params(a, redirect_uri=REDIRECT + "?a=1"),
    "fragment": lambda a: auth_params(a, redirect_uri=REDIRECT + "#f"),
    "upper-case host": lambda a: auth_params(
        a, redirect_uri="https://CLIENT.example.org/cb"),
    "http instead of https": lambda a: auth_params(
        a, redirect_uri="http://client.example.org/cb"),
    "explicit port": lambda a: auth_params(
        a, redirect_uri="https://client.example.org:443/cb"),
    "other https port": lambda a: auth_params(
        a, redirect_uri="https://client.example.org:8443/cb"),
    "localhost other port": lambda a: auth_params(
        a, redirect_uri="http://localhost:4001/cb"),
    "loopback other path": lambda a: auth_params(
        a, redirect_uri="http://127.0.0.1:4000/cb2"),
    "loopback other host": lambda a: auth_params(
        a, redirect_uri="http://127.0.0.2:4000/cb"),
    "percent-encoded path": lambda a: auth_params(
        a, redirect_uri="https://client.example.org/%63b"),
    "client_id twice": lambda a: auth_params(a) + [("client_id", a.key)],
    "redirect_uri twice": lambda a: auth_params(a) + [("redirect_uri",
                                                       a.redirect_uri)],
}


@pytest.mark.parametrize("case", sorted(UNTRUSTED))
def test_untrusted_redirect_gets_an_error_page(server, app, user, case):
    for response_type in ("code", "token"):
        pairs = [(k, response_type if k == "response_type" else v)
                 for k, v in UNTRUSTED[case](app)]
        assert_error_page(user.get(authorize_path(pairs)))


def test_unknown_client_is_an_error_page_even_when_logged_out(server, app):
    """'never a redirect': not to the log-in page either."""
    with Browser(server) as b:
        assert_error_page(b.get(authorize_path(replace(
            auth_params(app), "client_id", "kg_unknown_client_0123456789"))))
        assert_error_page(b.get(authorize_path(
            auth_params(app, redirect_uri="https://evil.example/cb"))))


def test_another_apps_redirect_uri_is_not_trusted(server, app, user):
    other = make_app(server, redirect_uris=("https://other.example.net/cb",))
    assert_error_page(user.get(authorize_path(
        auth_params(app, redirect_uri="https://other.example.net/cb"))))
    assert_error_page(user.get(authorize_path(
        auth_params(other, redirect_uri=REDIRECT))))


def test_error_page_does_not_link_to_the_untrusted_uri(server, app, user):
    evil = "https://evil.example/steal"
    r = user.get(authorize_path(auth_params(app, redirect_uri=evil)))
    assert_error_page(r)
    assert 'href="https://evil.example' not in r.text


def test_deleted_app_is_an_error_page(server, user):
    a = make_app(server)
    assert oauthkit.kgtest.delete_app(server, a.dev.pat, a.key).status_code == 204
    assert_error_page(user.get(authorize_path(auth_params(a))))


# --- errors sent back to the client ---------------------------------------------

REDIRECTED = {
    # case: (pairs builder, expected error)
    "unsupported response_type": (lambda a: auth_params(a, response_type="id_token"),
                                  "unsupported_response_type"),
    "code token": (lambda a: auth_params(a, response_type="code token"),
                   "unsupported_response_type"),
    "upper-case CODE": (lambda a: auth_params(a, response_type="CODE"),
                        "unsupported_response_type"),
    "unknown scope": (lambda a: auth_params(a, scope="account_read admin"),
                      "invalid_scope"),
    "only unknown scope": (lambda a: auth_params(a, scope="root"),
                           "invalid_scope"),
    "scope case": (lambda a: auth_params(a, scope="ACCOUNT_READ"),
                   "invalid_scope"),
    "pkce plain": (lambda a: auth_params(a, challenge="A" * 43, method="plain"),
                   "invalid_request"),
    "pkce unknown method": (lambda a: auth_params(a, challenge="A" * 43,
                                                  method="S512"),
                            "invalid_request"),
    "pkce lower-case s256": (lambda a: auth_params(a, challenge="A" * 43,
                                                   method="s256"),
                             "invalid_request"),
    "challenge 42 chars": (lambda a: auth_params(a, challenge="A" * 42),
                           "invalid_request"),
    "challenge 44 chars": (lambda a: auth_params(a, challenge="A" * 44),
                           "invalid_request"),
    "challenge with +": (lambda a: auth_params(a, challenge="+" * 43),
                         "invalid_request"),
    "challenge padded": (lambda a: auth_params(a, challenge="A" * 42 + "="),
                         "invalid_request"),
    "challenge empty": (lambda a: auth_params(a, challenge=""),
                        "invalid_request"),
    "method without challenge": (lambda a: auth_params(
        a, code_challenge_method="S256"), "invalid_request"),
    "challenge without method (plain)": (lambda a: auth_params(
        a, code_challenge="A" * 43), "invalid_request"),
    "state twice": (lambda a: auth_params(a) + [("state", "st-2")],
                    "invalid_request"),
    "scope twice": (lambda a: auth_params(a, scope="account_read")
                    + [("scope", "contact_data")], "invalid_request"),
    "response_type twice": (lambda a: auth_params(a) + [("response_type", "code")],
                            "invalid_request"),
    "challenge twice": (lambda a: auth_params(a, challenge="A" * 43)
                        + [("code_challenge", "B" * 43)], "invalid_request"),
}


@pytest.mark.parametrize("case", sorted(REDIRECTED))
def test_error_is_redirected_in_the_query(server, app, user, case):
    build, error = REDIRECTED[case]
    pairs = build(app)
    r = user.get(authorize_path(pairs))
    res = redirect_result(r, app.redirect_uri)
    assert res.get("error") == error, res
    assert res.get("error_description"), res
    assert res.get("state") == "st-1", res
    assert res.get("iss") == server.base, res
    assert "code" not in res and "access_token" not in res


def test_missing_response_type_is_redirected(server, app, user):
    pairs = [p for p in auth_params(app) if p[0] != "response_type"]
    res = redirect_result(user.get(authorize_path(pairs)), app.redirect_uri)
    assert res.get("error") in ("invalid_request", "unsupported_response_type")
    assert res.get("iss") == server.base and res.get("state") == "st-1"


@pytest.mark.parametrize("case", ["unknown scope", "state twice",
                                  "scope twice"])
def test_client_flow_error_is_redirected_in_the_fragment(server, implicit_app,
                                                         user, case):
    build, error = REDIRECTED[case]
    pairs = [(k, "token" if k == "response_type" else v)
             for k, v in build(implicit_app)]
    r = user.get(authorize_path(pairs))
    res = redirect_result(r, implicit_app.redirect_uri, "fragment")
    assert res.get("error") == error, res
    assert res.get("error_description"), res
    assert res.get("state") == "st-1" and res.get("iss") == server.base, res


def test_client_flow_refused_while_not_enabled(server, app, user):
    r = user.get(authorize_path(auth_params(app, response_type="token")))
    res = redirect_result(r, app.redirect_uri, "fragment")
    assert res.get("error") == "unauthorized_client", res
    assert res.get("state") == "st-1" and res.get("iss") == server.base, res
    assert "access_token" not in res


def test_public_client_without_pkce_is_refused(server, public_app, user):
    r = user.get(authorize_path(auth_params(public_app)))
    res = redirect_result(r, public_app.redirect_uri)
    assert res.get("error") == "invalid_request", res
    assert res.get("iss") == server.base and res.get("state") == "st-1"


def test_public_client_with_pkce_gets_the_grant_page(server, public_app, user):
    _, ch = pkce_pair()
    r = user.get(authorize_path(auth_params(public_app, challenge=ch)))
    assert r.status_code == 200, (r.status_code, r.headers.get("Location"))
    grant_form(r.text)


def test_error_without_state_has_no_state(server, app, user):
    r = user.get(authorize_path(auth_params(app, state=None, scope="nope")))
    res = redirect_result(r, app.redirect_uri)
    assert res.get("error") == "invalid_scope" and "state" not in res, res
    assert res.get("iss") == server.base


def test_error_keeps_the_redirect_uris_own_query(server, app, user):
    uri = "https://client.example.org/q?tenant=7"
    r = user.get(authorize_path(auth_params(app, redirect_uri=uri, scope="x")))
    res = redirect_result(r, uri)
    assert res.get("error") == "invalid_scope", res


def test_state_is_returned_exactly(server, app, user):
    state = "a b&c=d/é?#%+\"<>"
    r = user.get(authorize_path(auth_params(app, state=state, scope="x")))
    res = redirect_result(r, app.redirect_uri)
    assert res.get("state") == state, res


@pytest.mark.parametrize("uri,got", [
    ("http://127.0.0.1:4000/cb", "http://127.0.0.1:4000/cb"),
    ("http://127.0.0.1:5555/cb", "http://127.0.0.1:5555/cb"),
    ("http://127.0.0.1/cb", "http://127.0.0.1/cb"),
    ("http://[::1]:6000/cb", "http://[::1]:6000/cb"),
    ("http://localhost:4000/cb", "http://localhost:4000/cb"),
])
def test_loopback_redirect_uris(server, app, user, uri, got):
    """RFC 8252 §7.3: a loopback IP's port may differ; localhost exactly."""
    r = user.get(authorize_path(auth_params(app, redirect_uri=uri,
                                            scope="bogus")))
    res = redirect_result(r, got)
    assert res.get("error") == "invalid_scope", res


# --- log-in detour ---------------------------------------------------------------

def test_logged_out_visitor_goes_to_login_and_back(server, app):
    u = User(server, "detour", login=False)
    path = authorize_path(auth_params(app, scope="account_read contact_data",
                                      state="s t"))
    r = u.get(path)
    assert r.status_code == 302, (r.status_code, r.text[:200])
    loc = urlsplit(r.headers["Location"])
    assert loc.path == "/login" and loc.netloc in ("", server.base[7:]), loc
    nxt = parse_qs(loc.query)["next"]
    assert nxt == [path], (nxt, path)
    page = u.get(r.headers["Location"])
    assert page.status_code == 200
    assert input_tag(page.text, "email") and input_tag(page.text, "password")
    r = u.login(u.email, u.password, next=path)
    assert r.status_code == 303
    assert oauthkit.kgtest.location(server, r) == server.url(path)
    r = u.get(path)
    assert r.status_code == 200
    fields = dict(hidden_fields(grant_form(r.text)))
    assert fields["state"] == "s t" and fields["client_id"] == app.key


def test_detour_keeps_a_long_request_whole(server, app):
    u = User(server, "detour-long", login=False)
    state = "".join(chr(0x41 + i % 26) for i in range(900)) + " é&=?/#"
    _, ch = pkce_pair()
    path = authorize_path(auth_params(app, scope="contact_data account_read",
                                      state=state, challenge=ch))
    r = u.get(path)
    assert r.status_code == 302
    nxt = parse_qs(urlsplit(r.headers["Location"]).query)["next"][0]
    assert nxt == path
    r = u.login(u.email, u.password, next=nxt)
    assert oauthkit.kgtest.location(server, r) == server.url(path)
    r = u.get(path)
    res = redirect_result(submit_grant(u, r.text), app.redirect_uri)
    assert res["state"] == state


def test_wrong_password_at_the_detour_issues_nothing(server, app):
    u = User(server, "detour2", login=False)
    path = authorize_path(auth_params(app))
    r = u.login(u.email, "not the password", next=path)
    assert r.status_code == 401
    assert "Location" not in r.headers


# --- the Grant Access page --------------------------------------------------------

HOSTILE_NAME = '<script>alert(1)</script>"\'&amp;'
HOSTILE_DESC = '<img src=x onerror="alert(2)"> & </textarea><b>bold</b>'
LOGO = "https://cdn.example.org/logo.png?size=64&v=2"


@pytest.fixture(scope="module")
def shown_app(server):
    return make_app(server, public_name=HOSTILE_NAME, description=HOSTILE_DESC,
                    logo_url=LOGO)


@pytest.fixture(scope="module")
def grant_page(server, shown_app):
    u = User(server, "viewer")
    _, ch = pkce_pair()
    pairs = auth_params(shown_app, scope="account_read contact_data",
                        state='"><script>alert(3)</script>', challenge=ch)
    r = u.get(authorize_path(pairs))
    assert r.status_code == 200, (r.status_code, r.headers.get("Location"))
    return r, pairs


def test_grant_page_shows_the_app_escaped(grant_page):
    r, _ = grant_page
    page = r.text
    assert r.headers["Content-Type"].startswith("text/html")
    text = page_text(page)
    assert HOSTILE_NAME in text
    assert "<script>alert(1)" not in page
    assert "<img src=x" not in page and "<b>bold</b>" not in page
    assert "<img src=x onerror" in text and "</textarea><b>bold</b>" in text
    assert "<script>alert(3)" not in page


def test_grant_page_shows_the_logo(grant_page):
    imgs = [tag_attr(t, "src") for t in re.findall(r"<img\b[^>]*>",
                                                   grant_page[0].text)]
    assert LOGO in imgs, imgs


def test_grant_page_form(grant_page, shown_app):
    r, pairs = grant_page
    form = grant_form(r.text)
    fields = dict(hidden_fields(form))
    for k, v in pairs:
        assert fields.get(k) == v, (k, fields)
    assert len(fields["csrf_token"]) >= 20
    assert sorted(decision_values(form)) == ["allow", "deny"]
    assert not has_input(form, "password")


def test_grant_page_names_and_explains_the_scopes(server, shown_app):
    u = User(server, "scopes")
    texts = {}
    for scope in ("account_read", "account_read contact_data",
                  "account_read campaign_data"):
        r = u.get(authorize_path(auth_params(shown_app, scope=scope)))
        assert r.status_code == 200
        texts[scope] = page_text(r.text)
    base = texts["account_read"]
    assert "account_read" in base
    for other in ("account_update", "contact_data", "campaign_data"):
        assert other not in base, other
    for scope, name in (("account_read contact_data", "contact_data"),
                        ("account_read campaign_data", "campaign_data")):
        t = texts[scope]
        assert name in t
        extra = set(re.findall(r"[A-Za-z]{3,}", t)) - \
            set(re.findall(r"[A-Za-z]{3,}", base)) - {name}
        # the plain-language description: words beyond the scope's name
        assert len(extra - set(name.split("_"))) >= 2, (name, extra)


def test_grant_page_headers(grant_page):
    r, _ = grant_page
    assert r.headers.get("X-Frame-Options") == "DENY"
    assert "frame-ancestors 'none'" in r.headers.get("Content-Security-Policy", "")
    assert "no-store" in r.headers.get("Cache-Control", "")


def test_untrusted_error_page_cannot_be_framed(server, user):
    r = user.get("/oauth2/authorize?client_id=nope&redirect_uri=x")
    assert r.status_code == 400
    assert r.headers.get("X-Frame-Options") == "DENY"
    assert "frame-ancestors 'none'" in r.headers.get("Content-Security-Policy", "")


# --- CSRF ----------------------------------------------------------------------

@pytest.mark.parametrize("token", [None, "", "forged", "A" * 43])
def test_post_without_a_valid_csrf_token_is_403(server, app, token):
    u = User(server, "csrf")
    r = authorize(u, auth_params(app))
    assert r.status_code == 200
    fields = [(k, v) for k, v in hidden_fields(grant_form(r.text))
              if k != "csrf_token"]
    if token is not None:
        fields.append(("csrf_token", token))
    r = u.post("/oauth2/authorize", data=fields + [("decision", "allow")])
    assert r.status_code == 403, (r.status_code, r.headers.get("Location"))
    assert "Location" not in r.headers
    # nothing was granted: the page is still asked for
    assert authorize(u, auth_params(app)).status_code == 200


def test_another_sessions_csrf_token_is_403(server, app):
    a, b = User(server, "csrf-a"), User(server, "csrf-b")
    page_a = authorize(a, auth_params(app)).text
    page_b = authorize(b, auth_params(app)).text
    token_b = dict(hidden_fields(grant_form(page_b)))["csrf_token"]
    r = submit_grant(a, page_a, override={"csrf_token": token_b})
    assert r.status_code == 403 and "Location" not in r.headers


def test_logged_out_post_issues_nothing(server, app):
    u = User(server, "csrf-out")
    page = authorize(u, auth_params(app)).text
    assert u.logout().status_code == 303
    r = submit_grant(u, page)
    assert r.status_code == 403 and "code=" not in \
        r.headers.get("Location", ""), (r.status_code, r.headers)


# --- allow, deny, remembered consent ----------------------------------------

def test_allow_redirects_with_code_state_iss(server, app):
    u = User(server, "allow")
    r = authorize(u, auth_params(app, state="xyz"))
    assert r.status_code == 200
    r = submit_grant(u, r.text, "allow")
    assert r.status_code == 303, r.status_code
    res = redirect_result(r, app.redirect_uri, statuses=(303,))
    assert set(res) == {"code", "state", "iss"}, res
    assert res["state"] == "xyz" and res["iss"] == server.base
    assert len(res["code"]) >= 20


def test_allow_keeps_the_redirect_uris_query(server, app):
    u = User(server, "allowq")
    uri = "https://client.example.org/q?tenant=7"
    r = authorize(u, auth_params(app, redirect_uri=uri))
    res = redirect_result(submit_grant(u, r.text), uri)
    assert "code" in res


def test_deny_redirects_with_access_denied(server, app):
    u = User(server, "deny")
    r = authorize(u, auth_params(app, state="s1"))
    r = submit_grant(u, r.text, "deny")
    res = redirect_result(r, app.redirect_uri, statuses=(303,))
    assert res.get("error") == "access_denied", res
    assert res.get("state") == "s1" and res.get("iss") == server.base
    assert "code" not in res
    # denial is not remembered as consent
    assert authorize(u, auth_params(app)).status_code == 200


def test_deny_in_the_client_flow(server, implicit_app):
    u = User(server, "deny-i")
    r = implicit_login(u, implicit_app)
    r = submit_grant(u, grant_after_login(r), "deny")
    res = redirect_result(r, implicit_app.redirect_uri, "fragment", (303,))
    assert res.get("error") == "access_denied" and "access_token" not in res
    assert res.get("iss") == server.base and res.get("state") == "st-1"


@pytest.mark.parametrize("decision", [None, "", "yes", "ALLOW"])
def test_other_decisions_issue_nothing(server, app, decision):
    u = User(server, "decide")
    page = authorize(u, auth_params(app)).text
    r = submit_grant(u, page, decision)
    assert "code=" not in r.headers.get("Location", ""), r.headers
    assert r.status_code != 500


def test_default_scope_is_account_read(server, app):
    u = User(server, "default")
    r = authorize(u, auth_params(app, scope=None))
    assert r.status_code == 200
    text = page_text(r.text)
    assert "<code>account_read</code>" in r.text
    # by the names shown in <code> ("email" is also a word of the text)
    assert not any(f"<code>{s}</code>" in r.text for s in SCOPES[1:]), text
    res = redirect_result(submit_grant(u, r.text), app.redirect_uri)
    assert tokens_ok(exchange(app, res["code"]))["scope"] == "account_read"


def test_remembered_consent_skips_the_page(server, app):
    u = User(server, "remember")
    res, _ = approve(u, app, scope="account_read contact_data")
    assert "code" in res
    for scope in ("account_read contact_data", "contact_data account_read",
                  "contact_data", None):
        r = authorize(u, auth_params(app, scope=scope, state="again"))
        assert r.status_code == 302, (scope, r.status_code)
        res = redirect_result(r, app.redirect_uri, statuses=(302,))
        assert set(res) == {"code", "state", "iss"}, res
        assert res["state"] == "again" and res["iss"] == server.base
    # the remembered code works, with the scope asked for
    t = tokens_ok(exchange(app, res["code"]))
    assert t["scope"] == "account_read"


def test_more_scopes_ask_again(server, app):
    u = User(server, "more")
    approve(u, app, scope="account_read")
    r = authorize(u, auth_params(app, scope="account_read contact_data"))
    assert r.status_code == 200
    assert "contact_data" in page_text(r.text)
    res = redirect_result(submit_grant(u, r.text), app.redirect_uri)
    t = tokens_ok(exchange(app, res["code"]))
    assert set(t["scope"].split()) == {"account_read", "contact_data"}
    assert authorize(u, auth_params(app, scope="contact_data")).status_code == 302
    assert authorize(u, auth_params(app, scope="campaign_data")).status_code == 200


def test_consent_is_per_account_and_per_app(server, app):
    u, v = User(server, "per-u"), User(server, "per-v")
    approve(u, app)
    assert authorize(u, auth_params(app)).status_code == 302
    assert authorize(v, auth_params(app)).status_code == 200
    other = make_app(server)
    assert authorize(u, auth_params(other)).status_code == 200


def test_remembered_consent_with_pkce(server, public_app):
    u = User(server, "rem-pkce")
    v, ch = pkce_pair()
    res, _ = approve(u, public_app, challenge=ch)
    v2, ch2 = pkce_pair()
    r = authorize(u, auth_params(public_app, challenge=ch2))
    res = redirect_result(r, public_app.redirect_uri, statuses=(302,))
    tokens_ok(exchange(public_app, res["code"], verifier=v2))


def test_remembered_consent_still_validates(server, app):
    u = User(server, "rem-val")
    approve(u, app)
    assert_error_page(authorize(u, auth_params(app, redirect_uri=REDIRECT + "x")))
    res = redirect_result(authorize(u, auth_params(app, challenge="x")),
                          app.redirect_uri)
    assert res.get("error") == "invalid_request", res


def test_post_with_a_tampered_redirect_uri_is_an_error_page(server, app):
    u = User(server, "tamper")
    page = authorize(u, auth_params(app)).text
    r = submit_grant(u, page, override={"redirect_uri": "https://evil.example/cb"})
    assert_error_page(r)


def test_post_with_an_unknown_scope_is_refused(server, app):
    u = User(server, "tamper2")
    page = authorize(u, auth_params(app)).text
    r = submit_grant(u, page, override={"scope": "account_read root"})
    res = redirect_result(r, app.redirect_uri, statuses=(303,))
    assert res.get("error") == "invalid_scope", res


def test_post_answers_303_never_307(server, app):
    u = User(server, "s303")
    page = authorize(u, auth_params(app)).text
    assert submit_grant(u, page).status_code == 303
    page = authorize(u, auth_params(app, scope="campaign_data")).text
    assert submit_grant(u, page, "deny").status_code == 303


# --- client flow ---------------------------------------------------------------

def implicit_ok(server, app, r, state="st-1", scope="account_read"):
    res = redirect_result(r, app.redirect_uri, "fragment", (303,))
    assert set(res) == {"access_token", "token_type", "expires_in", "scope",
                        "state", "iss"}, res
    assert res["access_token"].startswith("kg_at_")
    assert res["token_type"] == "Bearer" and res["expires_in"] == "3600"
    assert set(res["scope"].split()) == set(scope.split())
    assert res["state"] == state and res["iss"] == server.base
    return res


def login_form(r, email=False, status=200):
    """The client flow's log-in form: a password (and an email when nobody
    is logged in), decision=login, and no Grant Access choices."""
    assert r.status_code == status, (r.status_code, r.text[:300])
    assert "Location" not in r.headers and "kg_at_" not in r.text
    form = grant_form(r.text)
    tag = input_tag(form, "password")
    assert tag and tag_attr(tag, "type") == "password"
    assert has_input(form, "email") == email
    assert decision_values(form) == ["login"], decision_values(form)
    assert "login_proof" not in dict(hidden_fields(form))
    return r.text


def grant_after_login(r):
    """The Grant Access page shown after a fresh log-in: Allow or Deny, no
    password asked again, the log-in's proof carried along."""
    assert r.status_code == 200, (r.status_code, r.text[:300])
    form = grant_form(r.text)
    assert set(decision_values(form)) == {"allow", "deny"}
    assert not has_input(form, "password")
    assert dict(hidden_fields(form)).get("login_proof")
    return r.text


def implicit_login(u, app, email=None, **kw):
    """A client-flow request up to the answer to its log-in form."""
    page = login_form(authorize(u, auth_params(app, response_type="token",
                                               **kw)), email is not None)
    return submit_grant(u, page, "login", password=u.password, email=email)


def test_client_flow_asks_for_the_password_and_gives_a_token(server,
                                                              implicit_app):
    u = User(server, "implicit")
    r = implicit_login(u, implicit_app, scope="account_read contact_data")
    page = grant_after_login(r)
    res = implicit_ok(server, implicit_app, submit_grant(u, page),
                      scope="account_read contact_data")
    assert oauthkit.alive(server, res["access_token"])


def test_client_flow_wrong_or_missing_password(server, implicit_app):
    u = User(server, "implicit-bad")
    page = login_form(authorize(u, auth_params(implicit_app,
                                               response_type="token")))
    r = submit_grant(u, page, "login", password="wrong password!")
    assert r.status_code == 401, r.status_code
    login_form(r, status=401)
    r = submit_grant(u, page, "login")                # no password at all
    assert r.status_code == 401 and "Location" not in r.headers
    # allow straight away, without the log-in, issues nothing
    r = submit_grant(u, page, "allow")
    assert r.status_code == 400
    login_form(r, status=400)
    # the form shown again works with the right password
    r = submit_grant(u, page, "login", password=u.password)
    implicit_ok(server, implicit_app, submit_grant(u, grant_after_login(r)))


def test_client_flow_remembers_consent(server, implicit_app):
    u = User(server, "implicit-again")
    implicit_ok(server, implicit_app,
                submit_grant(u, grant_after_login(
                    implicit_login(u, implicit_app))))
    # the server flow now skips the page for the same scope ...
    assert authorize(u, auth_params(implicit_app)).status_code == 302
    # ... and the client flow asks for the password every time, then
    # answers without the Grant Access page
    for _ in range(2):
        page = login_form(authorize(u, auth_params(
            implicit_app, response_type="token", state="n")))
        r2 = submit_grant(u, page, "login", password="wrong password!")
        assert r2.status_code == 401 and "Location" not in r2.headers
        implicit_ok(server, implicit_app,
                    submit_grant(u, page, "login", password=u.password),
                    state="n")
    # a wider request asks for consent again, after the log-in
    r = implicit_login(u, implicit_app, scope="account_read contact_data")
    implicit_ok(server, implicit_app, submit_grant(u, grant_after_login(r)),
                scope="account_read contact_data")
    r = implicit_login(u, implicit_app, scope="contact_data")
    implicit_ok(server, implicit_app, r, scope="contact_data")


def test_client_flow_proof_is_good_once_and_for_its_request(server,
                                                            implicit_app):
    u = User(server, "implicit-proof")
    page = grant_after_login(implicit_login(u, implicit_app))
    # bound to the scopes and to the browser it was given to
    r = submit_grant(u, page, override={"scope": "account_read contact_data"})
    assert r.status_code == 400 and "Location" not in r.headers
    other = User(server, "implicit-proof-b")
    theirs = login_form(authorize(other, auth_params(implicit_app,
                                                     response_type="token")))
    proof = dict(hidden_fields(grant_form(page)))["login_proof"]
    r = submit_grant(other, theirs, override={"login_proof": proof})
    assert r.status_code == 400 and "Location" not in r.headers
    for bad in ("", "forged", proof[:-2] + ("AA" if proof[-2:] != "AA"
                                            else "BB")):
        r = submit_grant(u, page, override={"login_proof": bad})
        assert r.status_code == 400 and "Location" not in r.headers
    implicit_ok(server, implicit_app, submit_grant(u, page))
    # once consent covers the request, the same form is spent
    r = submit_grant(u, page)
    assert r.status_code == 400 and "Location" not in r.headers
    login_form(r, status=400)


def test_client_flow_proof_expires(make_server):
    srv = oauthkit.oauth_server(make_server)
    app = make_app(srv, implicit=True)
    u = User(srv, "implicit-late")
    page = grant_after_login(implicit_login(u, app))
    srv.advance(601)
    r = submit_grant(u, page)
    assert r.status_code == 400 and "Location" not in r.headers
    login_form(r, status=400)


def test_client_flow_after_a_server_flow_grant(server, implicit_app):
    u = User(server, "implicit-after")
    approve(u, implicit_app, scope="account_read contact_data")
    r = implicit_login(u, implicit_app, scope="contact_data")
    implicit_ok(server, implicit_app, r, scope="contact_data")


def test_client_flow_when_logged_out(server, implicit_app):
    """Nobody logged in: the log-in form takes the email and the password."""
    u = User(server, "implicit-out", login=False)
    r = u.get(authorize_path(auth_params(implicit_app, response_type="token")))
    page = login_form(r, email=True)
    r2 = submit_grant(u, page, "login", email=u.email,
                      password="wrong password!")
    assert r2.status_code == 401 and "Location" not in r2.headers
    r2 = submit_grant(u, page, "login", email="nobody-" + u.email,
                      password=u.password)
    assert r2.status_code == 401 and "Location" not in r2.headers
    r2 = submit_grant(u, page, "login", password=u.password)    # no email
    assert r2.status_code == 401 and "Location" not in r2.headers
    r2 = submit_grant(u, page, "login", email=u.email, password=u.password)
    res = implicit_ok(server, implicit_app,
                      submit_grant(u, grant_after_login(r2)))
    assert oauthkit.summary(server, res["access_token"]).json()["email"] == u.email
    # the consent was recorded for that account: next time, no Grant page
    r2 = implicit_login(u, implicit_app, email=u.email)
    implicit_ok(server, implicit_app, r2)
    assert u.login(u.email, u.password).status_code == 303
    assert authorize(u, auth_params(implicit_app)).status_code == 302


def test_server_flow_when_logged_out_goes_to_login_not_a_form(server, app):
    u = User(server, "code-out", login=False)
    r = u.get(authorize_path(auth_params(app)))
    assert r.status_code == 302 and "code=" not in r.headers["Location"]


def test_success_without_state_has_no_state(server, app):
    u = User(server, "nostate")
    r = authorize(u, auth_params(app, state=None))
    res = redirect_result(submit_grant(u, r.text), app.redirect_uri)
    assert set(res) == {"code", "iss"}, res


def test_client_flow_never_carries_a_refresh_token_or_code(server, implicit_app):
    u = User(server, "implicit-nort")
    res = oauthkit.implicit_token(u, implicit_app, scope="account_read")
    assert "refresh_token" not in res and "code" not in res
