"""Client ID Metadata Documents (docs/REFERENCE.md §22.2): a client_id that
is an https URL names a public client whose metadata keygate fetches from
that URL. The documents come from cimdkit's HTTPS server on 127.0.0.1,
trusted through --cimd-ca-file and allowed through --cimd-allow-hosts."""

import base64
import json
import threading
import time
import uuid
from urllib.parse import quote

import pytest
import requests

import cimdkit
import kgtest
import oauthkit
from oauthkit import (User, authorize, auth_params, exchange,
                      get_code, page_text, redirect_result, refresh,
                      submit_grant, tokens_ok, token_error)

REDIRECT = "https://client.example.org/cb"
LOOPBACK = "http://127.0.0.1/callback"


@pytest.fixture(scope="module")
def docs(tmp_path_factory):
    d = cimdkit.DocServer(tmp_path_factory.mktemp("cimd-pki"))
    yield d
    d.stop()


def cimd_flags(docs, allow=True):
    flags = ["--cimd-ca-file", docs.ca]
    if allow:
        flags += ["--cimd-allow-hosts", "127.0.0.1"]
    return flags


@pytest.fixture(scope="module")
def server(tmp_path_factory, docs):
    srv = kgtest.start_server(tmp_path_factory.mktemp("keygate"),
                              *cimd_flags(docs), issuer=True)
    yield srv
    assert srv.stop() == 0, srv.log()[-4000:]


def new_path():
    return "/clients/" + uuid.uuid4().hex[:12] + ".json"


def doc_client(docs, server, redirect_uris=(REDIRECT, LOOPBACK), path=None,
               headers=None, **fields):
    """A document served at a new path; the client it describes."""
    path = path or new_path()
    url = docs.url(path)
    docs.put(path, cimdkit.document(url, redirect_uris, **fields),
             headers=headers)
    return cimdkit.DocClient(server, url, redirect_uris[0]), path


def refusal(server, client_id, redirect_uri=REDIRECT, user=None):
    """The 400 page of an authorization request refused before its
    redirect URI is trusted: its text."""
    user = user or kgtest.Browser(server)
    r = user.get(oauthkit.authorize_path(
        [("response_type", "code"), ("client_id", client_id),
         ("redirect_uri", redirect_uri), ("state", "s"),
         ("code_challenge", oauthkit.pkce_pair()[1]),
         ("code_challenge_method", "S256")]))
    assert r.status_code == 400, (r.status_code, r.text[:500])
    assert "Location" not in r.headers
    return page_text(r.text)


def refused_doc(docs, server, why, raw=None, url=None, **put):
    path = new_path()
    url = url or docs.url(path)
    if raw is None and "doc" not in put:
        put["doc"] = cimdkit.document(url, [REDIRECT])
    docs.put(path, raw=raw, **put)
    text = refusal(server, url)
    assert why in text, text
    return path


# --- metadata -----------------------------------------------------------------

def test_metadata_says_supported(server):
    for path in ("/.well-known/oauth-authorization-server",
                 "/.well-known/openid-configuration"):
        j = requests.get(server.url(path), timeout=10).json()
        assert j["client_id_metadata_document_supported"] is True, j
        assert "none" in j["token_endpoint_auth_methods_supported"]


# --- the whole flow -------------------------------------------------------------

def id_token_claims(tok):
    body = tok.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


def test_code_flow_with_pkce(server, docs):
    client, path = doc_client(docs, server, name="Tiny MCP Client",
                              headers={"Cache-Control": "max-age=600"})
    user = User(server, "cimd")
    verifier, challenge = oauthkit.pkce_pair()
    pairs = auth_params(client, scope="openid account_read",
                        challenge=challenge, nonce="n-1")
    r = authorize(user, pairs)
    assert r.status_code == 200, (r.status_code, page_text(r.text)[200:900])
    text = page_text(r.text)
    assert "Tiny MCP Client" in text
    assert "127.0.0.1" in text
    assert "not registered with this server" in text, text
    r = submit_grant(user, r.text, "allow")
    res = redirect_result(r, client.redirect_uri)
    assert res["state"] == "st-1"
    r = exchange(client, res["code"], client.redirect_uri, verifier)
    tok = tokens_ok(r)
    claims = id_token_claims(tok["id_token"])
    assert claims["aud"] == client.key, claims
    assert oauthkit.alive(server, tok["access_token"])
    tok2 = tokens_ok(refresh(client, tok["refresh_token"]))
    assert oauthkit.alive(server, tok2["access_token"])
    # consent is remembered: the second request goes straight back
    code, ver, ru = get_code(user, client, scope="openid account_read")
    tokens_ok(exchange(client, code, ru, ver))
    # introspection names the client by its URL
    j = oauthkit.introspection(client, tok2["access_token"])
    assert j["active"] is True and j["client_id"] == client.key, j
    assert docs.hits(path) == 1


def test_loopback_redirect_any_port(server, docs):
    client, _ = doc_client(docs, server, redirect_uris=(LOOPBACK,))
    user = User(server, "cimdlb")
    ru = "http://127.0.0.1:49152/callback"
    code, verifier, _ = get_code(user, client, redirect_uri=ru)
    tokens_ok(exchange(client, code, ru, verifier))


def test_a_secret_is_refused_at_the_token_endpoint(server, docs):
    client, _ = doc_client(docs, server)
    user = User(server, "cimdsec")
    code, verifier, ru = get_code(user, client)
    client.secret = "whatever"
    token_error(exchange(client, code, ru, verifier, auth="post"),
                "invalid_client", 401)


# --- refusals -----------------------------------------------------------------

def test_http_url(server, docs):
    text = refusal(server, f"http://127.0.0.1:{docs.port}/c.json")
    assert "must be an absolute https URL" in text, text


@pytest.mark.parametrize("url,why", [
    ("https://user@127.0.0.1/c.json", "user name or password"),
    ("https://127.0.0.1/c.json#f", "#fragment"),
    ("https://127.0.0.1/", "must have a path"),
    ("https://127.0.0.1/a/../c.json", ". or .. path segments"),
])
def test_bad_urls(server, url, why):
    text = refusal(server, url)
    assert why in text, text


def test_too_long_url(server):
    r = kgtest.Browser(server).get(oauthkit.authorize_path(
        [("response_type", "code"),
         ("client_id", "https://127.0.0.1/" + "a" * 300),
         ("redirect_uri", REDIRECT)]))
    assert r.status_code == 400


def test_redirect(server, docs):
    target = new_path()
    docs.put(target, cimdkit.document(docs.url(target), [REDIRECT]))
    path = refused_doc(docs, server, "answered with a redirect", status=302,
                       headers={"Location": docs.url(target)})
    assert docs.hits(target) == 0
    assert docs.hits(path) == 1


def test_not_found(server, docs):
    refused_doc(docs, server, "did not answer 200 OK", status=404)


def test_oversize_with_content_length(server, docs):
    url_path = new_path()
    url = docs.url(url_path)
    doc = cimdkit.document(url, [REDIRECT], padding="x" * 6000)
    docs.put(url_path, doc)
    assert "larger than 5 KiB" in refusal(server, url)


def test_oversize_chunked(server, docs):
    url_path = new_path()
    url = docs.url(url_path)
    doc = cimdkit.document(url, [REDIRECT], padding="x" * 6000)
    docs.put(url_path, doc, chunked=True)
    assert "larger than 5 KiB" in refusal(server, url)


def test_slow(server, docs):
    url_path = new_path()
    url = docs.url(url_path)
    docs.put(url_path, cimdkit.document(url, [REDIRECT]), delay=8)
    t0 = time.monotonic()
    assert "within 5 seconds" in refusal(server, url)
    took = time.monotonic() - t0
    assert 4.5 < took < 7, took


def test_host_not_allowed(server, docs):
    # localhost is 127.0.0.1 too, but only the name 127.0.0.1 is allowed
    url_path = new_path()
    url = docs.url(url_path, host="localhost")
    docs.put(url_path, cimdkit.document(url, [REDIRECT]))
    text = refusal(server, url)
    assert "private or special-purpose address" in text, text
    assert docs.hits(url_path) == 0


def test_loopback_refused_without_allow_flag(make_server, docs):
    srv = oauthkit.oauth_server(make_server, *cimd_flags(docs, allow=False))
    client, path = doc_client(docs, srv)
    text = refusal(srv, client.key)
    assert "private or special-purpose address" in text, text
    assert "127.0.0.1" not in text.split("special-purpose")[1][:80]
    assert docs.hits(path) == 0


def test_untrusted_certificate(make_server, docs):
    srv = oauthkit.oauth_server(make_server, "--cimd-allow-hosts", "127.0.0.1")
    client, _ = doc_client(docs, srv)
    assert "TLS certificate" in refusal(srv, client.key)


def test_mismatched_client_id(server, docs):
    refused_doc(docs, server, "must name its own URL",
                doc=cimdkit.document(docs.url("/other.json"), [REDIRECT]))


@pytest.mark.parametrize("uris,why", [
    ([], "non-empty array"),
    (["not a uri"], "not an absolute URI"),
    (["https://c.example/cb#x"], "#fragment"),
    ([REDIRECT, REDIRECT], "listed twice"),
])
def test_bad_redirect_uris(server, docs, uris, why):
    path = new_path()
    url = docs.url(path)
    doc = cimdkit.document(url, [REDIRECT])
    doc["redirect_uris"] = uris
    docs.put(path, doc)
    assert why in refusal(server, url)


def test_not_json(server, docs):
    refused_doc(docs, server, "not a JSON object", raw=b"<html>")


def test_secret_asked(server, docs):
    path = new_path()
    url = docs.url(path)
    docs.put(path, cimdkit.document(
        url, [REDIRECT], token_endpoint_auth_method="client_secret_basic"))
    assert "public client" in refusal(server, url)


def test_brand_in_name(server, docs):
    path = new_path()
    url = docs.url(path)
    docs.put(path, cimdkit.document(url, [REDIRECT], name="KeyGate Helper"))
    assert "brand" in refusal(server, url)


def test_redirect_uri_not_in_document(server, docs):
    client, _ = doc_client(docs, server)
    text = refusal(server, client.key, "https://client.example.org/evil")
    assert "not registered" in text, text


def test_pkce_required(server, docs):
    client, _ = doc_client(docs, server)
    user = User(server, "cimdpkce")
    r = authorize(user, auth_params(client))
    res = redirect_result(r, client.redirect_uri)
    assert res["error"] == "invalid_request", res
    assert "PKCE" in res["error_description"], res


# --- the cache ------------------------------------------------------------------

def test_cache_follows_max_age(make_server, docs):
    srv = oauthkit.oauth_server(make_server, *cimd_flags(docs))
    client, path = doc_client(docs, srv,
                              headers={"Cache-Control": "max-age=120"})
    user = User(srv, "cimdcache")
    get_code(user, client)
    get_code(user, client)
    assert docs.hits(path) == 1
    srv.advance(121)
    get_code(user, client)
    assert docs.hits(path) == 2


def test_no_store_fetches_every_time(server, docs):
    client, path = doc_client(docs, server,
                              headers={"Cache-Control": "no-store"})
    user = User(server, "cimdns")
    get_code(user, client)
    get_code(user, client)
    # read by the first request's GET and by its Grant Access POST, then
    # by the second's GET (consent remembered: no POST)
    assert docs.hits(path) == 3


def test_refusal_is_cached_briefly(make_server, docs):
    srv = oauthkit.oauth_server(make_server, *cimd_flags(docs))
    path = new_path()
    url = docs.url(path)
    docs.put(path, {}, status=500)
    refusal(srv, url)
    refusal(srv, url)
    assert docs.hits(path) == 1
    docs.put(path, cimdkit.document(url, [REDIRECT]))
    srv.advance(61)
    user = User(srv, "cimdfail")
    get_code(user, cimdkit.DocClient(srv, url, REDIRECT))
    assert docs.hits(path) == 2


def test_document_change_reaches_the_token_endpoint(make_server, docs):
    srv = oauthkit.oauth_server(make_server, *cimd_flags(docs))
    client, path = doc_client(docs, srv,
                              headers={"Cache-Control": "max-age=60"})
    user = User(srv, "cimdchg")
    code, verifier, ru = get_code(user, client)
    tok = tokens_ok(exchange(client, code, ru, verifier))
    docs.put(path, cimdkit.document(client.key, [REDIRECT],
                                    name="KeyGate Mirror"))
    srv.advance(61)
    j = token_error(refresh(client, tok["refresh_token"]), "invalid_client",
                    401)
    assert "brand" in j["error_description"], j


# --- off ------------------------------------------------------------------------

def test_no_cimd(make_server, docs):
    srv = oauthkit.oauth_server(make_server, "--no-cimd", *cimd_flags(docs))
    client, path = doc_client(docs, srv)
    for p in ("/.well-known/oauth-authorization-server",
              "/.well-known/openid-configuration"):
        j = requests.get(srv.url(p), timeout=10).json()
        assert "client_id_metadata_document_supported" not in j
    text = refusal(srv, client.key)
    assert "No application has this client_id" in text, text
    assert docs.hits(path) == 0


# --- fetches wait on the slow lane ----------------------------------------------

def test_a_fetch_holds_no_server_thread(make_server, docs):
    """With one server thread, a document that takes 5 s to come does not
    hold up other requests (3 s: well under the fetch's 5, with room for a
    loaded machine): the fetch runs on the slow lane. With two
    slow-lane threads, one fetch runs at a time; a second client is told
    to try again rather than taking the lane from log-ins."""
    srv = oauthkit.oauth_server(make_server, *cimd_flags(docs), "--threads",
                                "1", "--hash-threads", "2")
    slow_path = new_path()
    slow_url = docs.url(slow_path)
    docs.put(slow_path, cimdkit.document(slow_url, [REDIRECT]), delay=6)
    other, _ = doc_client(docs, srv)
    out = {}

    def slow():
        out["text"] = refusal(srv, slow_url)
    t = threading.Thread(target=slow)
    t.start()
    try:
        for _ in range(100):
            if docs.hits(slow_path):
                break
            time.sleep(0.02)
        t0 = time.monotonic()
        r = requests.get(srv.url("/.well-known/oauth-authorization-server"),
                         timeout=10)
        assert r.status_code == 200
        assert time.monotonic() - t0 < 3.0
        assert "too many client metadata documents at once" in \
            refusal(srv, other.key)
        assert time.monotonic() - t0 < 3.0
    finally:
        t.join()
    assert "within 5 seconds" in out["text"]
    # the refusal for being busy is not kept
    user = User(srv, "cimdbusy")
    get_code(user, other)


# --- the other endpoints, and the app behind the client ---------------------------

def test_pushed_request(server, docs):
    client, _ = doc_client(docs, server)
    user = User(server, "cimdpar")
    verifier, challenge = oauthkit.pkce_pair()
    pairs = auth_params(client, challenge=challenge)
    r = oauthkit.post(server, "/oauth2/par", pairs)
    assert r.status_code == 201, (r.status_code, r.text)
    r = authorize(user, [("client_id", client.key),
                         ("request_uri", r.json()["request_uri"])])
    assert r.status_code == 200, (r.status_code, r.text[:300])
    r = submit_grant(user, r.text, "allow")
    res = redirect_result(r, client.redirect_uri)
    tokens_ok(exchange(client, res["code"], client.redirect_uri, verifier))


def test_pushed_request_refused_with_the_reason(server, docs):
    path = new_path()
    url = docs.url(path)
    docs.put(path, cimdkit.document(url, [REDIRECT], name="Keygate Pal"))
    r = oauthkit.post(server, "/oauth2/par",
                      [("client_id", url), ("response_type", "code"),
                       ("redirect_uri", REDIRECT)])
    j = token_error(r, "invalid_client", 401)
    assert "brand" in j["error_description"], j


def test_connected_apps_and_withdrawal(server, docs):
    client, _ = doc_client(docs, server, name="Listed MCP Client")
    user = User(server, "cimdconn")
    code, verifier, ru = get_code(user, client)
    tok = tokens_ok(exchange(client, code, ru, verifier))
    r = requests.get(server.url("/api/v1/connections"),
                     headers=kgtest.bearer(user.pat), timeout=10)
    conns = {c["api_key"]: c for c in r.json()}
    assert client.key in conns, conns
    page = user.get("/connections").text
    assert "Listed MCP Client" in page_text(page)
    assert f'action="/connections/{quote(client.key, safe="")}/revoke"' \
        in page
    r = requests.delete(server.url("/api/v1/connections/" + quote(
        client.key, safe="")), headers=kgtest.bearer(user.pat), timeout=10)
    assert r.status_code == 204, (r.status_code, r.text)
    assert not oauthkit.alive(server, tok["access_token"])
    # and through the portal's Revoke button
    code, verifier, ru = get_code(user, client)
    tok = tokens_ok(exchange(client, code, ru, verifier))
    r = user.post(f"/connections/{quote(client.key, safe='')}/revoke",
                  data={"csrf_token": user.csrf("/connections")})
    assert r.status_code == 303, (r.status_code, r.text[:300])
    assert not oauthkit.alive(server, tok["access_token"])


def test_my_applications_stay_free_of_them(server, docs):
    client, _ = doc_client(docs, server)
    user = User(server, "cimdmine")
    get_code(user, client)
    r = requests.get(server.url("/api/v1/apps"),
                     headers=kgtest.bearer(user.pat), timeout=10)
    assert r.status_code == 200 and r.json() == [], r.text
    assert client.key not in user.get("/apps").text


def test_disabling_the_owner_stops_them(make_server, docs):
    srv = oauthkit.oauth_server(make_server, *cimd_flags(docs))
    client, _ = doc_client(docs, srv)
    user = User(srv, "cimdoff")
    code, verifier, ru = get_code(user, client)
    tok = tokens_ok(exchange(client, code, ru, verifier))
    r = kgtest.run_cli("account", "disable",
                       "client-metadata-documents@keygate.invalid",
                       "--db", srv.db)
    assert r.returncode == 0, r.stderr
    text = refusal(srv, client.key)
    assert "disabled" in text, text
    # the client refused, or its tokens read as revoked, as for any app
    # whose owner is disabled (until the node's memo follows, §7)
    r = refresh(client, tok["refresh_token"])
    assert r.status_code in (400, 401), (r.status_code, r.text)
    assert not oauthkit.alive(srv, tok["access_token"])


def test_device_flow_is_not_theirs(server, docs):
    """The device flow is off for every app until its owner turns it on:
    a document client, which has no owner to do so, is refused."""
    client, path = doc_client(docs, server)
    r = oauthkit.post(server, "/oauth2/device_authorization",
                      [("client_id", client.key)])
    assert r.status_code in (400, 401), (r.status_code, r.text)
    assert r.json()["error"] in ("unauthorized_client", "invalid_client"), \
        r.text
    assert docs.hits(path) == 1


def test_a_deleted_row_comes_back_from_the_cache(make_server, docs):
    """An operator deletes a document client's app (its grants and tokens
    go with it); while the node still holds the document, the next
    request writes the row again rather than calling the client unknown
    until the cache lets go."""
    srv = oauthkit.oauth_server(make_server, *cimd_flags(docs))
    client, path = doc_client(docs, srv,
                              headers={"Cache-Control": "max-age=3600"})
    user = User(srv, "cimddel")
    code, verifier, ru = get_code(user, client)
    tok = tokens_ok(exchange(client, code, ru, verifier))
    r = kgtest.run_cli("app", "delete", client.key, "--db", srv.db)
    assert r.returncode == 0, r.stderr
    assert not oauthkit.alive(srv, tok["access_token"])
    # The node learns of another process's delete at its keeper's next
    # poll (every 100 ms): until then its memo of clients may still hold
    # the old row, as it does for any app an operator deletes.
    time.sleep(0.5)
    # the grant went with the row: Grant Access is shown again
    code, verifier, ru = get_code(user, client)
    tokens_ok(exchange(client, code, ru, verifier))
    assert docs.hits(path) == 1


def test_refresh_after_a_prefetch(make_server, docs):
    """A refresh whose client's document has left the cache: the fetch on
    the slow lane, then the refresh grant, which itself answers once its
    commit is done (two waits for one request)."""
    srv = oauthkit.oauth_server(make_server, *cimd_flags(docs))
    client, path = doc_client(docs, srv,
                              headers={"Cache-Control": "max-age=30"})
    user = User(srv, "cimdrt")
    code, verifier, ru = get_code(user, client)
    tok = tokens_ok(exchange(client, code, ru, verifier))
    for i in range(3):
        srv.advance(31)
        tok = tokens_ok(refresh(client, tok["refresh_token"]))
        assert oauthkit.alive(srv, tok["access_token"])
        assert docs.hits(path) == 2 + i


def test_refresh_reuse_mails_no_one(make_server, docs, tmp_path):
    """A reused refresh token of a document client revokes its family as
    for any app, and queues no notice: its owner account has no mailbox."""
    import maildirkit
    from test_notices import settle
    box = maildirkit.Mailbox(tmp_path / "mail")
    srv = oauthkit.oauth_server(make_server, *cimd_flags(docs), *box.flags())
    client, _ = doc_client(docs, srv)
    user = User(srv, "cimdreuse")
    code, verifier, ru = get_code(user, client)
    t1 = tokens_ok(exchange(client, code, ru, verifier))
    t2 = tokens_ok(refresh(client, t1["refresh_token"]))
    token_error(refresh(client, t1["refresh_token"]), "invalid_grant")
    assert not oauthkit.alive(srv, t2["access_token"])
    settle(srv, box)
    assert box.to("client-metadata-documents@keygate.invalid") == []
    assert "not sent" not in srv.log()


def test_the_documents_owner_address_is_reserved(server):
    """The account that owns the documents' app rows may not be taken by
    a sign-up before (or after) the first document: its taker would own
    every such app. The whole keygate.invalid domain is keygate's."""
    for email in ("client-metadata-documents@keygate.invalid",
                  "Someone@KEYGATE.invalid"):
        r = kgtest.signup(server, email)
        assert r.status_code == 422, (email, r.status_code, r.text)
        assert "reserved" in r.text, r.text
    p = kgtest.run_cli("account", "add", "--email",
                       "client-metadata-documents@keygate.invalid",
                       "--db", server.db, input=kgtest.PASSWORD + "\n")
    assert p.returncode != 0, p.stdout
