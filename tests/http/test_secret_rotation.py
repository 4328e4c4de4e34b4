"""Secret rotation with an overlap (docs/REFERENCE.md §16).

POST /api/v1/apps/{key}/secret {"previous_valid_for": N} keeps the current
secret valid N seconds beside the new one (0, the default, ends it at
once); an app has at most two valid secrets, listed in its JSON with when
each was last used (exact to a minute); DELETE .../secrets/{id} revokes the
old one now. The portal's Generate Secret offers the same choice, and the
app page lists both secrets with "Revoke the old secret now". Client
authentication is judged at the token endpoint with a made-up refresh
token: invalid_grant means the client authenticated, invalid_client that
it did not. One server for the module, its test clock instead of sleeps;
runs on PostgreSQL too with KEYGATE_TEST_PG."""

import re
import time
from datetime import datetime, timezone

import pytest
import requests

import kgtest
from kgtest import app_json, apps_url, bearer, find_csrf
from maildirkit import Mailbox, body
from oauthkit import Dev, User, advance_to, basic_client, clock, make_app, post

HOUR = 3600
CHOICES = ("0", "3600", "86400", "604800")


@pytest.fixture(scope="module")
def box(tmp_path_factory):
    return Mailbox(tmp_path_factory.mktemp("mail"))


@pytest.fixture(scope="module")
def server(tmp_path_factory, box):
    srv = kgtest.start_server(tmp_path_factory.mktemp("keygate"),
                              *box.flags(), issuer=True)
    yield srv
    assert srv.stop() == 0, srv.log()[-4000:]


def authenticates(app, secret):
    """Whether (app.key, secret) passes client authentication."""
    r = post(app.server, "/oauth2/token",
             [("grant_type", "refresh_token"),
              ("refresh_token", "kg_rt_" + "x" * 43)],
             {"Authorization": basic_client(app.key, secret)})
    err = r.json().get("error")
    assert err in ("invalid_grant", "invalid_client"), (r.status_code, r.text)
    return err == "invalid_grant"


def rotate(app, body=None, status=201, token=None):
    """POST .../secret with `body` (a dict as JSON, a str as it is, None for
    no body); returns the new secret, or the error's JSON."""
    url = apps_url(app.server, app.key, "secret")
    h = bearer(token or app.dev.pat)
    if isinstance(body, str):
        h["Content-Type"] = "application/json"
        r = requests.post(url, headers=h, data=body, timeout=10)
    elif body is not None:
        r = requests.post(url, headers=h, json=body, timeout=10)
    else:
        r = requests.post(url, headers=h, timeout=10)
    assert r.status_code == status, (r.status_code, r.text)
    return r.json()["secret"] if status == 201 else r.json()


def revoke(app, sid, status=204, token=None):
    r = requests.delete(apps_url(app.server, app.key, "secrets", str(sid)),
                        headers=bearer(token or app.dev.pat), timeout=10)
    assert r.status_code == status, (r.status_code, r.text)
    return r


def secrets(app):
    return app_json(app.server, app.dev.pat, app.key)["secrets"]


def rfc3339(t):
    return datetime.fromtimestamp(t, timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%SZ")


# --- the overlap at the token endpoint ------------------------------------

def test_overlap_keeps_the_old_secret_for_the_hour_and_no_longer(server):
    app = make_app(server)
    old = app.secret
    t0 = advance_to(server, clock(server) + 5)
    new = rotate(app, {"previous_valid_for": HOUR})
    listed = secrets(app)
    assert [s["id"] for s in listed] == [2, 1], listed
    assert listed[0]["expires_at"] is None
    assert listed[1]["expires_at"] == rfc3339(t0 + HOUR), (listed, t0)
    assert authenticates(app, new) and authenticates(app, old)
    advance_to(server, t0 + HOUR - 1)
    assert authenticates(app, old), "valid to the last second of the hour"
    advance_to(server, t0 + HOUR)
    assert not authenticates(app, old), "not a second after"
    assert authenticates(app, new)
    assert [s["id"] for s in secrets(app)] == [2], "expired: listed no more"
    # with the old one expired, another rotation is allowed
    newest = rotate(app, {"previous_valid_for": 0})
    assert not authenticates(app, new) and authenticates(app, newest)


def test_default_kills_the_old_secret_at_once(server):
    app = make_app(server)
    first = app.secret
    second = rotate(app)                        # no body: 0, as in §2
    assert not authenticates(app, first)
    third = rotate(app, {"previous_valid_for": 0})
    assert not authenticates(app, second) and authenticates(app, third)
    assert [s["id"] for s in secrets(app)] == [3]


def test_last_used_of_both_secrets_exact_to_a_minute(server):
    app = make_app(server)
    old = app.secret
    new = rotate(app, {"previous_valid_for": 86400})
    assert [s["last_used_at"] for s in secrets(app)] == [None, None]
    t1 = advance_to(server, clock(server) + 2)
    assert authenticates(app, old)
    cur, prev = secrets(app)
    assert cur["last_used_at"] is None and prev["last_used_at"] == rfc3339(t1)
    advance_to(server, t1 + 30)
    assert authenticates(app, old)
    assert secrets(app)[1]["last_used_at"] == rfc3339(t1), \
        "within the minute: no write"
    t2 = advance_to(server, t1 + 61)
    assert authenticates(app, old) and authenticates(app, new)
    cur, prev = secrets(app)
    assert prev["last_used_at"] == rfc3339(t2)
    assert cur["last_used_at"] == rfc3339(t2)
    assert cur["created_at"] <= cur["last_used_at"]


# --- revoking, refusals ---------------------------------------------------

def test_revoke_the_old_secret_now(server):
    app = make_app(server)
    old = app.secret
    new = rotate(app, {"previous_valid_for": 604800})
    assert authenticates(app, old)
    r = revoke(app, 2, status=409)
    assert r.json()["error"] == "current_secret"
    assert "generate a new secret" in r.json()["error_description"]
    revoke(app, 7, status=404)
    revoke(app, "abc", status=404)
    revoke(app, 0, status=404)
    assert authenticates(app, old), "refused revocations change nothing"
    revoke(app, 1)
    assert not authenticates(app, old), "at once, through the memo"
    assert authenticates(app, new)
    assert [s["id"] for s in secrets(app)] == [2]
    revoke(app, 1, status=404)


def test_a_third_secret_is_refused_while_two_are_valid(server):
    app = make_app(server)
    old = app.secret
    new = rotate(app, {"previous_valid_for": HOUR})
    j = rotate(app, {"previous_valid_for": HOUR}, status=409)
    assert j["error"] == "old_secret_valid", j
    assert "revoke the old secret first" in j["error_description"], j
    rotate(app, status=409)
    assert authenticates(app, old) and authenticates(app, new)
    assert [s["id"] for s in secrets(app)] == [2, 1]
    revoke(app, 1)
    third = rotate(app, {"previous_valid_for": HOUR})
    assert authenticates(app, new) and authenticates(app, third)


@pytest.mark.parametrize("bad", [
    {"previous_valid_for": 5}, {"previous_valid_for": -3600},
    {"previous_valid_for": "3600"}, {"previous_valid_for": 3600.0},
    {"previous_valid_for": True}, {"previous_valid_for": None},
    {"previous_valid_for": 3600, "keep": 1}, "[3600]", "not json"])
def test_bad_values_are_400_and_change_nothing(server, bad):
    app = make_app(server)
    j = rotate(app, bad, status=400)
    assert j["error"] == "invalid_request", j
    assert authenticates(app, app.secret)
    assert [s["id"] for s in secrets(app)] == [1]


def test_another_accounts_app_is_404(server):
    app = make_app(server)
    rotate(app, {"previous_valid_for": HOUR})
    stranger = Dev(server, "stranger")
    rotate(app, {"previous_valid_for": HOUR}, status=404, token=stranger.pat)
    revoke(app, 1, status=404, token=stranger.pat)
    assert [s["id"] for s in secrets(app)] == [2, 1]


def test_the_notice_says_how_long_the_old_secret_stays(server, box):
    app = make_app(server)
    first = app.secret
    second = rotate(app, {"previous_valid_for": 86400})
    made = box.wait(app.dev.email, "A new secret")      # make_app's own
    assert "stopped working at once" in " ".join(body(made).split())
    msg = box.wait(app.dev.email, "A new secret")
    text = " ".join(body(msg).split())
    assert "The old secret stays valid for 24 hours more" in text, text
    assert first not in msg.as_string() and second not in msg.as_string()


# --- the portal -----------------------------------------------------------

def options(page):
    select = re.search(r'<select id="keep" name="keep">(.*?)</select>',
                       page, re.S)
    assert select, page
    return re.findall(r'<option value="(\d+)"( selected)?>', select.group(1))


def test_portal_generate_with_an_overlap_and_revoke(server):
    user = User(server, "rotator")
    app = make_app(server, user)
    old = app.secret
    page = user.get(f"/apps/{app.key}/secret").text
    assert options(page) == [("0", " selected"), ("3600", ""),
                             ("86400", ""), ("604800", "")]
    assert [v for v, _ in options(user.get(f"/apps/{app.key}").text)] == \
        list(CHOICES), "the app page's dialog offers the same"
    csrf = find_csrf(page)
    r = user.post(f"/apps/{app.key}/secret", data={"csrf_token": csrf,
                                                   "keep": "5"})
    assert r.status_code == 400, r.status_code
    r = user.post(f"/apps/{app.key}/secret", data={"keep": "3600"})
    assert r.status_code == 403, "no CSRF token"
    assert [s["id"] for s in secrets(app)] == [1], "nothing changed"
    r = user.post(f"/apps/{app.key}/secret", data={"csrf_token": csrf,
                                                   "keep": "3600"})
    assert r.status_code == 303, (r.status_code, r.text[:300])
    assert authenticates(app, old)
    page = user.get(f"/apps/{app.key}").text
    rows = re.findall(r'<tr class="secret" data-secret-id="(\d+)">(.*?)</tr>',
                      page, re.S)
    assert [i for i, _ in rows] == ["2", "1"], rows
    assert "never" in rows[0][1] and "until replaced" in rows[0][1]
    assert "UTC" in rows[1][1]
    assert "Revoke the old secret now" in page
    # a third is refused, with what to do
    r = user.post(f"/apps/{app.key}/secret", data={"csrf_token": csrf,
                                                   "keep": "0"})
    assert r.status_code == 409 and "Revoke the old secret first" in r.text
    # the confirmation page, then the POST (CSRF first)
    r = user.get(f"/apps/{app.key}/secrets/1/revoke")
    assert r.status_code == 200 and find_csrf(r.text)
    assert user.get(f"/apps/{app.key}/secrets/2/revoke").status_code == 409
    assert user.get(f"/apps/{app.key}/secrets/9/revoke").status_code == 404
    r = user.post(f"/apps/{app.key}/secrets/1/revoke",
                  data={"csrf_token": ("B" if csrf[0] == "A" else "A") + csrf[1:]})
    assert r.status_code == 403 and authenticates(app, old)
    r = user.post(f"/apps/{app.key}/secrets/1/revoke",
                  data={"csrf_token": csrf})
    assert r.status_code == 303 and r.headers["Location"].endswith(
        f"/apps/{app.key}?revoked"), r.headers
    assert not authenticates(app, old)
    page = user.get(f"/apps/{app.key}?revoked").text
    assert "The old secret was revoked" in page
    assert "Revoke the old secret now" not in page
    assert len(re.findall(r'<tr class="secret"', page)) == 1


def test_portal_another_accounts_app(server):
    owner = User(server, "owner")
    app = make_app(server, owner)
    rotate(app, {"previous_valid_for": HOUR})
    other = User(server, "other")
    csrf = find_csrf(other.get("/apps").text)
    assert other.get(f"/apps/{app.key}/secrets/1/revoke").status_code == 404
    r = other.post(f"/apps/{app.key}/secrets/1/revoke",
                   data={"csrf_token": csrf})
    assert r.status_code == 404
    assert [s["id"] for s in secrets(app)] == [2, 1]


# --- the CLI --------------------------------------------------------------

def app_cli(server, *args):
    return kgtest.run_cli("app", *args, "--db", server.db)


def soon(check, timeout=5):
    """Whether check() holds within `timeout` seconds: a serving node sees
    a command's write to the store when its keeper next polls the
    revision."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def test_cli_keep_old_and_revoke_old_secret(server):
    app = make_app(server)
    old = app.secret
    p = app_cli(server, "secret", app.key, "--keep-old", "2h")
    assert p.returncode == 2, (p.returncode, p.stderr)
    p = app_cli(server, "show", app.key, "--keep-old", "1h")
    assert p.returncode == 2, "--keep-old belongs to secret alone"
    # 7 days: the command's clock is the wall clock, which the server's
    # test clock (moved by the tests above) is ahead of by hours
    p = app_cli(server, "secret", app.key, "--keep-old", "7d")
    assert p.returncode == 0, p.stderr
    new = p.stdout.strip()
    assert new.startswith("kg_sk_") and "stays valid" in p.stderr
    assert soon(lambda: authenticates(app, new))
    assert authenticates(app, old)
    p = app_cli(server, "show", app.key)
    assert re.search(r"#2 current created \S+, last used \S+\n", p.stdout), \
        p.stdout
    assert re.search(r"#1 old created .*, valid until \S+Z\n", p.stdout), \
        p.stdout
    p = app_cli(server, "secret", app.key)
    assert p.returncode == 1 and "revoke the old secret first" in p.stderr
    p = app_cli(server, "revoke-old-secret", app.key)
    assert p.returncode == 0, p.stderr
    assert soon(lambda: not authenticates(app, old))
    assert authenticates(app, new)
    p = app_cli(server, "revoke-old-secret", app.key)
    assert p.returncode == 1 and "no valid old secret" in p.stderr
    assert [s["id"] for s in secrets(app)] == [2]
