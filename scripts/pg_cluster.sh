#!/usr/bin/env bash
# A throw-away PostgreSQL cluster for keygate's tests, in a folder of its own.
#
#   scripts/pg_cluster.sh start DIR    creates the cluster on first use, starts
#                                      it, prints its admin URL
#                                      postgres://postgres@127.0.0.1:PORT/postgres
#                                      (also kept in DIR/url)
#   scripts/pg_cluster.sh stop DIR     stops it (fine when it is not running)
#   scripts/pg_cluster.sh destroy DIR  stops it and deletes DIR
#
# The cluster trusts every local connection and runs with fsync, synchronous
# commit and full-page writes off: a crash may lose or corrupt it. That is the
# price of fast tests; never keep data in it. With KEYGATE_PG_DURABLE=1 in
# the environment of a start, they are on (the crash test's own cluster).
# It listens on 127.0.0.1 only, on a port picked once and kept in DIR/port,
# and puts its socket in DIR.
#
# It uses the newest /usr/lib/postgresql/*/bin (Debian's layout), or
# PG_BINDIR when set. initdb refuses to run as root, so as root DIR is handed
# to the `postgres` system user (which the postgresql package creates) and the
# server runs as that user; DIR's parents must then be searchable by it
# (/tmp is; /root is not).
set -euo pipefail

usage() {
	echo "usage: $0 start|stop|destroy DIR" >&2
	exit 2
}

die() {
	echo "pg_cluster: $*" >&2
	exit 1
}

if [ $# -ne 2 ] || [ -z "$2" ]; then
	usage
fi
cmd=$1
dir=$2

find_bindir() {
	if [ -n "${PG_BINDIR:-}" ]; then
		echo "$PG_BINDIR"
		return
	fi
	# Debian can carry several majors side by side (mid-upgrade); the
	# newest is the one a fresh `apt-get install postgresql` brings.
	local newest
	newest=$(shopt -s nullglob
	    printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
	[ -n "$newest" ] ||
	    die "no /usr/lib/postgresql/*/bin; install the postgresql package (scripts/setup.sh) or set PG_BINDIR"
	echo "$newest"
}

# Runs a PostgreSQL program as the user that owns the cluster.
as_owner() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

# A port nothing listens on right now. Asking the kernel (bind to port 0)
# beats guessing; the small race until the server binds it is handled by
# retrying in start.
pick_port() {
	python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

is_running() {
	[ -f "$dir/data/PG_VERSION" ] &&
	    as_owner "$bin/pg_ctl" status -D "$dir/data" >/dev/null 2>&1
}

url() {
	echo "postgres://postgres@127.0.0.1:$(cat "$dir/port")/postgres"
}

init_cluster() {
	mkdir -p "$dir"
	if [ "$(id -u)" -eq 0 ]; then
		id postgres >/dev/null 2>&1 ||
		    die "running as root needs the postgres system user (install the postgresql package)"
		chown postgres: "$dir"
		as_owner test -w "$dir" ||
		    die "user postgres cannot reach $dir (a parent folder is closed to it); use a folder under /tmp"
	fi
	# --no-sync: nothing here needs to survive a power cut.
	if ! as_owner "$bin/initdb" -D "$dir/data" -U postgres \
	    --auth=trust -E UTF8 --locale=C --no-sync \
	    >"$dir/initdb.log" 2>&1; then
		cat "$dir/initdb.log" >&2
		die "initdb failed (log above, also in $dir/initdb.log)"
	fi
	# Our settings live in a file of their own, rewritten on every start,
	# so the port always matches DIR/port and a changed script reaches an
	# existing cluster too.
	echo "include_if_exists = 'keygate-test.conf'" >>"$dir/data/postgresql.conf"
}

write_settings() {
	local conf="$dir/data/keygate-test.conf" durable=off
	if [ "${KEYGATE_PG_DURABLE:-0}" = 1 ]; then
		durable=on
	fi
	cat >"$conf" <<-EOF
		# Written by scripts/pg_cluster.sh on every start; edits are lost.
		listen_addresses = '127.0.0.1'
		port = $(cat "$dir/port")
		unix_socket_directories = '$dir'
		# Throw-away test cluster: durability traded for speed, unless
		# KEYGATE_PG_DURABLE=1 asks for PostgreSQL's durable defaults.
		fsync = $durable
		synchronous_commit = $durable
		full_page_writes = $durable
		# Every keygate under test holds a pool of connections, and the
		# HTTP suite runs several servers (and a concurrency test) at once.
		max_connections = 300
	EOF
	if [ "$(id -u)" -eq 0 ]; then
		chown postgres: "$conf"
	fi
}

start() {
	if [ ! -d "$dir/data" ]; then
		init_cluster
	fi
	if is_running; then
		url
		return
	fi
	# A unix socket path must fit in 107 bytes; fail with a reason rather
	# than with a server that will not start.
	[ ${#dir} -le 80 ] || die "$dir is too long a path for the socket"
	local fresh_port=false tries=1
	if [ ! -s "$dir/port" ]; then
		fresh_port=true
		tries=3
		pick_port >"$dir/port"
	fi
	local i seen
	for ((i = 1; i <= tries; i++)); do
		write_settings
		# The log grows across starts; only this attempt's part counts.
		seen=$(stat -c %s "$dir/postgres.log" 2>/dev/null || echo 0)
		# stdout carries only the URL; pg_ctl's complaints would be
		# noise when a retry succeeds, and the log says more.
		if as_owner "$bin/pg_ctl" start -w -s -t 60 -D "$dir/data" \
		    -l "$dir/postgres.log" >/dev/null 2>&1; then
			url | tee "$dir/url"
			return
		fi
		# Someone took the freshly picked port before the server bound
		# it: pick another. A port kept from an earlier run is not
		# changed behind the caller's back.
		if $fresh_port && tail -c +$((seen + 1)) "$dir/postgres.log" |
		    grep -q "could not bind"; then
			pick_port >"$dir/port"
			continue
		fi
		break
	done
	tail -n 30 "$dir/postgres.log" >&2 || true
	die "PostgreSQL did not start (log above, also in $dir/postgres.log)"
}

# destroy runs rm -rf on a path from the command line: a slip (`destroy .`,
# an unset variable in a caller) must not cost anything but a refusal.
check_ours() {
	[ -d "$dir" ] || return 0
	local f
	for f in "$dir"/* "$dir"/.[!.]*; do
		[ -e "$f" ] || continue
		case ${f##*/} in
		data | port | url | postgres.log | initdb.log | .s.PGSQL.*) ;;
		*) die "$dir holds ${f##*/}, which is not part of a test cluster; not deleting it" ;;
		esac
	done
}

stop() {
	if is_running; then
		as_owner "$bin/pg_ctl" stop -w -s -m fast -D "$dir/data" >&2
	fi
}

bin=$(find_bindir)
# The PostgreSQL programs run as another user when we are root, and cannot
# always see the caller's working directory; DIR must be absolute for them.
dir=$(realpath -m -- "$dir")
cd /

case $cmd in
start) start ;;
stop) stop ;;
destroy)
	check_ours
	stop
	rm -rf -- "$dir"
	;;
*) usage ;;
esac
