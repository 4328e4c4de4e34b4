#!/usr/bin/env bash
# Installs what bench/run needs beyond the build (scripts/setup.sh): wrk,
# gnuplot for the chart, and for --glewlwyd the Glewlwyd package with the
# tools its set-up uses. Idempotent: when all is there it only checks.
set -euo pipefail

packages=(wrk gnuplot-nox util-linux glewlwyd sqlite3 openssl)

"$(dirname "$0")/../scripts/apt_ensure.sh" bench/setup "${packages[@]}"
# The package may start its own Glewlwyd service where there is an init
# system; the bench runs a private instance on a port of its own and does
# not touch that one.
echo "bench/setup: wrk, gnuplot and glewlwyd are installed"
