"""What every part of the bench shares: where things are, the routes,
the targets, the bench's settings of keygate, and small helpers."""

import argparse
import base64
import os
import socket
import subprocess
import sys

# kgbench/ sits in bench/
BENCH = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROOT = os.path.dirname(BENCH)
LUA = os.path.join(BENCH, "wrk", "bench.lua")
SERVER_CPU = "0"
WRK_CPU = "1"

# route name -> (wrk mode, path); the baseline first
READ_ROUTES = [
    ("ping", "get", "/ping"),
    ("check_fixed", "bearer", "/oauth2/check"),
    ("check", "bearer", "/oauth2/check"),
    # the check for a registered resource (docs/REFERENCE.md §22.1):
    # X-Keygate-Resource on the same tokens, filled for it too
    ("check_resource", "bearer", "/oauth2/check"),
    ("summary", "bearer", "/v3/account/summary"),
    ("introspect", "introspect", "/oauth2/introspect"),
    # OpenID Connect's bearer call: the check's lookup, then the claims
    # (the stored tokens' scope holds openid and email)
    ("userinfo", "bearer", "/oauth2/userinfo"),
]

# check_fixed draws its tokens from the first FIXED_DRAW stored ones at
# every size: as many distinct tokens, so as many uses to record, whatever
# the store holds; only the store's size changes. It runs before the
# routes drawing from all tokens, whose uses keep the fold busy for a
# while after them.
FIXED_DRAW = 10000

# The log-in flood beside the paced check: --login-clients connections
# create personal tokens with the right password (argon2id each), taking
# bench/fill.c's LOGIN_ACCOUNTS log-in accounts in turn
# (FILL_LOGIN_EMAIL_FMT, FILL_PASSWORD): an account makes at most 20
# personal tokens an hour, so 512 of them last 10,240 log-ins. Each waits
# for the server's few slow-lane threads, so seconds, not wrk's --timeout;
# it starts LOGIN_RAMP_S before the check's runs, to be in full flow.
LOGIN_ACCOUNTS = 512
LOGIN_BASICS = " ".join(
    "Basic " + base64.b64encode(
        b"bench-login-%d@example.test:bench-password-not-secret" % i)
    .decode() for i in range(1, LOGIN_ACCOUNTS + 1))
LOGIN_TIMEOUT_S = 30
LOGIN_RAMP_S = 2

# targets of the performance issue, for the report
TARGETS = {
    "check": ("ratio", 0.9),
    "summary": ("ratio", 0.9),
    "introspect": ("ratio", 0.8),
    "userinfo": ("ratio", 0.8),
    "refresh": ("rps", 30000),
    "check_half_p99_ms": ("max", 2.0),
    "rss_mib": ("max", 64),
    "usage_counting": ("ratio", 0.98),
}

# Uses are logged every --use-coalesce/2 seconds and folded as often: at
# keygate's default (60) a route's uses were folded up to a minute later,
# during the runs of the routes after it. At 4 they are folded within
# 4 s; after a run of a route that records uses the runner waits until
# the server has done that work and charges the CPU time it took to the
# route (settle()).
USE_COALESCE_S = 4

# (check_logins too, but its server is busy with log-ins until the flood
# ends: it settles once, after)
USE_ROUTES = ("check_fixed", "check", "check_resource", "summary",
              "userinfo", "check_half", "check_calm", "check_uncounted")

# The check again on a second server over the same store, started with
# --usage-counting=off (docs/REFERENCE.md §21), right after the check: the
# cost of counting is the check's ratio to its paired /ping over this
# one's to its own. Run when the check is.
UNCOUNTED = "check_uncounted"
USAGE_FLAG = "--usage-counting=off"

# The check of a registered resource (RFC 8707, docs/REFERENCE.md §22.1):
# registered with `keygate resource add` before the fill, which gives
# every access token its audience and scope bits beside the built-in
# API's (read back from the store), so that check_resource draws the
# check's very tokens; its runs alternate with the check's, each after a
# /ping run. Only where the build has resources (a --rev from before has
# none).
RESOURCE = "check_resource"
RESOURCE_URI = "https://api.example.test/bench"
RESOURCE_NAME = "Bench API"
RESOURCE_SCOPE = "bench:read What the bench reads"
RESOURCE_HEADER = "X-Keygate-Resource: " + RESOURCE_URI

# --against REV: the check of another commit's build beside this one's,
# on a store of its own (its schema may be older) filled by its own
# filler with as many tokens, pinned to the same core; its runs alternate
# with the check's, each after a /ping run of its own server. The target:
# a change keeps the check at least this share of what it was.
AGAINST = "check_against"
AGAINST_TARGET = 0.9

# The code exchange with OpenID Connect, after the plain one (whose codes
# hold the API's scopes alone: no id_token): codes of this scope, an
# id_token signed per answer, with the app switched to each alg in turn.
OIDC_ALGS = ("RS256", "ES256", "EdDSA")
OIDC_CODE_SCOPE = ("account_read account_update contact_data "
                   "campaign_data openid email")
# keygate-bench-sign's calls per alg (RS256's ~1 ms each: seconds in all)
SIGN_N = 2000

# DPoP-bound checks (bench/kgbench/dpop.py): the algs measured by
# default (RS256 on request), the bound tokens filled per alg (as many as
# check_fixed draws from, the Bearer check they stand beside), and the
# issue's target: the bound check's rate at least this share of the rate
# at which one core verifies the proof's signature alone
DPOP_ALGS = ("ES256", "EdDSA", "RS256")
DPOP_DEFAULT_ALGS = ("ES256", "EdDSA")
DPOP_TOKENS = FIXED_DRAW
DPOP_TARGET = 0.8
# keygate-bench-dpop --rate's calls per alg
DPOP_RATE_N = 5000

# settle(): done once the server has used less than QUIET_CPU_S of CPU in
# QUIET_S, and at least USE_COALESCE_S after the run
QUIET_S = 1.0
QUIET_CPU_S = 0.01
SETTLE_MAX_S = 30

# tuned: one HTTP thread pinned to core 0, no access log (the figures of
# the targets); defaults: keygate as installed, --threads one per core,
# the access log on, not pinned
PROFILES = ("tuned", "defaults")


def log(msg):
    print(msg, flush=True)


def die(msg):
    print("bench: " + msg, file=sys.stderr, flush=True)
    sys.exit(1)


def parse_size(s):
    v = float(s)
    if v < 1 or v != int(v):
        raise argparse.ArgumentTypeError("not a whole number: " + s)
    return int(v)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def proc_cpu_s(pid):
    """CPU seconds pid has used, every thread, user and system."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    # utime and stime are fields 14 and 15 of proc(5); fields[0] is 3
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def proc_status(pid):
    """VmRSS and VmHWM of pid, in KiB."""
    out = {}
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                k, _, v = line.partition(":")
                if k in ("VmRSS", "VmHWM"):
                    out[k] = int(v.split()[0])
    except OSError:
        pass
    return out


def run_cmd(cmd, **kw):
    log("  $ " + " ".join(cmd))
    return subprocess.run(cmd, check=True, **kw)


def machine_notes():
    notes = {"nproc": os.cpu_count(), "loadavg_start": os.getloadavg()}
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    notes["cpu"] = line.split(":", 1)[1].strip()
                    break
        with open("/proc/meminfo") as f:
            notes["mem_kib"] = int(f.readline().split()[1])
    except OSError:
        pass
    notes["kernel"] = os.uname().release
    notes["wrk"] = subprocess.run(["wrk", "-v"], capture_output=True,
                                  text=True).stdout.splitlines()[0:1]
    return notes


def git(*args):
    return subprocess.run(["git", "-C", ROOT] + list(args), check=True,
                          capture_output=True, text=True).stdout.strip()
