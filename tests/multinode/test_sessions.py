"""Sessions and CSRF work whichever node a browser reaches: the session
cookie one node set is honoured by the other, a csrf_token from a page one
node served is accepted by the other (and a forged one refused by both),
and logging out on one node ends the session on every node."""

import re
from urllib.parse import urlsplit

import pytest

from kgtest import (PASSWORD, Browser, app_keys, find_csrf, logged_in_as,
                    new_pat, unique_email)
from mnkit import on


def app_key_of(resp):
    assert resp.status_code == 303, (resp.status_code, resp.text[:300])
    m = re.match(r"^/apps/([^/]+)$", urlsplit(resp.headers["Location"]).path)
    assert m, resp.headers["Location"]
    return m.group(1)


def to_login(resp):
    return resp.status_code in (302, 303) and \
        urlsplit(resp.headers.get("Location", "")).path == "/login"


@pytest.fixture
def signed_up(cluster):
    """A browser that signed up through A's portal (the sign-up form from
    A) and so holds a session A started."""
    b = Browser(cluster.a)
    email = unique_email("sess")
    r = b.signup(email)
    assert r.status_code == 303, (r.status_code, r.text[:300])
    assert b.session_cookie()
    yield b, email
    b.close()


def test_a_session_from_a_is_valid_on_b(cluster, signed_up):
    ba, email = signed_up
    bb = on(ba, cluster.b)
    assert logged_in_as(bb.home(), email)
    r = bb.get("/apps")
    assert r.status_code == 200, r.status_code
    assert logged_in_as(ba.home(), email)


def test_a_form_from_a_posted_to_b_and_back(cluster, signed_up):
    ba, email = signed_up
    bb = on(ba, cluster.b)
    pat = new_pat(cluster.a, email, PASSWORD)["token"]
    # New Application: the form from A, the POST to B
    csrf = find_csrf(ba.get("/apps/new").text)
    key1 = app_key_of(bb.post("/apps", data={"csrf_token": csrf,
                                             "name": "Made on B"}))
    # and the form from B, the POST to A
    csrf = find_csrf(bb.get("/apps/new").text)
    key2 = app_key_of(ba.post("/apps", data={"csrf_token": csrf,
                                             "name": "Made on A"}))
    for node in cluster.nodes:
        assert {key1, key2} <= set(app_keys(node, pat)), node.base
    assert key1 in ba.get("/apps").text and key2 in bb.get("/apps").text


def test_csrf_is_still_checked_on_each_node(cluster, signed_up):
    ba, email = signed_up
    pat = new_pat(cluster.a, email, PASSWORD)["token"]
    # a token of another browser's session, from A
    other = Browser(cluster.a)
    assert other.signup(unique_email("sess-other")).status_code == 303
    foreign = find_csrf(other.get("/apps/new").text)
    for node in cluster.nodes:
        b = on(ba, node)
        for token in ("", "forged", foreign):
            r = b.post("/apps", data={"csrf_token": token,
                                      "name": "Forged"})
            assert r.status_code == 403, (node.base, token, r.status_code)
    assert app_keys(cluster.a, pat) == []
    other.close()


def test_log_in_on_b_with_the_form_from_a(cluster):
    """Before any session: the log-in form's csrf_token (tied to a
    pre-session cookie) from A is accepted by B."""
    b0 = Browser(cluster.a)
    email = unique_email("sess-login")
    assert b0.signup(email).status_code == 303
    b0.close()
    ba = Browser(cluster.a)
    csrf = find_csrf(ba.get("/login").text)
    bb = on(ba, cluster.b)
    r = bb.post("/login", data={"csrf_token": csrf, "email": email,
                                "password": PASSWORD})
    assert r.status_code == 303, (r.status_code, r.text[:300])
    assert logged_in_as(ba.home(), email)
    assert logged_in_as(bb.home(), email)
    ba.close()


def test_log_out_on_b_ends_the_session_on_a(cluster, signed_up):
    ba, email = signed_up
    bb = on(ba, cluster.b)
    cookie = ba.session_cookie()
    assert logged_in_as(ba.home(), email)
    csrf = find_csrf(ba.home())                    # the log-out form of A
    r = bb.post("/logout", data={"csrf_token": csrf})
    assert r.status_code == 303, (r.status_code, r.text[:300])
    # even a browser that kept the old cookie is logged out on both nodes
    for node in cluster.nodes:
        with Browser(node) as replay:
            replay.cookies.set("kg_session", cookie)
            assert to_login(replay.get("/apps")), node.base
            assert not logged_in_as(replay.home(), email), node.base
    assert not logged_in_as(ba.home(), email)
    assert to_login(ba.get("/apps"))
