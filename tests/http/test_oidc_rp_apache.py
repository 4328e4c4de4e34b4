"""A real, unmodified relying party logs people in through keygate: Apache
with mod_auth_openidc (apachekit.py) configured only with keygate's
discovery document, an app's API key and secret
(docs/REFERENCE.md §3 and the OpenID Connect sections).

- A person visits Apache's protected page, logs in on keygate, allows the
  app, and sees the page with the claims the module passes on (sub,
  email); the module's logout goes through keygate's end_session_endpoint
  back to Apache, and a second visit is sent to keygate's log-in again.
- Through tamperkit's proxy on the token request: a forged, an expired, a
  wrong-audience and a wrong-nonce id_token are each refused (an error, not
  the protected page), while the same proxy passing answers through
  untouched logs in.
- Across `keygate keys rotate` (old key during the publish delay, the new
  one after), no log-in fails."""

import re

import pytest

import apachekit
import rpkit
import tamperkit

PAGE = "the protected page"


@pytest.fixture(scope="module")
def op(tmp_path_factory):
    srv = rpkit.start_op(tmp_path_factory.mktemp("keygate"))
    yield srv
    assert srv.stop() == 0, srv.log()[-4000:]


@pytest.fixture(scope="module")
def proxy(op):
    p = tamperkit.Proxy(op)
    yield p
    p.stop()


def apache_rp(op, metadata_url=None, alg=None, **kw):
    """(Apache, app): an app registered for an Apache that is then started
    on the port its URIs name."""
    port = apachekit.free_port()
    redirect, logged_out = apachekit.uris(port)
    app = rpkit.make_app(op, [redirect], post_logout=[logged_out], alg=alg)
    rp = apachekit.Apache(
        metadata_url or op.url("/.well-known/openid-configuration"),
        app.key, app.secret, port=port, **kw)
    return rp, app


@pytest.fixture
def stopping():
    """Stops the Apaches a test started, keeping the folder of any that
    failed the test so that its error log can be read."""
    started = []
    yield started.append
    for rp in started:
        assert rp.stop() == 0, rp.log()[-3000:]


def claims(page):
    """The OIDC_CLAIM_* lines of the claims page, as a dict."""
    return dict(re.findall(r"^OIDC_CLAIM_(\w+)=(.*)$", page, re.M))


def shows_page(r, person):
    assert r.status_code == 200, (r.status_code, r.url, r.text[:800])
    assert PAGE in r.text, r.text[:800]
    got = claims(r.text)
    assert got.get("email") == person.email, got
    assert got.get("sub"), got
    return got


def test_logs_in_shows_claims_and_logs_out(op, stopping):
    rp, app = apache_rp(op)
    stopping(rp)
    person = rpkit.Person(op, "apache")
    got = shows_page(person.go(rp.url(rp.protected)), person)
    assert person.authorize_urls(), person.visited     # through keygate
    assert person.last_nonce(), "mod_auth_openidc sends a nonce"
    # sub is the account id: the same keygate gives another app
    other = rpkit.make_app(op, ["https://other.example.org/cb"])
    answer = rpkit.code_answer(person, other, "n-other")
    assert got["sub"] == tamperkit.jwt_parts(answer["id_token"])[1]["sub"]
    assert got["email_verified"] in ("0", "1"), got

    r = person.go(rp.logout_url())
    assert r.status_code == 200, (r.status_code, r.text[:500])
    assert "logged out of the relying party" in r.text, r.text[:500]
    ends = [u for u in person.visited
            if u.startswith(op.url("/oauth2/logout"))]
    assert ends and "id_token_hint=" in ends[-1], person.visited

    # the keygate session ended too: the next visit asks for a log-in
    r = person.go(rp.url(rp.protected),
                  stop=lambda u: u.startswith(op.url("/login")))
    assert r.status_code in (302, 303), (r.status_code, r.text[:500])
    r = person.go(rp.url(rp.protected))
    shows_page(r, person)
    assert any(u.startswith(op.url("/login")) for u in person.visited)


# --- tampered token answers -----------------------------------------------------

REASONS = {
    "forged": r"signature",
    "expired": r'"exp" validation failure',
    "wrong_aud": r"client_id \(.*\) (could not be found|did not match)",
    "wrong_nonce": r"nonce value \(.*\) in the id_token did not match",
}


@pytest.fixture(scope="module")
def tamper_rp(op, proxy):
    """An Apache whose token requests go through the proxy. Its iat slack
    is an hour so that, with its clock 11 minutes ahead (the expired case),
    the one fault it sees is `exp`."""
    rp, app = apache_rp(op, proxy.metadata_url, iat_slack=3600)
    yield rp, app
    assert rp.stop() == 0, rp.log()[-3000:]


def tampering(case, person, app, nonce, op):
    if case == "forged":
        return tamperkit.forged
    if case == "wrong_aud":
        other = rpkit.make_app(op, ["https://other.example.org/cb"])
        return tamperkit.substituted(rpkit.code_answer(person, other, nonce))
    if case == "wrong_nonce":
        return tamperkit.substituted(
            rpkit.code_answer(person, app, nonce + "-another-flow"))
    return None


@pytest.mark.parametrize("case", ["untouched", "forged", "expired",
                                  "wrong_aud", "wrong_nonce"])
def test_tampered_id_token_refused(op, proxy, tamper_rp, case):
    rp, app = tamper_rp
    person = rpkit.Person(op, "apache-" + case)
    # Expired: the id_token keygate signs honestly lives 10 minutes; Apache's
    # clock runs 11 minutes ahead for this log-in (from its start, so that
    # its own state cookie is fresh), and keygate's token is expired to it.
    rp.set_clock(660 if case == "expired" else 0)
    try:
        r = person.go(rp.url(rp.protected),
                      stop=lambda u: u.startswith(rp.redirect_uri))
        assert r.status_code in (302, 303), (r.status_code, r.text[:500])
        callback = r.headers["Location"]
        nonce = person.last_nonce()
        fn = tampering(case, person, app, nonce, op)
        if fn is not None:
            proxy.tamper_next(fn)
        before = len(rp.log())
        seen = len(proxy.answers)
        r = person.go(callback)
    finally:
        rp.set_clock(0)
    assert len(proxy.answers) == seen + 1, "the token request went elsewhere"
    assert not proxy.pending()
    if case == "untouched":
        shows_page(r, person)
        return
    # mod_auth_openidc 2.4.12 answers its error page with status 200
    assert PAGE not in r.text and "OIDC_CLAIM_" not in r.text, r.text[:500]
    assert "<title>Error</title>" in r.text, (r.status_code, r.text[:500])
    log = rp.log()[before:]
    assert re.search(REASONS[case], log), log[-3000:]
    # and the person is not logged in to Apache afterwards
    r = person.go(rp.url(rp.protected),
                  stop=lambda u: u.startswith(op.base))
    assert r.status_code in (302, 303), (r.status_code, r.text[:300])


# --- key rotation -----------------------------------------------------------------

def test_key_rotation_no_login_fails(tmp_path_factory, stopping):
    """Apache keeps the JWKS it fetched; keygate rotates: the old key signs
    during the publish delay, the new one after it (keygate's test clock
    moved an hour, Apache's moved along so that the tokens are fresh to
    it)."""
    op = rpkit.start_op(tmp_path_factory.mktemp("keygate"))
    try:
        rp, app = apache_rp(op)
        stopping(rp)
        other = rpkit.make_app(op, ["https://other.example.org/cb"])

        def login(who):
            """Logs in through Apache; returns the kid keygate signs with
            now (read from an id_token of the same moment)."""
            person = rpkit.Person(op, who)
            shows_page(person.go(rp.url(rp.protected)), person)
            answer = rpkit.code_answer(person, other, "n-" + who)
            return tamperkit.jwt_parts(answer["id_token"])[0]["kid"]

        old = rpkit.jwks_kids(op)
        assert login("before") in old
        rpkit.rotate_keys(op)
        new = [k for k in rpkit.jwks_kids(op) if k not in old]
        assert new, "the new key is published at once"
        assert login("during") in old            # the old key still signs
        rpkit.past_publish_delay(op)
        rp.set_clock(rpkit.clock_offset(op))
        assert login("after") in new
    finally:
        assert op.stop() == 0, op.log()[-3000:]
