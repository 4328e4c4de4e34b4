"""Bounded lists: at most --max-apps applications (default 100) and 100
personal access tokens per account, refused with 422 past that (and
atomically: creations racing at the edge never both succeed); every list
of the JSON API in pages of `limit` items (1 to 100, default 50) with an
opaque `cursor` and a Link: <...>; rel="next" header while more remain;
the portal and `keygate app list` with 100 apps of the largest size.

Most tests run on a server of their own: they fill one account up to its
caps. Sign-ups are not limited (conftest gives --signup-rate 0), and no
test here sends a bad token, so the failure throttles stay empty."""

import base64
import json
import re
import struct
import threading
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

import oauthkit
from kgtest import (Browser, bearer, create_app, create_pat, list_all,
                    new_account, new_app, new_pat, run_cli)

MAX_URI = 2000


def big_app_fields(i):
    """An app with every field at its largest: names and description of
    4-byte characters, 10 redirect URIs and a logo URL of 2000 bytes."""
    def uri(host):
        head = f"https://{host}.example.com/{i}/"
        return head + "p" * (MAX_URI - len(head))
    return {
        "name": "\U0001D49C" * 100,
        "public_name": "\U0001D4B7" * 100,
        "description": "\U0001F600" * 1000,
        "logo_url": uri("logo"),
        "redirect_uris": [uri(f"cb{k}") for k in range(10)],
    }


def api_get(server, path, token, **params):
    return requests.get(server.url(path), headers=bearer(token),
                        params=params, timeout=30)


def next_link(r):
    """The URL of the Link: rel="next" header, or None."""
    return r.links.get("next", {}).get("url")


def walk(server, path, token, limit):
    """Every page of a list with ?limit=limit: [(status, items, link)]."""
    pages, params = [], {"limit": str(limit)}
    while True:
        r = api_get(server, path, token, **params)
        assert r.status_code == 200, (r.status_code, r.text[:300])
        link = next_link(r)
        pages.append((r.json(), link))
        if link is None:
            return pages
        q = parse_qs(urlsplit(link).query, strict_parsing=True)
        assert urlsplit(link).path == path, link
        assert q["limit"] == [str(limit)], link
        params = {"limit": q["limit"][0], "cursor": q["cursor"][0]}


def assert_400(r, word):
    assert r.status_code == 400, (r.status_code, r.text)
    j = r.json()
    assert j["error"] == "invalid_request", j
    assert word in j["error_description"], j


def cursor_of(n):
    """A well-formed cursor naming id n (what the server writes)."""
    return base64.urlsafe_b64encode(struct.pack(">Q", n)).rstrip(
        b"=").decode()


# --- 100 apps of the largest size --------------------------------------------

@pytest.fixture(scope="module")
def full(tmp_path_factory):
    """A server (own --issuer) and an account owning 100 largest apps."""
    import kgtest
    srv = kgtest.start_server(tmp_path_factory.mktemp("keygate"),
                              issuer=True)
    email, password = new_account(srv, "full")
    token = new_pat(srv, email, password)["token"]
    keys = []
    for i in range(100):
        r = create_app(srv, token, big_app_fields(i))
        assert r.status_code == 201, (i, r.status_code, r.text[:300])
        keys.append(r.json()["api_key"])
    yield srv, email, password, token, keys
    assert srv.stop() == 0


def test_100_largest_apps_all_listed_across_pages(full):
    srv, _, _, token, keys = full
    for limit in (100, 50, 7, 1):
        pages = walk(srv, "/api/v1/apps", token, limit)
        got = [a["api_key"] for items, _ in pages for a in items]
        assert got == keys, f"limit {limit}: every app once, oldest first"
        assert all(len(items) == limit for items, _ in pages[:-1])
        assert 1 <= len(pages[-1][0]) <= limit
        if limit == 100:
            assert len(pages) == 1
    first = pages[0][0][0]
    assert first["description"] == "\U0001F600" * 1000
    assert len(first["redirect_uris"]) == 10


def test_default_limit_is_50_and_the_link_carries_it(full):
    srv, _, _, token, keys = full
    r = api_get(srv, "/api/v1/apps", token)
    assert r.status_code == 200
    assert [a["api_key"] for a in r.json()] == keys[:50]
    link = next_link(r)
    assert link is not None, r.headers
    # RFC 8288: <URI>; rel="next", on the server's public URL (--issuer)
    assert re.fullmatch(r'<[^<>]+>; rel="next"', r.headers["Link"])
    assert link.startswith(srv.url("/api/v1/apps?")), link
    q = parse_qs(urlsplit(link).query, strict_parsing=True)
    assert set(q) == {"limit", "cursor"} and q["limit"] == ["50"], link
    r2 = requests.get(link, headers=bearer(token), timeout=30)
    assert r2.status_code == 200
    assert [a["api_key"] for a in r2.json()] == keys[50:]
    assert "Link" not in r2.headers, "the last page has no Link"


def test_a_page_of_exactly_the_rest_has_no_link(full):
    srv, _, _, token, keys = full
    pages = walk(srv, "/api/v1/apps", token, 25)
    assert len(pages) == 4, "100 = 4 x 25: no empty fifth page"
    assert pages[-1][1] is None


def test_101st_app_refused_with_422(full):
    srv, _, _, token, keys = full
    r = create_app(srv, token, {"name": "One too many",
                                "redirect_uris": ["https://x.example/cb"]})
    assert r.status_code == 422, (r.status_code, r.text)
    j = r.json()
    assert j["error"] == "invalid_request"
    assert "100" in j["fields"]["account"], j
    assert "100" in j["error_description"], j
    assert [a["api_key"] for a in list_all(srv, "/api/v1/apps", token)] == \
        keys, "nothing was stored"


def test_portal_my_applications_shows_all_100(full):
    srv, email, password, _, keys = full
    with Browser(srv) as b:
        assert b.login(email, password).status_code == 303
        r = b.get("/apps")
        assert r.status_code == 200, r.status_code
        assert all(k in r.text for k in keys)
        assert "Next page" not in r.text
        r = b.post("/apps", data={"csrf_token": b.csrf("/apps/new"),
                                  "name": "Too many"},
                   allow_redirects=False)
        assert r.status_code == 422, r.status_code
        assert "already owns 100 applications" in r.text


def test_portal_pages_past_100_apps(make_server):
    srv = make_server("--max-apps", "150")
    email, password = new_account(srv, "portalpages")
    token = new_pat(srv, email, password)["token"]
    keys = [new_app(srv, token, name=f"App {i:03}")["api_key"]
            for i in range(101)]
    with Browser(srv) as b:
        assert b.login(email, password).status_code == 303
        r = b.get("/apps")
        assert r.status_code == 200
        assert all(k in r.text for k in keys[:100])
        assert keys[100] not in r.text
        nxt = re.search(r'<a href="(/apps\?cursor=[A-Za-z0-9_-]+)">Next '
                        r'page</a>', r.text)
        assert nxt, "a link to the next page"
        r = b.get(nxt[1])
        assert r.status_code == 200
        assert keys[100] in r.text and keys[99] not in r.text
        assert "Next page" not in r.text
        for bad in ("/apps?cursor=x", "/apps?page=2",
                    "/apps?cursor=AAAAAAAAAAA"):
            assert b.get(bad).status_code == 400, bad


def test_cli_lists_100_largest_apps_and_refuses_the_101st(full):
    srv, email, _, _, keys = full
    p = run_cli("app", "list", "--email", email, "--json", "--db", srv.db,
                timeout=60)
    assert p.returncode == 0, p.stderr
    assert [a["api_key"] for a in json.loads(p.stdout)] == keys
    p = run_cli("app", "list", "--db", srv.db, timeout=60)
    assert p.returncode == 0, p.stderr
    assert all(k in p.stdout for k in keys)
    p = run_cli("app", "create", "--email", email, "--name", "Too many",
                "--redirect-uri", "https://x.example/cb", "--db", srv.db)
    assert p.returncode == 1, (p.returncode, p.stdout, p.stderr)
    assert "already owns 100 applications" in p.stderr
    assert p.stdout == ""


# --- the cap: a setting, and atomic -----------------------------------------

def test_max_apps_flag_and_parallel_creations_at_the_edge(make_server):
    srv = make_server("--max-apps", "3")
    token = new_pat(srv, *new_account(srv, "edge"))["token"]
    for _ in range(2):
        new_app(srv, token, redirect_uris=["https://x.example/cb"])
    statuses, go = [], threading.Barrier(8)

    def create():
        go.wait()
        r = create_app(srv, token, {"name": "Racer",
                                    "redirect_uris": ["https://x.example/cb"]})
        statuses.append(r.status_code)
    threads = [threading.Thread(target=create) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [201] + [422] * 7, statuses
    assert len(list_all(srv, "/api/v1/apps", token)) == 3
    other = new_pat(srv, *new_account(srv, "edge-other"))["token"]
    new_app(srv, other, redirect_uris=["https://x.example/cb"])


def test_max_apps_from_the_environment_for_the_cli(fresh_server):
    srv = fresh_server
    email, _ = new_account(srv, "envcap")

    def create(env):
        return run_cli("app", "create", "--email", email, "--name", "A",
                       "--redirect-uri", "https://x.example/cb",
                       "--db", srv.db, env=env)
    assert create({"KEYGATE_MAX_APPS": "1"}).returncode == 0
    p = create({"KEYGATE_MAX_APPS": "1"})
    assert p.returncode == 1 and "owns 1 applications" in p.stderr, p.stderr
    assert create({}).returncode == 0, "the default cap is 100"


def test_max_apps_from_the_configuration_file(make_server, tmp_path):
    conf = tmp_path / "keygate.conf"
    conf.write_text("[keygate]\nmax-apps = 1\n")
    srv = make_server("--config", str(conf))
    token = new_pat(srv, *new_account(srv, "filecap"))["token"]
    new_app(srv, token, redirect_uris=["https://x.example/cb"])
    r = create_app(srv, token, {"name": "Second"})
    assert r.status_code == 422, r.text
    assert "owns 1 applications" in r.json()["fields"]["account"]


@pytest.mark.parametrize("value", ["0", "-1", "100001", "many"])
def test_max_apps_out_of_range_is_refused(value, tmp_path):
    p = run_cli("serve", "--db", str(tmp_path / "k.db"), "--max-apps", value)
    assert p.returncode != 0
    assert "--max-apps wants a whole number from 1 to 100000" in p.stderr, \
        p.stderr


# --- limit and cursor: bad input is a 400, never a crash --------------------

@pytest.fixture(scope="module")
def small(server):
    token = new_pat(server, *new_account(server, "small"))["token"]
    keys = [new_app(server, token, redirect_uris=["https://x.example/cb"])
            ["api_key"] for _ in range(3)]
    return server, token, keys


LISTS = ["/api/v1/apps", "/api/v1/access-tokens", "/api/v1/connections"]


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize("limit", ["0", "101", "-1", "1.5", "abc", "",
                                   "1e2", " 5", "99999999999999999999"])
def test_limit_out_of_bounds_is_400(small, path, limit):
    srv, token, _ = small
    assert_400(api_get(srv, path, token, limit=limit), "limit")


@pytest.mark.parametrize("path", LISTS)
def test_limit_bounds_are_accepted(small, path):
    srv, token, _ = small
    for limit in ("1", "100"):
        r = api_get(srv, path, token, limit=limit)
        assert r.status_code == 200, (limit, r.text)
        assert len(r.json()) <= int(limit)


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize("cursor", [
    "", "x", "not-a-cursor!", "AAAAAAAAAAA", cursor_of(1) + "=",
    cursor_of(1) + "A", cursor_of(1)[:-1], "AAAAAAAAAAB",
    cursor_of(2 ** 63), cursor_of(2 ** 64 - 1), "%00%00", "\u00e9" * 11,
    # 11 bytes of UTF-8, one character outside base64url (libsodium's
    # decoder took it; the fuzz target found it)
    "AAA\u00b8AAAAAA",
    "A" * 5000,
])
def test_bad_cursor_is_400(small, path, cursor):
    srv, token, _ = small
    r = api_get(srv, path, token, cursor=cursor)
    assert r.status_code == 400, (r.status_code, r.text[:200])
    if r.status_code == 400:
        assert r.json()["error"] == "invalid_request"


@pytest.mark.parametrize("path", LISTS)
def test_repeated_or_unknown_parameters_are_400(small, path):
    srv, token, _ = small
    url = srv.url(path)
    for q in ("limit=1&limit=2", f"cursor={cursor_of(1)}&cursor="
              f"{cursor_of(2)}", "offset=10", "page=2"):
        r = requests.get(f"{url}?{q}", headers=bearer(token), timeout=10)
        assert r.status_code == 400, (q, r.status_code, r.text)


def test_forged_cursor_only_moves_within_ones_own_list(small):
    srv, token, keys = small
    other = new_pat(srv, *new_account(srv, "forger"))["token"]
    mine = [new_app(srv, other, redirect_uris=["https://x.example/cb"])
            ["api_key"]]
    for n in (1, 2, 10 ** 6, 2 ** 63 - 1):
        r = api_get(srv, "/api/v1/apps", other, cursor=cursor_of(n))
        assert r.status_code == 200, r.text
        assert {a["api_key"] for a in r.json()} <= set(mine)
    assert not set(keys) & {a["api_key"] for a in
                            list_all(srv, "/api/v1/apps", other)}


# --- personal access tokens: 100, paged newest first -----------------------

def many_pats(srv, email, password, n):
    """n personal tokens, the clock moved an hour past each 20 (an account
    makes at most 20 an hour), then once more so the next hour is fresh."""
    made = []
    for i in range(n):
        if i and i % 20 == 0:
            srv.advance(3600)
        made.append(new_pat(srv, email, password))
    srv.advance(3600)
    return made


def test_token_list_pages(fresh_server):
    srv = fresh_server
    email, password = new_account(srv, "patpages")
    made = many_pats(srv, email, password, 100)
    token = made[-1]["token"]
    for limit in (50, 30, 1):
        pages = walk(srv, "/api/v1/access-tokens", token, limit)
        got = [t["id"] for items, _ in pages for t in items]
        assert got == [m["id"] for m in reversed(made)], limit
    r = create_pat(srv, email, password)
    assert r.status_code == 422, r.text
    r = requests.delete(srv.url(f"/api/v1/access-tokens/{made[0]['id']}"),
                        headers=bearer(token), timeout=10)
    assert r.status_code == 204
    assert create_pat(srv, email, password).status_code == 201, \
        "one revoked, one may be made"


def test_parallel_tokens_at_the_edge(fresh_server):
    srv = fresh_server
    email, password = new_account(srv, "patedge")
    made = many_pats(srv, email, password, 98)
    statuses, go = [], threading.Barrier(6)

    def create():
        go.wait()
        statuses.append(create_pat(srv, email, password).status_code)
    threads = [threading.Thread(target=create) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [201, 201] + [422] * 4, statuses
    assert len(list_all(srv, "/api/v1/access-tokens",
                        made[0]["token"])) == 100


# --- connections -------------------------------------------------------------

def test_connections_pages(make_server):
    srv = make_server(issuer=True)
    user = oauthkit.User(srv, "pager")
    apps = [oauthkit.make_app(srv) for _ in range(3)]
    for a in apps:
        oauthkit.get_tokens(user, a)
    pages = walk(srv, "/api/v1/connections", user.pat, 1)
    assert [c["api_key"] for items, _ in pages for c in items] == \
        [a.key for a in apps], "oldest grant first, each once"
    assert len(pages) == 3 and pages[-1][1] is None
    r = user.get("/connections")
    assert r.status_code == 200
    assert all(a.key in r.text for a in apps)
    assert user.get("/connections?cursor=bad").status_code == 400
