#!/usr/bin/env bash
# Installs every build and test dependency of keygate from Debian's archive.
# Idempotent: when everything is present it only checks, in well under a
# second.
set -euo pipefail

packages=(
	gcc pkg-config meson ninja-build python3 make git binutils
	libmicrohttpd-dev libjansson-dev libsodium-dev libsqlite3-dev
	libunistring-dev libicu-dev libpq-dev libcurl4-openssl-dev libinih-dev
	libcriterion-dev python3-pytest python3-pytest-timeout python3-requests
	python3-requests-oauthlib python3-authlib python3-cryptography
	sqlite3 curl chromium
	postgresql python3-psycopg2 nginx python3-aiosmtpd
	clang libclang-rt-14-dev valgrind
	groff-base systemd
	liboath-dev libqrencode-dev oathtool zbar-tools librsvg2-bin
	libssl-dev apache2 libapache2-mod-auth-openidc faketime wrk
	openssl
)
# clang builds the libFuzzer targets (tests/fuzz); Debian 12's clang is 14,
# whose fuzzer runtime is only recommended, hence named. valgrind runs the
# unit tests under memcheck. pytest-timeout ends a hung test (tests/run.py).
# The tests also call cc, nm (binutils), pkg-config, make and git (the
# client library, install and docs tests), groff (groff-base: the man page
# is checked), systemd-analyze (systemd: the unit file is verified) and
# nginx. Two-step log-in builds on liboath (TOTP codes) and libqrencode
# (its QR code); its tests compute codes with oathtool, render the QR
# code's SVG with rsvg-convert (librsvg2-bin) and read it with zbarimg
# (zbar-tools). OpenID Connect signs with OpenSSL 3 (libssl-dev); a real
# relying party, Apache's mod_auth_openidc, logs in through it in the
# tests (python3-authlib and npm's oauth4webapi are the other two), its
# clock moved by libfaketime (faketime) to see an expired id_token.
# The client metadata document tests make their throw-away CA and server
# certificate with the openssl command (openssl).

# Node.js for the browser tests and the OpenAPI lint: @redocly/cli wants
# 20.19+ on the 20 line or 22.12+, playwright-core 20+; npm 10+. Debian 12
# ships 18, too old: the machine may carry its own (e.g. NodeSource's
# nodejs package); apt's candidate is taken only when it is new enough.
node_ok() {
	command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 &&
	    node -e '
		const [a, b] = process.versions.node.split(".").map(Number);
		process.exit(a === 20 && b >= 19 || a === 22 && b >= 12 ||
		    a >= 23 ? 0 : 1)' &&
	    [ "$(npm --version | cut -d. -f1)" -ge 10 ]
}
if ! node_ok; then
	candidate=$(apt-cache policy nodejs 2>/dev/null |
	    sed -n 's/^ *Candidate: *\([0-9]*\).*/\1/p')
	if [ "${candidate:-0}" -ge 20 ] 2>/dev/null; then
		packages+=(nodejs)
	fi
fi
"$(dirname "$0")/apt_ensure.sh" setup "${packages[@]}"
if ! node_ok; then
	have=$(node --version 2>/dev/null || echo none)
	have_npm=$(npm --version 2>/dev/null || echo none)
	cat >&2 <<-MSG
	setup: Node.js 20.19+ (or 22.12+) with npm 10+ is needed by the browser
	tests and the OpenAPI lint (playwright-core, @redocly/cli); this machine
	has node $have, npm $have_npm on PATH, and apt offers nodejs
	${candidate:-none}. Debian 12's nodejs is 18. Install Node.js 22 (it
	brings npm) from NodeSource (https://deb.nodesource.com, package nodejs)
	or from the binaries of https://nodejs.org/en/download, put node and
	npm on PATH, then run scripts/setup.sh again.
	MSG
	exit 1
fi

# npm packages of the browser tests (playwright-core drives Debian's
# Chromium; it downloads no browser), pinned by package-lock.json.
cd "$(dirname "$0")/.."
if [ ! -f node_modules/.package-lock.json ] ||
    [ package-lock.json -nt node_modules/.package-lock.json ]; then
	echo "setup: npm ci"
	npm ci --no-audit --no-fund --loglevel=error >/dev/null
fi
