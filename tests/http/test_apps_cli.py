"""Applications through the operator command line (docs/REFERENCE.md §2), on
the SQLite file of a running server, checked through the API and the other way
round.

The contract of `keygate app`:
    app list   [--email E] [--json] --db PATH
    app create --email OWNER --name NAME [--redirect-uri URI]...
               [--public-name S] [--logo-url U] [--description D]
               [--implicit-flow on|off] [--json] --db PATH
    app show   KEY [--json] --db PATH
    app set    KEY [--name N] [--redirect-uri URI]... [--public-name S]
               [--logo-url U] [--description D] [--implicit-flow on|off]
               [--json] --db PATH
    app secret KEY --db PATH          (prints only the secret)
    app delete KEY --db PATH
--json prints the API's app JSON (a list for `list`). Exit 0 on success;
invalid values exit 1 with "field: reason" lines on stderr and store
nothing; an unknown app exits 1; bad usage exits 2.

The docs/REFERENCE.md §2 table (appcases.py) runs through `create` and `set`.
Where the contract is silent this module reads `--logo-url ""` as "no logo"
(the portal's empty field) and `--redirect-uri ""` as an empty URI."""

import json
import re

import pytest

import appcases
from appcases import BASELINE
from kgtest import (APP_MEMBERS, RFC3339_UTC, app_json, app_keys, delete_app,
                    get_app, new_account, new_app, new_app_secret, new_pat,
                    patch_app, random_parts, run_cli)

KEY_CHARS = re.compile(r"^[A-Za-z0-9_-]+$")


class Owner:
    def __init__(self, server, prefix):
        self.email, self.password = new_account(server, prefix)
        self.token = new_pat(server, self.email, self.password)["token"]


@pytest.fixture(scope="module")
def owner(server):
    return Owner(server, "cliapps")


@pytest.fixture(scope="module")
def other(server):
    return Owner(server, "cliother")


@pytest.fixture
def app(server, owner):
    """A fresh app (made through the API) with every setting at the
    BASELINE."""
    made = new_app(server, owner.token, **BASELINE)
    yield made
    # An account owns at most 100 apps (--max-apps): the module's owner
    # gives each one back (a test may have deleted it already).
    delete_app(server, owner.token, made["api_key"])


def app_cli(server, *args, **kw):
    """`keygate app ARGS... --db <the server's file>`."""
    return run_cli("app", *args, "--db", server.db, **kw)


def ok(p):
    """Asserts a zero exit; returns stdout."""
    assert p.returncode == 0, (p.returncode, p.stdout, p.stderr)
    return p.stdout


def ok_json(p):
    out = ok(p)
    try:
        return json.loads(out)
    except ValueError:
        pytest.fail(f"--json printed no JSON: {out!r}")


def field_line(stderr, field):
    """True when stderr has a "field: reason" line for `field` (its JSON
    name, or the matching flag)."""
    flag = field.replace("_", "-")
    names = {field, flag, "--" + flag}
    if field.endswith("redirect_uris"):
        names |= {flag[:-1], "--" + flag[:-1]}
    alt = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return re.search(r"^(?:keygate: )?(?:%s)\s*:\s*\S" % alt, stderr,
                     re.M) is not None


def assert_refused(p, *fields):
    assert p.returncode == 1, (p.returncode, p.stdout, p.stderr)
    for f in fields:
        assert field_line(p.stderr, f), (f, p.stderr)


def flags(field, value):
    """The command-line flags that set one setting."""
    if field in ("redirect_uris", "post_logout_redirect_uris"):
        out = []
        for u in value or [""]:
            out += ["--" + field[:-1].replace("_", "-"), u]
        return out
    if field == "implicit_flow":
        return ["--implicit-flow", "on" if value else "off"]
    if field == "logo_url" and value is None:
        return ["--logo-url", ""]
    return ["--" + field.replace("_", "-"), value]


def all_flags(settings):
    out = []
    for k, v in settings.items():
        out += flags(k, v)
    return out


def create(server, owner, name, *extra):
    return app_cli(server, "create", "--email", owner.email, "--name", name,
                   *extra)


# --- the CLI and the API share the store ------------------------------------

def test_app_created_by_the_cli_is_the_owners_through_the_api(
        server, owner, other):
    settings = {"redirect_uris": ["https://cli.example.com/cb",
                                  "http://127.0.0.1/cb"],
                "public_name": "CLI Made",
                "logo_url": "https://cli.example.com/logo.png",
                "description": "Made on the command line.",
                "implicit_flow": True}
    j = ok_json(create(server, owner, "CLI App", *all_flags(settings),
                       "--json"))
    assert isinstance(j, dict) and set(j) == APP_MEMBERS, j
    assert KEY_CHARS.match(j["api_key"])
    assert RFC3339_UTC.match(j["created_at"])
    assert j["name"] == "CLI App" and j["has_secret"] is False
    for k, v in settings.items():
        assert j[k] == v, k
    assert app_json(server, owner.token, j["api_key"]) == j
    assert get_app(server, other.token, j["api_key"]).status_code == 404
    assert j["api_key"] not in app_keys(server, other.token)


def test_create_defaults_match_the_api(server, owner):
    j = ok_json(create(server, owner, "Photo Printer", "--json"))
    assert j["public_name"] == "Photo Printer"
    assert j["logo_url"] is None and j["description"] == ""
    assert j["implicit_flow"] is False and j["has_secret"] is False
    assert app_json(server, owner.token, j["api_key"]) == j


def test_create_without_json_prints_the_api_key(server, owner):
    before = set(app_keys(server, owner.token))
    out = ok(create(server, owner, "Plain Output"))
    new = set(app_keys(server, owner.token)) - before
    assert len(new) == 1
    assert new.pop() in out


def test_create_finds_the_owner_by_email_in_any_case(server, owner):
    p = app_cli(server, "create", "--email", owner.email.upper(), "--name",
                "Upper Email", "--json")
    key = ok_json(p)["api_key"]
    assert app_json(server, owner.token, key)["name"] == "Upper Email"


def test_create_for_an_unknown_email_stores_nothing(server, owner):
    p = app_cli(server, "create", "--email", "nobody-at-all@example.com",
                "--name", "Orphan")
    assert p.returncode == 1, (p.returncode, p.stdout, p.stderr)
    assert p.stderr.strip()
    p = ok_json(app_cli(server, "list", "--json"))
    assert "Orphan" not in [a["name"] for a in p]


def test_api_keys_from_the_cli_are_unique_and_random(server, owner):
    keys = [ok_json(create(server, owner, f"K{i}", "--json"))["api_key"]
            for i in range(10)]
    assert len(set(keys)) == len(keys)
    for k in keys:
        assert KEY_CHARS.match(k), k
    for part in random_parts(keys):
        assert len(part) >= 22, (part, keys)


def test_show_json_is_the_api_json(server, owner, app):
    j = ok_json(app_cli(server, "show", app["api_key"], "--json"))
    assert j == app
    out = ok(app_cli(server, "show", app["api_key"]))
    assert app["api_key"] in out and app["name"] in out


def test_list_json_is_the_api_json(server, owner, other, app):
    theirs = new_app(server, other.token, name="Other's App")
    everything = ok_json(app_cli(server, "list", "--json"))
    assert isinstance(everything, list)
    by_key = {a["api_key"]: a for a in everything}
    assert by_key.get(app["api_key"]) == app
    assert by_key.get(theirs["api_key"]) == theirs
    for a in everything:
        assert set(a) == APP_MEMBERS, a
    mine = ok_json(app_cli(server, "list", "--email", owner.email, "--json"))
    mine_keys = {a["api_key"] for a in mine}
    assert mine_keys == set(app_keys(server, owner.token))
    assert theirs["api_key"] not in mine_keys
    out = ok(app_cli(server, "list", "--email", other.email))
    assert theirs["api_key"] in out and app["api_key"] not in out


def test_set_is_visible_through_the_api(server, owner, app):
    j = ok_json(app_cli(server, "set", app["api_key"],
                        "--description", "Set by the operator.",
                        "--implicit-flow", "on", "--json"))
    expected = dict(app, description="Set by the operator.",
                    implicit_flow=True)
    assert j == expected
    assert app_json(server, owner.token, app["api_key"]) == expected
    ok(app_cli(server, "set", app["api_key"], "--implicit-flow", "off"))
    assert app_json(server, owner.token,
                    app["api_key"])["implicit_flow"] is False


def test_set_device_flow(server, owner, app):
    j = ok_json(app_cli(server, "set", app["api_key"], "--device-flow", "on",
                        "--json"))
    assert j == dict(app, device_flow=True)
    assert app_json(server, owner.token, app["api_key"])["device_flow"] is True
    assert "device flow    on" in ok(app_cli(server, "show", app["api_key"]))
    ok(app_cli(server, "set", app["api_key"], "--device-flow", "off"))
    assert app_json(server, owner.token,
                    app["api_key"])["device_flow"] is False
    r = app_cli(server, "set", app["api_key"], "--device-flow", "yes")
    assert r.returncode != 0, r
    assert app_json(server, owner.token,
                    app["api_key"])["device_flow"] is False


@pytest.mark.parametrize("flag,member,shown", [
    ("--dpop-bound", "dpop_bound_access_tokens", "dpop bound     "),
    ("--require-par", "require_pushed_authorization_requests",
     "require par    ")])
def test_set_issue_23_switches(server, owner, app, flag, member, shown):
    j = ok_json(app_cli(server, "set", app["api_key"], flag, "on", "--json"))
    assert j == dict(app, **{member: True})
    assert app_json(server, owner.token, app["api_key"])[member] is True
    assert shown + "on" in ok(app_cli(server, "show", app["api_key"]))
    ok(app_cli(server, "set", app["api_key"], flag, "off"))
    assert app_json(server, owner.token, app["api_key"])[member] is False
    r = app_cli(server, "set", app["api_key"], flag, "yes")
    assert r.returncode != 0, r
    assert app_json(server, owner.token, app["api_key"])[member] is False


def test_set_changes_only_what_is_given(server, owner, app):
    ok(app_cli(server, "set", app["api_key"], "--public-name", "Only This"))
    assert app_json(server, owner.token, app["api_key"]) == \
        dict(app, public_name="Only This")


def test_api_change_is_visible_to_the_cli(server, owner, app):
    r = patch_app(server, owner.token, app["api_key"],
                  {"description": "Changed through the API."})
    assert r.status_code == 200, r.text
    j = ok_json(app_cli(server, "show", app["api_key"], "--json"))
    assert j["description"] == "Changed through the API."


# --- the name is fixed ------------------------------------------------------

def test_set_with_the_same_name_is_accepted(server, owner, app):
    ok(app_cli(server, "set", app["api_key"], "--name", app["name"],
               "--description", "Same name, new text."))
    assert app_json(server, owner.token, app["api_key"])["description"] == \
        "Same name, new text."


def test_set_with_another_name_is_refused_and_stores_nothing(server, owner,
                                                             app):
    p = app_cli(server, "set", app["api_key"], "--name", "Another Name",
                "--description", "Must not be stored.")
    assert_refused(p, "name")
    assert app_json(server, owner.token, app["api_key"]) == app


# --- all or nothing ---------------------------------------------------------

def test_one_bad_value_stores_nothing(server, owner, app):
    p = app_cli(server, "set", app["api_key"],
                "--description", "A perfectly good description.",
                "--logo-url", "http://insecure.example.com/logo.png")
    assert_refused(p, "logo_url")
    assert not field_line(p.stderr, "description"), p.stderr
    assert app_json(server, owner.token, app["api_key"]) == app


def test_every_bad_value_is_reported_at_once(server, owner, app):
    p = app_cli(server, "set", app["api_key"],
                "--redirect-uri", "https://ok.example.com/cb",
                "--redirect-uri", "http://bad.example/cb",
                "--public-name", "KeyGate Official",
                "--logo-url", "javascript:alert(1)",
                "--description", "d" * 1001,
                "--implicit-flow", "on")
    assert_refused(p, "redirect_uris", "public_name", "logo_url",
                   "description")
    assert app_json(server, owner.token, app["api_key"]) == app


def test_bad_create_stores_nothing(server):
    owner = Owner(server, "clibad")
    p = create(server, owner, "Good Name",
               "--redirect-uri", "http://example.com/cb",
               "--public-name", "Keygate")
    assert_refused(p, "redirect_uris", "public_name")
    assert app_keys(server, owner.token) == []


# --- secrets ----------------------------------------------------------------

def test_secret_from_the_cli(server, owner, app):
    key = app["api_key"]
    p = app_cli(server, "secret", key)
    out = ok(p)
    secret = out.strip()
    assert out.count("\n") <= 1 and "\n" not in secret, out
    assert KEY_CHARS.match(secret), out
    assert secret != key
    r = get_app(server, owner.token, key)
    assert r.json()["has_secret"] is True
    assert secret not in r.text
    for args in (("show", key, "--json"), ("show", key), ("list", "--json"),
                 ("list",)):
        p = app_cli(server, *args)
        assert secret not in p.stdout + p.stderr, args
    assert dict(app_json(server, owner.token, key), has_secret=False,
                secrets=[]) == app


def test_secrets_from_the_cli_are_random_and_replace_each_other(server, app):
    found = [ok(app_cli(server, "secret", app["api_key"])).strip()
             for _ in range(10)]
    assert len(set(found)) == len(found)
    for part in random_parts(found):
        assert len(part) >= 43, (part, found)


def test_secret_from_the_api_shows_in_the_cli(server, owner, app):
    r = new_app_secret(server, owner.token, app["api_key"])
    assert r.status_code == 201
    secret = r.json()["secret"]
    p = app_cli(server, "show", app["api_key"], "--json")
    j = ok_json(p)
    assert j["has_secret"] is True
    assert secret not in p.stdout + p.stderr


# --- delete -----------------------------------------------------------------

def test_delete_from_the_cli(server, owner, app):
    key = app["api_key"]
    keep = new_app(server, owner.token)
    ok(app_cli(server, "delete", key))
    assert get_app(server, owner.token, key).status_code == 404
    assert app_json(server, owner.token, keep["api_key"]) == keep
    assert app_cli(server, "show", key).returncode == 1
    assert app_cli(server, "delete", key).returncode == 1


def test_app_deleted_through_the_api_is_gone_for_the_cli(server, owner, app):
    assert delete_app(server, owner.token, app["api_key"]).status_code == 204
    p = app_cli(server, "show", app["api_key"], "--json")
    assert p.returncode == 1, (p.returncode, p.stdout, p.stderr)
    everything = ok_json(app_cli(server, "list", "--json"))
    assert app["api_key"] not in [a["api_key"] for a in everything]


# --- unknown apps, bad usage ------------------------------------------------

UNKNOWN = "kg_ak_" + "Z" * 43


@pytest.mark.parametrize("args", [
    ("show", UNKNOWN), ("show", UNKNOWN, "--json"),
    ("set", UNKNOWN, "--description", "x"), ("secret", UNKNOWN),
    ("delete", UNKNOWN), ("show", "not a key"),
], ids=["show", "show-json", "set", "secret", "delete", "malformed"])
def test_unknown_app_exits_1(server, args):
    p = app_cli(server, *args)
    assert p.returncode == 1, (p.returncode, p.stdout, p.stderr)
    assert p.stderr.strip()
    assert p.stdout.strip() == ""


@pytest.mark.parametrize("args", [
    (),
    ("no-such-subcommand",),
    ("create", "--name", "No Owner"),
    ("create", "--email", "x@example.com", "--name"),
    ("create", "--email", "x@example.com", "--name", "N", "--bogus", "1"),
    ("show",),
    ("secret",),
    ("delete",),
    ("set",),
    ("set", UNKNOWN, "--no-such-flag"),
    ("list", "--email"),
], ids=["nothing", "unknown-subcommand", "create-no-email",
        "create-name-without-value", "create-unknown-flag",
        "show-no-key", "secret-no-key", "delete-no-key", "set-no-key",
        "set-unknown-flag", "list-email-without-value"])
def test_bad_usage_exits_2(server, owner, args):
    before = ok_json(app_cli(server, "list", "--json"))
    p = app_cli(server, *args)
    assert p.returncode == 2, (p.returncode, p.stdout, p.stderr)
    assert p.stderr.strip()
    assert ok_json(app_cli(server, "list", "--json")) == before


def test_create_without_name_flag_is_bad_usage(server, owner):
    """--name is a required flag of `app create` (like --email)."""
    before = app_keys(server, owner.token)
    p = app_cli(server, "create", "--email", owner.email)
    assert p.returncode == 2, (p.returncode, p.stdout, p.stderr)
    assert app_keys(server, owner.token) == before


def test_bad_implicit_flow_value_stores_nothing(server, owner, app):
    p = app_cli(server, "set", app["api_key"], "--implicit-flow", "yes",
                "--description", "Must not be stored.")
    assert p.returncode in (1, 2), (p.returncode, p.stdout, p.stderr)
    assert app_json(server, owner.token, app["api_key"]) == app


# --- docs/REFERENCE.md §2, rule by rule --------------------------------------

# The API's suite runs every case of appcases; here the first accepted and
# the first refused value of each field (appcases.one_each()).
@pytest.mark.parametrize("c", appcases.params(
    appcases.one_each(appcases.SETTINGS), "cli"))
def test_rule_on_set(server, owner, app, c):
    p = app_cli(server, "set", app["api_key"], *flags(c.field, c.value))
    if c.ok:
        ok(p)
        expected = dict(app, **{c.field: appcases.stored(c)})
        assert app_json(server, owner.token, app["api_key"]) == expected
    else:
        assert_refused(p, c.field)
        assert app_json(server, owner.token, app["api_key"]) == app


@pytest.mark.parametrize("c", appcases.params(
    appcases.one_each(appcases.SETTINGS + appcases.NAME), "cli"))
def test_rule_on_create(server, owner, c):
    before = set(app_keys(server, owner.token))
    if c.field == "name":
        p = create(server, owner, c.value, "--json")
    else:
        p = create(server, owner, "Rule Check", *flags(c.field, c.value),
                   "--json")
    after = set(app_keys(server, owner.token))
    if c.ok:
        j = ok_json(p)
        assert j[c.field] == appcases.stored(c)
        assert after - before == {j["api_key"]}
        assert app_json(server, owner.token, j["api_key"]) == j
    else:
        assert_refused(p, c.field)
        assert after == before


@pytest.mark.parametrize("how", ["flag", "variable"])
@pytest.mark.parametrize("c", appcases.params(appcases.ACME_PUBLIC_NAME,
                                              "cli"))
def test_brand_of_the_server_applies_to_the_cli(make_server, c, how):
    """A server run with --brand "Acme Cloud": the operator's CLI, given the
    same setting (--brand, or its variable KEYGATE_BRAND), enforces the same
    brand rule on the same store."""
    srv = make_server("--brand", appcases.ACME_BRAND)
    owner = Owner(srv, "acmecli")
    if how == "flag":
        env, extra = {}, ["--brand", appcases.ACME_BRAND]
    else:
        env, extra = {"KEYGATE_BRAND": appcases.ACME_BRAND}, []
    a = new_app(srv, owner.token, name="Brand Check", public_name="Neutral")
    p = app_cli(srv, "set", a["api_key"], "--public-name", c.value, *extra,
                env=env)
    q = app_cli(srv, "create", "--email", owner.email, "--name", "Created",
                "--public-name", c.value, *extra, env=env)
    if c.ok:
        ok(p)
        ok(q)
        assert app_json(srv, owner.token, a["api_key"])["public_name"] == \
            c.value
    else:
        assert_refused(p, "public_name")
        assert_refused(q, "public_name")
        assert app_json(srv, owner.token, a["api_key"]) == a
        assert app_keys(srv, owner.token) == [a["api_key"]]
