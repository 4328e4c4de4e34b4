"""Applications through the developer REST API: /api/v1/apps (docs/REFERENCE.md
§2, §6).

Every docs/REFERENCE.md §2 rule is run from the shared table in appcases.py, on
create and on change; test_apps_cli.py and test_apps_portal.py run the same
table through the other two surfaces.

Failed bearer attempts feed a per-address throttle (20 per 15 minutes), so
this module sends fewer than ten bad tokens to its shared server."""

import calendar
import json
import re
import secrets
import time

import pytest
import requests

import appcases
from appcases import BASELINE
from kgtest import (APP_MEMBERS, RFC3339_UTC, app_json, app_keys, apps_url,
                    bearer, create_app, delete_app, get_app, list_apps,
                    new_account, new_app, new_app_secret, new_pat, patch_app,
                    random_parts)

KEY_CHARS = re.compile(r"^[A-Za-z0-9_-]+$")


@pytest.fixture(scope="module")
def owner(server):
    """The token of the account that owns the apps under test."""
    return new_pat(server, *new_account(server, "apps"))["token"]


@pytest.fixture(scope="module")
def intruder(server):
    """The token of another account."""
    return new_pat(server, *new_account(server, "intruder"))["token"]


@pytest.fixture
def app(server, owner):
    """A fresh app with every setting at the BASELINE."""
    made = new_app(server, owner, **BASELINE)
    yield made
    # An account owns at most 100 apps (--max-apps): the module's owner
    # gives each one back (a test may have deleted it already).
    delete_app(server, owner, made["api_key"])


def parse_time(s):
    return calendar.timegm(time.strptime(s, "%Y-%m-%dT%H:%M:%SZ"))


def assert_invalid(r, *fields):
    """r is a 422 invalid_request naming exactly `fields`, each with a
    reason."""
    assert r.status_code == 422, (r.status_code, r.text)
    j = r.json()
    assert j.get("error") == "invalid_request", j
    assert isinstance(j.get("fields"), dict), j
    assert set(j["fields"]) == set(fields), j
    for f in fields:
        assert isinstance(j["fields"][f], str) and j["fields"][f].strip(), j


def assert_app_json(j):
    assert set(j) == APP_MEMBERS, j
    assert isinstance(j["api_key"], str) and KEY_CHARS.match(j["api_key"])
    assert isinstance(j["name"], str)
    assert isinstance(j["redirect_uris"], list)
    assert all(isinstance(u, str) for u in j["redirect_uris"])
    assert isinstance(j["public_name"], str)
    assert j["logo_url"] is None or isinstance(j["logo_url"], str)
    assert j["logo_url"] != ""
    assert isinstance(j["description"], str)
    assert isinstance(j["implicit_flow"], bool)
    assert isinstance(j["device_flow"], bool)
    assert isinstance(j["dpop_bound_access_tokens"], bool)
    assert isinstance(j["require_pushed_authorization_requests"], bool)
    assert isinstance(j["has_secret"], bool)
    assert isinstance(j["secrets"], list)
    assert len(j["secrets"]) == (1 if j["has_secret"] else 0), j["secrets"]
    assert RFC3339_UTC.match(j["created_at"]), j["created_at"]


# --- create, read, list -----------------------------------------------------

def test_create_answers_201_with_the_app(server, owner):
    fields = {"name": "Photo Printer",
              "redirect_uris": ["https://photos.example.com/cb",
                                "com.example.photos:/cb"],
              "public_name": "Photo Printer Deluxe",
              "logo_url": "https://photos.example.com/logo.png",
              "description": "Prints your photos.\nFast.",
              "implicit_flow": True}
    r = create_app(server, owner, fields)
    assert r.status_code == 201, r.text
    assert r.headers["Content-Type"].startswith("application/json")
    j = r.json()
    assert_app_json(j)
    for k, v in fields.items():
        assert j[k] == v, k
    assert j["has_secret"] is False
    assert abs(parse_time(j["created_at"]) - time.time()) < 120
    assert app_json(server, owner, j["api_key"]) == j


def test_create_with_only_a_name_has_the_defaults(server, owner):
    j = new_app(server, owner, name="Photo Printer")
    assert_app_json(j)
    assert j["name"] == "Photo Printer"
    assert j["public_name"] == "Photo Printer"   # defaults to the name
    assert j["logo_url"] is None
    assert j["description"] == ""
    assert j["implicit_flow"] is False           # off by default
    assert j["device_flow"] is False             # off by default
    assert j["dpop_bound_access_tokens"] is False
    assert j["require_pushed_authorization_requests"] is False
    assert j["has_secret"] is False              # none until asked for


def test_name_with_the_brand_is_allowed_but_not_copied_to_public_name(
        server, owner):
    j = new_app(server, owner, name="Keygate Sync Tool")
    assert j["name"] == "Keygate Sync Tool"
    assert "keygate" not in j["public_name"].lower().replace(" ", "")


def test_name_is_stored_as_given(server, owner):
    j = new_app(server, owner, name="Ünïcödé ✓ app")
    assert app_json(server, owner, j["api_key"])["name"] == "Ünïcödé ✓ app"


def test_list_shows_every_app_of_the_account(server):
    token = new_pat(server, *new_account(server, "lister"))["token"]
    r = list_apps(server, token)
    assert r.status_code == 200 and r.json() == []
    made = [new_app(server, token, name=f"App {i}") for i in range(3)]
    r = list_apps(server, token)
    assert r.status_code == 200
    items = r.json()
    assert isinstance(items, list)
    for it in items:
        assert_app_json(it)
    by_key = {it["api_key"]: it for it in items}
    assert set(by_key) == {m["api_key"] for m in made}
    for m in made:
        assert by_key[m["api_key"]] == m


def test_api_keys_are_unique_random_and_url_safe(server, owner):
    keys = [new_app(server, owner)["api_key"] for _ in range(12)]
    assert len(set(keys)) == len(keys)
    for k in keys:
        assert KEY_CHARS.match(k), k
    for part in random_parts(keys):
        # 128 bits need at least 22 characters of a 64-letter alphabet
        assert len(part) >= 22, (part, keys)
    # the random parts use the whole alphabet, not just hex digits
    pool = "".join(random_parts(keys))
    assert re.search(r"[g-zG-Z]", pool), keys


def test_created_at_does_not_change(server, owner, app):
    time.sleep(1.1)
    r = patch_app(server, owner, app["api_key"], {"description": "later"})
    assert r.status_code == 200, r.text
    assert r.json()["created_at"] == app["created_at"]


# --- the secret ---------------------------------------------------------------

def test_secret_is_shown_once_and_then_only_has_secret(server, owner, app):
    key = app["api_key"]
    r = new_app_secret(server, owner, key)
    assert r.status_code == 201, r.text
    assert r.headers.get("Cache-Control") == "no-store"
    j = r.json()
    assert set(j) == {"secret"}, j
    secret = j["secret"]
    assert isinstance(secret, str) and KEY_CHARS.match(secret), secret
    assert secret != key and key not in secret
    r = get_app(server, owner, key)
    assert r.json()["has_secret"] is True
    assert "secret" not in r.json()
    assert secret not in r.text
    r = list_apps(server, owner)
    assert secret not in r.text
    # the rest of the app did not change
    after = r.json()
    mine = [a for a in after if a["api_key"] == key][0]
    assert [set(s) for s in mine["secrets"]] == [
        {"id", "created_at", "last_used_at", "expires_at"}], mine
    assert dict(mine, has_secret=False, secrets=[]) == app


def test_secrets_are_random_and_long(server, owner, app):
    secrets_ = []
    for _ in range(10):
        r = new_app_secret(server, owner, app["api_key"])
        assert r.status_code == 201, r.text
        secrets_.append(r.json()["secret"])
    assert len(set(secrets_)) == len(secrets_)
    for part in random_parts(secrets_):
        # 256 bits need at least 43 characters of a 64-letter alphabet
        assert len(part) >= 43, (part, secrets_)
    assert app_json(server, owner, app["api_key"])["has_secret"] is True


def test_each_app_gets_its_own_secret(server, owner):
    a = new_app(server, owner)
    b = new_app(server, owner)
    sa = new_app_secret(server, owner, a["api_key"]).json()["secret"]
    assert app_json(server, owner, b["api_key"])["has_secret"] is False
    sb = new_app_secret(server, owner, b["api_key"]).json()["secret"]
    assert sa != sb


def test_has_secret_cannot_be_set_by_the_client(server, owner, app):
    r = patch_app(server, owner, app["api_key"], {"has_secret": True})
    assert r.status_code in (200, 422), (r.status_code, r.text)
    assert app_json(server, owner, app["api_key"])["has_secret"] is False
    r = create_app(server, owner, {"name": "Sneaky", "has_secret": True})
    assert r.status_code in (201, 422), (r.status_code, r.text)
    if r.status_code == 201:
        assert r.json()["has_secret"] is False


# --- delete -----------------------------------------------------------------

def test_delete_answers_204_and_the_app_is_gone(server, owner, app):
    key = app["api_key"]
    keep = new_app(server, owner)
    r = delete_app(server, owner, key)
    assert r.status_code == 204, r.text
    assert r.content == b""
    assert get_app(server, owner, key).status_code == 404
    keys = app_keys(server, owner)
    assert key not in keys and keep["api_key"] in keys
    assert delete_app(server, owner, key).status_code == 404
    assert patch_app(server, owner, key,
                     {"description": "x"}).status_code == 404
    assert new_app_secret(server, owner, key).status_code == 404
    assert app_json(server, owner, keep["api_key"]) == keep


# --- the name is fixed ------------------------------------------------------

def test_patch_with_the_same_name_is_accepted(server, owner, app):
    r = patch_app(server, owner, app["api_key"],
                  {"name": app["name"], "description": "Changed with name."})
    assert r.status_code == 200, r.text
    assert r.json()["name"] == app["name"]
    assert r.json()["description"] == "Changed with name."
    assert app_json(server, owner, app["api_key"]) == r.json()


@pytest.mark.parametrize("other", ["Another Name", "", "N" * 101])
def test_patch_with_another_name_is_refused_and_stores_nothing(
        server, owner, app, other):
    r = patch_app(server, owner, app["api_key"],
                  {"name": other, "description": "Must not be stored."})
    assert_invalid(r, "name")
    assert app_json(server, owner, app["api_key"]) == app


def test_patch_with_the_name_in_another_case_is_refused(server, owner):
    a = new_app(server, owner, name="Case Matters")
    r = patch_app(server, owner, a["api_key"], {"name": "case matters"})
    assert_invalid(r, "name")
    assert app_json(server, owner, a["api_key"])["name"] == "Case Matters"


def test_api_key_cannot_be_changed(server, owner, app):
    key = app["api_key"]
    wanted = "kg_ak_" + secrets.token_urlsafe(32)
    r = patch_app(server, owner, key, {"api_key": wanted})
    assert r.status_code in (200, 422), (r.status_code, r.text)
    assert app_json(server, owner, key) == app
    assert get_app(server, owner, wanted).status_code == 404


def test_api_key_cannot_be_chosen_at_creation(server, owner):
    wanted = "kg_ak_" + secrets.token_urlsafe(32)
    r = create_app(server, owner, {"name": "Chooser", "api_key": wanted})
    assert r.status_code in (201, 422), (r.status_code, r.text)
    if r.status_code == 201:
        assert r.json()["api_key"] != wanted
    assert get_app(server, owner, wanted).status_code == 404


# --- all or nothing ---------------------------------------------------------

def test_one_bad_field_stores_nothing(server, owner, app):
    r = patch_app(server, owner, app["api_key"],
                  {"description": "A perfectly good description.",
                   "logo_url": "http://insecure.example.com/logo.png"})
    assert_invalid(r, "logo_url")
    assert app_json(server, owner, app["api_key"]) == app


def test_every_bad_field_is_reported_at_once(server, owner, app):
    r = patch_app(server, owner, app["api_key"], {
        "redirect_uris": ["https://ok.example.com/cb", "http://bad.example/cb"],
        "public_name": "KeyGate Official",
        "logo_url": "javascript:alert(1)",
        "description": "d" * 1001,
        "implicit_flow": True})
    assert_invalid(r, "redirect_uris", "public_name", "logo_url",
                   "description")
    assert app_json(server, owner, app["api_key"]) == app


def test_bad_create_stores_nothing(server):
    token = new_pat(server, *new_account(server, "badcreate"))["token"]
    r = create_app(server, token, {"name": "Good Name",
                                   "redirect_uris": ["http://example.com/cb"],
                                   "public_name": "Fine"})
    assert_invalid(r, "redirect_uris")
    r = create_app(server, token, {"redirect_uris": ["https://a.example/cb"]})
    assert_invalid(r, "name")
    r = create_app(server, token, {})
    assert_invalid(r, "name")
    assert app_keys(server, token) == []


# --- another account's apps -------------------------------------------------

def test_another_account_cannot_touch_the_app(server, owner, intruder, app):
    key = app["api_key"]
    r = get_app(server, intruder, key)
    assert r.status_code == 404
    assert app["name"] not in r.text
    assert key not in app_keys(server, intruder)
    assert patch_app(server, intruder, key,
                     {"description": "pwned"}).status_code == 404
    # an invalid change must not tell it apart from a missing app either
    assert patch_app(server, intruder, key,
                     {"logo_url": "http://x.example/"}).status_code == 404
    assert patch_app(server, intruder, key,
                     {"name": "Renamed"}).status_code == 404
    r = new_app_secret(server, intruder, key)
    assert r.status_code == 404
    assert "secret" not in r.json()
    assert delete_app(server, intruder, key).status_code == 404
    assert app_json(server, owner, key) == app
    assert key in app_keys(server, owner)


def test_own_apps_do_not_leak_into_another_list(server, owner, intruder, app):
    mine = new_app(server, intruder, name="Intruder's own")
    r = list_apps(server, intruder)
    assert app["api_key"] not in r.text
    assert mine["api_key"] in r.text
    assert mine["api_key"] not in app_keys(server, owner)


@pytest.mark.parametrize("key,also", [
    ("kg_ak_" + "A" * 43, ()),
    ("unknown", ()),
    ("A" * 300, ()),
    ("has%20space", ()),
    ("..", ()),
    ("kg_ak_%00", (400,)),
    ("kg_ak_%27%20OR%201%3D1--", ()),
], ids=["well-formed", "short", "long", "space", "dotdot", "nul", "sql"])
def test_unknown_key_is_404(server, owner, key, also):
    for r in (requests.get(apps_url(server, key), headers=bearer(owner),
                           timeout=10),
              requests.patch(apps_url(server, key), headers=bearer(owner),
                             json={"description": "x"}, timeout=10),
              requests.delete(apps_url(server, key), headers=bearer(owner),
                              timeout=10),
              requests.post(apps_url(server, key, "secret"),
                            headers=bearer(owner), timeout=10)):
        assert r.status_code in (404,) + also, (
            r.request.method, r.status_code, r.text)


# --- authentication ---------------------------------------------------------

def _every_call(server, key):
    """(method, url, json body) of each /api/v1/apps call."""
    return [("GET", apps_url(server), None),
            ("POST", apps_url(server), {"name": "No Token App"}),
            ("GET", apps_url(server, key), None),
            ("PATCH", apps_url(server, key), {"description": "no token"}),
            ("DELETE", apps_url(server, key), None),
            ("POST", apps_url(server, key, "secret"), None)]


def test_without_a_token_every_call_is_401(server, owner, app):
    for method, url, body in _every_call(server, app["api_key"]):
        r = requests.request(method, url, json=body, timeout=10)
        assert r.status_code == 401, (method, url, r.status_code)
        assert "bearer" in r.headers.get("WWW-Authenticate", "").lower()
    assert app_json(server, owner, app["api_key"]) == app


def test_with_a_bad_token_every_call_is_401(server, owner, app):
    forged = "kg_pat_" + secrets.token_urlsafe(32)
    before = app_keys(server, owner)
    for method, url, body in _every_call(server, app["api_key"]):
        r = requests.request(method, url, json=body, headers=bearer(forged),
                             timeout=10)
        assert r.status_code == 401, (method, url, r.status_code)
        assert "WWW-Authenticate" in r.headers
    assert app_json(server, owner, app["api_key"]) == app
    assert app_keys(server, owner) == before


def test_revoked_token_is_401(server):
    email, password = new_account(server, "revoked")
    pat = new_pat(server, email, password)
    keep = new_pat(server, email, password)["token"]
    a = new_app(server, pat["token"])
    r = requests.delete(server.url(f"/api/v1/access-tokens/{pat['id']}"),
                        headers=bearer(keep), timeout=10)
    assert r.status_code == 204
    assert get_app(server, pat["token"], a["api_key"]).status_code == 401
    # the app belongs to the account, not to the token
    assert app_json(server, keep, a["api_key"]) == a


# --- bad input --------------------------------------------------------------

WRONG_TYPES = [
    ({"name": 5}, "name"),
    ({"name": None}, "name"),
    ({"redirect_uris": "x"}, "redirect_uris"),
    ({"redirect_uris": "https://app.example.com/cb"}, "redirect_uris"),
    ({"redirect_uris": [5]}, "redirect_uris"),
    ({"redirect_uris": [["https://app.example.com/cb"]]}, "redirect_uris"),
    ({"redirect_uris": None}, "redirect_uris"),
    ({"implicit_flow": "yes"}, "implicit_flow"),
    ({"implicit_flow": 1}, "implicit_flow"),
    ({"implicit_flow": None}, "implicit_flow"),
    ({"device_flow": "on"}, "device_flow"),
    ({"device_flow": 0}, "device_flow"),
    ({"device_flow": None}, "device_flow"),
    ({"dpop_bound_access_tokens": "on"}, "dpop_bound_access_tokens"),
    ({"dpop_bound_access_tokens": 1}, "dpop_bound_access_tokens"),
    ({"require_pushed_authorization_requests": None},
     "require_pushed_authorization_requests"),
    ({"require_pushed_authorization_requests": "true"},
     "require_pushed_authorization_requests"),
    ({"public_name": ["Photo"]}, "public_name"),
    ({"public_name": None}, "public_name"),
    ({"logo_url": 7}, "logo_url"),
    ({"description": {"text": "x"}}, "description"),
    ({"colour": "blue"}, "colour"),
]


@pytest.mark.parametrize("body,field", WRONG_TYPES,
                         ids=[f"{f}-{json.dumps(b[f])}"[:40]
                              for b, f in WRONG_TYPES])
def test_wrong_types_and_unknown_members_are_422(server, owner, app, body,
                                                 field):
    r = patch_app(server, owner, app["api_key"],
                  dict(body, description="must not be stored")
                  if field != "description" else body)
    assert_invalid(r, field)
    assert app_json(server, owner, app["api_key"]) == app


@pytest.mark.parametrize("body,field", WRONG_TYPES,
                         ids=[f"{f}-{json.dumps(b[f])}"[:40]
                              for b, f in WRONG_TYPES])
def test_wrong_types_on_create_store_nothing(server, body, field):
    token = new_pat(server, *new_account(server, "types"))["token"]
    full = dict({"name": "Typed"}, **body)
    r = create_app(server, token, full)
    assert r.status_code == 422, (r.status_code, r.text)
    assert field in r.json()["fields"], r.text
    assert app_keys(server, token) == []


def test_long_unknown_member_is_refused(server, owner, app):
    r = patch_app(server, owner, app["api_key"],
                  {"x" * 100: 1, "description": "must not be stored"})
    assert r.status_code == 422, (r.status_code, r.text)
    assert app_json(server, owner, app["api_key"]) == app


BAD_BODIES = [
    (b'{"description": "x"', "truncated"),
    (b"not json", "not-json"),
    (b"", "empty"),
    (b'["description"]', "array"),
    (b'"description"', "string"),
    (b"null", "null"),
    (b'{"description": "caf\xe9"}', "latin-1"),
    (b'{"description": "\xff\xfe"}', "invalid-utf8"),
    (b'{"description": "\xed\xa0\x80"}', "utf8-surrogate"),
    (b'{"description": "\\ud800"}', "escaped-lone-surrogate"),
    (b'{"description": "a", "description": "b"}', "repeated-key"),
    (b'{"description": "x"} trailing', "trailing-garbage"),
    (b'{"colour": ' + b"[" * 5000 + b"]" * 5000 + b"}", "deep-nesting"),
]


@pytest.mark.parametrize("body", [b for b, _ in BAD_BODIES],
                         ids=[i for _, i in BAD_BODIES])
def test_unusable_bodies_are_refused(server, owner, app, body):
    r = patch_app(server, owner, app["api_key"], body)
    assert r.status_code == 400, (r.status_code, r.text)
    assert app_json(server, owner, app["api_key"]) == app
    before = app_keys(server, owner)
    r = create_app(server, owner, body.replace(b'"description"', b'"name"'))
    assert r.status_code == 400, (r.status_code, r.text)
    assert app_keys(server, owner) == before


def test_wrong_content_type_is_refused(server, owner, app):
    r = requests.patch(apps_url(server, app["api_key"]),
                       data={"description": "form-encoded"},
                       headers=bearer(owner), timeout=10)
    assert r.status_code == 415, (r.status_code, r.text)
    assert app_json(server, owner, app["api_key"]) == app


def test_control_characters_are_refused(server, owner, app):
    for body, field in (({"public_name": "Tab\tName"}, "public_name"),
                        ({"public_name": "Line\nBreak"}, "public_name"),
                        ({"name": app["name"] + "\u007f"}, "name"),
                        ({"description": "bell\u0007"}, "description"),
                        ({"redirect_uris": ["https://a.example/\u0001"]},
                         "redirect_uris")):
        r = patch_app(server, owner, app["api_key"], body)
        assert_invalid(r, field)
    # NUL may be refused by the JSON reader already
    for body in ({"description": "nul\u0000byte"},
                 {"public_name": "nul\u0000"},
                 {"redirect_uris": ["https://a.example/\u0000"]}):
        r = patch_app(server, owner, app["api_key"], body)
        assert r.status_code == 400, (r.status_code, r.text)
    before = app_keys(server, owner)
    r = create_app(server, owner, {"name": "bell\u0007"})
    assert_invalid(r, "name")
    assert app_keys(server, owner) == before
    assert app_json(server, owner, app["api_key"]) == app


@pytest.mark.parametrize("size", [100 * 1024, 60 * 1024],
                         ids=["100KB", "60KB"])
def test_huge_description_is_refused_without_error(server, owner, app, size):
    r = patch_app(server, owner, app["api_key"], {"description": "d" * size})
    assert r.status_code in (413, 422), (r.status_code, r.text[:200])
    if r.status_code == 422:
        assert set(r.json()["fields"]) == {"description"}
    assert server.alive()
    assert app_json(server, owner, app["api_key"]) == app


def test_huge_fields_on_create_are_refused(server):
    token = new_pat(server, *new_account(server, "huge"))["token"]
    for body in ({"name": "n" * 60000},
                 {"name": "ok", "public_name": "p" * 60000},
                 {"name": "ok", "logo_url": "https://a.example/" + "l" * 60000},
                 {"name": "ok", "redirect_uris":
                  [f"https://a.example/{i}" for i in range(3000)]},
                 {"name": "ok", "redirect_uris":
                  ["https://a.example/" + "u" * 60000]},
                 {"name": "x" * (100 * 1024)}):
        r = create_app(server, token, body)
        assert r.status_code in (413, 422), (r.status_code, r.text[:200])
    assert server.alive()
    assert app_keys(server, token) == []


# --- docs/REFERENCE.md §2, rule by rule --------------------------------------

@pytest.mark.parametrize("c", appcases.params(appcases.SETTINGS, "api"))
def test_rule_on_change(server, owner, app, c):
    r = patch_app(server, owner, app["api_key"], {c.field: c.value})
    if c.ok:
        assert r.status_code == 200, (r.status_code, r.text)
        assert r.json()[c.field] == appcases.stored(c)
        expected = dict(app, **{c.field: appcases.stored(c)})
        assert app_json(server, owner, app["api_key"]) == expected
    else:
        assert_invalid(r, c.field)
        assert app_json(server, owner, app["api_key"]) == app


@pytest.mark.parametrize("c", appcases.params(appcases.SETTINGS
                                              + appcases.NAME, "api"))
def test_rule_on_create(server, owner, c):
    body = {"name": "Rule Check"}
    body[c.field] = c.value
    before = app_keys(server, owner)
    r = create_app(server, owner, body)
    if c.ok:
        assert r.status_code == 201, (r.status_code, r.text)
        assert r.json()[c.field] == appcases.stored(c)
        assert app_json(server, owner, r.json()["api_key"]) == r.json()
    else:
        assert_invalid(r, c.field)
        assert app_keys(server, owner) == before


def test_null_logo_clears_the_logo(server, owner, app):
    assert app["logo_url"] is not None
    r = patch_app(server, owner, app["api_key"], {"logo_url": None})
    assert r.status_code == 200, r.text
    assert app_json(server, owner, app["api_key"])["logo_url"] is None


def test_implicit_flow_turns_off_again(server, owner):
    a = new_app(server, owner, implicit_flow=True)
    assert a["implicit_flow"] is True
    r = patch_app(server, owner, a["api_key"], {"implicit_flow": False})
    assert r.status_code == 200, r.text
    assert app_json(server, owner, a["api_key"])["implicit_flow"] is False


def test_device_flow_turns_on_and_off(server, owner):
    a = new_app(server, owner, device_flow=True)
    assert a["device_flow"] is True
    r = patch_app(server, owner, a["api_key"], {"device_flow": False})
    assert r.status_code == 200, r.text
    assert r.json()["device_flow"] is False
    assert app_json(server, owner, a["api_key"])["device_flow"] is False
    r = patch_app(server, owner, a["api_key"], {"device_flow": True})
    assert r.status_code == 200, r.text
    assert app_json(server, owner, a["api_key"])["device_flow"] is True


@pytest.mark.parametrize("member", ["dpop_bound_access_tokens",
                                    "require_pushed_authorization_requests"])
def test_issue_23_switches_turn_on_and_off(server, owner, member):
    """Each switch alone: set at creation, cleared and set by PATCH, the
    other left as it was."""
    other = ({"dpop_bound_access_tokens",
              "require_pushed_authorization_requests"} - {member}).pop()
    a = new_app(server, owner, **{member: True})
    assert a[member] is True and a[other] is False
    r = patch_app(server, owner, a["api_key"], {member: False})
    assert r.status_code == 200, r.text
    assert r.json()[member] is False
    assert app_json(server, owner, a["api_key"])[member] is False
    r = patch_app(server, owner, a["api_key"], {member: True})
    assert r.status_code == 200, r.text
    j = app_json(server, owner, a["api_key"])
    assert j[member] is True and j[other] is False


def test_members_not_sent_are_unchanged(server, owner, app):
    r = patch_app(server, owner, app["api_key"], {})
    assert r.status_code == 200, r.text
    assert r.json() == app
    r = patch_app(server, owner, app["api_key"],
                  {"public_name": "Only This"})
    assert r.status_code == 200, r.text
    assert app_json(server, owner, app["api_key"]) == \
        dict(app, public_name="Only This")


@pytest.mark.parametrize("c", appcases.params(appcases.ACME_PUBLIC_NAME,
                                              "api"))
def test_brand_comes_from_the_brand_flag(make_server, c):
    srv = make_server("--brand", appcases.ACME_BRAND)
    token = new_pat(srv, *new_account(srv, "acme"))["token"]
    a = new_app(srv, token, name="Brand Check", public_name="Neutral")
    r = patch_app(srv, token, a["api_key"], {"public_name": c.value})
    if c.ok:
        assert r.status_code == 200, r.text
        assert app_json(srv, token, a["api_key"])["public_name"] == c.value
    else:
        assert_invalid(r, "public_name")
        assert app_json(srv, token, a["api_key"]) == a
    r = create_app(srv, token, {"name": "Created", "public_name": c.value})
    assert r.status_code == (201 if c.ok else 422), r.text


def test_brand_flag_name_is_not_copied_to_public_name(make_server):
    srv = make_server("--brand", appcases.ACME_BRAND)
    token = new_pat(srv, *new_account(srv, "acme"))["token"]
    j = new_app(srv, token, name="Acme-Cloud Sync")
    assert "acmecloud" not in re.sub(r"\W", "", j["public_name"].lower())
    j = new_app(srv, token, name="Keygate Sync")
    assert j["public_name"] == "Keygate Sync"
