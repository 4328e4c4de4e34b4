#!/usr/bin/env python3
"""The house has floors and no loops (docs/ARCHITECTURE.md, "Layers").

Two checks, from the sources alone (no build needed):

1. Layers. Each folder of src/ sits on a floor; a file may include
   headers of its own folder or of a lower floor, never of a higher one,
   and never of another folder on its own floor:

       main.c, cli/  >  routes.c  >  portal/, api/, oauth/  >  http/
       >  core/  >  store/  >  base/

2. Loops. A module is a .c and its .h together. Module A depends on B
   when A includes B's header, or when A names a function B defines and
   exports (one file calling back into another through a header they
   share is a loop the includes alone would not show). Any strongly
   connected set of more than one module, in src/ or client/, is a loop.

Prints the folder graph and every violation; exits 1 on any.
Usage: scripts/layers.py [ROOT]   (ROOT defaults to the repository)
"""
import os
import re
import sys
from collections import defaultdict

FLOORS = [
    ("base", 0), ("store", 1), ("core", 2), ("http", 3),
    ("portal", 4), ("api", 4), ("oauth", 4),
    ("routes", 5), ("cli", 6), ("main", 7),
]
# Loops not yet broken, each to be taken off as it is. A loop is reported
# either way; only one missing here fails.
KNOWN_LOOPS = [
]
FLOOR = dict(FLOORS)

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
# house style puts a definition's name at the start of its line
DEFINITION = re.compile(r'^([A-Za-z_]\w*)\(', re.M)
# a call, or a function stored in a table (`.open = sq_open`); a struct
# member that shares a function's name (s->open(), CALL(open, ...)) is
# neither
USE = re.compile(r'(?<![\w.>])([A-Za-z_]\w*)\s*\(|=\s*&?\s*([A-Za-z_]\w*)\b')
COMMENT = re.compile(r'/\*.*?\*/|//[^\n]*', re.S)
STRING = re.compile(r'"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'')


def folder_of(rel):
    """rel is relative to src/: 'core/apps.c' -> 'core', 'main.c' -> 'main'."""
    head = rel.split("/")[0]
    if "/" not in rel:
        head = os.path.splitext(head)[0]
    return head


def sources(top):
    out = []
    for dirpath, dirs, files in os.walk(top):
        dirs[:] = sorted(d for d in dirs if d not in ("migrations", "static",
                                                       "templates"))
        for f in sorted(files):
            if f.endswith((".c", ".h")):
                out.append(os.path.relpath(os.path.join(dirpath, f), top))
    return out


def read(path):
    with open(path, encoding="utf-8") as fh:
        return fh.read()


def resolve(top, rel, name):
    """An include of "name" from top/rel, as a path relative to top, or
    None for a header outside the tree (a library's)."""
    here = os.path.normpath(os.path.join(os.path.dirname(rel), name))
    if os.path.exists(os.path.join(top, here)):
        return here
    if os.path.exists(os.path.join(top, name)):
        return os.path.normpath(name)
    return None


def module(rel):
    return os.path.splitext(rel)[0]


def exported(text):
    lines = text.split("\n")
    names = set()
    for i, line in enumerate(lines):
        m = DEFINITION.match(line)
        if not m or i == 0:
            continue
        prev = lines[i - 1]
        if prev.startswith("static") or prev.startswith("#") or \
           prev.rstrip().endswith((";", ",", "\\")) or prev.strip() == "":
            continue
        names.add(m.group(1))
    return names


def module_graph(top):
    """Edges between modules of one tree: includes and calls."""
    files = sources(top)
    edges = defaultdict(set)
    why = {}
    texts = {f: read(os.path.join(top, f)) for f in files}
    for f, text in texts.items():
        for name in INCLUDE.findall(text):
            to = resolve(top, f, name)
            if to is None:
                continue
            a, b = module(f), module(to)
            if a != b:
                edges[a].add(b)
                why.setdefault((a, b), "#include \"%s\" in %s" % (name, f))
    owner = {}
    for f, text in texts.items():
        if f.endswith(".c"):
            for name in exported(text):
                owner[name] = module(f)
    for f, text in texts.items():
        if not f.endswith(".c"):
            continue
        body = STRING.sub('""', COMMENT.sub(" ", text))
        a = module(f)
        for tok in {x or y for x, y in USE.findall(body)}:
            b = owner.get(tok)
            if b is not None and b != a:
                edges[a].add(b)
                why.setdefault((a, b), "%s names %s()" % (f, tok))
    return edges, why


def loops(edges):
    """Strongly connected sets of more than one module (Tarjan)."""
    index, low, on, stack, out = {}, {}, set(), [], []
    counter = [0]
    nodes = set(edges) | {b for bs in edges.values() for b in bs}

    def visit(v):
        work = [(v, iter(sorted(edges.get(v, ()))))]
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        while work:
            node, it = work[-1]
            advanced = False
            for w in it:
                if w not in index:
                    index[w] = low[w] = counter[0]
                    counter[0] += 1
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(sorted(edges.get(w, ())))))
                    advanced = True
                    break
                if w in on:
                    low[node] = min(low[node], index[w])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                comp = []
                while True:
                    w = stack.pop()
                    on.discard(w)
                    comp.append(w)
                    if w == node:
                        break
                if len(comp) > 1:
                    out.append(sorted(comp))

    for v in sorted(nodes):
        if v not in index:
            visit(v)
    return sorted(out)


def check_layers(src):
    problems, notes = [], []
    arrows = defaultdict(int)
    for f in sources(src):
        a = folder_of(f)
        if a not in FLOOR:
            problems.append("%s: folder %s has no floor" % (f, a))
            continue
        for name in INCLUDE.findall(read(os.path.join(src, f))):
            to = resolve(src, f, name)
            if to is None:
                continue
            b = folder_of(to)
            if a == b:
                continue
            arrows[(a, b)] += 1
            if b not in FLOOR:
                problems.append("%s includes %s: no floor" % (f, name))
            elif FLOOR[b] >= FLOOR[a]:
                kind = "upward" if FLOOR[b] > FLOOR[a] else "sideways"
                (problems if kind == "upward" else notes).append("%s (%s) includes \"%s\" (%s): %s" %
                                (f, a, name, b, kind))
    return arrows, problems, notes


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else \
        os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    src = os.path.join(root, "src")
    arrows, problems, notes = check_layers(src)
    print("folder includes (from -> to: #includes):")
    for (a, b), n in sorted(arrows.items(),
                            key=lambda k: (-FLOOR.get(k[0][0], 9), k[0])):
        print("  %-7s -> %-7s %4d" % (a, b, n))
    seen = set()
    for tree in ("src", "client"):
        top = os.path.join(root, tree)
        if not os.path.isdir(top):
            continue
        edges, why = module_graph(top)
        for comp in loops(edges):
            inside = set(comp)
            detail = "; ".join(why[(a, b)] for a in comp
                               for b in sorted(edges[a]) if b in inside)
            name = "%s/: %s" % (tree, " <-> ".join(comp))
            line = "loop in %s (%s)" % (name, detail)
            if name in KNOWN_LOOPS:
                notes.append("known " + line)
            else:
                problems.append(line)
            seen.add(name)
    for name in KNOWN_LOOPS:
        if name not in seen:
            problems.append("known loop %s is gone: take it off KNOWN_LOOPS"
                            % name)
    for n in notes:
        print("note " + n)
    for p in problems:
        print("FAIL " + p)
    print("%d problem(s)" % len(problems))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
