#!/usr/bin/env bash
# Installs what bench/run needs beyond the build (scripts/setup.sh): wrk,
# gnuplot for the chart, and for --glewlwyd the Glewlwyd package with the
# tools its set-up uses. Idempotent: when all is there it only checks.
set -euo pipefail

packages=(wrk gnuplot-nox util-linux glewlwyd sqlite3 openssl)

missing=()
for p in "${packages[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
	    grep -q "install ok installed"; then
		missing+=("$p")
	fi
done

if [ ${#missing[@]} -gt 0 ]; then
	echo "bench/setup: installing ${missing[*]}"
	sudo=""
	if [ "$(id -u)" -ne 0 ]; then
		sudo="sudo"
	fi
	export DEBIAN_FRONTEND=noninteractive
	$sudo apt-get update -qq
	$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" \
	    >/dev/null
fi
# The package may start its own Glewlwyd service where there is an init
# system; the bench runs a private instance on a port of its own and does
# not touch that one.
echo "bench/setup: wrk, gnuplot and glewlwyd are installed"
