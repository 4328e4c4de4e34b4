#!/usr/bin/env bash
# Installs every build and test dependency of keygate from Debian's archive.
# Idempotent: when everything is present it only checks, in well under a
# second.
set -euo pipefail

packages=(
	gcc pkg-config meson ninja-build python3
	libmicrohttpd-dev libjansson-dev libsodium-dev libsqlite3-dev
	libunistring-dev libicu-dev libpq-dev libcurl4-openssl-dev libinih-dev
	libcriterion-dev python3-pytest python3-requests
	python3-requests-oauthlib python3-authlib
	sqlite3 curl chromium
	postgresql python3-psycopg2 nginx
	clang libclang-rt-14-dev valgrind
)
# clang builds the libFuzzer targets (tests/fuzz); Debian 12's clang is 14,
# whose fuzzer runtime is only recommended, hence named. valgrind runs the
# unit tests under memcheck.

# Node.js for the browser tests: whatever provides `npm` will do (the
# machine may carry its own build); Debian's otherwise.
if ! command -v npm >/dev/null 2>&1; then
	packages+=(nodejs npm)
fi
"$(dirname "$0")/apt_ensure.sh" setup "${packages[@]}"

# npm packages of the browser tests (playwright-core drives Debian's
# Chromium; it downloads no browser), pinned by package-lock.json.
cd "$(dirname "$0")/.."
if [ ! -f node_modules/.package-lock.json ] ||
    [ package-lock.json -nt node_modules/.package-lock.json ]; then
	echo "setup: npm ci"
	npm ci --no-audit --no-fund --loglevel=error >/dev/null
fi
