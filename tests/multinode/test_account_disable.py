"""keygate account disable, enable and delete on the database two nodes
share: the command runs beside them, as an operator's would, and each node
refuses within PROPAGATION_S what it had just accepted (a token checked, a
client authenticated), then takes its apps back after enable (not the
tokens it held as an end user, which disabling revoked)."""

import pytest

from kgtest import run_cli
from mnkit import PROPAGATION_S, assert_within, on
from oauthkit import (User, alive, get_tokens, introspect, make_app,
                      token_error, refresh)

pytestmark = pytest.mark.alone("a change seen within 1 s")


def account_cli(cluster, *args):
    r = run_cli("account", *args, "--db", cluster.db)
    assert r.returncode == 0, (r.returncode, r.stderr)


def introspected(app, node, token, status):
    return lambda: introspect(on(app, node), token).status_code == status


def test_disable_reaches_both_nodes_and_enable_too(cluster):
    a, b = cluster.a, cluster.b
    dev = User(a, "mn-dis-dev")
    app = make_app(a, dev)
    user = User(b, "mn-dis-user")
    t = get_tokens(on(user, a), app)
    mine = get_tokens(on(dev, b), make_app(b))       # dev as an end user
    for node in (a, b):
        assert alive(node, t["access_token"])
        assert alive(node, mine["access_token"])
        assert introspected(app, node, t["access_token"], 200)()

    account_cli(cluster, "disable", dev.email)
    for node in (a, b):
        assert_within(PROPAGATION_S, lambda n=node: not alive(
            n, t["access_token"]), f"a token of the app still valid on "
            f"{node.base}")
        assert_within(PROPAGATION_S, lambda n=node: not alive(
            n, mine["access_token"]), "a token of the disabled user")
        assert_within(PROPAGATION_S, introspected(
            app, node, t["access_token"], 401), "the app's client")
    token_error(refresh(on(app, b), t["refresh_token"]), "invalid_client",
                401)

    account_cli(cluster, "enable", dev.email)
    for node in (a, b):
        assert_within(PROPAGATION_S, introspected(
            app, node, t["access_token"], 200), "the app after enable")
        assert alive(node, t["access_token"])
        # the tokens the account held as an end user were revoked: whoever
        # had its password may hold them
        assert not alive(node, mine["access_token"])


def test_delete_reaches_both_nodes(cluster):
    a, b = cluster.a, cluster.b
    dev = User(a, "mn-del-dev")
    app = make_app(a, dev)
    t = get_tokens(User(a, "mn-del-user"), app)
    for node in (a, b):
        assert alive(node, t["access_token"])
    account_cli(cluster, "delete", dev.email, "--yes")
    for node in (a, b):
        assert_within(PROPAGATION_S, lambda n=node: not alive(
            n, t["access_token"]), "a token of a deleted account's app")
        assert_within(PROPAGATION_S, introspected(
            app, node, t["access_token"], 401), "a deleted app's client")
    token_error(refresh(on(app, a), t["refresh_token"]), "invalid_client",
                401)
