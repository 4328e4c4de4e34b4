"""Every command and subcommand answers --help and -h: its help on stdout,
nothing on stderr, exit 0, and nothing done (no store file appears). The
commands are read from `keygate --help` and the subcommands from each
command's own help, so a command added later is walked too."""

import re

import pytest

from kgtest import run_cli


def help_of(*words, flag="--help", cwd=None):
    return run_cli(*words, flag, cwd=cwd)


def commands():
    """The command words of `keygate --help`: "serve", "account add",
    "app ...", ... (a trailing "..." or FILE dropped)."""
    p = help_of()
    assert p.returncode == 0, p.stderr
    block = p.stdout.split("commands:", 1)[1].split("\n\n", 1)[0]
    found = []
    for line in block.splitlines():
        m = re.match(r"^  ([a-z]+(?: [a-z]+)?)(?: \.\.\.| FILE)?  ", line)
        if m:
            found.append(tuple(m.group(1).split()))
    return found


def subcommands(word):
    """`keygate app --help` names `keygate app VERB ...`; `keygate client
    --help` lists its commands two spaces in."""
    out = help_of(word).stdout
    subs = set(re.findall(rf"keygate {word} ([a-z]+)", out))
    subs |= set(re.findall(r"(?m)^  ([a-z]+)\b", out))
    return sorted(subs)


def every_command():
    walked = []
    for words in commands():
        walked.append(words)
        if len(words) == 1:
            walked += [words + (s,) for s in subcommands(words[0])]
    return walked


def test_the_walk_finds_every_command():
    walked = {" ".join(w) for w in every_command()}
    for must in ("serve", "migrate", "account add", "gc", "stats",
                 "token revoke", "config check", "app create", "app list",
                 "app secret", "client login", "client token",
                 "client call", "client status"):
        assert must in walked, (must, sorted(walked))


@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_the_top_level_help(flag):
    p = run_cli(flag)
    assert p.returncode == 0 and p.stderr == ""
    assert p.stdout.startswith("usage: keygate")


@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_every_command_answers_help(flag, tmp_path):
    bad = []
    for words in every_command():
        p = help_of(*words, flag=flag, cwd=tmp_path)
        if p.returncode != 0 or p.stderr or "usage:" not in p.stdout:
            bad.append((words, p.returncode, p.stderr[:200]))
    assert bad == []
    assert list(tmp_path.iterdir()) == [], "help must not open a store"


def test_help_wherever_it_stands(tmp_path):
    """After other flags too, as people type it."""
    for words in (("app", "create", "--name", "x"),
                  ("client", "login", "--issuer", "http://127.0.0.1:9"),
                  ("config", "check", "some.conf"),
                  ("account", "add", "--email", "a@example.com")):
        p = help_of(*words, cwd=tmp_path)
        assert p.returncode == 0 and "usage:" in p.stdout, (words, p.stderr)
    assert list(tmp_path.iterdir()) == []
