"""The include graph has floors and no loops (scripts/layers.py): the real
tree passes, and the checker does catch an upward include, a sideways one
only as a note, and a loop through a shared header."""
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
SCRIPT = os.path.join(ROOT, "scripts", "layers.py")


def run(root):
    return subprocess.run([sys.executable, SCRIPT, root],
                          capture_output=True, text=True)


def write(root, rel, text):
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as fh:
        fh.write(text)


def test_the_tree_has_no_upward_include_and_no_new_loop():
    r = run(ROOT)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "store   -> core" not in r.stdout
    assert "base    -> " not in r.stdout


def test_store_including_core_fails(tmp_path):
    write(tmp_path, "src/base/str.h", "")
    write(tmp_path, "src/core/rules.h", '#include "base/str.h"\n')
    write(tmp_path, "src/store/db.c", '#include "core/rules.h"\n')
    r = run(str(tmp_path))
    assert r.returncode == 1
    assert 'store/db.c (store) includes "core/rules.h" (core): upward' \
        in r.stdout


def test_base_including_anything_above_fails(tmp_path):
    write(tmp_path, "src/store/store.h", "")
    write(tmp_path, "src/base/str.c", '#include "store/store.h"\n')
    r = run(str(tmp_path))
    assert r.returncode == 1
    assert "upward" in r.stdout


def two_modules(tmp, helper_body):
    """store/top.c calls helper(); store/helper.c returns `helper_body`;
    both share one header."""
    write(tmp, "src/store/shared.h", "int top(void);\nint helper(void);\n")
    write(tmp, "src/store/top.c",
          '#include "store/shared.h"\n\nint\ntop(void)\n{\n'
          '\treturn helper();\n}\n')
    write(tmp, "src/store/helper.c",
          '#include "store/shared.h"\n\nint\nhelper(void)\n{\n'
          f'\treturn {helper_body};\n}}\n')


def test_a_call_back_through_a_shared_header_is_a_loop(tmp_path):
    two_modules(tmp_path, "top()")
    r = run(str(tmp_path))
    assert r.returncode == 1
    assert "loop in src/: store/helper <-> store/top" in r.stdout


def test_a_one_way_call_is_no_loop(tmp_path):
    two_modules(tmp_path, "1")
    r = run(str(tmp_path))
    assert "loop in src/: store" not in r.stdout
