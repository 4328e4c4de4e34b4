#!/usr/bin/env bash
# Builds keygate twice (release, and AddressSanitizer + UBSan), runs the
# Criterion unit tests and the HTTP suite on both and the browser suite
# (Playwright on Debian's Chromium) on the release build. Ends with one line
# "N passed, N failed" summing them all; exits non-zero when anything failed.
set -euo pipefail
cd "$(dirname "$0")/.."

make --no-print-directory build asan >/dev/null

export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:halt_on_error=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
exec /usr/bin/python3 tests/run.py \
	--suite "unit:build" --suite "unit:build-asan" \
	--suite "http:build" --suite "http:build-asan" \
	--suite "browser:build"
