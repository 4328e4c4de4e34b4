"""The app page's "Usage, last 7 days" (docs/REFERENCE.md §8, §21): the
server-drawn SVG with its title, the table of numbers hour by hour equal
to GET /api/v1/apps/{api_key}/usage after real traffic, the empty week,
and the page only for the app's owner."""

import html
import re
import sqlite3

import requests

import oauthkit
from kgtest import Browser, bearer
from oauthkit import (Dev, User, check, get_tokens, make_app, refresh,
                      revoke, tokens_ok)

server = oauthkit.module_server()

HOUR = 3600


def owner_browser(server, dev):
    b = Browser(server)
    assert b.login(dev.email, dev.password).status_code == 303
    return b


def app_page(b, key):
    r = b.get(f"/apps/{key}")
    assert r.status_code == 200, (r.status_code, r.text[:400])
    return r.text


def usage_section(page):
    m = re.search(r'<section aria-labelledby="usage-heading"[^>]*>(.*?)'
                  r'</section>', page, re.S)
    assert m, "no usage section"
    return m.group(1)


def table(page):
    """{hour text: [successful, refused, issued, refreshed, users]} and
    the totals row."""
    sec = usage_section(page)
    body = re.search(r"<tbody>(.*?)</tbody>", sec, re.S).group(1)
    rows = {}
    for head, cells in re.findall(r'<tr><th scope="row">([^<]+)</th>'
                                  r"(.*?)</tr>", body, re.S):
        rows[head] = [int(c) for c in re.findall(r"<td>(\d+)</td>", cells)]
    foot = re.search(r"<tfoot>.*?</th>(.*?)</tr>", sec, re.S).group(1)
    return rows, [int(c) for c in re.findall(r"<td>(\d+)</td>", foot)]


def api_usage(server, dev, key):
    r = requests.get(server.url(f"/api/v1/apps/{key}/usage"),
                     headers=bearer(dev.pat), timeout=10)
    assert r.status_code == 200, (r.status_code, r.text)
    return r.json()


def hour_text(rfc3339):
    return rfc3339[:10] + " " + rfc3339[11:16]


def as_rows(usage):
    """The API's hours as the page's table shows them."""
    out = {}
    for h in usage["hours"]:
        v = [h["checks_ok"] + h["api_ok"], h["checks_401"] + h["api_401"],
             h["issued"], h["refreshed"], h["live_users"]]
        if any(v[:4]):
            out[hour_text(h["hour"])] = v
    return out


def traffic(server, app, user, good=3, bad=2):
    """A grant (1 issued), `good` checks, a refresh, the new access token
    revoked and checked `bad` times (refused)."""
    toks = get_tokens(user, app)
    for _ in range(good):
        assert check(server, toks["access_token"]).status_code == 200
    toks = tokens_ok(refresh(app, toks["refresh_token"]))
    assert revoke(app, toks["access_token"]).status_code == 200
    for _ in range(bad):
        assert check(server, toks["access_token"]).status_code == 401


def settle(server):
    """The test clock's advance writes the counts waiting (§7.6)."""
    server.advance(1)


def test_a_new_app_says_no_requests(server):
    dev = Dev(server, "uc-new")
    app = make_app(server, dev)
    with owner_browser(server, dev) as b:
        sec = usage_section(app_page(b, app.key))
    assert '<h2 id="usage-heading">Usage, last 7 days</h2>' in sec
    assert "No requests in the last 7 days." in sec
    assert "<svg" not in sec


def test_the_chart_and_its_numbers_are_the_api_s(server):
    dev = Dev(server, "uc")
    app = make_app(server, dev)
    traffic(server, app, User(server, "uc-user"))
    settle(server)
    usage = api_usage(server, dev, app.key)
    with owner_browser(server, dev) as b:
        page = app_page(b, app.key)
    sec = usage_section(page)
    name = html.escape(app.json["name"])
    assert re.search(r'<svg [^>]*role="img"[^>]*aria-labelledby="usage-title'
                     r' usage-desc"', sec)
    assert f'<title id="usage-title">Usage of {name}, last 7 days</title>' \
        in sec
    assert "Successful checks and API calls: 3; refused (401): 2; tokens " \
        "issued: 1; refreshed: 1;" in sec
    assert sec.count("<polyline") == 5
    rows, total = table(page)
    assert rows == as_rows(usage), (rows, usage)
    assert sum(r[0] for r in rows.values()) == 3
    assert total[:4] == [3, 2, 1, 1]
    assert total[4] == max(h["live_users"] for h in usage["hours"]) == 1
    # the week the API answers by default is the page's
    first = hour_text(usage["hours"][0]["hour"])
    last = hour_text(usage["hours"][-1]["hour"])
    assert len(usage["hours"]) == 168
    assert f"Hour by hour from {first} to {last} UTC." in sec


def test_hour_by_hour(make_server):
    srv = oauthkit.oauth_server(make_server)
    dev = Dev(srv, "uc-hours")
    app = make_app(srv, dev)
    user = User(srv, "uc-hours-user")
    now = oauthkit.clock(srv)
    # early in an hour, so that the traffic below stays in it
    oauthkit.advance_to(srv, now - now % HOUR + HOUR + 5)
    traffic(srv, app, user, good=4, bad=1)
    srv.advance(HOUR)
    traffic(srv, app, user, good=2, bad=0)
    settle(srv)
    usage = api_usage(srv, dev, app.key)
    with owner_browser(srv, dev) as b:
        rows, total = table(app_page(b, app.key))
    assert rows == as_rows(usage)
    assert [v[:4] for v in rows.values()] == [[4, 1, 1, 1], [2, 0, 1, 1]]
    hours = list(rows)
    assert hours == sorted(hours) and hours[0][11:13] != hours[1][11:13]
    assert total[:4] == [6, 1, 2, 2]
    # eight days on, the traffic is out of the week; the grants are not
    srv.advance(8 * 24 * HOUR)
    settle(srv)
    with owner_browser(srv, dev) as b:
        page = app_page(b, app.key)
    rows, total = table(page)
    assert rows == {} and total[:4] == [0, 0, 0, 0]
    assert total[4] == 1


def test_only_the_owner_sees_it(server):
    dev = Dev(server, "uc-owner")
    app = make_app(server, dev)
    other = User(server, "uc-other")
    r = other.get(f"/apps/{app.key}")
    assert r.status_code == 404
    assert "<svg" not in r.text and "Usage" not in r.text
    with Browser(server) as b:
        r = b.get(f"/apps/{app.key}")
        assert r.status_code == 303
        assert r.headers["Location"] == f"/login?next=/apps/{app.key}"


def test_the_table_is_behind_show_the_numbers(server):
    dev = Dev(server, "uc-details")
    app = make_app(server, dev)
    traffic(server, app, User(server, "uc-details-user"), good=1, bad=0)
    settle(server)
    with owner_browser(server, dev) as b:
        sec = usage_section(app_page(b, app.key))
    assert re.search(r"<details[^>]*><summary>Show the numbers</summary>.*"
                     r'<table[^>]* id="usage-table">.*</table>.*</details>',
                     sec, re.S)
    assert re.search(r"<caption>[^<]+</caption>", sec)


def run_sql(db, sql):
    """One statement on the server's store, behind its back."""
    if db.startswith("postgres"):
        import psycopg2
        conn = psycopg2.connect(db)
        try:
            with conn, conn.cursor() as cur:
                cur.execute(sql)
        finally:
            conn.close()
    else:
        with sqlite3.connect(db) as conn:
            conn.execute(sql)


def test_the_page_works_when_the_counts_cannot_be_read(make_server):
    srv = oauthkit.oauth_server(make_server)
    dev = Dev(srv, "uc-gone")
    app = make_app(srv, dev)
    with owner_browser(srv, dev) as b:
        assert "No requests in the last 7 days." in app_page(b, app.key)
        run_sql(srv.db, "ALTER TABLE usage RENAME TO usage_away")
        try:
            page = app_page(b, app.key)
        finally:
            run_sql(srv.db, "ALTER TABLE usage_away RENAME TO usage")
    sec = usage_section(page)
    assert "Usage is not available right now." in sec
    assert "<svg" not in sec
    # the rest of the page is there
    assert 'name="redirect_uris"' in page and app.key in page
