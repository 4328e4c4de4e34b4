"""A new secret is shown once, for real (issue 18, item 4).

POST /apps/{key}/secret seals the new secret into the kg_reveal cookie
together with a random nonce, recorded (hashed) in the store; GET
/apps/{key}/secret/new uses that nonce up as it shows the secret. Sending
the same cookies again, as a copied request or a saved browser state
would, answers 410 and shows nothing; so does a first reading 10 minutes
(REVEAL_TTL_S) after the secret was made, by the server's clock. Runs on
PostgreSQL too with KEYGATE_TEST_PG."""

import html
import re
import sqlite3

import requests

import oauthkit
from kgtest import element_text, run_cli
from oauthkit import User, exchange, get_code, make_app, tokens_ok

server = oauthkit.module_server()

REVEAL_TTL_S = 600


def text_of(page):
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def generate(dev, key):
    """Generates a secret through the portal; returns the cookies the
    browser holds for the page that shows it (session and kg_reveal)."""
    r = dev.submit(f"/apps/{key}/secret", f"/apps/{key}/secret", {})
    assert r.status_code == 303, (r.status_code, r.text[:300])
    cookies = {c.name: c.value for c in dev.cookies}
    assert cookies.get("kg_reveal"), cookies
    return cookies


def show(server, key, cookies):
    """GET /apps/{key}/secret/new with exactly these cookies, as a replayed
    request would send them (no browser clearing anything)."""
    header = "; ".join(f"{k}={v}" for k, v in cookies.items())
    return requests.get(server.url(f"/apps/{key}/secret/new"),
                        headers={"Cookie": header}, timeout=10,
                        allow_redirects=False)


def assert_gone(r, secret=None):
    assert r.status_code == 410, (r.status_code, r.text[:300])
    assert not element_text(r.text, "secret")
    if secret is not None:
        assert secret not in r.text
    text = text_of(r.text)
    assert re.search(r"\bonly once\b", text, re.I), text
    assert re.search(r"\bgenerate another\b", text, re.I), text


def reveal_rows(srv):
    """(hash, expires_at) of every recorded showing, on either backend."""
    sql = "SELECT hash, expires_at FROM reveals"
    if srv.db.startswith("postgres"):
        import psycopg2
        conn = psycopg2.connect(srv.db)
        try:
            with conn.cursor() as cur:
                cur.execute(sql)
                return [(bytes(h), e) for h, e in cur.fetchall()]
        finally:
            conn.close()
    conn = sqlite3.connect(f"file:{srv.db}?mode=ro", uri=True, timeout=5)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def developer_app(server):
    dev = User(server, "revealer")
    app = make_app(server, dev, secret=False)
    return dev, app


def test_replayed_cookies_show_nothing(server):
    dev, app = developer_app(server)
    cookies = generate(dev, app.key)
    first = show(server, app.key, cookies)
    assert first.status_code == 200, (first.status_code, first.text[:300])
    secret = element_text(first.text, "secret")
    assert secret and secret.startswith("kg_sk_"), secret
    for _ in range(2):
        assert_gone(show(server, app.key, cookies), secret)


def test_replay_in_the_same_browser_shows_nothing(server):
    """The browser's own cookie jar, put back as it was before the page
    cleared kg_reveal."""
    dev, app = developer_app(server)
    cookies = generate(dev, app.key)
    saved = dev.cookies.copy()
    assert dev.get(f"/apps/{app.key}/secret/new").status_code == 200
    dev.cookies = saved
    assert dev.cookies.get("kg_reveal") == cookies["kg_reveal"]
    assert_gone(dev.get(f"/apps/{app.key}/secret/new"))


def test_shown_secret_works_at_the_token_endpoint(server):
    dev, app = developer_app(server)
    cookies = generate(dev, app.key)
    r = show(server, app.key, cookies)
    assert r.status_code == 200
    app.secret = element_text(r.text, "secret")
    assert_gone(show(server, app.key, cookies), app.secret)
    user = User(server, "reveal-user")
    code, verifier, ru = get_code(user, app)
    tokens_ok(exchange(app, code, ru, verifier, auth="basic"))
    # the code is used up; the secret still authenticates (invalid_grant,
    # not invalid_client)
    r = exchange(app, code, ru, verifier, auth="basic")
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant", \
        (r.status_code, r.text)


def test_generating_again_leaves_only_the_new_one_to_show(server):
    dev, app = developer_app(server)
    old = generate(dev, app.key)
    new = generate(dev, app.key)
    assert old["kg_reveal"] != new["kg_reveal"]
    r = show(server, app.key, new)
    assert r.status_code == 200 and element_text(r.text, "secret")
    assert_gone(show(server, app.key, new))


def test_a_reveal_past_ten_minutes_is_gone(make_server):
    srv = oauthkit.oauth_server(make_server)
    dev, app = developer_app(srv)
    cookies = generate(dev, app.key)
    srv.advance(REVEAL_TTL_S + 1)
    assert_gone(show(srv, app.key, cookies))
    # and a second try after that too
    assert_gone(show(srv, app.key, cookies))


def test_a_reveal_within_ten_minutes_is_shown(make_server):
    srv = oauthkit.oauth_server(make_server)
    dev, app = developer_app(srv)
    cookies = generate(dev, app.key)
    srv.advance(REVEAL_TTL_S - 60)
    r = show(srv, app.key, cookies)
    assert r.status_code == 200, (r.status_code, r.text[:300])
    assert element_text(r.text, "secret")
    assert_gone(show(srv, app.key, cookies))


def test_reveal_cookie_lives_no_longer_than_the_showing(server):
    dev, app = developer_app(server)
    r = dev.submit(f"/apps/{app.key}/secret", f"/apps/{app.key}/secret", {})
    line = [v for k, v in r.raw.headers.items()
            if k.lower() == "set-cookie" and v.startswith("kg_reveal=")]
    assert line, r.headers
    m = re.search(r"Max-Age=(\d+)", line[0], re.I)
    assert m and 0 < int(m.group(1)) <= REVEAL_TTL_S, line


def test_the_store_holds_a_hash_until_the_showing(make_server):
    srv = oauthkit.oauth_server(make_server)
    dev, app = developer_app(srv)
    now = oauthkit.clock(srv)
    cookies = generate(dev, app.key)
    rows = reveal_rows(srv)
    assert len(rows) == 1, rows
    assert len(rows[0][0]) == 32, "a SHA-256, not the nonce"
    assert now + REVEAL_TTL_S <= rows[0][1] <= now + REVEAL_TTL_S + 5, \
        (rows, now)
    # gc leaves a showing still to come
    r = run_cli("gc", "--db", srv.db)
    assert r.returncode == 0, r.stderr
    assert "unshown secrets" in r.stdout and reveal_rows(srv) == rows
    r = show(srv, app.key, cookies)
    assert r.status_code == 200
    assert reveal_rows(srv) == [], "the showing is used up"
    assert_gone(show(srv, app.key, cookies))
