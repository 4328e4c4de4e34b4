#!/usr/bin/env bash
# Builds keygate three times (release, AddressSanitizer + UBSan, and the
# libFuzzer targets with clang), starts a throw-away PostgreSQL cluster that
# lives only as long as this script, and runs every suite: tests/run.py's
# own tests, the Criterion unit tests on the first two builds, the HTTP
# suite on SQLite on the sanitized build (which checks more than the release
# build at the same -O2; the release build runs only the HTTP tests marked
# `alone`, the latency and CPU-share bounds, on SQLite), the whole HTTP
# suite on the release build with PostgreSQL as the store, the two-node suite (two nodes on one database behind nginx),
# the browser suite (Playwright on Debian's Chromium), the unit tests under
# valgrind's memcheck (no error, no definite or indirect leak), and the fuzz
# targets (tests/fuzz: each replays its seed corpus and fuzzes for
# FUZZ_SECONDS, 15, two at once).
#
# Two suites run side by side (tests/run.py --lanes 2), each one's output
# printed whole when it ends; then, alone on the machine, the tests that
# need it to themselves (marked `alone`: latency and CPU-share bounds, fixed
# ports) and the fuzz targets. Ends with one line "N passed, N failed"
# summing them all (a skipped, hung or missing test counts as failed; a run
# narrowed by the environment says so on the line above, and is refused
# when CI=true); exits non-zero when anything failed.
set -euo pipefail
cd "$(dirname "$0")/.."

make --no-print-directory build asan fuzz-build >/dev/null

# The cluster goes whatever way the script ends; an interrupt must end it
# through `exit` too, or bash would skip the EXIT trap. Its output goes to
# stderr so that the closing line stays the last one on stdout.
pg_dir=$(mktemp -d -t keygate-pg.XXXXXX)
trap 'scripts/pg_cluster.sh destroy "$pg_dir" >&2 || true' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
# A cluster that will not start must not cost the other suites their run:
# without KEYGATE_TEST_PG the PostgreSQL ones count as failed, with a reason.
if pg_url=$(scripts/pg_cluster.sh start "$pg_dir"); then
	export KEYGATE_TEST_PG=$pg_url
else
	echo "test.sh: no PostgreSQL cluster; its suites will fail" >&2
fi

export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:halt_on_error=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
# The lanes take the suites in this order: the longest first, so that no
# long one starts last while the other lane has nothing left (runner is
# first only because it takes seconds).
/usr/bin/python3 tests/run.py --lanes 2 \
	--suite "runner" \
	--suite "valgrind:build" \
	--suite "http:build-asan" \
	--suite "http-pg:build" \
	--suite "http:build:alone" \
	--suite "unit:build-asan" --suite "unit:build" \
	--suite "browser:build" \
	--suite "multinode:build" \
	--suite "fuzz:build-fuzz"
