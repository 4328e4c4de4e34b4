"""Personal access tokens: /api/v1/access-tokens (docs/REFERENCE.md §6).

Failed bearer and Basic attempts feed per-address throttles (20 per
15 minutes), so this module keeps its failures well under that on its shared
server; the throttles themselves are tested in test_throttle.py."""

import base64
import calendar
import secrets
import time

import pytest
import requests

from kgtest import (RFC3339_UTC, basic, bearer, create_pat, list_pats,
                    new_account, new_pat)


@pytest.fixture(scope="module")
def account(server):
    return new_account(server, "pat")


def parse_time(s):
    return calendar.timegm(time.strptime(s, "%Y-%m-%dT%H:%M:%SZ"))


def test_create_returns_token_once(server, account):
    r = create_pat(server, *account)
    assert r.status_code == 201, r.text
    j = r.json()
    assert set(j) >= {"id", "token", "created_at"}
    assert isinstance(j["id"], str)
    assert j["token"].startswith("kg_pat_")
    assert len(j["token"]) >= len("kg_pat_") + 43   # 256 bits, base64url
    assert RFC3339_UTC.match(j["created_at"]), j["created_at"]
    assert abs(parse_time(j["created_at"]) - time.time()) < 120
    assert r.headers.get("Cache-Control") == "no-store"


def test_tokens_are_distinct(server, account):
    a = new_pat(server, *account)
    b = new_pat(server, *account)
    assert a["token"] != b["token"] and a["id"] != b["id"]


def test_email_is_matched_case_insensitively(server, account):
    email, password = account
    r = create_pat(server, " " + email.upper(), password)
    assert r.status_code == 201, r.text


def test_wrong_password_is_401_with_challenge(server, account):
    email, _ = account
    r = create_pat(server, email, "not the password")
    assert r.status_code == 401
    assert "basic" in r.headers.get("WWW-Authenticate", "").lower()
    assert "token" not in r.json()


def test_unknown_email_is_401(server):
    r = create_pat(server, "nobody-here@example.com", "some password")
    assert r.status_code == 401
    assert "WWW-Authenticate" in r.headers


def test_no_authorization_is_401_with_challenge(server):
    r = requests.post(server.url("/api/v1/access-tokens"), timeout=5)
    assert r.status_code == 401
    assert "basic" in r.headers.get("WWW-Authenticate", "").lower()


@pytest.mark.parametrize("header", [
    "Basic !!!not-base64!!!",
    "Basic " + base64.b64encode(b"no-colon-here").decode(),
    "Basic ",
    "Basic " + base64.b64encode(b"\xff\xfe@x.com:password123").decode(),
], ids=["not-base64", "no-colon", "empty", "not-utf8"])
def test_malformed_basic_is_400(server, header):
    r = requests.post(server.url("/api/v1/access-tokens"),
                      headers={"Authorization": header}, timeout=5)
    assert r.status_code == 400, (r.status_code, r.text)


def test_list_shows_metadata_never_the_token(server, account):
    used = new_pat(server, *account)
    unused = new_pat(server, *account)
    r = list_pats(server, used["token"])
    assert r.status_code == 200, r.text
    assert used["token"] not in r.text and unused["token"] not in r.text
    assert "kg_pat_" not in r.text
    items = r.json()
    assert isinstance(items, list)
    by_id = {}
    for it in items:
        assert set(it) == {"id", "created_at", "last_used_at"}, it
        assert RFC3339_UTC.match(it["created_at"])
        by_id[it["id"]] = it
    assert used["id"] in by_id and unused["id"] in by_id
    assert by_id[unused["id"]]["last_used_at"] is None
    # the list call itself was a use of `used`
    assert RFC3339_UTC.match(by_id[used["id"]]["last_used_at"] or ""), \
        by_id[used["id"]]
    assert by_id[used["id"]]["created_at"] == used["created_at"]


def test_list_shows_only_own_tokens(server, account):
    mine = new_pat(server, *account)
    other = new_pat(server, *new_account(server, "other"))
    ids = {it["id"] for it in list_pats(server, other["token"]).json()}
    assert ids == {other["id"]}
    assert mine["id"] not in ids


def test_delete_revokes(server, account):
    keep = new_pat(server, *account)
    gone = new_pat(server, *account)
    r = requests.delete(server.url(f"/api/v1/access-tokens/{gone['id']}"),
                        headers=bearer(keep["token"]), timeout=5)
    assert r.status_code == 204
    assert r.content == b""
    r = list_pats(server, gone["token"])
    assert r.status_code == 401
    assert "WWW-Authenticate" in r.headers
    ids = {it["id"] for it in list_pats(server, keep["token"]).json()}
    assert gone["id"] not in ids and keep["id"] in ids
    # deleting it again: it no longer exists
    r = requests.delete(server.url(f"/api/v1/access-tokens/{gone['id']}"),
                        headers=bearer(keep["token"]), timeout=5)
    assert r.status_code == 404


def test_token_can_delete_itself(server, account):
    t = new_pat(server, *account)
    r = requests.delete(server.url(f"/api/v1/access-tokens/{t['id']}"),
                        headers=bearer(t["token"]), timeout=5)
    assert r.status_code == 204
    assert list_pats(server, t["token"]).status_code == 401


def test_deleting_another_accounts_token_is_404(server, account):
    victim = new_pat(server, *account)
    attacker = new_pat(server, *new_account(server, "attacker"))
    r = requests.delete(server.url(f"/api/v1/access-tokens/{victim['id']}"),
                        headers=bearer(attacker["token"]), timeout=5)
    assert r.status_code == 404
    assert list_pats(server, victim["token"]).status_code == 200


@pytest.mark.parametrize("tid", ["0", "-1", "abc", "99999999999",
                                 "1e3", "99999999999999999999999"])
def test_deleting_unknown_id_is_404(server, account, tid):
    t = new_pat(server, *account)
    r = requests.delete(server.url(f"/api/v1/access-tokens/{tid}"),
                        headers=bearer(t["token"]), timeout=5)
    assert r.status_code == 404


def test_forged_token_is_401(server):
    forged = "kg_pat_" + secrets.token_urlsafe(32)
    r = list_pats(server, forged)
    assert r.status_code == 401
    assert "bearer" in r.headers.get("WWW-Authenticate", "").lower()


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer ", "Basic abc",
                                    "bearer"])
def test_missing_or_empty_token_is_401(server, header):
    headers = {} if header is None else {"Authorization": header}
    r = requests.get(server.url("/api/v1/access-tokens"), headers=headers,
                     timeout=5)
    assert r.status_code == 401
    assert "WWW-Authenticate" in r.headers


def test_password_is_not_a_bearer_token(server, account):
    r = requests.get(server.url("/api/v1/access-tokens"),
                     headers={"Authorization": basic(*account)}, timeout=5)
    assert r.status_code == 401


def test_token_in_query_string_is_ignored(server, account):
    t = new_pat(server, *account)
    r = requests.get(server.url("/api/v1/access-tokens"),
                     params={"access_token": t["token"]}, timeout=5)
    assert r.status_code == 401
