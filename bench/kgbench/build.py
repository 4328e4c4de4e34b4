"""Builds the keygate, the filler and the pacer the bench runs (release)."""

import glob
import os
import shutil
import subprocess
import sys

from kgbench.common import BENCH, ROOT, die, git, run_cmd


def build(args):
    """Builds keygate, the filler, the pacer and (when the source has
    it) keygate-bench-sign and keygate-bench-dpop with
    --buildtype=release; returns (keygate, fill, pace, sign or None,
    dpop or None, description of the source)."""
    top = os.path.join(ROOT, "build-bench")
    if args.rev:
        # A commit, exported read-only from git (no checkout): to compare
        # a change against what came before it.
        sha = git("rev-parse", "--verify", args.rev + "^{commit}")
        src = os.path.join(top, "rev-" + sha[:12], "src")
        bdir = os.path.join(top, "rev-" + sha[:12], "build")
        if not os.path.isdir(src):
            os.makedirs(src)
            archive = subprocess.run(["git", "-C", ROOT, "archive", sha],
                                     check=True, capture_output=True).stdout
            subprocess.run(["tar", "-x", "-C", src], input=archive,
                           check=True)
        has_bench = subprocess.run(
            ["git", "-C", ROOT, "cat-file", "-e", sha + ":bench/pace.c"],
            capture_output=True).returncode == 0
        if not has_bench:
            # an older commit: this filler and pacer, wired in (copied
            # every time, so they are the working tree's)
            os.makedirs(os.path.join(src, "bench"), exist_ok=True)
            for f in glob.glob(os.path.join(BENCH, "*.[ch]")) + [
                    os.path.join(BENCH, "meson.build")]:
                shutil.copy(f, os.path.join(src, "bench"))
            with open(os.path.join(src, "meson.build")) as f:
                text = f.read()
            if "subdir('bench')" not in text:
                with open(os.path.join(src, "meson.build"), "a") as f:
                    f.write("subdir('bench')\n")
        what = {"rev": sha, "dirty": False}
    else:
        src, bdir = ROOT, top
        what = {"rev": git("rev-parse", "HEAD"),
                "dirty": git("status", "--porcelain", "--", "src") != ""}
    if not os.path.exists(os.path.join(bdir, "build.ninja")):
        run_cmd(["meson", "setup", bdir, src, "--buildtype=release"],
                stdout=subprocess.DEVNULL)
    else:
        run_cmd(["meson", "configure", bdir, "--buildtype=release"],
                stdout=subprocess.DEVNULL)
    # a commit from before OpenID Connect's signing keys has no such
    # tool (bench/meson.build)
    sign = os.path.exists(os.path.join(src, "src", "core", "signing.h"))
    # nor one from before DPoP (or before this tool) a keygate-bench-dpop
    dpop = all(os.path.exists(os.path.join(src, *f)) for f in (
        ("src", "core", "dpop.c"), ("bench", "dpop.c")))
    r = subprocess.run(["ninja", "-C", bdir, "src/keygate",
                        "bench/keygate-bench-fill",
                        "bench/keygate-bench-pace"] +
                       (["bench/keygate-bench-sign"] if sign else []) +
                       (["bench/keygate-bench-dpop"] if dpop else []),
                       capture_output=True, text=True)
    if r.returncode != 0:
        sys.stderr.write(r.stdout[-4000:] + r.stderr[-2000:])
        die("the build failed (above); --rev HEAD builds the last commit "
            "instead of the working tree")
    return (os.path.join(bdir, "src", "keygate"),
            os.path.join(bdir, "bench", "keygate-bench-fill"),
            os.path.join(bdir, "bench", "keygate-bench-pace"),
            os.path.join(bdir, "bench", "keygate-bench-sign") if sign
            else None,
            os.path.join(bdir, "bench", "keygate-bench-dpop") if dpop
            else None, what)
