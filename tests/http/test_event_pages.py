"""The portal's /account/events (docs/REFERENCE.md §8, §20): an account's
security events newest first, filtered by kind and by app (a GET form),
"Older events" carrying the cursor and the filters, a 400 page for a
filter that names nothing of the account's, and the account's own events
only."""

import html
import re

import pytest

import oauthkit
from kgtest import Browser, new_account, patch_app
from oauthkit import Dev, User, get_tokens, make_app
from twostepkit import Person, code_now, code_step, next_step, password_step

server = oauthkit.module_server()

KINDS = ["signup", "login", "login_failed", "password_changed",
         "email_changed", "two_step_on", "two_step_off", "session_ended",
         "pat_created", "pat_revoked", "app_created", "app_changed",
         "app_deleted", "secret_generated", "secret_revoked", "grant_given",
         "grant_withdrawn", "refresh_reuse", "code_replay",
         "account_disabled"]


def rows(page):
    m = re.search(r'<table[^>]* id="events">.*?<tbody>(.*?)</tbody>', page,
                  re.S)
    if m is None:
        return []
    out = []
    for tr in re.findall(r"<tr>(.*?)</tr>", m.group(1), re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)
        when = re.search(r'<time datetime="([^"]+)">([^<]+)</time>',
                         cells[0])
        out.append(dict(at=when.group(1), when=when.group(2),
                        kind=html.unescape(cells[1]),
                        app=html.unescape(cells[2]),
                        address=html.unescape(cells[3]),
                        detail=html.unescape(cells[4])))
    return out


def older(page):
    m = re.search(r'<a href="([^"]+)">Older events</a>', page)
    return html.unescape(m.group(1)) if m else None


def options(page, name):
    sel = re.search(rf'<select id="{name}" name="{name}">(.*?)</select>',
                    page, re.S).group(1)
    return re.findall(r'<option value="([^"]*)" ?(selected)?>([^<]*)'
                      r'</option>', sel)


def events_page(b, query=""):
    r = b.get("/account/events" + query)
    assert r.status_code == 200, (r.status_code, r.text[:500])
    return r.text


@pytest.fixture(scope="module")
def owner(server):
    """A developer logged in in a browser, with two apps made through the
    API, one of them changed."""
    dev = Dev(server, "ev")
    b = Browser(server)
    assert b.login(dev.email, dev.password).status_code == 303
    a = make_app(server, dev, public_name="Alpha <b>")
    c = make_app(server, dev, public_name="Beta")
    r = patch_app(server, dev.pat, a.key, {"description": "changed"})
    assert r.status_code == 200, r.text
    return dict(dev=dev, b=b, a=a, c=c)


def test_logged_out_goes_to_log_in(server):
    with Browser(server) as b:
        r = b.get("/account/events")
        assert r.status_code == 303
        assert r.headers["Location"] == "/login?next=/account/events"


def test_linked_from_the_nav_and_the_account_page(owner):
    b = owner["b"]
    assert 'href="/account/events"' in b.home()
    page = b.get("/account").text
    assert '<a href="/account/events">' in page


def test_the_account_s_events_newest_first(owner):
    page = events_page(owner["b"])
    assert "<h1>Security events</h1>" in page
    got = rows(page)
    kinds = [r["kind"] for r in got]
    # the sign-up is the oldest, the app's change the newest
    assert kinds[-1] == "Signed up", kinds
    assert "Logged in" in kinds
    assert kinds.count("Application created") == 2, kinds
    assert kinds[0] == "Application settings changed", kinds
    ats = [r["at"] for r in got]
    assert ats == sorted(ats, reverse=True)
    for r in got:
        assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", r["when"])
        assert r["at"].startswith(r["when"][:10])
    login = next(r for r in got if r["kind"] == "Logged in")
    assert login["address"] == "127.0.0.1"
    created = {r["app"] for r in got if r["kind"] == "Application created"}
    # the app's public name, escaped on the page, read back as text
    assert created == {"Alpha <b>", "Beta"}, created
    assert "Alpha <b>" not in page and "Alpha &lt;b&gt;" in page


def test_every_kind_can_be_chosen(owner):
    page = events_page(owner["b"])
    opts = options(page, "kind")
    assert opts[0] == ("", "", "Any kind")
    assert [o[0] for o in opts[1:]] == KINDS
    assert all(o[2] and o[1] == "" for o in opts)
    apps = options(page, "app")
    assert apps[0][0] == ""
    assert {(o[0], o[2]) for o in apps[1:]} == \
        {(owner["a"].key, "Alpha &lt;b&gt;"), (owner["c"].key, "Beta")}


def test_filter_by_kind(owner):
    page = events_page(owner["b"], "?kind=app_created&app=")
    got = rows(page)
    assert [r["kind"] for r in got] == ["Application created"] * 2
    assert ("app_created", "selected", "Application created") in \
        options(page, "kind")
    page = events_page(owner["b"], "?kind=code_replay")
    assert rows(page) == []
    assert "No events match these filters." in page


def test_filter_by_app(owner):
    a, c = owner["a"], owner["c"]
    page = events_page(owner["b"], f"?app={c.key}")
    got = rows(page)
    assert got and {r["app"] for r in got} == {"Beta"}, got
    assert (c.key, "selected", "Beta") in options(page, "app")
    page = events_page(owner["b"], f"?kind=app_changed&app={a.key}")
    got = rows(page)
    assert [r["kind"] for r in got] == ["Application settings changed"]
    assert rows(events_page(owner["b"], f"?kind=app_changed&app={c.key}")) \
        == []


@pytest.mark.parametrize("query, words", [
    ("?kind=nonsense", "no kind of event by that name"),
    ("?kind=LOGIN", "no kind of event by that name"),
    ("?kind=login%00x", "not one of the list"),
    ("?app=kg_ak_nosuchapp", "no application with this API key"),
    ("?before=!!", "not one of the list"),
    ("?before=AAAAAAAAAAA", "not one of the list"),
    ("?kind=login&kind=signup", "not one of the list"),
    ("?page=2", "not one of the list"),
])
def test_bad_filters_are_refused(owner, query, words):
    r = owner["b"].get("/account/events" + query)
    assert r.status_code == 400, (query, r.status_code)
    assert words in r.text, r.text[:800]


def test_only_the_account_s_own(server, owner):
    other = User(server, "ev-other")
    page = events_page(other)
    assert owner["a"].key not in page and "Alpha" not in page
    assert [r["kind"] for r in rows(page)][-1] == "Signed up"
    # another account's app is no filter of this one's
    r = other.get(f"/account/events?app={owner['a'].key}")
    assert r.status_code == 400


def test_older_events_keep_the_filters(server):
    dev = Dev(server, "ev-pages")
    b = Browser(server)
    assert b.login(dev.email, dev.password).status_code == 303
    app = make_app(server, dev, secret=False)
    for i in range(57):
        r = patch_app(server, dev.pat, app.key, {"description": f"v{i}"})
        assert r.status_code == 200, r.text
    query = f"?kind=app_changed&app={app.key}"
    first = events_page(b, query)
    got = rows(first)
    assert len(got) == 50
    nxt = older(first)
    assert nxt is not None
    assert nxt.startswith("/account/events?kind=app_changed&app="
                          f"{app.key}&before=")
    second = events_page(b, nxt[len("/account/events"):])
    rest = rows(second)
    assert len(rest) == 7 and older(second) is None
    assert all(r["kind"] == "Application settings changed"
               for r in got + rest)
    assert rest[0]["at"] <= got[-1]["at"]
    # without filters the sign-up is on the second page
    page = events_page(b)
    assert "Signed up" not in [r["kind"] for r in rows(page)]
    nxt = older(page)
    assert nxt.startswith("/account/events?before=")
    tail = rows(events_page(b, nxt[len("/account/events"):]))
    assert tail[-1]["kind"] == "Signed up"


def test_new_account_has_its_sign_up(server):
    email, password = new_account(server, "ev-new")
    with Browser(server) as b:
        assert b.login(email, password).status_code == 303
        kinds = [r["kind"] for r in rows(events_page(b))]
    assert kinds == ["Logged in", "Signed up"], kinds


def test_details_in_words(server):
    dev = Dev(server, "ev-words")
    b = Browser(server)
    assert b.login(dev.email, dev.password).status_code == 303
    app = make_app(server, dev, public_name="Gamma")
    r = patch_app(server, dev.pat, app.key, {"description": "new",
                                             "public_name": "Gamma 2"})
    assert r.status_code == 200, r.text
    with Browser(server) as wrong:
        assert wrong.login(dev.email, "not the password at all") \
            .status_code != 303
    user = User(server, "ev-words-user")
    get_tokens(user, app)
    got = {r["kind"]: r for r in rows(events_page(b))}
    assert got["Application settings changed"]["detail"] == \
        "changed: public name, description"
    assert got["New secret generated"]["detail"] == \
        "old secret kept: not at all"
    assert got["Logged in"]["detail"] == ""
    assert got["Failed log-in"]["detail"] == "wrong: password"
    assert got["Failed log-in"]["address"] == "127.0.0.1"
    # another account's grant to the owner's app: its address is not the
    # owner's to see
    given = got["Someone granted the application access"]
    assert given["app"] == "Gamma 2"
    assert given["address"] == ""
    assert given["detail"] == "access: account read; flow: code"
    # the user sees it as their own
    mine = {r["kind"]: r for r in rows(events_page(user))}
    grant = mine["Access granted to an application"]
    assert grant["app"] == app.key and grant["address"] == "127.0.0.1"


def test_a_log_in_with_its_code_says_so(make_server):
    srv = make_server()
    p = Person(srv)
    next_step(srv)
    with Browser(srv) as b:
        r = password_step(b, p.email)
        r = code_step(b, r.text, code_now(srv, p.secret))
        assert r.status_code == 303
        got = rows(events_page(b))
    assert [(r["kind"], r["detail"]) for r in got[:2]] == [
        ("Logged in", "with a two-step code"),
        ("Two-step log-in turned on", "")], got
