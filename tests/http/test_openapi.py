"""The OpenAPI 3.1 document (docs/openapi.json): served at
/api/v1/openapi.json as it is in the tree, valid by Redocly's linter, and
true to the routes: every documented operation exists on the running
server, and every API and OAuth route is documented."""

import json
import os
import re
import subprocess

import pytest
import requests

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
DOC = os.path.join(ROOT, "docs", "openapi.json")
REDOCLY = os.path.join(ROOT, "node_modules", ".bin", "redocly")
ROUTES = os.path.join(ROOT, "src", "routes.c")
# the routes an outside program calls (the portal's pages are for people)
DOCUMENTED_PREFIXES = ("/api/", "/oauth2/", "/v3/", "/.well-known/",
                       "/healthz")
# /metrics is documented with a server of its own: the metrics listener
METRICS_SERVER = "http://127.0.0.1:9464"
METHODS = ("get", "post", "put", "patch", "delete")


@pytest.fixture(scope="module")
def doc():
    with open(DOC) as f:
        return json.load(f)


def operations(doc):
    for path, item in doc["paths"].items():
        for method in METHODS:
            if method in item:
                yield path, method


def test_served_as_in_the_tree(server, doc):
    r = requests.get(server.url("/api/v1/openapi.json"), timeout=5)
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "application/json"
    assert r.json() == doc
    assert doc["openapi"].startswith("3.1.")


def base_of(server, doc, path):
    """Where `path` is served: the metrics listener for a path documented
    with it as its server, else the public address."""
    own = doc["paths"][path].get("servers")
    if own is None:
        return server.base
    assert [x["url"] for x in own] == [METRICS_SERVER], own
    return server.metrics_base


def test_redocly_lint_passes_without_a_warning():
    assert os.access(REDOCLY, os.X_OK), "run npm ci (scripts/setup.sh)"
    r = subprocess.run([REDOCLY, "lint", DOC, "--format=summary"], cwd=ROOT,
                       capture_output=True, text=True, timeout=180,
                       env=dict(os.environ, REDOCLY_TELEMETRY="off",
                                REDOCLY_SUPPRESS_UPDATE_NOTICE="true"))
    out = r.stdout + r.stderr
    assert r.returncode == 0, out
    assert "Your API description is valid" in out, out
    assert not re.search(r"^(warning|error) ", out, re.M), out


def documents(responses, status):
    """Whether an operation's responses object covers `status`, exactly or
    by its range (4XX) or a default."""
    return str(status) in responses or f"{status // 100}XX" in responses \
        or "default" in responses


def test_every_documented_operation_exists(server, doc):
    """Called without credentials and with made-up path parameters, a
    route that exists answers neither the router's 404 nor 405, never a
    5xx, and only a status the document lists for that operation."""
    wrong = []
    for path, method in operations(doc):
        url = base_of(server, doc, path) + \
            re.sub(r"\{[a-z_]+\}", "x1", path)
        r = requests.request(method.upper(), url, timeout=5,
                             allow_redirects=False)
        assert r.status_code != 405, (method, path)
        assert not (r.status_code == 404 and
                    "There is nothing here." in r.text), (method, path)
        responses = doc["paths"][path][method]["responses"]
        if r.status_code >= 500 or not documents(responses, r.status_code):
            wrong.append((method, path, r.status_code, sorted(responses)))
    assert wrong == [], wrong


def test_every_route_is_documented(doc):
    with open(ROUTES) as f:
        routes = re.findall(r'\{ HTTP_([A-Z]+), "([^"]+)"', f.read())
    assert len(routes) > 30, routes
    documented = set((p, m) for p, m in operations(doc))
    missing = [(m, p) for m, p in routes if p.startswith(DOCUMENTED_PREFIXES)
               and (p, m.lower()) not in documented]
    assert missing == []


def test_documented_statuses_are_real(server, doc):
    """Spot checks: what the server answers unauthenticated is among the
    statuses the document gives."""
    for path, method, status in [("/api/v1/apps", "get", "401"),
                                 ("/oauth2/check", "get", "401"),
                                 ("/oauth2/token", "post", "400"),
                                 ("/healthz", "get", "200"),
                                 ("/metrics", "get", "200")]:
        r = requests.request(method.upper(), base_of(server, doc, path) +
                             path, timeout=5)
        assert str(r.status_code) == status, (path, r.status_code)
        assert status in doc["paths"][path][method]["responses"]


def test_metrics_documented_on_their_own_listener(server, doc):
    assert doc["paths"]["/metrics"]["servers"][0]["url"] == METRICS_SERVER
    assert requests.get(server.url("/metrics"), timeout=5).status_code == 404
    r = requests.post(server.metrics_url, timeout=5)
    assert r.status_code == 405
    assert "405" in doc["paths"]["/metrics"]["get"]["responses"]


def test_listed_items_have_the_documented_members(make_server, doc):
    """What GET /api/v1/apps and /api/v1/connections list carries exactly
    the members their schemas name (a renamed member fails here)."""
    import oauthkit
    srv, app, user = oauthkit.granted_world(make_server, "schema")
    schemas = doc["components"]["schemas"]
    for path, name, token in (("/api/v1/connections", "Connection",
                               user.pat),
                              ("/api/v1/apps", "App", app.dev.pat)):
        r = requests.get(srv.url(path), timeout=10,
                         headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 200, r.text
        items = r.json()
        assert items, path
        assert set(items[0]) == set(schemas[name]["properties"]), path
