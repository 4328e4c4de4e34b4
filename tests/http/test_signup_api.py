"""POST /api/v1/accounts (docs/REFERENCE.md §6)."""

import json
import re

import pytest
import requests

from kgtest import (PASSWORD, account_exists, signup, unique_email)


def post_raw(server, body, content_type="application/json", **kw):
    headers = {}
    if content_type is not None:
        headers["Content-Type"] = content_type
    return requests.post(server.url("/api/v1/accounts"), data=body,
                         headers=headers, timeout=10, **kw)


def assert_field_error(r, field):
    assert r.status_code == 422, (r.status_code, r.text)
    j = r.json()
    assert j["error"] == "invalid_request"
    assert isinstance(j["fields"].get(field), str) and j["fields"][field], j


def test_signup_returns_201_with_string_id_and_normalized_email(server):
    local = unique_email("Mixed").split("@")[0]
    r = signup(server, f"  {local.upper()}@Example.COM \t")
    assert r.status_code == 201, r.text
    j = r.json()
    assert isinstance(j["account_id"], str) and re.match(r"^\S+$", j["account_id"])
    assert j["email"] == f"{local.lower()}@example.com"
    assert r.headers["Content-Type"].startswith("application/json")


def test_account_ids_differ(server):
    a = signup(server, unique_email()).json()["account_id"]
    b = signup(server, unique_email()).json()["account_id"]
    assert a != b


def test_taken_email_is_409_case_insensitively(server):
    email = unique_email("taken")
    assert signup(server, email).status_code == 201
    for again in (email, email.upper(), " " + email.capitalize() + " "):
        r = signup(server, again, "another password 1")
        assert r.status_code == 409, (again, r.status_code, r.text)
        assert isinstance(r.json().get("error"), str)


@pytest.mark.parametrize("email", [
    "",
    "   ",
    "no-at",
    "a@b",
    "a@@b.com",
    "a b@c.com",
    ".a@b.com",
    "a.@b.com",
    "a..b@c.com",
    "a@-b.com",
    "a@b-.com",
    "a@b..com",
    "a@.b.com",
    "@b.com",
    "a@",
    "a@b.com.",
    "<script>@b.com",
    "a" * 65 + "@example.com",          # local part over 64
    "a" * 288 + "@example.com",         # 300 characters
], ids=lambda e: repr(e[:20]))
def test_invalid_email_is_422(server, email):
    r = signup(server, email)
    assert_field_error(r, "email")


@pytest.mark.parametrize("password", [
    "",
    "123456789",
    "é" * 9,                            # 9 characters, 18 bytes
    "😀" * 9,                           # 9 characters, 36 bytes
])
def test_short_password_is_422(server, password):
    r = signup(server, unique_email(), password)
    assert_field_error(r, "password")


@pytest.mark.parametrize("password", ["1234567890", "é" * 10, "😀" * 10])
def test_ten_character_password_is_accepted(server, password):
    r = signup(server, unique_email(), password)
    assert r.status_code == 201, r.text


def test_password_over_1024_bytes_is_422(server):
    r = signup(server, unique_email(), "x" * 1025)
    assert_field_error(r, "password")


def test_both_fields_invalid_reports_both(server):
    r = signup(server, "nope", "short")
    assert r.status_code == 422
    assert set(r.json()["fields"]) >= {"email", "password"}


@pytest.mark.parametrize("field", ["email", "password"])
@pytest.mark.parametrize("value", [42, None, ["a@b.com"], {"a": 1}, True],
                         ids=["number", "null", "array", "object", "bool"])
def test_wrong_type_is_422(server, field, value):
    body = {"email": unique_email(), "password": PASSWORD}
    body[field] = value
    r = post_raw(server, json.dumps(body))
    assert_field_error(r, field)
    if field == "password":
        assert not account_exists(server, body["email"])


@pytest.mark.parametrize("missing", ["email", "password"])
def test_missing_field_is_422(server, missing):
    body = {"email": unique_email(), "password": PASSWORD}
    del body[missing]
    r = post_raw(server, json.dumps(body))
    assert_field_error(r, missing)


def test_unknown_field_is_422_and_nothing_stored(server):
    email = unique_email()
    r = post_raw(server, json.dumps({"email": email, "password": PASSWORD,
                                     "admin": True}))
    assert_field_error(r, "admin")
    assert not account_exists(server, email)


@pytest.mark.parametrize("body", [
    b"",
    b"not json",
    b"{",
    b'{"email": "a@b.com", "password": "0123456789"',
    b'["a@b.com", "0123456789"]',
    b'"a@b.com"',
    b"null",
    b"{'email': 'a@b.com'}",
], ids=["empty", "text", "brace", "truncated", "array", "string", "null",
        "single-quotes"])
def test_not_a_json_object_is_400(server, body):
    r = post_raw(server, body)
    assert r.status_code == 400, (r.status_code, r.text)


@pytest.mark.parametrize("content_type", [
    None, "text/plain", "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x", "application/jsonx",
    "text/json",
])
def test_wrong_content_type_is_415(server, content_type):
    email = unique_email()
    body = json.dumps({"email": email, "password": PASSWORD})
    r = post_raw(server, body, content_type=content_type)
    assert r.status_code == 415, (r.status_code, r.text)
    assert not account_exists(server, email)


def test_content_type_with_charset_is_accepted(server):
    body = json.dumps({"email": unique_email(), "password": PASSWORD})
    r = post_raw(server, body, content_type="application/json; charset=utf-8")
    assert r.status_code == 201, r.text


@pytest.mark.parametrize("bad", [b"\xff", b"\xc3", b"\xed\xa0\x80",
                                 b"\xc0\xaf"],
                         ids=["ff", "truncated", "surrogate", "overlong"])
def test_invalid_utf8_in_json_is_400(server, bad):
    email = unique_email()
    body = (b'{"email":"' + email.encode() + b'","password":"0123456789'
            + bad + b'"}')
    r = post_raw(server, body)
    assert r.status_code == 400, (r.status_code, r.text)
    assert not account_exists(server, email)


def test_nul_escape_in_json_is_refused(server):
    email = unique_email()
    body = '{"email":"%s","password":"0123456789\\u0000x"}' % email
    r = post_raw(server, body)
    assert r.status_code == 400, (r.status_code, r.text)
    assert not account_exists(server, email)


def test_duplicate_keys_are_400(server):
    email = unique_email()
    body = ('{"email":"%s","password":"%s","email":"%s"}'
            % (email, PASSWORD, unique_email()))
    r = post_raw(server, body)
    assert r.status_code == 400, (r.status_code, r.text)
    assert not account_exists(server, email)


def test_body_over_64k_is_413_and_server_keeps_serving(server):
    email = unique_email()
    # valid JSON padded with whitespace to 70 KiB: only its size is wrong
    body = '{"email":"%s","password":"%s"' % (email, PASSWORD)
    body = body + " " * (70 * 1024 - len(body) - 1) + "}"
    r = post_raw(server, body)
    assert r.status_code == 413, (r.status_code, r.text[:200])
    assert server.alive()
    assert not account_exists(server, email)


def test_body_just_under_64k_is_read(server):
    email = unique_email()
    body = '{"email":"%s","password":"%s"' % (email, PASSWORD)
    body = body + " " * (64 * 1024 - len(body) - 1) + "}"
    assert len(body) == 64 * 1024
    r = post_raw(server, body)
    assert r.status_code == 201, (r.status_code, r.text[:200])


def test_no_signup_is_403(make_server):
    srv = make_server("--no-signup")
    email = unique_email()
    r = signup(srv, email)
    assert r.status_code == 403, r.text
    assert isinstance(r.json().get("error"), str)
    r = requests.get(srv.url("/signup"), timeout=5)
    assert r.status_code == 403


def test_signup_rate_limits_per_address(make_server):
    srv = make_server("--signup-rate", "2")
    assert signup(srv, unique_email()).status_code == 201
    assert signup(srv, unique_email()).status_code == 201
    email = unique_email()
    r = signup(srv, email)
    assert r.status_code == 429, r.text
    retry = r.headers.get("Retry-After")
    assert retry is not None and retry.isdigit(), retry
    assert 0 < int(retry) <= 3600
    # another client address is not limited by this one's sign-ups
    from kgtest import raw_exchange
    body = json.dumps({"email": email, "password": PASSWORD}).encode()
    req = (b"POST /api/v1/accounts HTTP/1.1\r\nHost: x\r\n"
           b"Content-Type: application/json\r\nConnection: close\r\n"
           b"Content-Length: %d\r\n\r\n" % len(body)) + body
    resp = raw_exchange(srv, req, source=("127.0.0.2", 0))
    assert resp is not None and resp.status == 201, resp
    # an hour later the first address may sign up again
    srv.advance(3601)
    assert signup(srv, unique_email()).status_code == 201
