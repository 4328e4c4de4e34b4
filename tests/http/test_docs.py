"""docs/REFERENCE.md stays the project's own, complete reference: no file
in the repository points at a contract or a path outside it, every route of
src/routes.c and every flag and variable of `keygate serve --help` is in the
reference, the reference names no route that does not exist, and nothing a
user runs mentions a file they do not have."""

import os
import re
import subprocess

import pytest

from kgtest import run_cli

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", ".."))
REFERENCE = os.path.join(ROOT, "docs", "REFERENCE.md")
THIS = os.path.relpath(os.path.abspath(__file__), ROOT)

# What a clone does not have: the contract file that used to live beside the
# repository (its name is built here so that this file does not hold it),
# the other files of that folder, and machine-specific paths.
OLD_CONTRACT = "SP" + "EC"
OUTSIDE = [
    (re.compile(r"\b" + OLD_CONTRACT + r"\b"),
     "the old contract file outside the repository"),
    (re.compile(r"\.\./shared\b|(?<![\w.-])shared/"), "a shared/ folder"),
    (re.compile(r"\bDESIGN\.md\b"), "DESIGN.md"),
    (re.compile(r"\bSTYLE\.md\b"), "STYLE.md"),
    (re.compile(r"(?<![\w.-])/work/"), "a /work/ path of one machine"),
]

# HTTP methods as routes.c names them, and the one route with a listener of
# its own (http/metrics_server.c) that the table does not hold.
ROUTE = re.compile(r'\{\s*HTTP_(GET|POST|PUT|PATCH|DELETE),\s*"([^"]+)"')
EXTRA_ROUTES = {("GET", "/metrics")}
DOCUMENTED = re.compile(r"`(GET|POST|PUT|PATCH|DELETE) (/[^`\s?]*)")


def tracked_files():
    """The repository's files as git knows them; without git (an unpacked
    release), every file under the top folder but builds and packages."""
    try:
        out = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT,
                             capture_output=True, check=True, timeout=30)
        names = [n for n in out.stdout.decode().split("\0") if n]
        if names:
            return names
    except (OSError, subprocess.SubprocessError):
        pass
    names = []
    for top, dirs, files in os.walk(ROOT):
        dirs[:] = [d for d in dirs if d not in (".git", "node_modules")
                   and not d.startswith("build")]
        names += [os.path.relpath(os.path.join(top, f), ROOT) for f in files]
    return names


def text_of(name):
    with open(os.path.join(ROOT, name), "rb") as f:
        data = f.read()
    if b"\0" in data[:8192]:
        return None                     # an image or other binary
    return data.decode("utf-8", errors="replace")


def reference():
    with open(REFERENCE, encoding="utf-8") as f:
        return f.read()


def routes():
    with open(os.path.join(ROOT, "src", "routes.c"), encoding="utf-8") as f:
        found = set(ROUTE.findall(f.read()))
    assert len(found) > 40, "the route table was not parsed"
    return found | EXTRA_ROUTES


def serve_help():
    r = run_cli("serve", "--help")
    assert r.returncode == 0, r.stderr
    return r.stdout


def test_no_file_points_outside_the_repository():
    bad = []
    names = tracked_files()
    assert "docs/REFERENCE.md" in names
    for name in names:
        if name == THIS or not os.path.isfile(os.path.join(ROOT, name)):
            continue
        text = text_of(name)
        if text is None:
            continue
        for lineno, line in enumerate(text.split("\n"), 1):
            for pattern, what in OUTSIDE:
                if pattern.search(line):
                    bad.append(f"{name}:{lineno}: {what}: {line.strip()[:100]}")
    assert bad == [], "\n".join(bad)


def test_every_route_is_in_the_reference():
    text = reference()
    missing = [f"{m} {p}" for m, p in sorted(routes())
               if f"`{m} {p}`" not in text]
    assert missing == [], f"routes missing from docs/REFERENCE.md: {missing}"


def test_the_reference_names_only_routes_that_exist():
    table = routes()
    unknown = sorted({f"{m} {p}" for m, p in DOCUMENTED.findall(reference())
                      if (m, p) not in table})
    assert unknown == [], f"docs/REFERENCE.md documents {unknown}, which " \
        "src/routes.c does not serve"


def test_every_serve_flag_and_variable_is_in_the_reference():
    text = reference()
    out = serve_help()
    flags = re.findall(r"^\s+(--[a-z][a-z-]*)", out, re.M)
    variables = re.findall(r"\benv (KEYGATE_[A-Z_]+)", out)
    assert len(flags) >= 20 and len(variables) == len(flags), out
    missing = [f for f in flags
               if not re.search(r"`" + re.escape(f) + r"(?![a-z-])", text)]
    missing += [v for v in variables if f"`{v}`" not in text]
    assert missing == [], f"settings missing from docs/REFERENCE.md: {missing}"


def test_the_reference_has_every_numbered_anchor():
    """Code cites "docs/REFERENCE.md §N" and §N.M: each number cited in the
    repository is a section of the reference, with its fixed anchor."""
    text = reference()
    cited = set()
    for name in tracked_files():
        if not os.path.isfile(os.path.join(ROOT, name)):
            continue
        body = text_of(name)
        if body is None or "REFERENCE.md" not in body:
            continue
        body = body.replace("\\u00a7", "§")     # JSON escapes (openapi.json)
        for ref in re.findall(r"REFERENCE\.md((?:[\s*#\-]|,\s*|–)*§[\d.]+"
                              r"(?:(?:,\s*|–)§[\d.]+)*)", body):
            cited |= set(n.rstrip(".") for n in re.findall(r"§([\d.]+)",
                                                             ref))
    assert {"2", "3.3", "4", "6", "7.4"} <= cited, cited
    for n in sorted(cited):
        anchor = "s" + n.replace(".", "-")
        assert f'<a id="{anchor}"></a>' in text, f"§{n} has no anchor"
        assert re.search(r"^#+ " + re.escape(n) + r"[. ]", text, re.M), \
            f"§{n} has no heading"


@pytest.mark.parametrize("args", [
    ("--help",), ("serve", "--help"), ("migrate", "--help"),
    ("stats", "--help"), ("gc", "--help"), ("app", "--help"),
    ("account", "add", "--help"), ("token", "revoke", "--help"),
    ("client", "--help"),
])
def test_no_help_text_names_a_file_outside(args):
    r = run_cli(*args)
    out = r.stdout + r.stderr
    assert out.strip() != ""
    assert OLD_CONTRACT not in out
    assert "shared/" not in out
