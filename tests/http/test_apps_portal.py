"""Applications in the developer portal (docs/REFERENCE.md §2), in a
browser-like session, checked through the API with a personal access token of
the same account.

Pages: /apps (My Applications), /apps/new and POST /apps, /apps/{key}
(settings; POST saves every field), /apps/{key}/secret (confirmation; POST
generates) and /apps/{key}/secret/new (shows the secret once),
/apps/{key}/delete (confirmation; POST deletes). Errors show next to their
field in an element with id "<field>-error".

The docs/REFERENCE.md §2 table (appcases.py) runs through the settings form and
the New Application form."""

import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest

import appcases
from appcases import BASELINE
from kgtest import (PASSWORD, Browser, app_json, app_keys, delete_app,
                    element_text, field_value, find_csrf, get_app, input_tag,
                    input_value, list_apps, location, new_account, new_app,
                    new_app_secret, new_pat, random_parts, textarea_value,
                    unique_email)

KEY_CHARS = re.compile(r"^[A-Za-z0-9_-]+$")
FIELDS = ("redirect_uris", "public_name", "logo_url", "description",
          "id_token_signed_response_alg", "post_logout_redirect_uris")


class Dev:
    """A developer signed up through the portal (so the browser holds the
    session) with a personal access token of the same account."""

    def __init__(self, server, prefix="dev"):
        self.server = server
        self.email = unique_email(prefix)
        self.browser = Browser(server)
        r = self.browser.signup(self.email)
        assert r.status_code == 303, (r.status_code, r.text[:300])
        assert self.browser.session_cookie()
        self.token = new_pat(server, self.email, PASSWORD)["token"]

    def close(self):
        self.browser.close()


@pytest.fixture(scope="module")
def dev(server):
    d = Dev(server)
    yield d
    d.close()


@pytest.fixture(scope="module")
def intruder(server):
    d = Dev(server, "intruder")
    yield d
    d.close()


@pytest.fixture
def app(server, dev):
    """A fresh app of `dev` (made through the API) at the BASELINE."""
    made = new_app(server, dev.token, **BASELINE)
    yield made
    # An account owns at most 100 apps (--max-apps): the module's owner
    # gives each one back (a test may have deleted it already).
    delete_app(server, dev.token, made["api_key"])


def path_of(server, resp):
    """The redirect target as (path, query dict)."""
    u = urlsplit(location(server, resp))
    assert u.netloc in ("", urlsplit(server.base).netloc), u
    return u.path, parse_qs(u.query)


def form_html(page, action):
    """The <form> posting to `action`, or None."""
    m = re.search(r'<form\b[^>]*\baction="%s"[^>]*>.*?</form>'
                  % re.escape(action), page, re.S)
    return m.group(0) if m else None


def text_of(page):
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def form_data(settings):
    """The settings form as a browser sends it (textarea lines joined with
    CRLF, the checkbox present only when on)."""
    data = {"redirect_uris": "\r\n".join(settings["redirect_uris"]),
            "public_name": settings["public_name"],
            "logo_url": settings["logo_url"] or "",
            "description": settings["description"].replace("\n", "\r\n"),
            "id_token_signed_response_alg":
                settings["id_token_signed_response_alg"],
            "post_logout_redirect_uris":
                "\r\n".join(settings["post_logout_redirect_uris"])}
    if settings["implicit_flow"]:
        data["implicit_flow"] = "on"
    for box in ("device_flow", "dpop_bound_access_tokens",
                "require_pushed_authorization_requests"):
        if settings.get(box):
            data[box] = "on"
    return data


def settings_of(app):
    return {k: app[k] for k in BASELINE}


def normalized(j):
    """App JSON with CRLF in the description read as LF (a browser sends
    CRLF; either may be stored)."""
    return dict(j, description=j["description"].replace("\r\n", "\n"))


def save(b, key, settings, csrf=True):
    data = form_data(settings)
    if csrf:
        return b.submit(f"/apps/{key}", f"/apps/{key}", data)
    return b.post(f"/apps/{key}", data=data)


def create(b, name):
    return b.submit("/apps/new", "/apps", {"name": name})


def assert_saved(server, dev, key, r):
    assert r.status_code == 303, (r.status_code, r.text[:500])
    path, query = path_of(server, r)
    assert path == f"/apps/{key}" and query == {"saved": ["1"]}, (path, query)


# --- logged out -------------------------------------------------------------

def test_apps_needs_a_login(server):
    with Browser(server) as b:
        r = b.get("/apps")
        assert r.status_code == 303, r.status_code
        path, query = path_of(server, r)
        assert path == "/login" and query.get("next") == ["/apps"], \
            (path, query)


@pytest.mark.parametrize("path", ["/apps/new", "/apps/{key}",
                                  "/apps/{key}/secret", "/apps/{key}/delete"])
def test_app_pages_need_a_login(server, app, path):
    with Browser(server) as b:
        r = b.get(path.format(key=app["api_key"]))
        assert r.status_code == 303, r.status_code
        assert path_of(server, r)[0] == "/login"
        assert app["api_key"] not in r.text


# --- My Applications --------------------------------------------------------

def created_forms(created_at):
    """Ways a page may show the date of an RFC 3339 time."""
    import time as _t
    t = _t.strptime(created_at, "%Y-%m-%dT%H:%M:%SZ")
    return {_t.strftime("%Y-%m-%d", t),
            _t.strftime("%d %b %Y", t).lstrip("0"),
            _t.strftime("%d %B %Y", t).lstrip("0"),
            _t.strftime("%b %d, %Y", t).replace(" 0", " "),
            _t.strftime("%B %d, %Y", t).replace(" 0", " ")}


def row_text(page, key):
    """The text of the table row or list item that holds `key`."""
    for m in re.finditer(r"<(tr|li)\b.*?</\1>", page, re.S):
        if key in m.group(0):
            return text_of(m.group(0))
    return None


def test_list_shows_the_accounts_apps(server):
    d = Dev(server, "lister")
    try:
        r = d.browser.get("/apps")
        assert r.status_code == 200
        assert re.search(r'<a\b[^>]*href="/apps/new"', r.text), "no link"
        plain = new_app(server, d.token, name="Plain <App> & Co")
        keyed = new_app(server, d.token, name="Keyed App")
        assert new_app_secret(server, d.token,
                              keyed["api_key"]).status_code == 201
        page = d.browser.get("/apps").text
        assert re.search(r'<a\b[^>]*href="/apps/new"', page)
        assert "<App>" not in page
        rows = {}
        for a in (plain, keyed):
            row = row_text(page, a["api_key"])
            assert row is not None, f"no row shows {a['api_key']}"
            assert a["name"] in row, row
            assert any(f in row for f in created_forms(a["created_at"])), row
            assert re.search(r'href="/apps/%s"' % re.escape(a["api_key"]),
                             page)
            rows[a["api_key"]] = row.replace(a["name"], "").replace(
                a["api_key"], "").lower()
        without, with_ = rows[plain["api_key"]], rows[keyed["api_key"]]
        none = r"\bno secret\b|\bnone\b|\bno\b"
        assert re.search(none, without), without
        assert not re.search(none, with_), with_
        assert re.search(r"\bsecret\b|\bset\b|\byes\b", with_), with_
    finally:
        d.close()


def test_list_does_not_show_another_accounts_apps(server, dev, intruder, app):
    page = intruder.browser.get("/apps").text
    assert app["api_key"] not in page
    mine = dev.browser.get("/apps").text
    assert app["api_key"] in mine


# --- New Application --------------------------------------------------------

def test_new_app_form(dev):
    r = dev.browser.get("/apps/new")
    assert r.status_code == 200
    form = form_html(r.text, "/apps")
    assert form, "no form posting to /apps"
    assert re.search(r'method="post"', form, re.I)
    assert input_tag(form, "name") is not None
    assert input_tag(form, "csrf_token") is not None
    assert re.search(r"(never|cannot|can ?not|can't)\b[^.]{0,40}\bchang",
                     text_of(r.text), re.I), "does not say the name is fixed"


def test_create_redirects_to_the_new_app(server, dev):
    before = set(app_keys(server, dev.token))
    r = create(dev.browser, "Portal Made")
    assert r.status_code == 303, (r.status_code, r.text[:500])
    path, _ = path_of(server, r)
    m = re.match(r"^/apps/([^/]+)$", path)
    assert m, path
    key = m.group(1)
    assert KEY_CHARS.match(key)
    assert set(app_keys(server, dev.token)) - before == {key}
    j = app_json(server, dev.token, key)
    assert j["name"] == "Portal Made" and j["public_name"] == "Portal Made"
    assert j["has_secret"] is False and j["implicit_flow"] is False
    page = dev.browser.get(path)
    assert page.status_code == 200 and key in page.text


def test_api_keys_from_the_portal_are_random(server, dev):
    keys = []
    for i in range(10):
        r = create(dev.browser, f"Random {i}")
        assert r.status_code == 303
        keys.append(path_of(server, r)[0].rsplit("/", 1)[1])
    assert len(set(keys)) == len(keys)
    for part in random_parts(keys):
        assert len(part) >= 22, (part, keys)


@pytest.mark.parametrize("c", appcases.params(appcases.NAME, "portal"))
def test_name_rule_on_create(server, dev, c):
    before = set(app_keys(server, dev.token))
    r = create(dev.browser, c.value)
    after = set(app_keys(server, dev.token))
    if c.ok:
        assert r.status_code == 303, (r.status_code, r.text[:500])
        key = path_of(server, r)[0].rsplit("/", 1)[1]
        assert after - before == {key}
        assert app_json(server, dev.token, key)["name"] == c.value
    else:
        assert r.status_code == 422, r.status_code
        assert element_text(r.text, "name-error"), "no reason by the field"
        if c.value.strip():
            assert input_value(r.text, "name") == c.value
        assert find_csrf(r.text)
        assert after == before


def test_typed_name_is_escaped(server, dev):
    typed = '"><script>alert(1)</script>' + "x" * 100
    r = create(dev.browser, typed)
    assert r.status_code == 422
    assert "<script>alert(1)" not in r.text
    assert input_value(r.text, "name") == typed


# --- the settings page ------------------------------------------------------

def test_settings_page_shows_the_app(server, dev):
    a = new_app(server, dev.token, name="Settings & <Co>",
                redirect_uris=["https://s.example.com/cb",
                               "com.example.s:/cb"],
                public_name="Settings Public", logo_url=None,
                description="Two\nlines & <b>", implicit_flow=True)
    key = a["api_key"]
    r = dev.browser.get(f"/apps/{key}")
    assert r.status_code == 200
    page = r.text
    assert key in page
    assert "Settings &amp; &lt;Co&gt;" in page and "<Co>" not in page
    # the name is read-only
    assert input_tag(page, "name") is None
    assert textarea_value(page, "name") is None
    form = form_html(page, f"/apps/{key}")
    assert form, "no form posting to the app"
    assert re.search(r'method="post"', form, re.I)
    uris = textarea_value(form, "redirect_uris")
    assert uris is not None, "redirect_uris is not a textarea"
    assert [u.strip() for u in uris.splitlines() if u.strip()] == \
        a["redirect_uris"]
    assert field_value(form, "public_name") == "Settings Public"
    assert field_value(form, "logo_url") in ("", None)
    assert field_value(form, "description").replace("\r\n", "\n") == \
        "Two\nlines & <b>"
    assert "<b>" not in form
    box = input_tag(form, "implicit_flow")
    assert box is not None and 'type="checkbox"' in box
    assert input_value(form, "implicit_flow") == "on"
    assert re.search(r"\bchecked\b", box)
    assert input_tag(form, "csrf_token") is not None
    # OpenID Connect: a labelled select of the three algorithms (RS256 by
    # default) and a textarea of post-logout URIs, each with its error slot
    sel = select_html(form, "id_token_signed_response_alg")
    assert sel is not None, "no select of the id_token algorithm"
    assert re.findall(r'<option value="([^"]+)"', sel) == \
        ["RS256", "ES256", "EdDSA"]
    assert selected_option(form, "id_token_signed_response_alg") == "RS256"
    assert textarea_value(form, "post_logout_redirect_uris") == ""
    for f in ("id_token_signed_response_alg", "post_logout_redirect_uris"):
        assert re.search(r'<label for="%s">' % f, form), f
        assert re.search(r'aria-describedby="%s-error"' % f, form), f


def select_html(page, name):
    m = re.search(r'<select\b[^>]*\bname="%s"[^>]*>.*?</select>'
                  % re.escape(name), page, re.S)
    return m.group(0) if m else None


def selected_option(page, name):
    m = re.search(r'<option value="([^"]+)"\s+selected\b',
                  select_html(page, name) or "")
    return m.group(1) if m else None


def test_checkbox_is_unchecked_when_off(dev, app):
    box = input_tag(dev.browser.get(f"/apps/{app['api_key']}").text,
                    "implicit_flow")
    assert box is not None and not re.search(r"\bchecked\b", box)


def test_device_flow_checkbox(server, dev, app):
    """Off by default, unchecked; ticked and saved it turns the flow on
    (as the API then says), and saving without it turns it off again."""
    key = app["api_key"]
    page = dev.browser.get(f"/apps/{key}").text
    form = form_html(page, f"/apps/{key}")
    box = input_tag(form, "device_flow")
    assert box is not None and 'type="checkbox"' in box
    assert not re.search(r"\bchecked\b", box)
    assert input_value(form, "device_flow") == "on"
    assert re.search(r'<label for="device_flow">Allow the device flow '
                     r'\(TVs, command-line tools\)</label>', form), form
    settings = dict(settings_of(app), device_flow=True)
    assert_saved(server, dev, key, save(dev.browser, key, settings))
    assert app_json(server, dev.token, key)["device_flow"] is True
    box = input_tag(dev.browser.get(f"/apps/{key}").text, "device_flow")
    assert re.search(r"\bchecked\b", box)
    assert_saved(server, dev, key, save(dev.browser, key, settings_of(app)))
    assert app_json(server, dev.token, key)["device_flow"] is False


def test_valid_save_stores_every_field(server, dev, app):
    key = app["api_key"]
    new = {"redirect_uris": ["https://new.example.com/cb",
                             "http://localhost:3000/cb",
                             "com.example.new:/cb"],
           "public_name": "Brand New Name",
           "logo_url": "https://new.example.com/logo.svg",
           "description": "First line.\nSecond line.",
           "implicit_flow": True,
           "id_token_signed_response_alg": "EdDSA",
           "post_logout_redirect_uris": ["https://new.example.com/bye",
                                         "com.example.new:/bye"]}
    r = save(dev.browser, key, new)
    assert_saved(server, dev, key, r)
    assert normalized(app_json(server, dev.token, key)) == dict(app, **new)
    page = dev.browser.get(f"/apps/{key}?saved=1")
    assert page.status_code == 200
    assert field_value(page.text, "public_name") == "Brand New Name"
    assert selected_option(page.text, "id_token_signed_response_alg") == \
        "EdDSA"
    # unticking the box turns the client flow off; an empty logo removes it
    r = save(dev.browser, key, dict(new, implicit_flow=False, logo_url=None))
    assert_saved(server, dev, key, r)
    j = app_json(server, dev.token, key)
    assert j["implicit_flow"] is False and j["logo_url"] is None


def test_save_with_the_same_values_changes_nothing(server, dev, app):
    r = save(dev.browser, app["api_key"], settings_of(app))
    assert_saved(server, dev, app["api_key"], r)
    assert app_json(server, dev.token, app["api_key"]) == app


def test_save_cannot_change_the_name(server, dev, app):
    data = form_data(settings_of(app))
    data["name"] = "Renamed Through The Form"
    r = dev.browser.submit(f"/apps/{app['api_key']}",
                           f"/apps/{app['api_key']}", data)
    assert r.status_code == 400, r.status_code
    assert app_json(server, dev.token, app["api_key"])["name"] == app["name"]


def test_invalid_save_shows_every_error_and_stores_nothing(server, dev, app):
    key = app["api_key"]
    typed = {"redirect_uris": ["https://good.example.com/cb",
                               "http://bad.example.com/cb?a=1&b=<2>",
                               "com.example.good:/cb"],
             "public_name": 'Tom & "Jerry" <KeyGate>',
             "logo_url": "javascript:alert('x')",
             "description": "<script>alert(1)</script>" + "d" * 1000,
             "implicit_flow": True,
             "id_token_signed_response_alg": "<none>",
             "post_logout_redirect_uris": ["https://good.example.com/bye",
                                           "http://bad.example.com/<bye>"]}
    r = save(dev.browser, key, typed)
    assert r.status_code == 422, r.status_code
    page = r.text
    for f in FIELDS:
        assert element_text(page, f"{f}-error"), f"no reason by {f}"
    # the typed values are kept, escaped
    assert "<script>alert(1)" not in page
    assert "<KeyGate>" not in page and "<2>" not in page
    assert "<none>" not in page and "<bye>" not in page
    for f in ("redirect_uris", "post_logout_redirect_uris"):
        uris = textarea_value(page, f).replace("\r\n", "\n")
        assert uris.split("\n") == typed[f]
    assert field_value(page, "public_name") == typed["public_name"]
    assert field_value(page, "logo_url") == typed["logo_url"]
    assert field_value(page, "description").replace("\r\n", "\n") == \
        typed["description"]
    assert re.search(r"\bchecked\b", input_tag(page, "implicit_flow"))
    assert find_csrf(page)
    assert input_tag(page, "name") is None
    assert app_json(server, dev.token, key) == app


def test_one_bad_field_shows_only_its_error(server, dev, app):
    key = app["api_key"]
    typed = dict(settings_of(app), description="Good new text.",
                 logo_url="http://insecure.example.com/logo.png")
    r = save(dev.browser, key, typed)
    assert r.status_code == 422
    assert element_text(r.text, "logo_url-error")
    for f in ("redirect_uris", "public_name", "description"):
        assert not element_text(r.text, f"{f}-error"), f
    assert field_value(r.text, "description") == "Good new text."
    assert app_json(server, dev.token, key) == app


@pytest.mark.parametrize("c", appcases.params(appcases.SETTINGS, "portal"))
def test_rule_on_save(server, dev, app, c):
    key = app["api_key"]
    typed = dict(settings_of(app), **{c.field: c.value})
    r = save(dev.browser, key, typed)
    if c.ok:
        assert_saved(server, dev, key, r)
        expected = dict(app, **{c.field: appcases.stored(c)})
        assert normalized(app_json(server, dev.token, key)) == expected
    else:
        assert r.status_code == 422, (r.status_code, r.text[:300])
        assert element_text(r.text, f"{c.field}-error"), \
            f"no reason by {c.field}"
        for f in FIELDS:
            if f != c.field:
                assert not element_text(r.text, f"{f}-error"), f
        if c.field.endswith("redirect_uris"):
            kept = textarea_value(r.text, c.field)
            assert [u for u in kept.splitlines() if u.strip()] == \
                [u for u in c.value if u.strip()]
        elif c.field == "id_token_signed_response_alg":
            # a select cannot show what it does not offer: none chosen
            assert "selected" not in select_html(r.text, c.field)
        elif c.value.strip():
            assert field_value(r.text, c.field) == c.value
        assert app_json(server, dev.token, key) == app


@pytest.mark.parametrize("c", appcases.params(appcases.ACME_PUBLIC_NAME,
                                              "portal"))
def test_brand_comes_from_the_brand_flag(make_server, c):
    srv = make_server("--brand", appcases.ACME_BRAND)
    d = Dev(srv, "acme")
    try:
        a = new_app(srv, d.token, name="Brand Check",
                    **dict(BASELINE, public_name="Neutral"))
        r = save(d.browser, a["api_key"],
                 dict(settings_of(a), public_name=c.value))
        if c.ok:
            assert_saved(srv, d, a["api_key"], r)
            assert app_json(srv, d.token,
                            a["api_key"])["public_name"] == c.value
        else:
            assert r.status_code == 422
            assert element_text(r.text, "public_name-error")
            assert app_json(srv, d.token, a["api_key"]) == a
    finally:
        d.close()


# --- Generate Secret ----------------------------------------------------------

def generate(b, key):
    return b.submit(f"/apps/{key}/secret", f"/apps/{key}/secret", {})


def test_secret_confirmation_page(server, dev, app):
    key = app["api_key"]
    r = dev.browser.get(f"/apps/{key}/secret")
    assert r.status_code == 200
    assert re.search(r"stops? working|no longer works?|invalid",
                     text_of(r.text), re.I), "no warning about the old secret"
    form = form_html(r.text, f"/apps/{key}/secret")
    assert form and re.search(r'method="post"', form, re.I)
    assert input_tag(form, "csrf_token") is not None
    # looking at the page generates nothing
    assert app_json(server, dev.token, key)["has_secret"] is False


def test_secret_is_shown_once(server, dev, app):
    key = app["api_key"]
    b = dev.browser
    r = generate(b, key)
    assert r.status_code == 303, (r.status_code, r.text[:300])
    assert path_of(server, r)[0] == f"/apps/{key}/secret/new"
    assert app_json(server, dev.token, key)["has_secret"] is True
    r = b.get(f"/apps/{key}/secret/new")
    assert r.status_code == 200
    secret = element_text(r.text, "secret")
    assert secret and KEY_CHARS.match(secret), secret
    assert secret != key
    # a second look does not show it
    again = b.get(f"/apps/{key}/secret/new")
    assert again.status_code == 410, again.status_code
    assert secret not in again.text
    # nor does any other page or the API
    for path in (f"/apps/{key}", "/apps", f"/apps/{key}/secret",
                 f"/apps/{key}?saved=1"):
        assert secret not in b.get(path).text, path
    assert secret not in get_app(server, dev.token, key).text
    assert secret not in list_apps(server, dev.token).text
    # the rest of the app did not change
    assert dict(app_json(server, dev.token, key), has_secret=False,
                secrets=[]) == app


def test_secret_page_is_not_cached(dev, app):
    key = app["api_key"]
    assert generate(dev.browser, key).status_code == 303
    r = dev.browser.get(f"/apps/{key}/secret/new")
    assert r.status_code == 200
    assert "no-store" in r.headers.get("Cache-Control", "")


def test_secret_page_of_another_session_shows_nothing(server, dev, app):
    key = app["api_key"]
    assert generate(dev.browser, key).status_code == 303
    with Browser(server) as other:
        assert other.login(dev.email).status_code == 303
        r = other.get(f"/apps/{key}/secret/new")
        assert r.status_code == 410, r.status_code
        assert not element_text(r.text, "secret")
    # the session that generated it still sees it, once
    r = dev.browser.get(f"/apps/{key}/secret/new")
    assert r.status_code == 200 and element_text(r.text, "secret")


def test_secret_page_without_a_new_secret_shows_nothing(dev, app):
    r = dev.browser.get(f"/apps/{app['api_key']}/secret/new")
    assert r.status_code == 410, r.status_code
    assert not element_text(r.text, "secret")


def test_each_generation_shows_a_new_secret(server, dev, app):
    key = app["api_key"]
    seen = []
    for i in range(3):
        assert generate(dev.browser, key).status_code == 303
        r = dev.browser.get(f"/apps/{key}/secret/new")
        assert r.status_code == 200
        seen.append(element_text(r.text, "secret"))
        j = app_json(server, dev.token, key)
        assert j["has_secret"] is True
        assert [s["id"] for s in j["secrets"]] == [i + 1], \
            "each replaces the last at once, by default"
        assert dict(j, has_secret=False, secrets=[]) == app
    assert len(set(seen)) == 3, seen
    for part in random_parts(seen):
        assert len(part) >= 43, seen


def test_api_secret_then_portal_secret(server, dev, app):
    key = app["api_key"]
    api_secret = new_app_secret(server, dev.token, key).json()["secret"]
    page = dev.browser.get(f"/apps/{key}").text
    assert api_secret not in page
    assert generate(dev.browser, key).status_code == 303
    shown = element_text(dev.browser.get(f"/apps/{key}/secret/new").text,
                         "secret")
    assert shown and shown != api_secret


# --- Delete -------------------------------------------------------------------

def test_delete(server, dev, app):
    key = app["api_key"]
    b = dev.browser
    r = b.get(f"/apps/{key}/delete")
    assert r.status_code == 200
    form = form_html(r.text, f"/apps/{key}/delete")
    assert form and input_tag(form, "csrf_token") is not None
    assert get_app(server, dev.token, key).status_code == 200
    r = b.submit(f"/apps/{key}/delete", f"/apps/{key}/delete", {})
    assert r.status_code == 303, r.status_code
    assert path_of(server, r)[0] == "/apps"
    assert get_app(server, dev.token, key).status_code == 404
    assert key not in b.get("/apps").text
    assert b.get(f"/apps/{key}").status_code == 404
    assert b.get(f"/apps/{key}/delete").status_code == 404


# --- CSRF ---------------------------------------------------------------------

def _posts(key, app):
    return [("/apps", {"name": "CSRF Victim App"}),
            (f"/apps/{key}", dict(form_data(settings_of(app)),
                                  description="Forged change.")),
            (f"/apps/{key}/secret", {}),
            (f"/apps/{key}/delete", {})]


@pytest.mark.parametrize("token", [None, "", "forged-token", "A" * 43,
                                   "another-session"])
def test_every_post_needs_the_csrf_token(server, dev, app, token):
    key = app["api_key"]
    before = app_keys(server, dev.token)
    if token == "another-session":
        with Browser(server) as other:
            other.login(dev.email)
            token = other.csrf("/apps/new")
    for action, fields in _posts(key, app):
        data = dict(fields)
        if token is not None:
            data["csrf_token"] = token
        r = dev.browser.post(action, data=data, headers={
            "Content-Type": "application/x-www-form-urlencoded"})
        assert r.status_code == 403, (action, r.status_code)
    assert app_json(server, dev.token, key) == app
    assert app_keys(server, dev.token) == before


# --- another account ----------------------------------------------------------

def test_another_accounts_app_pages_are_404(server, dev, intruder, app):
    key = app["api_key"]
    b = intruder.browser
    for path in (f"/apps/{key}", f"/apps/{key}/secret",
                 f"/apps/{key}/delete", f"/apps/{key}/secret/new"):
        r = b.get(path)
        assert r.status_code == 404, (path, r.status_code)
        assert app["name"] not in r.text and key not in r.text
    for action, fields in _posts(key, app)[1:]:
        r = b.submit("/apps/new", action, fields)
        assert r.status_code == 404, (action, r.status_code)
    assert app_json(server, dev.token, key) == app


@pytest.mark.parametrize("name,label", [
    ("dpop_bound_access_tokens",
     "Require DPoP: tokens only for requests with a proof of the app's key"),
    ("require_pushed_authorization_requests",
     "Require pushed authorization requests (PAR)")])
def test_issue_23_checkboxes(server, dev, app, name, label):
    """Off by default; ticked and saved the switch is on (as the API then
    says), and saving without it turns it off again."""
    key = app["api_key"]
    form = form_html(dev.browser.get(f"/apps/{key}").text, f"/apps/{key}")
    box = input_tag(form, name)
    assert box is not None and 'type="checkbox"' in box
    assert not re.search(r"\bchecked\b", box)
    assert f'<label for="{name}">{label}</label>' in form, form
    settings = dict(settings_of(app), **{name: True})
    assert_saved(server, dev, key, save(dev.browser, key, settings))
    assert app_json(server, dev.token, key)[name] is True
    box = input_tag(dev.browser.get(f"/apps/{key}").text, name)
    assert re.search(r"\bchecked\b", box)
    assert_saved(server, dev, key, save(dev.browser, key, settings_of(app)))
    assert app_json(server, dev.token, key)[name] is False
