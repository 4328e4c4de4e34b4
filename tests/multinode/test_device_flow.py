"""The device flow's server side on two nodes (docs/REFERENCE.md §15): an
app's device_flow switch, set through one node, reaches the other's client
memo within PROPAGATION_S (the 0016 migration's trigger moves the
revision), and a device polling one node then the other is one device to
both (the interval and the last poll live in the store). The race of two
polls for the tokens is tests/unit/store's (and the /device page's)."""

import pytest

import kgtest
from mnkit import PROPAGATION_S, assert_within, on
from oauthkit import Dev, make_app, post, token_error, token_request

pytestmark = pytest.mark.alone("a change seen within 1 s")

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"


def start(app, node):
    return post(node, "/oauth2/device_authorization",
                [("client_id", app.key)])


def answers(app, node, status):
    return lambda: start(app, node).status_code == status


def poll(app, node, device_code):
    return token_request(on(app, node), [("grant_type", DEVICE_GRANT),
                                         ("device_code", device_code)])


def switch(node, app, on_):
    r = kgtest.patch_app(node, app.dev.pat, app.key, {"device_flow": on_})
    assert r.status_code == 200, (r.status_code, r.text)


def test_the_switch_reaches_both_nodes(cluster):
    a, b = cluster.a, cluster.b
    app = make_app(a, Dev(a, "mn-dev-sw"), secret=False)
    for node in (a, b):         # both memos hold the app, flow off
        token_error(start(app, node), "unauthorized_client")
    switch(a, app, True)
    for node in (a, b):
        assert_within(PROPAGATION_S, answers(app, node, 200),
                      f"the flow turned on, on {node.base}")
    switch(b, app, False)
    for node in (a, b):
        assert_within(PROPAGATION_S, answers(app, node, 400),
                      f"the flow turned off, on {node.base}")


def test_polls_on_two_nodes_count_as_one_device(cluster):
    a, b = cluster.a, cluster.b
    app = make_app(a, Dev(a, "mn-dev-poll"), secret=False, device_flow=True)
    r = start(app, a)
    assert r.status_code == 200, (r.status_code, r.text)
    code = r.json()["device_code"]
    token_error(poll(app, b, code), "authorization_pending")
    # at once on the other node: too soon for the one device
    token_error(poll(app, a, code), "slow_down")
    token_error(poll(app, b, code), "slow_down")
